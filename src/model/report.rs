//! A report with its parsed, ordered artefact log and the tasks it is associated with.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use super::actor::{Actor, Person};
use super::artefact::{Artefact, Content, Gone, History, Origin, Version};
use super::ids::row_id;
use super::pull_request::{self, PullRequest};
use super::record::{
    ArtefactRecord, AssignmentRecord, LinkRecord, ReportRows, RunRecord, SeenRecord, TaskRecord,
    VersionRecord,
};
use super::status::Status;
use super::task::{Association, Run, Task};
use super::time::Timestamp;

#[derive(Clone, Debug)]
pub struct Report {
    pub id: Uuid,
    pub team_id: i64,
    pub status: String,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub error: Option<String>,
    pub signal_count: Option<i64>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    /// The artefact log, ordered by `created_at` then `id`.
    pub artefacts: Vec<Artefact>,
    pub status_view: Status,
    /// Tasks associated with the report or credited with its entries, by id.
    pub tasks: BTreeMap<Uuid, Task>,
    /// How each associated task is associated, in log order.
    pub associations: Vec<Association>,
    /// Problems met while reading the report row itself.
    pub notices: Vec<String>,
    /// Diffs of `commit` entries read from a local clone (`--git-dir`), or why not.
    pub local_diffs: BTreeMap<Uuid, Result<String, String>>,
    /// Earlier titles, statuses and summaries, and deletion upstream, as snapshots saw them.
    pub history: ReportHistory,
    /// Its pull requests with their state (see [`pull_request::gather`]).
    pub pull_requests: Vec<PullRequest>,
    /// People the content names by `user_uuid`, by that uuid.
    pub people: BTreeMap<Uuid, Person>,
    /// The legacy assignment row: who holds the report.
    pub assignment: Option<Assignment>,
    pub counters: Counters,
}

/// The report row's counters (newer PostHog versions; all optional).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counters {
    pub runs: Option<i64>,
    /// Scout corroborations appended in all (`corroboration_count`).
    pub corroborations: Option<i64>,
    pub content_revisions: Option<i64>,
    pub implemented_at_run: Option<i64>,
    pub implemented_at_revision: Option<i64>,
}

/// Scout notes that land in the log before further corroborations only count
/// (`MAX_SCOUT_REPORT_NOTES` in `products/signals/backend/models.py`).
pub const MAX_SCOUT_REPORT_NOTES: i64 = 4;

impl Counters {
    /// Corroborations that live only as the count, not as notes: PostHog's "Corroborated N more
    /// times by a scout, with nothing new to add."
    pub fn collapsed_corroborations(&self) -> i64 {
        self.corroborations
            .map(|n| n - MAX_SCOUT_REPORT_NOTES)
            .unwrap_or(0)
            .max(0)
    }
}

/// Who holds the report according to its `signals_signalreportassignment` row.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    pub holder: Option<Actor>,
    pub claimed_at: Option<Timestamp>,
}

/// A report row's history kept by snapshots.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportHistory {
    /// Oldest first.
    pub versions: Vec<ReportVersion>,
    pub gone: Option<Gone>,
}

/// The report row's values before an edit upstream.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportVersion {
    pub title: Option<String>,
    pub status: Option<String>,
    pub summary: Option<String>,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
}

/// PostHog's `task_run_identifier_for_legacy_relationship`
/// (`products/signals/backend/artefact_schemas.py`): the (product, type) of a legacy link row,
/// or of an early `task_run` row that recorded only a relationship.
pub fn legacy_run_identifier(relationship: Option<&str>) -> (&'static str, String) {
    match relationship.map(str::trim) {
        Some(r @ ("repo_selection" | "research" | "implementation" | "discussion")) => {
            ("signals", r.to_string())
        }
        _ => ("tasks", "agent_run".to_string()),
    }
}

/// The `pull_request_id`s of a report's rows that are uuids (the source reads those rows).
pub fn referenced_pull_request_ids(artefacts: &[ArtefactRecord]) -> BTreeSet<Uuid> {
    artefacts
        .iter()
        .filter_map(|a| Uuid::parse_str(a.pull_request_id.as_deref()?.trim()).ok())
        .collect()
}

