//! `otpdesk`: OTPDesk's headless command line. Same provider clients as the desktop app.

mod args;
mod commands;
mod context;
mod error;
mod output;

use args::{Cli, Command};
use clap::Parser;
use commands::{actions, attempts, automation, buy, catalog, desk, keys, team, topup, tracked};
use context::Context;
use error::CliError;
use output::Out;

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let out = Out { json: cli.json };
    if let Err(err) = run(cli.command, out).await {
        if out.json {
            eprintln!(
                "{}",
                serde_json::json!({"type": "error", "code": err.code(), "message": err.to_string()})
            );
        } else {
            eprintln!("otpdesk: {err}");
        }
        std::process::exit(err.exit_code());
    }
}

async fn run(command: Command, out: Out) -> Result<(), CliError> {
    let ctx = Context::from_env();
    match command {
        Command::Balance => catalog::balance(&ctx, out).await,
        Command::Catalog(c) => catalog::run(&ctx, out, c).await,
        Command::Buy(b) => buy::run(&ctx, out, b).await,
        Command::Orders(a) => tracked::list(&ctx, out, orders_filter(a)),
        Command::Check(r) => actions::check(&ctx, out, r).await,
        Command::Wait(w) => actions::wait(&ctx, out, w).await,
        Command::Cancel(o) => actions::cancel(&ctx, out, o.id).await,
        Command::Finish(o) => actions::finish(&ctx, out, o.id).await,
        Command::Resend(o) => actions::resend(&ctx, out, o.id).await,
        Command::Replace(o) => actions::replace(&ctx, out, o.id).await,
        Command::Email(a) => actions::email(&ctx, out, a).await,
        Command::Topup(t) => topup::run(&ctx, out, t).await,
        Command::Keys(k) => keys::run(&ctx, out, k),
        Command::Team(t) => team::run(&ctx, out, t).await,
        Command::Attempts(a) => attempts::run(&ctx, out, a).await,
        Command::Track => tracked::track(&ctx, out).await,
        Command::MaxPrice(a) => automation::max_price(&ctx, out, a).await,
        Command::Blocklist(a) => automation::blocklist(&ctx, out, a).await,
        Command::Watch(a) => automation::watch(&ctx, out, a).await,
        Command::Jobs(a) => automation::jobs(&ctx, out, a).await,
        Command::Customers { name } => desk::customers(&ctx, out, name.as_deref()),
        Command::Paid { id, unpaid } => desk::paid(&ctx, out, &id, !unpaid),
        Command::Prices { action } => desk::prices(&ctx, out, action),
        Command::Template(t) => desk::template(&ctx, out, t),
    }
}

fn orders_filter(a: args::OrdersArgs) -> otpdesk_engine::OrderFilter {
    otpdesk_engine::OrderFilter {
        provider: a.provider.map(|p| match p {
            args::OrderProvider::Otpzap => otpdesk_core::ProviderId::Otpzap,
            args::OrderProvider::Numberotp => otpdesk_core::ProviderId::Numberotp,
        }),
        active_only: a.active,
        limit: Some(a.limit),
        ..Default::default()
    }
}
