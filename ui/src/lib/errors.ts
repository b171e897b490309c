// Backend failures become one sentence the user understands, with what to do next. The backend's
// own `message` is for logs only: it may be technical, English, or contain provider text.

import { formatIn } from "./format";
import { hasKey, translate, type MessageKey } from "./i18n";
import type { AppError, Language } from "./types";

/** Normalise anything a command can throw into an AppError. */
export function toAppError(e: unknown): AppError {
  if (e && typeof e === "object" && "code" in e && typeof (e as { code: unknown }).code === "string") {
    const o = e as Record<string, unknown>;
    return {
      code: o.code as string,
      message: typeof o.message === "string" ? o.message : "",
      retry_after_secs: typeof o.retry_after_secs === "number" ? o.retry_after_secs : null,
    };
  }
  if (e instanceof Error) return { code: "unknown", message: e.message };
  return { code: "unknown", message: typeof e === "string" ? e : JSON.stringify(e) ?? "" };
}

/** Seconds to wait, from the error's field or from an instant/duration found in its message. */
function waitMs(err: AppError, now: number): number | null {
  if (typeof err.retry_after_secs === "number") return err.retry_after_secs * 1000;
  const iso = err.message.match(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}| UTC)?/);
  if (iso) {
    const t = Date.parse(iso[0].replace(" UTC", "Z").replace(" ", "T"));
    if (!Number.isNaN(t)) return Math.max(0, t - now);
  }
  const secs = err.message.match(/in (\d+) s\b/);
  if (secs) return Number(secs[1]) * 1000;
  return null;
}

/** The friendly sentence for an error, in the user's language. */
export function friendlyError(e: unknown, lang: Language, now: number = Date.now()): string {
  const err = toAppError(e);
  const key = `error.${err.code}`;
  const k: MessageKey = hasKey(key) ? key : "error.unknown";
  const ms = waitMs(err, now);
  const wait = ms === null ? translate(lang, "error.soon") : formatIn(ms, lang);
  return translate(lang, k, { wait });
}

/** Whether the code means "wait and it will work": shown as a notice, not an alarm. */
export function isTransient(code: string): boolean {
  return ["cooldown", "cancel_cooldown", "resend_locked", "rate_limited", "timeout", "network", "upstream"].includes(code);
}
