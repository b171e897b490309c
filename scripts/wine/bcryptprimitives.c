/* bcryptprimitives.dll for wine 8: Rust's std (1.78+) imports ProcessPrng from it, and wine 8 has
 * no such DLL, so every Rust program exits at once with status 53. This one export fills the
 * buffer from advapi32's RtlGenRandom (SystemFunction036), the OS random source wine does have.
 * Built with x86_64-w64-mingw32-gcc by scripts/windows-check.sh into the test wine prefix only. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* RtlGenRandom takes a ULONG length: fill larger buffers in pieces. */
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
