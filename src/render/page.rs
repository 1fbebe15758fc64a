//! Page views: everything a report page or the index shows, computed once from the model and
//! rendered by both the HTML and the Markdown renderer.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::view::{self, Block, Inline};
use crate::model::artefact::humanize;
use crate::model::{Artefact, Content, Report, StatusKind, Timestamp};

/// The reports in this archive, with their titles: references to them become links.
#[derive(Clone, Debug, Default)]
pub struct Archive {
    pub titles: BTreeMap<Uuid, String>,
}

impl Archive {
    pub fn title(&self, id: Uuid) -> Option<&str> {
        self.titles.get(&id).map(String::as_str)
    }
}

#[derive(Clone, Debug)]
pub struct StatusRow {
    pub label: &'static str,
    pub value: Inline,
    pub actor: String,
    pub when: Option<Timestamp>,
    /// How many earlier values this one superseded.
    pub superseded: usize,
    /// The entry that set it.
    pub entry: Uuid,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub id: Uuid,
    pub label: String,
    pub kind: String,
    pub actor: String,
    pub actor_kind: &'static str,
    pub when: Option<Timestamp>,
    /// Set when the row was edited after it was written.
    pub edited: Option<Timestamp>,
    pub superseded_by: Option<Uuid>,
    pub notices: Vec<String>,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug)]
pub struct ReportView {
    pub id: Uuid,
    pub title: String,
    pub status: String,
    pub summary: Option<String>,
    pub error: Option<String>,
    pub created: Option<Timestamp>,
    pub last_activity: Option<Timestamp>,
    pub pr_url: Option<String>,
    pub status_rows: Vec<StatusRow>,
    pub entries: Vec<Entry>,
    pub notices: Vec<String>,
}

/// One row of the index.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexRow {
    pub id: Uuid,
    pub title: String,
    pub status: String,
    pub priority: Option<String>,
    pub actionability: Option<String>,
    pub repository: Option<String>,
    pub created: Option<Timestamp>,
    pub last_activity: Option<Timestamp>,
    pub entries: usize,
    pub pr_url: Option<String>,
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
                Content::ActionabilityJudgment(j) => Some(humanize(&j.actionability)),
                _ => None,
            });
        let repository = current(report, StatusKind::Repository).and_then(|a| match &a.content {
            Content::RepoSelection(r) => r.repository.clone(),
            _ => None,
        });
        IndexRow {
            id: report.id,
            title: report.display_title(),
            status: report.status.clone(),
            priority,
            actionability,
            repository,
            created: report.created_at,
            last_activity: report.last_activity(),
            entries: report.artefacts.len(),
            pr_url: report.pr_url().map(str::to_string),
        }
    }
}

fn status_value(artefact: &Artefact) -> Inline {
    match &artefact.content {
        Content::PriorityJudgment(p) => Inline::Badge(p.priority.clone()),
        Content::ActionabilityJudgment(j) => {
            let mut parts = vec![Inline::Badge(humanize(&j.actionability))];
            if j.already_addressed == Some(true) {
                parts.push(Inline::Badge("Already addressed".into()));
            }
            Inline::List(parts)
        }
        Content::SafetyJudgment(s) => {
            Inline::Badge(if s.choice { "Safe to act on" } else { "Unsafe" }.into())
        }
        Content::RepoSelection(r) => match &r.repository {
            Some(repo) => Inline::Code(repo.clone()),
            None => Inline::text("none selected"),
        },
        Content::SuggestedReviewers(list) => Inline::List(
            list.iter()
                .map(|r| {
                    let name = r
                        .github_login
                        .as_deref()
                        .map(|l| format!("@{l}"))
                        .or_else(|| r.github_name.clone())
                        .or_else(|| r.user_uuid.clone())
                        .unwrap_or_else(|| "unnamed".into());
                    Inline::Code(name)
                })
                .collect(),
        ),
        Content::ChannelAssignment(c) => match &c.channel_id {
            Some(id) => Inline::Code(id.clone()),
            None => Inline::text("none"),
        },
        Content::ImplementationDecision(d) => {
            Inline::Badge(if d.supersede { "Supersede" } else { "Keep" }.into())
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
                Some(StatusRow {
                    label: h.kind.label(),
                    value: status_value(artefact),
                    actor: artefact.actor.display_name(),
                    when: artefact.created_at,
                    superseded: h.superseded_count(),
                    entry: artefact.id,
                })
            })
            .collect();
        let entries = report
            .artefacts
            .iter()
            .enumerate()
            .map(|(index, a)| {
                let mut notices = a.notices.clone();
                notices.extend(view::notice(a));
                Entry {
                    id: a.id,
                    label: view::label(a),
                    kind: a.kind.clone(),
                    actor: a.actor.display_name(),
                    actor_kind: a.actor.kind(),
                    when: a.created_at,
                    edited: a.edited().then_some(a.updated_at).flatten(),
                    superseded_by: status
                        .superseded_by
                        .get(&index)
                        .and_then(|&next| report.artefacts.get(next))
                        .map(|next| next.id),
                    notices,
                    blocks: view::blocks(a, report),
                }
            })
            .collect();
        ReportView {
            id: report.id,
            title: report.display_title(),
            status: report.status.clone(),
            summary: report.summary.clone().filter(|s| !s.trim().is_empty()),
            error: report.error.clone().filter(|s| !s.trim().is_empty()),
            created: report.created_at,
            last_activity: report.last_activity(),
            pr_url: report.pr_url().map(str::to_string),
            status_rows,
            entries,
            notices: report.notices.clone(),
        }
    }
}
