//! The site: plans a build, renders reports in parallel as the source streams them, and writes
//! pages, index, assets and manifest into a staging folder swapped in at the end; checks an
//! archive against its manifest. The only module that touches the output folder.

mod build;
mod build_id;
mod manifest;
mod output;
mod staging;
mod verify;
mod walk;

pub use build::{
    BuildError, BuildOptions, BuildSummary, Cancel, Progress, Quiet, TIMINGS_ENV, build,
};
pub use output::{OutputError, write_atomically};
pub use staging::TargetError;
pub use verify::{Verification, VerifyError, verify};
