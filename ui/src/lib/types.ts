// The shapes the UI works with. They mirror the engine model (crates/otpdesk-engine/src/model.rs)
// and the Tauri shell's commands. ipc.ts adapts the generated bindings to these names, so a rename
// in the backend touches one file.

export type ProviderId = "otpzap" | "numberotp" | "ooppay";
export const PROVIDERS: readonly ProviderId[] = ["otpzap", "numberotp", "ooppay"];
export const PROVIDER_NAMES: Record<ProviderId, string> = {
  otpzap: "OTPZap",
  numberotp: "NumberOTP",
  ooppay: "OOPPay",
};

export type Currency = "IDR" | "USD" | "USDT";
export interface Money {
  currency: Currency;
  minor: number;
}

/** Canonical status text; providers' unknown statuses pass through verbatim. */
export type OrderStatus =
  | "pending"
  | "otp_received"
  | "completed"
  | "cancelled"
  | "expired"
  | "failed"
  | "replaced"
  | (string & {});

export const FINAL_STATUSES: readonly string[] = ["completed", "cancelled", "expired", "failed", "replaced"];

export interface OtpView {
  seq: number;
  code: string | null;
  text: string | null;
  sender: string | null;
  service: string | null;
  received_at: string | null;
  stored_at: string;
}

export interface OrderView {
  id: string;
  provider: ProviderId;
  kind: "sms" | "email";
  server: number | null;
  remote_id: string;
  remote_ref: string | null;
  phone: string | null;
  email: string | null;
  service: string;
  price: Money | null;
  status: OrderStatus;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  resend_count: number;
  resend_locked_until: string | null;
  resend_waiting_for_otp: boolean;
  cancel_unlocks_at: string | null;
  attempt_id: string | null;
  replaced_by: string | null;
  otps: OtpView[];
}

export type EngineEvent =
  | { type: "order_created"; order: OrderView }
  | { type: "order_status_changed"; order_id: string; provider: ProviderId; from: OrderStatus; to: OrderStatus }
  | { type: "otp_received"; order_id: string; provider: ProviderId; otp: OtpView }
  | { type: "balance_changed"; entry: { provider: ProviderId; amount: Money } }
  | { type: "provider_error"; provider: ProviderId; code: string; message: string; order_id: string | null }
  | { type: string; [k: string]: unknown };

/** What to buy; mirrors the engine's BuyRequest. */
export type BuyRequest =
  | { type: "otpzap_s1"; product_id: number; country_id: number; platform_id: number }
  | { type: "otpzap_s2"; service_id: number; country_id: number; operator_id: string }
  | { type: "otpzap_s2_special"; service_id: number }
  | { type: "numberotp"; service: string; country: string };

/** Which catalog a row comes from. */
export type CatalogSource = "otpzap_s1" | "otpzap_s2" | "numberotp";
export const CATALOG_SOURCES: readonly CatalogSource[] = ["otpzap_s1", "otpzap_s2", "numberotp"];

/** One buyable row: a service in a country at a price. */
export interface CatalogItem {
  source: CatalogSource;
  provider: ProviderId;
  service: string;
  country: string;
  price: Money | null;
  /** `null` when the provider does not say. */
  stock: number | null;
  buy: BuyRequest;
}

export interface Balance {
  provider: ProviderId;
  /** `null`: the provider has no balance API (or no key). */
  balance: Money | null;
  /** Whether the provider can report a balance at all. */
  supported: boolean;
}

/** Every command failure: a stable `code` the UI translates, and the backend's own sentence. */
export interface AppError {
  code: string;
  message: string;
  /** Seconds to wait, when the backend knows (cooldowns, rate limits). */
  retry_after_secs?: number | null;
}

export interface KeyStatus {
  provider: ProviderId;
  set: boolean;
}

export type Language = "en" | "id";
export type Theme = "system" | "light" | "dark";

export interface Settings {
  notifications: boolean;
  sound: boolean;
  auto_copy: boolean;
  /** Requests per minute the app may spend polling each provider. */
  poll_budget_per_min: number;
  language: Language;
  theme: Theme;
  base_urls: Record<ProviderId, string | null>;
}

export const DEFAULT_SETTINGS: Settings = {
  notifications: true,
  sound: true,
  auto_copy: false,
  poll_budget_per_min: 240,
  language: "en",
  theme: "system",
  base_urls: { otpzap: null, numberotp: null, ooppay: null },
};

export interface AppStatus {
  demo: boolean;
  keys: KeyStatus[];
  settings: Settings;
}
