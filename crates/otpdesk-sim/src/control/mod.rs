//! The simulator's control API (`http://127.0.0.1:PORT/_sim/…`, JSON in and out) and
//! [`SimControl`], a typed client for it. Tests use it to deliver OTPs, pay deposits, move the
//! clock, inspect balances/ledger/requests and inject faults. Errors: `{"error":"<message>"}`
//! with 404 (unknown ref), 409 (wrong state) or 422 (bad body).
//!
//! | method + path | body / query | reply |
//! |---|---|---|
//! | `POST /_sim/reset` | – | `{"ok":true}`; fresh accounts, orders, ledger, log, faults, config; clock back to now at the configured scale |
//! | `POST /_sim/accounts` | `{"provider":"otpzap","key":"…","balance":50000}` (`"12.5"` for USD/USDT) | `{"ok":true,"key_fp":"fp_…"}`; creates or resets |
//! | `GET /_sim/state` | – | [`types::StateView`] |
//! | `GET /_sim/balances` | – | `[`[`types::BalanceView`]`]` (keys only as fingerprints) |
//! | `GET /_sim/ledger` | `?key_fp=fp_…&provider=otpzap` (both optional) | `[`[`types::LedgerEntry`]`]` |
//! | `GET /_sim/idempotency` | – | `[`[`types::IdempotencyUse`]`]`: per account and Idempotency-Key, `creates` that really ran and ledger `charges` carrying it |
//! | `POST /_sim/deliver` | [`types::DeliverOtp`]: `{"ref":"65"\|"API3-…"\|"APIE-…"\|"act_…","code"?,"text"?,"service"?,"late"?}`; `"late":true` is the late-code fault (OTPZap SMS: also to an order no longer open, status and balance unchanged) | [`types::Delivered`] |
//! | `POST /_sim/deposits/{id}/pay` | – | the deposit (OTPZap `APIDEP-…` or OOPPay order id) after paying; credits the account; an expired OTPZap top-up can still be paid (late QRIS payment) |
//! | `POST /_sim/deposits/{id}/expire` | – | the deposit after expiring it |
//! | `POST /_sim/deposits/{id}/fail` | – | the deposit after marking it `failed` |
//! | `POST /_sim/offers` | [`types::OfferChange`]: `{"product_id","price"?,"stock"?,"after_sales"?}`: an OTPZap Server 1 product's price (rupiah) and units left, now or after that many more sales | `{"ok":true}` |
//! | `GET /_sim/orders` | – | `{"sms":[…],"emails":[…],"activations":[…],"topups":[…],"ooppay":[…]}` (provider views plus `key_fp`; SMS orders also `country_id`, `product_id`, `operator_id`, `is_special`, `idempotency_key`) |
//! | `GET /_sim/requests` | – | [`types::RequestsView`]: `{total,count_429,requests:[{seq,at,provider,method,path,key_fp,status,retry_after,fault,idempotency_key}]}` |
//! | `DELETE /_sim/requests` | – | clears the request log |
//! | `GET /_sim/config` / `POST /_sim/config` | [`types::ConfigPatch`]: `{"otp_delay_ms":5000\|null,"rate_limit_per_min":300,"long_poll_max_ms":55000,"allow_insecure_webhooks":true,"create_delay_ms":0,"idempotency_ttl_secs":null,"cancel_confirm_delay_secs":null,"numberotp_shape":"doc"}` | [`types::ConfigView`] |
//! | `POST /_sim/webhooks` | [`types::WebhookConfigRequest`]: `{"provider","url","secret","key"?,"events"?}` | `{"ok":true}` |
//! | `GET /_sim/webhooks/deliveries` | – | `[`[`types::WebhookDelivery`]`]`: every attempt with body, signature, receiver status |
//! | `GET /_sim/faults` / `POST /_sim/faults` | [`types::FaultRule`] | list / `{"id":1}` |
//! | `DELETE /_sim/faults` / `DELETE /_sim/faults/{id}` | – | clears all / one |
//! | `GET /_sim/clock` / `POST /_sim/clock` | [`types::ClockUpdate`]: `{"scale":60}` and/or `{"advance_secs":120}` | [`types::ClockView`] |
//!
//! ## Time
//! One simulated clock drives OTP delays, the 2-minute cancel cooldown, 20-minute order windows,
//! 30-minute invoices, OOPPay `expire_at` and the rate-limit window. `scale` 60 runs a minute per
//! real second, 0 freezes it; `advance_secs` jumps (everything due fires at its own due time).
//! Fault `delay` and the NumberOTP long-poll hold (`long_poll_max_ms`) are real time.
//!
//! ## Provider behaviour knobs (`POST /_sim/config`)
//! - `create_delay_ms` (real time, ≤ 10 min, 0 = off): OTPZap `order/create`, `order/email-create`
//!   and `topup/create` take this long to process and commit at its end, even if the client has
//!   gone. Meanwhile a second request with the same Idempotency-Key gets `409
//!   {"success":false,"message":"A request with this Idempotency-Key is in progress"}` (no code).
//! - `idempotency_ttl_secs` (simulated, `null` = forever, the default): a key is forgotten that
//!   long after its reply; the same key then creates a new order and charges again (the ledger
//!   and `GET /_sim/idempotency` show both).
//! - `cancel_confirm_delay_secs` (simulated, `null`/0 = at once, the default; also
//!   `SimConfig::cancel_confirm_delay` / `--cancel-confirm-delay-secs` from the start): an
//!   asynchronous cancel: `order/cancel` answers `{"order_id":65,"refunded":false}`; the order
//!   stays `cancelling` (no OTP but a late one, no finish, resend, replace or second cancel)
//!   until the delay has passed, then is `cancelled`, refunded in the ledger (and balance) at
//!   that time, and `order.cancelled` is sent.
//!
//! - `numberotp_shape` (`"doc"`, the default, or `"realworld"`; also `--numberotp-shape`): which
//!   NumberOTP dialect the simulator speaks, see [`types::NumberOtpShape`] and docs/WIRE.md.
//!
//! ## Faults
//! Rule: `{"kind":…, "provider"?: "otpzap", "method"?: "POST", "path_contains"?: "order/create",
//! "count"?: 1, "probability"?: 0.5}` (matchers all optional; `path_contains` also sees the query).
//! Kinds:
//! - `{"kind":"drop_after_commit"}`: the handler runs and commits (charges…), then the connection
//!   is closed without a response (the reply body errors before hyper flushes anything; at worst
//!   a client could see headers and a broken body): an unknown outcome for the client.
//! - `{"kind":"delay","ms":3000}`: wait, then the normal reply.
//! - `{"kind":"status","status":503,"body"?:"…"}`: that status with the given body (JSON or text),
//!   or by default the provider's error envelope with code `upstream_rejected` (502),
//!   `service_unavailable` (503) or `server_error`; the handler does not run.
//! - `{"kind":"html"}`: 502 nginx-style HTML page; the handler does not run.
//! - `{"kind":"malformed_json"}`: the handler runs and commits; 200 with the JSON cut in half.
//! - `{"kind":"rate_limit","retry_after"?:30}`: provider-shaped 429 `rate_limited` + `Retry-After`.
//! - `{"kind":"too_many_requests","retry_after"?:"18446744073709551615","body"?:"…","codeless"?:true}`:
//!   a 429 whose `Retry-After` is sent verbatim (any header-safe text: huge integers, `1e30`, an
//!   HTTP date in 3000); body `body`, else with `codeless` the provider's error shape without a
//!   code (OTPZap `{"success":false,"message":"Too Many Requests"}`), else `rate_limited`.
//! - `{"kind":"patch_reply","set":{"price":"2835.5","currency":"XYZ"}}`: the handler runs and
//!   commits at the real price; the fields of `set` are then written into the successful reply's
//!   payload (OTPZap `data` and its `order`/`orders[]`, else the body). For odd paid prices.
//!
//! A lost reply after the order was created is `drop_after_commit` (the create ran, was
//! charged and its reply is kept for its Idempotency-Key).
//!
//! Every matching rule fires: delays add up, the first short-circuit kind wins, and a count is
//! used only when its rule fired. Rules stay until their count runs out or they are cleared.

mod client;
pub(crate) mod routes;
pub mod types;

pub use client::{ControlError, SimControl};
