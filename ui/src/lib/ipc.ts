// The ONE seam between the UI and the backend. Components and stores only ever call `ipc()`.
// `tauriIpc` wraps the generated bindings (commands + typed events); `ipc.mock.ts` implements the
// same interface for unit tests and for running the UI in a plain browser (`npm run dev`).
// Every method resolves with data or rejects with an AppError `{code, message, ...}`.

import { commands, events } from "./bindings";
import { toAppError } from "./errors";
import type {
  AppError,
  AppMode,
  CancelWarning,
  OfferQuality,
  AttemptView,
  BatchProgress,
  BatchRequest,
  BatchResult,
  OfferAgain,
  DepositInfo,
  EmailBuy,
  EmailDomainOffer,
  EmailSiteChoice,
  HistoryPage,
  HistoryQuery,
  LedgerEntry,
  LowBalanceAlert,
  Money,
  AppStatus,
  BuyRequest,
  CatalogCountry,
  CatalogItem,
  CatalogItems,
  Countries,
  EngineEvent,
  KeyStatus,
  OrderView,
  ProviderBalance,
  ProviderId,
  Quote,
  SavedView,
  Settings,
  UpdateReady,
  UpdateStatus,
  JobRequest,
  JobView,
  MaxPrice,
  Blocklist,
  BlockKind,
  BlockSuggestion,
  WatchRequest,
  WatchView,
  Customer,
  HandOff,
  OrderDesk,
  PriceList,
  PriceListView,
  ShareApp,
  Suggestion,
  Template,
  TemplateKind,
  TemplateLang,
  TeamStatus,
  SoldBy,
  RequestView,
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
  /**
   * Buy after the backend re-reads the offer: `out_of_stock` when none is left, `price_changed`
   * when it now costs more than `expectedPrice` (the price the user saw).
   */
  buyChecked(target: BuyRequest, expectedPrice: Money | null): Promise<OrderView>;
  /** Ask the provider about an open order now (email "check inbox"). */
  checkOrder(id: string): Promise<OrderView>;
  activeOrders(): Promise<OrderView[]>;
  cancelOrder(id: string): Promise<OrderView>;
  finishOrder(id: string): Promise<OrderView>;
  resendCode(id: string): Promise<OrderView>;
  /** Copy the order's latest code (the backend owns the clipboard). */
  copyCode(id: string): Promise<void>;
  getSettings(): Promise<Settings>;
  updateSettings(settings: Settings): Promise<Settings>;

  // ---- Everything a reseller does (issue #5).
  /** OTPZap Server 1: a fresh number for the same product, same price. Returns the new order. */
  replaceNumber(id: string): Promise<OrderView>;
  /** Orders (with sale price and net cost) and deposits matching `q`, newest first. */
  history(q: HistoryQuery): Promise<HistoryPage>;
  /** Record what an order was sold for (`null` clears it). */
  setSalePrice(orderId: string, price: Money | null): Promise<OrderView>;
  /** Native save dialog, then the backend writes the CSV; the path, or `null` when cancelled. */
  exportHistoryCsv(q: HistoryQuery): Promise<string | null>;
  /** OTPZap Server 2 operators of a country, "random" (OTPZap picks) first. */
  s2Operators(country: CatalogCountry): Promise<string[]>;
  /** OTPZap Server 2 special services (no country, no operator). */
  s2Specials(): Promise<CatalogItem[]>;
  emailSites(): Promise<EmailSiteChoice[]>;
  emailDomains(site: string): Promise<EmailDomainOffer[]>;
  /** One order per inbox (qty). */
  buyEmail(req: EmailBuy): Promise<OrderView[]>;
  emailReorder(id: string): Promise<OrderView>;
  /** OTPZap QRIS invoice for `rupiah` (with its QR code drawn by the backend as SVG). */
  topupQris(rupiah: number): Promise<DepositInfo>;
  /** OOPPay USDT-TRC20 invoice; `amount` as a decimal string ("10.5"). */
  topupUsdt(amount: string): Promise<DepositInfo>;
  deposits(activeOnly: boolean): Promise<DepositInfo[]>;
  deposit(id: string): Promise<DepositInfo>;
  /** Open a QRIS invoice's payment page in the browser (the backend checks the address). */
  openPaymentPage(depositId: string): Promise<void>;
  /** Demo mode only: play the payer. */
  demoPay(depositId: string): Promise<void>;
  ledger(provider: ProviderId | null): Promise<LedgerEntry[]>;
  /** Each catalog target's record from the user's own history, in order (`null`: never bought). */
  offerQuality(targets: BuyRequest[]): Promise<(OfferQuality | null)[]>;
  /** Providers whose recent cancel rate risks the account (empty when all is well). */
  cancelWarnings(): Promise<CancelWarning[]>;
  /** Purchases whose outcome is unknown (check or dismiss). */
  unknownAttempts(): Promise<AttemptView[]>;
  /** Replace attempts only: look it up without buying (other kinds are refused with `not_allowed`). */
  checkAttempt(id: string): Promise<AttemptView>;
  /** The fresh price and stock of what a number or inbox attempt would buy ("Buy now at Rp X?"). */
  attemptQuote(id: string): Promise<Quote>;
  /** Today's price and stock of what `target` buys (free; nothing is bought). */
  quote(target: BuyRequest): Promise<Quote>;
  /**
   * The user's "Buy now" on an unknown purchase after seeing the quote (same Idempotency-Key where
   * the provider supports it): `price_changed` when it now costs more than `expected`.
   */
  buyAttemptAgain(id: string, expected: Money | null): Promise<OrderView>;
  dismissAttempt(id: string): Promise<AttemptView>;

  // ---- Working at volume (issue #11).
  /**
   * "Buy N" of one offer: each number its own purchase, held to `expectedPrice` (the price the user
   * confirmed), the batch's maximum price and balance floor; `onProgress` hears of each number
   * bought and of the stop while it runs. The result lists what was bought and why it stopped.
   */
  buyBatch(batchId: string, batch: BatchRequest, expectedPrice: Money | null, onProgress: (p: BatchProgress) => void): Promise<BatchResult>;
  /**
   * "Stop" for a running batch: the number under way finishes, nothing after it is bought.
   * `false`: that batch had already finished.
   */
  stopBatch(batchId: string): Promise<boolean>;
  /** "Buy again": the offer an order was bought from, with today's price. Buys nothing. */
  quoteAgain(orderId: string): Promise<OfferAgain>;
  /** The OS locale ("id-ID"), when the backend knows it. */
  systemLocale(): Promise<string | null>;
  /** Open the folder of the log files in the file manager (for a support request). */
  openLogFolder(): Promise<void>;
  /**
   * Quit OTPDesk (the way out where the desktop shows no tray). The backend asks first in a
   * native dialog while orders wait for their first code; `false`: the user kept it running.
   */
  quit(): Promise<boolean>;
  /** Keep what the window shows, so a window rebuilt after its webview was closed opens there. */
  saveView(view: SavedView): Promise<void>;
  /** The view kept in this run of the app (`null` in a fresh start). */
  savedView(): Promise<SavedView | null>;
  onEngineEvent(cb: (e: EngineEvent) => void): Promise<Unlisten>;
  /** A fresh balance after it changed (e.g. a paid top-up). */
  onBalanceUpdated(cb: (b: ProviderBalance) => void): Promise<Unlisten>;
  /** A balance crossed its low-balance threshold (or recovered). */
  onLowBalance(cb: (a: LowBalanceAlert) => void): Promise<Unlisten>;
  /** Real ↔ demo switch: everything must be reloaded. */
  onModeChanged(cb: (mode: AppMode) => void): Promise<Unlisten>;

  // ---- Updates (checked, downloaded and verified by the backend; issue #10).
  /** None, checking, ready (version, notes, whether a purchase is under way now) or error. */
  updateStatus(): Promise<UpdateStatus>;
  /** Install the ready update and restart; `purchase_under_way` while a purchase runs. */
  restartToUpdate(): Promise<void>;
  /** A verified update is ready. */
  onUpdateReady(cb: (u: UpdateReady) => void): Promise<Unlisten>;

  // ---- Guarded automation (issue 11): jobs, maximum prices, blocklist, watched offers.
  /** Start an auto-replace job (runs in the backend; news arrives as `job_changed` events). */
  startAutoReplace(job: JobRequest): Promise<JobView>;
  /** Stop a job: nothing more is bought; its number stays open. */
  stopAutoReplace(jobId: string): Promise<JobView>;
  autoReplaceJobs(runningOnly: boolean): Promise<JobView[]>;
  maxPrices(): Promise<MaxPrice[]>;
  /** `null` removes the service's maximum price. */
  setMaxPrice(service: string, max: Money | null): Promise<void>;
  blocklist(): Promise<Blocklist>;
  /** `false`: it was listed already. */
  addBlock(kind: BlockKind, value: string, note: string | null): Promise<boolean>;
  removeBlock(kind: BlockKind, value: string): Promise<boolean>;
  suggestBlocks(): Promise<BlockSuggestion[]>;
  setBlocklistAllPurchases(on: boolean): Promise<void>;
  watchOffer(watch: WatchRequest): Promise<WatchView>;
  watches(): Promise<WatchView[]>;
  removeWatch(id: string): Promise<boolean>;
  rearmWatch(id: string): Promise<WatchView>;
  /** Look at every watched offer now; the watches as they are then. */
  checkWatches(): Promise<WatchView[]>;
  /** "Buy" pressed on a watch alert notification: open the confirm dialog for it. */
  onWatchBuy(cb: (w: WatchView) => void): Promise<Unlisten>;
  // ---- The reseller's desk (issue #11): customers, hand-off, paid, price list, messages.
  /** Customer names, most recently used first. */
  recentCustomers(): Promise<string[]>;
  /** What the price list suggests charging for `service` bought at `cost` (`null`: no rule). */
  suggestSalePrice(service: string, cost: Money): Promise<Suggestion | null>;
  /** Customer, note and sale price of an order (no sale price given: the price list's). */
  handOff(orderId: string, hand: HandOff): Promise<OrderDesk>;
  /** Customer, note and paid of these orders (those that have any). */
  orderDesks(ids: string[]): Promise<OrderDesk[]>;
  setPaid(orderId: string, paid: boolean): Promise<OrderDesk>;
  /** Every customer with what they owe and the profit on them, most recent first. */
  customers(): Promise<Customer[]>;
  priceList(): Promise<PriceListView>;
  /** Refused with `validation` (a bad rate, a negative amount, two rules for one service). */
  setPriceList(list: PriceList): Promise<PriceListView>;
  messageTemplates(): Promise<Template[]>;
  /** `null`: back to the default text. */
  setMessageTemplate(lang: TemplateLang, kind: TemplateKind, body: string | null): Promise<Template[]>;
  /** Copy the order's filled message (number, then the code once it came); returns the text. */
  copyCustomerMessage(orderId: string, lang: TemplateLang): Promise<string>;
  /** Open WhatsApp's or Telegram's share page with the filled message (the backend builds the link). */
  shareOrder(orderId: string, lang: TemplateLang, app: ShareApp): Promise<void>;
  // ---- Team mode (issue #12). The connection string never comes back; an invite only once.
  teamStatus(): Promise<TeamStatus>;
  /** Join with a pasted invite (or, for the owner, start a team from a connection string). */
  teamJoin(invite: string): Promise<TeamStatus>;
  teamLeave(): Promise<TeamStatus>;
  /** Open the team's order book again (the server could not be reached at start). */
  teamReconnect(): Promise<TeamStatus>;
  /** Owner: a new member's invite text (it holds their password: shown once). */
  teamInvite(name: string): Promise<string>;
  teamRemove(login: string): Promise<TeamStatus>;
  /** The orders among `ids` another member sold, with their name. */
  teamSoldBy(ids: string[]): Promise<SoldBy[]>;
  /** This desktop's requests the owner's computer has not finished (newest first). */
  teamRequests(): Promise<RequestView[]>;
  /** Withdraw a request nobody picked up yet; `false` when it is already under way. */
  teamWithdraw(id: string): Promise<boolean>;
}

