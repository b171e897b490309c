// Short messages in the corner: confirmations, friendly errors, new codes.

export type ToastKind = "info" | "success" | "error" | "code";

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

class Toasts {
  items = $state<Toast[]>([]);
  private next = 1;

  show(kind: ToastKind, text: string, ms = kind === "error" ? 9000 : 5000): number {
    const id = this.next++;
    // Same text already on screen: do not stack duplicates.
    this.items = [...this.items.filter((x) => x.text !== text), { id, kind, text }].slice(-4);
    if (ms > 0) setTimeout(() => this.dismiss(id), ms);
    return id;
  }

  dismiss(id: number): void {
    this.items = this.items.filter((x) => x.id !== id);
  }
}

export const toasts = new Toasts();
