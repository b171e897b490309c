//! The app's commands over real Tauri IPC (`tauri::test` mock runtime), against the in-process
//! provider simulator, with the real OS keyring under a unique service name. Run inside a D-Bus
//! session with an unlocked Secret Service (`scripts/test.sh` does this).

mod acl;
mod batch;
mod budget;
mod demo;
mod deposits;
mod desk;
mod handoff;
mod harness;
mod key_binding;
mod keys_isolation;
mod notify;
mod reseller;
