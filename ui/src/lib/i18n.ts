// Lookup and placeholder filling. Every string the user reads is in the catalogs under `i18n/`:
// `en` is the reference; `id` (Bahasa Indonesia) must have exactly the same keys (i18n.test.ts
// checks it). Placeholders are written `{name}`.

import { en, type Catalog, type MessageKey } from "./i18n/en";
import { id } from "./i18n/id";

export { en, id, type Catalog, type MessageKey };

export const catalogs: Record<"en" | "id", Catalog> = { en, id };

/** Look a key up and fill its `{placeholders}`; unknown placeholders stay visible, never "undefined". */
export function translate(
  lang: "en" | "id",
  key: MessageKey,
  params: Record<string, string | number> = {},
): string {
  const text = catalogs[lang][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}
