// The order card offers exactly what the backend allows: every view here comes from the engine's
// rules (`ui/src/lib/__fixtures__/order-actions.json`, written by the Rust test
// `allowed::tests::ui_fixture_is_up_to_date`, which fails when it drifts), one per provider ×
// server × status × resend state. The card itself is rendered (Svelte server render) and its
// buttons compared with `view.actions`.

import { render } from "svelte/server";
import { describe, expect, it } from "vitest";
import OrderCard from "../components/OrderCard.svelte";
import VIEWS from "./__fixtures__/order-actions.json";
import { actionButtons } from "./actions";
import { clock } from "./stores/clock.svelte";
import type { OrderView } from "./types";

const views = VIEWS as unknown as OrderView[];
const kinds = (o: OrderView) => o.actions.map((a) => a.kind);
/** The action buttons in the card's HTML, in order. */
function rendered(o: OrderView): string[] {
  const { body } = render(OrderCard, { props: { order: o } });
  return [...body.matchAll(/data-action="(\w+)"/g)].map((m) => m[1]);
}
const find = (id: string) => {
  const v = views.find((o) => o.id === id);
  if (!v) throw new Error(`no fixture view ${id}`);
  return v;
};

describe("order actions", () => {
  it("the fixture covers every provider, server and status", () => {
    const sources = new Set(views.map((o) => `${o.provider}/${o.server ?? ""}`));
    expect([...sources].sort()).toEqual(["numberotp/", "otpzap/1", "otpzap/2", "otpzap/3"]);
    for (const s of ["pending", "otp_received", "completed", "cancelled", "expired", "failed", "replaced"]) {
      expect(views.some((o) => o.status === s), s).toBe(true);
    }
  });

  it.each(views.map((o) => [o.id, o] as const))("%s: the card shows exactly view.actions", (_id, o) => {
    const at = Date.parse(o.created_at);
    expect(actionButtons(o, at).map((b) => b.kind)).toEqual(o.is_final ? [] : kinds(o));
    clock.now = at;
    expect(rendered(o)).toEqual(o.is_final ? [] : kinds(o));
  });

  it("NumberOTP and final orders offer nothing", () => {
    for (const o of views) {
      if (o.provider === "numberotp" || o.is_final) expect(rendered(o), o.id).toEqual([]);
    }
    expect(rendered(find("numberotp-pending"))).not.toContain("cancel");
    expect(rendered(find("numberotp-otp_received-code"))).not.toContain("finish");
  });

  it("OTPZap offers what its API has for each server and status", () => {
    expect(kinds(find("otpzap-s1-pending"))).toEqual(["cancel", "replace", "resend"]);
    expect(kinds(find("otpzap-s1-otp_received-code"))).toEqual(["resend", "finish"]);
    expect(kinds(find("otpzap-s2-pending"))).toEqual(["cancel", "resend"]);
    expect(kinds(find("otpzap-s3-pending"))).toEqual(["cancel", "reorder"]);
    expect(kinds(find("otpzap-s3-otp_received-code"))).toEqual(["reorder", "finish"]);
    expect(kinds(find("otpzap-s1-pending-resend-waiting"))).toEqual(["cancel", "replace"]);
  });

  it("a locked action counts down until its unlock time, then is enabled", () => {
    const o = find("otpzap-s1-pending");
    const cancel = o.actions.find((a) => a.kind === "cancel")!;
    const unlock = Date.parse(cancel.unlock_at!);
    const at = (ms: number) => actionButtons(o, ms).find((b) => b.kind === "cancel")!;
    expect(at(unlock - 90_000).lockedMs).toBe(90_000);
    expect(at(unlock).lockedMs).toBe(0);
    clock.now = unlock - 90_000;
    expect(render(OrderCard, { props: { order: o } }).body).toMatch(/data-action="cancel"[^>]*>[^<]*(<!--[^>]*-->)*\s*Cancel in 1:30/);
    const locked = find("otpzap-s2-otp_received-code-resend-locked");
    const resend = actionButtons(locked, Date.parse(locked.created_at)).find((b) => b.kind === "resend")!;
    expect(resend.lockedMs).toBeGreaterThan(0);
  });
});
