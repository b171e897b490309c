// Balances of every provider; refreshed on demand and after money moved.

import { ipc } from "../ipc";
import type { ProviderBalance } from "../types";

export class BalancesStore {
  list = $state<ProviderBalance[]>([]);
  loading = $state(false);
  error = $state<unknown>(null);
  private pending: ReturnType<typeof setTimeout> | null = null;

  async refresh(): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      this.list = await ipc().balances();
    } catch (e) {
      this.error = e;
    } finally {
      this.loading = false;
    }
  }

  /** One provider's fresh balance (pushed by the backend). */
  put(b: ProviderBalance): void {
    const i = this.list.findIndex((x) => x.provider === b.provider);
    this.list = i < 0 ? [...this.list, b] : this.list.map((x, j) => (j === i ? b : x));
  }

  /** Refresh soon, once, however many money events arrive together. */
  refreshSoon(delayMs = 800): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      void this.refresh();
    }, delayMs);
  }
}

export const balances = new BalancesStore();
