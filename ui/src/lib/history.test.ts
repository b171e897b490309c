import { describe, expect, it } from "vitest";
import { canBuyAgain, itemRow, NO_FILTER, profitBy, sumsOf, toQuery, type HistoryFilter } from "./history";
import type { DepositView, HistoryItem, OrderView } from "./types";

function order(id: string, over: Partial<OrderView> = {}): OrderView {
  return {
    id, provider: "otpzap", kind: "sms", server: 1, remote_id: id, remote_ref: null, phone: "6281200000000", email: null,
    service: "WhatsApp", price: { currency: "IDR", minor: 2835 }, status: "completed", created_at: "2026-11-20T03:00:00Z",
    updated_at: "2026-11-20T03:00:00Z", expires_at: null, resend_count: 0, resend_locked_until: null, resend_waiting_for_otp: false,
    cancel_unlocks_at: null, attempt_id: null, replaced_by: null,
    otps: [{ seq: 1, code: "111111", text: null, sender: null, service: null, received_at: null, stored_at: "2026-11-20T03:01:00Z" }],
    is_final: true, actions: [],
    ...over,
  };
}
const dep: DepositView = {
  id: "d1", provider: "otpzap", kind: "qris", remote_id: "APIDEP-1", amount: { currency: "IDR", minor: 100_000 },
  total: { currency: "IDR", minor: 100_137 }, pay_url: null, pay_address: null, status: "paid", created_at: "2026-11-21T03:00:00Z",
  updated_at: "2026-11-21T03:00:00Z", expires_at: null, paid_at: "2026-11-21T03:05:00Z", credited: null, attempt_id: null,
  is_final: true, actions: [],
};
function sold(o: OrderView, sale: number | null, cost: number, profit: number | null): HistoryItem {
  return {
    entry: "order", group: o.status === "completed" ? "done" : "refunded", created_at: o.created_at, cursor: { at_ms: 0, entry: "order", seq: 0 }, deposit: null,
    order: { order: o, sale_price: sale === null ? null : { currency: "IDR", minor: sale }, cost_minor: cost, profit_minor: profit },
  };
}

const items: HistoryItem[] = [
  { entry: "deposit", group: "paid", created_at: dep.created_at, cursor: { at_ms: 0, entry: "deposit", seq: 0 }, order: null, deposit: dep },
  sold(order("b", { service: "Telegram", created_at: "2026-11-21T02:00:00Z" }), 4000, 2835, 1165),
  sold(order("a"), 5000, 2835, 2165),
  // Dollar cost, no rate: the backend gives no comparable profit.
  sold(order("n", { provider: "numberotp", server: null, price: { currency: "USD", minor: 250_000 } }), 9000, 250_000, null),
  sold(order("c", { status: "cancelled", otps: [] }), null, 0, null),
];
const rows = items.map(itemRow);

describe("history", () => {
  it("every filter of the screen goes into the one query (the export sends the same)", () => {
    expect(toQuery(NO_FILTER, null)).toMatchObject({
      search: null, provider: null, entry: null, group: null, from: null, to: null, idr_per_usd: null, limit: null,
    });
    const f: HistoryFilter = { text: " 1111 ", provider: "numberotp", type: "deposit", status: "paid", from: "2026-11-20", to: "2026-11-21" };
    const q = toQuery(f, 16_000, 5000);
    expect(q).toMatchObject({ search: "1111", provider: "numberotp", entry: "deposit", group: "paid", idr_per_usd: 16_000, limit: 5000 });
    // Inclusive local days: from local midnight to the next day's local midnight.
    expect(Date.parse(q.to!) - Date.parse(q.from!)).toBeGreaterThanOrEqual(2 * 86_400_000 - 3_600_000);
    expect(new Date(q.from!).getHours()).toBe(0);
    // The screen's query and the export's differ only in the page size.
    const { limit: _a, ...screen } = q;
    const { limit: _b, ...file } = toQuery(f, 16_000);
    expect(file).toEqual(screen);
  });

  it("shows the backend's rows: status group, net cost, sale and profit", () => {
    expect(rows.map((r) => [r.type, r.id, r.group])).toEqual([
      ["deposit", "d1", "paid"], ["order", "b", "done"], ["order", "a", "done"], ["order", "n", "done"], ["order", "c", "refunded"],
    ]);
    expect(rows[2]).toMatchObject({ code: "111111", amount: { currency: "IDR", minor: 2835 }, sold: 5000, profit: 2165 });
    expect(rows[3]).toMatchObject({ amount: { currency: "USD", minor: 250_000 }, sold: 9000, profit: null });
    expect(rows[0]).toMatchObject({ what: "qris", address: "APIDEP-1", amount: { currency: "IDR", minor: 100_000 } });
  });

  it("totals are the backend's, per currency", () => {
    const totals = [
      { currency: "IDR" as const, spent_minor: 5670, topped_up_minor: 100_000, sold: 3, sales_minor: 18_000, profit_minor: 3330 },
      { currency: "USD" as const, spent_minor: 250_000, topped_up_minor: 0, sold: 0, sales_minor: 0, profit_minor: 0 },
    ];
    expect(sumsOf(totals, "spent_minor")).toEqual({ IDR: 5670, USD: 250_000 });
    expect(sumsOf(totals, "topped_up_minor")).toEqual({ IDR: 100_000 });
    expect(sumsOf(totals, "profit_minor")).toEqual({ IDR: 3330 });
  });

  it("groups the backend's profit per day and per service", () => {
    const perService = profitBy(rows, "service");
    expect(perService.map((p) => p.key)).toEqual(["WhatsApp", "Telegram"]);
    expect(perService[0]).toMatchObject({ orders: 1, sold: 5000, cost: 2835, profit: 2165 });
    const perDay = profitBy(rows, "day");
    expect(perDay).toHaveLength(2);
    expect(perDay[0].key > perDay[1].key).toBe(true);
  });
});

