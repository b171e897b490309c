//! A TCP relay to the test PostgreSQL server that a test can cut and restore: the lost network
//! of team-mode tests (tests/requests.rs, tests/team_reads.rs).

/// A TCP relay to the test server that the test can cut and restore (a lost network).
pub struct Relay {
    pub port: u16,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    target: u16,
}

impl Relay {
    /// On its own thread and runtime: the engine's store calls block the test's workers
    /// while they wait for the server, which must not stall the relay they wait on.
    pub async fn start(target: u16, port: u16) -> Relay {
        let (stop, rx) = tokio::sync::watch::channel(false);
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                    .await
                    .unwrap();
                port_tx.send(listener.local_addr().unwrap().port()).unwrap();
                loop {
                    let mut rx1 = rx.clone();
                    tokio::select! {
                        a = listener.accept() => {
                            let Ok((mut inbound, _)) = a else { return };
                            let mut rx2 = rx.clone();
                            tokio::spawn(async move {
                                let Ok(mut out) = tokio::net::TcpStream::connect(("127.0.0.1", target)).await else { return };
                                tokio::select! {
                                    _ = tokio::io::copy_bidirectional(&mut inbound, &mut out) => {}
                                    _ = rx2.wait_for(|s| *s) => {}
                                }
                            });
                        }
                        _ = rx1.wait_for(|s| *s) => return,
                    }
                }
            });
        });
        let port = port_rx.recv().unwrap();
        Relay {
            port,
            stop: Some(stop),
            target,
        }
    }

    /// Every connection through it drops, and new ones are refused.
    pub fn cut(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(true);
        }
    }

    pub async fn restore(&mut self) {
        *self = Relay::start(self.target, self.port).await;
    }
}
