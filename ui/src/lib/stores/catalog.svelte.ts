// The buy list: pick a country (merged across providers), then search services in it. Items of a
// country are fetched once and filtered locally, so typing is instant. Prices and stock are read
// again when something changed them (a purchase, a watch alert), when the list comes back on
// screen after a while, and on the user's Refresh; never more often than the gaps below, so the
// provider's rate budget stays for buying and tracking.

import { toRupiah } from "../format";
import { ipc } from "../ipc";
import { bestValueOrder } from "../quality";
import { favKey, prefs } from "./prefs.svelte";
import type { CatalogCountry, CatalogItem, CatalogSource, OfferQuality, ProviderFailure, WatchView } from "../types";

/** Rows shown at once; the search narrows the rest. */
export const SHOW_MAX = 150;

/** The country picked first when nothing was chosen yet (most resellers sell Indonesian numbers). */
export const DEFAULT_COUNTRY = "Indonesia";
const COUNTRY_KEY = "otpdesk.country";
const SORT_KEY = "otpdesk.catalogSort";

/** An automatic reload (after a purchase or an alert) waits this long after the last read: a batch
 *  of 50 numbers or a burst of alerts is one reload, not fifty. */
export const AUTO_GAP_MS = 20_000;
/** The list coming back on screen (its tab, the window) is read again when older than this. */
export const SHOWN_STALE_MS = 60_000;
/** While the list stays on screen it is read again when older than this (a gentle, not tight, poll). */
export const ON_SCREEN_STALE_MS = 5 * 60_000;

/** How the list is ordered: by service (in stock first, cheapest within a service), cheapest
 *  first across services, or best value (price ÷ your own success rate; see `quality.ts`). */
export type CatalogSort = "service" | "price" | "value";
export const CATALOG_SORTS: readonly CatalogSort[] = ["service", "price", "value"];

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
  return items.filter((i) => favKey(i.service) === k).sort(cheaperFirst(idrPerUsd));
}

/**
 * Cheapest first (in stock before sold out). Prices in another currency are compared through the
 * user's exchange rate; without one they go after the comparable ones. Stable for equal prices.
 */
export function cheaperFirst(idrPerUsd: number | null): (a: CatalogItem, b: CatalogItem) => number {
  const rank = (i: CatalogItem) => (i.price ? toRupiah(i.price.minor, i.price.currency, idrPerUsd) : null);
  return (a, b) => {
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
  };
}

/** The same offer (what `buy` would be sent). */
export const targetKey = (i: Pick<CatalogItem, "target">): string => JSON.stringify(i.target);

