// Starts the app: picks the backend, loads state, forwards engine events to the stores, ticks the
// clock. Components call these helpers so every error becomes a friendly toast the same way.

import { team } from "./stores/team.svelte";
import { friendlyError, isTransient } from "./errors";
import { inTauri, ipc, tauriIpc, useIpc, type Unlisten } from "./ipc";
import { MockIpc } from "./ipc.mock";
import { desk } from "./stores/desk.svelte";
import { app, WORK_SCREENS } from "./stores/app.svelte";
import { attempts } from "./stores/attempts.svelte";
import { balances } from "./stores/balances.svelte";
import { deposits } from "./stores/deposits.svelte";
import { catalog, type CatalogTab } from "./stores/catalog.svelte";
import { clock } from "./stores/clock.svelte";
import { locale, t } from "./stores/locale.svelte";
import { board } from "./stores/orders.svelte";
import { toasts } from "./stores/toasts.svelte";
import { update } from "./stores/update.svelte";
import { view } from "./stores/view.svelte";
import { formatMoney } from "./format";
import { CATALOG_SOURCES, PROVIDER_NAMES, type EngineEvent, type OrderView, type OtpView, type SavedView } from "./types";

/** Show an error as a friendly toast. */
export function showError(e: unknown): void {
  toasts.show("error", () => friendlyError(e, locale.lang, clock.now));
}

/** What the UI does with one engine event (exported for tests). */
export function onEngineEvent(e: EngineEvent): void {
  board.apply(e);
  // An event cleared an order's allowed actions: read the backend's view again quickly.
  if (board.stale.size) refreshOrdersSoon(300);
  deposits.apply(e);
  attempts.apply(e);
  switch (e.type) {
    case "order_created":
      refreshOrdersSoon();
      balances.refreshSoon();
      // One number fewer in stock (and a price may have moved): the catalog reads again soon.
      catalog.invalidate();
      break;
    case "watch_alert":
      catalog.applyWatch(e.watch);
      break;
    case "request_changed":
      team.applyRequest(e.request);
      break;
    case "balance_changed":
      balances.refreshSoon();
      break;
    case "deposit_paid":
      balances.refreshSoon(200);
      {
        const got = e.deposit.credited ?? e.deposit.amount;
        toasts.show("success", () => t("deposit.paidToast", { amount: formatMoney(got.minor, got.currency, locale.lang) }));
      }
      break;
    case "order_status_changed":
      if (["cancelled", "expired", "failed", "completed", "replaced"].includes(e.to)) balances.refreshSoon();
      break;
    case "outcome_unknown":
      // The board lists the attempt (no toast on top). The balance is read again at once: it is
      // the first thing a reseller looks at to tell whether the lost purchase was charged.
      balances.refreshSoon(200);
      break;
    case "provider_error":
      if (!isTransient(e.code)) {
        const text = friendlyError({ code: e.code, message: e.message }, locale.lang);
        toasts.show("error", () => t("error.background", { provider: PROVIDER_NAMES[e.provider] ?? e.provider, text }));
      }
      break;
  }
}

/** A new code: the backend notifies (and copies, when auto-copy is on); the window says so too. */
function onOtp(o: OrderView, otp: OtpView): void {
  const code = otp.code;
  if (!code) return;
  toasts.show("code", () => t(app.settings.auto_copy ? "order.autoCopied" : "order.otpToast", { code, service: otp.service ?? o.service }), undefined, {
    copy: { orderId: o.id, code },
  });
}
board.hooks.onOtp = onOtp;

let unlisten: Unlisten[] = [];
let pruneTimer: ReturnType<typeof setInterval> | null = null;
let refreshTimer: ReturnType<typeof setInterval> | null = null;
let refreshSoonTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * Re-read the active orders from the backend's store. Events carry status and codes; other fields
 * the engine learns later while tracking (expiry, resend lock) arrive this way.
 */
export async function refreshOrders(): Promise<void> {
  if (!app.working) return;
  try {
    board.load(await ipc().activeOrders());
  } catch {
    // Quiet: the next refresh or event will do; actions report their own errors.
  }
}

