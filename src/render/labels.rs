//! PostHog's own words for what the log shows: entry headings (`prActivityTitle` in
//! `products/signals/frontend/inbox/components/detail/prActivityPresentation.ts`), the labels of
//! reasons and outcomes (`ArtefactLogList.tsx`, `artefactTypes.ts`, `reportCheckPresentation.ts`),
//! and which bookkeeping rows PostHog hides (shown muted here).

use crate::model::artefact::{self, humanize};
use crate::model::{Artefact, Content, pull_request};

/// An entry's heading: PostHog's title for it (`prActivityTitle` in `prActivityPresentation.ts`)
/// where it has one, else its type's label.
pub fn label(artefact: &Artefact) -> String {
    let pr = |url: &str| match pull_request::number_of(url) {
        Some(n) => format!("PR #{n}"),
        None => "Pull request".to_string(),
    };
    match &artefact.content {
        Content::PullRequest(p) => format!("{} linked", pr(&p.url)),
        Content::ImplementationDecision(d) => match d.targets.as_slice() {
            [] => "Open PR assessed".into(),
            [one] => format!("{} assessed", pr(one.pr_url.as_deref().unwrap_or(""))),
            _ => "Open PRs assessed".into(),
        },
        Content::ImplementationReplacement(r) => {
            let targets = r
                .decision
                .as_ref()
                .map_or(&[][..], |d| d.targets.as_slice());
            match targets {
                [] => "PR replacement started".into(),
                [one] => format!("Replacing {}", pr(one.pr_url.as_deref().unwrap_or(""))),
                many => format!("Replacing {} PRs", many.len()),
            }
        }
        Content::ImplementationHandover(h) => match pull_request::replacement(h) {
            Some((old, new)) => {
                match (pull_request::number_of(new), pull_request::number_of(old)) {
                    (Some(n), Some(o)) => format!("PR #{n} replaced #{o}"),
                    _ => "PR replacement completed".into(),
                }
            }
            None => match h.status.as_str() {
                "processing" => "PR replacement in progress".into(),
                "completed" => "PR replacement completed".into(),
                "failed" => "PR replacement failed".into(),
                "cancelled" => "PR replacement canceled".into(),
                "needs_attention" => "PR replacement needs attention".into(),
                _ => "PR replacement update".into(),
            },
        },
        Content::Dismissal(d) if d.reason.as_deref() == Some("slack_dismiss") => {
            "Dismissed from Slack".into()
        }
        _ => artefact::type_label(&artefact.kind),
    }
}

/// Why an entry is shown muted: bookkeeping PostHog hides while it is in flight, or a type it
/// no longer shows (`selectVisibleReportActivity` in the frontend's `artefactTypes.ts`).
pub fn muted(artefact: &Artefact) -> Option<&'static str> {
    match &artefact.content {
        Content::ImplementationDispatch(d) if d.status.as_deref() == Some("processing") => {
            Some("Still processing: PostHog hides this bookkeeping row; this archive shows it.")
        }
        Content::ImplementationHandover(h) if h.status == "processing" => {
            Some("Still processing: PostHog hides this bookkeeping row; this archive shows it.")
        }
        Content::ImpactMeasurementPlan(_) => Some(
            "PostHog deleted every impact measurement plan (migration 0162); this archive kept it.",
        ),
        _ => None,
    }
}

/// A dismissal's reason: PostHog's labels (`dismissalReasonLabel` in
/// `products/signals/frontend/inbox/utils/dismissalReasons.ts`, and `DISMISS_REASON_LABELS` in
/// `ArtefactLogList.tsx`), else the reason made readable.
pub fn dismissal_reason(reason: Option<&str>) -> String {
    let label = match reason.map(str::trim) {
        Some("slack_dismiss") => "Dismissed from Slack",
        Some("already_fixed") => "Already fixed",
        Some("report_unclear") => "Report is unclear to me",
        Some("analysis_wrong") => "Agent's analysis is wrong",
        Some("wrong_repo") => "Agent picked the wrong repository",
        Some("wontfix_intentional") => "Won't fix - intentional behavior",
        Some("wontfix_irrelevant") => "Won't fix - issue is real but insignificant",
        Some("other") => "Something else",
        Some("fixed_outside_posthog") => "Fixed outside PostHog",
        Some("pr_merged") => "PR was merged",
        Some("refunded") => "Refunded",
        Some(r) if !r.is_empty() => return humanize(r),
        _ => "No reason given",
    };
    label.to_string()
}

