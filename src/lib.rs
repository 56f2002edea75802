//! # c2c — share-a-link chat
//!
//! Someone opens the site, types a name, gets a room and a link; whoever opens the link picks
//! a name and chats in real time. Pages are rendered on the server; a small WebSocket swaps
//! in server-rendered fragments; everything works with JavaScript off.
//!
//! ## Where to start reading
//! - [`app`]: `App::build(config)` wires everything; `main.rs` only adds telemetry and signals.
//! - [`domain`]: the types user input becomes at the edge (`RoomId`, `DisplayName`,
//!   `MessageText`, …) and the [`domain::RoomEvent`] stream every view renders.
//! - [`backend`]: the [`backend::Backend`] trait — rooms, members, presence, history, fan-out —
//!   and its in-process implementation. One contract suite tests every implementation.
//! - [`catalog`]: the `error_info` table of localized error messages, cached and reloaded.
//! - [`views`]: askama pages and fragments; the live frames built from the same fragments.
//! - [`live`]: the browser's live socket and the per-instance hub that renders each event once.
//! - [`web`]: routes, forms, sessions, CSRF/origin checks, error pages.
//! - [`metrics`]: the Prometheus metrics behind `/metrics`.
//!
//! ## Dependency direction
//! `domain` depends on nothing; `backend` and `catalog` on `domain`; `views` on those;
//! `live` on `backend`, `catalog`, `views` (and `web`'s session and origin helpers); `web` on
//! everything; `app` wires. Only `web` and `live` import axum.

pub mod app;
pub mod backend;
pub mod catalog;
pub mod config;
pub mod domain;
#[cfg(test)]
mod fuzz;
pub mod live;
pub mod metrics;
pub mod state;
pub mod views;
pub mod web;

pub use app::App;
pub use config::Config;
