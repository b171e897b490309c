//! One module per command group; each takes the parsed arguments, calls the clients, prints.

pub mod actions;
pub mod attempts;
pub mod automation;
pub mod batch;
pub mod buy;
pub mod catalog;
pub mod desk;
pub mod keys;
pub mod team;
pub mod topup;
pub mod tracked;
pub mod wait;
