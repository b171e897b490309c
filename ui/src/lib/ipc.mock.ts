// In-memory backend with the same interface as the Tauri shell: unit tests drive it directly, and
// `npm run dev` in a plain browser uses it so the UI can be looked at without the desktop app.

import type { Ipc, Unlisten } from "./ipc";
import {
  DEFAULT_SETTINGS,
  PROVIDERS,
  type AppError,
  type AppMode,
  type AppStatus,
  type AttemptView,
  type BatchProgress,
  type BatchRequest,
  type BatchResult,
  type BatchStop,
  type OfferAgain,
  type DepositInfo,
  type DepositView,
  type LowBalanceAlert,
  type EmailBuy,
  type CurrencyTotals,
  type HistoryItem,
  type HistoryPage,
  type HistoryQuery,
  type LedgerEntry,
  type StatusGroup,
  type Money,
  type BuyRequest,
  type CancelWarning,
  type OfferQuality,
  type CatalogCountry,
  type CatalogItem,
  type EngineEvent,
  type OrderView,
  type ProviderBalance,
  type ProviderId,
  type Quote,
  type SavedView,
  type Settings,
  type UpdateReady,
  type UpdateStatus,
  type JobRequest,
  type JobView,
  type MaxPrice,
  type Blocklist,
  type BlockEntry,
  type BlockKind,
  type BlockSuggestion,
  type WatchRequest,
  type WatchView,
  type Customer,
  type HandOff,
  type OrderDesk,
  type PriceList,
  type PriceListView,
  type ShareApp,
  type Suggestion,
  type Template,
  type TemplateKind,
  type TemplateLang,
  type TeamStatus,
  type SoldBy,
  type RequestView,
} from "./types";
import { COUNTRIES, EMAIL_DOMAINS, EMAIL_SITES, SAMPLE, SPECIALS, fakeQr } from "./ipc.mock.fixtures";
import RULED from "./__fixtures__/order-actions.json";

/**
 * The stand-in backend has no rules of its own: an order offers what the engine's rules gave the
 * like order in the Rust-generated fixture (same provider, server, status, code received, resend
 * state), with this order's own unlock times. No like order there: nothing is offered.
 */
export function ruled<T extends OrderView>(o: T): T {
  const like = (RULED as unknown as OrderView[]).find(
    (f) =>
      f.provider === o.provider &&
      f.server === o.server &&
      f.kind === o.kind &&
      f.status === o.status &&
      f.otps.length > 0 === o.otps.length > 0 &&
      f.resend_waiting_for_otp === o.resend_waiting_for_otp &&
      (f.resend_locked_until !== null) === (o.resend_locked_until !== null),
  );
  o.is_final = like?.is_final ?? ["completed", "cancelled", "expired", "failed", "replaced"].includes(o.status);
  o.actions = (like?.actions ?? []).map((a) => ({
    kind: a.kind,
    unlock_at: a.unlock_at === null ? null : a.kind === "cancel" ? o.cancel_unlocks_at : a.kind === "resend" ? o.resend_locked_until : null,
  }));
  return o;
}

export interface MockOptions {
  /** Deliver a code this many ms after a purchase; `null` = never (tests deliver by hand). */
  autoDeliverMs?: number | null;
  now?: () => number;
  keys?: Partial<Record<ProviderId, boolean>>;
  demo?: boolean;
}

export class MockIpc implements Ipc {
  keys: Record<ProviderId, boolean> = { otpzap: false, numberotp: false, ooppay: false };
  demo = false;
  settings: Settings = structuredClone(DEFAULT_SETTINGS);
  private modeListeners = new Set<(m: AppMode) => void>();
  orders = new Map<string, OrderView>();
  balance = 250_000;
  /** What copyCode put on the "clipboard". */
  copied: string | null = null;
  /** Every call, for assertions. */
  calls: string[] = [];
  /** Make the next call of a command fail with this error. */
  failNext = new Map<string, AppError>();
  /** Records given by a test (by target as JSON) instead of the made-up ones. */
  records = new Map<string, OfferQuality | null>();
  /** A provider changed an offer's price or stock (by its target as JSON), as `catalogItems` reads it. */
  offerChanges = new Map<string, Partial<Pick<CatalogItem, "price" | "stock">>>();
  private listeners = new Set<(e: EngineEvent) => void>();
  private seq = 0;
  private now: () => number;
  private autoDeliverMs: number | null;

  constructor(opts: MockOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.autoDeliverMs = opts.autoDeliverMs ?? null;
    Object.assign(this.keys, opts.keys ?? {});
    this.demo = opts.demo ?? false;
  }

  deposits_ = new Map<string, DepositView>();
  ledger_: LedgerEntry[] = [];
  attempts_: AttemptView[] = [];
  opened: string | null = null;
  locale: string | null = null;

  private async step(name: string): Promise<void> {
    this.calls.push(name);
    await new Promise((r) => setTimeout(r, 0));
    const err = this.failNext.get(name);
    if (err) {
      this.failNext.delete(name);
      throw err;
    }
  }

  emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }

  private keyList() {
    return PROVIDERS.map((provider) => ({
      provider,
      set: this.demo || this.keys[provider],
      source: this.demo ? ("demo" as const) : this.keys[provider] ? ("keyring" as const) : ("none" as const),
    }));
  }

  private snapshot(): AppStatus {
    const addresses = PROVIDERS.filter((p) => this.on(p)).map((provider) => ({
      provider,
      in_use: provider === "numberotp" ? "https://api.numberotp.com/v1" : `https://${provider}.example/api/v1`,
    }));
    return { mode: this.demo ? "demo" : "real", keys: this.keyList(), keyring_error: null, problem: null, version: "0.0.0-mock", addresses, team: this.team.joined, team_sells: this.team.joined ? (["otpzap", "numberotp"] as const).filter((p) => !this.keys[p]) : [] };
  }

  private on(p: ProviderId): boolean {
    return this.demo || this.keys[p];
  }

  async status() {
    await this.step("status");
    return this.snapshot();
  }
  async setKey(provider: ProviderId, key: string) {
    await this.step("setKey");
    if (!key.trim()) throw err("empty_key");
    if (key.includes("bad")) throw err("auth");
    this.keys[provider] = true;
    return this.keyList();
  }
  async clearKey(provider: ProviderId) {
    await this.step("clearKey");
    this.keys[provider] = false;
    return this.keyList();
  }
  async startDemo() {
    await this.step("startDemo");
    this.demo = true;
    for (const l of this.modeListeners) l("demo");
    return this.snapshot();
  }
  async stopDemo() {
    await this.step("stopDemo");
    this.demo = false;
    for (const l of this.modeListeners) l("real");
    return this.snapshot();
  }
  async balances(): Promise<ProviderBalance[]> {
    await this.step("balances");
    return [
      {
        provider: "otpzap",
        balance: this.on("otpzap") ? { status: "ok", amount: { currency: "IDR", minor: this.balance } } : { status: "no_key" },
        low: this.on("otpzap") && this.balance < (this.settings.low_balance?.otpzap ?? -Infinity),
      },
      { provider: "numberotp", balance: this.on("numberotp") ? { status: "not_available" } : { status: "no_key" }, low: false },
      { provider: "ooppay", balance: { status: "not_available" }, low: false },
    ];
  }
  async countries() {
    await this.step("countries");
    const list = COUNTRIES.filter(
      (c) => (this.on("otpzap") && (c.otpzap_s1 || c.otpzap_s2)) || (this.on("numberotp") && c.numberotp),
    );
    return { countries: list, failures: [] };
  }
  async catalogItems(country: CatalogCountry, search: string | null) {
    await this.step("catalogItems");
    const q = (search ?? "").toLowerCase();
    const items = SAMPLE.filter(
      (i) => i.country === country.name && this.on(i.provider) && (!q || i.service.toLowerCase().includes(q)),
    ).map((i) => ({ ...i, ...this.offerChanges.get(JSON.stringify(i.target)) }));
    return { items, failures: [] };
  }
  async buy(req: BuyRequest) {
    await this.step("buy");
    if (req.type === "otpzap_s2_multi") return this.multi(req.service_ids);
    const item = itemFor(req);
    if (item?.stock === 0) throw err("out_of_stock");
    const price = this.priceOf(req);
    const order = this.create(item, price ? { price } : {});
    this.targets.set(order.id, req);
    this.sold(req);
    return order;
  }
  async buyChecked(req: BuyRequest, expected: Money | null) {
    const price = this.priceOf(req);
    if (expected && price && price.minor > expected.minor) {
      await this.step("buyChecked");
      throw err("price_changed");
    }
    return this.buy(req);
  }
  async checkOrder(id: string) {
    await this.step("checkOrder");
    const o = this.orders.get(id);
    if (!o) throw err("order_not_found");
    return structuredClone(ruled(o));
  }

  private create(item: CatalogItem | undefined, over: Partial<OrderView>): OrderView {
    const t = this.now();
    const id = `order-${++this.seq}`;
    const order: OrderView = {
      id,
      provider: item?.provider ?? "otpzap",
      kind: "sms",
      server: item?.source === "otpzap_s2" ? 2 : item?.source === "otpzap_s1" ? 1 : null,
      remote_id: String(60 + this.seq),
      remote_ref: null,
      phone: `62812${String(34567890 + this.seq * 7919).slice(0, 8)}`,
      email: null,
      service: item?.service ?? "WhatsApp",
      price: item?.price ?? null,
      status: "pending",
      created_at: new Date(t).toISOString(),
      updated_at: new Date(t).toISOString(),
      expires_at: new Date(t + 20 * 60_000).toISOString(),
      resend_count: 0,
      resend_locked_until: null,
      resend_waiting_for_otp: false,
      cancel_unlocks_at: item?.provider === "numberotp" ? null : new Date(t + 120_000).toISOString(),
      attempt_id: null,
      replaced_by: null,
      otps: [],
      is_final: false,
      actions: [],
      ...over,
    };
    this.orders.set(id, order);
    const price = over.price ?? item?.price;
    if (price?.currency === "IDR") {
      this.balance -= price.minor;
      this.ledger_.unshift({ id: this.ledger_.length + 1, provider: order.provider, kind: "charge", amount: { currency: "IDR", minor: -price.minor }, order_id: id, deposit_id: null, note: order.service, at: order.created_at });
    }
    this.emit({ type: "order_created", order: structuredClone(ruled(order)) });
    if (this.autoDeliverMs !== null) setTimeout(() => this.deliver(id), this.autoDeliverMs);
    return structuredClone(ruled(order));
  }
  /** Simulate the provider delivering a code (`service`: which one of a multiservice order). */
  deliver(id: string, code = String(100000 + Math.floor(Math.random() * 899999)), service: string | null = null): void {
    const o = this.orders.get(id);
    if (!o) return;
    const otp = {
      seq: o.otps.length + 1,
      code,
      text: o.kind === "email" ? `Your verification code is ${code}. It expires in 10 minutes.` : `Your ${service ?? o.service} code is ${code}`,
      sender: o.kind === "email" ? `noreply@${o.service}` : (service ?? o.service),
      service,
      received_at: new Date(this.now()).toISOString(),
      stored_at: new Date(this.now()).toISOString(),
    };
    o.otps.push(otp);
    const from = o.status;
    o.status = "otp_received";
    this.emit({ type: "otp_received", order_id: id, provider: o.provider, otp });
    if (from !== "otp_received") {
      this.emit({ type: "order_status_changed", order_id: id, provider: o.provider, from, to: "otp_received" });
    }
  }
  async activeOrders() {
    await this.step("activeOrders");
    return [...this.orders.values()].filter((o) => ["pending", "otp_received"].includes(o.status)).map((o) => structuredClone(ruled(o)));
  }
  private async act(name: string, id: string, to: string): Promise<OrderView> {
    await this.step(name);
    const o = this.orders.get(id);
    if (!o) throw err("order_not_found");
    if (name === "cancelOrder" && o.cancel_unlocks_at && Date.parse(o.cancel_unlocks_at) > this.now()) {
      throw err("cancel_cooldown", { unlocks_at: o.cancel_unlocks_at });
    }
    if (name === "resendCode") {
      o.resend_count += 1;
      o.resend_waiting_for_otp = true;
      return structuredClone(ruled(o));
    }
    const from = o.status;
    o.status = to;
    this.emit({ type: "order_status_changed", order_id: id, provider: o.provider, from, to });
    return structuredClone(ruled(o));
  }
  cancelOrder(id: string) {
    return this.act("cancelOrder", id, "cancelled");
  }
  finishOrder(id: string) {
    return this.act("finishOrder", id, "completed");
  }
  resendCode(id: string) {
    return this.act("resendCode", id, "pending");
  }
  async copyCode(id: string) {
    await this.step("copyCode");
    const o = this.orders.get(id);
    this.copied = o?.otps.at(-1)?.code ?? null;
  }
  async replaceNumber(id: string) {
    await this.step("replaceNumber");
    const o = this.orders.get(id);
    if (!o) throw err("order_not_found");
    if (o.server !== 1) throw err("not_allowed");
    const next = this.create(undefined, { service: o.service, price: o.price, server: 1, provider: o.provider });
    this.balance += o.price?.minor ?? 0; // same price: the old one is refunded
    o.status = "replaced";
    o.replaced_by = next.id;
    this.emit({ type: "order_status_changed", order_id: id, provider: o.provider, from: "pending", to: "replaced" });
    return structuredClone(ruled(next));
  }
  // ---- The reseller's desk: customers, hand-off, paid, price list, messages (issue #11).
  desks = new Map<string, OrderDesk>();
  priceList_: PriceList = { rules: [{ service: null, markup: { kind: "percent", value: 30 }, min_profit: 1000 }], idr_per_usd: null, buffer_pct: 3 };
  templates_ = new Map<string, string>();
  /** The last share link the backend would have opened. */
  shared: { orderId: string; app: ShareApp } | null = null;
  private deskOf(id: string): OrderDesk {
    const d = this.desks.get(id) ?? { order_id: id, customer: null, note: null, paid: false, paid_at: null, sale_price: null };
    return { ...d, sale_price: this.sales.get(id) ?? null };
  }
  async recentCustomers() {
    await this.step("recentCustomers");
    const seen = new Map<string, string>();
    for (const d of [...this.desks.values()].reverse()) if (d.customer && !seen.has(d.customer.toLowerCase())) seen.set(d.customer.toLowerCase(), d.customer);
    return [...seen.values()];
  }
  private suggest(service: string, cost: Money): Suggestion | null {
    const rule = this.priceList_.rules.find((r) => r.service?.toLowerCase() === service.trim().toLowerCase()) ?? this.priceList_.rules.find((r) => !r.service);
    if (!rule) return null;
    const rate = Number(this.priceList_.idr_per_usd ?? "16500");
    const costIdr = cost.currency === "IDR" ? cost.minor : Math.ceil((cost.minor / 1e6) * rate * (1 + (this.priceList_.buffer_pct ?? 0) / 100));
    const markup = rule.markup.kind === "flat" ? rule.markup.value : Math.ceil((costIdr * rule.markup.value) / 100);
    const sale = Math.ceil((costIdr + Math.max(markup, rule.min_profit ?? 0)) / 100) * 100;
    const dollars = cost.currency !== "IDR";
    return { sale: { currency: "IDR", minor: sale }, cost_idr: costIdr, rule, rate: dollars ? String(rate) : null, fallback_rate: dollars && !this.priceList_.idr_per_usd };
  }
  async suggestSalePrice(service: string, cost: Money) {
    await this.step("suggestSalePrice");
    return this.suggest(service, cost);
  }
  async handOff(orderId: string, hand: HandOff) {
    await this.step("handOff");
    const o = this.orders.get(orderId);
    if (!o) throw err("order_not_found");
    const prev = this.deskOf(orderId);
    this.desks.delete(orderId); // most recent last
    this.desks.set(orderId, { ...prev, customer: hand.customer?.trim() || null, note: hand.note?.trim() || null });
    const sale = hand.sale_price ?? (o.price ? this.suggest(o.service, o.price)?.sale : null) ?? null;
    if (sale) this.sales.set(orderId, sale);
    return this.deskOf(orderId);
  }
  async orderDesks(ids: string[]) {
    await this.step("orderDesks");
    return ids.filter((id) => this.desks.has(id)).map((id) => this.deskOf(id));
  }
  async setPaid(orderId: string, paid: boolean) {
    await this.step("setPaid");
    if (!this.orders.has(orderId)) throw err("order_not_found");
    const d = this.deskOf(orderId);
    this.desks.set(orderId, { ...d, paid, paid_at: paid ? new Date(this.now()).toISOString() : null });
    return this.deskOf(orderId);
  }
  async customers() {
    await this.step("customers");
    const by = new Map<string, Customer>();
    for (const d of this.desks.values()) {
      const o = this.orders.get(d.order_id);
      if (!d.customer || !o) continue;
      const c = by.get(d.customer.toLowerCase()) ?? { name: d.customer, orders: 0, unpaid_orders: 0, last_at: o.created_at, owed: [], sales: [], profit: [] };
      c.orders += 1;
      const sale = this.sales.get(o.id);
      const add = (list: Money[], m: Money) => {
        const x = list.find((y) => y.currency === m.currency);
        if (x) x.minor += m.minor;
        else list.push({ ...m });
      };
      if (sale && !["cancelled", "expired", "failed", "replaced"].includes(o.status)) {
        add(c.sales, sale);
        if (o.price?.currency === sale.currency) add(c.profit, { currency: sale.currency, minor: sale.minor - o.price.minor });
        if (!this.desks.get(o.id)?.paid) {
          add(c.owed, sale);
          c.unpaid_orders += 1;
        }
      }
      if (o.created_at > c.last_at) c.last_at = o.created_at;
      by.set(d.customer.toLowerCase(), c);
    }
    return [...by.values()].sort((a, b) => b.last_at.localeCompare(a.last_at));
  }
  private listView(): PriceListView {
    const fallback = !this.priceList_.idr_per_usd;
    return { list: structuredClone(this.priceList_), rate_used: this.priceList_.idr_per_usd ?? "16500", fallback_rate: fallback, fallback: "16500" };
  }
  async priceList() {
    await this.step("priceList");
    return this.listView();
  }
  async setPriceList(list: PriceList) {
    await this.step("setPriceList");
    if (list.idr_per_usd !== null && list.idr_per_usd !== undefined && !(Number(list.idr_per_usd) > 0)) throw err("validation");
    this.priceList_ = structuredClone(list);
    return this.listView();
  }
  async messageTemplates() {
    await this.step("messageTemplates");
    const out: Template[] = [];
    for (const lang of ["id", "en"] as const)
      for (const kind of ["number", "code"] as const) {
        const saved = this.templates_.get(`${lang}.${kind}`);
        out.push({ lang, kind, body: saved ?? DEFAULT_TEMPLATES[lang][kind], is_default: saved === undefined });
      }
    return out;
  }
  async setMessageTemplate(lang: TemplateLang, kind: TemplateKind, body: string | null) {
    await this.step("setMessageTemplate");
    if (body === null || body === DEFAULT_TEMPLATES[lang][kind]) this.templates_.delete(`${lang}.${kind}`);
    else this.templates_.set(`${lang}.${kind}`, body);
    return this.messageTemplates();
  }
  private message(orderId: string, lang: TemplateLang): string {
    const o = this.orders.get(orderId);
    if (!o) throw err("order_not_found");
    const sale = this.sales.get(orderId);
    const code = o.otps.at(-1)?.code ?? null;
    const values: Record<string, string | null> = {
      phone: o.phone ?? o.email,
      otp: code,
      service: o.service,
      minutes_left: o.expires_at ? String(Math.max(0, Math.ceil((Date.parse(o.expires_at) - this.now()) / 60_000))) : null,
      price: sale ? `Rp ${sale.minor.toLocaleString("id-ID")}` : null,
    };
    const fill = (body: string) => body.replace(/\{(phone|otp|service|minutes_left|price)\}/g, (_, k: string) => values[k] ?? "[?]");
    const body = (k: TemplateKind) => this.templates_.get(`${lang}.${k}`) ?? DEFAULT_TEMPLATES[lang][k];
    return code ? `${fill(body("number"))}\n${fill(body("code"))}` : fill(body("number"));
  }
  async copyCustomerMessage(orderId: string, lang: TemplateLang) {
    await this.step("copyCustomerMessage");
    this.copied = this.message(orderId, lang);
    return this.copied;
  }
  async shareOrder(orderId: string, lang: TemplateLang, app: ShareApp) {
    await this.step("shareOrder");
    this.message(orderId, lang);
    this.shared = { orderId, app };
  }
  sales = new Map<string, Money>();
  exported: HistoryQuery | null = null;
  /** A stand-in for the engine's history query (the real filtering and totals are SQL). */
  async history(q: HistoryQuery): Promise<HistoryPage> {
    await this.step("history");
    const text = (q.search ?? "").toLowerCase();
    const refunded = ["cancelled", "expired", "failed", "replaced"];
    const orderGroup = (o: OrderView): StatusGroup => (o.status === "completed" ? "done" : refunded.includes(o.status) ? "refunded" : "active");
    const depositGroup = (d: DepositView): StatusGroup => (d.status === "paid" ? "paid" : d.status === "pending" ? "active" : "unpaid");
    const inRange = (at: string) => (!q.from || at >= q.from) && (!q.to || at < q.to);
    const items: HistoryItem[] = [];
    if (q.entry !== "deposit") {
      for (const o of this.orders.values()) {
        const group = orderGroup(o);
        if ((q.provider && o.provider !== q.provider) || (q.group && group !== q.group) || !inRange(o.created_at)) continue;
        if (text && !`${o.service} ${o.phone ?? ""} ${o.email ?? ""} ${o.otps.map((x) => x.code).join(" ")}`.toLowerCase().includes(text)) continue;
        const sale = this.sales.get(o.id) ?? null;
        const cost = refunded.includes(o.status) ? 0 : (o.price?.minor ?? 0);
        const profit = sale && !refunded.includes(o.status) && o.price?.currency === sale.currency ? sale.minor - cost : null;
        items.push({ entry: "order", group, created_at: o.created_at, cursor: { at_ms: Date.parse(o.created_at), entry: "order", seq: 0 }, order: { order: structuredClone(ruled(o)), sale_price: sale, cost_minor: cost, profit_minor: profit, customer: this.desks.get(o.id)?.customer ?? null, note: this.desks.get(o.id)?.note ?? null, paid: this.desks.get(o.id)?.paid ?? false }, deposit: null });
      }
    }
    if (q.entry !== "order" && !q.kind) {
      for (const d of this.deposits_.values()) {
        const group = depositGroup(d);
        if ((q.provider && d.provider !== q.provider) || (q.group && group !== q.group) || !inRange(d.created_at)) continue;
        if (text && !`${d.kind} ${d.remote_id}`.toLowerCase().includes(text)) continue;
        items.push({ entry: "deposit", group, created_at: d.created_at, cursor: { at_ms: Date.parse(d.created_at), entry: "deposit", seq: 0 }, order: null, deposit: structuredClone(d) });
      }
    }
    items.sort((a, b) => b.created_at.localeCompare(a.created_at));
    // The cursor is the row's position here (the engine's is its table row): `after` resumes there.
    items.forEach((it, i) => (it.cursor.seq = i));
    const start = q.after ? q.after.seq + 1 : (q.offset ?? 0);
    const totals = new Map<string, CurrencyTotals>();
    const of = (c: Money["currency"]) =>
      totals.get(c) ?? totals.set(c, { currency: c, spent_minor: 0, topped_up_minor: 0, sold: 0, sales_minor: 0, profit_minor: 0 }).get(c)!;
    for (const i of items) {
      if (i.order) {
        const o = i.order;
        if (o.order.price) of(o.order.price.currency).spent_minor += o.cost_minor;
        if (o.sale_price && i.group !== "refunded") {
          const t = of(o.sale_price.currency);
          t.sold += 1;
          t.sales_minor += o.sale_price.minor;
          t.profit_minor += o.profit_minor ?? 0;
        }
      } else if (i.deposit && i.group === "paid") of(i.deposit.amount.currency).topped_up_minor += i.deposit.amount.minor;
    }
    return {
      items: items.slice(start, start + (q.limit ?? 200)),
      total_orders: items.filter((i) => i.order).length,
      total_deposits: items.filter((i) => i.deposit).length,
      totals: [...totals.values()],
    };
  }
  async setSalePrice(orderId: string, price: Money | null) {
    await this.step("setSalePrice");
    const o = this.orders.get(orderId);
    if (!o) throw err("order_not_found");
    if (price) this.sales.set(orderId, price);
    else this.sales.delete(orderId);
    return structuredClone(ruled(o));
  }
  async exportHistoryCsv(q: HistoryQuery) {
    await this.step("exportHistoryCsv");
    this.exported = q;
    return "/home/you/Documents/otpdesk-history.csv";
  }
  async s2Operators(_country: CatalogCountry) {
    await this.step("s2Operators");
    return ["random", "telkomsel", "indosat", "xl", "tri"];
  }
  async s2Specials() {
    await this.step("s2Specials");
    return this.on("otpzap") ? structuredClone(SPECIALS) : [];
  }
  private multi(ids: number[]) {
    const picked = SAMPLE.filter((i) => i.target.type === "otpzap_s2" && ids.includes(i.target.service_id));
    if (picked.length < 2) throw err("validation");
    const total = picked.reduce((s, i) => s + (i.price?.minor ?? 0), 0);
    return structuredClone(
      this.create(picked[0], { service: picked.map((i) => i.service).join(", "), price: { currency: "IDR", minor: total }, server: 2 }),
    );
  }
  async emailSites() {
    await this.step("emailSites");
    return structuredClone(EMAIL_SITES);
  }
  async emailDomains(site: string) {
    await this.step("emailDomains");
    if (!site.includes(".")) throw err("validation");
    return EMAIL_DOMAINS.map((d) => ({ ...structuredClone(d), target: { type: "otpzap_email" as const, site, domain: d.domain } }));
  }
  async buyEmail(req: EmailBuy) {
    await this.step("buyEmail");
    const d = EMAIL_DOMAINS.find((x) => x.domain === req.domain);
    if (!d || d.stock === 0) throw err("out_of_stock");
    const out: OrderView[] = [];
    for (let i = 0; i < req.qty; i++) {
      const n = this.seq + 1;
      out.push(
        this.create(undefined, {
          kind: "email",
          server: 3,
          phone: null,
          email: `reseller.${(7000 + n * 37).toString(36)}${n}@${req.domain}`,
          remote_ref: `APIE-3-${1000 + n}`,
          service: req.site,
          price: d.price,
          cancel_unlocks_at: null,
        }),
      );
    }
    return structuredClone(out);
  }
  async emailReorder(id: string) {
    await this.step("emailReorder");
    const o = this.orders.get(id);
    if (!o) throw err("order_not_found");
    o.status = "pending";
    o.expires_at = new Date(this.now() + 20 * 60_000).toISOString();
    return structuredClone(ruled(o));
  }
  private info(d: DepositView): DepositInfo {
    const payload = d.kind === "qris" ? d.pay_url : d.pay_address;
    return {
      deposit: structuredClone(d),
      qr_payload: payload,
      qr_svg: d.status === "pending" && payload ? fakeQr(payload) : null,
      payment_url: d.kind === "qris" ? d.pay_url : null,
    };
  }
  private newDeposit(kind: DepositView["kind"], amount: DepositView["amount"], total: DepositView["total"]): DepositInfo {
    const t = this.now();
    const n = this.deposits_.size + 1;
    const d: DepositView = {
      id: `dep-${n}`,
      provider: kind === "qris" ? "otpzap" : "ooppay",
      kind,
      remote_id: kind === "qris" ? `APIDEP-${5000 + n}` : `ord_${n}x9`,
      amount,
      total,
      pay_url: kind === "qris" ? `https://otpzap.example/pay/APIDEP-${5000 + n}` : null,
      pay_address: kind === "usdt" ? "TXk3nNf2YtKJ9Jq7cW1oWQ5dE8zPqL4mRv" : null,
      status: "pending",
      created_at: new Date(t).toISOString(),
      updated_at: new Date(t).toISOString(),
      expires_at: new Date(t + (kind === "qris" ? 30 : 60) * 60_000).toISOString(),
      paid_at: null,
      credited: null,
      attempt_id: null,
      is_final: false,
      actions: [],
    };
    this.deposits_.set(d.id, d);
    this.emit({ type: "deposit_created", deposit: structuredClone(d) });
    return this.info(d);
  }
  async topupQris(rupiah: number) {
    await this.step("topupQris");
    if (!Number.isInteger(rupiah) || rupiah < 1000 || rupiah > 10_000_000) throw err("validation");
    return this.newDeposit("qris", { currency: "IDR", minor: rupiah }, { currency: "IDR", minor: rupiah + 137 });
  }
  async topupUsdt(amount: string) {
    await this.step("topupUsdt");
    const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(amount.trim());
    if (!m || Number(amount) <= 0) throw err("validation");
    const minor = Number(m[1]) * 1_000_000 + Number((m[2] ?? "").padEnd(6, "0"));
    return this.newDeposit("usdt", { currency: "USDT", minor }, { currency: "USDT", minor: minor + 1_500_000 });
  }
  /** Simulate the payer paying an invoice. */
  pay(id: string): void {
    const d = this.deposits_.get(id);
    if (!d || d.status !== "pending") return;
    d.status = "paid";
    d.is_final = true;
    d.paid_at = d.updated_at = new Date(this.now()).toISOString();
    d.credited = d.amount;
    if (d.amount.currency === "IDR") this.balance += d.amount.minor;
    const entry: LedgerEntry = { id: this.ledger_.length + 1, provider: d.provider, kind: "topup", amount: d.amount, order_id: null, deposit_id: d.id, note: null, at: d.paid_at };
    this.ledger_.unshift(entry);
    this.emit({ type: "deposit_paid", deposit: structuredClone(d) });
    this.emit({ type: "balance_changed", entry });
  }
  async deposits(activeOnly: boolean) {
    await this.step("deposits");
    return [...this.deposits_.values()]
      .filter((d) => !activeOnly || d.status === "pending")
      .sort((a, b) => b.created_at.localeCompare(a.created_at))
      .map((d) => this.info(d));
  }
  async deposit(id: string) {
    await this.step("deposit");
    const d = this.deposits_.get(id);
    if (!d) throw err("deposit_not_found");
    return this.info(d);
  }
  async openPaymentPage(id: string) {
    await this.step("openPaymentPage");
    this.opened = this.deposits_.get(id)?.pay_url ?? null;
  }
  async demoPay(id: string) {
    await this.step("demoPay");
    if (!this.demo) throw err("not_allowed");
    this.pay(id);
  }
  async ledger(provider: ProviderId | null) {
    await this.step("ledger");
    return this.ledger_.filter((e) => !provider || e.provider === provider).map((e) => structuredClone(e));
  }
  /** Fake records, stable per target, so the UI shows the scoreboard in a browser. */
  async offerQuality(targets: BuyRequest[]): Promise<(OfferQuality | null)[]> {
    await this.step("offerQuality");
    return targets.map((t) => {
      const key = JSON.stringify(t);
      const given = this.records.get(key);
      if (given !== undefined) return given;
      let h = 7;
      for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) % 100_003;
      if (h % 4 === 0) return null;
      const count = 3 + (h % 60);
      const delivered = Math.round(count * (0.5 + (h % 45) / 100));
      const cancelled = Math.min(count - delivered, Math.round(count * 0.1));
      return {
        offer: { provider: t.type === "numberotp" ? "numberotp" : "otpzap", server: 0, service: "", country: "", operator: "" },
        service_name: "",
        count,
        delivered,
        cancelled,
        success_permille: Math.floor((delivered * 1000) / count),
        cancel_permille: Math.floor((cancelled * 1000) / count),
        median_code_ms: 8_000 + (h % 90) * 1_000,
      };
    });
  }
  async cancelWarnings(): Promise<CancelWarning[]> {
    await this.step("cancelWarnings");
    return [];
  }
  async unknownAttempts() {
    await this.step("unknownAttempts");
    return this.attempts_.filter((a) => a.state === "outcome_unknown").map((a) => structuredClone(a));
  }
  /** Fresh quotes by attempt id, instead of the sample catalog's (tests: a price rise, sold out). */
  attemptQuotes = new Map<string, Quote>();
  /** Simulate a purchase whose reply was lost: an OTPZap Server 1 number of `service` by default. */
  addUnknown(service = "WhatsApp", kind: AttemptView["kind"] = "sms"): AttemptView {
    const t = new Date(this.now()).toISOString();
    const item = SAMPLE.find((i) => i.service === service && i.source === "otpzap_s1");
    const request: AttemptView["request"] =
      kind === "sms"
        ? ((item?.target as AttemptView["request"] | undefined) ?? { service })
        : kind === "email"
          ? { type: "otpzap_email_options", site: "openai.com", domain: null, subject: null, regex: null }
          : kind === "replace"
            ? { order_id: "order-1" }
            : { amount: 50_000 };
    const a: AttemptView = {
      id: `att-${this.attempts_.length + 1}`, provider: kind === "topup_usdt" ? "ooppay" : "otpzap", kind, idempotency_key: `k-${this.attempts_.length + 1}`,
      request, state: "outcome_unknown",
      tries: 1, order_id: null, deposit_id: null, error_code: "outcome_unknown", error: null, created_at: t, updated_at: t,
      returns_first_order: kind === "sms",
    };
    this.attempts_.push(a);
    this.emit({ type: "outcome_unknown", attempt: structuredClone(a) });
    return a;
  }
  private settle(id: string, state: AttemptView["state"]): AttemptView {
    const a = this.attempts_.find((x) => x.id === id);
    if (!a) throw err("attempt_not_found");
    a.state = state;
    this.emit({ type: "attempt_resolved", attempt: structuredClone(a) });
    return structuredClone(a);
  }
  /** Like the engine: only a replace can be looked up; here the old number was still open. */
  async checkAttempt(id: string) {
    await this.step("checkAttempt");
    const a = this.attempts_.find((x) => x.id === id);
    if (a && a.kind !== "replace") throw err("not_allowed");
    return this.settle(id, "failed");
  }
  private quoteOf(a: AttemptView): Quote {
    const fixed = this.attemptQuotes.get(a.id);
    if (fixed) return structuredClone(fixed);
    if (a.kind === "email") return { price: { currency: "IDR", minor: 1500 }, stock: 40 };
    const item = itemFor(a.request as BuyRequest);
    return { price: item?.price ?? null, stock: item?.stock ?? null };
  }
  async quote(target: BuyRequest) {
    await this.step("quote");
    return { price: this.priceOf(target), stock: itemFor(target)?.stock ?? null };
  }
  async attemptQuote(id: string) {
    await this.step("attemptQuote");
    const a = this.attempts_.find((x) => x.id === id);
    if (!a) throw err("attempt_not_found");
    if (a.kind !== "sms" && a.kind !== "email") throw err("not_allowed");
    return this.quoteOf(a);
  }
  async buyAttemptAgain(id: string, expected: Money | null) {
    await this.step("buyAttemptAgain");
    const a = this.attempts_.find((x) => x.id === id);
    if (!a) throw err("attempt_not_found");
    if (a.state !== "outcome_unknown" || (a.kind !== "sms" && a.kind !== "email")) throw err("not_allowed");
    const q = this.quoteOf(a);
    if (q.stock === 0) throw err("out_of_stock");
    if (expected && q.price && (q.price.currency !== expected.currency || q.price.minor > expected.minor)) throw err("price_changed");
    const item = a.kind === "sms" ? itemFor(a.request as BuyRequest) : undefined;
    const over: Partial<OrderView> =
      a.kind === "email" ? { kind: "email", phone: null, email: `desk${++this.seq}@mail.example`, service: "openai.com", price: q.price, attempt_id: id } : { attempt_id: id };
    const order = this.create(item, over);
    a.order_id = order.id;
    this.settle(id, "succeeded");
    return order;
  }
  // ---- Working at volume: "Buy N" and "Buy again", played like the engine (one purchase after the
  // other, each held to the confirmed price, the maximum and the floor; stops at the first refusal).
  /** The offer each order was bought from (what `quoteAgain` rebuilds). */
  private targets = new Map<string, BuyRequest>();
  /** Price changes by target (JSON) after that many more sales: tests play a price rise. */
  priceAfter = new Map<string, { afterSales: number; minor: number }>();
  private priceOf(req: BuyRequest): Money | null {
    const base = itemFor(req)?.price ?? null;
    const change = this.priceAfter.get(JSON.stringify(req));
    return base && change && change.afterSales <= 0 ? { currency: base.currency, minor: change.minor } : base;
  }
  private sold(req: BuyRequest): void {
    const change = this.priceAfter.get(JSON.stringify(req));
    if (change) change.afterSales -= 1;
  }
  async buyBatch(batchId: string, batch: BatchRequest, expected: Money | null, onProgress: (p: BatchProgress) => void): Promise<BatchResult> {
    await this.step("buyBatch");
    if (batch.count < 1 || batch.count > 50) throw err("validation");
    const orders: OrderView[] = [];
    let stopped: BatchStop | null = null;
    this.stoppedBatches.delete(batchId);
    this.runningBatches.add(batchId);
    for (let n = 1; n <= batch.count; n++) {
      if (this.stoppedBatches.has(batchId)) {
        stopped = { code: "stopped_by_user", message: "mock stopped_by_user", attempt_id: null };
        onProgress({ type: "stopped", bought: n - 1, of: batch.count, stop: stopped });
        break;
      }
      if (n > 1) await this.step("buyBatch");
      const item = itemFor(batch.req);
      const price = this.priceOf(batch.req);
      const code: BatchStop["code"] | null =
        item?.stock === 0
          ? "out_of_stock"
          : batch.max_price && price && price.minor > batch.max_price.minor
            ? "price_above_max"
            : expected && price && price.minor > expected.minor
              ? "price_changed"
              : batch.min_balance && price && this.balance - price.minor < batch.min_balance.minor
                ? "below_min_balance"
                : null;
      if (code) {
        stopped = { code, message: `mock ${code}`, attempt_id: null };
        onProgress({ type: "stopped", bought: n - 1, of: batch.count, stop: stopped });
        break;
      }
      const order = this.create(item, { price });
      this.targets.set(order.id, batch.req);
      this.sold(batch.req);
      orders.push(order);
      onProgress({ type: "bought", n, of: batch.count, order: structuredClone(order) });
    }
    this.runningBatches.delete(batchId);
    return { requested: batch.count, orders, stopped };
  }
  private runningBatches = new Set<string>();
  private stoppedBatches = new Set<string>();
  async stopBatch(batchId: string): Promise<boolean> {
    if (!this.runningBatches.has(batchId)) return false;
    this.stoppedBatches.add(batchId);
    return true;
  }
  async quoteAgain(orderId: string): Promise<OfferAgain> {
    await this.step("quoteAgain");
    const o = this.orders.get(orderId);
    if (!o) throw err("order_not_found");
    const target = this.targets.get(orderId) ?? SAMPLE.find((i) => i.service === o.service && i.provider === o.provider)?.target;
    if (!target) throw err("not_allowed");
    const item = itemFor(target);
    return { order_id: orderId, target: structuredClone(target), quote: { price: this.priceOf(target), stock: item?.stock ?? null } };
  }
  async dismissAttempt(id: string) {
    await this.step("dismissAttempt");
    return this.settle(id, "dismissed");
  }
  async systemLocale() {
    await this.step("systemLocale");
    return this.locale;
  }
  /** Times the log folder was opened. */
  logFolderOpened = 0;
  async openLogFolder() {
    await this.step("openLogFolder");
    this.logFolderOpened++;
  }
  /** What the backend's native "quit?" question answers, and whether the app quit. */
  confirmQuit = true;
  quitted = false;
  async quit() {
    await this.step("quit");
    const waiting = [...this.orders.values()].filter((o) => !o.is_final && !o.otps.some((t) => t.code)).length;
    this.quitted = waiting === 0 || this.confirmQuit;
    return this.quitted;
  }
  /** The view the backend keeps for a rebuilt window (`save_view`). */
  view: SavedView | null = null;
  async saveView(view: SavedView) {
    await this.step("saveView");
    this.view = structuredClone(view);
  }
  async savedView() {
    await this.step("savedView");
    return structuredClone(this.view);
  }
  async getSettings() {
    await this.step("getSettings");
    return structuredClone(this.settings);
  }
  /** What the backend's native "change the address?" dialog answers (`false`: Cancel). */
  confirmAddressChange = true;
  /** How many times that dialog was shown. */
  addressQuestions = 0;
  async updateSettings(settings: Settings) {
    await this.step("updateSettings");
    if (settings.poll_budget_per_minute < 10 || settings.poll_budget_per_minute > 270) throw err("invalid_settings");
    for (const p of PROVIDERS) {
      const code = addressProblem(settings.base_urls[p]);
      if (code) throw err(code, { provider: p });
    }
    // As the backend: a key is bound to its address's origin; moving it asks, then removes the key.
    const moved = PROVIDERS.filter(
      (p) => this.keys[p] && originOf(this.settings.base_urls[p]) !== originOf(settings.base_urls[p]),
    );
    if (moved.length) {
      this.addressQuestions++;
      if (!this.confirmAddressChange) throw err("cancelled");
      for (const p of moved) this.keys[p] = false;
    }
    this.settings = structuredClone(settings);
    return structuredClone(settings);
  }
  async onEngineEvent(cb: (e: EngineEvent) => void): Promise<Unlisten> {
    this.listeners.add(cb);
    return () => {
      this.listeners.delete(cb);
    };
  }
  private balanceListeners = new Set<(b: ProviderBalance) => void>();
  private lowListeners = new Set<(a: LowBalanceAlert) => void>();
  async onBalanceUpdated(cb: (b: ProviderBalance) => void): Promise<Unlisten> {
    this.balanceListeners.add(cb);
    return () => void this.balanceListeners.delete(cb);
  }
  async onLowBalance(cb: (a: LowBalanceAlert) => void): Promise<Unlisten> {
    this.lowListeners.add(cb);
    return () => void this.lowListeners.delete(cb);
  }
  async onModeChanged(cb: (m: AppMode) => void): Promise<Unlisten> {
    this.modeListeners.add(cb);
    return () => {
      this.modeListeners.delete(cb);
    };
  }

  // ---- Updates: the backend's checks are played by `announceUpdate`.
  update: UpdateStatus = { state: "none" };
  /** Paid calls under way in the stand-in engine (restarting is refused meanwhile). */
  paidCallsInFlight = 0;
  /** How many times the app restarted to update. */
  restarts = 0;
  private updateListeners = new Set<(u: UpdateReady) => void>();
  /** Simulate the backend having downloaded and verified `version`. */
  announceUpdate(version: string, notes: string | null = null): void {
    this.update = { state: "ready", version, notes, purchase_under_way: false };
    for (const l of this.updateListeners) l({ version, notes });
  }
  async updateStatus(): Promise<UpdateStatus> {
    await this.step("updateStatus");
    const u = structuredClone(this.update);
    return u.state === "ready" ? { ...u, purchase_under_way: this.paidCallsInFlight > 0 } : u;
  }
  async restartToUpdate() {
    await this.step("restartToUpdate");
    if (this.update.state !== "ready") throw err("not_allowed");
    if (this.paidCallsInFlight > 0) throw err("purchase_under_way");
    this.restarts++;
  }
  async onUpdateReady(cb: (u: UpdateReady) => void): Promise<Unlisten> {
    this.updateListeners.add(cb);
    return () => void this.updateListeners.delete(cb);
  }

  // ---- Guarded automation: kept in memory; jobs do not run here (tests drive them with emit).
  jobs_ = new Map<string, JobView>();
  maxPrices_ = new Map<string, Money>();
  blocks_: BlockEntry[] = [];
  blockAll = false;
  watches_: WatchView[] = [];
  private watchBuyListeners = new Set<(w: WatchView) => void>();
  async startAutoReplace(job: JobRequest): Promise<JobView> {
    await this.step("startAutoReplace");
    const now = new Date(this.now()).toISOString();
    const order = await this.buy(job.req);
    const j: JobView = {
      id: `job-${++this.seq}`, req: job.req, provider: order.provider, replace_after_ms: job.replace_after_ms,
      max_replacements: job.max_replacements, cap: job.cap, max_price: job.max_price, use_blocklist: job.use_blocklist,
      state: "running", reason: null, message: null, current_order: order.id,
      orders: [{ order_id: order.id, n: 1, bought_at: now, closed_at: null, how: null }],
      replacements: 0, spent: order.price ?? job.cap, created_at: now, updated_at: now,
    };
    this.jobs_.set(j.id, j);
    this.emit({ type: "job_changed", job: structuredClone(j) });
    return structuredClone(j);
  }
  async stopAutoReplace(id: string): Promise<JobView> {
    await this.step("stopAutoReplace");
    const j = this.jobs_.get(id);
    if (!j) throw err("validation");
    Object.assign(j, { state: "stopped", reason: "stopped_by_user" });
    this.emit({ type: "job_changed", job: structuredClone(j) });
    return structuredClone(j);
  }
  async autoReplaceJobs(runningOnly: boolean): Promise<JobView[]> {
    await this.step("autoReplaceJobs");
    return [...this.jobs_.values()].filter((j) => !runningOnly || j.state === "running").map((j) => structuredClone(j));
  }
  async maxPrices(): Promise<MaxPrice[]> {
    await this.step("maxPrices");
    return [...this.maxPrices_].map(([service, max]) => ({ service, max }));
  }
  async setMaxPrice(service: string, max: Money | null): Promise<void> {
    await this.step("setMaxPrice");
    if (max) this.maxPrices_.set(service, max);
    else this.maxPrices_.delete(service);
  }
  async blocklist(): Promise<Blocklist> {
    await this.step("blocklist");
    const operators = ["telkomsel", "indosat", "xl", "axis", "tri", "smartfren"];
    return { entries: structuredClone(this.blocks_), all_purchases: this.blockAll, operators };
  }
  async addBlock(kind: BlockKind, value: string, note: string | null): Promise<boolean> {
    await this.step("addBlock");
    const v = kind === "prefix" ? value.replace(/\D/g, "").replace(/^0/, "62") : value.trim().toLowerCase();
    if (!v) throw err("validation");
    if (this.blocks_.some((b) => b.kind === kind && b.value === v)) return false;
    this.blocks_.push({ kind, value: v, note, created_at: new Date(this.now()).toISOString() });
    return true;
  }
  async removeBlock(kind: BlockKind, value: string): Promise<boolean> {
    await this.step("removeBlock");
    const before = this.blocks_.length;
    this.blocks_ = this.blocks_.filter((b) => !(b.kind === kind && b.value === value));
    return this.blocks_.length < before;
  }
  async suggestBlocks(): Promise<BlockSuggestion[]> {
    await this.step("suggestBlocks");
    return [];
  }
  async setBlocklistAllPurchases(on: boolean): Promise<void> {
    await this.step("setBlocklistAllPurchases");
    this.blockAll = on;
  }
  async watchOffer(w: WatchRequest): Promise<WatchView> {
    await this.step("watchOffer");
    const v: WatchView = {
      id: `watch-${++this.seq}`, req: w.req, label: w.label, provider: w.req.type === "numberotp" ? "numberotp" : "otpzap",
      target: w.target, auto_buy: w.auto_buy, auto_max: w.auto_max, state: "watching", last_price: null, last_stock: null,
      checked_at: null, fired_at: null, order_id: null, note: null, created_at: new Date(this.now()).toISOString(),
    };
    this.watches_.unshift(v);
    return structuredClone(v);
  }
  async watches(): Promise<WatchView[]> {
    await this.step("watches");
    return structuredClone(this.watches_);
  }
  async removeWatch(id: string): Promise<boolean> {
    await this.step("removeWatch");
    const before = this.watches_.length;
    this.watches_ = this.watches_.filter((w) => w.id !== id);
    return this.watches_.length < before;
  }
  async rearmWatch(id: string): Promise<WatchView> {
    await this.step("rearmWatch");
    const w = this.watches_.find((x) => x.id === id);
    if (!w) throw err("validation");
    Object.assign(w, { state: "watching", fired_at: null, order_id: null, note: null });
    return structuredClone(w);
  }
  async checkWatches(): Promise<WatchView[]> {
    await this.step("checkWatches");
    return structuredClone(this.watches_);
  }
  async onWatchBuy(cb: (w: WatchView) => void): Promise<Unlisten> {
    this.watchBuyListeners.add(cb);
    return () => void this.watchBuyListeners.delete(cb);
  }
  // ---- Team mode: one in-memory team; the invite format is checked like the backend's prefix.
  team: TeamStatus = { joined: false, server: null, me: null, members: [], online: true };
  /** Order id → the other member who sold it. */
  soldBy = new Map<string, string>();
  async teamStatus(): Promise<TeamStatus> {
    await this.step("teamStatus");
    return structuredClone(this.team);
  }
  async teamJoin(invite: string): Promise<TeamStatus> {
    await this.step("teamJoin");
    const text = invite.trim();
    const owner = /^postgres(ql)?:\/\//.test(text);
    if (!owner && !text.startsWith("otpdesk-team:1:")) throw err("bad_invite");
    const me = owner
      ? { login: "otpdesk_owner", name: "Owner", role: "owner" as const }
      : { login: "otpdesk_ani_x7k2qp", name: "Ani", role: "operator" as const };
    const boss = { login: "otpdesk_owner", name: "Owner", role: "owner" as const };
    this.team = { joined: true, server: `${me.login}@db.toko.example:5432/toko`, me, members: owner ? [boss] : [boss, me], online: true };
    return structuredClone(this.team);
  }
  async teamLeave(): Promise<TeamStatus> {
    await this.step("teamLeave");
    this.team = { joined: false, server: null, me: null, members: [], online: true };
    return structuredClone(this.team);
  }
  async teamReconnect(): Promise<TeamStatus> {
    await this.step("teamReconnect");
    return structuredClone(this.team);
  }
  async teamInvite(name: string): Promise<string> {
    await this.step("teamInvite");
    if (this.team.me?.role !== "owner") throw err("team_role");
    if (!name.trim()) throw err("validation");
    const login = `otpdesk_${name.toLowerCase().replace(/[^a-z0-9]/g, "")}_abc123`;
    this.team.members.push({ login, name: name.trim(), role: "operator" });
    return `otpdesk-team:1:${btoa(JSON.stringify({ user: login, name }))}`;
  }
  async teamRemove(login: string): Promise<TeamStatus> {
    await this.step("teamRemove");
    if (this.team.me?.role !== "owner") throw err("team_role");
    this.team.members = this.team.members.filter((m) => m.login !== login);
    return structuredClone(this.team);
  }
  async teamSoldBy(ids: string[]): Promise<SoldBy[]> {
    await this.step("teamSoldBy");
    return ids.flatMap((id) => (this.soldBy.has(id) ? [{ order_id: id, name: this.soldBy.get(id)! }] : []));
  }
  /** This desktop's open requests (tests put them here; withdraw takes pending ones away). */
  requests: RequestView[] = [];
  async teamRequests(): Promise<RequestView[]> {
    await this.step("teamRequests");
    return structuredClone(this.requests);
  }
  async teamWithdraw(id: string): Promise<boolean> {
    await this.step("teamWithdraw");
    const r = this.requests.find((x) => x.id === id);
    if (!r || r.state !== "pending") return false;
    this.requests = this.requests.filter((x) => x.id !== id);
    return true;
  }
  /** Simulate "Buy" pressed on a watch alert notification. */
  pressWatchBuy(w: WatchView): void {
    for (const l of this.watchBuyListeners) l(structuredClone(w));
  }
}

