//! reportpress: renders PostHog Signals reports and their artefact log, read from PostgreSQL or
//! a SQLite archive, as a linked static archive of HTML pages and Markdown documents.
//!
//! The folders follow the pipeline, one way: [`source`] (rows) → [`model`] (typed reports;
//! [`redact`] rewrites one for publishing) → [`render`] (pure functions to text) → [`site`] (the
//! only module that writes the output folder). Beside it, [`archive`] writes SQLite archives
//! (`snapshot`, `demo --reports N`), and [`commands`] holds the commands that print one text
//! (`export`, `list`). The binary (`main.rs`, `cli.rs`, `config.rs`) sits on top and calls them.
//!
//! Three modules write files, each through a temporary name renamed into place: [`site`] the
//! archive folder, and the two SQLite writers, [`archive::generate`] (`demo --reports N`, a
//! generated archive) and [`archive::snapshot`] (a copy of a database that keeps edits and
//! deletions). Both SQLite writers check their destination with one [`archive::target::check_target`].

pub mod archive;
pub mod commands;
pub mod model;
pub mod redact;
pub mod render;
pub mod site;
pub mod source;
