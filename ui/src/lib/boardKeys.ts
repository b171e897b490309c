// The orders board's keyboard: digits 1–9 select a card, then C copies its code, N its number,
// X cancels, R resends, B buys the same again (opens the confirm dialog; never buys by itself).
// Pure: the key and the selected card in, the action out, so the mapping is tested without a
// window. X and R follow exactly the card's buttons (the backend's allowed actions, unlocked).

import { actionButtons } from "./actions";
import type { OrderView } from "./types";

export type BoardKeyAction =
  | { kind: "select"; index: number }
  | { kind: "copy_code" | "copy_number" | "cancel" | "resend" | "buy_again"; orderId: string }
  | { kind: "unselect" }
  /** The key names an action this card does not allow now: say so, do nothing. */
  | { kind: "refused"; action: "copy_code" | "cancel" | "resend" | "buy_again" };

/** Whether the key event came from a field the user is typing in. */
export function isTyping(el: EventTarget | null): boolean {
  if (!el || typeof el !== "object") return false;
  const e = el as { isContentEditable?: boolean; tagName?: string };
  return !!e.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(String(e.tagName ?? "").toUpperCase());
}

/** The code to copy (latest code, late ones included, as the card shows). */
function hasCode(o: OrderView): boolean {
  return o.otps.some((x) => x.code);
}

/** "Buy again" is offered on finished orders and on orders whose code came. */
export function canBuyAgain(o: Pick<OrderView, "is_final" | "status" | "otps">): boolean {
  return o.is_final || o.status === "otp_received" || o.otps.some((x) => x.code);
}

function allowedNow(o: OrderView, kind: "cancel" | "resend", now: number): boolean {
  return actionButtons(o, now).some((b) => b.kind === kind && b.lockedMs <= 0);
}

export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
}

/**
 * What `e` does on a board listing `cards` (in the order shown) with `selected` (an order id or
 * `null`), at `now`; `null`: nothing (the key is left to others). The caller skips keys typed in
 * a field and keys pressed while a dialog is open.
 */
export function boardKeyAction(e: KeyInput, cards: OrderView[], selected: string | null, now: number): BoardKeyAction | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  if (/^[1-9]$/.test(e.key)) {
    const index = Number(e.key) - 1;
    return index < cards.length ? { kind: "select", index } : null;
  }
  const o = selected ? cards.find((c) => c.id === selected) : undefined;
  if (!o) return null;
  if (e.key === "Escape") return { kind: "unselect" };
  switch (e.key.toLowerCase()) {
    case "c":
      return hasCode(o) ? { kind: "copy_code", orderId: o.id } : { kind: "refused", action: "copy_code" };
    case "n":
      return o.phone || o.email ? { kind: "copy_number", orderId: o.id } : null;
    case "x":
      return allowedNow(o, "cancel", now) ? { kind: "cancel", orderId: o.id } : { kind: "refused", action: "cancel" };
    case "r":
      return allowedNow(o, "resend", now) ? { kind: "resend", orderId: o.id } : { kind: "refused", action: "resend" };
    case "b":
      return canBuyAgain(o) ? { kind: "buy_again", orderId: o.id } : { kind: "refused", action: "buy_again" };
    default:
      return null;
  }
}