/** The sample item a buy target belongs to. */
/** The engine's default message texts (crates/otpdesk-engine/src/templates.rs). */
const DEFAULT_TEMPLATES: Record<TemplateLang, Record<TemplateKind, string>> = {
  id: {
    number: "Nomor {service} kamu: {phone}\nSilakan minta kode OTP sekarang, nomor aktif {minutes_left} menit lagi.",
    code: "Kodenya: {otp}",
  },
  en: {
    number: "Your {service} number: {phone}\nRequest the OTP now, the number stays active for {minutes_left} more minutes.",
    code: "Your code: {otp}",
  },
};

function itemFor(req: BuyRequest): CatalogItem | undefined {
  return [...SAMPLE, ...SPECIALS].find((i) => JSON.stringify(i.target) === JSON.stringify(req));
}

/** The backend's address checks, roughly: https anywhere, http only to this computer. */
function addressProblem(raw: string | null): AppError["code"] | null {
  const text = raw?.trim();
  if (!text) return null;
  if (!/^https?:\/\//i.test(text)) return "invalid_address";
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return "invalid_address";
  }
  if (u.username || u.password) return "address_credentials";
  if (text.includes("?") || text.includes("#")) return "address_query";
  if (u.protocol === "http:" && !["127.0.0.1", "localhost", "[::1]"].includes(u.hostname)) return "insecure_address";
  return null;
}

/** `null` / empty: the official address. */
function originOf(raw: string | null): string {
  const text = raw?.trim();
  return text ? new URL(text).origin : "official";
}

function err(code: AppError["code"], extra: Partial<AppError> = {}): AppError {
  return { code, message: `mock ${code}`, provider: null, unlocks_at: null, attempt_id: null, ...extra };
}
