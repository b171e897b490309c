#!/usr/bin/env python3
# Waits for a top-level X window titled exactly ARGV[1] to be mapped, then for its first painted
# content (more than 8 distinct colours: more than a blank background), and prints the two
# moments as milliseconds since the epoch: "MAPPED PAINTED" (PAINTED 0 if nothing painted within
# the time limit). One process polling every 10 ms with libX11 (ctypes), so the measurement
# costs little CPU next to the app it measures. Used by scripts/bench-app.sh.
import ctypes
import sys
import time

title = sys.argv[1].encode()
limit = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0

x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XDefaultRootWindow.restype = ctypes.c_ulong
x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x11.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                           ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                           ctypes.POINTER(ctypes.c_uint)]
x11.XFetchName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_char_p)]
x11.XFree.argtypes = [ctypes.c_void_p]
x11.XGetImage.restype = ctypes.c_void_p
x11.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int, ctypes.c_uint,
                          ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
x11.XDestroyImage = None  # a macro; the image's own destroy function is called instead
x11.XSetErrorHandler.argtypes = [ctypes.c_void_p]


class XWindowAttributes(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("border_width", ctypes.c_int), ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
                ("root", ctypes.c_ulong), ("class", ctypes.c_int), ("bit_gravity", ctypes.c_int),
                ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int), ("backing_planes", ctypes.c_ulong),
                ("backing_pixel", ctypes.c_ulong), ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong),
                ("map_installed", ctypes.c_int), ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
                ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
                ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p)]


class XImage(ctypes.Structure):
    _fields_ = [("width", ctypes.c_int), ("height", ctypes.c_int), ("xoffset", ctypes.c_int),
                ("format", ctypes.c_int), ("data", ctypes.c_void_p), ("byte_order", ctypes.c_int),
                ("bitmap_unit", ctypes.c_int), ("bitmap_bit_order", ctypes.c_int), ("bitmap_pad", ctypes.c_int),
                ("depth", ctypes.c_int), ("bytes_per_line", ctypes.c_int), ("bits_per_pixel", ctypes.c_int),
                ("red_mask", ctypes.c_ulong), ("green_mask", ctypes.c_ulong), ("blue_mask", ctypes.c_ulong),
                ("obdata", ctypes.c_void_p), ("destroy_image", ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p))]


x11.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(XWindowAttributes)]
# Windows come and go while we look: ignore X errors (BadWindow, BadMatch).
ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(lambda d, e: 0)
x11.XSetErrorHandler(ERROR_HANDLER)

IS_VIEWABLE = 2
Z_PIXMAP = 2
ALL_PLANES = 0xFFFFFFFF

display = x11.XOpenDisplay(None)
if not display:
    sys.exit("first-paint: cannot open the X display")
root = x11.XDefaultRootWindow(display)
now_ms = lambda: int(time.time() * 1000)
deadline = time.time() + limit


def viewable_window():
    r, p = ctypes.c_ulong(), ctypes.c_ulong()
    children, n = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
    if not x11.XQueryTree(display, root, ctypes.byref(r), ctypes.byref(p), ctypes.byref(children), ctypes.byref(n)):
        return None
    found = None
    for i in range(n.value):
        w = children[i]
        name = ctypes.c_char_p()
        if x11.XFetchName(display, w, ctypes.byref(name)) and name.value is not None:
            match = name.value == title
            x11.XFree(name)
            attrs = XWindowAttributes()
            if match and x11.XGetWindowAttributes(display, w, ctypes.byref(attrs)) and attrs.map_state == IS_VIEWABLE:
                found = (w, attrs.width, attrs.height)
                break
    if children:
        x11.XFree(children)
    return found


def colours(w, width, height):
    ptr = x11.XGetImage(display, w, 0, 0, width, height, ALL_PLANES, Z_PIXMAP)
    if not ptr:
        return 0
    img = ctypes.cast(ptr, ctypes.POINTER(XImage)).contents
    size = img.bytes_per_line * img.height
    data = memoryview(ctypes.string_at(img.data, size))
    img.destroy_image(ptr)
    if img.bits_per_pixel != 32:
        return len(set(data[::97]))
    return len(set(data.cast("I")[::37]))


mapped = painted = 0
window = None
while time.time() < deadline:
    if window is None:
        window = viewable_window()
        if window is not None:
            mapped = now_ms()
    if window is not None and colours(*window) > 8:
        painted = now_ms()
        break
    time.sleep(0.01)
print(mapped, painted)
