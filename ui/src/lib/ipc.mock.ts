// In-memory backend with the same interface as the Tauri shell: unit tests drive it directly, and
// `npm run dev` in a plain browser uses it so the UI can be looked at without the desktop app.

import type { Ipc, Unlisten } from "./ipc";
import {
  DEFAULT_SETTINGS,
  PROVIDERS,
  type AppError,
  type AppMode,
  type AppStatus,
  type BuyRequest,
  type CatalogCountry,
  type CatalogItem,
  type EngineEvent,
  type OrderView,
  type ProviderBalance,
  type ProviderId,
  type Settings,
} from "./types";

const COUNTRIES: CatalogCountry[] = [
  { name: "Indonesia", iso: "ID", otpzap_s1: "7", otpzap_s2: "6", numberotp: "6" },
  { name: "Malaysia", iso: "MY", otpzap_s1: "8", otpzap_s2: null, numberotp: "7" },
  { name: "United States", iso: "US", otpzap_s1: null, otpzap_s2: null, numberotp: "1" },
];

function item(source: CatalogItem["source"], service: string, country: string, price: number, stock: number | null, n: number): CatalogItem {
  const provider: ProviderId = source === "numberotp" ? "numberotp" : "otpzap";
  const target: BuyRequest =
    source === "otpzap_s1"
      ? { type: "otpzap_s1", product_id: 1000 + n, country_id: 7, platform_id: 1 }
      : source === "otpzap_s2"
        ? { type: "otpzap_s2", service_id: 200 + n, country_id: 6, operator_id: "any" }
        : { type: "numberotp", service: service.slice(0, 2).toLowerCase(), country: "6" };
  return {
    provider,
    source,
    service,
    service_code: service.slice(0, 2).toLowerCase(),
    label: null,
    country,
    price: { currency: provider === "numberotp" ? "USD" : "IDR", minor: price },
    stock,
    target,
  };
}

const SAMPLE: CatalogItem[] = [
  item("otpzap_s1", "WhatsApp", "Indonesia", 2835, 1520, 1),
  item("otpzap_s1", "Telegram", "Indonesia", 3100, 640, 2),
  item("otpzap_s1", "Shopee", "Indonesia", 1900, 0, 3),
  item("otpzap_s1", "Gojek", "Indonesia", 2400, 88, 4),
  item("otpzap_s1", "WhatsApp", "Malaysia", 6500, 31, 5),
  item("otpzap_s2", "WhatsApp", "Indonesia", 3400, null, 6),
  item("otpzap_s2", "Facebook", "Indonesia", 2650, null, 7),
  item("numberotp", "WhatsApp", "Indonesia", 250_000, 120, 8),
  item("numberotp", "Google", "United States", 180_000, 45, 9),
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
  private modeListeners = new Set<(m: AppMode) => void>();
  orders = new Map<string, OrderView>();
  balance = 250_000;
  /** What copyCode put on the "clipboard". */
  copied: string | null = null;
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

  private keyList() {
    return PROVIDERS.map((provider) => ({
      provider,
      set: this.demo || this.keys[provider],
      source: this.demo ? ("demo" as const) : this.keys[provider] ? ("keyring" as const) : ("none" as const),
    }));
  }

  private snapshot(): AppStatus {
    return { mode: this.demo ? "demo" : "real", keys: this.keyList(), keyring_error: null, problem: null, version: "0.0.0-mock" };
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
      },
      { provider: "numberotp", balance: this.on("numberotp") ? { status: "not_available" } : { status: "no_key" } },
      { provider: "ooppay", balance: { status: "not_available" } },
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
    );
    return { items, failures: [] };
  }
  async buy(req: BuyRequest) {
    await this.step("buy");
    const item = SAMPLE.find((i) => JSON.stringify(i.target) === JSON.stringify(req));
    if (item?.stock === 0) throw err("out_of_stock");
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
    if (!o) throw err("order_not_found");
    if (name === "cancelOrder" && o.cancel_unlocks_at && Date.parse(o.cancel_unlocks_at) > this.now()) {
      throw err("cancel_cooldown", { unlocks_at: o.cancel_unlocks_at });
    }
    if (name === "resendCode") {
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
  resendCode(id: string) {
    return this.act("resendCode", id, "pending");
  }
  async copyCode(id: string) {
    await this.step("copyCode");
    const o = this.orders.get(id);
    this.copied = o?.otps.at(-1)?.code ?? null;
  }
  async getSettings() {
    await this.step("getSettings");
    return structuredClone(this.settings);
  }
  async updateSettings(settings: Settings) {
    await this.step("updateSettings");
    if (settings.poll_budget_per_minute < 10 || settings.poll_budget_per_minute > 270) throw err("invalid_settings");
    this.settings = structuredClone(settings);
    return structuredClone(settings);
  }
  async onEngineEvent(cb: (e: EngineEvent) => void): Promise<Unlisten> {
    this.listeners.add(cb);
    return () => {
      this.listeners.delete(cb);
    };
  }
  async onModeChanged(cb: (m: AppMode) => void): Promise<Unlisten> {
    this.modeListeners.add(cb);
    return () => {
      this.modeListeners.delete(cb);
    };
  }
}

function err(code: AppError["code"], extra: Partial<AppError> = {}): AppError {
  return { code, message: `mock ${code}`, provider: null, unlocks_at: null, attempt_id: null, ...extra };
}
