//! The site: plans a build, renders reports in parallel as the source streams them, and writes
//! pages, index, assets and manifest. The only module that touches the output folder.

mod build;
mod manifest;
mod output;

pub use build::{BuildError, BuildOptions, BuildSummary, Progress, Quiet, build};
pub use output::OutputError;
