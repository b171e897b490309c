import { describe, expect, it } from "vitest";
import bindings from "./bindings.ts?raw";
import { ERROR_MESSAGES, friendlyError, isErrorCode, isTransient, toAppError } from "./errors";
import type { ErrorCode } from "./types";

/** Every ErrorCode of the generated bindings (the Rust enum, as exported). */
function generatedCodes(): string[] {
  const block = /export type ErrorCode =([\s\S]*?);\n/.exec(bindings)?.[1] ?? "";
  return [...block.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
}

describe("ErrorCode sentences", () => {
  it("every ErrorCode has an English and an Indonesian sentence", () => {
    const codes = generatedCodes();
    expect(codes.length).toBeGreaterThan(40);
    for (const lang of ["en", "id"] as const) {
      const missing = codes.filter((c) => !(ERROR_MESSAGES[lang][`error.${c as ErrorCode}`] ?? "").trim());
      expect(missing, lang).toEqual([]);
    }
    expect(codes.filter((c) => !isErrorCode(c))).toEqual([]);
  });

  it("each code's sentence is its own (nothing falls back to internal)", () => {
    for (const c of generatedCodes()) {
      if (c === "internal") continue;
      for (const lang of ["en", "id"] as const) {
        expect(friendlyError(err(c), lang), `${lang} ${c}`).not.toBe(friendlyError(err("internal"), lang));
      }
    }
  });

  it("knows which strings are codes", () => {
    expect(isErrorCode("outcome_unknown")).toBe(true);
    expect(isErrorCode("wait_timed_out")).toBe(true);
    expect(isErrorCode("wait_timeout")).toBe(false);
    expect(isErrorCode("background")).toBe(false);
    expect(isErrorCode("soon")).toBe(false);
    expect(isErrorCode("weird_new_code")).toBe(false);
  });

  it("background hiccups are transient, an unknown outcome never is", () => {
    expect(isTransient("rate_limited")).toBe(true);
    expect(isTransient("outcome_unknown")).toBe(false);
    expect(isTransient("auth")).toBe(false);
  });
});

const err = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  message: "raw backend text: HTTP 401 at src/lib.rs:12",
  provider: null,
  unlocks_at: null,
  attempt_id: null,
  ...extra,
});

describe("friendlyError", () => {
  const now = Date.parse("2026-05-19T03:00:00Z");

  it("maps codes to sentences with what to do next", () => {
    expect(friendlyError(err("insufficient_balance"), "en")).toMatch(/Top up/);
    expect(friendlyError(err("auth"), "id")).toMatch(/kunci API/);
    expect(friendlyError(err("keyring_unavailable"), "en")).toMatch(/keychain/);
  });

  it("never shows raw backend text", () => {
    for (const code of ["auth", "weird_new_code", "internal", "upstream"]) {
      const text = friendlyError(err(code), "en");
      expect(text).not.toMatch(/raw backend|401|src\/lib/);
    }
    expect(friendlyError(err("weird_new_code"), "en")).toMatch(/Something went wrong/);
    expect(friendlyError(new Error("boom"), "en")).toMatch(/Something went wrong/);
    expect(friendlyError("raw string", "en")).toMatch(/Something went wrong/);
  });

  it("says how long to wait from unlocks_at", () => {
    expect(friendlyError(err("cancel_cooldown", { unlocks_at: "2026-05-19T03:01:30Z" }), "en", now)).toBe(
      "Cancelling is possible 2 minutes after buying. Try again in 2 min.",
    );
    expect(friendlyError(err("cancel_cooldown", { unlocks_at: "2026-05-19T03:00:40.5Z" }), "en", now)).toMatch(/in 41 s/);
    expect(friendlyError(err("rate_limited", { unlocks_at: "2026-05-19T03:00:30Z" }), "id", now)).toMatch(/dalam 30 dtk/);
    expect(friendlyError(err("cooldown"), "en", now)).toMatch(/in a moment/);
  });

  it("normalises what commands throw", () => {
    expect(toAppError(err("network")).code).toBe("network");
    expect(toAppError(undefined).code).toBe("internal");
    expect(toAppError({ code: "cooldown", unlocks_at: 5 }).unlocks_at).toBeNull();
  });
});
