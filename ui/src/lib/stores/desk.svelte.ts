// The reseller's side of each order shown (customer, note, paid, sale price) and the recent
// customers for the buy dialog. The backend owns it all (engine store); this keeps what was read.

import { ipc } from "../ipc";
import type { OrderDesk } from "../types";

class Desk {
  byId = $state<Record<string, OrderDesk>>({});
  recent = $state<string[]>([]);
  private asked = new Set<string>();

  /** Read the desk line of an order once (cards call it as they appear). */
  async ensure(orderId: string): Promise<void> {
    if (this.asked.has(orderId)) return;
    this.asked.add(orderId);
    try {
      for (const d of await ipc().orderDesks([orderId])) this.put(d);
    } catch {
      this.asked.delete(orderId);
    }
  }

  put(d: OrderDesk): void {
    this.byId[d.order_id] = d;
    if (d.customer && !this.recent.some((c) => c.toLowerCase() === d.customer?.toLowerCase())) this.recent = [d.customer, ...this.recent];
  }

  async loadRecent(): Promise<void> {
    this.recent = await ipc()
      .recentCustomers()
      .catch(() => this.recent);
  }

  /** Forget everything (a switch between real and demo). */
  reset(): void {
    this.byId = {};
    this.recent = [];
    this.asked.clear();
  }
}

export const desk = new Desk();
