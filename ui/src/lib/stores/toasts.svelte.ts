// Short messages in the corner: confirmations, friendly errors, new codes.

export type ToastKind = "info" | "success" | "error" | "code";

export interface Toast {
  id: number;
  kind: ToastKind;
  /** The text as first shown (to skip duplicates). */
  text: string;
  /** The text now: re-read so a toast follows a language switch. */
  message: () => string;
}

class Toasts {
  items = $state<Toast[]>([]);
  private next = 1;

  /** `text` as a function (`() => t(...)`) re-translates when the language changes. */
  show(kind: ToastKind, text: string | (() => string), ms = kind === "error" ? 9000 : 5000): number {
    const id = this.next++;
    const message = typeof text === "function" ? text : () => text;
    const first = message();
    // Same text already on screen: do not stack duplicates.
    this.items = [...this.items.filter((x) => x.text !== first), { id, kind, text: first, message }].slice(-4);
    if (ms > 0) setTimeout(() => this.dismiss(id), ms);
    return id;
  }

  dismiss(id: number): void {
    this.items = this.items.filter((x) => x.id !== id);
  }
}

export const toasts = new Toasts();
