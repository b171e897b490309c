// Offers from every catalog the user has a key for, with search by service and country.

import { ipc } from "../ipc";
import { CATALOG_SOURCES, type CatalogItem, type CatalogSource, type ProviderId } from "../types";

export const SOURCE_PROVIDER: Record<CatalogSource, ProviderId> = {
  otpzap_s1: "otpzap",
  otpzap_s2: "otpzap",
  numberotp: "numberotp",
};

/** Rows shown at once; the search narrows the rest. */
export const SHOW_MAX = 150;

function norm(s: string): string {
  return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
}

export function matches(item: CatalogItem, service: string, country: string): boolean {
  const s = norm(service);
  const c = norm(country);
  return (!s || norm(item.service).includes(s)) && (!c || norm(item.country).includes(c));
}

export class CatalogStore {
  items = $state<Record<CatalogSource, CatalogItem[]>>({ otpzap_s1: [], otpzap_s2: [], numberotp: [] });
  loading = $state<Record<CatalogSource, boolean>>({ otpzap_s1: false, otpzap_s2: false, numberotp: false });
  errors = $state<Record<CatalogSource, unknown>>({ otpzap_s1: null, otpzap_s2: null, numberotp: null });
  enabled = $state<CatalogSource[]>([]);
  service = $state("");
  country = $state("");
  source = $state<CatalogSource | "all">("all");

  /** Load the catalogs of the providers that have a key. */
  async loadFor(keys: Record<ProviderId, boolean>): Promise<void> {
    this.enabled = CATALOG_SOURCES.filter((s) => keys[SOURCE_PROVIDER[s]]);
    if (this.source !== "all" && !this.enabled.includes(this.source)) this.source = "all";
    await Promise.all(this.enabled.map((s) => this.load(s)));
  }

  async load(source: CatalogSource): Promise<void> {
    this.loading[source] = true;
    this.errors[source] = null;
    try {
      this.items[source] = await ipc().catalog(source);
    } catch (e) {
      this.errors[source] = e;
    } finally {
      this.loading[source] = false;
    }
  }

  get anyLoading(): boolean {
    return this.shownSources.some((s) => this.loading[s]);
  }

  get shownSources(): CatalogSource[] {
    return this.source === "all" ? this.enabled : [this.source];
  }

  /** Matching offers: in stock first, then cheapest first within a currency. */
  get all(): CatalogItem[] {
    const out: CatalogItem[] = [];
    for (const s of this.shownSources) for (const i of this.items[s]) if (matches(i, this.service, this.country)) out.push(i);
    return out.sort((a, b) => {
      const ea = a.stock === 0 ? 1 : 0;
      const eb = b.stock === 0 ? 1 : 0;
      if (ea !== eb) return ea - eb;
      const sa = a.service.localeCompare(b.service);
      if (sa !== 0) return sa;
      if (a.price && b.price && a.price.currency === b.price.currency) return a.price.minor - b.price.minor;
      return 0;
    });
  }

  get shown(): CatalogItem[] {
    return this.all.slice(0, SHOW_MAX);
  }
}

export const catalog = new CatalogStore();
