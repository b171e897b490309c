// Money arrives from Rust as integer minor units (never floats); these helpers only format it.

export type Currency = "IDR" | "USD" | "USDT";

const SCALE: Record<Currency, number> = { IDR: 0, USD: 6, USDT: 6 };

/** Format integer minor units: IDR as "Rp 2.835" (id) / "IDR 2,835" (en); USDT with 2–6 decimals. */
export function formatMoney(minor: number, currency: Currency, lang: "id" | "en" = "en"): string {
  const scale = SCALE[currency];
  const negative = minor < 0;
  const abs = Math.abs(minor);
  const unit = 10 ** scale;
  const whole = Math.floor(abs / unit);
  let frac = scale ? String(abs % unit).padStart(scale, "0") : "";
  while (frac.length > 2 && frac.endsWith("0")) frac = frac.slice(0, -1);
  const group = lang === "id" ? "." : ",";
  const decimal = lang === "id" ? "," : ".";
  const wholeText = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, group);
  const number = frac ? `${wholeText}${decimal}${frac}` : wholeText;
  const prefix = currency === "IDR" ? (lang === "id" ? "Rp " : "IDR ") : `${currency} `;
  return `${negative ? "-" : ""}${prefix}${number}`;
}

/** Milliseconds left as a countdown: "1:59", "12:05", "1:02:03"; never negative ("0:00"). */
export function formatTimeLeft(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** A wait in words: "in 45 s", "in 2 min" (en); "dalam 45 dtk", "dalam 2 mnt" (id). Rounds up. */
export function formatIn(ms: number, lang: "id" | "en" = "en"): string {
  const secs = Math.max(0, Math.ceil(ms / 1000));
  const words = lang === "id" ? { pre: "dalam", s: "dtk", m: "mnt", h: "jam" } : { pre: "in", s: "s", m: "min", h: "h" };
  if (secs < 60) return `${words.pre} ${secs} ${words.s}`;
  const mins = Math.ceil(secs / 60);
  if (mins < 60) return `${words.pre} ${mins} ${words.m}`;
  const hours = Math.floor(mins / 60);
  const rest = mins % 60;
  return rest ? `${words.pre} ${hours} ${words.h} ${rest} ${words.m}` : `${words.pre} ${hours} ${words.h}`;
}

/** Local wall-clock time of an instant ("14:05"). */
export function formatClock(iso: string, lang: "id" | "en" = "en"): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleTimeString(lang === "id" ? "id-ID" : "en-GB", { hour: "2-digit", minute: "2-digit" });
}

/** Phone numbers as providers send them ("6281234567890") get a leading "+" for display. */
export function formatPhone(phone: string): string {
  const digits = phone.trim();
  return /^\d{8,15}$/.test(digits) ? `+${digits}` : digits;
}

function intlLocale(lang: "id" | "en"): string {
  return lang === "id" ? "id-ID" : "en-GB";
}

/** A day as the language writes it: "23 Nov 2026" (en), "23 Nov 2026" / "23 Des 2026" (id). */
export function formatDate(iso: string, lang: "id" | "en" = "en"): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleDateString(intlLocale(lang), { day: "numeric", month: "short", year: "numeric" });
}

/** Day and time: "23 Nov 2026, 14:05". */
export function formatDateTime(iso: string, lang: "id" | "en" = "en"): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${formatDate(iso, lang)}, ${formatClock(iso, lang)}`;
}

/** The local calendar day of an instant as YYYY-MM-DD (for grouping and date filters). */
export function localDay(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * Whole rupiah typed by a person: "50000", "50.000", "50,000", "Rp 50.000" → 50000.
 * `null` when it is not a whole positive number.
 */
export function parseRupiah(text: string): number | null {
  const t = text.replace(/rp|idr|\s/gi, "");
  if (!/^\d{1,3}([.,]\d{3})*$|^\d+$/.test(t)) return null;
  const n = Number(t.replace(/[.,]/g, ""));
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** A USDT amount typed by a person ("10", "10.5", "10,5") as a decimal string with ≤ 6 places. */
export function parseUsdt(text: string): string | null {
  const t = text.replace(/usdt|\s/gi, "").replace(",", ".");
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(t);
  if (!m) return null;
  const whole = String(Number(m[1]));
  const frac = (m[2] ?? "").replace(/0+$/, "");
  if (Number(whole) === 0 && !frac) return null;
  return frac ? `${whole}.${frac}` : whole;
}

/**
 * A price in rupiah for comparing offers: IDR as is, USD/USDT through `idrPerUsd` (the user's
 * rate). `null` when it cannot be compared (no rate).
 */
export function toRupiah(minor: number, currency: Currency, idrPerUsd: number | null): number | null {
  if (currency === "IDR") return minor;
  if (!idrPerUsd || idrPerUsd <= 0) return null;
  return Math.round((minor / 10 ** SCALE[currency]) * idrPerUsd);
}

/** Minor units as a plain decimal number, for copying ("2835", "26.5"). */
export function plainAmount(minor: number, currency: Currency): string {
  const scale = SCALE[currency];
  if (!scale) return String(minor);
  const neg = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  const frac = String(abs % 10 ** scale).padStart(scale, "0").replace(/0+$/, "");
  const whole = Math.floor(abs / 10 ** scale);
  return `${neg}${whole}${frac ? `.${frac}` : ""}`;
}