import { orderedRange, periodRange, shortRef } from "./history";

describe("periods", () => {
  it("turn into inclusive local days", () => {
    const now = new Date(2026, 2, 3, 9, 30); // 3 March 2026, local
    expect(periodRange("all", now)).toEqual({ from: "", to: "" });
    expect(periodRange("today", now)).toEqual({ from: "2026-03-03", to: "2026-03-03" });
    expect(periodRange("yesterday", now)).toEqual({ from: "2026-03-02", to: "2026-03-02" });
    expect(periodRange("7d", now)).toEqual({ from: "2026-02-25", to: "2026-03-03" });
    expect(periodRange("thisMonth", now)).toEqual({ from: "2026-03-01", to: "2026-03-03" });
    expect(periodRange("lastMonth", now)).toEqual({ from: "2026-02-01", to: "2026-02-28" });
  });

  it("custom keeps the range shown before, and reads reversed ends as meant", () => {
    const now = new Date(2026, 2, 3, 9, 30);
    const shown = periodRange("7d", now);
    expect(periodRange("custom", now, shown)).toEqual(shown);
    expect(orderedRange("2026-03-10", "2026-03-01")).toEqual({ from: "2026-03-01", to: "2026-03-10" });
    expect(orderedRange("2026-03-01", "")).toEqual({ from: "2026-03-01", to: "" });
  });
});

describe("references", () => {
  it("long payment ids are shortened in the middle, short ones kept", () => {
    expect(shortRef("efcb759b-25a2-41e1-be71-3021ce3f5116")).toBe("efcb759b…3f5116");
    expect(shortRef("APIDEP-6-HU568FCPVZ6J")).toBe("APIDEP-6-HU568FCPVZ6J");
  });
});

import { BLOCK, blocksFor, OVERSCAN, visibleRange } from "./history";

describe("history at volume", () => {
  it("renders only the rows in view, with a few around them", () => {
    const r = visibleRange(48 * 1000, 480, 48, 100_000);
    expect(r).toEqual({ first: 1000 - OVERSCAN, end: 1010 + OVERSCAN });
    // The end of the list: clamped to the last row.
    const last = visibleRange(48 * 100_000 - 480, 480, 48, 100_000);
    expect(last.end).toBe(100_000);
    expect(visibleRange(0, 480, 48, 3)).toEqual({ first: 0, end: 3 });
  });
  it("reads the blocks that hold them", () => {
    expect(blocksFor(0, 10)).toEqual([0]);
    expect(blocksFor(BLOCK - 2, BLOCK + 3)).toEqual([0, 1]);
    expect(blocksFor(99_990, 100_000)).toEqual([Math.floor(99_990 / BLOCK)]);
    expect(blocksFor(5, 5)).toEqual([]);
  });
});

describe("Buy again in History", () => {
  it("is offered on finished orders only, never on deposits or running numbers", () => {
    expect(canBuyAgain({ type: "order", group: "done" })).toBe(true);
    expect(canBuyAgain({ type: "order", group: "refunded" })).toBe(true);
    expect(canBuyAgain({ type: "order", group: "active" })).toBe(false);
    expect(canBuyAgain({ type: "deposit", group: "paid" })).toBe(false);
  });
});
