//! Page views: everything a report page or the index shows, computed once from the model and
//! rendered by both the HTML and the Markdown renderer.

use std::collections::{BTreeMap, HashMap};

use uuid::Uuid;

use super::classify::{self, Tone, Weight, Who};
use super::labels;
use super::links;
use super::view::{self, Block, Inline};
use crate::model::artefact::humanize;
use crate::model::{Actor, Artefact, Content, Gone, PrState, Report, StatusKind, Timestamp};

/// An optional time as (`datetime=` form, human form); a missing one reads "unknown time".
pub fn time_pair(t: Option<Timestamp>) -> (String, String) {
    t.map(|t| (t.iso(), t.display()))
        .unwrap_or_else(|| (String::new(), "unknown time".into()))
}

/// A person, agent or system page in the index's list.
pub struct PersonLink {
    pub href: String,
    pub name: String,
    pub kind: &'static str,
    pub entries: usize,
}

/// The reports in this archive, with their titles: references to them become links.
#[derive(Clone, Debug, Default)]
pub struct Archive {
    pub titles: BTreeMap<Uuid, String>,
    /// Where links lead: the archive, or (exports) a published archive or nowhere.
    pub scope: links::Scope,
    /// The reports in creation order, for each page's older/newer links (empty in an export:
    /// no such links).
    pub order: Chronology,
}

impl Archive {
    pub fn title(&self, id: Uuid) -> Option<&str> {
        self.titles.get(&id).map(String::as_str)
    }

    /// The reports created just before and just after report `id` (older, newer), each with
    /// its title; `None` at either end, and both for a report not in [`Archive::order`] (every
    /// report of the order has a title: the build makes both from the same rows).
    pub fn neighbours(&self, id: Uuid) -> (Neighbour<'_>, Neighbour<'_>) {
        let (older, newer) = self.order.neighbours(id);
        let titled = |id: Uuid| Some((id, self.title(id)?));
        (older.and_then(titled), newer.and_then(titled))
    }
}

/// A report created just before or after another: its id and title.
pub type Neighbour<'a> = Option<(Uuid, &'a str)>;

/// Reports in creation order: by creation time (reports without a readable one first), then
/// by id; each id once.
#[derive(Clone, Debug, Default)]
pub struct Chronology {
    ids: Vec<Uuid>,
    position: HashMap<Uuid, usize>,
}

impl Chronology {
    /// The order of `reports`, (shown id, creation time). An id listed more than once keeps
    /// its first place in that order, so the result depends only on the set given.
    pub fn new(reports: impl IntoIterator<Item = (Uuid, Option<Timestamp>)>) -> Chronology {
        let mut sorted: Vec<(Option<Timestamp>, Uuid)> =
            reports.into_iter().map(|(id, t)| (t, id)).collect();
        sorted.sort_unstable();
        let mut ids = Vec::with_capacity(sorted.len());
        let mut position = HashMap::with_capacity(sorted.len());
        for (_, id) in sorted {
            if let std::collections::hash_map::Entry::Vacant(slot) = position.entry(id) {
                slot.insert(ids.len());
                ids.push(id);
            }
        }
        Chronology { ids, position }
    }

    /// The ids, oldest first.
    pub fn ids(&self) -> &[Uuid] {
        &self.ids
    }

    /// The ids just before and just after `id` (older, newer).
    pub fn neighbours(&self, id: Uuid) -> (Option<Uuid>, Option<Uuid>) {
        let Some(&at) = self.position.get(&id) else {
            return (None, None);
        };
        let older = at.checked_sub(1).map(|i| self.ids[i]);
        (older, self.ids.get(at + 1).copied())
    }
}

#[derive(Clone, Debug)]
pub struct StatusRow {
    pub label: &'static str,
    pub value: Inline,
    /// The judgment's reasoning (untrusted Markdown).
    pub explanation: Option<String>,
    pub actor: String,
    /// The actor's attribution page, relative to the archive root.
    pub actor_page: String,
    pub when: Option<Timestamp>,
    /// The entry that set it.
    pub entry: Uuid,
    /// The values it superseded, oldest first: (entry, value).
    pub earlier: Vec<(Uuid, Inline)>,
}

