//! The storage- and output-agnostic model: reports, their typed artefact log, attribution and
//! the derived status views.

pub mod actor;
pub mod artefact;
pub mod digest;
pub mod ids;
pub mod pull_request;
pub mod record;
pub mod report;
pub mod secrets;
pub mod status;
pub mod task;
pub mod time;

pub use actor::{Actor, Person, TaskRef};
pub use artefact::{Artefact, Content, Gone, History, Origin, Version};
pub use ids::row_id;
pub use pull_request::{PrSource, PrState, PullRequest};
pub use report::{
    Assignment, Counters, Report, ReportHistory, ReportVersion, display_title,
    referenced_pull_request_ids, referenced_task_ids, referenced_user_uuids,
};
pub use status::{Status, StatusHistory, StatusKind};
pub use task::{Association, Run, Task};
pub use time::Timestamp;