/// The people a report's content names by `user_uuid`: suggested reviewers and dismissals.
pub fn referenced_user_uuids(artefacts: &[ArtefactRecord]) -> BTreeSet<Uuid> {
    #[derive(serde::Deserialize)]
    struct Named {
        user_uuid: Option<String>,
    }
    let mut out = BTreeSet::new();
    for a in artefacts {
        let Some(raw) = a.content.as_deref() else {
            continue;
        };
        let named: Vec<Named> = match a.kind.as_str() {
            "suggested_reviewers" => serde_json::from_str(raw).unwrap_or_default(),
            "dismissal" => serde_json::from_str::<Named>(raw).into_iter().collect(),
            _ => continue,
        };
        out.extend(
            named
                .into_iter()
                .filter_map(|n| Uuid::parse_str(n.user_uuid?.trim()).ok()),
        );
    }
    out
}

/// The task ids a report's rows mention: the artefacts' `task_id` column, the `task_id` of
/// `task_run` content, and legacy link rows. The source loads these tasks and their runs.
pub fn referenced_task_ids<'a>(
    artefacts: &'a [ArtefactRecord],
    linked: impl IntoIterator<Item = &'a str>,
) -> BTreeSet<Uuid> {
    let from_content = artefacts
        .iter()
        .filter(|a| a.kind == "task_run")
        .filter_map(|a| task_run_target(a.content.as_deref()?));
    artefacts
        .iter()
        .filter_map(|a| a.task_id.as_deref())
        .chain(linked)
        .filter_map(|id| Uuid::parse_str(id.trim()).ok())
        .chain(from_content)
        .collect()
}

fn task_run_target(raw: &str) -> Option<Uuid> {
    #[derive(serde::Deserialize)]
    struct Target {
        task_id: String,
    }
    let target: Target = serde_json::from_str(raw).ok()?;
    Uuid::parse_str(target.task_id.trim()).ok()
}

fn timestamp(field: &str, raw: Option<&str>, notices: &mut Vec<String>) -> Option<Timestamp> {
    let raw = raw?;
    let parsed = Timestamp::parse(raw);
    if parsed.is_none() {
        notices.push(format!("{field} {raw:?} is not a timestamp"));
    }
    parsed
}

impl Report {
    pub fn from_rows(rows: ReportRows) -> Report {
        let ReportRows {
            report,
            artefacts,
            tasks,
            runs,
            links,
            pull_requests,
            assignments,
            people,
            seen,
            versions,
            notices: read_notices,
        } = rows;
        let mut histories = histories(&seen, versions);
        let mut report_notices = Vec::new();
        let id = row_id(&report.id, &mut report_notices);
        report_notices.extend(read_notices);
        let tasks = build_tasks(tasks, runs);
        let title_of = |id: Uuid| tasks.get(&id).and_then(|t| t.title.clone());

        let mut log: Vec<Artefact> = artefacts
            .into_iter()
            .map(|row| {
                let history = histories.artefacts.remove(&row.id).unwrap_or_default();
                let mut artefact = build_artefact(row, &title_of);
                artefact.history = history;
                for version in &mut artefact.history.versions {
                    version.content = Content::parse(&artefact.kind, &version.raw);
                }
                artefact
            })
            .collect();
        let legacy = legacy_entries(links, &log, &title_of, &mut histories.links);
        log.extend(legacy);
        // Log order; rows that tie on time and id (possible only in a hand-made archive) are
        // ordered by what they hold, so the order never depends on the database's.
        log.sort_by(|a, b| (a.order_key(), &a.kind, &a.raw).cmp(&(b.order_key(), &b.kind, &b.raw)));
        let ids: Vec<Uuid> = log.iter().map(|a| a.id).collect();
        for (index, id, notice) in super::ids::distinct_entries(&ids) {
            log[index].id = id;
            log[index].notices.push(notice);
        }

        let associations: Vec<Association> = log
            .iter()
            .enumerate()
            .filter_map(|(index, a)| match &a.content {
                Content::TaskRun(run) => {
                    let (product, relationship) = match (&run.product, &run.run_type) {
                        (Some(p), Some(t)) => (p.clone(), t.clone()),
                        _ => {
                            let (p, t) = legacy_run_identifier(
                                run.run_type.as_deref().or(run.relationship.as_deref()),
                            );
                            (p.to_string(), t)
                        }
                    };
                    Some(Association {
                        task_id: Uuid::parse_str(run.task_id.trim()).ok()?,
                        artefact: index,
                        product: Some(product),
                        relationship: Some(relationship),
                    })
                }
                _ => None,
            })
            .collect();
        let assignment_row = assignments.into_iter().next();
        let pull_requests = pull_request::gather(
            &log,
            &pull_requests,
            assignment_row.as_ref(),
            &associations,
            &tasks,
        );
        let assignment = assignment_row.map(|row| assignment(&row, &title_of));
        let people = people
            .iter()
            .filter_map(|u| {
                let person = Person::from_record(u);
                Some((person.uuid?, person))
            })
            .collect();

        Report {
            id,
            team_id: report.team_id,
            status: report.status,
            title: report.title,
            summary: report.summary,
            error: report.error,
            signal_count: report.signal_count,
            created_at: timestamp(
                "created_at",
                report.created_at.as_deref(),
                &mut report_notices,
            ),
            updated_at: timestamp(
                "updated_at",
                report.updated_at.as_deref(),
                &mut report_notices,
            ),
            status_view: Status::derive(&log),
            artefacts: log,
            tasks,
            associations,
            notices: report_notices,
            local_diffs: BTreeMap::new(),
            history: histories.report,
            pull_requests,
            people,
            assignment,
            counters: Counters {
                runs: report.run_count,
                corroborations: report.corroboration_count,
                content_revisions: report.content_revision_count,
                implemented_at_run: report.implemented_at_run_count,
                implemented_at_revision: report.implemented_at_revision_count,
            },
        }
    }

