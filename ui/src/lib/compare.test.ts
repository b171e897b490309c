import { describe, expect, it } from "vitest";
import { compareOffers } from "./stores/catalog.svelte";
import { Prefs } from "./stores/prefs.svelte";
import type { CatalogItem } from "./types";

const base = { service_code: null, label: null, country: "Indonesia" } as const;
const items: CatalogItem[] = [
  { ...base, provider: "otpzap", source: "otpzap_s1", service: "WhatsApp", price: { currency: "IDR", minor: 4200 }, stock: 10, target: { type: "otpzap_s1", product_id: 1, country_id: 7, platform_id: 1 } },
  { ...base, provider: "otpzap", source: "otpzap_s2", service: "whatsapp", price: { currency: "IDR", minor: 3400 }, stock: null, target: { type: "otpzap_s2", service_id: 2, country_id: 6, operator_id: "random" } },
  { ...base, provider: "numberotp", source: "numberotp", service: "WhatsApp", price: { currency: "USD", minor: 150_000 }, stock: 5, target: { type: "numberotp", service: "wa", country: "6" } },
  { ...base, provider: "otpzap", source: "otpzap_s1", service: "WhatsApp", price: { currency: "IDR", minor: 1000 }, stock: 0, target: { type: "otpzap_s1", product_id: 3, country_id: 7, platform_id: 1 } },
  { ...base, provider: "otpzap", source: "otpzap_s1", service: "Telegram", price: { currency: "IDR", minor: 100 }, stock: 3, target: { type: "otpzap_s1", product_id: 4, country_id: 7, platform_id: 1 } },
];

describe("compare", () => {
  it("lists one service across providers, cheapest first, sold out last", () => {
    const ids = (list: CatalogItem[]) => list.map((i) => i.source + ":" + (i.price?.minor ?? ""));
    // Without a rate, dollar prices go after the rupiah ones.
    expect(ids(compareOffers(items, "WhatsApp", null))).toEqual(["otpzap_s2:3400", "otpzap_s1:4200", "numberotp:150000", "otpzap_s1:1000"]);
    // With Rp 16.000 per dollar, USD 0.15 = Rp 2.400 is the cheapest.
    expect(ids(compareOffers(items, "whatsapp", 16_000))).toEqual(["numberotp:150000", "otpzap_s2:3400", "otpzap_s1:4200", "otpzap_s1:1000"]);
  });
});

describe("prefs", () => {
  it("remember favourites and the exchange rate", () => {
    const mem = new Map<string, string>();
    const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v) };
    const p = new Prefs(storage);
    p.toggleFavourite("WhatsApp");
    p.setRate(16_250);
    const again = new Prefs(storage);
    expect(again.isFavourite("whatsapp")).toBe(true);
    expect(again.idrPerUsd).toBe(16_250);
    again.toggleFavourite("WHATSAPP");
    expect(again.isFavourite("WhatsApp")).toBe(false);
  });
  it("survive broken storage", () => {
    const p = new Prefs({ getItem: () => "{not json", setItem: () => {} });
    expect(p.favourites).toEqual([]);
  });
});