/** Told of every command's error / success (team mode derives "offline" from them). */
export const errorWatchers = new Set<(e: AppError) => void>();
export const okWatchers = new Set<() => void>();

type Res<T> = { status: "ok"; data: T } | { status: "error"; error: unknown };

/** Unwrap a binding's result; anything thrown becomes an AppError too. */
async function unwrap<T>(p: Promise<Res<T>>): Promise<T> {
  let r: Res<T>;
  try {
    r = await p;
  } catch (e) {
    throw toAppError(e);
  }
  if (r.status === "error") {
    const e = toAppError(r.error);
    for (const w of errorWatchers) w(e);
    throw e;
  }
  for (const w of okWatchers) w();
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
  buyChecked: (target, expectedPrice) => unwrap(commands.buyChecked(target, expectedPrice)),
  checkOrder: (id) => unwrap(commands.checkOrder(id)),
  replaceNumber: (id) => unwrap(commands.replaceNumber(id)),
  history: (q) => unwrap(commands.history(q)),
  setSalePrice: (id, price) => unwrap(commands.setSalePrice(id, price)),
  exportHistoryCsv: (q) => unwrap(commands.exportHistoryCsv(q)),
  s2Operators: async (country) => (country.otpzap_s2 ? unwrap(commands.s2Operators(country.otpzap_s2)) : []),
  s2Specials: () => unwrap(commands.s2Special()),
  emailSites: () => unwrap(commands.emailSites()),
  emailDomains: (site) => unwrap(commands.emailDomains(site)),
  buyEmail: async (req) => {
    // One inbox per purchase: the engine tracks each inbox as its own order.
    const out: OrderView[] = [];
    for (let i = 0; i < req.qty; i++) {
      try {
        out.push(
          await unwrap(
            commands.buy({ type: "otpzap_email_options", site: req.site, domain: req.domain, subject: req.subject, regex: req.regex }),
          ),
        );
      } catch (e) {
        if (!out.length) throw e;
        break; // keep what was bought; the error shows on the next try
      }
    }
    return out;
  },
  emailReorder: (id) => unwrap(commands.emailReorder(id)),
  topupQris: (rupiah) => unwrap(commands.topupQris(rupiah)),
  topupUsdt: (amount) => unwrap(commands.topupUsdt(amount)),
  deposits: (activeOnly) => unwrap(commands.deposits(activeOnly, 200)),
  deposit: (id) => unwrap(commands.deposit(id)),
  openPaymentPage: async (id) => {
    await unwrap(commands.openPaymentPage(id));
  },
  demoPay: async (id) => {
    await unwrap(commands.demoPayDeposit(id));
  },
  ledger: (provider) => unwrap(commands.ledger(provider, 1000)),
  offerQuality: (targets) => unwrap(commands.offerQuality(targets)),
  cancelWarnings: () => unwrap(commands.cancelWarnings()),
  unknownAttempts: () => unwrap(commands.unknownAttempts()),
  checkAttempt: (id) => unwrap(commands.reconcileAttempt(id)),
  attemptQuote: (id) => unwrap(commands.attemptQuote(id)),
  quote: (target) => unwrap(commands.quote(target)),
  buyAttemptAgain: (id, expected) => unwrap(commands.buyAttemptAgain(id, expected)),
  dismissAttempt: (id) => unwrap(commands.dismissAttempt(id)),
  buyBatch: async (batchId, batch, expectedPrice, onProgress) => {
    const stop = await events.batchProgressEvent.listen((e) => {
      if (e.payload.batch_id === batchId) onProgress(e.payload.progress);
    });
    try {
      return await unwrap(commands.buyBatch(batchId, batch, expectedPrice));
    } finally {
      stop();
    }
  },
  stopBatch: (batchId) => unwrap(commands.stopBatch(batchId)),
  quoteAgain: (orderId) => unwrap(commands.quoteAgain(orderId)),
  systemLocale: async () => (await unwrap(commands.localeInfo())).system_locale,
  openLogFolder: async () => {
    await unwrap(commands.openLogFolder());
  },
  quit: () => unwrap(commands.quitApp()),
  saveView: async (view) => {
    await unwrap(commands.saveView(view));
  },
  savedView: () => unwrap(commands.savedView()),
  onBalanceUpdated: (cb) => events.balanceUpdated.listen((e) => cb(e.payload.balance)),
  onLowBalance: (cb) => events.lowBalanceAlert.listen((e) => cb(e.payload)),
  onEngineEvent: (cb) => events.engineEventPayload.listen((e) => cb(e.payload)),
  onModeChanged: (cb) => events.appModeChanged.listen((e) => cb(e.payload.mode)),
  updateStatus: () => unwrap(commands.updateStatus()),
  restartToUpdate: async () => {
    await unwrap(commands.restartToUpdate());
  },
  onUpdateReady: (cb) => events.updateReady.listen((e) => cb(e.payload)),
  startAutoReplace: (job) => unwrap(commands.startAutoReplace(job)),
  stopAutoReplace: (id) => unwrap(commands.stopAutoReplace(id)),
  autoReplaceJobs: (runningOnly) => unwrap(commands.autoReplaceJobs(runningOnly)),
  maxPrices: () => unwrap(commands.maxPrices()),
  setMaxPrice: async (service, max) => {
    await unwrap(commands.setMaxPrice(service, max));
  },
  blocklist: () => unwrap(commands.blocklist()),
  addBlock: (kind, value, note) => unwrap(commands.addBlock(kind, value, note)),
  removeBlock: (kind, value) => unwrap(commands.removeBlock(kind, value)),
  suggestBlocks: () => unwrap(commands.suggestBlocks()),
  setBlocklistAllPurchases: async (on) => {
    await unwrap(commands.setBlocklistAllPurchases(on));
  },
  watchOffer: (watch) => unwrap(commands.watchOffer(watch)),
  watches: () => unwrap(commands.watches()),
  removeWatch: (id) => unwrap(commands.removeWatch(id)),
  rearmWatch: (id) => unwrap(commands.rearmWatch(id)),
  checkWatches: () => unwrap(commands.checkWatches()),
  onWatchBuy: (cb) => events.watchBuyRequested.listen((e) => cb(e.payload.watch)),
  recentCustomers: () => unwrap(commands.recentCustomers()),
  suggestSalePrice: (service, cost) => unwrap(commands.suggestSalePrice(service, cost)),
  handOff: (orderId, hand) => unwrap(commands.handOff(orderId, hand)),
  orderDesks: (ids) => unwrap(commands.orderDesks(ids)),
  setPaid: (orderId, paid) => unwrap(commands.setPaid(orderId, paid)),
  customers: () => unwrap(commands.customers()),
  priceList: () => unwrap(commands.priceList()),
  setPriceList: (list) => unwrap(commands.setPriceList(list)),
  messageTemplates: () => unwrap(commands.messageTemplates()),
  setMessageTemplate: (lang, kind, body) => unwrap(commands.setMessageTemplate(lang, kind, body)),
  copyCustomerMessage: (orderId, lang) => unwrap(commands.copyCustomerMessage(orderId, lang)),
  shareOrder: async (orderId, lang, app) => {
    await unwrap(commands.shareOrder(orderId, lang, app));
  },
  teamStatus: () => unwrap(commands.teamStatus()),
  teamJoin: (invite) => unwrap(commands.teamJoin(invite)),
  teamLeave: () => unwrap(commands.teamLeave()),
  teamReconnect: () => unwrap(commands.teamReconnect()),
  teamInvite: (name) => unwrap(commands.teamInvite(name)),
  teamRemove: (login) => unwrap(commands.teamRemove(login)),
  teamSoldBy: (ids) => unwrap(commands.teamSoldBy(ids)),
  teamRequests: () => unwrap(commands.teamRequests()),
  teamWithdraw: (id) => unwrap(commands.teamWithdraw(id)),
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
