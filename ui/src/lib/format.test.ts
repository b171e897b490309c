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

import { formatDate, formatDateTime, parseRupiah, parseUsdt, plainAmount, toRupiah } from "./format";

describe("dates follow the language", () => {
  it("writes days and times with Intl", () => {
    const iso = "2026-11-23T07:05:00Z";
    expect(formatDate(iso, "en")).toMatch(/\d{1,2} Nov 2026/);
    expect(formatDate(iso, "id")).toMatch(/\d{1,2} Nov 2026/);
    expect(formatDate("2026-08-02T12:00:00Z", "id")).toMatch(/Agu/);
    expect(formatDate("2026-08-02T12:00:00Z", "en")).toMatch(/Aug/);
    expect(formatDateTime(iso, "en")).toMatch(/2026, \d\d:05$/);
    expect(formatDateTime(iso, "id")).toMatch(/2026, \d\d[.:]05$/);
    expect(formatDate("not a date")).toBe("");
  });
});

describe("amounts typed by people", () => {
  it("reads rupiah with either separator", () => {
    expect(parseRupiah("50000")).toBe(50000);
    expect(parseRupiah("50.000")).toBe(50000);
    expect(parseRupiah("1,250,000")).toBe(1250000);
    expect(parseRupiah("Rp 100.000")).toBe(100000);
    expect(parseRupiah("12.5")).toBeNull();
    expect(parseRupiah("0")).toBeNull();
    expect(parseRupiah("abc")).toBeNull();
  });
  it("reads USDT with a dot or a comma, never through floats", () => {
    expect(parseUsdt("10")).toBe("10");
    expect(parseUsdt("10,5")).toBe("10.5");
    expect(parseUsdt("0.000001")).toBe("0.000001");
    expect(parseUsdt("25.500000")).toBe("25.5");
    expect(parseUsdt("1.1234567")).toBeNull();
    expect(parseUsdt("0")).toBeNull();
    expect(parseUsdt("-3")).toBeNull();
  });
});

describe("comparing and exporting money", () => {
  it("converts dollars to rupiah only with a rate", () => {
    expect(toRupiah(2835, "IDR", null)).toBe(2835);
    expect(toRupiah(250_000, "USD", null)).toBeNull();
    expect(toRupiah(250_000, "USD", 16_000)).toBe(4000);
    expect(toRupiah(1_500_000, "USDT", 16_250)).toBe(24375);
  });
  it("writes plain amounts for copying", () => {
    expect(plainAmount(2835, "IDR")).toBe("2835");
    expect(plainAmount(250_000, "USD")).toBe("0.25");
    expect(plainAmount(-11_500_000, "USDT")).toBe("-11.5");
    expect(plainAmount(10_000_000, "USDT")).toBe("10");
  });
});
