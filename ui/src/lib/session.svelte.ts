// Starts the app: picks the backend, loads state, forwards engine events to the stores, ticks the
// clock. Components call these helpers so every error becomes a friendly toast the same way.

import { copyText } from "./clipboard";
import { friendlyError, isTransient } from "./errors";
import { inTauri, ipc, tauriIpc, useIpc, type Unlisten } from "./ipc";
import { MockIpc } from "./ipc.mock";
import { chime } from "./sound";
import { app } from "./stores/app.svelte";
import { balances } from "./stores/balances.svelte";
import { catalog } from "./stores/catalog.svelte";
import { clock } from "./stores/clock.svelte";
import { locale, t } from "./stores/locale.svelte";
import { board } from "./stores/orders.svelte";
import { toasts } from "./stores/toasts.svelte";
import { PROVIDER_NAMES, type EngineEvent, type OrderView } from "./types";

/** Show an error as a friendly toast. */
export function showError(e: unknown): void {
  toasts.show("error", friendlyError(e, locale.lang, clock.now));
}

export async function copyWithToast(text: string, what: "code" | "number"): Promise<boolean> {
  const ok = await copyText(text);
  if (!ok) toasts.show("error", t("error.unknown"));
  void what;
  return ok;
}

function onEvent(e: EngineEvent): void {
  board.apply(e);
  if (e.type === "balance_changed" || e.type === "order_created") balances.refreshSoon();
  if (e.type === "order_status_changed") {
    const to = (e as { to: string }).to;
    if (["cancelled", "expired", "failed", "completed"].includes(to)) balances.refreshSoon();
  }
  if (e.type === "outcome_unknown") toasts.show("error", t("error.outcome_unknown"), 0);
  if (e.type === "provider_error") {
    const pe = e as { provider: keyof typeof PROVIDER_NAMES; code: string };
    if (!isTransient(pe.code)) {
      toasts.show("error", t("error.background", { provider: PROVIDER_NAMES[pe.provider] ?? pe.provider, text: friendlyError(pe, locale.lang) }));
    }
  }
}

board.hooks.onOtp = (o: OrderView, otp) => {
  const code = otp.code ?? "";
  if (app.settings.sound) chime();
  if (code && app.settings.auto_copy) {
    void copyText(code).then((ok) => ok && toasts.show("code", t("order.autoCopied", { code })));
  } else if (code) {
    toasts.show("code", t("order.otpToast", { code, service: o.service }));
  }
};

let unlisten: Unlisten | null = null;
let pruneTimer: ReturnType<typeof setInterval> | null = null;

/** Load everything the main window shows. */
export async function loadMain(): Promise<void> {
  board.loading = true;
  const orders = ipc()
    .activeOrders()
    .then((list) => board.load(list))
    .catch(showError)
    .finally(() => (board.loading = false));
  await Promise.all([orders, balances.refresh(), catalog.loadFor(app.keys)]);
}

export async function start(): Promise<void> {
  useIpc(inTauri() ? tauriIpc : new MockIpc({ autoDeliverMs: 6000 }));
  clock.start();
  pruneTimer ??= setInterval(() => board.prune(), 5000);
  try {
    unlisten ??= await ipc().onEngineEvent(onEvent);
  } catch (e) {
    showError(e);
  }
  await app.load();
  if (app.screen === "main") await loadMain();
}

export function stop(): void {
  unlisten?.();
  unlisten = null;
  clock.stop();
  if (pruneTimer) clearInterval(pruneTimer);
  pruneTimer = null;
}
