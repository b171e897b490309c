import { describe, expect, it } from "vitest";
import { en, id, translate } from "./i18n";

describe("i18n catalogs", () => {
  it("have exactly the same keys", () => {
    expect(Object.keys(id).sort()).toEqual(Object.keys(en).sort());
  });

  it("have no empty text and the same placeholders in both languages", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(en[key].trim(), key).not.toBe("");
      expect(id[key].trim(), key).not.toBe("");
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(id[key]), key).toEqual(names(en[key]));
    }
  });

  it("fills placeholders", () => {
    expect(translate("en", "order.cancelIn", { time: "1:59" })).toBe("Cancel in 1:59");
    expect(translate("id", "order.cancelIn", { time: "1:59" })).toBe("Batal dalam 1:59");
    expect(translate("en", "key.label", {})).toBe("{provider} API key");
  });
});

import bindings from "./bindings.ts?raw";
import { hasKey } from "./i18n";

describe("every backend status has a sentence", () => {
  // Error codes: errors.test.ts.
  it("covers every catalog source", () => {
    const block = /export type CatalogSource =([\s\S]*?);\n/.exec(bindings)?.[1] ?? "";
    const sources = [...block.matchAll(/"([a-z0-9_]+)"/g)].map((m) => m[1]);
    expect(sources.filter((s) => !hasKey(`catalog.source.${s}`))).toEqual([]);
  });
});
