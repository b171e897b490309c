// In-memory backend with the same interface as the Tauri shell: unit tests drive it directly, and
// `npm run dev` in a plain browser uses it so the UI can be looked at without the desktop app.

import type { Ipc } from "./ipc";
import {
  DEFAULT_SETTINGS,
  PROVIDERS,
  type AppError,
  type AppStatus,
  type Balance,
  type BuyRequest,
  type CatalogItem,
  type CatalogSource,
  type EngineEvent,
  type OrderView,
  type ProviderId,
  type Settings,
} from "./types";

const SAMPLE: CatalogItem[] = [
  ...[
    ["WhatsApp", "Indonesia", 2835, 1520],
    ["Telegram", "Indonesia", 3100, 640],
    ["Shopee", "Indonesia", 1900, 0],
    ["Gojek", "Indonesia", 2400, 88],
    ["WhatsApp", "Malaysia", 6500, 31],
    ["TikTok", "Vietnam", 2200, 410],
  ].map(([service, country, price, stock], i): CatalogItem => ({
    source: "otpzap_s1",
    provider: "otpzap",
    service: service as string,
    country: country as string,
    price: { currency: "IDR", minor: price as number },
    stock: stock as number,
    buy: { type: "otpzap_s1", product_id: 1000 + i, country_id: 6, platform_id: 1 },
  })),
  ...[
    ["WhatsApp", "Indonesia", 3400],
    ["Facebook", "Philippines", 2650],
  ].map(([service, country, price], i): CatalogItem => ({
    source: "otpzap_s2",
    provider: "otpzap",
    service: service as string,
    country: country as string,
    price: { currency: "IDR", minor: price as number },
    stock: null,
    buy: { type: "otpzap_s2", service_id: 200 + i, country_id: 6, operator_id: "any" },
  })),
  ...[
    ["WhatsApp", "United States", 250_000, 120],
    ["Google", "United Kingdom", 180_000, 45],
  ].map(([service, country, price, stock]): CatalogItem => ({
    source: "numberotp",
    provider: "numberotp",
    service: service as string,
    country: country as string,
    price: { currency: "USD", minor: price as number },
    stock: stock as number,
    buy: { type: "numberotp", service: String(service).toLowerCase(), country: "1" },
  })),
];

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
  orders = new Map<string, OrderView>();
  balance = 250_000;
  /** Every call, for assertions. */
  calls: string[] = [];
  /** Make the next call of a command fail with this error. */
  failNext = new Map<string, AppError>();
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

  private snapshot(): AppStatus {
    return {
      demo: this.demo,
      keys: PROVIDERS.map((provider) => ({ provider, set: this.keys[provider] || this.demo })),
      settings: structuredClone(this.settings),
    };
  }

  async status() {
    await this.step("status");
    return this.snapshot();
  }
  async setKey(provider: ProviderId, key: string) {
    await this.step("setKey");
    if (!key.trim() || key.includes("bad")) throw { code: "auth", message: "401 unauthorized" } satisfies AppError;
    this.keys[provider] = true;
  }
  async clearKey(provider: ProviderId) {
    await this.step("clearKey");
    this.keys[provider] = false;
  }
  async startDemo() {
    await this.step("startDemo");
    this.demo = true;
    return this.snapshot();
  }
  async stopDemo() {
    await this.step("stopDemo");
    this.demo = false;
    return this.snapshot();
  }
  async balances(): Promise<Balance[]> {
    await this.step("balances");
    const on = (p: ProviderId) => this.keys[p] || this.demo;
    return [
      { provider: "otpzap", supported: true, balance: on("otpzap") ? { currency: "IDR", minor: this.balance } : null },
      { provider: "numberotp", supported: false, balance: null },
      { provider: "ooppay", supported: false, balance: null },
    ];
  }
  async catalog(source: CatalogSource) {
    await this.step("catalog");
    const provider: ProviderId = source === "numberotp" ? "numberotp" : "otpzap";
    if (!this.keys[provider] && !this.demo) throw { code: "provider_not_configured", message: "" } satisfies AppError;
    return SAMPLE.filter((i) => i.source === source);
  }
  async buy(req: BuyRequest) {
    await this.step("buy");
    const item = SAMPLE.find((i) => JSON.stringify(i.buy) === JSON.stringify(req));
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
    };
    this.orders.set(id, order);
    if (item?.price?.currency === "IDR") this.balance -= item.price.minor;
    this.emit({ type: "order_created", order: structuredClone(order) });
    if (this.autoDeliverMs !== null) setTimeout(() => this.deliver(id), this.autoDeliverMs);
    return structuredClone(order);
  }
  /** Simulate the provider delivering a code. */
  deliver(id: string, code = String(100000 + Math.floor(Math.random() * 899999))): void {
    const o = this.orders.get(id);
    if (!o) return;
    const otp = {
      seq: o.otps.length + 1,
      code,
      text: `Your ${o.service} code is ${code}`,
      sender: o.service,
      service: null,
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
    return [...this.orders.values()].filter((o) => ["pending", "otp_received"].includes(o.status)).map((o) => structuredClone(o));
  }
  private async act(name: string, id: string, to: string): Promise<OrderView> {
    await this.step(name);
    const o = this.orders.get(id);
    if (!o) throw { code: "order_not_found", message: id } satisfies AppError;
    if (name === "cancelOrder" && o.cancel_unlocks_at && Date.parse(o.cancel_unlocks_at) > this.now()) {
      throw {
        code: "cancel_cooldown",
        message: `Cancel is possible from ${o.cancel_unlocks_at}.`,
        retry_after_secs: Math.ceil((Date.parse(o.cancel_unlocks_at) - this.now()) / 1000),
      } satisfies AppError;
    }
    if (name === "resendOrder") {
      o.resend_count += 1;
      o.resend_waiting_for_otp = true;
      return structuredClone(o);
    }
    const from = o.status;
    o.status = to;
    this.emit({ type: "order_status_changed", order_id: id, provider: o.provider, from, to });
    return structuredClone(o);
  }
  cancelOrder(id: string) {
    return this.act("cancelOrder", id, "cancelled");
  }
  finishOrder(id: string) {
    return this.act("finishOrder", id, "completed");
  }
  resendOrder(id: string) {
    return this.act("resendOrder", id, "pending");
  }
  async saveSettings(settings: Settings) {
    await this.step("saveSettings");
    this.settings = structuredClone(settings);
    return structuredClone(settings);
  }
  async onEngineEvent(cb: (e: EngineEvent) => void) {
    this.listeners.add(cb);
    return () => {
      this.listeners.delete(cb);
    };
  }
}
