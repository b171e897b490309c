import { describe, expect, it } from "vitest";
import { markupText, moneyList, salePriceOf } from "./desk";

describe("desk helpers", () => {
  it("reads the sale price field", () => {
    expect(salePriceOf("")).toBeNull();
    expect(salePriceOf(" 5.000 ")).toEqual({ currency: "IDR", minor: 5000 });
    expect(salePriceOf("Rp 12,500")).toEqual({ currency: "IDR", minor: 12500 });
    expect(salePriceOf("0")).toEqual({ currency: "IDR", minor: 0 });
    expect(salePriceOf("abc")).toBeUndefined();
    expect(salePriceOf("-5")).toBeUndefined();
  });
  it("writes rules and sums", () => {
    expect(markupText({ kind: "flat", value: 1500 }, "id")).toBe("+ Rp 1.500");
    expect(markupText({ kind: "percent", value: 30 }, "en")).toBe("+ 30%");
    expect(moneyList([], "en")).toBe("–");
    expect(moneyList([{ currency: "IDR", minor: 5000 }], "id")).toBe("Rp 5.000");
  });
});
