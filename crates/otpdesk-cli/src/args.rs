//! The command line, as clap derives it. `otpdesk --help` and `otpdesk <cmd> --help` print this.

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "otpdesk",
    version,
    about = "OTPDesk from a terminal: balances, catalogs, numbers, codes and top-ups for OTPZap, NumberOTP and OOPPay.",
    after_help = "Environment:\n  OTPDESK_OTPZAP_URL, OTPDESK_NUMBEROTP_URL, OTPDESK_OOPPAY_URL   provider base URLs (default: the real providers)\n  OTPDESK_OTPZAP_KEY, OTPDESK_NUMBEROTP_KEY, OTPDESK_OOPPAY_KEY   API keys (default: the OS keyring)\n  OTPDESK_DATA_DIR                                                 where orders are stored\n\nErrors are printed to stderr as one sentence; the exit status is 1 (2 for usage or a missing key, 3 when waiting timed out)."
)]
pub struct Cli {
    /// Print one JSON object per line instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show the OTPZap balance (IDR).
    Balance,
    /// Browse what can be bought: `catalog s1|s2|email|numberotp ...`.
    #[command(subcommand)]
    Catalog(Catalog),
    /// Buy a number (or an email inbox); add --wait to block until the code arrives.
    #[command(subcommand)]
    Buy(Buy),
    /// List the orders bought from this computer, newest first.
    Orders(OrdersArgs),
    /// Show an order's status and codes.
    Check(OrderRef),
    /// Wait for the next code of an order bought earlier.
    Wait(WaitArgs),
    /// Cancel a pending OTPZap order (refused for 2 minutes after purchase).
    Cancel(OrderId),
    /// Mark an OTPZap order finished once its code was used.
    Finish(OrderId),
    /// Ask OTPZap to send the SMS again; the new code appears as another entry.
    Resend(OrderId),
    /// Server 1 only: swap the number for a fresh one at the same price.
    Replace(OrderId),
    /// Server 3 email inboxes: check, reorder, cancel or finish by reference.
    #[command(subcommand)]
    Email(EmailAction),
    /// Add balance: OTPZap QRIS invoice or OOPPay USDT payment order.
    #[command(subcommand)]
    Topup(Topup),
    /// Save, remove or check API keys in the OS keyring.
    #[command(subcommand)]
    Keys(Keys),
    /// Team mode (one order book on PostgreSQL for several computers): status, members, invite,
    /// remove, join, leave. The team is `OTPDESK_STORE` or the one this computer joined.
    #[command(subcommand)]
    Team(Team),
    /// Keep tracking the order book (codes, refunds, top-ups) until interrupted, as the app does
    /// in the background: for a machine without a window. Prints what happens.
    Track,
    /// Purchases whose outcome is unknown (maybe charged): list, buy again, or dismiss.
    #[command(subcommand)]
    Attempts(Attempts),
    /// The most a purchase of a service may cost (every purchase of it is refused above it):
    /// `max-price` lists them, `max-price SERVICE AMOUNT` sets one, `max-price SERVICE --clear`
    /// removes it. SERVICE: otpzap:s1:PLATFORM_ID, otpzap:s2:SERVICE_ID, otpzap:email:SITE or
    /// numberotp:CODE; AMOUNT in the provider's currency (rupiah for OTPZap, dollars for NumberOTP).
    MaxPrice(MaxPriceArgs),
    /// Number prefixes and operators to avoid: a new Server 1 number that matches is replaced at
    /// once (in auto-replace jobs, or after any purchase with `blocklist all-purchases on`).
    #[command(subcommand)]
    Blocklist(BlocklistAction),
    /// Watch an offer: hear when it is in stock again or at your price (checked while OTPDesk
    /// runs: the app, `otpdesk track`, or `otpdesk watch check`).
    #[command(subcommand)]
    Watch(WatchAction),
    /// Auto-replace jobs: list them or stop one.
    #[command(subcommand)]
    Jobs(JobsAction),
    /// Your customers with what they owe and the profit on them; with a NAME, their orders.
    Customers {
        /// One customer's orders (any case).
        name: Option<String>,
    },
    /// Mark an order paid by its customer (or not paid, with --unpaid).
    Paid {
        /// Order id as printed by `buy`.
        id: String,
        #[arg(long)]
        unpaid: bool,
    },
    /// The price list that suggests sale prices: show it, or change a rule or the dollar rate.
    Prices {
        #[command(subcommand)]
        action: Option<PricesAction>,
    },
    /// Messages for your customers (Indonesian and English).
    #[command(subcommand)]
    Template(TemplateAction),
}

