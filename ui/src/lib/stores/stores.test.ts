import { beforeEach, describe, expect, it } from "vitest";
import { useIpc } from "../ipc";
import { MockIpc } from "../ipc.mock";
import { onEngineEvent } from "../session.svelte";
import type { AppError } from "../types";
import { AppState, nextScreen } from "./app.svelte";
import { BalancesStore } from "./balances.svelte";
import { CatalogStore, offerDetail } from "./catalog.svelte";
import { Clock } from "./clock.svelte";
import { locale, resolveLanguage } from "./locale.svelte";
import { board } from "./orders.svelte";
import { toasts } from "./toasts.svelte";

let mock: MockIpc;
beforeEach(() => {
  mock = new MockIpc();
  useIpc(mock);
});

const appError = (code: AppError["code"]): AppError => ({ code, message: "x", provider: null, unlocks_at: null, attempt_id: null });

describe("AppState", () => {
  it("starts on the welcome screen without keys, on main with one", async () => {
    const a = new AppState();
    await a.load();
    expect(a.screen).toBe("welcome");
    await a.setKey("otpzap", "  good-key  ");
    expect(a.keys.otpzap).toBe(true);
    const b = new AppState();
    await b.load();
    expect(b.screen).toBe("main");
  });

  it("picks the screen after a reload", () => {
    expect(nextScreen("loading", false, false)).toBe("welcome");
    expect(nextScreen("loading", false, true)).toBe("main");
    expect(nextScreen("welcome", false, true)).toBe("welcome"); // stays until Continue
    expect(nextScreen("welcome", true, false)).toBe("main");
    expect(nextScreen("settings", false, true)).toBe("settings");
    expect(nextScreen("main", false, false)).toBe("welcome"); // last key removed
  });

  it("a refused key stays not set and throws the AppError", async () => {
    const a = new AppState();
    await a.load();
    await expect(a.setKey("numberotp", "bad")).rejects.toMatchObject({ code: "auth" });
    expect(a.keys.numberotp).toBe(false);
  });

  it("demo mode goes to main and back", async () => {
    const a = new AppState();
    await a.load();
    await a.startDemo();
    expect(a.demo).toBe(true);
    expect(a.screen).toBe("main");
    await a.stopDemo();
    expect(a.screen).toBe("welcome");
  });

  it("settings switch the language; refused settings throw", async () => {
    const a = new AppState();
    await a.load();
    await a.saveSettings({ ...a.settings, language: "id" });
    expect(locale.lang).toBe("id");
    await a.saveSettings({ ...a.settings, language: "en" });
    expect(locale.lang).toBe("en");
    await expect(a.saveSettings({ ...a.settings, poll_budget_per_minute: 5000 })).rejects.toMatchObject({ code: "invalid_settings" });
  });

  it("moving a provider with a key to another address removes the key once confirmed", async () => {
    const a = new AppState();
    await a.load();
    await a.setKey("otpzap", "good-key");
    await expect(
      a.saveSettings({ ...a.settings, base_urls: { ...a.settings.base_urls, otpzap: "http://localhost:x@evil.example/" } }),
    ).rejects.toMatchObject({ code: "address_credentials", provider: "otpzap" });
    await expect(
      a.saveSettings({ ...a.settings, base_urls: { ...a.settings.base_urls, otpzap: "http://evil.example/api" } }),
    ).rejects.toMatchObject({ code: "insecure_address" });
    expect(mock.addressQuestions).toBe(0);

    mock.confirmAddressChange = false;
    const moved = { ...a.settings, base_urls: { ...a.settings.base_urls, otpzap: "https://mirror.example/api/v1" } };
    await expect(a.saveSettings(moved)).rejects.toMatchObject({ code: "cancelled" });
    expect(a.settings.base_urls.otpzap).toBeNull();
    expect(a.keys.otpzap).toBe(true);

    mock.confirmAddressChange = true;
    await a.saveSettings(moved);
    expect(mock.addressQuestions).toBe(2);
    expect(a.settings.base_urls.otpzap).toBe("https://mirror.example/api/v1");
    expect(a.keys.otpzap).toBe(false);
    // Same origin, other path: no question.
    await a.setKey("otpzap", "good-key");
    await a.saveSettings({ ...a.settings, base_urls: { ...a.settings.base_urls, otpzap: "https://mirror.example/api/v2" } });
    expect(mock.addressQuestions).toBe(2);
    expect(a.keys.otpzap).toBe(true);
  });

  it("a key checked at another address shows as to be entered again", () => {
    const a = new AppState();
    a.applyKeys([
      { provider: "otpzap", set: false, source: "other_address" },
      { provider: "numberotp", set: true, source: "keyring" },
      { provider: "ooppay", set: false, source: "none" },
    ]);
    expect(a.keys).toEqual({ otpzap: false, numberotp: true, ooppay: false });
    expect(a.keyElsewhere).toEqual({ otpzap: true, numberotp: false, ooppay: false });
    expect(a.anyKey).toBe(true);
  });

  it("a backend that cannot be reached is a problem, not a crash", async () => {
    mock.failNext.set("status", appError("not_ready"));
    const a = new AppState();
    await a.load();
    expect(a.problem).toMatchObject({ code: "not_ready" });
  });
});

describe("language", () => {
  it("system follows the OS language", () => {
    expect(resolveLanguage("system", ["id-ID", "en-US"])).toBe("id");
    expect(resolveLanguage("system", ["en-GB"])).toBe("en");
    expect(resolveLanguage("id", ["en-GB"])).toBe("id");
  });
});

