// The language in use; `t()` reads it, so text re-renders when it changes.

import { translate, type MessageKey } from "../i18n";
import type { Language, UiLanguage } from "../types";

class Locale {
  lang = $state<UiLanguage>("en");
}

export const locale = new Locale();

/** "system" follows the OS / webview language: Indonesian when it is Indonesian, else English. */
export function resolveLanguage(setting: Language, systemLanguages: readonly string[] = systemLangs()): UiLanguage {
  if (setting === "en" || setting === "id") return setting;
  return systemLanguages.some((l) => /^(id|in)\b/i.test(l)) ? "id" : "en";
}

function systemLangs(): readonly string[] {
  if (typeof navigator === "undefined") return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language ?? ""];
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return translate(locale.lang, key, params);
}