    /// The latest time anything happened to the report.
    /// An `updated_at` counts only when it is a later change, not Django's stamp on insert
    /// (see [`super::artefact::EDIT_TOLERANCE`]).
    pub fn last_activity(&self) -> Option<Timestamp> {
        let changed = |created, updated| {
            super::artefact::edited(created, updated)
                .then_some(updated)
                .flatten()
        };
        self.artefacts
            .iter()
            .flat_map(|a| [a.created_at, changed(a.created_at, a.updated_at)])
            .chain([self.created_at, changed(self.created_at, self.updated_at)])
            .flatten()
            .max()
    }

    pub fn display_title(&self) -> String {
        display_title(self.title.as_deref(), self.id)
    }

    /// `commit` entries that carry no diff of their own: (entry, repository, sha).
    pub fn commits_without_diff(&self) -> Vec<(Uuid, &str, &str)> {
        self.artefacts
            .iter()
            .filter_map(|a| match &a.content {
                Content::Commit(c) if c.diff.as_deref().is_none_or(|d| d.trim().is_empty()) => {
                    Some((a.id, c.repository.as_str(), c.commit_sha.as_str()))
                }
                _ => None,
            })
            .collect()
    }

    /// Other reports this one's entries refer to (`related_to`, `report_link`, code reviews): their
    /// titles appear on its pages.
    pub fn referenced_reports(&self) -> BTreeSet<Uuid> {
        self.artefacts
            .iter()
            .filter_map(|a| match &a.content {
                Content::RelatedTo(r) => Some(r.report_id.as_str()),
                Content::ReportLink(l) => Some(l.report_id.as_str()),
                Content::CodeReview(r) => Some(r.review_report_id.as_str()),
                _ => None,
            })
            .filter_map(|id| Uuid::parse_str(id.trim()).ok())
            .collect()
    }

    /// The repository of the canonical `repo_selection`, when one is set.
    pub fn repository(&self) -> Option<&str> {
        let history = self.status_view.history(super::StatusKind::Repository)?;
        match &self.artefacts.get(history.current())?.content {
            Content::RepoSelection(r) => r.repository.as_deref(),
            _ => None,
        }
    }

    pub fn artefact_index(&self, id: Uuid) -> Option<usize> {
        self.artefacts.iter().position(|a| a.id == id)
    }
}

/// A report's title for display: its own, or "Untitled report <id>".
pub fn display_title(title: Option<&str>, id: Uuid) -> String {
    match title.map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => format!("Untitled report {id}"),
    }
}

