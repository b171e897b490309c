// The ONE seam between the UI and the backend. Components and stores only ever call `ipc()`.
// `tauriIpc` wraps the generated bindings (commands + typed events); `ipc.mock.ts` implements the
// same interface for unit tests and for running the UI in a plain browser (`npm run dev`).
// Every method resolves with data or rejects with an AppError `{code, message, ...}`.

import { commands, events } from "./bindings";
import { toAppError } from "./errors";
import type {
  AppMode,
  AppStatus,
  BuyRequest,
  CatalogCountry,
  CatalogItems,
  Countries,
  EngineEvent,
  KeyStatus,
  OrderView,
  ProviderBalance,
  ProviderId,
  Settings,
} from "./types";

export type Unlisten = () => void;

export interface Ipc {
  /** Mode (real / demo), which keys are set, start-up problems. */
  status(): Promise<AppStatus>;
  /** The backend checks the key with the provider before storing it in the keyring. */
  setKey(provider: ProviderId, key: string): Promise<KeyStatus[]>;
  clearKey(provider: ProviderId): Promise<KeyStatus[]>;
  startDemo(): Promise<AppStatus>;
  stopDemo(): Promise<AppStatus>;
  balances(): Promise<ProviderBalance[]>;
  countries(): Promise<Countries>;
  catalogItems(country: CatalogCountry, search: string | null): Promise<CatalogItems>;
  buy(target: BuyRequest): Promise<OrderView>;
  activeOrders(): Promise<OrderView[]>;
  cancelOrder(id: string): Promise<OrderView>;
  finishOrder(id: string): Promise<OrderView>;
  resendCode(id: string): Promise<OrderView>;
  /** Copy the order's latest code (the backend owns the clipboard). */
  copyCode(id: string): Promise<void>;
  getSettings(): Promise<Settings>;
  updateSettings(settings: Settings): Promise<Settings>;
  onEngineEvent(cb: (e: EngineEvent) => void): Promise<Unlisten>;
  /** Real ↔ demo switch: everything must be reloaded. */
  onModeChanged(cb: (mode: AppMode) => void): Promise<Unlisten>;
}

type Res<T> = { status: "ok"; data: T } | { status: "error"; error: unknown };

/** Unwrap a binding's result; anything thrown becomes an AppError too. */
async function unwrap<T>(p: Promise<Res<T>>): Promise<T> {
  let r: Res<T>;
  try {
    r = await p;
  } catch (e) {
    throw toAppError(e);
  }
  if (r.status === "error") throw toAppError(r.error);
  return r.data;
}

export const tauriIpc: Ipc = {
  status: () => unwrap(commands.appStatus()),
  setKey: (provider, key) => unwrap(commands.setKey(provider, key)),
  clearKey: (provider) => unwrap(commands.clearKey(provider)),
  startDemo: () => unwrap(commands.startDemo()),
  stopDemo: () => unwrap(commands.stopDemo()),
  balances: () => unwrap(commands.balances()),
  countries: () => unwrap(commands.catalogCountries()),
  catalogItems: (country, search) => unwrap(commands.catalogItems(country, search)),
  buy: (target) => unwrap(commands.buy(target)),
  activeOrders: () => unwrap(commands.activeOrders()),
  cancelOrder: (id) => unwrap(commands.cancelOrder(id)),
  finishOrder: (id) => unwrap(commands.finishOrder(id)),
  resendCode: (id) => unwrap(commands.resendCode(id)),
  copyCode: async (id) => {
    await unwrap(commands.copyCode(id));
  },
  getSettings: () => unwrap(commands.getSettings()),
  updateSettings: (settings) => unwrap(commands.updateSettings(settings)),
  onEngineEvent: (cb) => events.engineEventPayload.listen((e) => cb(e.payload)),
  onModeChanged: (cb) => events.appModeChanged.listen((e) => cb(e.payload.mode)),
};

let current: Ipc | null = null;

/** The backend in use: set once at start (`useIpc`), by tests with a mock. */
export function ipc(): Ipc {
  if (!current) throw new Error("ipc not initialised: call useIpc() first");
  return current;
}

export function useIpc(impl: Ipc): void {
  current = impl;
}

/** Inside the Tauri webview (as opposed to a plain browser running `npm run dev`). */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}
