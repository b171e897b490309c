// The buy list: pick a country (merged across providers), then search services in it. Items of a
// country are fetched once and filtered locally, so typing is instant.

import { ipc } from "../ipc";
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
  source = $state<CatalogSource | "all">("all");
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
    return this.items
      .filter((i) => (this.source === "all" || i.source === this.source) && matches(i, this.service))
      .sort(byStockServicePrice);
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
      if (this.source !== "all" && !this.sources.includes(this.source)) this.source = "all";
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
