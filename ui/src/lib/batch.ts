// "Buy N" in the confirm dialog, the pure parts: the count, the limits a person types (maximum
// price per number, balance floor) as Money, the total to confirm, and the sentence that says
// why a batch stopped. The batch itself runs in the engine (`buy_batch`); nothing here buys.

import { friendlyError } from "./errors";
import { formatMoney, parseRupiah, parseUsdt } from "./format";
import { translate, type MessageKey } from "./i18n";
import type { BatchStop, CatalogItem, Currency, Money } from "./types";

/** The most numbers one batch buys (the engine's `MAX_BATCH`). */
export const MAX_BATCH = 50;

/** A count typed by a person, or `null` when it is not a whole number from 1 to 50. */
export function parseCount(text: string | number | null | undefined): number | null {
  const t = String(text ?? "").trim();
  if (!/^\d{1,3}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= MAX_BATCH ? n : null;
}

/**
 * An amount typed by a person in `currency` ("3.000", "Rp 3.000", "0.25"): `null` when left
 * empty (no limit), `"invalid"` when it is not a positive amount.
 */
export function parseLimit(text: string, currency: Currency): Money | null | "invalid" {
  if (!text.trim()) return null;
  if (currency === "IDR") {
    const n = parseRupiah(text);
    return n === null ? "invalid" : { currency, minor: n };
  }
  const d = parseUsdt(text.replace(/usd/gi, ""));
  if (d === null) return "invalid";
  const [whole, frac = ""] = d.split(".");
  return { currency, minor: Number(whole) * 1_000_000 + Number(frac.padEnd(6, "0")) };
}

/** What `count` numbers cost at the shown price (what the user confirms), or `null` unknown. */
export function totalPrice(price: Money | null, count: number): Money | null {
  return price ? { currency: price.currency, minor: price.minor * count } : null;
}

/** A balance floor can be kept only where the provider shows a balance (OTPZap). */
export function floorAllowed(item: Pick<CatalogItem, "provider">): boolean {
  return item.provider === "otpzap";
}

const STOP_KEYS: Partial<Record<string, MessageKey>> = {
  price_changed: "batch.stop.price_changed",
  price_above_max: "batch.stop.price_above_max",
  out_of_stock: "batch.stop.out_of_stock",
  below_min_balance: "batch.stop.below_min_balance",
  outcome_unknown: "batch.stop.outcome_unknown",
  stopped_by_user: "batch.stop.stopped_by_user",
};

/** Why a batch stopped, in one sentence naming how far it got and the limit that stopped it. */
export function stopSentence(
  stop: Pick<BatchStop, "code" | "message">,
  bought: number,
  of: number,
  lang: "en" | "id",
  limits: { max: Money | null; floor: Money | null } = { max: null, floor: null },
): string {
  const key = STOP_KEYS[stop.code];
  const money = (m: Money | null) => (m ? formatMoney(m.minor, m.currency, lang) : "–");
  const params = { bought, of, n: bought + 1, max: money(limits.max), floor: money(limits.floor) };
  if (key === "batch.stop.price_above_max" && !limits.max) return translate(lang, "batch.stop.other", { ...params, reason: friendlyError(stop, lang) });
  if (key === "batch.stop.below_min_balance" && !limits.floor) return translate(lang, "batch.stop.other", { ...params, reason: friendlyError(stop, lang) });
  if (key) return translate(lang, key, params);
  return translate(lang, "batch.stop.other", { ...params, reason: friendlyError(stop, lang) });
}
