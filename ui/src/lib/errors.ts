// Backend failures become one sentence the user understands, with what to do next. The backend's
// own `message` is for logs only: it may be technical, English, or contain provider text.

import { formatIn } from "./format";
import { catalogs, hasKey, translate } from "./i18n";
import type { AppError, ErrorCode, UiLanguage } from "./types";

/** The catalog key of an error code's sentence. */
export type ErrorKey = `error.${ErrorCode}`;

/**
 * The sentence of every `ErrorCode` (generated from Rust's `otpdesk_core::ErrorCode`), in both
 * languages. Checked by the compiler: a code added in Rust fails `npm run check` until `en` and
 * `id` both have its `error.<code>` sentence.
 */
export const ERROR_MESSAGES: Record<UiLanguage, Record<ErrorKey, string>> = catalogs;

/** `error.*` catalog keys that are not codes. */
const NOT_CODES: ReadonlySet<string> = new Set(["background", "soon"]);

/** Whether `code` is one this UI knows (an older backend or a plain JS error may send anything). */
export function isErrorCode(code: string): code is ErrorCode {
  return hasKey(`error.${code}`) && !NOT_CODES.has(code);
}

/** Normalise anything a command can throw into an AppError. */
export function toAppError(e: unknown): AppError {
  if (e && typeof e === "object" && "code" in e && typeof (e as { code: unknown }).code === "string") {
    const o = e as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === "string" ? v : null);
    return {
      code: o.code as AppError["code"],
      message: str(o.message) ?? "",
      provider: (str(o.provider) as AppError["provider"]) ?? null,
      unlocks_at: str(o.unlocks_at),
      attempt_id: str(o.attempt_id),
    };
  }
  const message = e instanceof Error ? e.message : typeof e === "string" ? e : "";
  return { code: "internal", message, provider: null, unlocks_at: null, attempt_id: null };
}

/** How long until the refused action becomes possible, when the error says. */
function waitMs(err: AppError, now: number): number | null {
  if (err.unlocks_at) {
    const t = Date.parse(err.unlocks_at);
    if (!Number.isNaN(t)) return Math.max(0, t - now);
  }
  return null;
}

/** The friendly sentence for an error, in the user's language. */
export function friendlyError(e: unknown, lang: UiLanguage, now: number = Date.now()): string {
  const err = toAppError(e);
  const key: ErrorKey = isErrorCode(err.code) ? `error.${err.code}` : "error.internal";
  const ms = waitMs(err, now);
  const wait = ms === null ? translate(lang, "error.soon") : formatIn(ms, lang);
  return translate(lang, key, { wait });
}

/** Background hiccups OTPDesk recovers from by itself: not worth interrupting the user. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "cooldown",
  "cancel_cooldown",
  "resend_locked",
  "rate_limited",
  "timeout",
  "network",
  "upstream",
  "decode",
]);

export function isTransient(code: ErrorCode): boolean {
  return TRANSIENT.has(code);
}
