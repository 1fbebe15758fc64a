//! The integration tests, one binary (linking eighteen took most of a cold `cargo test`): each
//! module tests one theme through the built `reportpress` binary, a real PostgreSQL database or
//! SQLite file, and (for `browser`) headless Chromium. Shared support lives in `common`.

mod common;

mod accessibility;
mod browser;
mod config;
mod demo;
mod errors;
mod examples;
mod export;
mod feeds;
mod generate;
mod git;
mod help;
mod highlight;
mod hostile;
mod incremental;
mod layout;
mod ledger;
mod links;
mod navigation;
mod postgres;
mod progress;
mod redact;
mod safe_writes;
mod semantics;
mod snapshot;
mod types;
mod verify;
mod wording;
