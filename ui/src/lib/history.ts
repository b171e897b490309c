// History: every order and deposit as one list. The backend filters and totals it (engine
// `Store::history`, one SQL place) for the screen and for the CSV export alike: `toQuery` turns the
// screen's filter into that one query. Here: the filter → query mapping, rows for display, and the
// per-day / per-service grouping of what the backend returned. (The CSV file itself is written by
// the backend: `export_history_csv`.)

import { localDay, type Currency } from "./format";
import type { CurrencyTotals, HistoryItem, HistoryQuery, HistoryView, Money, ProviderId, StatusGroup } from "./types";

export type RowType = "order" | "deposit";

export interface HistoryRow {
  type: RowType;
  id: string;
  at: string;
  provider: ProviderId;
  /** Service (orders) or "qris" / "usdt" (deposits). */
  what: string;
  /** Phone number, email address, or payment reference. */
  address: string;
  code: string | null;
  status: string;
  /** The backend's status group (what the status filter matches). */
  group: StatusGroup;
  /** Net cost (orders, in the order's currency) or amount (deposits). */
  amount: Money | null;
  /** What the reseller sold it for (rupiah), when recorded. */
  sold: number | null;
  /** Sale less cost in rupiah, as the backend computed it (`null`: not comparable or not sold). */
  profit: number | null;
  /** Orders: what the number cost when bought (shown as "last time" by Buy again). */
  price?: Money | null;
}

/** "Buy again" is offered on every finished order (not on deposits, not on a running number). */
export function canBuyAgain(r: Pick<HistoryRow, "type" | "group">): boolean {
  return r.type === "order" && (r.group === "done" || r.group === "refunded");
}

/** One backend item as a display row. */
export function itemRow(i: HistoryItem): HistoryRow {
  if (i.order) {
    const o = i.order.order;
    const code = [...o.otps].reverse().find((x) => x.code)?.code ?? null;
    const idrSale = i.order.sale_price?.currency === "IDR";
    return {
      type: "order",
      id: o.id,
      at: o.created_at,
      provider: o.provider,
      what: o.service,
      address: o.phone ?? o.email ?? "",
      code,
      status: o.status,
      group: i.group,
      amount: o.price ? { currency: o.price.currency, minor: i.order.cost_minor } : null,
      sold: idrSale ? (i.order.sale_price?.minor ?? null) : null,
      profit: idrSale ? i.order.profit_minor : null,
      price: o.price,
    };
  }
  const d = i.deposit!;
  return {
    type: "deposit",
    id: d.id,
    at: d.created_at,
    provider: d.provider,
    what: d.kind,
    address: d.remote_id,
    code: null,
    status: d.status,
    group: i.group,
    amount: d.amount,
    sold: null,
    profit: null,
  };
}

export interface HistoryFilter {
  text: string;
  provider: ProviderId | "all";
  type: RowType | "all";
  status: StatusGroup | "all";
  /** Inclusive local days, YYYY-MM-DD; "" = open. */
  from: string;
  to: string;
}

export const NO_FILTER: HistoryFilter = { text: "", provider: "all", type: "all", status: "all", from: "", to: "" };

/** Local midnight of a YYYY-MM-DD day (the next one for an inclusive end), as an ISO instant. */
function dayStart(d: string, end: boolean): string | null {
  if (!d) return null;
  const t = new Date(`${d}T00:00:00`);
  if (end) t.setDate(t.getDate() + 1);
  return t.toISOString();
}

/** The one query for the screen's filter: the screen reads it and the export writes it. */
export function toQuery(f: HistoryFilter, idrPerUsd: number | null, limit: number | null = null): HistoryQuery {
  return {
    search: f.text.trim() || null,
    provider: f.provider === "all" ? null : f.provider,
    status: null,
    kind: null,
    from: dayStart(f.from, false),
    to: dayStart(f.to, true),
    entry: f.type === "all" ? null : f.type,
    group: f.status === "all" ? null : f.status,
    idr_per_usd: idrPerUsd && idrPerUsd > 0 ? Math.round(idrPerUsd) : null,
    limit,
    offset: null,
    after: null,
    skip_totals: false,
  };
}

// ---- The list at volume (100,000 rows): only the rows in view are rendered, and they are read
// from the backend in blocks of `BLOCK` as the user scrolls (a next block continues from the
// previous block's last row; a jump asks for the block's offset, which the engine turns into a
// cursor on its indexes).

/** Rows per block read from the backend. */
export const BLOCK = 200;
/** Rows rendered above and below the visible ones. */
export const OVERSCAN = 8;

/** The rows to render for a scroll position: `[first, end)` clamped to `total`. */
export function visibleRange(scrollTop: number, viewHeight: number, rowHeight: number, total: number): { first: number; end: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const end = Math.min(total, Math.ceil((scrollTop + viewHeight) / rowHeight) + OVERSCAN);
  return { first, end: Math.max(first, end) };
}

/** The blocks holding rows `[first, end)`. */
export function blocksFor(first: number, end: number): number[] {
  const out: number[] = [];
  if (end <= first) return out;
  for (let b = Math.floor(first / BLOCK); b <= Math.floor((end - 1) / BLOCK); b++) out.push(b);
  return out;
}

