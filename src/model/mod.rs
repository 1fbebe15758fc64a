//! The storage- and output-agnostic model: reports, their typed artefact log, attribution and
//! the derived status views.

pub mod actor;
pub mod artefact;
pub mod ids;
pub mod pull_request;
pub mod record;
pub mod report;
pub mod secrets;
pub mod status;
pub mod time;

pub use actor::{Actor, Person, TaskRef};
pub use artefact::{Artefact, Content, Gone, History, Origin, Version};
pub use pull_request::{PrSource, PrState, PullRequest};
pub use report::{
    Assignment, Association, Counters, Report, ReportHistory, ReportVersion, Run, Task,
    display_title, referenced_pull_request_ids, referenced_task_ids, referenced_user_uuids, row_id,
};
pub use status::{Status, StatusHistory, StatusKind};
pub use time::Timestamp;
