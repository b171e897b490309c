// "Buy N": the count and the limits a person types, the total confirmed, and the sentence for each
// reason a batch stops, in both languages.

import { describe, expect, it } from "vitest";
import { floorAllowed, parseCount, parseLimit, stopSentence, totalPrice } from "./batch";

describe("batch inputs", () => {
  it("counts are whole numbers from 1 to 50", () => {
    expect(parseCount("1")).toBe(1);
    expect(parseCount(50)).toBe(50);
    expect(parseCount(" 3 ")).toBe(3);
    for (const bad of ["0", "51", "2.5", "-1", "", "x", null, undefined]) expect(parseCount(bad)).toBeNull();
  });

  it("limits: empty is none, rupiah as people write them, dollars with decimals", () => {
    expect(parseLimit("", "IDR")).toBeNull();
    expect(parseLimit("  ", "IDR")).toBeNull();
    expect(parseLimit("3.000", "IDR")).toEqual({ currency: "IDR", minor: 3000 });
    expect(parseLimit("Rp 20.000", "IDR")).toEqual({ currency: "IDR", minor: 20000 });
    expect(parseLimit("2835", "IDR")).toEqual({ currency: "IDR", minor: 2835 });
    expect(parseLimit("0.25", "USD")).toEqual({ currency: "USD", minor: 250_000 });
    expect(parseLimit("1,5", "USD")).toEqual({ currency: "USD", minor: 1_500_000 });
    for (const bad of ["abc", "-5", "0", "3.5.5x"]) expect(parseLimit(bad, "IDR")).toBe("invalid");
    expect(parseLimit("x", "USD")).toBe("invalid");
  });

  it("the total is the shown price times the count; unknown when the price is", () => {
    expect(totalPrice({ currency: "IDR", minor: 2835 }, 3)).toEqual({ currency: "IDR", minor: 8505 });
    expect(totalPrice(null, 3)).toBeNull();
  });

  it("a balance floor only where the provider shows a balance", () => {
    expect(floorAllowed({ provider: "otpzap" })).toBe(true);
    expect(floorAllowed({ provider: "numberotp" })).toBe(false);
  });
});

describe("why a batch stopped", () => {
  const limits = { max: { currency: "IDR" as const, minor: 3000 }, floor: { currency: "IDR" as const, minor: 20000 } };
  const stop = (code: string) => ({ code: code as never, message: "x" });

  it("one sentence per reason, with how far it got, in English", () => {
    expect(stopSentence(stop("price_changed"), 2, 5, "en", limits)).toBe(
      "Stopped after 2 of 5: the price went up, so nothing more was bought. Check the new price and buy again.",
    );
    expect(stopSentence(stop("price_above_max"), 1, 5, "en", limits)).toBe("Stopped after 1 of 5: the price is now above your maximum of IDR 3,000.");
    expect(stopSentence(stop("out_of_stock"), 2, 4, "en", limits)).toBe("Stopped after 2 of 4: the offer sold out.");
    expect(stopSentence(stop("below_min_balance"), 2, 5, "en", limits)).toBe(
      "Stopped after 2 of 5: the next number would take your balance under IDR 20,000.",
    );
    expect(stopSentence(stop("outcome_unknown"), 1, 3, "en", limits)).toMatch(/^Stopped after 1 of 3: the provider did not answer about number 2, so it may have been charged/);
    expect(stopSentence(stop("insufficient_balance"), 0, 3, "en", limits)).toMatch(/^Stopped after 0 of 3: \S/);
    expect(stopSentence(stop("stopped_by_user"), 2, 5, "en", limits)).toBe(
      "Stopped by you after 2 of 5. The numbers bought are on the board; nothing more was bought.",
    );
  });

  it("and in Bahasa Indonesia", () => {
    expect(stopSentence(stop("price_changed"), 2, 5, "id", limits)).toMatch(/^Berhenti setelah 2 dari 5: harganya naik/);
    expect(stopSentence(stop("price_above_max"), 1, 5, "id", limits)).toBe("Berhenti setelah 1 dari 5: harga sekarang di atas batas maksimum Anda Rp 3.000.");
    expect(stopSentence(stop("out_of_stock"), 2, 4, "id", limits)).toBe("Berhenti setelah 2 dari 4: stoknya habis.");
    expect(stopSentence(stop("below_min_balance"), 2, 5, "id", limits)).toMatch(/di bawah Rp 20\.000\.$/);
    expect(stopSentence(stop("outcome_unknown"), 1, 3, "id", limits)).toMatch(/nomor ke-2/);
    expect(stopSentence(stop("stopped_by_user"), 2, 5, "id", limits)).toMatch(/^Dihentikan oleh Anda setelah 2 dari 5\./);
  });

  it("without the limit it names, the error's own sentence is used", () => {
    const s = stopSentence(stop("price_above_max"), 0, 3, "en");
    expect(s).toMatch(/^Stopped after 0 of 3: The price is above your maximum price/);
    expect(s).not.toContain("–");
  });
});
