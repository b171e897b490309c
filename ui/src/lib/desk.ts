// Pure helpers of the reseller's desk: the sale price typed in the buy dialog, how a price-list
// rule reads, and the sums per currency shown for a customer.

import { formatMoney, parseRupiah } from "./format";
import type { Markup, Money } from "./types";

/** The sale price field: empty is none (`null`), else whole rupiah; `undefined` when not a price. */
export function salePriceOf(text: string): Money | null | undefined {
  const t = text.trim();
  if (!t) return null;
  if (/^0+$/.test(t)) return { currency: "IDR", minor: 0 };
  const v = parseRupiah(t);
  return v === null ? undefined : { currency: "IDR", minor: v };
}

/** "+ Rp 1.000" / "+ 30%". */
export function markupText(m: Markup, lang: "id" | "en"): string {
  return m.kind === "flat" ? `+ ${formatMoney(m.value, "IDR", lang)}` : `+ ${m.value}%`;
}

/** "IDR 5,000 + USD 0.2", or "–" when empty. */
export function moneyList(list: Money[], lang: "id" | "en"): string {
  return list.length ? list.map((m) => formatMoney(m.minor, m.currency, lang)).join(" + ") : "–";
}
