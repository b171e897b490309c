// The order card's action buttons: exactly the actions the backend's view allows (`view.actions`,
// from the engine's per-provider rules), each disabled with a countdown until its unlock time.
// No rules live here, so the card can never offer what the backend would refuse.

import type { ActionKind, OrderView } from "./types";

export interface ActionButton {
  kind: ActionKind;
  /** Milliseconds until it unlocks; 0 when it can be used now. */
  lockedMs: number;
  /** When it unlocks (ISO), when the backend said. */
  unlockAt: string | null;
}

/** The buttons for `o` at `now` (ms): none for a final order. */
export function actionButtons(o: Pick<OrderView, "is_final" | "actions">, now: number): ActionButton[] {
  if (o.is_final) return [];
  return o.actions.map((a) => {
    const t = a.unlock_at ? Date.parse(a.unlock_at) : NaN;
    return { kind: a.kind, lockedMs: Number.isNaN(t) ? 0 : Math.max(0, t - now), unlockAt: a.unlock_at };
  });
}
