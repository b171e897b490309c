// The active-orders board: loaded once, then kept current by typed engine events. Countdowns are
// pure functions of the order and `now`, so they are tested without timers.

import { FINAL_STATUSES, type EngineEvent, type OrderView, type OtpView } from "../types";

/** How long a finished / cancelled order stays on the board before it is tidied away. */
export const KEEP_FINAL_MS = 60_000;

export function isFinal(o: Pick<OrderView, "status">): boolean {
  return FINAL_STATUSES.includes(o.status);
}

function ms(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** Time until the number expires; `null` when the provider gave no expiry. */
export function timeLeftMs(o: OrderView, now: number): number | null {
  const t = ms(o.expires_at);
  return t === null ? null : Math.max(0, t - now);
}

/** Time until cancel unlocks; 0 when it is possible now. */
export function cancelLockMs(o: OrderView, now: number): number {
  const t = ms(o.cancel_unlocks_at);
  return t === null ? 0 : Math.max(0, t - now);
}

/** Time until resend unlocks; 0 when possible now; `Infinity` while waiting for the next code. */
export function resendLockMs(o: OrderView, now: number): number {
  const t = ms(o.resend_locked_until);
  if (t !== null && t > now) return t - now;
  if (o.resend_waiting_for_otp) return Infinity;
  return 0;
}

export function latestOtp(o: OrderView): OtpView | null {
  for (let i = o.otps.length - 1; i >= 0; i--) if (o.otps[i].code || o.otps[i].text) return o.otps[i];
  return null;
}

export function latestCode(o: OrderView): string | null {
  for (let i = o.otps.length - 1; i >= 0; i--) if (o.otps[i].code) return o.otps[i].code;
  return null;
}

export interface BoardHooks {
  /** A new code arrived (not one we already had). */
  onOtp?: (order: OrderView, otp: OtpView) => void;
}

export class OrdersBoard {
  byId = $state<Record<string, OrderView>>({});
  /** When each order became final (ms), to tidy it away later. */
  finalAt = $state<Record<string, number>>({});
  loading = $state(false);
  loaded = $state(false);
  hooks: BoardHooks = {};
  /** Orders whose allowed actions were cleared by an event and need the backend's view again. */
  stale = new Set<string>();

  constructor(private now: () => number = Date.now) {}

  /** Newest first; orders still running before finished ones. */
  get list(): OrderView[] {
    return Object.values(this.byId).sort((a, b) => {
      const fa = isFinal(a) ? 1 : 0;
      const fb = isFinal(b) ? 1 : 0;
      if (fa !== fb) return fa - fb;
      return b.created_at.localeCompare(a.created_at);
    });
  }

  get activeCount(): number {
    return Object.values(this.byId).filter((o) => !isFinal(o)).length;
  }

  /** The newest code on the board, for the "copy newest code" shortcut. */
  get newestCode(): string | null {
    let best: { at: string; code: string } | null = null;
    for (const o of Object.values(this.byId)) {
      for (const otp of o.otps) {
        if (otp.code && (!best || otp.stored_at >= best.at)) best = { at: otp.stored_at, code: otp.code };
      }
    }
    return best?.code ?? null;
  }

  /** Replace the board with the backend's list of active orders. */
  load(orders: OrderView[]): void {
    const next: Record<string, OrderView> = {};
    for (const o of orders) next[o.id] = o;
    this.stale.clear();
    // Keep recently finished ones the user may still be looking at.
    for (const [id, o] of Object.entries(this.byId)) if (!next[id] && isFinal(o)) next[id] = o;
    this.byId = next;
    this.loaded = true;
  }

  /** Put (or refresh) one order, e.g. the reply of buy / cancel / finish / resend. */
  upsert(o: OrderView): void {
    const prev = this.byId[o.id];
    // An action's reply can be older than an event already applied: never lose codes.
    const otps = prev && prev.otps.length > o.otps.length ? prev.otps : o.otps;
    this.byId[o.id] = { ...o, otps };
    this.stale.delete(o.id);
    this.noteFinal(this.byId[o.id]);
  }

  clear(): void {
    this.byId = {};
    this.finalAt = {};
    this.loaded = false;
  }

  remove(id: string): void {
    delete this.byId[id];
    delete this.finalAt[id];
  }

  /** Drop orders that have been final for longer than KEEP_FINAL_MS. */
  prune(now: number = this.now()): void {
    for (const [id, at] of Object.entries(this.finalAt)) if (now - at >= KEEP_FINAL_MS) this.remove(id);
  }

  private noteFinal(o: OrderView): void {
    if (isFinal(o)) {
      if (this.finalAt[o.id] === undefined) this.finalAt[o.id] = this.now();
    } else if (this.finalAt[o.id] !== undefined) {
      delete this.finalAt[o.id];
    }
  }

  /** Apply one engine event. Returns true when the board changed. */
  apply(e: EngineEvent): boolean {
    switch (e.type) {
      case "order_created": {
        const order = (e as { order: OrderView }).order;
        this.upsert(order);
        return true;
      }
      case "order_status_changed": {
        const { order_id, to } = e as { order_id: string; to: string };
        const o = this.byId[order_id];
        if (!o) return false; // Not on the board (an old order): the next load brings it if active.
        o.status = to;
        o.updated_at = new Date(this.now()).toISOString();
        o.is_final = isFinal(o);
        // The allowed actions were for the old status: none until the backend's view is read
        // again (`stale` says so), so the card never offers what the backend would refuse.
        o.actions = [];
        this.stale.add(order_id);
        this.noteFinal(o);
        return true;
      }
      case "otp_received": {
        const { order_id, otp } = e as { order_id: string; otp: OtpView };
        const o = this.byId[order_id];
        if (!o) return false;
        if (o.otps.some((x) => x.seq === otp.seq)) return false;
        o.otps = [...o.otps, otp].sort((a, b) => a.seq - b.seq);
        // A new code unlocks the next resend, and changes what else is allowed: the actions
        // wait for the backend's fresh view.
        o.resend_waiting_for_otp = false;
        if (o.status === "pending") o.status = "otp_received";
        o.actions = [];
        this.stale.add(order_id);
        this.hooks.onOtp?.(o, otp);
        return true;
      }
      default:
        return false;
    }
  }
}

export const board = new OrdersBoard();
