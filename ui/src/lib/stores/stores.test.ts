import { beforeEach, describe, expect, it, vi } from "vitest";
import { useIpc } from "../ipc";
import { MockIpc } from "../ipc.mock";
import { onEngineEvent } from "../session.svelte";
import type { AppError, OfferQuality } from "../types";
import { AppState, nextScreen } from "./app.svelte";
import { BalancesStore } from "./balances.svelte";
import { AUTO_GAP_MS, CatalogStore, offerDetail, ON_SCREEN_STALE_MS, SHOWN_STALE_MS } from "./catalog.svelte";
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

  it("an operator without keys sells the team's providers (catalog tabs, main screen)", async () => {
    let a = new AppState();
    await a.load();
    expect(a.sells("otpzap")).toBe(false);
    await mock.teamJoin("otpdesk-team:1:" + btoa(JSON.stringify({ user: "ani", name: "Ani" })));
    await a.load();
    expect(a.screen).toBe("welcome"); // stays until Continue, as with a key
    a = new AppState();
    await a.load();
    expect(a.team).toBe(true);
    expect(a.anyKey).toBe(false);
    expect(a.screen).toBe("main");
    expect(a.teamSells).toEqual(["otpzap", "numberotp"]);
    expect(a.sells("otpzap") && a.sells("numberotp")).toBe(true);
    expect(a.sells("ooppay")).toBe(false);
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

describe("CatalogStore keeps prices fresh without hammering the provider", () => {
  const reads = () => mock.calls.filter((c) => c === "catalogItems").length;
  const wa = (c: CatalogStore) => c.items.find((i) => i.service === "WhatsApp" && i.source === "otpzap_s1")!;

  it("Refresh reads again and shows the new price, stock and time; the list stays while it runs", async () => {
    let now = Date.parse("2026-12-06T14:02:00Z");
    mock.keys.otpzap = true;
    const c = new CatalogStore(() => now);
    await c.loadCountries();
    expect(c.loadedAt).toBe(now);
    mock.offerChanges.set(JSON.stringify(wa(c).target), { price: { currency: "IDR", minor: 3300 }, stock: 7 });
    now += 90_000;
    const running = c.refresh();
    expect(c.loading).toBe(true);
    expect(c.items.length).toBeGreaterThan(0); // not emptied while it reads
    await running;
    expect(wa(c).price).toEqual({ currency: "IDR", minor: 3300 });
    expect(wa(c).stock).toBe(7);
    expect(c.loadedAt).toBe(now);
  });

  it("a failed re-read keeps the list and says why", async () => {
    mock.keys.otpzap = true;
    const c = new CatalogStore();
    await c.loadCountries();
    const n = c.items.length;
    mock.failNext.set("catalogItems", appError("network"));
    await c.refresh();
    expect(c.error).toMatchObject({ code: "network" });
    expect(c.items).toHaveLength(n);
  });

  it("purchases on screen: one read after the gap, however many; off screen: when shown again", async () => {
    mock.keys.otpzap = true;
    const c = new CatalogStore();
    await c.loadCountries();
    await new Promise((r) => setTimeout(r, 10)); // the specials and records reads started with it
    vi.useFakeTimers();
    try {
      c.onScreen = true;
      const before = reads();
      for (let i = 0; i < 50; i++) c.invalidate(); // a batch of 50 numbers
      await vi.advanceTimersByTimeAsync(AUTO_GAP_MS - 100);
      expect(reads()).toBe(before); // not before the gap since the last read
      await vi.advanceTimersByTimeAsync(200);
      expect(reads()).toBe(before + 1);
      await vi.advanceTimersByTimeAsync(5 * AUTO_GAP_MS);
      expect(reads()).toBe(before + 1);
      // Another screen: a purchase only marks the list; coming back reads it.
      c.onScreen = false;
      c.invalidate();
      await vi.advanceTimersByTimeAsync(5 * AUTO_GAP_MS);
      expect(reads()).toBe(before + 1);
      c.onScreen = true;
      c.freshen();
      await vi.advanceTimersByTimeAsync(10);
      expect(reads()).toBe(before + 2);
      // Shown again soon after with nothing changed: no read; after a while: one.
      c.freshen();
      await vi.advanceTimersByTimeAsync(SHOWN_STALE_MS - 1_000);
      c.freshen();
      await vi.advanceTimersByTimeAsync(10);
      expect(reads()).toBe(before + 2);
      await vi.advanceTimersByTimeAsync(1_000);
      c.freshen();
      await vi.advanceTimersByTimeAsync(10);
      expect(reads()).toBe(before + 3);
      // Staying on screen: the minute check reads only once the prices are five minutes old.
      for (let m = 1; m <= 4; m++) {
        await vi.advanceTimersByTimeAsync(60_000);
        c.freshen(ON_SCREEN_STALE_MS);
      }
      await vi.advanceTimersByTimeAsync(10);
      expect(reads()).toBe(before + 3);
      await vi.advanceTimersByTimeAsync(60_000);
      c.freshen(ON_SCREEN_STALE_MS);
      await vi.advanceTimersByTimeAsync(10);
      expect(reads()).toBe(before + 4);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a watch alert shows the price and stock it saw at once", async () => {
    mock.keys.otpzap = true;
    const c = new CatalogStore();
    await c.loadCountries();
    const item = wa(c);
    c.applyWatch({
      id: "w1", req: structuredClone(item.target), label: "WhatsApp", provider: "otpzap", target: null, auto_buy: false, auto_max: null,
      state: "alerted", last_price: { currency: "IDR", minor: 2500 }, last_stock: 3, checked_at: null, fired_at: null, order_id: null, note: null,
      created_at: "2026-12-06T14:00:00Z",
    });
    expect(wa(c).price).toEqual({ currency: "IDR", minor: 2500 });
    expect(wa(c).stock).toBe(3);
  });
});

describe("CatalogStore sorts", () => {
  const rec = (count: number, delivered: number): OfferQuality => ({
    offer: { provider: "otpzap", server: 1, service: "", country: "", operator: "" },
    service_name: "",
    count,
    delivered,
    cancelled: 0,
    success_permille: Math.floor((delivered * 1000) / count),
    cancel_permille: 0,
    median_code_ms: 30_000,
  });

  it("cheapest first, or best value: price ÷ your success rate, unjudged offers after, sold out last", async () => {
    mock.keys.otpzap = true;
    const c = new CatalogStore();
    await c.loadCountries();
    const key = (service: string, source: string) => JSON.stringify(c.items.find((i) => i.service === service && i.source === source)!.target);
    mock.records.set(key("WhatsApp", "otpzap_s1"), rec(10, 5)); // 2835 → 5670 per code
    mock.records.set(key("Telegram", "otpzap_s1"), rec(10, 10)); // 3100 → 3100
    mock.records.set(key("Gojek", "otpzap_s1"), rec(4, 4)); // too few orders to judge
    mock.records.set(key("Facebook", "otpzap_s2"), rec(20, 10)); // 2650 → 5300
    mock.records.set(key("WhatsApp", "otpzap_s2"), null);
    await c.loadQuality();
    const names = () => c.all.map((i) => `${i.service}/${i.source.slice(-2)}`);
    expect(names()).toEqual(["Facebook/s2", "Gojek/s1", "Telegram/s1", "WhatsApp/s1", "WhatsApp/s2", "Shopee/s1"]);
    c.setSort("price");
    expect(names()).toEqual(["Gojek/s1", "Facebook/s2", "WhatsApp/s1", "Telegram/s1", "WhatsApp/s2", "Shopee/s1"]);
    c.setSort("value");
    expect(names()).toEqual(["Telegram/s1", "Facebook/s2", "WhatsApp/s1", "Gojek/s1", "WhatsApp/s2", "Shopee/s1"]);
    c.setSort("service");
  });
});
