import { describe, expect, it } from "vitest";
import { bestValueOrder, costPerCode, medianText, successText } from "./quality";
import type { CatalogItem, OfferQuality } from "./types";

const item = (id: number, minor: number, currency: "IDR" | "USD" = "IDR", stock: number | null = 10): CatalogItem => ({
  provider: currency === "IDR" ? "otpzap" : "numberotp",
  source: currency === "IDR" ? "otpzap_s2" : "numberotp",
  service: "WhatsApp",
  service_code: null,
  label: null,
  country: "Indonesia",
  price: { currency, minor },
  stock,
  target: { type: "otpzap_s2", service_id: id, country_id: 7, operator_id: "random" },
});
const q = (count: number, delivered: number, median: number | null = 30_000): OfferQuality => ({
  offer: { provider: "otpzap", server: 2, service: "101", country: "7", operator: "random" },
  service_name: "WhatsApp",
  count,
  delivered,
  cancelled: 0,
  success_permille: Math.floor((delivered * 1000) / count),
  cancel_permille: 0,
  median_code_ms: median,
});

describe("quality", () => {
  it("reads a record", () => {
    expect(successText(q(6, 5))).toBe("83%");
    expect(medianText(q(6, 5, 11_500))).toBe("12 s");
    expect(medianText(q(6, 5, 110_000))).toBe("1 m 50 s");
    expect(medianText(q(6, 0, null))).toBe("–");
  });
  it("what one delivered code costs", () => {
    expect(costPerCode(item(1, 3000), q(10, 5), null)).toBe(6000);
    expect(costPerCode(item(1, 3000), q(4, 4), null)).toBeNull(); // too few to judge
    expect(costPerCode(item(1, 250_000, "USD"), q(10, 5), null)).toBeNull(); // no rate
    expect(costPerCode(item(1, 250_000, "USD"), q(10, 5), 16_000)).toBe(8000);
  });
  it("best value first; offers without enough orders after, cheapest first; sold out last", () => {
    const items = [item(1, 2000), item(2, 2500), item(3, 2600), item(4, 2700, "IDR", 0), item(5, 3000)];
    // 2000 at 40 % = 5000 per code; 2500 at 100 % = 2500; 2600 unknown; 3000 at 75 % = 4000.
    const quality = [q(10, 4), q(10, 10), null, q(10, 10), q(8, 6)];
    const order = bestValueOrder(items, quality, null).map((i) => (i.target as { service_id: number }).service_id);
    expect(order).toEqual([2, 5, 1, 3, 4]);
  });
});
