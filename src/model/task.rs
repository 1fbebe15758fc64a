//! The tasks a report is associated with: a task with its runs, and the association by which a
//! report's log names it.

use uuid::Uuid;

use super::time::Timestamp;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Task {
    pub id: Uuid,
    pub title: Option<String>,
    pub repository: Option<String>,
    pub origin_product: Option<String>,
    pub created_at: Option<Timestamp>,
    /// Oldest first.
    pub runs: Vec<Run>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Run {
    pub id: String,
    pub status: Option<String>,
    pub stage: Option<String>,
    pub branch: Option<String>,
    /// `output.pr_url` then `output.pr_urls`, each once.
    pub pr_urls: Vec<String>,
    pub error_message: Option<String>,
    pub created_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
}

/// A task associated with the report by a `task_run` entry (a legacy link row included).
#[derive(Clone, Debug, PartialEq)]
pub struct Association {
    pub task_id: Uuid,
    /// Index of the `task_run` entry in the log.
    pub artefact: usize,
    /// `signals` or `tasks` (PostHog's `TaskRunArtefact.product`).
    pub product: Option<String>,
    /// The run type (`implementation`, `research`, …).
    pub relationship: Option<String>,
}
