//! Team mode's wake-up call: a connection that LISTENs on the order book's channel and wakes
//! the coordination loop the moment another desktop publishes an event (a code stored, an order
//! bought), instead of at its next look (`tail_interval`). The events themselves stay in the
//! `events` table (a missed notification costs a little delay, never an event); the channel
//! is per schema, so two order books in one database do not wake each other.

use super::PgConfig;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// The NOTIFY payload-free channel of the current schema's order book (SQL expression).
pub const CHANNEL_SQL: &str = "'otpdesk_events:' || current_schema()";

/// Keep a LISTEN connection open until `stop` turns true; every notification wakes `wake`.
/// Reconnects after a lost connection (with a pause), waking once after each reconnect so
/// that whatever was published meanwhile is read.
pub fn spawn(
    cfg: PgConfig,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let r = tokio::select! {
                r = listen(&cfg, &wake) => r,
                _ = stop.wait_for(|s| *s) => return,
            };
            if let Err(e) = r {
                tracing::debug!("team event listener: {e}");
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    })
}

async fn listen(cfg: &PgConfig, wake: &Arc<Notify>) -> Result<(), String> {
    let (client, mut connection) = cfg
        .inner()
        .connect(super::tls::connector())
        .await
        .map_err(|e| e.to_string())?;
    // The connection is driven here; notifications arrive as its asynchronous messages.
    let waker = wake.clone();
    let driver = tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(m) = messages.next().await {
            match m {
                Ok(tokio_postgres::AsyncMessage::Notification(_)) => waker.notify_one(),
                Ok(_) => {}
                Err(e) => return e.to_string(),
            }
        }
        "connection closed".to_string()
    });
    let subscribed = async {
        let channel: String = client
            .query_one(&format!("SELECT {CHANNEL_SQL}"), &[])
            .await?
            .get(0);
        client
            .batch_execute(&format!("LISTEN \"{}\"", channel.replace('"', "\"\"")))
            .await
    };
    if let Err(e) = subscribed.await {
        driver.abort();
        return Err(e.to_string());
    }
    // Whatever was published before LISTEN took effect is read now.
    wake.notify_one();
    let ended = driver.await.unwrap_or_else(|e| e.to_string());
    drop(client);
    Err(ended)
}
