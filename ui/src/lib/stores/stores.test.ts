import { beforeEach, describe, expect, it } from "vitest";
import { useIpc } from "../ipc";
import { MockIpc } from "../ipc.mock";
import { AppState } from "./app.svelte";
import { CatalogStore } from "./catalog.svelte";
import { BalancesStore } from "./balances.svelte";
import { Clock } from "./clock.svelte";
import { locale } from "./locale.svelte";

let mock: MockIpc;
beforeEach(() => {
  mock = new MockIpc();
  useIpc(mock);
});

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

  it("settings switch the language", async () => {
    const a = new AppState();
    await a.load();
    await a.saveSettings({ ...a.settings, language: "id" });
    expect(locale.lang).toBe("id");
    await a.saveSettings({ ...a.settings, language: "en" });
  });
});

describe("CatalogStore", () => {
  it("loads only providers with a key and searches by service and country", async () => {
    const c = new CatalogStore();
    mock.keys.otpzap = true;
    await c.loadFor(mock.keys);
    expect(c.enabled).toEqual(["otpzap_s1", "otpzap_s2"]);
    expect(c.all.every((i) => i.provider === "otpzap")).toBe(true);
    c.service = "whats";
    c.country = "indo";
    expect(c.all.map((i) => `${i.source}:${i.service}:${i.country}`)).toEqual([
      "otpzap_s1:WhatsApp:Indonesia",
      "otpzap_s2:WhatsApp:Indonesia",
    ]);
    c.source = "otpzap_s2";
    expect(c.all).toHaveLength(1);
  });

  it("puts sold-out offers last", async () => {
    const c = new CatalogStore();
    mock.keys.otpzap = true;
    await c.loadFor(mock.keys);
    const all = c.all;
    expect(all[all.length - 1].stock).toBe(0);
  });

  it("keeps a failed catalog's error for the UI", async () => {
    const c = new CatalogStore();
    mock.keys.numberotp = true;
    mock.failNext.set("catalog", { code: "network", message: "down" });
    await c.loadFor(mock.keys);
    expect(c.errors.numberotp).toMatchObject({ code: "network" });
    expect(c.loading.numberotp).toBe(false);
  });
});

describe("BalancesStore", () => {
  it("reports not available for providers without a balance API", async () => {
    mock.keys.otpzap = true;
    const b = new BalancesStore();
    await b.refresh();
    expect(b.list.find((x) => x.provider === "otpzap")?.balance).toEqual({ currency: "IDR", minor: 250_000 });
    expect(b.list.find((x) => x.provider === "ooppay")?.supported).toBe(false);
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
