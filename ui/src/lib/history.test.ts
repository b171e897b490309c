import { describe, expect, it } from "vitest";
import { applyFilter, depositRow, NO_FILTER, orderRow, profitBy, totals } from "./history";
import type { DepositView, OrderView } from "./types";

function order(id: string, over: Partial<OrderView> = {}): OrderView {
  return {
    id, provider: "otpzap", kind: "sms", server: 1, remote_id: id, remote_ref: null, phone: "6281200000000", email: null,
    service: "WhatsApp", price: { currency: "IDR", minor: 2835 }, status: "completed", created_at: "2026-11-20T03:00:00Z",
    updated_at: "2026-11-20T03:00:00Z", expires_at: null, resend_count: 0, resend_locked_until: null, resend_waiting_for_otp: false,
    cancel_unlocks_at: null, attempt_id: null, replaced_by: null,
    otps: [{ seq: 1, code: "111111", text: null, sender: null, service: null, received_at: null, stored_at: "2026-11-20T03:01:00Z" }],
    ...over,
  };
}
const dep: DepositView = {
  id: "d1", provider: "otpzap", kind: "qris", remote_id: "APIDEP-1", amount: { currency: "IDR", minor: 100_000 },
  total: { currency: "IDR", minor: 100_137 }, pay_url: null, pay_address: null, status: "paid", created_at: "2026-11-21T03:00:00Z",
  updated_at: "2026-11-21T03:00:00Z", expires_at: null, paid_at: "2026-11-21T03:05:00Z", credited: null, attempt_id: null,
};

const sold = { a: 5000, b: 4000, n: 9000 };
const rows = [
  orderRow(order("a"), sold),
  orderRow(order("b", { service: "Telegram", created_at: "2026-11-21T03:00:00Z" }), sold),
  orderRow(order("c", { status: "cancelled", otps: [] }), sold),
  orderRow(order("n", { provider: "numberotp", server: null, price: { currency: "USD", minor: 250_000 } }), sold),
  depositRow(dep),
];

describe("history", () => {
  it("filters by text, provider, type, status and date", () => {
    expect(applyFilter(rows, NO_FILTER)).toHaveLength(5);
    expect(applyFilter(rows, { ...NO_FILTER, text: "111111" })).toHaveLength(3);
    expect(applyFilter(rows, { ...NO_FILTER, provider: "numberotp" }).map((r) => r.id)).toEqual(["n"]);
    expect(applyFilter(rows, { ...NO_FILTER, type: "deposit" }).map((r) => r.id)).toEqual(["d1"]);
    expect(applyFilter(rows, { ...NO_FILTER, status: "refunded" }).map((r) => r.id)).toEqual(["c"]);
    expect(applyFilter(rows, { ...NO_FILTER, from: "2026-11-21", to: "2026-11-21" }).map((r) => r.id).sort()).toEqual(["b", "d1"]);
  });

  it("adds up spending per currency, top-ups and profit (refunds excluded)", () => {
    const t = totals(rows, null);
    expect(t.orders).toBe(4);
    expect(t.spent).toEqual({ IDR: 5670, USD: 250_000 });
    expect(t.toppedUp).toEqual({ IDR: 100_000 });
    expect(t.sold).toBe(18000);
    // Without a rate the dollar order has no comparable cost: its profit is left out.
    expect(t.profit).toBe(5000 - 2835 + 4000 - 2835);
    expect(totals(rows, 16_000).profit).toBe(5000 - 2835 + 4000 - 2835 + 9000 - 4000);
  });

  it("groups profit per day and per service", () => {
    const perService = profitBy(rows, "service", 16_000);
    expect(perService.map((p) => p.key)).toEqual(["WhatsApp", "Telegram"]);
    expect(perService[0]).toMatchObject({ orders: 2, sold: 14000, cost: 6835, profit: 7165 });
    const perDay = profitBy(rows, "day", 16_000);
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
