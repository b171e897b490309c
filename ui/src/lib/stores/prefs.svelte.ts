// Reseller preferences that live on this computer only (localStorage): favourite services and the
// exchange rate for comparing rupiah and dollar prices. Low-balance thresholds and sale prices are
// kept by the backend.

const KEY = "otpdesk.prefs";

export interface PrefsData {
  favourites: string[];
  /** Rupiah per US dollar (and per USDT), set by the user; `null` = do not convert. */
  idrPerUsd: number | null;
}

export const DEFAULT_PREFS: PrefsData = { favourites: [], idrPerUsd: null };

export function favKey(service: string): string {
  return service.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
}

export class Prefs {
  favourites = $state<string[]>([]);
  idrPerUsd = $state<number | null>(null);

  constructor(private storage: Pick<Storage, "getItem" | "setItem"> | null = safeStorage()) {
    this.read();
  }

  read(): void {
    let data: Partial<PrefsData> = {};
    try {
      data = JSON.parse(this.storage?.getItem(KEY) ?? "{}") ?? {};
    } catch {
      data = {};
    }
    this.favourites = Array.isArray(data.favourites) ? data.favourites.filter((x) => typeof x === "string") : [];
    this.idrPerUsd = typeof data.idrPerUsd === "number" && data.idrPerUsd > 0 ? data.idrPerUsd : null;
  }

  private save(): void {
    const data: PrefsData = {
      favourites: $state.snapshot(this.favourites),
      idrPerUsd: this.idrPerUsd,
    };
    try {
      this.storage?.setItem(KEY, JSON.stringify(data));
    } catch {
      // No storage: the choice lasts for this session.
    }
  }

  isFavourite(service: string): boolean {
    return this.favourites.includes(favKey(service));
  }

  toggleFavourite(service: string): void {
    const k = favKey(service);
    this.favourites = this.favourites.includes(k) ? this.favourites.filter((x) => x !== k) : [...this.favourites, k];
    this.save();
  }

  setRate(rate: number | null): void {
    this.idrPerUsd = rate && rate > 0 ? rate : null;
    this.save();
  }

}

function safeStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export const prefs = new Prefs();
