//! How much room an entry and a value get on a page: an entry's weight in the timeline (a card,
//! or one muted line for bookkeeping), who wrote it (people, agents, the system), and the tone a
//! state is coloured in. The colours say what the words say; the words are always shown too.

use crate::model::{Actor, Artefact, Content, PrState};

/// The colour family of a state, after PostHog's `LemonTag` types (GitHub's PR colours for
/// `Done`: merged and resolved are purple there and here).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Tone {
    /// Green: ready, open, passed, safe, verified.
    Success,
    /// Purple: merged, resolved.
    Done,
    /// Amber: needs input, P2.
    Caution,
    /// Orange: in progress, P1, errored.
    Warning,
    /// Blue: queued, P3.
    Info,
    /// Red: failed, closed, P0, unsafe.
    Danger,
    /// Grey-blue: potential, unknown.
    #[default]
    Neutral,
    /// Grey: suppressed, P4, draft, not actionable.
    Muted,
}

impl Tone {
    pub const ALL: [Tone; 8] = [
        Tone::Success,
        Tone::Done,
        Tone::Caution,
        Tone::Warning,
        Tone::Info,
        Tone::Danger,
        Tone::Neutral,
        Tone::Muted,
    ];

    /// The CSS class (`static/style.css` defines each, light and dark).
    pub fn class(self) -> &'static str {
        match self {
            Tone::Success => "tone-success",
            Tone::Done => "tone-done",
            Tone::Caution => "tone-caution",
            Tone::Warning => "tone-warning",
            Tone::Info => "tone-info",
            Tone::Danger => "tone-danger",
            Tone::Neutral => "tone-neutral",
            Tone::Muted => "tone-muted",
        }
    }

    /// A report's status, as PostHog colours it (`inboxStatusBadgeType` in
    /// `products/signals/frontend/inbox/components/badges/SignalReportStatusBadge.tsx`), except
    /// that resolved is GitHub's merged purple (PostHog: `completion`).
    pub fn report_status(status: &str) -> Tone {
        match status.trim() {
            "ready" => Tone::Success,
            "resolved" => Tone::Done,
            "pending_input" => Tone::Caution,
            "in_progress" => Tone::Warning,
            "candidate" => Tone::Info,
            "failed" => Tone::Danger,
            "potential" => Tone::Neutral,
            _ => Tone::Muted,
        }
    }

    /// P0–P4, one hue each (`PRIORITY_TAG_TYPE` in `products/signals/frontend/inbox/filterOptions.tsx`:
    /// red, orange, amber, blue, grey).
    pub fn priority(priority: &str) -> Tone {
        match priority.trim().to_ascii_uppercase().as_str() {
            "P0" => Tone::Danger,
            "P1" => Tone::Warning,
            "P2" => Tone::Caution,
            "P3" => Tone::Info,
            "P4" => Tone::Muted,
            _ => Tone::Neutral,
        }
    }

    /// A follow-up check's outcome (`CHECK_OUTCOME` in `ArtefactLogList.tsx`: passed success,
    /// failed danger, errored warning).
    pub fn check(outcome: &str) -> Tone {
        match outcome.trim() {
            "passed" => Tone::Success,
            "failed" => Tone::Danger,
            "errored" => Tone::Warning,
            _ => Tone::Neutral,
        }
    }

    /// GitHub's pull request colours: open green, merged purple, closed red, draft grey.
    pub fn pr(state: PrState) -> Tone {
        match state {
            PrState::Open => Tone::Success,
            PrState::Merged => Tone::Done,
            PrState::Closed => Tone::Danger,
            PrState::Draft => Tone::Muted,
            PrState::Unknown => Tone::Neutral,
        }
    }

    /// An actionability verdict (`ACTIONABILITY_STYLE` in `SignalReportActionabilityBadge.tsx`).
    pub fn actionability(value: &str) -> Tone {
        match value.trim() {
            "immediately_actionable" => Tone::Success,
            "requires_human_input" => Tone::Caution,
            "not_actionable" => Tone::Muted,
            _ => Tone::Neutral,
        }
    }

    /// A safety verdict (`renderArtefactSummary` in `ArtefactLogList.tsx`).
    pub fn safety(safe: bool) -> Tone {
        if safe { Tone::Success } else { Tone::Danger }
    }

    /// A signal finding: verified green, unverified grey (PostHog's `SignalCard`).
    pub fn verified(verified: bool) -> Tone {
        if verified { Tone::Success } else { Tone::Muted }
    }

    /// A task run's status (PostHog's task statuses: not started, queued, in progress,
    /// completed, failed, cancelled).
    pub fn run(status: &str) -> Tone {
        match status.trim() {
            "completed" => Tone::Success,
            "failed" => Tone::Danger,
            "in_progress" | "started" => Tone::Warning,
            "queued" | "not_started" | "pending" => Tone::Info,
            "cancelled" => Tone::Muted,
            _ => Tone::Neutral,
        }
    }
}

