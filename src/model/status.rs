//! Derived status: the canonical value of each status type (the latest row of that type by
//! `created_at`, ties broken on `id`), what superseded what, the latest finding per signal,
//! and every dismissal.

use std::collections::BTreeMap;

use super::artefact::{Artefact, Content};

/// The status artefact types, in the order the summary shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatusKind {
    Priority,
    Actionability,
    Safety,
    Repository,
    Reviewers,
    Channel,
    ImplementationDecision,
    ImplementationDispatch,
}

impl StatusKind {
    pub const ALL: [StatusKind; 8] = [
        StatusKind::Priority,
        StatusKind::Actionability,
        StatusKind::Safety,
        StatusKind::Repository,
        StatusKind::Reviewers,
        StatusKind::Channel,
        StatusKind::ImplementationDecision,
        StatusKind::ImplementationDispatch,
    ];

    pub fn from_type(kind: &str) -> Option<StatusKind> {
        Some(match kind {
            "priority_judgment" => StatusKind::Priority,
            "actionability_judgment" => StatusKind::Actionability,
            "safety_judgment" => StatusKind::Safety,
            "repo_selection" => StatusKind::Repository,
            "suggested_reviewers" => StatusKind::Reviewers,
            "channel_assignment" => StatusKind::Channel,
            "implementation_decision" => StatusKind::ImplementationDecision,
            "implementation_dispatch" => StatusKind::ImplementationDispatch,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusKind::Priority => "Priority",
            StatusKind::Actionability => "Actionability",
            StatusKind::Safety => "Safety",
            StatusKind::Repository => "Repository",
            StatusKind::Reviewers => "Reviewers",
            StatusKind::Channel => "Channel",
            StatusKind::ImplementationDecision => "Implementation decision",
            StatusKind::ImplementationDispatch => "Implementation dispatch",
        }
    }
}

/// One status type's history: indexes into the report's (sorted) artefacts, oldest first.
/// The last one is canonical.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusHistory {
    pub kind: StatusKind,
    pub rows: Vec<usize>,
}

impl StatusHistory {
    pub fn current(&self) -> usize {
        // A history is only created with its first row.
        self.rows[self.rows.len() - 1]
    }

    /// How many earlier values the current one superseded.
    pub fn superseded_count(&self) -> usize {
        self.rows.len() - 1
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    /// Status types present in the log, in [`StatusKind::ALL`] order.
    pub histories: Vec<StatusHistory>,
    /// The latest `signal_finding` per `signal_id`, ordered by signal id.
    pub findings: Vec<usize>,
    /// Every dismissal, oldest first (they stack; none supersedes another).
    pub dismissals: Vec<usize>,
    /// For each superseded row: the row that replaced it.
    pub superseded_by: BTreeMap<usize, usize>,
}

impl Status {
    /// `artefacts` must already be in log order ([`Artefact::order_key`]).
    pub fn derive(artefacts: &[Artefact]) -> Status {
        let mut by_kind: BTreeMap<StatusKind, Vec<usize>> = BTreeMap::new();
        let mut by_signal: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut dismissals = Vec::new();
        for (index, artefact) in artefacts.iter().enumerate() {
            // A row deleted upstream no longer counts: PostHog's latest row is the one before.
            // The timeline and the status section still show it, marked.
            if artefact.history.gone.is_some() {
                continue;
            }
            if let Some(kind) = StatusKind::from_type(&artefact.kind) {
                by_kind.entry(kind).or_default().push(index);
            }
            match &artefact.content {
                Content::SignalFinding(f) => by_signal.entry(&f.signal_id).or_default().push(index),
                _ if artefact.kind == "dismissal" => dismissals.push(index),
                _ => {}
            }
        }
        let mut superseded_by = BTreeMap::new();
        for rows in by_kind.values().chain(by_signal.values()) {
            for pair in rows.windows(2) {
                superseded_by.insert(pair[0], pair[1]);
            }
        }
        Status {
            findings: by_signal
                .values()
                .filter_map(|rows| rows.last().copied())
                .collect(),
            histories: by_kind
                .into_iter()
                .map(|(kind, rows)| StatusHistory { kind, rows })
                .collect(),
            dismissals,
            superseded_by,
        }
    }

    pub fn history(&self, kind: StatusKind) -> Option<&StatusHistory> {
        self.histories.iter().find(|h| h.kind == kind)
    }
}