/// The latest finding for one signal.
#[derive(Clone, Debug)]
pub struct FindingRow {
    /// The signal's name, or `Signal` and its short id (`labels::signal`).
    pub signal: String,
    pub signal_id: String,
    /// The code path the finding names first, when it names one.
    pub path: Option<String>,
    pub verified: bool,
    pub entry: Uuid,
}

#[derive(Clone, Debug)]
pub struct DismissalRow {
    pub reason: String,
    pub note: Option<String>,
    pub actor: String,
    pub actor_page: String,
    pub when: Option<Timestamp>,
    pub entry: Uuid,
}

/// Entries of one calendar day (UTC); `day` is `None` for entries without a readable time.
#[derive(Clone, Debug)]
pub struct Day {
    pub day: Option<String>,
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub id: Uuid,
    pub label: String,
    pub kind: String,
    pub actor: String,
    pub actor_kind: &'static str,
    /// The actor's attribution page, relative to the archive root.
    pub actor_page: String,
    pub when: Option<Timestamp>,
    /// Set when the row was edited after it was written.
    pub edited: Option<Timestamp>,
    pub superseded_by: Option<Uuid>,
    pub notices: Vec<String>,
    pub blocks: Vec<Block>,
    /// Earlier versions kept by snapshots, oldest first, and the summary line above them
    /// ("edited — 3 versions").
    pub versions: Vec<VersionView>,
    pub versions_label: String,
    /// Deleted upstream (kept by snapshots).
    pub gone: bool,
    /// Shown muted, and why (bookkeeping PostHog hides).
    pub muted: Option<&'static str>,
    /// A card, or one muted line (bookkeeping).
    pub weight: Weight,
    /// Who wrote it, for the timeline's filter.
    pub who: Who,
}

/// One pull request of the report, as the status summary lists it.
#[derive(Clone, Debug)]
pub struct PrRow {
    /// `owner/repo#42` (or the URL when it is not a GitHub PR URL).
    pub reference: String,
    pub url: String,
    pub state: PrState,
    pub merged_at: Option<Timestamp>,
    /// The task that opened it.
    pub task: Option<Inline>,
    /// Where it was found (`linked by an entry`, …).
    pub source: &'static str,
    /// The entry that linked it.
    pub entry: Option<Uuid>,
    /// `#42` when a handover replaced it by that PR.
    pub replaced_by: Option<String>,
}

impl PrRow {
    /// `Merged`, `Open`, … with `replaced by #42` when it was.
    pub fn state_text(&self) -> String {
        match &self.replaced_by {
            Some(by) => format!("{}, replaced by {by}", self.state.label()),
            None => self.state.label().to_string(),
        }
    }
}

/// A PR as the index lists it: `#42` and its state.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IndexPr {
    pub label: String,
    pub url: String,
    #[serde(deserialize_with = "crate::model::PrState::deserialize_label")]
    pub state: StateLabel,
    pub tone: Tone,
}

/// One of [`PrState::label`]'s words. (An alias, so that serde does not take the field for text
/// borrowed from what it reads.)
pub type StateLabel = &'static str;

fn pr_rows(report: &Report) -> Vec<PrRow> {
    report
        .pull_requests
        .iter()
        .map(|pr| PrRow {
            reference: pr.reference.clone(),
            url: pr.url.clone(),
            state: pr.state,
            merged_at: pr.merged_at,
            task: pr.task.map(|id| view::task(report, id)),
            source: pr.source.label(),
            entry: pr.entry,
            replaced_by: pr.replaced_by.clone(),
        })
        .collect()
}

/// One earlier version of an edited entry.
#[derive(Clone, Debug)]
pub struct VersionView {
    pub label: String,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug)]