function readSort(): CatalogSort {
  try {
    const v = globalThis.localStorage?.getItem(SORT_KEY);
    return (CATALOG_SORTS as readonly string[]).includes(v ?? "") ? (v as CatalogSort) : "service";
  } catch {
    return "service";
  }
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
  sort = $state<CatalogSort>(readSort());
  /** OTPZap Server 2 special services (not tied to a country). */
  specials = $state<CatalogItem[]>([]);
  /** Each offer's record from the user's own orders (by `targetKey`; absent: never bought). */
  quality = $state<Map<string, OfferQuality>>(new Map());
  /** When the prices on screen were read (ms since the epoch); `null` before the first read. */
  loadedAt = $state<number | null>(null);
  /** The list is on screen (the Numbers tab of a visible window): automatic reads only then. */
  onScreen = false;
  private requestSeq = 0;
  private qualitySeq = 0;
  /** The country whose items are in `items` (a failed re-read of it keeps them on screen). */
  private loadedCountry = "";
  /** Something changed prices or stock while the list was not on screen. */
  private dirty = false;
  private soonTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private now: () => number = () => Date.now()) {}

  get current(): CatalogCountry | null {
    return this.countries.find((c) => c.name === this.country) ?? null;
  }

  /** Sources present in the loaded items (for the filter tabs). */
  get sources(): CatalogSource[] {
    const order: CatalogSource[] = ["otpzap_s1", "otpzap_s2", "numberotp"];
    return order.filter((s) => this.items.some((i) => i.source === s));
  }

  qualityOf = (item: CatalogItem): OfferQuality | null => this.quality.get(targetKey(item)) ?? null;

  get all(): CatalogItem[] {
    const list =
      this.source === "special"
        ? this.specials.filter((i) => matches(i, this.service))
        : this.items.filter(
            (i) =>
              (this.source === "all" || this.source === "fav" ? true : i.source === this.source) &&
              (this.source !== "fav" || prefs.favourites.includes(favKey(i.service))) &&
              matches(i, this.service),
          );
    if (this.sort !== "service") {
      const cheapest = list.sort(cheaperFirst(prefs.idrPerUsd));
      return this.sort === "value" ? bestValueOrder(cheapest, cheapest.map(this.qualityOf), prefs.idrPerUsd) : cheapest;
    }
    if (this.source === "special") return list.sort(byStockServicePrice);
    const favs = prefs.favourites;
    const fav = (i: CatalogItem) => (favs.includes(favKey(i.service)) ? 0 : 1);
    return list.sort((a, b) => fav(a) - fav(b) || byStockServicePrice(a, b));
  }

  setSort(sort: CatalogSort): void {
    this.sort = sort;
    try {
      globalThis.localStorage?.setItem(SORT_KEY, sort);
    } catch {
      // Not remembered across restarts; fine.
    }
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
    void this.loadQuality();
  }

  get shown(): CatalogItem[] {
    return this.all.slice(0, SHOW_MAX);
  }

  /** The records of every listed offer (one store read in the backend, no provider call). */
  async loadQuality(): Promise<void> {
    const seq = ++this.qualitySeq;
    const list = [...this.items, ...this.specials];
    if (!list.length) return;
    try {
      const q = await ipc().offerQuality(list.map((i) => $state.snapshot(i.target)));
      if (seq !== this.qualitySeq) return;
      const map = new Map<string, OfferQuality>();
      list.forEach((item, i) => {
        const r = q[i];
        if (r) map.set(targetKey(item), r);
      });
      this.quality = map;
    } catch {
      // The figures are extra; the list stands without them.
    }
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

  /**
   * Read the chosen country's offers. A re-read of the same country keeps the list on screen
   * while it runs, and keeps it (with the error shown) when it fails.
   */
  async loadItems(): Promise<void> {
    const country = this.current;
    if (!country) return;
    const seq = ++this.requestSeq;
    this.cancelSoon();
    this.dirty = false;
    this.loading = true;
    this.error = null;
    try {
      const res = await ipc().catalogItems($state.snapshot(country), null);
      if (seq !== this.requestSeq) return; // a newer country was chosen meanwhile
      this.items = res.items;
      this.failures = res.failures;
      this.loadedCountry = country.name;
      this.loadedAt = this.now();
      if (this.source !== "all" && this.source !== "fav" && this.source !== "special" && !this.sources.includes(this.source)) {
        this.source = "all";
      }
      void this.loadQuality();
    } catch (e) {
      if (seq === this.requestSeq) {
        this.error = e;
        if (this.loadedCountry !== country.name) this.items = [];
      }
    } finally {
      if (seq === this.requestSeq) this.loading = false;
    }
  }

  /** The user's Refresh: read prices and stock again now (a read already running will do). */
  async refresh(): Promise<void> {
    if (this.loading) return;
    await this.loadItems();
  }

  /**
   * A purchase or an alert changed prices or stock: read again soon if the list is on screen
   * (at most once per `AUTO_GAP_MS`), else as soon as it is shown.
   */
  invalidate(): void {
    this.dirty = true;
    if (this.onScreen) this.refreshSoon();
  }

  /** A watch alert saw this offer's price and stock: show them at once (a full read follows). */
  applyWatch(w: WatchView): void {
    const key = JSON.stringify(w.req);
    for (const list of [this.items, this.specials]) {
      const i = list.findIndex((x) => targetKey(x) === key);
      if (i < 0) continue;
      if (w.last_price) list[i].price = w.last_price;
      if (w.last_stock !== null) list[i].stock = w.last_stock;
    }
    this.invalidate();
  }

  /**
   * The list came on screen (its tab opened, the window shown) or is still there on the minute:
   * read again when something changed meanwhile or the prices are older than `staleMs`.
   */
  freshen(staleMs = SHOWN_STALE_MS): void {
    if (!this.onScreen || this.loading || this.loadedAt === null) return;
    if (this.dirty || this.now() - this.loadedAt >= staleMs) this.refreshSoon(0);
  }

  private refreshSoon(delayMs = 1500): void {
    if (this.soonTimer || this.loadedAt === null) return; // one pending read covers every change until it runs
    const wait = Math.max(delayMs, AUTO_GAP_MS - (this.now() - this.loadedAt));
    this.soonTimer = setTimeout(() => {
      this.soonTimer = null;
      if (this.onScreen && !this.loading) void this.loadItems();
      else this.dirty = true;
    }, wait);
  }

  private cancelSoon(): void {
    if (this.soonTimer) clearTimeout(this.soonTimer);
    this.soonTimer = null;
  }
}

export const catalog = new CatalogStore();