/// PostHog's `AUTOSTART_SKIP_REASON_LABELS`.
pub fn autostart_reason(reason: &str) -> String {
    match reason.trim() {
        "duplicate_of" => "Duplicate".into(),
        "blocked_by_dependency" => "Waiting on a dependency".into(),
        "plan_parent" => "Tracked by other reports".into(),
        other => humanize(other),
    }
}

/// PostHog's detail line for a cancelled check (`reportCheckPresentation.ts`).
pub fn cancel_reason(reason: &str) -> String {
    match reason.trim() {
        "stopped_by_person" => "Stopped from the report before it could settle".into(),
        "stopped_by_scout" => "A scout run stopped it before it could settle".into(),
        "replaced_by_research" => {
            "Replaced when research re-ran on this report and wrote a new check".into()
        }
        "replaced_by_request" => "Replaced on request by a revised check".into(),
        other => humanize(other),
    }
}

/// PostHog's handover outcome line per previous PR.
pub fn handover_result(result: &str) -> String {
    match result.trim() {
        "skipped" => "Not closed by PostHog".into(),
        "already_closed" => "Already closed at replacement".into(),
        "closed" => "Closed by PostHog".into(),
        other => humanize(other),
    }
}

/// A report's status as PostHog's inbox names it (`STATUS_LABELS` in
/// `products/signals/frontend/inbox/components/badges/SignalReportStatusBadge.tsx`).
pub fn report_status(status: &str) -> String {
    match status.trim() {
        "ready" => "Ready".into(),
        "pending_input" => "Needs input".into(),
        "in_progress" => "Researching".into(),
        "candidate" => "Queued".into(),
        "potential" => "Gathering".into(),
        "resolved" => "Resolved".into(),
        "failed" => "Failed".into(),
        "suppressed" => "Suppressed".into(),
        "deleted" => "Deleted".into(),
        other => humanize(other),
    }
}

/// An actionability verdict as PostHog's badge names it (`ACTIONABILITY_STYLE` in
/// `products/signals/frontend/inbox/components/badges/SignalReportActionabilityBadge.tsx`).
pub fn actionability(value: &str) -> String {
    match value.trim() {
        "immediately_actionable" => "Actionable".into(),
        "requires_human_input" => "Needs input".into(),
        "not_actionable" => "Not actionable".into(),
        other => humanize(other),
    }
}

/// An open-PR assessment's verdict, in PostHog's words (`renderArtefactSummary`,
/// `implementation_decision`, in `ArtefactLogList.tsx`).
pub fn decision(supersede: bool, blocked_reason: Option<&str>) -> String {
    match (blocked_reason.map(str::trim), supersede) {
        (Some("revision_limit"), _) => "Replacement limit reached".into(),
        (_, true) => "Replacement recommended".into(),
        (_, false) => "Still the right fix".into(),
    }
}

/// Why an open-PR assessment or a dispatch was blocked (`blocked_reason`; PostHog's only value is
/// `revision_limit`, `ImplementationDecisionContent` in `artefactTypes.ts`).
pub fn blocked_reason(reason: &str) -> String {
    match reason.trim() {
        "revision_limit" => "Replacement limit reached".into(),
        other => humanize(other),
    }
}

/// A code review's outcome (`CODE_REVIEW_OUTCOME` in `ArtefactLogList.tsx`).
pub fn code_review_outcome(outcome: &str) -> String {
    match outcome.trim() {
        "published" => "Published on GitHub".into(),
        "stored" => "Review saved".into(),
        "failed" => "Review failed".into(),
        other => humanize(other),
    }
}

/// A follow-up check's verdict (`CHECK_OUTCOME` in `ArtefactLogList.tsx`; `inconclusive` from
/// `terminalCheckRow` in `reportCheckPresentation.ts`).
pub fn check_outcome(outcome: &str) -> String {
    match outcome.trim() {
        "passed" => "Still holds".into(),
        "failed" => "No longer holds".into(),
        "errored" => "Couldn't measure".into(),
        "inconclusive" => "Inconclusive".into(),
        other => humanize(other),
    }
}

/// How two reports are linked (`REPORT_LINK_KIND_LABELS` in `artefactTypes.ts`).
pub fn report_link_kind(kind: &str) -> String {
    match kind.trim() {
        "depends_on" => "Depends on".into(),
        "part_of" => "Part of".into(),
        "follow_up_of" => "Follow-up of".into(),
        "duplicate_of" => "Duplicate of".into(),
        "recurrence_of" => "Recurrence of".into(),
        other => humanize(other),
    }
}

/// Why work was released (`WORK_RELEASE_REASON_LABELS` in `artefactTypes.ts`).
pub fn work_release_reason(reason: &str) -> String {
    match reason.trim() {
        "released" => "Released".into(),
        "taken_over" => "Taken over".into(),
        other => humanize(other),
    }
}

