// The ONE seam between the UI and the backend. Components and stores only ever call `ipc()`.
// `tauriIpc` talks to the Tauri shell; `ipc.mock.ts` implements the same interface for unit tests
// and for running the UI in a plain browser (`npm run dev`).

import { toAppError } from "./errors";
import type {
  AppStatus,
  Balance,
  BuyRequest,
  CatalogItem,
  CatalogSource,
  EngineEvent,
  OrderView,
  ProviderId,
  Settings,
} from "./types";

export type Unlisten = () => void;

export interface Ipc {
  /** Demo flag, which keys are set, settings. */
  status(): Promise<AppStatus>;
  /** Store a key after the backend checked it with the provider. Throws AppError when refused. */
  setKey(provider: ProviderId, key: string): Promise<void>;
  clearKey(provider: ProviderId): Promise<void>;
  startDemo(): Promise<AppStatus>;
  stopDemo(): Promise<AppStatus>;
  balances(): Promise<Balance[]>;
  catalog(source: CatalogSource): Promise<CatalogItem[]>;
  buy(req: BuyRequest): Promise<OrderView>;
  activeOrders(): Promise<OrderView[]>;
  cancelOrder(id: string): Promise<OrderView>;
  finishOrder(id: string): Promise<OrderView>;
  resendOrder(id: string): Promise<OrderView>;
  saveSettings(settings: Settings): Promise<Settings>;
  /** Engine events forwarded by the shell (order created, status changed, OTP received, ...). */
  onEngineEvent(cb: (e: EngineEvent) => void): Promise<Unlisten>;
}

/** Call a command and turn any rejection into an AppError (`{code, message}`). */
async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  const { invoke } = await import("@tauri-apps/api/core");
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e);
  }
}

export const tauriIpc: Ipc = {
  status: () => call("app_status"),
  setKey: (provider, key) => call("set_api_key", { provider, key }),
  clearKey: (provider) => call("clear_api_key", { provider }),
  startDemo: () => call("start_demo"),
  stopDemo: () => call("stop_demo"),
  balances: () => call("balances"),
  catalog: (source) => call("catalog", { source }),
  buy: (req) => call("buy", { req }),
  activeOrders: () => call("active_orders"),
  cancelOrder: (id) => call("cancel_order", { orderId: id }),
  finishOrder: (id) => call("finish_order", { orderId: id }),
  resendOrder: (id) => call("resend_order", { orderId: id }),
  saveSettings: (settings) => call("save_settings", { settings }),
  async onEngineEvent(cb) {
    const { listen } = await import("@tauri-apps/api/event");
    return listen<EngineEvent>("engine-event", (e) => cb(e.payload));
  },
};

let current: Ipc | null = null;

/** The backend in use. Inside Tauri: the shell; elsewhere (browser preview): the mock. */
export function ipc(): Ipc {
  if (!current) throw new Error("ipc not initialised: call useIpc() first");
  return current;
}

export function useIpc(impl: Ipc): void {
  current = impl;
}

export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}
