// The quality scoreboard in the window: how an offer's record reads (success %, median time,
// count) and the "best value" order (price ÷ success). Records come from the engine
// (otpdesk_engine::scoreboard); this file only formats and sorts them.

import type { CatalogItem, OfferQuality } from "./types";
import { toRupiah } from "./format";

/** Fewer settled orders than this: shown, but not trusted for ranking (engine MIN_ORDERS_FOR_RANKING). */
export const MIN_ORDERS_FOR_RANKING = 5;

/** "82%" (whole percent, rounded down so 99.6 % never shows as 100 %). */
export function successText(q: OfferQuality): string {
  return `${Math.floor(q.success_permille / 10)}%`;
}

/** "35 s", "1 m 50 s"; "–" when no code came yet. */
export function medianText(q: OfferQuality): string {
  if (q.median_code_ms === null) return "–";
  const s = Math.round(q.median_code_ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} m ${s % 60} s`;
}

/**
 * What one delivered code costs on average: price ÷ success rate, in rupiah (a dollar price needs
 * the user's rate). `null` when it cannot be judged: no price or rate, no record, or too few
 * orders to trust.
 */
export function costPerCode(item: CatalogItem, q: OfferQuality | null, idrPerUsd: number | null): number | null {
  if (!item.price || !q || q.count < MIN_ORDERS_FOR_RANKING || q.delivered === 0) return null;
  const idr = toRupiah(item.price.minor, item.price.currency, idrPerUsd);
  if (idr === null) return null;
  return (idr * q.count) / q.delivered;
}

/**
 * Best value first: the lowest price per delivered code. Offers with too few orders (or none, or
 * no comparable price) cannot be judged on their record, so they come after every offer that can,
 * in their existing (cheapest-first) order: a new offer is not promoted on one lucky code, nor
 * buried for one failure. Sold-out offers stay last.
 */
export function bestValueOrder<T extends CatalogItem>(items: T[], quality: (OfferQuality | null)[], idrPerUsd: number | null): T[] {
  const keyed = items.map((item, i) => ({ item, i, cost: costPerCode(item, quality[i] ?? null, idrPerUsd) }));
  keyed.sort((a, b) => {
    const soldA = a.item.stock === 0 ? 1 : 0;
    const soldB = b.item.stock === 0 ? 1 : 0;
    if (soldA !== soldB) return soldA - soldB;
    if (a.cost !== null && b.cost !== null) return a.cost - b.cost || a.i - b.i;
    if (a.cost !== null) return -1;
    if (b.cost !== null) return 1;
    return a.i - b.i;
  });
  return keyed.map((k) => k.item);
}
