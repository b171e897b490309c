// Which screen is showing, real or demo mode, which keys are set (never the keys themselves),
// settings, and start-up problems.

import { ipc } from "../ipc";
import { DEFAULT_SETTINGS, PROVIDERS, type AppError, type AppStatus, type KeyStatus, type ProviderId, type Settings, type Theme } from "../types";
import { locale, resolveLanguage } from "./locale.svelte";

export type Screen = "loading" | "welcome" | "main" | "email" | "deposits" | "history" | "keys" | "settings";

/** The screens of the top bar, in order (Ctrl+1 … Ctrl+6). */
export const WORK_SCREENS = ["main", "email", "deposits", "history", "keys", "settings"] as const;

const THEME_KEY = "otpdesk.theme";

function loadTheme(): Theme {
  try {
    const v = globalThis.localStorage?.getItem(THEME_KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

/**
 * Where to be after (re)loading: the first screen at start; the welcome screen whenever nothing is
 * usable; the demo goes straight to work. A key added on the welcome screen does not whisk the
 * user away: they may want to add another one, and press Continue when ready.
 */
export function nextScreen(current: Screen, demo: boolean, anyKey: boolean): Screen {
  if (demo) return current === "loading" || current === "welcome" ? "main" : current;
  if (!anyKey) return "welcome";
  return current === "loading" ? "main" : current;
}

export class AppState {
  screen = $state<Screen>("loading");
  demo = $state(false);
  keys = $state<Record<ProviderId, boolean>>({ otpzap: false, numberotp: false, ooppay: false });
  /** A key is saved but was checked at another address: it is not used and must be entered again. */
  keyElsewhere = $state<Record<ProviderId, boolean>>({ otpzap: false, numberotp: false, ooppay: false });
  settings = $state<Settings>(structuredClone(DEFAULT_SETTINGS));
  theme = $state<Theme>(loadTheme());
  /** The keyring could not be read: keys show as not set and a notice explains why. */
  keyringError = $state<AppError | null>(null);
  /** The app could not open its data, or the backend could not be reached at all. */
  problem = $state<unknown>(null);
  version = $state("");
  /** Where each configured provider is asked now (NumberOTP: the host that answered). */
  addresses = $state<Partial<Record<ProviderId, string>>>({});
  /** This computer works in a team: an operator needs no key of their own. */
  team = $state(false);
  /** Team mode: providers with no key here whose offers and prices come through the team. */
  teamSells = $state<ProviderId[]>([]);
  /** The OS locale the backend reported ("id-ID"), for "Same as the system". */
  systemLocale = $state<string | null>(null);

  /** On a work screen (past loading and welcome): the main window's data is wanted. */
  get working(): boolean {
    return this.screen !== "loading" && this.screen !== "welcome";
  }

  /** Whether this computer can show and buy `p`'s offers: its key here, or through the team. */
  sells(p: ProviderId): boolean {
    return this.keys[p] || this.teamSells.includes(p);
  }

  get anyKey(): boolean {
    return PROVIDERS.some((p) => this.keys[p]);
  }

  applyKeys(list: KeyStatus[]): void {
    for (const k of list) {
      this.keys[k.provider] = k.set;
      this.keyElsewhere[k.provider] = k.source === "other_address";
    }
  }

  apply(s: AppStatus): void {
    this.demo = s.mode === "demo";
    this.applyKeys(s.keys);
    this.keyringError = s.keyring_error;
    this.problem = s.problem;
    this.version = s.version;
    this.team = s.team ?? false;
    this.teamSells = s.team_sells ?? [];
    this.addresses = Object.fromEntries((s.addresses ?? []).map((a) => [a.provider, a.in_use]));
  }

  /** Read the status again (e.g. the addresses in use, once a probe settled them). */
  async refresh(): Promise<void> {
    try {
      this.apply(await ipc().status());
    } catch {
      // The screen keeps what it had; `load` reports problems.
    }
  }

  applySettings(s: Settings): void {
    this.settings = { ...structuredClone(DEFAULT_SETTINGS), ...s };
    const system = this.systemLocale ? [this.systemLocale] : undefined;
    locale.lang = resolveLanguage(this.settings.language, system);
  }

  /** Ask the backend where we stand and pick the first screen. */
  async load(): Promise<void> {
    this.problem = null;
    try {
      const [status, settings, systemLocale] = await Promise.all([
        ipc().status(),
        ipc().getSettings().catch(() => null),
        ipc().systemLocale().catch(() => null),
      ]);
      this.systemLocale = systemLocale;
      this.apply(status);
      if (settings) this.applySettings(settings);
      this.screen = nextScreen(this.screen, this.demo, this.anyKey || this.team);
    } catch (e) {
      this.problem = e;
    }
  }

  /** How many times a screen was chosen (a saved view restored late must not undo a click). */
  moves = 0;

  go(screen: Screen): void {
    this.moves += 1;
    this.screen = screen;
  }

  async setKey(provider: ProviderId, key: string): Promise<void> {
    this.applyKeys(await ipc().setKey(provider, key.trim()));
  }

  async clearKey(provider: ProviderId): Promise<void> {
    this.applyKeys(await ipc().clearKey(provider));
  }

  async startDemo(): Promise<void> {
    this.apply(await ipc().startDemo());
    this.screen = "main";
  }

  async stopDemo(): Promise<void> {
    this.apply(await ipc().stopDemo());
    this.screen = this.anyKey || this.team ? "main" : "welcome";
  }

  /**
   * Save settings. Moving a provider with a key to another address is confirmed by a native dialog
   * in the backend, which then removes that key: the keys are read again. Rejects with `cancelled`
   * when the user said no (nothing changed).
   */
  async saveSettings(next: Settings): Promise<void> {
    const before = JSON.stringify(this.settings.base_urls);
    this.applySettings(await ipc().updateSettings(next));
    if (JSON.stringify(this.settings.base_urls) !== before) {
      this.applyKeys((await ipc().status()).keys);
    }
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    try {
      globalThis.localStorage?.setItem(THEME_KEY, theme);
    } catch {
      // Private mode or no storage: the choice lasts for this session.
    }
  }
}

export const app = new AppState();