fn build_tasks(tasks: Vec<TaskRecord>, runs: Vec<RunRecord>) -> BTreeMap<Uuid, Task> {
    let mut by_id: BTreeMap<Uuid, Task> = tasks
        .into_iter()
        .filter_map(|t| {
            let id = Uuid::parse_str(t.id.trim()).ok()?;
            Some((
                id,
                Task {
                    id,
                    title: t.title,
                    repository: t.repository,
                    origin_product: t.origin_product,
                    created_at: t.created_at.as_deref().and_then(Timestamp::parse),
                    runs: Vec::new(),
                },
            ))
        })
        .collect();
    for run in runs {
        let Some(task) = Uuid::parse_str(run.task_id.trim())
            .ok()
            .and_then(|id| by_id.get_mut(&id))
        else {
            continue;
        };
        task.runs.push(Run {
            pr_urls: run
                .output
                .as_deref()
                .map(pr_urls_of_output)
                .unwrap_or_default(),
            id: run.id,
            status: run.status,
            stage: run.stage,
            branch: run.branch,
            error_message: run.error_message,
            created_at: run.created_at.as_deref().and_then(Timestamp::parse),
            completed_at: run.completed_at.as_deref().and_then(Timestamp::parse),
        });
    }
    for task in by_id.values_mut() {
        task.runs
            .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    }
    by_id
}

/// `posthog_task_run.output->>'pr_url'`, then each of `output->'pr_urls'` (one run can open
/// PRs in several repositories), each once.
fn pr_urls_of_output(output: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(output) else {
        return Vec::new();
    };
    let single = value.get("pr_url").into_iter();
    let many = value
        .get("pr_urls")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten();
    let mut urls: Vec<String> = Vec::new();
    for url in single.chain(many).filter_map(|v| v.as_str()).map(str::trim) {
        if !url.is_empty() && !urls.iter().any(|u| u == url) {
            urls.push(url.to_string());
        }
    }
    urls
}

/// The `task_run` entries PostHog makes at read time of legacy link rows
/// (`SignalReport.synthetic_legacy_task_run_artefacts`): oldest first, one per task that no
/// `task_run` row already names, with the link row's id and time, attributed to the task.
fn legacy_entries(
    links: Vec<LinkRecord>,
    log: &[Artefact],
    title_of: &impl Fn(Uuid) -> Option<String>,
    histories: &mut BTreeMap<String, History>,
) -> Vec<Artefact> {
    let key = |raw: &str| {
        Uuid::parse_str(raw.trim())
            .map(|u| u.to_string())
            .unwrap_or_else(|_| raw.trim().to_string())
    };
    let mut seen: BTreeSet<String> = log
        .iter()
        .filter_map(|a| match &a.content {
            Content::TaskRun(run) if a.origin == Origin::Artefact => Some(key(&run.task_id)),
            _ => None,
        })
        .collect();
    let mut links = links;
    links.sort_by(|a, b| {
        let when = |l: &LinkRecord| l.created_at.as_deref().and_then(Timestamp::parse);
        (when(a), &a.id).cmp(&(when(b), &b.id))
    });
    let mut out = Vec::new();
    for link in links {
        if !seen.insert(key(&link.task_id)) {
            continue;
        }
        let (product, run_type) = legacy_run_identifier(link.relationship.as_deref());
        // PostHog's `TaskRunArtefact(...).model_dump_json()`.
        let content = serde_json::json!({
            "task_id": link.task_id.trim(),
            "run_id": null,
            "automation_branch": null,
            "product": product,
            "type": run_type,
        });
        let row = ArtefactRecord {
            id: link.id.clone(),
            kind: "task_run".into(),
            content: Some(content.to_string()),
            created_at: link.created_at.clone(),
            task_id: Some(link.task_id.clone()),
            actor_kind: Some("task".into()),
            ..ArtefactRecord::default()
        };
        let mut artefact = build_artefact(row, title_of);
        if let Content::TaskRun(run) = &mut artefact.content {
            run.relationship = link.relationship.clone();
        }
        artefact.origin = Origin::LegacyLink;
        artefact.history = histories.remove(&link.id).unwrap_or_default();
        out.push(artefact);
    }
    out
}

