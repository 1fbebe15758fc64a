//! A report with its parsed, ordered artefact log and the tasks it is associated with.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use super::actor::Actor;
use super::artefact::{Artefact, Content, Gone, History, Version};
use super::record::{ArtefactRecord, ReportRows, RunRecord, SeenRecord, TaskRecord, VersionRecord};
use super::status::Status;
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

#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub id: Uuid,
    pub title: Option<String>,
    pub repository: Option<String>,
    pub origin_product: Option<String>,
    pub created_at: Option<Timestamp>,
    /// Oldest first.
    pub runs: Vec<Run>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub id: String,
    pub status: Option<String>,
    pub stage: Option<String>,
    pub branch: Option<String>,
    pub pr_url: Option<String>,
    pub error_message: Option<String>,
    pub created_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Association {
    pub task_id: Uuid,
    /// `task_run` artefact index, or `None` for a legacy `signals_signalreporttask` row.
    pub artefact: Option<usize>,
    pub relationship: Option<String>,
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
            seen,
            versions,
        } = rows;
        let mut histories = histories(&seen, versions);
        let mut report_notices = Vec::new();
        let id = row_id(&report.id, &mut report_notices);
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
        log.sort_by_key(Artefact::order_key);

        let mut associations: Vec<Association> = log
            .iter()
            .enumerate()
            .filter_map(|(index, a)| match &a.content {
                Content::TaskRun(run) => Some(Association {
                    task_id: Uuid::parse_str(run.task_id.trim()).ok()?,
                    artefact: Some(index),
                    relationship: run.run_type.clone().or_else(|| run.relationship.clone()),
                }),
                _ => None,
            })
            .collect();
        let mut links: Vec<_> = links
            .into_iter()
            .filter_map(|l| {
                let when = l.created_at.as_deref().and_then(Timestamp::parse);
                Some((
                    when,
                    Uuid::parse_str(l.task_id.trim()).ok()?,
                    l.relationship,
                ))
            })
            .collect();
        links.sort();
        associations.extend(
            links
                .into_iter()
                .map(|(_, task_id, relationship)| Association {
                    task_id,
                    artefact: None,
                    relationship,
                }),
        );

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
        }
    }

    /// The distinct `pr_url`s of the runs of the tasks associated with the report, newest run
    /// first.
    pub fn pr_urls(&self) -> Vec<&str> {
        let associated: BTreeSet<Uuid> = self.associations.iter().map(|a| a.task_id).collect();
        let mut runs: Vec<&Run> = associated
            .iter()
            .filter_map(|id| self.tasks.get(id))
            .flat_map(|task| task.runs.iter())
            .filter(|run| run.pr_url.is_some())
            .collect();
        runs.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        let mut urls: Vec<&str> = Vec::new();
        for url in runs.iter().filter_map(|r| r.pr_url.as_deref()) {
            if !urls.contains(&url) {
                urls.push(url);
            }
        }
        urls
    }

    /// The newest `pr_url` among the runs of the tasks associated with the report.
    pub fn pr_url(&self) -> Option<&str> {
        self.pr_urls().first().copied()
    }

    /// The latest time anything happened to the report.
    pub fn last_activity(&self) -> Option<Timestamp> {
        self.artefacts
            .iter()
            .flat_map(|a| [a.created_at, a.updated_at])
            .chain([self.created_at, self.updated_at])
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

/// A row's uuid. A value that is not one (possible in a hand-made SQLite archive) gets a
/// stand-in derived from it, with a notice, so the row is still shown and linkable.
pub fn row_id(raw: &str, notices: &mut Vec<String>) -> Uuid {
    match Uuid::parse_str(raw.trim()) {
        Ok(id) => id,
        Err(_) => {
            notices.push(format!(
                "the row's id {raw:?} is not a uuid; a stand-in id derived from it is used"
            ));
            Uuid::new_v5(&Uuid::NAMESPACE_OID, raw.as_bytes())
        }
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
            pr_url: run.output.as_deref().and_then(pr_url_of_output),
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

/// `posthog_task_run.output->>'pr_url'`.
fn pr_url_of_output(output: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(output).ok()?;
    let url = value.get("pr_url")?.as_str()?.trim();
    (!url.is_empty()).then(|| url.to_string())
}

fn build_artefact(row: ArtefactRecord, task_title: &impl Fn(Uuid) -> Option<String>) -> Artefact {
    let mut notices = Vec::new();
    let id = row_id(&row.id, &mut notices);
    let raw = row.content.clone().unwrap_or_default();
    let content = match row.content.as_deref() {
        Some(text) => Content::parse(&row.kind, text),
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
    }
}

/// Snapshot history, sorted out by row.
struct Histories {
    artefacts: BTreeMap<String, History>,
    report: ReportHistory,
}

fn seen_time(raw: Option<&str>) -> Option<Timestamp> {
    raw.and_then(Timestamp::parse)
}

fn histories(seen: &[SeenRecord], mut versions: Vec<VersionRecord>) -> Histories {
    let mut out = Histories {
        artefacts: BTreeMap::new(),
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
                    raw: v.content.clone().unwrap_or_default(),
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
