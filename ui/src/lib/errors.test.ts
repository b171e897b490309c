import { describe, expect, it } from "vitest";
import { friendlyError, toAppError } from "./errors";

describe("friendlyError", () => {
  const now = Date.parse("2026-05-19T03:00:00Z");

  it("maps codes to sentences with what to do next", () => {
    expect(friendlyError({ code: "insufficient_balance", message: "402 low" }, "en")).toMatch(/Top up/);
    expect(friendlyError({ code: "auth", message: "401" }, "id")).toMatch(/kunci API/);
  });

  it("never shows raw backend text for unknown codes", () => {
    const text = friendlyError({ code: "weird_new_code", message: "panicked at src/lib.rs:12" }, "en");
    expect(text).not.toMatch(/panicked/);
    expect(text).toMatch(/Something went wrong/);
    expect(friendlyError(new Error("boom"), "en")).toMatch(/Something went wrong/);
    expect(friendlyError("raw string", "en")).toMatch(/Something went wrong/);
  });

  it("says how long to wait, from the field or the message", () => {
    expect(friendlyError({ code: "cancel_cooldown", message: "", retry_after_secs: 90 }, "en", now)).toBe(
      "Cancelling is possible 2 minutes after buying. Try again in 2 min.",
    );
    expect(
      friendlyError({ code: "cancel_cooldown", message: "Cancel is possible from 2026-05-19 03:00:40 UTC." }, "en", now),
    ).toMatch(/in 40 s/);
    expect(friendlyError({ code: "rate_limited", message: "try again in 30 s." }, "id", now)).toMatch(/dalam 30 dtk/);
    expect(friendlyError({ code: "cooldown", message: "later" }, "en", now)).toMatch(/in a moment/);
  });

  it("normalises what commands throw", () => {
    expect(toAppError({ code: "network", message: "x" }).code).toBe("network");
    expect(toAppError(undefined).code).toBe("unknown");
  });
});
