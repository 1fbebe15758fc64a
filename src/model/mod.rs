//! The storage- and output-agnostic model: reports, their typed artefact log, attribution and
//! the derived status views.

pub mod actor;
pub mod artefact;
pub mod record;
pub mod report;
pub mod status;
pub mod time;

pub use actor::{Actor, Person, TaskRef};
pub use artefact::{Artefact, Content, Gone, History, Version};
pub use report::{
    Association, Report, ReportHistory, ReportVersion, Run, Task, display_title,
    referenced_task_ids, row_id,
};
pub use status::{Status, StatusHistory, StatusKind};
pub use time::Timestamp;
