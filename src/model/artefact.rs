//! Typed artefact content: one struct per artefact type of PostHog's schema (current and legacy),
//! plus [`Content::Unknown`] for a type this version does not know and [`Content::Malformed`] for
//! content that is not JSON or not of its type's shape. Parsing never fails: it degrades.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::actor::Actor;
use super::time::Timestamp;

/// One entry of a report's artefact log.
#[derive(Clone, Debug)]
pub struct Artefact {
    pub id: uuid::Uuid,
    /// The `type` column as stored.
    pub kind: String,
    pub content: Content,
    /// The `content` column as stored (kept for degraded rendering and auditing).
    pub raw: String,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub actor: Actor,
    pub channel_id: Option<String>,
    /// Problems met while reading the row (bad id, bad timestamp, …), shown with the entry.
    pub notices: Vec<String>,
    /// What snapshots kept of the row's history (a snapshot archive only).
    pub history: History,
    /// The `work_claim` entry this row belongs to (`claim_id`).
    pub claim_id: Option<String>,
    /// The `signals_signalreportpullrequest` row a `pull_request` entry links (`pull_request_id`).
    pub pull_request_id: Option<String>,
    /// Where the entry comes from: an artefact row, or a legacy link row.
    pub origin: Origin,
}

/// Where an entry of the log comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Origin {
    /// A `signals_signalreportartefact` row.
    #[default]
    Artefact,
    /// A legacy `signals_signalreporttask` row, shown as the `task_run` entry PostHog makes of
    /// it at read time (`SignalReport.synthetic_legacy_task_run_artefacts` in
    /// `products/signals/backend/models.py`).
    LegacyLink,
}

/// How much later than `created_at` a row's `updated_at` must be for the row to count as edited.
/// Django stamps the two separately on insert (`auto_now_add`, `auto_now`), so a row PostHog never
/// changed has `updated_at` some microseconds after `created_at`; no insert takes a second.
pub const EDIT_TOLERANCE: chrono::TimeDelta = chrono::TimeDelta::seconds(1);

/// Whether a row stamped `created_at`/`updated_at` was changed after it was written.
pub fn edited(created_at: Option<Timestamp>, updated_at: Option<Timestamp>) -> bool {
    matches!((created_at, updated_at), (Some(c), Some(u)) if u.later_than(c, EDIT_TOLERANCE))
}

/// A row's history as snapshots saw it: PostHog itself keeps none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Earlier versions of the content, oldest first (the artefact holds the latest).
    pub versions: Vec<Version>,
    /// When the current version was first seen (with `versions`, the start of its life).
    pub since: Option<Timestamp>,
    /// Set when a snapshot found the row deleted upstream.
    pub gone: Option<Gone>,
}

/// One earlier version of an edited row.
#[derive(Clone, Debug, PartialEq)]
pub struct Version {
    pub content: Content,
    /// The content as stored.
    pub raw: String,
    pub updated_at: Option<Timestamp>,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
}

/// A row deleted upstream, kept by snapshots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gone {
    pub last_seen: Option<Timestamp>,
    pub found_gone: Option<Timestamp>,
}

impl Artefact {
    /// `updated_at` more than [`EDIT_TOLERANCE`] after `created_at`: the row was edited in
    /// place (PATCH) after it was written.
    pub fn edited(&self) -> bool {
        edited(self.created_at, self.updated_at)
    }

