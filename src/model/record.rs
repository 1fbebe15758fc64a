//! Rows as the source hands them to the model: every column already normalised to text,
//! integer or bool by the SQL, nothing parsed yet. The model turns them into [`super::Report`].

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
    /// History kept by snapshots (empty unless the source is a snapshot archive).
    pub seen: Vec<SeenRecord>,
    pub versions: Vec<VersionRecord>,
}
