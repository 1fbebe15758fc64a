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

/// PostHog's `DISMISS_REASON_LABELS`, else the reason made readable.
pub fn dismissal_reason(reason: Option<&str>) -> String {
    match reason.map(str::trim) {
        Some("slack_dismiss") => "Dismissed from Slack".into(),
        Some(r) if !r.is_empty() => humanize(r),
        _ => "No reason given".into(),
    }
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