/// A task run's kind (`taskRunTypeLabel` in `artefactTypes.ts`): the signals pipeline's own
/// names, else the type made readable, with the product when it is not the pipeline's.
pub fn task_run_type(product: Option<&str>, kind: &str) -> String {
    let product = product.map(str::trim).filter(|p| !p.is_empty());
    match (product, kind.trim()) {
        (Some("signals") | None, "research") => "Research".into(),
        (Some("signals") | None, "implementation") => "Implementation".into(),
        (Some("signals") | None, "repo_selection") => "Repo selection".into(),
        (Some("signals") | None, "scout") => "Scout".into(),
        (_, other) => humanize(other),
    }
}

/// A machine word in running text: `addressing_review` → `addressing review`; anything that
/// is not a machine code is shown as written.
pub fn words(value: &str) -> String {
    if is_code(value) {
        value.trim().replace('_', " ")
    } else {
        value.to_string()
    }
}

/// A value that may be a machine code (`addressing_review` → `Addressing review`) or text
/// (shown as written).
pub fn code_or_text(value: &str) -> String {
    if is_code(value) {
        humanize(value.trim())
    } else {
        value.to_string()
    }
}

/// Whether `text` is a bare machine code (`revision_limit`, `taken_over`, `coding`) rather
/// than prose or a name: one lowercase word of letters, digits and underscores that starts
/// with a letter.
pub fn is_code(text: &str) -> bool {
    let t = text.trim();
    t.starts_with(|c: char| c.is_ascii_lowercase())
        && t.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A reason that may be a machine code (`revision_limit`) or a sentence: the code's label, or
/// the sentence as written.
pub fn reason(text: &str) -> Option<String> {
    is_code(text).then(|| blocked_reason(text))
}

/// Short text of a reviewer's or commit's reason, shown inline: Markdown-ish code spans
/// (`` `flags/cache.py` ``) lose their backticks, so the reason reads the same in HTML and
/// Markdown and never shows a literal backtick.
pub fn plain(text: &str) -> String {
    let text = text.trim();
    if !text.contains('`') {
        return text.to_string();
    }
    text.replace('`', "")
}

/// A signal named in a finding: its title, description or source when the content has one,
/// else `Signal` and the first eight characters of its id.
pub fn signal(finding: &crate::model::artefact::SignalFinding) -> String {
    let named = [&finding.title, &finding.description, &finding.source]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .find(|s| !s.is_empty());
    match named {
        Some(name) if name.chars().count() > 80 => {
            let cut: String = name.chars().take(79).collect();
            format!("{}…", cut.trim_end())
        }
        Some(name) => name.to_string(),
        None => {
            let id = finding.signal_id.trim();
            match uuid::Uuid::parse_str(id) {
                Ok(_) => format!("Signal {}", &id[..8]),
                Err(_) => format!("Signal {id}"),
            }
        }
    }
}

/// A PostHog user named only by their numeric id (`user_id` of a dismissal) when their row is
/// not in the database.
pub fn user_by_id(id: i64) -> String {
    format!("a PostHog user (id {id})")
}

/// The links at the foot of a report page to the reports created just before and after it.
pub const OLDER: &str = "Older";
pub const NEWER: &str = "Newer";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posthogs_words_and_readable_fallbacks() {
        assert_eq!(report_status("in_progress"), "Researching");
        assert_eq!(report_status("pending_input"), "Needs input");
        assert_eq!(report_status("brand_new"), "Brand new");
        assert_eq!(actionability("immediately_actionable"), "Actionable");
        assert_eq!(
            decision(true, Some("revision_limit")),
            "Replacement limit reached"
        );
        assert_eq!(decision(false, None), "Still the right fix");
        assert_eq!(check_outcome("passed"), "Still holds");
        assert_eq!(
            task_run_type(Some("signals"), "repo_selection"),
            "Repo selection"
        );
        assert_eq!(task_run_type(Some("tasks"), "agent_run"), "Agent run");
        assert_eq!(words("addressing_review"), "addressing review");
        assert_eq!(
            reason("revision_limit").as_deref(),
            Some("Replacement limit reached")
        );
        assert_eq!(reason("Waiting for the lease."), None);
        assert_eq!(code_or_text("coding"), "Coding");
        assert_eq!(code_or_text("zqSTAGE"), "zqSTAGE");
        assert_eq!(
            plain("Wrote `flags/cache.py` last"),
            "Wrote flags/cache.py last"
        );
    }
}
