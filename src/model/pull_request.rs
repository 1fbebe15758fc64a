//! A report's pull requests, gathered as PostHog gathers them
//! (`fetch_implementation_prs_for_reports` in `products/signals/backend/implementation_pr.py`):
//! first the PRs linked by `pull_request` entries (with the state of their
//! `signals_signalreportpullrequest` row), then the legacy assignment's `pr_url`, then the PRs
//! in the output of the report's PR-bearing task runs. One PR per identity — the lower-cased
//! repository and the number parsed from its GitHub URL — and the first source wins.
//!
//! Where this differs from PostHog, on purpose, for an audit tool: a URL that is not a GitHub
//! pull request is kept (under its own text) instead of dropped, and a `pull_request` entry
//! without a linked row (written before that table existed) still counts, its state unknown.

use std::collections::BTreeSet;

use uuid::Uuid;

use super::artefact::{Artefact, Content};
use super::record::{AssignmentRecord, PullRequestRecord};
use super::task::{Association, Task};
use super::time::Timestamp;

/// A pull request's state (`SignalReportPullRequest.State`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrState {
    Open,
    Draft,
    Unknown,
    Merged,
    Closed,
}

impl PrState {
    pub fn parse(raw: Option<&str>) -> PrState {
        match raw.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("open") => PrState::Open,
            Some("draft") => PrState::Draft,
            Some("merged") => PrState::Merged,
            Some("closed") => PrState::Closed,
            _ => PrState::Unknown,
        }
    }

    /// PostHog's label (`ArtefactPullRequest.tsx`).
    /// A label read back (from the build cache): one of [`PrState::label`]'s, or an error.
    pub fn deserialize_label<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<&'static str, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(deserializer)?;
        PrState::from_label(&text)
            .map(PrState::label)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown PR state {text:?}")))
    }

    /// The state whose [`PrState::label`] is `label`.
    pub fn from_label(label: &str) -> Option<PrState> {
        [
            PrState::Open,
            PrState::Draft,
            PrState::Unknown,
            PrState::Merged,
            PrState::Closed,
        ]
        .into_iter()
        .find(|state| state.label() == label)
    }

    pub fn label(self) -> &'static str {
        match self {
            PrState::Open => "Open",
            PrState::Draft => "Draft",
            PrState::Unknown => "Status unavailable",
            PrState::Merged => "Merged",
            PrState::Closed => "Closed",
        }
    }
}

/// Where a PR was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrSource {
    /// A `pull_request` entry.
    Entry,
    /// The legacy `signals_signalreportassignment` row.
    Assignment,
    /// A task run's `output.pr_url` / `output.pr_urls`.
    TaskRun,
}

