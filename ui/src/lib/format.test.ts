import { describe, expect, it } from "vitest";
import { formatIn, formatMoney, formatPhone, formatTimeLeft } from "./format";

describe("formatMoney", () => {
  it("formats rupiah per language", () => {
    expect(formatMoney(2835, "IDR", "id")).toBe("Rp 2.835");
    expect(formatMoney(2835, "IDR", "en")).toBe("IDR 2,835");
    expect(formatMoney(1250000, "IDR", "id")).toBe("Rp 1.250.000");
    expect(formatMoney(0, "IDR", "id")).toBe("Rp 0");
  });

  it("formats USDT micro-units without float error", () => {
    expect(formatMoney(11_500_000, "USDT")).toBe("USDT 11.50");
    expect(formatMoney(10_123_456, "USDT")).toBe("USDT 10.123456");
    expect(formatMoney(-50_000, "USDT", "id")).toBe("-USDT 0,05");
  });

  it("formats USD prices of a quarter dollar", () => {
    expect(formatMoney(250_000, "USD", "en")).toBe("USD 0.25");
    expect(formatMoney(10_000_000, "USD", "id")).toBe("USD 10,00");
  });
});

describe("formatTimeLeft", () => {
  it("shows minutes and seconds", () => {
    expect(formatTimeLeft(119_000)).toBe("1:59");
    expect(formatTimeLeft(118_200)).toBe("1:59");
    expect(formatTimeLeft(120_000)).toBe("2:00");
    expect(formatTimeLeft(5_000)).toBe("0:05");
    expect(formatTimeLeft(20 * 60_000)).toBe("20:00");
  });
  it("never goes negative and shows hours when needed", () => {
    expect(formatTimeLeft(-3_000)).toBe("0:00");
    expect(formatTimeLeft(3_723_000)).toBe("1:02:03");
  });
});

describe("formatIn", () => {
  it("says the wait in words per language", () => {
    expect(formatIn(45_000)).toBe("in 45 s");
    expect(formatIn(120_000)).toBe("in 2 min");
    expect(formatIn(119_000)).toBe("in 2 min");
    expect(formatIn(61_000, "id")).toBe("dalam 2 mnt");
    expect(formatIn(30_000, "id")).toBe("dalam 30 dtk");
    expect(formatIn(90 * 60_000)).toBe("in 1 h 30 min");
  });
});

describe("formatPhone", () => {
  it("adds a plus to bare international numbers", () => {
    expect(formatPhone("6281234567890")).toBe("+6281234567890");
    expect(formatPhone("+1 415 555")).toBe("+1 415 555");
  });
});
