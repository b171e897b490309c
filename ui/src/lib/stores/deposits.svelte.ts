// Top-ups (OTPZap QRIS, OOPPay USDT): the list, kept current by engine events.

import { ipc } from "../ipc";
import type { DepositView, EngineEvent } from "../types";

export const DEPOSIT_FINAL = ["paid", "success", "expired", "failed", "cancelled"];

export function isPaid(d: Pick<DepositView, "status">): boolean {
  return d.status === "paid" || d.status === "success";
}

/** Time until the invoice expires; `null` when unknown. */
export function depositLeftMs(d: DepositView, now: number): number | null {
  if (!d.expires_at) return null;
  const t = Date.parse(d.expires_at);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

export class DepositsStore {
  byId = $state<Record<string, DepositView>>({});
  loading = $state(false);
  error = $state<unknown>(null);
  /** The invoice on screen (just created, or picked from the list). */
  shownId = $state<string | null>(null);

  get list(): DepositView[] {
    return Object.values(this.byId).sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  get shown(): DepositView | null {
    return this.shownId ? (this.byId[this.shownId] ?? null) : null;
  }

  async load(): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      const list = await ipc().deposits(false);
      const next: Record<string, DepositView> = {};
      for (const d of list) next[d.id] = d;
      this.byId = next;
    } catch (e) {
      this.error = e;
    } finally {
      this.loading = false;
    }
  }

  upsert(d: DepositView): void {
    this.byId[d.id] = d;
  }

  clear(): void {
    this.byId = {};
    this.shownId = null;
  }

  apply(e: EngineEvent): boolean {
    switch (e.type) {
      case "deposit_created":
      case "deposit_paid":
      case "deposit_expired":
        this.upsert(e.deposit);
        return true;
      case "deposit_status_changed": {
        const d = this.byId[e.deposit_id];
        if (!d) return false;
        d.status = e.to;
        return true;
      }
      default:
        return false;
    }
  }
}

export const deposits = new DepositsStore();