impl PrSource {
    pub fn label(self) -> &'static str {
        match self {
            PrSource::Entry => "linked by an entry",
            PrSource::Assignment => "from the assignment row",
            PrSource::TaskRun => "from a task run's output",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PullRequest {
    pub url: String,
    /// `owner/repo#42`, or the URL when it is not a GitHub pull request URL.
    pub reference: String,
    pub number: Option<u64>,
    pub state: PrState,
    pub merged_at: Option<Timestamp>,
    /// When PostHog last checked the state on GitHub.
    pub checked_at: Option<Timestamp>,
    /// The task that opened it (or attached it).
    pub task: Option<Uuid>,
    /// The entry that linked it.
    pub entry: Option<Uuid>,
    pub source: PrSource,
    /// `#42` for a PR that a completed handover replaced by another ("PR #42 replaced #41").
    pub replaced_by: Option<String>,
}

/// How a pull request is named on pages: `owner/repo#42`, or the URL when it is not a GitHub
/// pull request URL.
pub fn reference(url: &str) -> String {
    match parse_url(url) {
        Some((repo, n)) => format!("{repo}#{n}"),
        None => url.trim().to_string(),
    }
}

/// `https://github.com/OWNER/REPO/pull/N[/…]`: (`owner/repo`, N), as PostHog's
/// `parse_pull_request_url` accepts (leading zeros tolerated).
pub fn parse_url(url: &str) -> Option<(String, u64)> {
    let rest = url.trim();
    let rest = rest
        .strip_prefix("https://")
        .or_else(|| rest.strip_prefix("http://"))?;
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let rest = rest.strip_prefix("github.com/")?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let mut parts = rest.split('/');
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let repo = parts.next().filter(|s| !s.is_empty())?;
    if parts.next() != Some("pull") {
        return None;
    }
    let number = parts.next()?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u64 = number.trim_start_matches('0').parse().ok().or(Some(0))?;
    Some((format!("{owner}/{repo}"), number))
}

/// What makes two PR URLs one PR: the lower-cased repository and the number, or, for a URL that
/// is not a GitHub PR, the URL itself.
pub fn identity(url: &str) -> String {
    match parse_url(url) {
        Some((repo, n)) => format!("{}#{n}", repo.to_lowercase()),
        None => url.trim().to_string(),
    }
}

impl PullRequest {
    /// Whether `url` names this pull request.
    pub fn is(&self, url: &str) -> bool {
        identity(&self.url) == identity(url)
    }
}

/// `#41` of a PR URL (PostHog's `prReference` says `PR #41`).
pub fn number_of(url: &str) -> Option<u64> {
    parse_url(url).map(|(_, n)| n)
}

/// PostHog's run types that never carry a PR (`NON_PR_BEARING_TASK_RUN_TYPES`), and the
/// `scout:` family.
pub fn is_pr_bearing(product: Option<&str>, run_type: Option<&str>) -> bool {
    let Some(run_type) = run_type else {
        return false;
    };
    product == Some("signals")
        && !matches!(run_type, "research" | "repo_selection" | "scout")
        && !run_type.starts_with("scout:")
}

struct Gather {
    prs: Vec<PullRequest>,
    seen: BTreeSet<String>,
}

impl Gather {
    fn add(&mut self, url: &str, source: PrSource, fill: impl FnOnce(&mut PullRequest)) {
        let url = url.trim();
        if url.is_empty() {
            return;
        }
        let (reference, number) = (reference(url), parse_url(url).map(|(_, n)| n));
        if !self.seen.insert(identity(url)) {
            return;
        }
        let mut pr = PullRequest {
            url: url.to_string(),
            reference,
            number,
            state: PrState::Unknown,
            merged_at: None,
            checked_at: None,
            task: None,
            entry: None,
            source,
            replaced_by: None,
        };
        fill(&mut pr);
        self.prs.push(pr);
    }
}

fn parse_uuid(raw: Option<&str>) -> Option<Uuid> {
    Uuid::parse_str(raw?.trim()).ok()
}

fn time(raw: Option<&str>) -> Option<Timestamp> {
    raw.and_then(Timestamp::parse)
}

/// The report's pull requests, in PostHog's order of precedence for a "primary" PR: open,
/// draft and unknown first, then merged, then closed; ties on the lower-cased URL.
pub fn gather(
    log: &[Artefact],
    rows: &[PullRequestRecord],
    assignment: Option<&AssignmentRecord>,
    associations: &[Association],
    tasks: &std::collections::BTreeMap<Uuid, Task>,
) -> Vec<PullRequest> {
    let mut out = Gather {
        prs: Vec::new(),
        seen: BTreeSet::new(),
    };
    // 1. `pull_request` entries, oldest first, with their linked row when there is one.
    for a in log {
        let Content::PullRequest(link) = &a.content else {
            continue;
        };
        let row = a
            .pull_request_id
            .as_deref()
            .and_then(|id| rows.iter().find(|r| r.id.trim() == id.trim()));
        let url = row
            .and_then(|r| r.url.as_deref())
            .filter(|u| !u.trim().is_empty())
            .unwrap_or(&link.url);
        out.add(url, PrSource::Entry, |pr| {
            pr.entry = Some(a.id);
            pr.task = match &a.actor {
                super::Actor::Task(t) => Some(t.id),
                _ => None,
            };
            if let Some(row) = row {
                pr.state = PrState::parse(row.state.as_deref());
                pr.merged_at = time(row.merged_at.as_deref());
                pr.checked_at = time(row.checked_at.as_deref());
            }
        });
    }
    // 2. The legacy assignment's PR.
    if let Some(assignment) = assignment
        && let Some(url) = assignment.pr_url.as_deref()
    {
        out.add(url, PrSource::Assignment, |pr| {
            pr.state = if assignment.pr_merged == Some(true) {
                PrState::Merged
            } else {
                PrState::parse(assignment.pr_state.as_deref())
            };
            pr.task = parse_uuid(assignment.actor_task_id.as_deref());
        });
    }
    // 3. The outputs of PR-bearing task runs, task by task in id order.
    let mut task_ids: BTreeSet<Uuid> = associations
        .iter()
        .filter(|a| is_pr_bearing(a.product.as_deref(), a.relationship.as_deref()))
        .map(|a| a.task_id)
        .collect();
    task_ids.extend(assignment.and_then(|a| parse_uuid(a.actor_task_id.as_deref())));
    for id in task_ids {
        let Some(task) = tasks.get(&id) else { continue };
        for run in &task.runs {
            for url in &run.pr_urls {
                out.add(url, PrSource::TaskRun, |pr| pr.task = Some(id));
            }
        }
    }
    // "PR #42 replaced #41": a completed handover with one replacement and one closed PR.
    for a in log {
        let Content::ImplementationHandover(h) = &a.content else {
            continue;
        };
        if let Some((old, new)) = replacement(h) {
            let new_ref = number_of(new).map(|n| format!("#{n}"));
            for pr in out.prs.iter_mut().filter(|pr| pr.is(old)) {
                pr.replaced_by = new_ref.clone();
            }
        }
    }
    let mut prs = out.prs;
    prs.sort_by(|a, b| {
        (state_rank(a.state), a.url.to_lowercase())
            .cmp(&(state_rank(b.state), b.url.to_lowercase()))
    });
    prs
}

/// PostHog's `primary_pull_request` order: `{"merged": 1, "closed": 2}.get(state, 0)`.
fn state_rank(state: PrState) -> u8 {
    match state {
        PrState::Merged => 1,
        PrState::Closed => 2,
        _ => 0,
    }
}

/// The (previous, replacement) URLs of a handover PostHog titles "PR #42 replaced #41": status
/// `completed`, one replacement URL, one result that is not `skipped`, both in one repository.
pub fn replacement(h: &super::artefact::ImplementationHandover) -> Option<(&str, &str)> {
    if h.status != "completed" || h.replacement_pr_urls.len() != 1 || h.results.len() != 1 {
        return None;
    }
    let (old, result) = h.results.iter().next()?;
    if result == "skipped" {
        return None;
    }
    let new = h.replacement_pr_urls[0].as_str();
    let (old_repo, _) = parse_url(old)?;
    let (new_repo, _) = parse_url(new)?;
    (old_repo.eq_ignore_ascii_case(&new_repo)).then_some((old.as_str(), new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_urls_parse_as_posthog_parses_them() {
        assert_eq!(
            parse_url("https://github.com/PostHog/posthog/pull/041/files"),
            Some(("PostHog/posthog".into(), 41))
        );
        assert_eq!(
            parse_url("https://github.com/posthog/posthog/pull/7?x#y"),
            Some(("posthog/posthog".into(), 7))
        );
        assert_eq!(
            parse_url("https://github.com/posthog/posthog/issues/7"),
            None
        );
        assert_eq!(
            parse_url("https://example.com/posthog/posthog/pull/7"),
            None
        );
        assert_eq!(parse_url("javascript:alert(1)"), None);
    }

    #[test]
    fn one_pr_however_its_url_is_spelled() {
        assert_eq!(
            identity("https://github.com/PostHog/PostHog/pull/041"),
            identity("https://www.github.com/posthog/posthog/pull/41/files")
        );
        assert_ne!(
            identity("https://github.com/posthog/posthog/pull/41"),
            identity("https://github.com/posthog/posthog-js/pull/41")
        );
        assert_eq!(identity(" javascript:x "), "javascript:x");
    }

    #[test]
    fn run_types() {
        assert!(is_pr_bearing(Some("signals"), Some("implementation")));
        assert!(is_pr_bearing(Some("signals"), Some("discussion")));
        assert!(!is_pr_bearing(Some("signals"), Some("research")));
        assert!(!is_pr_bearing(Some("signals"), Some("scout:daily")));
        assert!(!is_pr_bearing(Some("tasks"), Some("agent_run")));
        assert!(!is_pr_bearing(None, None));
    }
}