pub struct ReportView {
    pub id: Uuid,
    pub team_id: i64,
    pub title: String,
    pub status: String,
    pub summary: Option<String>,
    pub error: Option<String>,
    pub created: Option<Timestamp>,
    pub last_activity: Option<Timestamp>,
    /// Pull requests with their state, PostHog's primary PR first.
    pub prs: Vec<PrRow>,
    /// Facts from the report row's counters and its assignment, one line each.
    pub facts: Vec<String>,
    /// Who holds the report by its assignment row: (name, page, since), when no entry says.
    /// The page is `None` when the archive has none for them (they wrote nothing in it).
    pub holder: Option<(String, Option<String>, Option<Timestamp>)>,
    pub status_rows: Vec<StatusRow>,
    /// The canonical reviewers, each with their relevant commits.
    pub reviewers: Vec<Inline>,
    pub findings: Vec<FindingRow>,
    pub dismissals: Vec<DismissalRow>,
    pub days: Vec<Day>,
    pub notices: Vec<String>,
    /// Status rows deleted upstream (kept by snapshots): they no longer count.
    pub status_notes: Vec<String>,
    /// The answers at the top of the page: state, urgency, who, PR, check, what next.
    pub glance: Glance,
}

/// A value with the tone it is shown in, and the entry that set it (when one did).
#[derive(Clone, Debug, Default)]
pub struct Toned {
    pub tone: Tone,
    pub text: String,
    pub entry: Option<Uuid>,
}

/// The status summary's answers, each present: a judgment not yet made reads "Not assessed".
#[derive(Clone, Debug, Default)]
pub struct Glance {
    pub state: Toned,
    pub priority: Option<Toned>,
    pub actionability: Option<Toned>,
    pub safety: Option<Toned>,
    /// Who holds it: (sentence, their page relative to the archive root).
    pub who: Option<(String, Option<String>)>,
    /// PostHog's primary pull request and its state.
    pub pr: Option<PrRow>,
    /// The newest check result: its outcome, and the check's title with when it ran.
    pub check: Option<(Toned, String)>,
    pub next: String,
}

/// The newest entry of one of `kinds` (the log is in time order).
fn newest<'a>(report: &'a Report, kinds: &[&str]) -> Option<&'a Artefact> {
    report
        .artefacts
        .iter()
        .rev()
        .find(|a| kinds.contains(&a.kind.as_str()) && a.history.gone.is_none())
}

impl Glance {
    fn new(report: &Report, prs: &[PrRow]) -> Glance {
        let judged = |kind: StatusKind| current(report, kind).filter(|a| a.history.gone.is_none());
        let priority = judged(StatusKind::Priority).and_then(|a| match &a.content {
            Content::PriorityJudgment(p) => Some(Toned {
                tone: Tone::priority(&p.priority),
                text: p.priority.trim().to_string(),
                entry: Some(a.id),
            }),
            _ => None,
        });
        let actionability = judged(StatusKind::Actionability).and_then(|a| match &a.content {
            Content::ActionabilityJudgment(j) => Some(Toned {
                tone: Tone::actionability(&j.actionability),
                text: labels::actionability(&j.actionability),
                entry: Some(a.id),
            }),
            _ => None,
        });
        let safety = judged(StatusKind::Safety).and_then(|a| match &a.content {
            Content::SafetyJudgment(j) => Some(Toned {
                tone: Tone::safety(j.choice),
                text: if j.choice { "Safe to act on" } else { "Unsafe" }.into(),
                entry: Some(a.id),
            }),
            _ => None,
        });
        let who = match newest(report, &["work_claim", "work_release"]) {
            Some(a) => {
                let name = match &a.content {
                    Content::WorkClaim(c) => c
                        .display_name
                        .clone()
                        .filter(|n| !n.trim().is_empty())
                        .unwrap_or_else(|| a.actor.display_name()),
                    _ => a.actor.display_name(),
                };
                let (verb, page) = match &a.content {
                    Content::WorkClaim(_) => ("Claimed by", Some(links::actor_path(&a.actor))),
                    _ => ("Released by", Some(links::actor_path(&a.actor))),
                };
                Some((format!("{verb} {name}"), page))
            }
            None => holder(report).map(|(name, page, _)| (format!("Held by {name}"), page)),
        };
        let check = newest(report, &["check_result"]).and_then(|a| match &a.content {
            Content::CheckResult(c) => Some((
                Toned {
                    tone: Tone::check(&c.outcome),
                    text: labels::check_outcome(&c.outcome),
                    entry: Some(a.id),
                },
                c.title
                    .clone()
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or_else(|| "Follow-up check".into()),
            )),
            _ => None,
        });
        let pr = prs.first().cloned();
        Glance {
            state: Toned {
                tone: Tone::report_status(&report.status),
                text: labels::report_status(&report.status),
                entry: None,
            },
            priority,
            actionability,
            safety,
            who,
            next: next_step(report, pr.as_ref()),
            pr,
            check,
        }
    }
}