    /// Sort key of the log: `created_at`, ties broken on `id` (uuid7 is time-ordered).
    pub fn order_key(&self) -> (Option<Timestamp>, uuid::Uuid) {
        (self.created_at, self.id)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Content {
    SafetyJudgment(SafetyJudgment),
    ActionabilityJudgment(ActionabilityJudgment),
    PriorityJudgment(PriorityJudgment),
    RepoSelection(RepoSelection),
    SuggestedReviewers(Vec<Reviewer>),
    ChannelAssignment(ChannelAssignment),
    ImplementationDecision(ImplementationDecision),
    ImplementationDispatch(ImplementationDispatch),
    SignalFinding(SignalFinding),
    Dismissal(Dismissal),
    CodeReference(CodeReference),
    Commit(Commit),
    TaskRun(TaskRun),
    Note(Note),
    TitleChange(TitleChange),
    SummaryChange(SummaryChange),
    CodeReview(CodeReview),
    RelatedTo(RelatedTo),
    ReportLink(ReportLink),
    WorkClaim(WorkClaim),
    WorkRelease(WorkRelease),
    PullRequest(PullRequest),
    CheckResult(CheckResult),
    CheckScheduled(CheckScheduled),
    CheckExpired(CheckExpired),
    CheckCancelled(CheckCancelled),
    ImplementationReplacement(ImplementationReplacement),
    ImplementationHandover(ImplementationHandover),
    VideoSegment(serde_json::Value),
    AutostartSkip(AutostartSkip),
    RankingScore(RankingScore),
    /// Deleted from PostHog by migration 0162; older snapshots still hold some.
    ImpactMeasurementPlan(ImpactMeasurementPlan),
    // Legacy types, found in older databases.
    CodeDiff(CodeDiff),
    LineReference(LineReference),
    PushedBranch(PushedBranch),
    /// A type this version does not know; the JSON is kept when it parsed.
    Unknown(Option<serde_json::Value>),
    /// Content that is not valid JSON, or not of its type's shape.
    Malformed {
        error: String,
    },
}

impl Content {
    /// Parses `raw` as the content of an artefact of type `kind`.
    pub fn parse(kind: &str, raw: &str) -> Content {
        let value: serde_json::Value = match serde_json::from_str(raw) {
            Ok(value) => value,
            Err(err) => {
                return Content::Malformed {
                    error: format!("content is not valid JSON: {err}"),
                };
            }
        };
        fn typed<T: DeserializeOwned>(value: serde_json::Value, wrap: fn(T) -> Content) -> Content {
            match serde_json::from_value::<T>(value) {
                Ok(v) => wrap(v),
                Err(err) => Content::Malformed {
                    error: format!("content does not have this type's shape: {err}"),
                },
            }
        }
        match kind {
            "safety_judgment" => typed(value, Content::SafetyJudgment),
            "actionability_judgment" => typed(value, Content::ActionabilityJudgment),
            "priority_judgment" => typed(value, Content::PriorityJudgment),
            "repo_selection" => typed(value, Content::RepoSelection),
            "suggested_reviewers" => typed(value, Content::SuggestedReviewers),
            "channel_assignment" => typed(value, Content::ChannelAssignment),
            "implementation_decision" => typed(value, Content::ImplementationDecision),
            "implementation_dispatch" => typed(value, Content::ImplementationDispatch),
            "signal_finding" => typed(value, Content::SignalFinding),
            "dismissal" => typed(value, Content::Dismissal),
            "code_reference" => typed(value, Content::CodeReference),
            "commit" => typed(value, Content::Commit),
            "task_run" => typed(value, Content::TaskRun),
            "note" => typed(value, Content::Note),
            "title_change" => typed(value, Content::TitleChange),
            "summary_change" => typed(value, Content::SummaryChange),
            "code_review" => typed(value, Content::CodeReview),
            "related_to" => typed(value, Content::RelatedTo),
            "report_link" => typed(value, Content::ReportLink),
            "work_claim" => typed(value, Content::WorkClaim),
            "work_release" => typed(value, Content::WorkRelease),
            "pull_request" => typed(value, Content::PullRequest),
            "check_result" => typed(value, Content::CheckResult),
            "check_scheduled" => typed(value, Content::CheckScheduled),
            "check_expired" => typed(value, Content::CheckExpired),
            "check_cancelled" => typed(value, Content::CheckCancelled),
            "implementation_replacement" => typed(value, Content::ImplementationReplacement),
            "implementation_handover" => typed(value, Content::ImplementationHandover),
            "video_segment" => match value {
                serde_json::Value::Object(_) | serde_json::Value::Array(_) => {
                    Content::VideoSegment(value)
                }
                _ => Content::Malformed {
                    error: "content does not have this type's shape: expected an object or array"
                        .into(),
                },
            },
            "autostart_skip" => typed(value, Content::AutostartSkip),
            "ranking_score" => typed(value, Content::RankingScore),
            "impact_measurement_plan" => typed(value, Content::ImpactMeasurementPlan),
            "code_diff" => typed(value, Content::CodeDiff),
            "line_reference" => typed(value, Content::LineReference),
            "pushed_branch" => typed(value, Content::PushedBranch),
            _ => Content::Unknown(Some(value)),
        }
    }

    pub fn is_degraded(&self) -> bool {
        matches!(self, Content::Malformed { .. } | Content::Unknown(_))
    }
}

/// Human label of an artefact type: PostHog's own (`ARTEFACT_TYPE_LABELS` in
/// `products/signals/frontend/inbox/components/detail/artefactTypes.ts`) where it has one.
pub fn type_label(kind: &str) -> String {
    let label = match kind {
        "code_reference" => "Code referenced",
        "line_reference" => "Line highlighted",
        "commit" => "Commit pushed",
        "task_run" => "Task run",
        "note" => "Note added",
        "priority_judgment" => "Priority assessed",
        "actionability_judgment" => "Actionability assessed",
        "safety_judgment" => "Safety assessed",
        "signal_finding" => "Signal investigated",
        "suggested_reviewers" => "Reviewers suggested",
        "repo_selection" => "Repo selected",
        "dismissal" => "Report dismissed",
        "video_segment" => "Video segment",
        "title_change" => "Title edited",
        "summary_change" => "Summary edited",
        "related_to" => "Related report",
        "report_link" => "Report linked",
        "autostart_skip" => "Work not started",
        "code_review" => "Code review",
        "check_result" => "Follow-up check",
        "check_scheduled" => "Follow-up check scheduled",
        "check_expired" => "Follow-up check expired",
        "check_cancelled" => "Follow-up check cancelled",
        "implementation_decision" => "Open PR assessed",
        "implementation_replacement" => "Replacement started",
        "implementation_handover" => "Replacement outcome",
        "ranking_score" => "Ranking scored",
        "work_claim" => "Work claimed",
        "work_release" => "Work released",
        "pull_request" => "Pull request linked",
        // PostHog shows no label of its own for these (the raw type).
        "channel_assignment" => "Channel assigned",
        "implementation_dispatch" => "Implementation dispatched",
        "impact_measurement_plan" => "Impact measurement plan",
        "code_diff" => "Code diff",
        "pushed_branch" => "Branch pushed",
        other => return humanize(other),
    };
    label.to_string()
}

/// `already_fixed` → `Already fixed`.
pub fn humanize(value: &str) -> String {
    let spaced = value.replace(['_', '-'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::from("(empty)"),
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SafetyJudgment {
    pub choice: bool,
    #[serde(default)]
    pub explanation: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ActionabilityJudgment {
    /// Legacy rows call it `choice`.
    #[serde(alias = "choice")]
    pub actionability: String,
    #[serde(default)]
    pub explanation: Option<String>,
    #[serde(default)]
    pub already_addressed: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PriorityJudgment {
    pub priority: String,
    #[serde(default)]
    pub explanation: Option<String>,
    #[serde(default)]
    pub dollar_value: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct RepoSelection {
    #[serde(default)]
    pub repository: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub task_id: Option<String>,
    #[serde(default)]
    pub autostart_eligible: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Reviewer {
    #[serde(default)]
    pub github_login: Option<String>,
    #[serde(default)]
    pub user_uuid: Option<String>,
    #[serde(default)]
    pub github_name: Option<String>,
    #[serde(default)]
    pub relevant_commits: Vec<RelevantCommit>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub is_skill_owner: bool,
    #[serde(default)]
    pub source_skill: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct RelevantCommit {
    #[serde(default)]
    pub sha: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ChannelAssignment {
    pub channel_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ImplementationDecision {
    pub supersede: bool,
    pub reason: String,
    #[serde(default)]
    pub targets: Vec<ImplementationTarget>,
    #[serde(default)]
    pub research_run_count: Option<i64>,
    #[serde(default)]
    pub research_started_at: Option<String>,
    #[serde(default)]
    pub content_revision_count: Option<i64>,
    #[serde(default)]
    pub blocked_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ImplementationTarget {
    #[serde(default)]
    pub task_id: Option<String>,
    #[serde(default)]
    pub run_id: Option<String>,
    #[serde(default)]
    pub pr_url: Option<String>,
    #[serde(default)]
    pub head_sha: Option<String>,
    /// The work claim the target's run holds.
    #[serde(default)]
    pub claim_id: Option<String>,
    /// The `task_run` entry of the automation that opened the PR.
    #[serde(default)]
    pub automation_artefact_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ImplementationDispatch {
    pub decision_id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub attempt: Option<i64>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub source_skill: Option<String>,
    #[serde(default)]
    pub next_retry_at: Option<String>,
    /// Until when a worker holds the row (its `worker_token` is a lease secret: never read).
    #[serde(default)]
    pub lease_until: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SignalFinding {
    pub signal_id: String,
    #[serde(default)]
    pub relevant_code_paths: Vec<String>,
    #[serde(default)]
    pub relevant_commit_hashes: BTreeMap<String, String>,
    #[serde(default)]
    pub data_queried: Option<String>,
    #[serde(default)]
    pub verified: bool,
    /// A name for the signal, when a row carries one (PostHog's `SignalFinding` in
    /// `products/signals/backend/artefact_schemas.py` has none; rows from other writers may).
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Dismissal {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub selected_repository: Option<String>,
    #[serde(default)]
    pub corrected_repository: Option<String>,
    #[serde(default)]
    pub user_id: Option<i64>,
    #[serde(default)]
    pub user_uuid: Option<String>,
    #[serde(default)]
    pub slack_user_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CodeReference {
    pub file_path: String,
    pub start_line: i64,
    pub end_line: i64,
    pub contents: String,
    #[serde(default)]
    pub relevance_note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Commit {
    pub repository: String,
    pub branch: String,
    pub commit_sha: String,
    pub message: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub diff: Option<String>,
}

/// Both shapes: `{task_id, product, type, run_id?}` and the early `{task_id, relationship}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct TaskRun {
    pub task_id: String,
    #[serde(default)]
    pub run_id: Option<String>,
    #[serde(default)]
    pub automation_branch: Option<String>,
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default, rename = "type")]
    pub run_type: Option<String>,
    #[serde(default)]
    pub relationship: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Note {
    pub note: String,
    #[serde(default)]
    pub author: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct TitleChange {
    #[serde(default)]
    pub old_title: Option<String>,
    pub new_title: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SummaryChange {
    #[serde(default)]
    pub old_summary: Option<String>,
    pub new_summary: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CodeReview {
    pub review_report_id: String,
    #[serde(default)]
    pub repository: Option<String>,
    #[serde(default)]
    pub head_sha: Option<String>,
    #[serde(default)]
    pub head_branch: Option<String>,
    #[serde(default)]
    pub base_branch: Option<String>,
    #[serde(default)]
    pub pr_number: Option<i64>,
    #[serde(default)]
    pub pr_url: Option<String>,
    #[serde(default)]
    pub review_url: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub counts: Option<ReviewCounts>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ReviewCounts {
    #[serde(default)]
    pub must_fix: i64,
    #[serde(default)]
    pub should_fix: i64,
    #[serde(default)]
    pub consider: i64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct RelatedTo {
    pub report_id: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ReportLink {
    pub kind: String,
    pub report_id: String,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct WorkClaim {
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct WorkRelease {
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PullRequest {
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CheckResult {
    #[serde(default)]
    pub check_id: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    pub outcome: String,
    #[serde(default)]
    pub explanation: Option<String>,
    #[serde(default)]
    pub observed_value: Option<f64>,
    #[serde(default)]
    pub baseline_value: Option<f64>,
    #[serde(default)]
    pub threshold: Option<String>,
    #[serde(default)]
    pub run_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CheckScheduled {
    #[serde(default)]
    pub check_id: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub rationale: Option<String>,
    #[serde(default)]
    pub next_run_at: Option<String>,
    #[serde(default)]
    pub arms_on_resolve: Option<bool>,
    #[serde(default)]
    pub soak_minutes: Option<i64>,
    #[serde(default)]
    pub skill_name: Option<String>,
    #[serde(default)]
    pub runs: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CheckExpired {
    #[serde(default)]
    pub check_id: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub expired_at: Option<String>,
    #[serde(default)]
    pub never_ran: Option<bool>,
    #[serde(default)]
    pub last_run_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CheckCancelled {
    #[serde(default)]
    pub check_id: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ImplementationReplacement {
    pub decision_id: String,
    #[serde(default)]
    pub decision: Option<ImplementationDecision>,
    #[serde(default)]
    pub run_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ImplementationHandover {
    pub replacement_id: String,
    pub status: String,
    #[serde(default)]
    pub results: BTreeMap<String, String>,
    #[serde(default)]
    pub replacement_pr_urls: Vec<String>,
    #[serde(default)]
    pub explanation: Option<String>,
    #[serde(default)]
    pub attempt: Option<i64>,
    #[serde(default)]
    pub lease_until: Option<String>,
}

/// Why auto-start did not start work on the report (PostHog's frontend `AutostartSkipContent`;
/// every field optional there).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct AutostartSkip {
    #[serde(default)]
    pub skip_reason: Option<String>,
    #[serde(default)]
    pub linked_report_id: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
}

/// The ranking models' scores of the report (`RankingScore`, written by
/// `products/signals/backend/ranking/sinks.py`; read by `readRankingScore` in the frontend).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct RankingScore {
    #[serde(default)]
    pub served_key: Option<String>,
    #[serde(default)]
    pub scored_at: Option<String>,
    #[serde(default)]
    pub manifest_version: Option<serde_json::Value>,
    #[serde(default)]
    pub embedding_inserted_at: Option<String>,
    #[serde(default)]
    pub results: BTreeMap<String, RankingResult>,
}

/// One ranking model's result.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct RankingResult {
    #[serde(default)]
    pub model_name: Option<String>,
    #[serde(default)]
    pub model_version: Option<serde_json::Value>,
    #[serde(default)]
    pub roles: Vec<String>,
    /// `scored` or `skipped`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub skip_reason: Option<String>,
    /// Probability per head.
    #[serde(default)]
    pub scores: BTreeMap<String, Option<f64>>,
    #[serde(default)]
    pub lifts: BTreeMap<String, Option<f64>>,
}

/// An impact measurement plan (removed from PostHog by migration 0162; its shape is the one
/// `ReportExpectedImpact.test.tsx` uses).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ImpactMeasurementPlan {
    #[serde(default)]
    pub metric_id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub query: Option<serde_json::Value>,
    #[serde(default)]
    pub goal_value: Option<f64>,
    #[serde(default)]
    pub goal_direction: Option<String>,
    #[serde(default)]
    pub goal_grain: Option<String>,
    #[serde(default)]
    pub decision_window_days: Option<i64>,
    #[serde(default)]
    pub activated: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CodeDiff {
    pub file_path: String,
    pub diff: String,
    #[serde(default)]
    pub relevance_note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct LineReference {
    pub file_path: String,
    pub line: i64,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub contents: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PushedBranch {
    pub repository: String,
    pub branch: String,
    #[serde(default)]
    pub base_branch: Option<String>,
    #[serde(default)]
    pub head_sha: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_compact_rows_parse() {
        let c = Content::parse("note", r#"{"note":"after","author":null}"#);
        assert_eq!(
            c,
            Content::Note(Note {
                note: "after".into(),
                author: None
            })
        );
        let c = Content::parse(
            "suggested_reviewers",
            r#"[{"github_login":"alice","github_name":"Alice A.","relevant_commits":[{"sha":"abc123","url":"u","reason":"r"}],"reason":"Top recent author"}]"#,
        );
        assert!(matches!(c, Content::SuggestedReviewers(ref r) if r.len() == 1));
    }

    #[test]
    fn legacy_shapes_parse() {
        let c = Content::parse(
            "actionability_judgment",
            r#"{"explanation": "x", "choice": "not_actionable"}"#,
        );
        assert!(
            matches!(c, Content::ActionabilityJudgment(ref a) if a.actionability == "not_actionable")
        );
        let c = Content::parse(
            "task_run",
            r#"{"task_id": "abc", "relationship": "signals_research"}"#,
        );
        assert!(
            matches!(c, Content::TaskRun(ref t) if t.relationship.as_deref() == Some("signals_research"))
        );
        let c = Content::parse(
            "line_reference",
            r#"{"file_path":"a.py","line":10,"note":"look here"}"#,
        );
        assert!(matches!(c, Content::LineReference(_)));
    }

    #[test]
    fn bad_content_degrades_with_the_reason() {
        match Content::parse("commit", "[1,2,3]") {
            Content::Malformed { error } => assert!(error.contains("shape"), "{error}"),
            other => panic!("{other:?}"),
        }
        match Content::parse("note", "{\"note\": ") {
            Content::Malformed { error } => assert!(error.contains("not valid JSON"), "{error}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Content::parse("dreaming_briefing", r#"{"a":1}"#),
            Content::Unknown(Some(_))
        ));
    }

    #[test]
    fn labels() {
        assert_eq!(type_label("code_reference"), "Code referenced");
        assert_eq!(type_label("title_change"), "Title edited");
        assert_eq!(type_label("check_result"), "Follow-up check");
        assert_eq!(type_label("implementation_decision"), "Open PR assessed");
        assert_eq!(type_label("sentiment_probe"), "Sentiment probe");
        assert_eq!(humanize("already_fixed"), "Already fixed");
    }
}
