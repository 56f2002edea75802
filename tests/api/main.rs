//! The integration test binary: the backend contract suite and the application on a real
//! listener (port 0) with real HTTP and WebSocket clients.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod abuse;
mod catalogue;
mod chat;
mod cluster;
mod contract;
mod durable;
mod faults;
mod helpers;
mod interface;
mod json;
mod layers;
mod live;
mod ops;
mod pages;
mod pseudo;
mod rooms;
mod scaleout;