/** A sum per currency, in a stable order (IDR first). */
export type Sums = Partial<Record<Currency, number>>;

/** One field of the backend's totals, per currency (zeros left out). */
export function sumsOf(totals: CurrencyTotals[], field: "spent_minor" | "topped_up_minor" | "sales_minor" | "profit_minor"): Sums {
  const s: Sums = {};
  for (const t of totals) if (t[field] !== 0) s[t.currency] = t[field];
  return s;
}

export interface ProfitLine {
  key: string;
  orders: number;
  sold: number;
  cost: number;
  profit: number;
}

/** The backend's per-order profit (rupiah) grouped by local day (newest first) or by service
 *  (most profit first). Orders without a comparable profit are left out, as in the totals. */
export function profitBy(rows: HistoryRow[], by: "day" | "service"): ProfitLine[] {
  const map = new Map<string, ProfitLine>();
  for (const r of rows) {
    if (r.type !== "order" || r.sold === null || r.profit === null) continue;
    const key = by === "day" ? localDay(r.at) : r.what;
    const line = map.get(key) ?? { key, orders: 0, sold: 0, cost: 0, profit: 0 };
    line.orders += 1;
    line.sold += r.sold;
    line.cost += r.sold - r.profit;
    line.profit += r.profit;
    map.set(key, line);
  }
  const out = [...map.values()];
  return by === "day" ? out.sort((a, b) => b.key.localeCompare(a.key)) : out.sort((a, b) => b.profit - a.profit || a.key.localeCompare(b.key));
}

/** Date ranges a reseller picks from; "custom" shows two date fields. */
export const PERIODS = ["all", "today", "yesterday", "7d", "30d", "thisMonth", "lastMonth", "custom"] as const;
export type Period = (typeof PERIODS)[number];

/** The inclusive local days (YYYY-MM-DD) of a period, relative to `now`; "" = open. A custom
 *  period starts from the range shown before (`current`), so switching to it loses nothing. */
export function periodRange(
  period: Period,
  now: Date = new Date(),
  current: { from: string; to: string } = { from: "", to: "" },
): { from: string; to: string } {
  const day = (d: Date) => localDay(d.toISOString());
  const shift = (days: number) => new Date(now.getFullYear(), now.getMonth(), now.getDate() + days, 12);
  switch (period) {
    case "today":
      return { from: day(shift(0)), to: day(shift(0)) };
    case "yesterday":
      return { from: day(shift(-1)), to: day(shift(-1)) };
    case "7d":
      return { from: day(shift(-6)), to: day(shift(0)) };
    case "30d":
      return { from: day(shift(-29)), to: day(shift(0)) };
    case "thisMonth":
      return { from: day(new Date(now.getFullYear(), now.getMonth(), 1, 12)), to: day(shift(0)) };
    case "lastMonth":
      return {
        from: day(new Date(now.getFullYear(), now.getMonth() - 1, 1, 12)),
        to: day(new Date(now.getFullYear(), now.getMonth(), 0, 12)),
      };
    case "custom":
      return current;
    default:
      return { from: "", to: "" };
  }
}

/** A typed range with its ends the wrong way round is read as the user meant it. */
export function orderedRange(from: string, to: string): { from: string; to: string } {
  return from && to && from > to ? { from: to, to: from } : { from, to };
}

/** A long deposit reference (OOPPay's 36-character order id) shortened in the middle; the whole
 *  one stays in the row's tooltip and in the CSV. Only for deposits: emails are shown whole. */
export function shortRef(ref: string, max = 24): string {
  return ref.length <= max ? ref : `${ref.slice(0, 8)}…${ref.slice(-6)}`;
}

const STATUS_GROUPS: readonly StatusGroup[] = ["active", "done", "refunded", "paid", "unpaid"];
const PROVIDER_IDS: readonly ProviderId[] = ["otpzap", "numberotp", "ooppay"];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The History screen's view as the backend keeps it (`save_view`), for a rebuilt window. */
export interface SavedHistory {
  tab: "list" | "profit" | "ledger" | "customers";
  filter: HistoryFilter;
  period: Period;
}

/** The screen's view as saved (`HistoryView`: `kind` is the filter's `type`). */
export function historyView(s: SavedHistory): HistoryView {
  const f = s.filter;
  return { tab: s.tab, text: f.text, provider: f.provider, kind: f.type, status: f.status, from: f.from, to: f.to, period: s.period };
}

/** A saved view read back; anything the screen does not know falls back to no filter. */
export function savedHistory(v: HistoryView): SavedHistory {
  const pick = <T extends string>(x: string, known: readonly T[], fallback: T): T => ((known as readonly string[]).includes(x) ? (x as T) : fallback);
  return {
    tab: pick(v.tab, ["list", "profit", "ledger", "customers"] as const, "list"),
    period: pick(v.period, PERIODS, "all"),
    filter: {
      text: v.text,
      provider: pick<ProviderId | "all">(v.provider, [...PROVIDER_IDS, "all"], "all"),
      type: pick<RowType | "all">(v.kind, ["order", "deposit", "all"], "all"),
      status: pick<StatusGroup | "all">(v.status, [...STATUS_GROUPS, "all"], "all"),
      from: DAY.test(v.from) ? v.from : "",
      to: DAY.test(v.to) ? v.to : "",
    },
  };
}
