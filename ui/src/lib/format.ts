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
