//! Binding, routing and lifecycle: [`spawn`] starts the server, the ticker and the webhook worker;
//! [`SimHandle`] gives the URLs and stops it all.

use crate::control::SimControl;
use crate::middleware::provider_layer;
use crate::state::Sim;
use crate::{control, numberotp, ooppay, otpzap, webhooks, SimConfig};
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// How often background work (scheduled OTPs, expiries) is applied without traffic, real time.
const TICK: Duration = Duration::from_millis(50);

pub fn router(sim: Arc<Sim>) -> Router {
    let providers = Router::new()
        .nest("/otpzap/api/v1", otpzap::router())
        .nest("/numberotp/v1", numberotp::router())
        .nest("/ooppay/api/v1", ooppay::router())
        .layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            provider_layer,
        ));
    Router::new()
        .merge(providers)
        .nest("/_sim", control::routes::router())
        .route("/otpzap/pay/{id}", get(pay_page).post(pay_submit))
        .route("/ooppay/qr/{id}", get(ooppay_qr))
        .with_state(sim)
}

/// The QRIS "payment page" behind `payment_url`: shows the invoice and a pay button.
async fn pay_page(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    let found = sim.with(|w, _| {
        w.topups
            .get(&id)
            .map(|t| (t.total_amount, t.status.as_str()))
    });
    match found {
        Some((total, status)) => Html(format!(
            "<!doctype html><title>QRIS {id}</title><h1>OTPZap QRIS</h1><p>Invoice {id}</p><p>Total: Rp {total}</p><p>Status: {status}</p>\
             <form method=post><button>Pay (simulator)</button></form>"
        ))
        .into_response(),
        None => (axum::http::StatusCode::NOT_FOUND, Html("<h1>Invoice not found</h1>".to_string())).into_response(),
    }
}

async fn pay_submit(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    match sim.with(|w, now| otpzap::topup::pay(w, now, &id)) {
        Ok(_) => Html(format!("<h1>Paid</h1><p>Invoice {id} is paid.</p>")).into_response(),
        Err(e) => (
            e.status(otpdesk_core::ProviderId::Otpzap),
            Html(format!("<h1>{e}</h1>")),
        )
            .into_response(),
    }
}

/// What the `qr_code_url` of an OOPPay order encodes (a TRON payment URI), as plain text.
async fn ooppay_qr(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    let found = sim.with(|w, _| {
        w.oop_orders.get(&id).map(|o| {
            format!(
                "tron:{}?amount={}&token=USDT",
                o.pay_address,
                o.pay_amount.to_decimal_string()
            )
        })
    });
    match found {
        Some(uri) => uri.into_response(),
        None => (axum::http::StatusCode::NOT_FOUND, "order not found").into_response(),
    }
}

/// A running simulator. Dropping it stops the server too; [`SimHandle::shutdown`] waits for it.
pub struct SimHandle {
    addr: SocketAddr,
    sim: Arc<Sim>,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    background: Vec<JoinHandle<()>>,
}

/// Start a simulator on `127.0.0.1:config.port` (0 = any free port).
pub async fn spawn(config: SimConfig) -> std::io::Result<SimHandle> {
    let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
    let addr = listener.local_addr()?;
    let (shutdown, shutdown_rx) = watch::channel(false);
    let (hook_tx, hook_rx) = mpsc::unbounded_channel();
    let sim = Arc::new(Sim::new(
        config,
        format!("http://{addr}"),
        hook_tx,
        shutdown_rx.clone(),
    ));
    let worker = tokio::spawn(webhooks::run_worker(hook_rx, sim.deliveries.clone()));
    let ticker = {
        let sim = sim.clone();
        let mut stop = shutdown_rx.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(TICK);
            loop {
                tokio::select! {
                    _ = every.tick() => sim.tick(),
                    _ = stop.changed() => break,
                }
            }
        })
    };
    let app = router(sim.clone());
    let mut stop = shutdown_rx;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|v| *v).await;
            })
            .await;
    });
    Ok(SimHandle {
        addr,
        sim,
        shutdown,
        server: Some(server),
        background: vec![worker, ticker],
    })
}

impl SimHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn otpzap_url(&self) -> String {
        format!("{}/otpzap/api/v1", self.base_url())
    }

    pub fn numberotp_url(&self) -> String {
        format!("{}/numberotp/v1", self.base_url())
    }

    pub fn ooppay_url(&self) -> String {
        format!("{}/ooppay/api/v1", self.base_url())
    }

    pub fn control_url(&self) -> String {
        format!("{}/_sim", self.base_url())
    }

    pub fn control(&self) -> SimControl {
        SimControl::new(self.control_url())
    }

    /// The simulated clock's current time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.sim.clock.now()
    }

    /// Stop accepting, let in-flight requests finish (up to 5 s), stop background tasks.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(server) = self.server.take() {
            let abort = server.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), server)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        for task in self.background.drain(..) {
            task.abort();
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for task in self.background.drain(..) {
            task.abort();
        }
    }
}
