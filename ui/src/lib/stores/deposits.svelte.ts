// Top-ups (OTPZap QRIS, OOPPay USDT): the list, kept current by engine events.

import { ipc } from "../ipc";
import type { DepositInfo, DepositView, EngineEvent } from "../types";

/** How to pay an invoice: the QR code (SVG drawn by the backend) and the payment page. */
export interface PayInfo {
  qrSvg: string | null;
  payload: string | null;
  paymentUrl: string | null;
}

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
  pay = $state<Record<string, PayInfo>>({});
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
      for (const i of list) {
        next[i.deposit.id] = i.deposit;
        this.notePay(i);
      }
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

  /** Put an invoice with its payment details (create / load replies). */
  add(i: DepositInfo): void {
    this.upsert(i.deposit);
    this.notePay(i);
  }

  private notePay(i: DepositInfo): void {
    const prev = this.pay[i.deposit.id];
    this.pay[i.deposit.id] = {
      qrSvg: i.qr_svg ?? prev?.qrSvg ?? null,
      payload: i.qr_payload ?? prev?.payload ?? null,
      paymentUrl: i.payment_url ?? prev?.paymentUrl ?? null,
    };
  }

  clear(): void {
    this.byId = {};
    this.pay = {};
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
