// History: every order and deposit as one list, with filters, totals and profit.
// Pure functions of the data, so they are unit-tested without a backend. (The CSV file itself is
// written by the backend: `export_history_csv`.)

import { localDay, toRupiah, type Currency } from "./format";
import type { DepositView, Money, OrderView, ProviderId } from "./types";

export type RowType = "order" | "deposit";
/** Status groups a reseller filters by. */
export type StatusGroup = "all" | "active" | "done" | "refunded" | "paid" | "unpaid";

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
  amount: Money | null;
  /** What the reseller sold it for (rupiah), when recorded. */
  sold: number | null;
}

export const REFUNDED = ["cancelled", "expired", "failed"];
const ACTIVE = ["pending", "otp_received", "waiting", "cancel_requested"];

export function orderRow(o: OrderView, sold: Record<string, number>): HistoryRow {
  const code = [...o.otps].reverse().find((x) => x.code)?.code ?? null;
  return {
    type: "order",
    id: o.id,
    at: o.created_at,
    provider: o.provider,
    what: o.service,
    address: o.phone ?? o.email ?? "",
    code,
    status: o.status,
    amount: o.price,
    sold: sold[o.id] ?? null,
  };
}

export function depositRow(d: DepositView): HistoryRow {
  return {
    type: "deposit",
    id: d.id,
    at: d.created_at,
    provider: d.provider,
    what: d.kind,
    address: d.remote_id,
    code: null,
    status: d.status,
    amount: d.amount,
    sold: null,
  };
}

export function groupOf(r: HistoryRow): StatusGroup {
  if (r.type === "deposit") return r.status === "paid" || r.status === "success" ? "paid" : r.status === "pending" ? "active" : "unpaid";
  if (ACTIVE.includes(r.status)) return "active";
  if (REFUNDED.includes(r.status) || r.status === "replaced") return "refunded";
  return "done";
}

export interface HistoryFilter {
  text: string;
  provider: ProviderId | "all";
  type: RowType | "all";
  status: StatusGroup;
  /** Inclusive local days, YYYY-MM-DD; "" = open. */
  from: string;
  to: string;
}

export const NO_FILTER: HistoryFilter = { text: "", provider: "all", type: "all", status: "all", from: "", to: "" };

export function applyFilter(rows: HistoryRow[], f: HistoryFilter): HistoryRow[] {
  const q = f.text.trim().toLowerCase();
  return rows
    .filter((r) => {
      if (f.provider !== "all" && r.provider !== f.provider) return false;
      if (f.type !== "all" && r.type !== f.type) return false;
      if (f.status !== "all" && groupOf(r) !== f.status) return false;
      const day = localDay(r.at);
      if (f.from && day < f.from) return false;
      if (f.to && day > f.to) return false;
      if (q && !`${r.what} ${r.address} ${r.code ?? ""}`.toLowerCase().includes(q)) return false;
      return true;
    })
    .sort((a, b) => b.at.localeCompare(a.at));
}

/** A sum per currency, in a stable order (IDR first). */
export type Sums = Partial<Record<Currency, number>>;

function add(s: Sums, m: Money | null, sign = 1): void {
  if (!m) return;
  s[m.currency] = (s[m.currency] ?? 0) + sign * m.minor;
}

export interface Totals {
  orders: number;
  /** What was charged for orders that were not refunded. */
  spent: Sums;
  /** Deposits that were paid. */
  toppedUp: Sums;
  /** Recorded selling prices (rupiah). */
  sold: number;
  /** Selling price minus cost, over orders that have a selling price and a comparable cost. */
  profit: number;
}

/** Cost of an order in rupiah (its own price, converted with the user's rate when in dollars). */
export function costRupiah(r: HistoryRow, idrPerUsd: number | null): number | null {
  if (!r.amount) return 0;
  return toRupiah(r.amount.minor, r.amount.currency, idrPerUsd);
}

export function totals(rows: HistoryRow[], idrPerUsd: number | null): Totals {
  const t: Totals = { orders: 0, spent: {}, toppedUp: {}, sold: 0, profit: 0 };
  for (const r of rows) {
    if (r.type === "order") {
      t.orders += 1;
      const refunded = groupOf(r) === "refunded";
      if (!refunded) add(t.spent, r.amount);
      if (r.sold !== null && !refunded) {
        t.sold += r.sold;
        const cost = costRupiah(r, idrPerUsd);
        if (cost !== null) t.profit += r.sold - cost;
      }
    } else if (groupOf(r) === "paid") {
      add(t.toppedUp, r.amount);
    }
  }
  return t;
}

export interface ProfitLine {
  key: string;
  orders: number;
  sold: number;
  cost: number;
  profit: number;
}

/** Profit grouped by local day (newest first) or by service (most profit first). */
export function profitBy(rows: HistoryRow[], by: "day" | "service", idrPerUsd: number | null): ProfitLine[] {
  const map = new Map<string, ProfitLine>();
  for (const r of rows) {
    if (r.type !== "order" || r.sold === null || groupOf(r) === "refunded") continue;
    const cost = costRupiah(r, idrPerUsd);
    if (cost === null) continue;
    const key = by === "day" ? localDay(r.at) : r.what;
    const line = map.get(key) ?? { key, orders: 0, sold: 0, cost: 0, profit: 0 };
    line.orders += 1;
    line.sold += r.sold;
    line.cost += cost;
    line.profit += r.sold - cost;
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
