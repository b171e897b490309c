// Stores behind the reseller screens: top-ups, unknown purchases, toasts that follow the language.
import { beforeEach, describe, expect, it } from "vitest";
import { useIpc } from "../ipc";
import { MockIpc } from "../ipc.mock";
import { AppState } from "./app.svelte";
import { AttemptsStore } from "./attempts.svelte";
import { depositLeftMs, DepositsStore, isPaid } from "./deposits.svelte";
import { locale } from "./locale.svelte";
import { toasts } from "./toasts.svelte";
import { t } from "./locale.svelte";

let mock: MockIpc;
beforeEach(() => {
  mock = new MockIpc({ demo: true });
  useIpc(mock);
});

describe("deposits", () => {
  it("keeps the QR code of a new invoice and follows it to paid", async () => {
    const store = new DepositsStore();
    mock.onEngineEvent((e) => store.apply(e));
    const info = await mock.topupQris(100_000);
    store.add(info);
    const id = info.deposit.id;
    expect(store.pay[id].qrSvg).toMatch(/^<svg/);
    expect(store.pay[id].paymentUrl).toMatch(/^https:/);
    expect(isPaid(store.byId[id])).toBe(false);
    mock.pay(id);
    expect(isPaid(store.byId[id])).toBe(true);
    // The QR code stays known even though the paid event carries no QR.
    expect(store.pay[id].qrSvg).toMatch(/^<svg/);
  });

  it("USDT invoices ask for the amount plus the network buffer", async () => {
    const info = await mock.topupUsdt("25");
    expect(info.deposit.total).toEqual({ currency: "USDT", minor: 26_500_000 });
    expect(info.qr_payload).toBe(info.deposit.pay_address);
  });

  it("counts down to the invoice expiry, never below zero", () => {
    const base = Date.parse("2026-11-23T04:00:00Z");
    const d = { expires_at: "2026-11-23T04:30:00Z" } as Parameters<typeof depositLeftMs>[0];
    expect(depositLeftMs(d, base)).toBe(30 * 60_000);
    expect(depositLeftMs(d, base + 31 * 60_000)).toBe(0);
    expect(depositLeftMs({ ...d, expires_at: null }, base)).toBeNull();
  });

  it("loads the list with the pay details", async () => {
    await mock.topupQris(50_000);
    const store = new DepositsStore();
    await store.load();
    expect(store.list).toHaveLength(1);
    expect(store.pay[store.list[0].id].qrSvg).toMatch(/^<svg/);
  });
});

describe("unknown purchases", () => {
  it("are listed on the event and removed once bought again at the quoted price", async () => {
    const store = new AttemptsStore();
    mock.onEngineEvent((e) => store.apply(e));
    const a = mock.addUnknown();
    expect(store.list.map((x) => x.id)).toEqual([a.id]);
    const q = await mock.attemptQuote(a.id);
    expect(q.price).toEqual({ currency: "IDR", minor: 2835 });
    const order = await mock.buyAttemptAgain(a.id, q.price);
    expect(order.attempt_id).toBe(a.id);
    expect(store.list).toEqual([]);
  });

  it("are refused when the price went up or none is left, and stay listed", async () => {
    const store = new AttemptsStore();
    mock.onEngineEvent((e) => store.apply(e));
    const a = mock.addUnknown();
    mock.attemptQuotes.set(a.id, { price: { currency: "IDR", minor: 3000 }, stock: 5 });
    await expect(mock.buyAttemptAgain(a.id, { currency: "IDR", minor: 2835 })).rejects.toMatchObject({ code: "price_changed" });
    mock.attemptQuotes.set(a.id, { price: { currency: "IDR", minor: 2835 }, stock: 0 });
    await expect(mock.buyAttemptAgain(a.id, { currency: "IDR", minor: 2835 })).rejects.toMatchObject({ code: "out_of_stock" });
    expect(store.list.map((x) => x.id)).toEqual([a.id]);
    expect(mock.orders.size).toBe(0);
  });

  it("only a replace can be checked; top-ups cannot be quoted", async () => {
    const sms = mock.addUnknown();
    await expect(mock.checkAttempt(sms.id)).rejects.toMatchObject({ code: "not_allowed" });
    const topup = mock.addUnknown("WhatsApp", "topup_qris");
    await expect(mock.attemptQuote(topup.id)).rejects.toMatchObject({ code: "not_allowed" });
    const replace = mock.addUnknown("WhatsApp", "replace");
    expect((await mock.checkAttempt(replace.id)).state).toBe("failed");
  });
});

describe("toasts", () => {
  it("follow a language switch", () => {
    locale.lang = "en";
    const id = toasts.show("success", () => t("order.finished"));
    const toast = toasts.items.find((x) => x.id === id)!;
    expect(toast.message()).toBe("Order finished.");
    locale.lang = "id";
    expect(toast.message()).toBe("Pesanan selesai.");
    locale.lang = "en";
  });
});

describe("language from the system", () => {
  it("uses the OS locale the backend reports", async () => {
    mock.locale = "id-ID";
    const a = new AppState();
    await a.load();
    expect(locale.lang).toBe("id");
    mock.locale = "en-US";
    await a.load();
    expect(locale.lang).toBe("en");
  });
});
