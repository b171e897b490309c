// The language in use; `t()` reads it, so text re-renders when it changes.

import { translate, type MessageKey } from "../i18n";
import type { Language } from "../types";

class Locale {
  lang = $state<Language>("en");
}

export const locale = new Locale();

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return translate(locale.lang, key, params);
}