#[derive(Args, Debug)]
pub struct MaxPriceArgs {
    pub service: Option<String>,
    pub amount: Option<String>,
    /// Remove the maximum price of SERVICE.
    #[arg(long, conflicts_with = "amount")]
    pub clear: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKindArg {
    Prefix,
    Operator,
}

#[derive(Subcommand, Debug)]
pub enum BlocklistAction {
    /// What is listed, and whether it applies to every purchase.
    List,
    /// Add a prefix (0831 or 62831) or an operator (telkomsel, indosat, xl, axis, tri, smartfren).
    Add {
        #[arg(value_enum)]
        kind: BlockKindArg,
        value: String,
        /// Why (shown in the list).
        #[arg(long)]
        note: Option<String>,
    },
    Remove {
        #[arg(value_enum)]
        kind: BlockKindArg,
        value: String,
    },
    /// Prefixes and operators whose numbers often ended without a code (your own history).
    Suggest,
    /// Replace matching Server 1 numbers after any purchase (`on`), or only in jobs (`off`).
    AllPurchases {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum WatchOffer {
    /// OTPZap Server 1 product.
    S1 {
        #[arg(long)]
        product: String,
        #[arg(long)]
        country: String,
        #[arg(long)]
        platform: String,
    },
    /// OTPZap Server 2 service in a country.
    S2 {
        #[arg(long)]
        service: String,
        #[arg(long)]
        country: String,
        #[arg(long)]
        operator: Option<String>,
    },
    /// NumberOTP service in a country (its id, name or ISO code).
    Numberotp {
        #[arg(long)]
        service: String,
        #[arg(long)]
        country: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum WatchAction {
    /// Watch an offer: `watch add [--target X] [--auto-buy --cap X] s1 --product …`.
    Add {
        /// Alert only at or under this price (default: as soon as it is in stock).
        #[arg(long)]
        target: Option<String>,
        /// Buy one number automatically when it fires (at most --cap).
        #[arg(long, requires = "cap")]
        auto_buy: bool,
        /// The most the automatic purchase may cost.
        #[arg(long)]
        cap: Option<String>,
        /// A name for it in lists and alerts.
        #[arg(long)]
        label: Option<String>,
        #[command(subcommand)]
        offer: WatchOffer,
    },
    List,
    Remove {
        id: String,
    },
    /// Watch again after an alert.
    Rearm {
        id: String,
    },
    /// Look at every watched offer now and print the alerts.
    Check,
}

#[derive(Subcommand, Debug)]
pub enum JobsAction {
    /// Jobs, newest first.
    List {
        /// Only the running ones.
        #[arg(long)]
        running: bool,
    },
    /// Stop a job: nothing more is bought; its number stays open.
    Stop { id: String },
}

#[derive(Subcommand, Debug)]
pub enum PricesAction {
    /// Set the markup for one service (--service) or for every other service.
    Set {
        /// The service name as bought (e.g. WhatsApp); left out: the overall rule.
        #[arg(long)]
        service: Option<String>,
        /// Rupiah added to the cost.
        #[arg(long, conflicts_with = "percent", required_unless_present = "percent")]
        flat: Option<i64>,
        /// Percent of the cost added.
        #[arg(long)]
        percent: Option<u32>,
        /// The least profit in rupiah.
        #[arg(long, default_value_t = 0)]
        min_profit: i64,
    },
    /// Remove the rule of one service (--service) or the overall one.
    Remove {
        #[arg(long)]
        service: Option<String>,
    },
    /// Rupiah per US dollar for dollar costs (e.g. 16250; `none` uses the fallback) and the
    /// safety buffer in percent.
    Rate {
        rate: String,
        #[arg(long)]
        buffer: Option<u32>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TemplateAction {
    /// The message for an order's customer now: the number, and the code once it came.
    Render {
        id: String,
        #[arg(long, value_enum, default_value = "id")]
        lang: LangArg,
    },
    /// Print the templates.
    Show,
    /// Change a template (`{phone}`, `{otp}`, `{service}`, `{minutes_left}`, `{price}`).
    Set {
        #[arg(long, value_enum)]
        lang: LangArg,
        #[arg(long, value_enum)]
        kind: TemplateKindArg,
        text: String,
    },
    /// Back to the default texts.
    Reset,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LangArg {
    Id,
    En,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateKindArg {
    Number,
    Code,
}

#[derive(Subcommand, Debug)]
pub enum Attempts {
    /// List the purchases whose outcome is unknown.
    List,
    /// Buy it now, at today's price (shown first; refused if it rose above --max-price). OTPZap
    /// gets the same request key: if the first try was charged, that order comes back instead.
    BuyAgain {
        id: String,
        /// Refuse if the fresh price is higher than this (minor units: rupiah, or cents).
        #[arg(long)]
        max_price: Option<i64>,
    },
    /// You checked the provider's dashboard: close it without buying.
    Dismiss { id: String },
}

#[derive(Subcommand, Debug)]
pub enum Catalog {
    /// OTPZap Server 1: countries, services, products (1 product = service + country + price).
    #[command(subcommand)]
    S1(S1Catalog),
    /// OTPZap Server 2: countries, services with prices, operators, special services.
    #[command(subcommand)]
    S2(S2Catalog),
    /// OTPZap Server 3 email OTP: suggested sites, domains with price and stock.
    #[command(subcommand)]
    Email(EmailCatalog),
    /// NumberOTP: services, countries, prices.
    #[command(subcommand)]
    Numberotp(NumberOtpCatalog),
}

#[derive(Subcommand, Debug)]
pub enum S1Catalog {
    Countries,
    Services {
        #[arg(long)]
        country: Option<String>,
    },
    /// Price tiers of one service in one country, cheapest first.
    Products {
        /// Service (platform) id from `catalog s1 services`.
        #[arg(long)]
        platform: String,
        #[arg(long)]
        country: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum S2Catalog {
    Countries,
    Services {
        #[arg(long)]
        country: String,
        /// Buy on this operator (default `random`: OTPZap picks).
        #[arg(long)]
        operator: Option<String>,
    },
    Operators {
        #[arg(long)]
        country: String,
    },
    Special,
}

#[derive(Subcommand, Debug)]
pub enum EmailCatalog {
    Sites,
    Domains {
        /// Any site domain, e.g. openai.com.
        #[arg(long)]
        site: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum NumberOtpCatalog {
    Services {
        #[arg(long)]
        country: Option<String>,
    },
    Countries {
        #[arg(long)]
        service: Option<String>,
    },
    /// Prices in USD, optionally of one service and/or one country (its id or its name).
    Prices {
        #[arg(long)]
        service: Option<String>,
        #[arg(long)]
        country: Option<String>,
    },
}

/// How many numbers and the limits they are bought under.
#[derive(Args, Debug, Clone)]
pub struct BuyLimits {
    /// Buy this many numbers of the offer (1–50), one after the other, each its own purchase;
    /// stops at once on a price rise, a stock-out or the --min-balance floor.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub count: u32,
    /// Refuse (buy nothing) when the price is above this, in the offer's currency (rupiah for
    /// OTPZap, e.g. 3000; US dollars for NumberOTP, e.g. 0.30).
    #[arg(long)]
    pub max_price: Option<String>,
    /// Stop before a purchase would take the balance under this (OTPZap; rupiah).
    #[arg(long)]
    pub min_balance: Option<String>,
    /// Auto-replace: when no code came after this long (minutes, or seconds with `s`: 5, 90s),
    /// close the number (replace on Server 1, cancel once allowed, or let a NumberOTP number run
    /// out) and buy the next one. Needs --cap. Runs until a code comes or a limit is reached; if
    /// interrupted, the app or the next `otpdesk track` carries on.
    #[arg(long, requires = "cap", value_name = "MIN")]
    pub auto_replace_after: Option<String>,
    /// Auto-replace: at most this many replacements.
    #[arg(
        long,
        default_value_t = 3,
        value_name = "K",
        requires = "auto_replace_after"
    )]
    pub max_replacements: u32,
    /// Auto-replace: never spend more than this in all (refunds count back once confirmed).
    #[arg(long, value_name = "AMOUNT", requires = "auto_replace_after")]
    pub cap: Option<String>,
    /// Auto-replace: do not replace blocklisted numbers at once.
    #[arg(long, requires = "auto_replace_after")]
    pub no_blocklist: bool,
}

/// Who a number is for and what it is sold for (any of them records the hand-off).
#[derive(Args, Debug, Clone, Default)]
pub struct SaleOpts {
    /// Who the number is for (see `otpdesk customers`); the sale price is then filled in from
    /// the price list (`otpdesk prices`) unless --sale-price is given.
    #[arg(long)]
    pub customer: Option<String>,
    /// A note kept with the order.
    #[arg(long)]
    pub note: Option<String>,
    /// What you sell it for, in rupiah (e.g. 5000), instead of the price list's suggestion.
    #[arg(long)]
    pub sale_price: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct WaitOpts {
    /// Block until the code arrives and print it.
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this many seconds (the order stays open).
    #[arg(long, default_value_t = 1200)]
    pub timeout: u64,
    /// Seconds between status checks (OTPZap asks for 5).
    #[arg(long, default_value_t = 5)]
    pub poll_secs: u64,
}

#[derive(Subcommand, Debug)]
pub enum Buy {
    /// OTPZap Server 1 product.
    S1 {
        /// Product id from `catalog s1 products`.
        #[arg(long)]
        product: String,
        /// Country id (Indonesia is 7).
        #[arg(long)]
        country: String,
        /// Service (platform) id from `catalog s1 services`.
        #[arg(long)]
        platform: String,
        #[command(flatten)]
        wait: WaitOpts,
        #[command(flatten)]
        limits: BuyLimits,
        #[command(flatten)]
        sale: SaleOpts,
    },
    /// OTPZap Server 2 service in a country (operator `random` unless given).
    S2 {
        /// Service id from `catalog s2 services`.
        #[arg(long)]
        service: String,
        #[arg(long)]
        country: String,
        /// Operator from `catalog s2 operators`; `random` when left out.
        #[arg(long)]
        operator: Option<String>,
        #[command(flatten)]
        wait: WaitOpts,
        #[command(flatten)]
        limits: BuyLimits,
        #[command(flatten)]
        sale: SaleOpts,
    },
    /// OTPZap Server 2 special service (pre-allocated numbers).
    S2Special {
        /// Service id from `catalog s2 special`.
        #[arg(long)]
        service: String,
        #[command(flatten)]
        wait: WaitOpts,
        #[command(flatten)]
        limits: BuyLimits,
        #[command(flatten)]
        sale: SaleOpts,
    },
    /// OTPZap Server 2 multiservice: one number for several services (comma-separated ids).
    S2Multi {
        #[arg(long, value_delimiter = ',', required = true)]
        services: Vec<String>,
        #[arg(long)]
        country: String,
        #[arg(long)]
        operator: Option<String>,
        #[command(flatten)]
        wait: WaitOpts,
        #[command(flatten)]
        limits: BuyLimits,
        #[command(flatten)]
        sale: SaleOpts,
    },
    /// NumberOTP activation.
    Numberotp {
        /// Service code from `catalog numberotp services` (e.g. wa).
        #[arg(long)]
        service: String,
        /// Country: its id from `catalog numberotp countries`, its name (India) or ISO code.
        #[arg(long)]
        country: String,
        #[command(flatten)]
        wait: WaitOpts,
        #[command(flatten)]
        limits: BuyLimits,
        #[command(flatten)]
        sale: SaleOpts,
    },
    /// OTPZap Server 3 email inbox for a site.
    Email {
        #[arg(long)]
        site: String,
        /// One domain, e.g. gmail.com.
        #[arg(long, conflicts_with = "domains")]
        domain: Option<String>,
        /// Aggregator mode: the first of these domains with stock (comma-separated).
        #[arg(long, value_delimiter = ',')]
        domains: Vec<String>,
        #[arg(long)]
        qty: Option<u32>,
        #[arg(long)]
        subject: Option<String>,
        #[arg(long)]
        regex: Option<String>,
        #[command(flatten)]
        wait: WaitOpts,
        #[command(flatten)]
        sale: SaleOpts,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderProvider {
    Otpzap,
    Numberotp,
}

#[derive(Args, Debug)]
pub struct OrdersArgs {
    /// Only orders still being tracked (waiting for a code, or able to receive more).
    #[arg(long)]
    pub active: bool,
    #[arg(long, value_enum)]
    pub provider: Option<OrderProvider>,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}

#[derive(Args, Debug)]
pub struct OrderRef {
    /// Order id as printed by `buy` (the provider's id, its ref, or OTPDesk's own id).
    pub id: String,
    #[arg(long, value_enum, default_value = "otpzap")]
    pub provider: OrderProvider,
}

#[derive(Args, Debug)]
pub struct WaitArgs {
    #[command(flatten)]
    pub order: OrderRef,
    #[arg(long, default_value_t = 1200)]
    pub timeout: u64,
    #[arg(long, default_value_t = 5)]
    pub poll_secs: u64,
}

#[derive(Args, Debug)]
pub struct OrderId {
    /// Order id as printed by `buy` (the provider's id, its ref, or OTPDesk's own id).
    pub id: String,
}

#[derive(Subcommand, Debug)]
pub enum EmailAction {
    Check {
        reference: String,
    },
    /// Wait for a message with a code.
    Wait {
        reference: String,
        #[arg(long, default_value_t = 1200)]
        timeout: u64,
        #[arg(long, default_value_t = 5)]
        poll_secs: u64,
    },
    Reorder {
        reference: String,
    },
    Cancel {
        reference: String,
    },
    Finish {
        reference: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum Topup {
    /// OTPZap QRIS invoice in rupiah; pay it at the printed link within 30 minutes.
    Qris {
        /// Whole rupiah, e.g. 50000.
        #[arg(long)]
        amount: String,
        /// Block until the invoice is paid or expires.
        #[arg(long)]
        wait: bool,
    },
    /// OOPPay USDT-TRC20 payment order; send the exact pay amount to the printed address.
    Usdt {
        /// USDT, e.g. 10.00.
        #[arg(long)]
        amount: String,
        #[arg(long)]
        callback_url: Option<String>,
        #[arg(long, default_value_t = 30)]
        expire_minutes: u32,
        #[arg(long)]
        wait: bool,
    },
    /// Status of a QRIS invoice (APIDEP-...) or an OOPPay order.
    Check {
        id: String,
        #[arg(long, value_enum, default_value = "otpzap")]
        provider: DepositProvider,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepositProvider {
    Otpzap,
    Ooppay,
}

#[derive(Subcommand, Debug)]
pub enum Team {
    /// The team's server (without password), who you are, and whether it answers.
    Status,
    /// Everyone in the team, the owner first.
    Members,
    /// Owner: add an operator called NAME and print the invite to hand them (it holds their
    /// password: send it privately; it is printed once).
    Invite { name: String },
    /// Owner: remove a member by login (see `team members`).
    Remove { login: String },
    /// Join a team: paste the invite (or, to start a team as its owner, the server's
    /// `postgres://` connection string) on standard input, never on the command line.
    Join,
    /// Leave the team: forget its connection string; this computer's own order book is used again.
    Leave,
}

#[derive(Subcommand, Debug)]
pub enum Keys {
    /// Save a provider's API key (read from standard input, never from the command line).
    Set { provider: String },
    /// Remove a provider's API key.
    Clear { provider: String },
    /// Which providers have a key (never prints the keys).
    Status,
}
