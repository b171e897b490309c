// Which screen is showing, demo flag, which keys are set (never the keys themselves), settings.

import { ipc } from "../ipc";
import { DEFAULT_SETTINGS, PROVIDERS, type AppStatus, type ProviderId, type Settings } from "../types";
import { locale } from "./locale.svelte";

export type Screen = "loading" | "welcome" | "main" | "keys" | "settings";

export class AppState {
  screen = $state<Screen>("loading");
  demo = $state(false);
  keys = $state<Record<ProviderId, boolean>>({ otpzap: false, numberotp: false, ooppay: false });
  settings = $state<Settings>(structuredClone(DEFAULT_SETTINGS));
  /** Could not reach the backend at start; shown as a full-window message with a retry. */
  startError = $state<unknown>(null);

  get anyKey(): boolean {
    return PROVIDERS.some((p) => this.keys[p]);
  }

  apply(s: AppStatus): void {
    this.demo = s.demo;
    for (const k of s.keys) this.keys[k.provider] = k.set;
    this.settings = { ...structuredClone(DEFAULT_SETTINGS), ...s.settings };
    locale.lang = this.settings.language;
  }

  async load(): Promise<void> {
    this.startError = null;
    try {
      this.apply(await ipc().status());
      this.screen = this.demo || this.anyKey ? "main" : "welcome";
    } catch (e) {
      this.startError = e;
    }
  }

  go(screen: Screen): void {
    this.screen = screen;
  }

  async setKey(provider: ProviderId, key: string): Promise<void> {
    await ipc().setKey(provider, key.trim());
    this.keys[provider] = true;
  }

  async clearKey(provider: ProviderId): Promise<void> {
    await ipc().clearKey(provider);
    this.keys[provider] = false;
  }

  async startDemo(): Promise<void> {
    this.apply(await ipc().startDemo());
    this.screen = "main";
  }

  async stopDemo(): Promise<void> {
    this.apply(await ipc().stopDemo());
    this.screen = this.anyKey ? "main" : "welcome";
  }

  async saveSettings(next: Settings): Promise<void> {
    this.settings = await ipc().saveSettings(next);
    locale.lang = this.settings.language;
  }
}

export const app = new AppState();
