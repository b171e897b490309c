// The shapes the UI works with: the generated bindings' types (src-tauri via tauri-specta), plus
// a few UI-only ones. Components import from here, never from bindings.ts directly.

export type {
  ActionKind,
  AllowedAction,
  CurrencyTotals,
  EntryType,
  HistoryItem,
  StatusGroup,
  AppError,
  AttemptView,
  BatchProgress,
  BatchRequest,
  BatchResult,
  BatchStop,
  OfferAgain,
  DepositInfo,
  DepositKind,
  DepositView,
  EmailDomainOffer,
  EmailSiteChoice,
  HistoryPage,
  HistoryQuery,
  HistoryRow as HistoryOrder,
  LedgerEntry,
  LowBalanceAlert,
  LowBalanceThresholds,
  AppMode,
  AppStatus,
  BalanceState,
  BaseUrls,
  BuyRequest,
  CatalogCountry,
  CatalogItem,
  CatalogItems,
  CatalogSource,
  Countries,
  Currency,
  EngineEvent,
  ErrorCode,
  KeyStatus,
  Language,
  Money,
  OrderView,
  OtpView,
  ProviderBalance,
  ProviderFailure,
  ProviderId,
  Quote,
  SavedView,
  HistoryView,
  EmailView,
  TopupView,
  CatalogView,
  Settings,
  UpdateReady,
  UpdateStatus,
  JobRequest,
  JobView,
  JobState,
  JobOrder,
  MaxPrice,
  Blocklist,
  BlockEntry,
  BlockKind,
  BlockSuggestion,
  WatchRequest,
  WatchView,
  WatchState,
  Customer,
  HandOff,
  Markup,
  MarkupRule,
  OrderDesk,
  PriceList,
  PriceListView,
  ShareApp,
  Suggestion,
  Template,
  TemplateKind,
  TemplateLang,
  Offer,
  OfferQuality,
  CancelWarning,
  HistoryCursor,
  TeamStatus,
  SoldBy,
  Member,
  Role,
  RequestView,
  RequestKind,
  RequestState,
} from "./bindings";

import type { CatalogSource, ProviderId, Settings } from "./bindings";

// ---- Shapes of commands the backend is adding for issue #5. The UI is built against these (and
// the mock); each is replaced by the generated type once it lands in bindings.ts.

export interface EmailBuy {
  site: string;
  domain: string;
  qty: number;
  subject: string | null;
  regex: string | null;
}



export const PROVIDERS: readonly ProviderId[] = ["otpzap", "numberotp", "ooppay"];
export const PROVIDER_NAMES: Record<ProviderId, string> = {
  otpzap: "OTPZap",
  numberotp: "NumberOTP",
  ooppay: "OOPPay",
};

export const CATALOG_SOURCES: readonly CatalogSource[] = ["otpzap_s1", "otpzap_s2", "otpzap_s2_special", "numberotp"];

/** Canonical final statuses (crates/otpdesk-core/src/status.rs). */
export const FINAL_STATUSES: readonly string[] = ["completed", "cancelled", "expired", "failed", "replaced"];

/** The language actually shown ("system" resolved). */
export type UiLanguage = "en" | "id";

/** Colour theme: a UI-only preference kept in localStorage. */
export type Theme = "system" | "light" | "dark";

/** Bounds the backend enforces (src-tauri/settings.rs). */
export const POLL_BUDGET_MIN = 10;
export const POLL_BUDGET_MAX = 270;

export const DEFAULT_SETTINGS: Settings = {
  notifications: true,
  sound: true,
  auto_copy: false,
  poll_budget_per_minute: POLL_BUDGET_MAX,
  base_urls: { otpzap: null, numberotp: null, ooppay: null },
  language: "system",
  low_balance: { otpzap: null, numberotp: null, ooppay: null },
  start_at_login: false,
};
