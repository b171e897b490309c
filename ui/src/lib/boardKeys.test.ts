// The orders board's keyboard: digits select a card, C / N / X / R / B act on the selected one,
// exactly as its buttons (the engine's allowed actions from the Rust-written fixture), and never
// with a modifier or while typing in a field.

import { describe, expect, it } from "vitest";
import VIEWS from "./__fixtures__/order-actions.json";
import { actionButtons } from "./actions";
import { boardKeyAction, canBuyAgain, isTyping } from "./boardKeys";
import type { OrderView } from "./types";

const views = VIEWS as unknown as OrderView[];
const byStatus = (s: string, withCode?: boolean) => {
  const v = views.find((o) => o.status === s && (withCode === undefined || o.otps.some((x) => x.code) === withCode));
  if (!v) throw new Error(`no fixture ${s}`);
  return v;
};

describe("board keys", () => {
  const cards = views.slice(0, 12);

  it("1–9 select the card at that place; no card there, nothing", () => {
    expect(boardKeyAction({ key: "1" }, cards, null, 0)).toEqual({ kind: "select", index: 0 });
    expect(boardKeyAction({ key: "9" }, cards, null, 0)).toEqual({ kind: "select", index: 8 });
    expect(boardKeyAction({ key: "3" }, cards.slice(0, 2), null, 0)).toBeNull();
    expect(boardKeyAction({ key: "0" }, cards, null, 0)).toBeNull();
  });

  it("modifiers are left to the app's own shortcuts (Ctrl+1 opens a screen)", () => {
    expect(boardKeyAction({ key: "1", ctrlKey: true }, cards, null, 0)).toBeNull();
    expect(boardKeyAction({ key: "c", ctrlKey: true }, cards, cards[0].id, 0)).toBeNull();
    expect(boardKeyAction({ key: "c", metaKey: true }, cards, cards[0].id, 0)).toBeNull();
    expect(boardKeyAction({ key: "x", altKey: true }, cards, cards[0].id, 0)).toBeNull();
  });

  it("letters do nothing without a selected card on the board", () => {
    for (const key of ["c", "n", "x", "r", "b", "C"]) {
      expect(boardKeyAction({ key }, cards, null, 0)).toBeNull();
      expect(boardKeyAction({ key }, cards, "gone", 0)).toBeNull();
    }
  });

  it("C copies the code only when there is one, N the number, in either case", () => {
    const withCode = byStatus("otp_received", true);
    const waiting = byStatus("pending", false);
    expect(boardKeyAction({ key: "c" }, [withCode], withCode.id, 0)).toEqual({ kind: "copy_code", orderId: withCode.id });
    expect(boardKeyAction({ key: "C", shiftKey: true }, [withCode], withCode.id, 0)).toEqual({ kind: "copy_code", orderId: withCode.id });
    expect(boardKeyAction({ key: "c" }, [waiting], waiting.id, 0)).toEqual({ kind: "refused", action: "copy_code" });
    expect(boardKeyAction({ key: "n" }, [waiting], waiting.id, 0)).toEqual({ kind: "copy_number", orderId: waiting.id });
    expect(boardKeyAction({ key: "N" }, [withCode], withCode.id, 0)).toEqual({ kind: "copy_number", orderId: withCode.id });
  });

  it.each(views.map((o) => [o.id, o] as const))("%s: X and R follow the card's buttons exactly", (_id, o) => {
    for (const at of [Date.parse(o.created_at), Date.parse(o.created_at) + 3_600_000]) {
      const buttons = actionButtons(o, at);
      const open = (k: string) => buttons.some((b) => b.kind === k && b.lockedMs <= 0);
      expect(boardKeyAction({ key: "x" }, [o], o.id, at)).toEqual(open("cancel") ? { kind: "cancel", orderId: o.id } : { kind: "refused", action: "cancel" });
      expect(boardKeyAction({ key: "r" }, [o], o.id, at)).toEqual(open("resend") ? { kind: "resend", orderId: o.id } : { kind: "refused", action: "resend" });
    }
  });

  it("X is refused during OTPZap's cancel cooldown and allowed after it", () => {
    const o = views.find((v) => v.provider === "otpzap" && v.status === "pending" && v.actions.some((a) => a.kind === "cancel" && a.unlock_at));
    if (!o) throw new Error("no cooldown fixture");
    const unlock = Date.parse(o.actions.find((a) => a.kind === "cancel")!.unlock_at!);
    expect(boardKeyAction({ key: "x" }, [o], o.id, unlock - 1000)).toEqual({ kind: "refused", action: "cancel" });
    expect(boardKeyAction({ key: "x" }, [o], o.id, unlock)).toEqual({ kind: "cancel", orderId: o.id });
  });

  it("B opens buy again on finished orders and orders with a code, never on one still waiting", () => {
    for (const o of views) {
      const expected = o.is_final || o.status === "otp_received" || o.otps.some((x) => x.code);
      expect(canBuyAgain(o)).toBe(expected);
      expect(boardKeyAction({ key: "b" }, [o], o.id, 0)).toEqual(expected ? { kind: "buy_again", orderId: o.id } : { kind: "refused", action: "buy_again" });
    }
    for (const s of ["cancelled", "expired", "completed", "replaced"]) expect(canBuyAgain(byStatus(s))).toBe(true);
  });

  it("Esc lets go of the selected card; other keys are left alone", () => {
    expect(boardKeyAction({ key: "Escape" }, cards, cards[0].id, 0)).toEqual({ kind: "unselect" });
    expect(boardKeyAction({ key: "q" }, cards, cards[0].id, 0)).toBeNull();
    expect(boardKeyAction({ key: "/" }, cards, cards[0].id, 0)).toBeNull();
  });

  it("keys typed in a field are not shortcuts", () => {
    expect(isTyping({ tagName: "INPUT" } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: "textarea" } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: "SELECT" } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: "DIV", isContentEditable: true } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: "BUTTON" } as unknown as EventTarget)).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});