let refreshSoonAt = 0;
function refreshOrdersSoon(delayMs = 2500): void {
  const at = Date.now() + delayMs;
  // A pending refresh that comes sooner will do; a later one is brought forward.
  if (refreshSoonTimer && refreshSoonAt <= at) return;
  if (refreshSoonTimer) clearTimeout(refreshSoonTimer);
  refreshSoonAt = at;
  refreshSoonTimer = setTimeout(() => {
    refreshSoonTimer = null;
    void refreshOrders();
  }, delayMs);
}

/** A purchase returned `orders`: show them at once; orders and balances are read again shortly. */
export function afterPurchase(orders: OrderView[]): void {
  for (const o of orders) board.upsert(o);
  refreshOrdersSoon();
  balances.refreshSoon(300);
}

/** Load everything the main window shows. */
export async function loadMain(): Promise<void> {
  board.loading = true;
  const orders = ipc()
    .activeOrders()
    .then((list) => board.load(list))
    .catch(showError)
    .finally(() => (board.loading = false));
  await Promise.all([orders, balances.refresh(), catalog.loadCountries(), attempts.load()]);
}

let reloading: Promise<void> | null = null;
let reloadAgain = false;

/**
 * Real ↔ demo switched (here, from the tray, or a key change reopened the session): start over
 * with the new data. Calls that arrive while a reload runs are folded into one more reload.
 */
export function reloadAll(): Promise<void> {
  if (reloading) {
    reloadAgain = true;
    return reloading;
  }
  reloading = (async () => {
    do {
      reloadAgain = false;
      await app.load();
      desk.reset();
      await team.load();
      if (app.working) {
        const orders = await ipc().activeOrders().catch(() => null);
        board.clear();
        deposits.clear();
        if (orders) board.load(orders);
        // Read the top-ups again too: the Top up screen may be open (an invoice just created
        // there must not vanish because a saved key reopened the session).
        await Promise.all([balances.refresh(), catalog.loadCountries(), attempts.load(), deposits.load()]);
      } else {
        board.clear();
        deposits.clear();
      }
    } while (reloadAgain);
  })().finally(() => {
    reloading = null;
  });
  return reloading;
}

export async function start(): Promise<void> {
  useIpc(inTauri() ? tauriIpc : new MockIpc({ autoDeliverMs: 6000 }));
  clock.start();
  pruneTimer ??= setInterval(() => board.prune(), 5000);
  refreshTimer ??= setInterval(() => void refreshOrders(), 15_000);
  try {
    unlisten.push(await ipc().onEngineEvent(onEngineEvent));
    unlisten.push(await ipc().onModeChanged(() => void reloadAll()));
    unlisten.push(await ipc().onBalanceUpdated((b) => balances.put(b)));
    unlisten.push(await ipc().onLowBalance(() => balances.refreshSoon(200)));
    unlisten.push(await ipc().onUpdateReady((u) => update.announced(u)));
  } catch (e) {
    showError(e);
  }
  // A window rebuilt after its webview was closed opens where the user left it.
  const saved = view.load();
  team.watch();
  await app.load();
  const moves = app.moves;
  void team.load();
  restoreView(await saved, moves);
  // An update found before the window (re)opened is announced by its status.
  void update.load();
  if (app.working) await loadMain();
}

/**
 * Put back the screen and catalog of a saved view (screens take their own parts). `moves`: the
 * screen choices counted before the saved view was read: when the user already picked a screen
 * meanwhile (a slow start), their choice stands.
 */
export function restoreView(saved: SavedView | null, moves = app.moves): void {
  if (saved && app.working && app.moves === moves) {
    if ((WORK_SCREENS as readonly string[]).includes(saved.screen)) app.go(saved.screen as (typeof WORK_SCREENS)[number]);
    const tabs: readonly string[] = ["all", "special", "fav", ...CATALOG_SOURCES];
    if (tabs.includes(saved.catalog.tab)) catalog.source = saved.catalog.tab as CatalogTab;
    catalog.service = saved.catalog.search;
  }
  view.ready = true;
}

export async function switchDemo(on: boolean): Promise<void> {
  try {
    if (on) await app.startDemo();
    else await app.stopDemo();
    await reloadAll();
  } catch (e) {
    showError(e);
  }
}

export function stop(): void {
  for (const u of unlisten) u();
  unlisten = [];
  clock.stop();
  update.stop();
  team.stop();
  if (pruneTimer) clearInterval(pruneTimer);
  if (refreshTimer) clearInterval(refreshTimer);
  pruneTimer = refreshTimer = null;
}