/// What happens next, by the report's status (PostHog's `STATUS_TOOLTIPS` in
/// `products/signals/frontend/inbox/components/badges/SignalReportStatusBadge.tsx`), the open
/// pull request, and a follow-up check still to run.
fn next_step(report: &Report, pr: Option<&PrRow>) -> String {
    let open_pr = pr.filter(|p| matches!(p.state, PrState::Open | PrState::Draft));
    let mut next = match (report.status.trim(), open_pr) {
        ("resolved", _) => "Nothing: the report is resolved.".to_string(),
        ("suppressed", _) => "Nothing: the report is suppressed, out of the inbox.".to_string(),
        ("failed", _) => "Research failed; PostHog may retry it automatically.".to_string(),
        (_, Some(p)) => format!("Review and merge {}.", p.reference),
        ("ready", None) => "Research is complete: a task can be started from this report.".into(),
        ("pending_input", None) => {
            "It needs human input in PostHog before it can proceed.".to_string()
        }
        ("in_progress", None) => "An agent is researching its signals.".to_string(),
        ("candidate", None) => "Queued for research; an agent will pick it up.".to_string(),
        ("potential", None) => {
            "Gathering signals; it is queued once enough evidence accumulates.".to_string()
        }
        (_, None) => "Unknown for this status.".to_string(),
    };
    // A check scheduled after the newest result of any check, and not expired or cancelled.
    if let Some(a) = newest(
        report,
        &[
            "check_scheduled",
            "check_result",
            "check_expired",
            "check_cancelled",
        ],
    ) && let Content::CheckScheduled(c) = &a.content
    {
        let title = c
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| "a follow-up check".into());
        next.push_str(&format!(" Then: {title}"));
        if let Some(at) = c.next_run_at.as_deref().filter(|t| !t.trim().is_empty()) {
            let at = Timestamp::parse(at).map_or_else(|| at.to_string(), |t| t.display());
            next.push_str(&format!(" ({at})"));
        }
        next.push('.');
    }
    next
}

/// One row of the index (kept between builds in the build cache, see `site::manifest`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IndexRow {
    pub id: Uuid,
    pub title: String,
    /// The status as PostHog's inbox names it (`Researching`).
    pub status: String,
    /// The status as stored (`in_progress`): for machines (`list`, filters).
    pub status_code: String,
    pub priority: Option<String>,
    pub actionability: Option<String>,
    pub repository: Option<String>,
    pub created: Option<Timestamp>,
    pub last_activity: Option<Timestamp>,
    pub entries: usize,
    pub prs: Vec<IndexPr>,
}

fn current(report: &Report, kind: StatusKind) -> Option<&Artefact> {
    let history = report.status_view.history(kind)?;
    report.artefacts.get(history.current())
}

