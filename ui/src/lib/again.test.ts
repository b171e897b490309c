// "Buy again": the confirm dialog's item built from the engine's quote of an earlier order, and
// the stand-in backend that plays the engine for the window: a batch stops at once on a price rise.

import { describe, expect, it } from "vitest";
import { againItem, sourceOf } from "./again";
import { MockIpc } from "./ipc.mock";
import { SAMPLE } from "./ipc.mock.fixtures";
import type { BatchProgress } from "./types";

describe("buy again", () => {
  it("the dialog shows the order's service at today's price and buys exactly the stored target", () => {
    const target = { type: "otpzap_s1" as const, product_id: 814090256, country_id: 7, platform_id: 1 };
    const item = againItem({ provider: "otpzap", service: "WhatsApp" }, { order_id: "o1", target, quote: { price: { currency: "IDR", minor: 3100 }, stock: 12 } });
    expect(item).toMatchObject({ provider: "otpzap", source: "otpzap_s1", service: "WhatsApp", country: "", price: { currency: "IDR", minor: 3100 }, stock: 12, target });
  });

  it("each target has its source", () => {
    expect(sourceOf({ type: "numberotp", service: "wa", country: "6" })).toBe("numberotp");
    expect(sourceOf({ type: "otpzap_s2", service_id: 1, country_id: 6, operator_id: "random" })).toBe("otpzap_s2");
    expect(sourceOf({ type: "otpzap_s2_special", service_id: 1 })).toBe("otpzap_s2_special");
    expect(sourceOf({ type: "otpzap_s2_multi", service_ids: [1, 2], country_id: 6, operator_id: "random" })).toBe("otpzap_s2");
  });

  it("the stand-in backend: quote again after a price rise, a batch held to the confirmed price", async () => {
    const ipc = new MockIpc({ keys: { otpzap: true } });
    const item = SAMPLE.find((i) => i.source === "otpzap_s1" && i.price)!;
    const first = await ipc.buyChecked(item.target, item.price);
    ipc.priceAfter.set(JSON.stringify(item.target), { afterSales: 1, minor: item.price!.minor + 500 });
    const seen: BatchProgress[] = [];
    const r = await ipc.buyBatch("b", { req: item.target, count: 4, max_price: null, min_balance: null }, item.price, (p) => seen.push(p));
    expect(r.orders).toHaveLength(1);
    expect(r.stopped?.code).toBe("price_changed");
    expect(seen.map((p) => p.type)).toEqual(["bought", "stopped"]);
    const again = await ipc.quoteAgain(first.id);
    expect(again.target).toEqual(item.target);
    expect(again.quote.price?.minor).toBe(item.price!.minor + 500);
  });
});
