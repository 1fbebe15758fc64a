//! reportpress: renders PostHog Signals reports and their artefact log, read from PostgreSQL or
//! a SQLite archive, as a linked static archive of HTML pages and Markdown documents.
//!
//! The pipeline runs one way: [`source`] (rows) → [`model`] (typed reports) → [`render`]
//! (pure functions to text) → [`site`] (the only module that writes the output folder).
//!
//! Three modules write files, each through a temporary name renamed into place: [`site`] the
//! archive folder, and the two SQLite writers, [`generate`] (`demo --reports N`, a generated
//! archive) and [`snapshot`] (a copy of a database that keeps edits and deletions). Both SQLite
//! writers check their destination with one [`sqlite_target::check_target`].

pub mod export;
pub mod generate;
pub mod list;
pub mod model;
pub mod redact;
pub mod render;
pub mod site;
pub mod snapshot;
pub mod source;
pub mod sqlite_target;