impl IndexRow {
    pub fn new(report: &Report) -> IndexRow {
        let priority = current(report, StatusKind::Priority).and_then(|a| match &a.content {
            Content::PriorityJudgment(p) => Some(p.priority.clone()),
            _ => None,
        });
        let actionability =
            current(report, StatusKind::Actionability).and_then(|a| match &a.content {
                Content::ActionabilityJudgment(j) => Some(labels::actionability(&j.actionability)),
                _ => None,
            });
        let repository = current(report, StatusKind::Repository).and_then(|a| match &a.content {
            Content::RepoSelection(r) => r.repository.clone(),
            _ => None,
        });
        IndexRow {
            id: report.id,
            title: report.display_title(),
            status: labels::report_status(&report.status),
            status_code: report.status.clone(),
            priority,
            actionability,
            repository,
            created: report.created_at,
            last_activity: report.last_activity(),
            entries: report.artefacts.len(),
            prs: report
                .pull_requests
                .iter()
                .map(|pr| IndexPr {
                    label: index_label(pr, report.repository()),
                    url: pr.url.clone(),
                    state: pr.state.label(),
                    tone: Tone::pr(pr.state),
                })
                .collect(),
        }
    }
}

/// A PR as short as the index can name it: `#42` in the report's own repository, `repo#42` in
/// another, `PR` when the URL is not a GitHub pull request.
fn index_label(pr: &crate::model::PullRequest, repository: Option<&str>) -> String {
    let Some(n) = pr.number else {
        return "PR".into();
    };
    let repo = pr.reference.rsplit_once('#').map_or("", |(r, _)| r);
    if repository.is_some_and(|own| own.trim().eq_ignore_ascii_case(repo)) {
        format!("#{n}")
    } else {
        let name = repo.rsplit_once('/').map_or(repo, |(_, name)| name);
        format!("{name}#{n}")
    }
}

fn explanation(artefact: &Artefact) -> Option<String> {
    let text = match &artefact.content {
        Content::PriorityJudgment(p) => p.explanation.clone(),
        Content::ActionabilityJudgment(j) => j.explanation.clone(),
        Content::SafetyJudgment(s) => s.explanation.clone(),
        Content::RepoSelection(r) => Some(r.reason.clone()),
        Content::ImplementationDecision(d) => Some(d.reason.clone()),
        Content::ImplementationDispatch(d) => d
            .reason
            .as_deref()
            .map(|r| labels::reason(r).unwrap_or_else(|| r.to_string())),
        _ => None,
    };
    text.filter(|t| !t.trim().is_empty())
}

fn status_value(artefact: &Artefact, report: &Report) -> Inline {
    match &artefact.content {
        Content::PriorityJudgment(p) => {
            Inline::Toned(Tone::priority(&p.priority), p.priority.clone())
        }
        Content::ActionabilityJudgment(j) => {
            let mut parts = vec![Inline::Toned(
                Tone::actionability(&j.actionability),
                labels::actionability(&j.actionability),
            )];
            if j.already_addressed == Some(true) {
                parts.push(Inline::Badge("Already addressed".into()));
            }
            Inline::List(parts)
        }
        Content::SafetyJudgment(s) => {
            let verdict = if s.choice { "Safe to act on" } else { "Unsafe" };
            Inline::Toned(Tone::safety(s.choice), verdict.into())
        }
        Content::RepoSelection(r) => match &r.repository {
            Some(repo) => Inline::Code(repo.clone()),
            None => Inline::text("none selected"),
        },
        Content::SuggestedReviewers(list) => Inline::List(
            list.iter()
                .map(|r| {
                    let person = r
                        .user_uuid
                        .as_deref()
                        .and_then(|u| uuid::Uuid::parse_str(u.trim()).ok())
                        .and_then(|u| report.people.get(&u));
                    match (person, r.github_login.as_deref()) {
                        (Some(p), _) => Inline::text(p.display_name()),
                        (None, Some(login)) => Inline::Code(format!("@{login}")),
                        (None, None) => {
                            Inline::text(r.github_name.clone().unwrap_or_else(|| "unnamed".into()))
                        }
                    }
                })
                .collect(),
        ),
        Content::ChannelAssignment(c) => match &c.channel_id {
            Some(id) => Inline::Code(id.clone()),
            None => Inline::text("none"),
        },
        Content::ImplementationDecision(d) => {
            Inline::Badge(labels::decision(d.supersede, d.blocked_reason.as_deref()))
        }
        Content::ImplementationDispatch(d) => {
            Inline::Badge(humanize(d.status.as_deref().unwrap_or("pending")))
        }
        _ => Inline::text("unreadable (see the entry)"),
    }
}

