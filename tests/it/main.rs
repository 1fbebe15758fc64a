//! The integration tests, one binary (linking eighteen took most of a cold `cargo test`): each
//! module tests one theme through the built `reportpress` binary, a real PostgreSQL database or
//! SQLite file, and (for `browser`) headless Chromium. Shared support lives in `common`.

mod common;

mod browser;
mod demo;
mod errors;
mod export;
mod generate;
mod git;
mod highlight;
mod hostile;
mod incremental;
mod ledger;
mod links;
mod postgres;
mod progress;
mod redact;
mod safe_writes;
mod semantics;
mod snapshot;
mod types;
mod verify;
