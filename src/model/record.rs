//! Rows as the source hands them to the model: every column already normalised to text,
//! integer or bool by the SQL, nothing parsed yet. The model turns them into [`super::Report`].

/// Every value `signals_signalreport.status` can hold, as PostHog's `SignalReport.Status`
/// defines them (`products/signals/backend/models.py`).
pub const REPORT_STATUSES: [&str; 9] = [
    "potential",
    "candidate",
    "in_progress",
    "pending_input",
    "ready",
    "resolved",
    "failed",
    "suppressed",
    "deleted",
];

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportRecord {
    pub id: String,
    pub team_id: i64,
    pub status: String,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub error: Option<String>,
    pub signal_count: Option<i64>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    /// Research passes run (`run_count`).
    pub run_count: Option<i64>,
    /// Newer counters (PostHog 2026-09, all nullable): scout corroborations beyond the log,
    /// scout rewrites of the title or summary, and the run and revision the current
    /// implementation PR was built from.
    pub corroboration_count: Option<i64>,
    pub content_revision_count: Option<i64>,
    pub implemented_at_run_count: Option<i64>,
    pub implemented_at_revision_count: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserRecord {
    pub id: i64,
    pub uuid: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ArtefactRecord {
    pub id: String,
    pub kind: String,
    pub content: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub created_by_id: Option<i64>,
    /// The `posthog_user` row behind `created_by_id`, when it still exists.
    pub created_by: Option<UserRecord>,
    pub task_id: Option<String>,
    pub channel_id: Option<String>,
    pub actor_kind: Option<String>,
    pub actor_agent: Option<String>,
    /// The `work_claim` entry this row belongs to (`claim_id`, no database constraint).
    pub claim_id: Option<String>,
    /// The `signals_signalreportpullrequest` row a `pull_request` entry links.
    pub pull_request_id: Option<String>,
}

/// A `signals_signalreportpullrequest` row: one GitHub pull request and its last known state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PullRequestRecord {
    pub id: String,
    pub repository: Option<String>,
    pub number: Option<i64>,
    pub url: Option<String>,
    /// `unknown`, `draft`, `open`, `closed` or `merged`.
    pub state: Option<String>,
    pub checked_at: Option<String>,
    pub merged_at: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

/// A `signals_signalreportassignment` row: PostHog's legacy record of who holds a report and
/// its PR ("read-only legacy ownership and PR links; new work is recorded as artefacts").
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AssignmentRecord {
    pub id: String,
    pub actor_kind: Option<String>,
    pub actor_user_id: Option<i64>,
    /// The `posthog_user` row behind `actor_user_id`, when it still exists.
    pub actor_user: Option<UserRecord>,
    pub actor_task_id: Option<String>,
    pub actor_agent: Option<String>,
    pub claimed_at: Option<String>,
    pub pr_url: Option<String>,
    pub repository: Option<String>,
    pub pr_number: Option<i64>,
    pub pr_state: Option<String>,
    pub pr_merged: Option<bool>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaskRecord {
    pub id: String,
    pub title: Option<String>,
    pub repository: Option<String>,
    pub origin_product: Option<String>,
    pub created_at: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunRecord {
    pub id: String,
    pub task_id: String,
    pub status: Option<String>,
    pub stage: Option<String>,
    pub branch: Option<String>,
    pub output: Option<String>,
    pub error_message: Option<String>,
    pub created_at: Option<String>,
    pub completed_at: Option<String>,
}

/// A `signals_signalreporttask` row: the legacy report ↔ task association.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkRecord {
    pub id: String,
    pub task_id: String,
    pub relationship: Option<String>,
    pub created_at: Option<String>,
}

/// What a snapshot archive knows of a row beyond PostHog's own columns (`reportpress_row`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeenRecord {
    /// `report`, `artefact` or `link`.
    pub kind: String,
    pub id: String,
    pub first_seen: Option<String>,
    /// Since when its current version has been seen.
    pub since: Option<String>,
    pub last_seen: Option<String>,
    /// When a snapshot found the row deleted upstream.
    pub gone_at: Option<String>,
}

/// An earlier version of an edited row (`reportpress_version`): an artefact's content, or a
/// report's title, status and summary as a JSON object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VersionRecord {
    pub kind: String,
    pub id: String,
    pub version: i64,
    pub content: Option<String>,
    pub updated_at: Option<String>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

/// Everything the source read for one report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportRows {
    pub report: ReportRecord,
    pub artefacts: Vec<ArtefactRecord>,
    pub tasks: Vec<TaskRecord>,
    pub runs: Vec<RunRecord>,
    pub links: Vec<LinkRecord>,
    /// The pull request rows the report's `pull_request` entries link to.
    pub pull_requests: Vec<PullRequestRecord>,
    /// The report's assignment row (at most one in PostHog).
    pub assignments: Vec<AssignmentRecord>,
    /// People the content names by `user_uuid` (suggested reviewers, dismissals).
    pub people: Vec<UserRecord>,
    /// History kept by snapshots (empty unless the source is a snapshot archive).
    pub seen: Vec<SeenRecord>,
    pub versions: Vec<VersionRecord>,
    /// What the reader met that the report's readers should be told: each cell that held
    /// bytes that are not UTF-8 (shown as U+FFFD), by table, column and row id.
    pub notices: Vec<String>,
}
