//! # c2c — share-a-link chat
//!
//! Someone opens the site, types a name, gets a room and a link; whoever opens the link picks
//! a name and chats in real time. Pages are rendered on the server; a small WebSocket swaps
//! in server-rendered fragments; everything works with JavaScript off. docs/architecture.md
//! shows the layers and how one message travels.
//!
//! ## Where to start reading
//! - [`app`]: `App::build(config)` wires everything; `main.rs` only adds telemetry and signals.
//! - [`domain`]: the types user input becomes at the edge (`RoomId`, `DisplayName`,
//!   `MessageText`, …), the [`domain::RoomEvent`] stream every view renders, and
//!   [`domain::StreamPos`], where a reader of that stream stands.
//! - [`backend`]: the [`backend::Backend`] trait — rooms, members, presence, history, fan-out —
//!   with its in-process and Redis implementations. One contract suite tests both.
//! - [`catalog`]: every word users read — error messages (`error_info`) and interface texts
//!   (`ui_text`) — cached and reloaded, with the message syntax (CLDR plurals) and one `Ui` per
//!   language.
//! - [`limits`]: rate limits on messages, room creation and joins.
//! - [`views`]: askama pages and fragments, the live frames built from the same fragments, the
//!   JSON frames, the translators' page, static assets.
//! - [`state`]: the handles every handler shares.
//! - [`web`]: routes, forms, extractors, sessions, CSRF and origin checks, error pages, the API.
//! - [`live`]: the two live sockets over one core, and the per-instance hub that renders each
//!   event once.
//! - [`metrics`], [`support`]: Prometheus metrics; small helpers every layer may use.
//!
//! ## Layers
//! Each layer uses only the ones above it in this list, never one below:
//!
//! 1. `support`, `metrics` (leaves), `domain`, `config`
//! 2. `backend`, `catalog`, `limits`
//! 3. `views` (no HTTP)
//! 4. `state`
//! 5. `web` (the HTTP edge; the first layer that imports axum)
//! 6. `live` (the sockets, built on `web`'s extractors and errors)
//! 7. `app` (wires `web` and `live` into one router)

pub mod app;
pub mod backend;
pub mod catalog;
pub mod config;
pub mod domain;
#[cfg(test)]
mod fuzz;
pub mod limits;
pub mod live;
pub mod metrics;
pub mod state;
pub mod support;
pub mod views;
pub mod web;

pub use app::App;
pub use config::Config;