impl ReportView {
    pub fn new(report: &Report) -> ReportView {
        let status = &report.status_view;
        let status_rows = status
            .histories
            .iter()
            .filter_map(|h| {
                let artefact = report.artefacts.get(h.current())?;
                let earlier = h.rows[..h.rows.len() - 1]
                    .iter()
                    .filter_map(|&i| report.artefacts.get(i))
                    .map(|a| (a.id, status_value(a, report)))
                    .collect();
                Some(StatusRow {
                    label: h.kind.label(),
                    value: status_value(artefact, report),
                    explanation: explanation(artefact),
                    actor: artefact.actor.display_name(),
                    actor_page: links::actor_path(&artefact.actor),
                    when: artefact.created_at,
                    entry: artefact.id,
                    earlier,
                })
            })
            .collect();
        let reviewers = status
            .history(StatusKind::Reviewers)
            .and_then(|h| report.artefacts.get(h.current()))
            .map(|a| match &a.content {
                Content::SuggestedReviewers(list) => {
                    list.iter().map(|r| view::reviewer(r, report)).collect()
                }
                _ => Vec::new(),
            })
            .unwrap_or_default();
        let findings = status
            .findings
            .iter()
            .filter_map(|&i| report.artefacts.get(i))
            .filter_map(|a| match &a.content {
                Content::SignalFinding(f) => Some(FindingRow {
                    signal: labels::signal(f),
                    signal_id: f.signal_id.clone(),
                    path: f.relevant_code_paths.first().cloned(),
                    verified: f.verified,
                    entry: a.id,
                }),
                _ => None,
            })
            .collect();
        let dismissals = status
            .dismissals
            .iter()
            .filter_map(|&i| report.artefacts.get(i))
            .map(|a| {
                let (reason, note) = match &a.content {
                    Content::Dismissal(d) => (
                        labels::dismissal_reason(d.reason.as_deref()),
                        d.note.clone().filter(|n| !n.trim().is_empty()),
                    ),
                    _ => ("Unreadable dismissal".into(), None),
                };
                DismissalRow {
                    reason,
                    note,
                    actor: a.actor.display_name(),
                    actor_page: links::actor_path(&a.actor),
                    when: a.created_at,
                    entry: a.id,
                }
            })
            .collect();
        let mut days: Vec<Day> = Vec::new();
        let mut status_notes = Vec::new();
        for (index, a) in report.artefacts.iter().enumerate() {
            let mut notices = a.notices.clone();
            notices.extend(view::notice(a));
            if let Some(gone) = a.history.gone {
                notices.push(gone_notice("This entry", gone));
                if StatusKind::from_type(&a.kind).is_some() {
                    status_notes.push(format!(
                        "{} by {} ({}) was deleted upstream: {}; it no longer counts.",
                        labels::label(a),
                        a.actor.display_name(),
                        time_pair(a.created_at).1,
                        seen_span(gone)
                    ));
                }
            }
            let versions = versions(a, report);
            let entry = Entry {
                id: a.id,
                label: labels::label(a),
                kind: a.kind.clone(),
                actor: a.actor.display_name(),
                actor_kind: a.actor.kind(),
                actor_page: links::actor_path(&a.actor),
                when: a.created_at,
                edited: a.edited().then_some(a.updated_at).flatten(),
                superseded_by: status
                    .superseded_by
                    .get(&index)
                    .and_then(|&next| report.artefacts.get(next))
                    .map(|next| next.id),
                notices,
                blocks: view::blocks(a, report),
                versions_label: if versions.is_empty() {
                    String::new()
                } else {
                    format!("edited — {} versions", versions.len())
                },
                versions,
                gone: a.history.gone.is_some(),
                muted: labels::muted(a),
                weight: classify::weight(a),
                who: Who::of(&a.actor),
            };
            let day = a.created_at.map(|t| t.day_label());
            match days.last_mut() {
                Some(last) if last.day == day => last.entries.push(entry),
                _ => days.push(Day {
                    day,
                    entries: vec![entry],
                }),
            }
        }
        let prs = pr_rows(report);
        ReportView {
            glance: Glance::new(report, &prs),
            id: report.id,
            team_id: report.team_id,
            title: report.display_title(),
            status: labels::report_status(&report.status),
            summary: report.summary.clone().filter(|s| !s.trim().is_empty()),
            // Markdown-ish text shown as plain text: code spans lose their backticks.
            error: report
                .error
                .as_deref()
                .map(labels::plain)
                .filter(|s| !s.trim().is_empty()),
            created: report.created_at,
            last_activity: report.last_activity(),
            prs,
            facts: facts(report),
            holder: holder(report),
            status_rows,
            reviewers,
            findings,
            dismissals,
            days,
            notices: report_notices(report),
            status_notes,
        }
    }
}

