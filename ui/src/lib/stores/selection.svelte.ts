// Which order card the keyboard works on (digits 1–9 select one; see lib/boardKeys.ts), and the
// "Buy again" offer being confirmed. Kept apart from the board's data so either can change alone.

import type { CatalogItem, Money } from "../types";

class Selection {
  /** The selected card's order id, or `null`. */
  orderId = $state<string | null>(null);
  /** "Buy again": the offer with today's price waiting for the user's confirmation. */
  again = $state<CatalogItem | null>(null);
  /** What the repeated order cost, shown beside today's price. */
  againWas = $state<Money | null>(null);
  /** The order whose offer is being quoted for "Buy again" (a spinner on its button). */
  quoting = $state<string | null>(null);

  select(id: string | null): void {
    this.orderId = id;
  }
}

export const selection = new Selection();
