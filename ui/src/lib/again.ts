// "Buy again" on an order: the engine rebuilds the offer it was bought from and quotes it afresh
// (`quote_again`); the confirm dialog then shows today's price and buys only on the user's word.

import { ipc } from "./ipc";
import { showError } from "./session.svelte";
import { selection } from "./stores/selection.svelte";
import type { CatalogItem, CatalogSource, OfferAgain, OrderView } from "./types";

/** The catalog source a target belongs to (email inboxes are shown as OTPZap's). */
export function sourceOf(t: OfferAgain["target"]): CatalogSource {
  switch (t.type) {
    case "numberotp":
      return "numberotp";
    case "otpzap_s1":
      return "otpzap_s1";
    case "otpzap_s2_special":
      return "otpzap_s2_special";
    default:
      return "otpzap_s2";
  }
}

/** What the confirm dialog shows for buying `order`'s offer again at `offer`'s price. */
export function againItem(order: Pick<OrderView, "provider" | "service">, offer: OfferAgain): CatalogItem {
  return {
    provider: order.provider,
    source: sourceOf(offer.target),
    service: order.service,
    service_code: null,
    label: null,
    country: "",
    price: offer.quote.price,
    stock: offer.quote.stock,
    target: offer.target,
  };
}

/** Quote `order`'s offer and open the confirm dialog with it (nothing is bought here). */
export async function openBuyAgain(order: Pick<OrderView, "id" | "provider" | "service" | "price">): Promise<void> {
  if (selection.quoting) return;
  selection.quoting = order.id;
  try {
    const offer = await ipc().quoteAgain(order.id);
    selection.againWas = order.price;
    selection.again = againItem(order, offer);
  } catch (e) {
    showError(e);
  } finally {
    selection.quoting = null;
  }
}