/// The holder of a report by its assignment row, attributed as entries are.
fn assignment(row: &AssignmentRecord, title_of: &impl Fn(Uuid) -> Option<String>) -> Assignment {
    let named = row.actor_kind.is_some()
        || row.actor_user_id.is_some()
        || row.actor_task_id.is_some()
        || row.actor_agent.is_some();
    let record = ArtefactRecord {
        created_by_id: row.actor_user_id,
        created_by: row.actor_user.clone(),
        task_id: row.actor_task_id.clone(),
        actor_kind: row.actor_kind.clone(),
        actor_agent: row.actor_agent.clone(),
        ..ArtefactRecord::default()
    };
    Assignment {
        holder: named.then(|| Actor::from_record(&record, title_of, None)),
        claimed_at: row.claimed_at.as_deref().and_then(Timestamp::parse),
    }
}

fn build_artefact(row: ArtefactRecord, task_title: &impl Fn(Uuid) -> Option<String>) -> Artefact {
    let mut notices = Vec::new();
    let id = row_id(&row.id, &mut notices);
    let raw = super::secrets::hide(row.content.as_deref().unwrap_or_default()).into_owned();
    let content = match row.content.as_deref() {
        Some(_) => Content::parse(&row.kind, &raw),
        None => Content::Malformed {
            error: "content is NULL".to_string(),
        },
    };
    let fallback_task = match &content {
        Content::TaskRun(run) => Uuid::parse_str(run.task_id.trim()).ok(),
        _ => None,
    };
    let actor = Actor::from_record(&row, task_title, fallback_task);
    Artefact {
        id,
        created_at: timestamp("created_at", row.created_at.as_deref(), &mut notices),
        updated_at: timestamp("updated_at", row.updated_at.as_deref(), &mut notices),
        kind: row.kind,
        content,
        raw,
        actor,
        channel_id: row.channel_id,
        notices,
        history: History::default(),
        claim_id: row.claim_id.filter(|c| !c.trim().is_empty()),
        pull_request_id: row.pull_request_id,
        origin: Origin::Artefact,
    }
}

/// Snapshot history, sorted out by row.
struct Histories {
    artefacts: BTreeMap<String, History>,
    /// Legacy link rows (their gone-ness: link rows are never edited).
    links: BTreeMap<String, History>,
    report: ReportHistory,
}

fn seen_time(raw: Option<&str>) -> Option<Timestamp> {
    raw.and_then(Timestamp::parse)
}

fn histories(seen: &[SeenRecord], mut versions: Vec<VersionRecord>) -> Histories {
    let mut out = Histories {
        artefacts: BTreeMap::new(),
        links: BTreeMap::new(),
        report: ReportHistory::default(),
    };
    for row in seen {
        let gone = row.gone_at.as_ref().map(|gone| Gone {
            last_seen: seen_time(row.last_seen.as_deref()),
            found_gone: seen_time(Some(gone)),
        });
        match row.kind.as_str() {
            "artefact" => {
                let history = out.artefacts.entry(row.id.clone()).or_default();
                history.gone = gone;
                history.since = seen_time(row.since.as_deref());
            }
            "link" => {
                let history = out.links.entry(row.id.clone()).or_default();
                history.gone = gone;
                history.since = seen_time(row.since.as_deref());
            }
            "report" => out.report.gone = gone,
            _ => {}
        }
    }
    versions.sort_by(|a, b| (&a.kind, &a.id, a.version).cmp(&(&b.kind, &b.id, b.version)));
    for v in versions {
        match v.kind.as_str() {
            "artefact" => {
                let history = out.artefacts.entry(v.id.clone()).or_default();
                history.versions.push(Version {
                    raw: super::secrets::hide(v.content.as_deref().unwrap_or_default())
                        .into_owned(),
                    content: Content::Malformed {
                        error: String::new(),
                    },
                    updated_at: seen_time(v.updated_at.as_deref()),
                    first_seen: seen_time(v.first_seen.as_deref()),
                    last_seen: seen_time(v.last_seen.as_deref()),
                });
            }
            "report" => {
                #[derive(serde::Deserialize, Default)]
                struct Values {
                    title: Option<String>,
                    status: Option<String>,
                    summary: Option<String>,
                }
                let values: Values = v
                    .content
                    .as_deref()
                    .and_then(|c| serde_json::from_str(c).ok())
                    .unwrap_or_default();
                out.report.versions.push(ReportVersion {
                    title: values.title,
                    status: values.status,
                    summary: values.summary,
                    first_seen: seen_time(v.first_seen.as_deref()),
                    last_seen: seen_time(v.last_seen.as_deref()),
                });
            }
            _ => {}
        }
    }
    out
}
