//! The commands the UI calls, one file per UI area. Each is a few lines over `AppState`,
//! the engine or a logic module, and returns `AppResult<T>` (typed in `ui/src/lib/bindings.ts`).

pub mod app;
pub mod attempts;
pub mod automation;
pub mod batch;
pub mod browse;
pub mod catalog;
pub mod deposits;
pub mod desk;
pub mod history;
pub mod keys;
pub mod orders;
pub mod quality;
pub mod settings;
pub mod team;
pub mod updates;
pub mod view;