/// The report row's counters, as sentences.
fn facts(report: &Report) -> Vec<String> {
    let c = &report.counters;
    let mut out = Vec::new();
    let collapsed = c.collapsed_corroborations();
    if collapsed > 0 {
        // PostHog's line (`ArtefactLogList.tsx`).
        out.push(format!(
            "Corroborated {collapsed} more {} by a scout, with nothing new to add.",
            if collapsed == 1 { "time" } else { "times" }
        ));
    }
    let mut counts = Vec::new();
    if let Some(n) = c.runs.filter(|n| *n > 0) {
        counts.push(format!("research runs: {n}"));
    }
    if let Some(n) = c.content_revisions.filter(|n| *n > 0) {
        counts.push(format!("scout revisions of the title or summary: {n}"));
    }
    match (c.implemented_at_run, c.implemented_at_revision) {
        (Some(run), Some(rev)) => counts.push(format!(
            "current implementation built from research run {run}, revision {rev}"
        )),
        (Some(run), None) => counts.push(format!(
            "current implementation built from research run {run}"
        )),
        (None, Some(rev)) => {
            counts.push(format!("current implementation built from revision {rev}"))
        }
        (None, None) => {}
    }
    if !counts.is_empty() {
        let mut line = counts.join(" · ");
        if let Some(first) = line.get(..1) {
            line = first.to_uppercase() + &line[1..];
        }
        out.push(line);
    }
    out
}

/// Who holds the report by its assignment row, unless a work claim or release in the log
/// speaks for itself (PostHog: "read-only legacy ownership; new work is recorded as
/// artefacts").
fn holder(report: &Report) -> Option<(String, Option<String>, Option<Timestamp>)> {
    let assignment = report.assignment.as_ref()?;
    let actor = assignment.holder.as_ref()?;
    let claims = report
        .artefacts
        .iter()
        .any(|a| matches!(a.kind.as_str(), "work_claim" | "work_release"));
    if claims {
        return None;
    }
    let name = match actor {
        Actor::Agent { client, .. } => client.clone(),
        other => other.display_name(),
    };
    let page = links::actor_path(actor);
    // Task pages exist for every task a report names; a person's or agent's page only when
    // they are credited with something.
    let has_page = matches!(actor, Actor::Task(_))
        || report
            .artefacts
            .iter()
            .any(|a| links::actor_path(&a.actor) == page);
    Some((name, has_page.then_some(page), assignment.claimed_at))
}

fn seen_span(gone: Gone) -> String {
    format!(
        "last seen {}, found gone {}",
        time_pair(gone.last_seen).1,
        time_pair(gone.found_gone).1
    )
}

