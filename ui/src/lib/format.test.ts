import { describe, expect, it } from "vitest";
import { formatMoney } from "./format";

describe("formatMoney", () => {
  it("formats rupiah per language", () => {
    expect(formatMoney(2835, "IDR", "id")).toBe("Rp 2.835");
    expect(formatMoney(2835, "IDR", "en")).toBe("IDR 2,835");
    expect(formatMoney(1250000, "IDR", "id")).toBe("Rp 1.250.000");
  });

  it("formats USDT micro-units without float error", () => {
    expect(formatMoney(11_500_000, "USDT")).toBe("USDT 11.50");
    expect(formatMoney(10_123_456, "USDT")).toBe("USDT 10.123456");
    expect(formatMoney(-50_000, "USDT", "id")).toBe("-USDT 0,05");
  });
});