describe("CatalogStore", () => {
  it("picks Indonesia first and searches services in it", async () => {
    mock.keys.otpzap = true;
    const c = new CatalogStore();
    await c.loadCountries();
    expect(c.countries.map((x) => x.name)).toEqual(["Indonesia", "Malaysia"]);
    expect(c.country).toBe("Indonesia");
    expect(c.items.every((i) => i.provider === "otpzap")).toBe(true);
    expect(c.sources).toEqual(["otpzap_s1", "otpzap_s2"]);
    c.service = "whats";
    expect(c.all.map((i) => `${i.source}:${i.service}`)).toEqual(["otpzap_s1:WhatsApp", "otpzap_s2:WhatsApp"]);
    c.source = "otpzap_s2";
    expect(c.all).toHaveLength(1);
    await c.choose("Malaysia");
    expect(c.items.map((i) => i.country)).toEqual(["Malaysia"]);
    expect(c.source).toBe("all"); // Malaysia has no Server 2
  });

  it("puts sold-out offers last", async () => {
    mock.keys.otpzap = true;
    const c = new CatalogStore();
    await c.loadCountries();
    const all = c.all;
    expect(all[all.length - 1].stock).toBe(0);
  });

  it("keeps a failed load's error for the UI", async () => {
    mock.keys.numberotp = true;
    mock.failNext.set("catalogItems", appError("network"));
    const c = new CatalogStore();
    await c.loadCountries();
    expect(c.error).toMatchObject({ code: "network" });
    expect(c.loading).toBe(false);
    await c.loadItems();
    expect(c.error).toBeNull();
    expect(c.items.length).toBeGreaterThan(0);
  });
});

describe("offerDetail", () => {
  const base = { provider: "otpzap", source: "otpzap_s1", service: "DANA", service_code: null, country: "Indonesia", price: null, stock: 1, target: { type: "otpzap_s2_special", service_id: 1 } } as const;
  it("drops what the row already says", () => {
    expect(offerDetail({ ...base, label: "DANA - Indonesia" })).toBe("");
    expect(offerDetail({ ...base, label: "DANA" })).toBe("");
    expect(offerDetail({ ...base, label: null })).toBe("");
    expect(offerDetail({ ...base, label: "DANA Premium - Indonesia" })).toBe("Premium");
    expect(offerDetail({ ...base, label: "DANA - Indonesia (Premium)" })).toBe("Premium");
  });
});

describe("BalancesStore", () => {
  it("reports each provider's balance state", async () => {
    mock.keys.otpzap = true;
    const b = new BalancesStore();
    await b.refresh();
    expect(b.list.find((x) => x.provider === "otpzap")?.balance).toEqual({ status: "ok", amount: { currency: "IDR", minor: 250_000 } });
    expect(b.list.find((x) => x.provider === "numberotp")?.balance).toEqual({ status: "no_key" });
    expect(b.list.find((x) => x.provider === "ooppay")?.balance).toEqual({ status: "not_available" });
  });
});

describe("engine events from the mock backend reach the board", () => {
  it("buy, deliver, cancel refused in the cooldown", async () => {
    let now = Date.parse("2026-05-19T03:00:00Z");
    const m = new MockIpc({ now: () => now, keys: { otpzap: true } });
    useIpc(m);
    board.clear();
    await m.onEngineEvent(onEngineEvent);
    const c = new CatalogStore();
    await c.loadCountries();
    const order = await m.buy(c.all[0].target);
    expect(board.byId[order.id]?.status).toBe("pending");
    m.deliver(order.id, "482913");
    expect(board.byId[order.id].otps.at(-1)?.code).toBe("482913");
    expect(board.byId[order.id].status).toBe("otp_received");
    expect(toasts.items.some((x) => x.text.includes("482913"))).toBe(true);
    await expect(m.cancelOrder(order.id)).rejects.toMatchObject({ code: "cancel_cooldown" });
    now += 120_000;
    await m.cancelOrder(order.id);
    expect(board.byId[order.id].status).toBe("cancelled");
  });

  it("a purchase whose outcome is unknown re-reads the balance (was it charged?)", async () => {
    const m = new MockIpc({ keys: { otpzap: true } });
    useIpc(m);
    await m.onEngineEvent(onEngineEvent);
    // Let a refresh another test left pending (at most 800 ms) run first.
    await new Promise((r) => setTimeout(r, 1_000));
    m.calls.length = 0;
    m.addUnknown();
    await new Promise((r) => setTimeout(r, 400));
    expect(m.calls).toContain("balances");
  });

  it("background provider errors become friendly toasts, transient ones stay quiet", () => {
    const before = toasts.items.length;
    onEngineEvent({ type: "provider_error", provider: "otpzap", code: "rate_limited", message: "429", order_id: null });
    expect(toasts.items.length).toBe(before);
    onEngineEvent({ type: "provider_error", provider: "otpzap", code: "auth", message: "401 raw", order_id: null });
    const last = toasts.items.at(-1)!;
    expect(last.text).toMatch(/^OTPZap: The provider did not accept this API key/);
    expect(last.text).not.toMatch(/401/);
  });
});

describe("Clock", () => {
  it("ticks from its source", () => {
    let t = 1000;
    const c = new Clock(() => t);
    expect(c.now).toBe(1000);
    t = 2500;
    c.tick();
    expect(c.now).toBe(2500);
  });
});