fn gone_notice(what: &str, gone: Gone) -> String {
    format!(
        "{what} was deleted upstream ({}); the snapshot archive kept it.",
        seen_span(gone)
    )
}

/// Earlier versions of an edited entry, oldest first, then the current one's label.
fn versions(a: &Artefact, report: &Report) -> Vec<VersionView> {
    let versions = &a.history.versions;
    if versions.is_empty() {
        return Vec::new();
    }
    let total = versions.len() + 1;
    let mut out: Vec<VersionView> = versions
        .iter()
        .enumerate()
        .map(|(n, v)| {
            let mut earlier = a.clone();
            earlier.content = v.content.clone();
            earlier.raw = v.raw.clone();
            earlier.history = Default::default();
            let mut label = format!(
                "Version {} of {total}: seen {} – {}",
                n + 1,
                time_pair(v.first_seen).1,
                time_pair(v.last_seen).1
            );
            if let Some(updated) = v.updated_at {
                label.push_str(&format!(" (row updated {})", updated.display()));
            }
            VersionView {
                label,
                blocks: view::blocks(&earlier, report),
            }
        })
        .collect();
    out.push(VersionView {
        label: format!(
            "Version {total} of {total} (shown above): seen since {}",
            time_pair(a.history.since).1
        ),
        blocks: Vec::new(),
    });
    out
}

/// The report row's own notices, then what snapshots kept of its history.
fn report_notices(report: &Report) -> Vec<String> {
    let mut notices = report.notices.clone();
    if let Some(gone) = report.history.gone {
        notices.push(gone_notice("This report", gone));
    }
    for v in &report.history.versions {
        notices.push(format!(
            "Earlier values of this report (seen {} – {}): title “{}”, status {}{}",
            time_pair(v.first_seen).1,
            time_pair(v.last_seen).1,
            v.title.as_deref().unwrap_or("(none)"),
            v.status
                .as_deref()
                .map(labels::report_status)
                .unwrap_or_else(|| "(none)".into()),
            match &v.summary {
                Some(s) if Some(s) != report.summary.as_ref() => format!(", summary “{s}”"),
                _ => String::new(),
            }
        ));
    }
    notices
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn chronology_sorts_by_time_then_id_untimed_first_each_id_once() {
        let t = |s: &str| Timestamp::parse(s);
        let given = [
            (id(3), t("2026-10-02T00:00:00Z")),
            (id(1), t("2026-10-01T00:00:00Z")),
            (id(4), None),
            (id(2), t("2026-10-02T00:00:00Z")),
            // Listed again, later: keeps its earlier place.
            (id(1), t("2026-12-01T00:00:00Z")),
        ];
        let order = Chronology::new(given);
        assert_eq!(order.ids(), [id(4), id(1), id(2), id(3)]);
        // The same set in another order gives the same order.
        let mut reversed = given;
        reversed.reverse();
        assert_eq!(Chronology::new(reversed).ids(), order.ids());
        assert_eq!(order.neighbours(id(4)), (None, Some(id(1))));
        assert_eq!(order.neighbours(id(2)), (Some(id(1)), Some(id(3))));
        assert_eq!(order.neighbours(id(3)), (Some(id(2)), None));
        assert_eq!(order.neighbours(id(9)), (None, None));
    }

    #[test]
    fn an_archive_without_an_order_has_no_neighbours() {
        let archive = Archive {
            titles: [(id(1), "One".to_string()), (id(2), "Two".to_string())].into(),
            ..Archive::default()
        };
        assert_eq!(archive.neighbours(id(1)), (None, None));
        let archive = Archive {
            order: Chronology::new([(id(1), None), (id(2), None)]),
            ..archive
        };
        assert_eq!(archive.neighbours(id(1)), (None, Some((id(2), "Two"))));
        assert_eq!(archive.neighbours(id(2)), (Some((id(1), "One")), None));
    }
}
