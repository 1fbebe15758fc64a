//! reportpress: renders PostHog Signals reports and their artefact log, read from PostgreSQL or
//! a SQLite archive, as a linked static archive of HTML pages and Markdown documents.
//!
//! The pipeline runs one way: [`source`] (rows) → [`model`] (typed reports) → [`render`]
//! (pure functions to text) → [`site`] (the only module that writes files).

pub mod export;
pub mod list;
pub mod model;
pub mod redact;
pub mod render;
pub mod site;
pub mod snapshot;
pub mod source;
