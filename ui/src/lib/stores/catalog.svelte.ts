// The buy list: pick a country (merged across providers), then search services in it. Items of a
// country are fetched once and filtered locally, so typing is instant.

import { toRupiah } from "../format";
import { ipc } from "../ipc";
import { favKey, prefs } from "./prefs.svelte";
import type { CatalogCountry, CatalogItem, CatalogSource, ProviderFailure } from "../types";

/** Rows shown at once; the search narrows the rest. */
export const SHOW_MAX = 150;

/** The country picked first when nothing was chosen yet (most resellers sell Indonesian numbers). */
export const DEFAULT_COUNTRY = "Indonesia";
const COUNTRY_KEY = "otpdesk.country";

function norm(s: string): string {
  return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
}

export function matches(item: CatalogItem, service: string): boolean {
  const s = norm(service);
  if (!s) return true;
  return norm(item.service).includes(s) || norm(item.label ?? "").includes(s) || norm(item.service_code ?? "") === s;
}

/**
 * What a product's own name adds to the row (which already shows service and country):
 * "WhatsApp - Indonesia (Premium)" → "Premium", "DANA - Indonesia" → "".
 */
export function offerDetail(item: CatalogItem): string {
  if (!item.label) return "";
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  let rest = item.label;
  for (const known of [item.service, item.country]) if (known) rest = rest.replace(new RegExp(esc(known), "gi"), " ");
  rest = rest.replace(/[()[\]]/g, " ").replace(/^[\s\-–·|,:]+|[\s\-–·|,:]+$/g, "").replace(/\s+/g, " ").trim();
  return rest;
}

/** In stock first, then by service name, then cheapest first within a currency. */
export function byStockServicePrice(a: CatalogItem, b: CatalogItem): number {
  const ea = a.stock === 0 ? 1 : 0;
  const eb = b.stock === 0 ? 1 : 0;
  if (ea !== eb) return ea - eb;
  const sa = a.service.localeCompare(b.service);
  if (sa !== 0) return sa;
  if (a.price && b.price && a.price.currency === b.price.currency) return a.price.minor - b.price.minor;
  return 0;
}

/** A catalog tab: one source, the Server 2 special services, or the user's favourites. */
export type CatalogTab = CatalogSource | "all" | "special" | "fav";

/**
 * The same service across providers, cheapest first. Prices in another currency are compared
 * through the user's exchange rate; without one they go after the comparable ones.
 */
export function compareOffers(items: CatalogItem[], service: string, idrPerUsd: number | null): CatalogItem[] {
  const k = favKey(service);
  const rank = (i: CatalogItem) => (i.price ? toRupiah(i.price.minor, i.price.currency, idrPerUsd) : null);
  return items
    .filter((i) => favKey(i.service) === k)
    .sort((a, b) => {
      const sa = a.stock === 0 ? 1 : 0;
      const sb = b.stock === 0 ? 1 : 0;
      if (sa !== sb) return sa - sb;
      const ra = rank(a);
      const rb = rank(b);
      if (ra !== null && rb !== null) return ra - rb;
      if (ra !== null) return -1;
      if (rb !== null) return 1;
      if (a.price && b.price && a.price.currency === b.price.currency) return a.price.minor - b.price.minor;
      return 0;
    });
}

export class CatalogStore {
  countries = $state<CatalogCountry[]>([]);
  countriesLoading = $state(false);
  countriesError = $state<unknown>(null);
  countryFailures = $state<ProviderFailure[]>([]);
  /** Name of the chosen country. */
  country = $state("");
  items = $state<CatalogItem[]>([]);
  failures = $state<ProviderFailure[]>([]);
  loading = $state(false);
  error = $state<unknown>(null);
  service = $state("");
  source = $state<CatalogTab>("all");
  /** OTPZap Server 2 special services (not tied to a country). */
  specials = $state<CatalogItem[]>([]);
  private requestSeq = 0;

  get current(): CatalogCountry | null {
    return this.countries.find((c) => c.name === this.country) ?? null;
  }

  /** Sources present in the loaded items (for the filter tabs). */
  get sources(): CatalogSource[] {
    const order: CatalogSource[] = ["otpzap_s1", "otpzap_s2", "numberotp"];
    return order.filter((s) => this.items.some((i) => i.source === s));
  }

  get all(): CatalogItem[] {
    if (this.source === "special") return this.specials.filter((i) => matches(i, this.service)).sort(byStockServicePrice);
    const favs = prefs.favourites;
    const fav = (i: CatalogItem) => (favs.includes(favKey(i.service)) ? 0 : 1);
    return this.items
      .filter(
        (i) =>
          (this.source === "all" || this.source === "fav" ? true : i.source === this.source) &&
          (this.source !== "fav" || fav(i) === 0) &&
          matches(i, this.service),
      )
      .sort((a, b) => fav(a) - fav(b) || byStockServicePrice(a, b));
  }

  /** Server 2 offers of the chosen country (for multiservice). */
  get s2(): CatalogItem[] {
    return this.items.filter((i) => i.target.type === "otpzap_s2").sort(byStockServicePrice);
  }

  async loadSpecials(): Promise<void> {
    try {
      this.specials = await ipc().s2Specials();
    } catch {
      this.specials = [];
    }
  }

  get shown(): CatalogItem[] {
    return this.all.slice(0, SHOW_MAX);
  }

  async loadCountries(): Promise<void> {
    this.countriesLoading = true;
    this.countriesError = null;
    try {
      const res = await ipc().countries();
      this.countries = res.countries;
      this.countryFailures = res.failures;
      let saved = "";
      try {
        saved = globalThis.localStorage?.getItem(COUNTRY_KEY) ?? "";
      } catch {
        // No storage: fall back to the default.
      }
      const pick =
        [this.country, saved, DEFAULT_COUNTRY].find((n) => n && res.countries.some((c) => c.name === n)) ??
        res.countries[0]?.name ??
        "";
      this.country = pick;
      void this.loadSpecials();
      if (pick) await this.loadItems();
      else this.items = [];
    } catch (e) {
      this.countriesError = e;
    } finally {
      this.countriesLoading = false;
    }
  }

  async choose(name: string): Promise<void> {
    this.country = name;
    try {
      globalThis.localStorage?.setItem(COUNTRY_KEY, name);
    } catch {
      // Not remembered across restarts; fine.
    }
    await this.loadItems();
  }

  async loadItems(): Promise<void> {
    const country = this.current;
    if (!country) return;
    const seq = ++this.requestSeq;
    this.loading = true;
    this.error = null;
    try {
      const res = await ipc().catalogItems($state.snapshot(country), null);
      if (seq !== this.requestSeq) return; // a newer country was chosen meanwhile
      this.items = res.items;
      this.failures = res.failures;
      if (this.source !== "all" && this.source !== "fav" && this.source !== "special" && !this.sources.includes(this.source)) {
        this.source = "all";
      }
    } catch (e) {
      if (seq === this.requestSeq) {
        this.error = e;
        this.items = [];
      }
    } finally {
      if (seq === this.requestSeq) this.loading = false;
    }
  }
}

export const catalog = new CatalogStore();
