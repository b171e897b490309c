import { describe, expect, it } from "vitest";
import type { OrderView, OtpView } from "../types";
import { formatTimeLeft } from "../format";
import { cancelLockMs, KEEP_FINAL_MS, latestCode, OrdersBoard, resendLockMs, timeLeftMs } from "./orders.svelte";

const T0 = Date.parse("2026-05-19T03:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

function order(id: string, at = T0, patch: Partial<OrderView> = {}): OrderView {
  return {
    id,
    provider: "otpzap",
    kind: "sms",
    server: 1,
    remote_id: "65",
    remote_ref: null,
    phone: "6281234567890",
    email: null,
    service: "WhatsApp",
    price: { currency: "IDR", minor: 2835 },
    status: "pending",
    created_at: iso(at),
    updated_at: iso(at),
    expires_at: iso(at + 20 * 60_000),
    resend_count: 0,
    resend_locked_until: null,
    resend_waiting_for_otp: false,
    cancel_unlocks_at: iso(at + 120_000),
    attempt_id: null,
    replaced_by: null,
    otps: [],
    is_final: false,
    actions: [{ kind: "cancel", unlock_at: iso(at + 120_000) }, { kind: "replace", unlock_at: null }, { kind: "resend", unlock_at: null }],
    ...patch,
  };
}

function otp(seq: number, code: string, at = T0): OtpView {
  return { seq, code, text: `code ${code}`, sender: null, service: null, received_at: iso(at), stored_at: iso(at) };
}

describe("OrdersBoard events", () => {
  it("adds created orders, newest first", () => {
    let now = T0;
    const b = new OrdersBoard(() => now);
    b.apply({ type: "order_created", order: order("a", T0) });
    b.apply({ type: "order_created", order: order("b", T0 + 1000) });
    expect(b.list.map((o) => o.id)).toEqual(["b", "a"]);
    expect(b.activeCount).toBe(2);
  });

  it("shows a delivered code and calls the hook once per code", () => {
    const b = new OrdersBoard(() => T0);
    const seen: string[] = [];
    b.hooks.onOtp = (_o, x) => seen.push(x.code!);
    b.apply({ type: "order_created", order: order("a") });
    b.apply({ type: "otp_received", order_id: "a", provider: "otpzap", otp: otp(1, "482913") });
    b.apply({ type: "otp_received", order_id: "a", provider: "otpzap", otp: otp(1, "482913") }); // duplicate
    expect(seen).toEqual(["482913"]);
    const a = b.byId["a"];
    expect(latestCode(a)).toBe("482913");
    expect(a.status).toBe("otp_received");
    b.apply({ type: "otp_received", order_id: "a", provider: "otpzap", otp: otp(2, "771002") });
    expect(latestCode(b.byId["a"])).toBe("771002");
    expect(b.newestCode).toBe("771002");
  });

  it("follows status changes and ignores orders it does not hold", () => {
    const b = new OrdersBoard(() => T0);
    b.apply({ type: "order_created", order: order("a") });
    expect(b.apply({ type: "order_status_changed", order_id: "zz", provider: "otpzap", from: "pending", to: "completed" })).toBe(false);
    b.apply({ type: "order_status_changed", order_id: "a", provider: "otpzap", from: "pending", to: "cancelled" });
    expect(b.byId["a"].status).toBe("cancelled");
    expect(b.activeCount).toBe(0);
  });

  it("offers no action from an event until the backend's view is read again", () => {
    const b = new OrdersBoard(() => T0);
    b.apply({ type: "order_created", order: order("a") });
    expect(b.byId["a"].actions.map((x) => x.kind)).toEqual(["cancel", "replace", "resend"]);
    // A code arrived: cancel and replace are no longer allowed, so the stale list is dropped.
    b.apply({ type: "otp_received", order_id: "a", provider: "otpzap", otp: otp(1, "482913") });
    expect(b.byId["a"].actions).toEqual([]);
    expect([...b.stale]).toEqual(["a"]);
    const fresh = order("a", T0, { status: "otp_received", otps: [otp(1, "482913")], actions: [{ kind: "finish", unlock_at: null }] });
    b.load([fresh]);
    expect(b.byId["a"].actions.map((x) => x.kind)).toEqual(["finish"]);
    expect(b.stale.size).toBe(0);
    b.apply({ type: "order_status_changed", order_id: "a", provider: "otpzap", from: "otp_received", to: "completed" });
    expect(b.byId["a"]).toMatchObject({ is_final: true, actions: [] });
  });

  it("keeps finished orders a while, then tidies them away", () => {
    let now = T0;
    const b = new OrdersBoard(() => now);
    b.apply({ type: "order_created", order: order("a") });
    b.apply({ type: "order_created", order: order("b", T0 + 5) });
    b.apply({ type: "order_status_changed", order_id: "a", provider: "otpzap", from: "pending", to: "completed" });
    expect(b.list.map((o) => o.id)).toEqual(["b", "a"]); // running ones first
    now = T0 + KEEP_FINAL_MS - 1;
    b.prune();
    expect(b.byId["a"]).toBeDefined();
    now = T0 + KEEP_FINAL_MS;
    b.prune();
    expect(b.byId["a"]).toBeUndefined();
    expect(b.byId["b"]).toBeDefined();
  });

  it("never loses codes when an action reply is older than an event", () => {
    const b = new OrdersBoard(() => T0);
    b.apply({ type: "order_created", order: order("a") });
    b.apply({ type: "otp_received", order_id: "a", provider: "otpzap", otp: otp(1, "111111") });
    b.upsert(order("a", T0, { resend_count: 1 }));
    expect(latestCode(b.byId["a"])).toBe("111111");
    expect(b.byId["a"].resend_count).toBe(1);
  });

  it("load replaces active orders and keeps recently finished ones", () => {
    const b = new OrdersBoard(() => T0);
    b.apply({ type: "order_created", order: order("old") });
    b.apply({ type: "order_status_changed", order_id: "old", provider: "otpzap", from: "pending", to: "expired" });
    b.load([order("x"), order("y", T0 + 1)]);
    expect(Object.keys(b.byId).sort()).toEqual(["old", "x", "y"]);
    expect(b.loaded).toBe(true);
  });
});

describe("countdowns", () => {
  it("time left to expiry", () => {
    const o = order("a");
    expect(formatTimeLeft(timeLeftMs(o, T0 + 1000)!)).toBe("19:59");
    expect(timeLeftMs(o, T0 + 30 * 60_000)).toBe(0);
    expect(timeLeftMs(order("b", T0, { expires_at: null }), T0)).toBeNull();
  });

  it("cancel cooldown of 2 minutes", () => {
    const o = order("a");
    expect(formatTimeLeft(cancelLockMs(o, T0 + 1000))).toBe("1:59");
    expect(formatTimeLeft(cancelLockMs(o, T0 + 119_500))).toBe("0:01");
    expect(cancelLockMs(o, T0 + 120_000)).toBe(0);
    expect(cancelLockMs(order("b", T0, { cancel_unlocks_at: null }), T0)).toBe(0);
  });

  it("resend lock: a time, or the next code", () => {
    expect(resendLockMs(order("a", T0, { resend_locked_until: iso(T0 + 30_000) }), T0)).toBe(30_000);
    expect(resendLockMs(order("a", T0, { resend_waiting_for_otp: true }), T0)).toBe(Infinity);
    expect(resendLockMs(order("a"), T0)).toBe(0);
    const b = new OrdersBoard(() => T0);
    b.apply({ type: "order_created", order: order("w", T0, { resend_waiting_for_otp: true }) });
    b.apply({ type: "otp_received", order_id: "w", provider: "otpzap", otp: otp(1, "222222") });
    expect(resendLockMs(b.byId["w"], T0)).toBe(0);
  });
});