/// Who wrote an entry, for the timeline's filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    People,
    Agents,
    System,
}

impl Who {
    pub fn of(actor: &Actor) -> Who {
        match actor {
            Actor::User(_) => Who::People,
            Actor::Agent { .. } | Actor::Task(_) => Who::Agents,
            Actor::System | Actor::Unattributed { .. } => Who::System,
        }
    }

    /// The `data-who` value the stylesheet filters on.
    pub fn key(self) -> &'static str {
        match self {
            Who::People => "people",
            Who::Agents => "agents",
            Who::System => "system",
        }
    }
}

/// How an entry sits in the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    /// A card: notes, findings, judgments with reasons, code, diffs, anything degraded.
    Card,
    /// One muted line: bookkeeping.
    Line,
}

/// Bookkeeping is one muted line, as Linear shows state changes: the rows PostHog's log leaves
/// without a body or marker of their own (`ARTEFACT_MARKER` and `renderArtefactBody` in
/// `products/signals/frontend/inbox/components/detail/ArtefactLogList.tsx` have none for
/// channel assignments, work claims and releases, or dispatches), the rows it hides as
/// bookkeeping (`selectVisibleReportActivity` in `artefactTypes.ts`: dispatches, handovers
/// still processing), a check's life rather than its verdict (`CheckLifecycleBody`: scheduled,
/// expired, cancelled), ranking scores and skipped autostarts the system writes. Anything a
/// reader must look at keeps its card: a degraded or deleted row, an edited one, and people's
/// notes, findings, code and judgments.
pub fn weight(artefact: &Artefact) -> Weight {
    let degraded = matches!(
        artefact.content,
        Content::Unknown(_) | Content::Malformed { .. }
    );
    if degraded
        || !artefact.notices.is_empty()
        || artefact.history.gone.is_some()
        || !artefact.history.versions.is_empty()
    {
        return Weight::Card;
    }
    let line = match &artefact.content {
        Content::ChannelAssignment(_)
        | Content::WorkClaim(_)
        | Content::WorkRelease(_)
        | Content::ImplementationDispatch(_)
        | Content::CheckScheduled(_)
        | Content::CheckExpired(_)
        | Content::CheckCancelled(_)
        | Content::RankingScore(_) => true,
        // A handover that names no PR is a status update; one that replaced a PR is news.
        Content::ImplementationHandover(h) => {
            h.replacement_pr_urls.is_empty() && h.results.is_empty()
        }
        Content::AutostartSkip(_) => matches!(artefact.actor, Actor::System),
        _ => false,
    };
    if line { Weight::Line } else { Weight::Card }
}

#[cfg(test)]
mod tests {
    use super::Tone;

    #[test]
    fn families_have_one_tone_per_value() {
        let distinct = |tones: &[Tone]| {
            let set: std::collections::BTreeSet<_> = tones.iter().collect();
            set.len() == tones.len()
        };
        let statuses = [
            "potential",
            "candidate",
            "in_progress",
            "pending_input",
            "ready",
            "resolved",
            "failed",
            "suppressed",
        ];
        assert!(distinct(&statuses.map(Tone::report_status)));
        assert!(distinct(
            &["P0", "P1", "P2", "P3", "P4"].map(Tone::priority)
        ));
        assert!(distinct(&["passed", "failed", "errored"].map(Tone::check)));
    }
}
