// Short messages in the corner: confirmations, friendly errors, new codes. A code's toast stays
// until dismissed or CODE_TOAST_MS, its clock paused while the mouse is over it, and carries a
// Copy button (the order it came for).

export type ToastKind = "info" | "success" | "error" | "code";

/** How long a code's toast stays (unless dismissed; paused under the mouse). */
export const CODE_TOAST_MS = 20_000;

export interface Toast {
  id: number;
  kind: ToastKind;
  /** The text as first shown (to skip duplicates). */
  text: string;
  /** The text now: re-read so a toast follows a language switch. */
  message: () => string;
  /** A code's toast: the order whose latest code its Copy button copies. */
  copy?: { orderId: string; code: string };
  /** The mouse is over it: its clock stands still. */
  paused: boolean;
}

export interface ToastOptions {
  copy?: { orderId: string; code: string };
}

/** How long a toast of `kind` stays by default. */
export function defaultMs(kind: ToastKind): number {
  return kind === "error" ? 9000 : kind === "code" ? CODE_TOAST_MS : 5000;
}

interface Clock {
  handle: ReturnType<typeof setTimeout> | null;
  /** Time left when the clock last stopped (or started). */
  remaining: number;
  startedAt: number;
}

export class Toasts {
  items = $state<Toast[]>([]);
  private next = 1;
  private clocks = new Map<number, Clock>();

  constructor(private now: () => number = Date.now) {}

  /** `text` as a function (`() => t(...)`) re-translates when the language changes. */
  show(kind: ToastKind, text: string | (() => string), ms = defaultMs(kind), opts: ToastOptions = {}): number {
    const id = this.next++;
    const message = typeof text === "function" ? text : () => text;
    const first = message();
    // Same text already on screen: do not stack duplicates.
    const kept = [...this.items.filter((x) => x.text !== first), { id, kind, text: first, message, copy: opts.copy, paused: false }].slice(-4);
    for (const gone of this.items) if (!kept.some((k) => k.id === gone.id)) this.stopClock(gone.id);
    this.items = kept;
    if (ms > 0) {
      this.clocks.set(id, { handle: null, remaining: ms, startedAt: this.now() });
      this.run(id);
    }
    return id;
  }

  dismiss(id: number): void {
    this.stopClock(id);
    this.items = this.items.filter((x) => x.id !== id);
  }

  /** The mouse is over the toast: stop its clock (the time left is kept). */
  pause(id: number): void {
    const c = this.clocks.get(id);
    const t = this.items.find((x) => x.id === id);
    if (!t || t.paused) return;
    t.paused = true;
    if (!c || c.handle === null) return;
    clearTimeout(c.handle);
    c.handle = null;
    c.remaining = Math.max(0, c.remaining - (this.now() - c.startedAt));
  }

  /** The mouse left: the clock goes on with the time that was left. */
  resume(id: number): void {
    const t = this.items.find((x) => x.id === id);
    if (!t || !t.paused) return;
    t.paused = false;
    this.run(id);
  }

  /** Time left before the toast goes (ms), `null` when it stays until dismissed. */
  remaining(id: number): number | null {
    const c = this.clocks.get(id);
    if (!c) return null;
    return c.handle === null ? c.remaining : Math.max(0, c.remaining - (this.now() - c.startedAt));
  }

  private run(id: number): void {
    const c = this.clocks.get(id);
    if (!c || c.handle !== null) return;
    c.startedAt = this.now();
    c.handle = setTimeout(() => this.dismiss(id), c.remaining);
  }

  private stopClock(id: number): void {
    const c = this.clocks.get(id);
    if (c?.handle) clearTimeout(c.handle);
    this.clocks.delete(id);
  }
}

export const toasts = new Toasts();
