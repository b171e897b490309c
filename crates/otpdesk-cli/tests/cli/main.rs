//! The `otpdesk` binary against the simulator over real HTTP: every command group, what it prints
//! (text and `--json`), and how it fails (one sentence on stderr, non-zero exit).
//!
//! One test binary (cargo runs test binaries one after another), one module per command group.

mod automation;
mod batch;
mod buying;
mod desk;
mod harness;
mod keys;
mod numberotp;
mod orders;
mod processes;
mod team;
mod team_commands;
mod topups;
