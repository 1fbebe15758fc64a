//! What each artefact shows, independent of the output format: a list of [`Block`]s made of
//! [`Inline`]s. The HTML and Markdown renderers turn the same view into their own markup, so
//! both outputs always show the same facts.

use uuid::Uuid;

use super::classify::Tone;
use super::labels;
use super::links;
use crate::model::artefact::{self, humanize};
use crate::model::{Artefact, Content, Origin, Report, Timestamp};

#[derive(Clone, Debug, PartialEq)]
pub enum Inline {
    Text(String),
    Code(String),
    /// An external URL from the database; the renderer links it only when it is safe.
    Url {
        text: String,
        url: String,
    },
    /// A report, linked when it is in this archive.
    Report(String),
    /// A task: links to its page.
    Task {
        id: Uuid,
        title: String,
    },
    /// An entry of the same report (`#a-<uuid>`).
    Entry {
        id: Uuid,
        text: String,
    },
    /// A person of `posthog_user`: links to their page (`path`, root-relative).
    Person {
        name: String,
        path: String,
    },
    Badge(String),
    /// A state coloured by its meaning (the text still says it).
    Toned(Tone, String),
    /// Several inlines, comma separated.
    List(Vec<Inline>),
}

impl Inline {
    pub fn text(s: impl Into<String>) -> Inline {
        Inline::Text(s.into())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// Label/value pairs.
    Fields(Vec<(String, Inline)>),
    /// Untrusted Markdown (notes, explanations).
    Markdown(String),
    /// A plain paragraph.
    Paragraph(Inline),
    /// Source code: `start_line` numbers the first line; `link` is the file on GitHub.
    Code {
        path: Option<String>,
        start_line: i64,
        text: String,
        link: Option<String>,
    },
    /// A unified diff; `link` is the commit on GitHub.
    Diff { text: String, link: Option<String> },
    /// A commit whose diff is not stored (nor found in a local clone).
    NoDiff {
        link: Option<String>,
        reason: Option<String>,
    },
    /// Before and after of a changed text.
    Change {
        before: Option<String>,
        after: String,
    },
    /// A list of items (reviewers, targets…).
    Items(Vec<Inline>),
    /// Content kept as stored (degraded rows): shown verbatim, never interpreted.
    Raw(String),
}

fn opt_field(fields: &mut Vec<(String, Inline)>, label: &str, value: &Option<String>) {
    if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        fields.push((label.to_string(), Inline::text(v)));
    }
}

fn code_field(fields: &mut Vec<(String, Inline)>, label: &str, value: &Option<String>) {
    if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        fields.push((label.to_string(), Inline::Code(v.to_string())));
    }
}

/// A stored time (`next_retry_at`, `lease_until`, …) in the pages' one time format; text that is
/// not a time is shown as written.
fn time_field(fields: &mut Vec<(String, Inline)>, label: &str, value: &Option<String>) {
    opt_field(fields, label, &value.as_deref().map(Timestamp::humanize));
}

/// A link field: `text` names the link (a URL is never its own text), or the URL when the
/// caller has no better name for it.
fn url_field(
    fields: &mut Vec<(String, Inline)>,
    label: &str,
    value: &Option<String>,
    text: impl Fn(&str) -> String,
) {
    if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        // A URL that will not be linked is shown as written: its name alone would hide it.
        let text = if super::text::is_web_url(v) {
            text(v)
        } else {
            v.to_string()
        };
        fields.push((
            label.to_string(),
            Inline::Url {
                text,
                url: v.to_string(),
            },
        ));
    }
}

/// A PR's link text: `owner/repo#42` as the report knows it, `PR #42` from its URL, else the
/// URL (a link that is not a GitHub pull request has no shorter name).
fn pr_text(report: &Report, url: &str) -> String {
    let url = url.trim();
    match report.pull_requests.iter().find(|pr| pr.is(url)) {
        Some(pr) if pr.number.is_some() => pr.reference.clone(),
        _ => match crate::model::pull_request::number_of(url) {
            Some(n) => format!("PR #{n}"),
            None => url.to_string(),
        },
    }
}

fn markdown(blocks: &mut Vec<Block>, value: &Option<String>) {
    if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
        blocks.push(Block::Markdown(v.to_string()));
    }
}

fn fields(blocks: &mut Vec<Block>, fields: Vec<(String, Inline)>) {
    if !fields.is_empty() {
        blocks.push(Block::Fields(fields));
    }
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// `$1,250.50`; whole amounts without cents (`$1,250`).
fn dollars(value: f64) -> String {
    if !value.is_finite() || value.abs() >= 1e15 {
        return format!("${}", number(value));
    }
    let cents = (value.abs() * 100.0).round() as u64;
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if value < 0.0 && cents > 0 { "-" } else { "" };
    match cents % 100 {
        0 => format!("{sign}${grouped}"),
        c => format!("{sign}${grouped}.{c:02}"),
    }
}

/// The GitHub URL of a commit, when the repository looks like `owner/repo`.
pub fn github_commit_url(repository: &str, sha: &str) -> Option<String> {
    let repo = github_repo(repository)?;
    let sha = sha.trim();
    sha.chars()
        .all(|c| c.is_ascii_hexdigit())
        .then(|| format!("https://github.com/{repo}/commit/{sha}"))
        .filter(|_| !sha.is_empty())
}

/// The GitHub URL of `path` at `lines` in `repository` (on its default branch), when the
/// repository looks like `owner/repo` and the path is a relative one.
pub fn github_blob_url(repository: &str, path: &str, lines: (i64, i64)) -> Option<String> {
    let repo = github_repo(repository)?;
    let path = path.trim().trim_start_matches("./");
    if path.is_empty() || path.starts_with('/') || path.split('/').any(|p| p == "..") {
        return None;
    }
    let mut encoded = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let anchor = match lines {
        (start, end) if end > start => format!("#L{start}-L{end}"),
        (start, _) => format!("#L{start}"),
    };
    Some(format!(
        "https://github.com/{repo}/blob/HEAD/{encoded}{anchor}"
    ))
}

/// A code reference's line range as it declares it (`start_line`–`end_line`), falling back to
/// the lines of its contents when the declared range is impossible.
fn declared_span(c: &artefact::CodeReference) -> (i64, i64) {
    if c.end_line >= c.start_line && c.start_line >= 1 {
        (c.start_line, c.end_line)
    } else {
        line_span(&c.contents, c.start_line)
    }
}

fn line_span(text: &str, start: i64) -> (i64, i64) {
    let lines = text.strip_suffix('\n').unwrap_or(text).split('\n').count() as i64;
    (start, start.saturating_add(lines - 1))
}

/// `owner/repo` when it is one (letters, digits, `-_.` in two parts).
pub fn github_repo(repository: &str) -> Option<&str> {
    let repo = repository.trim();
    let mut parts = repo.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p != "."
                && p != ".."
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
    };
    (ok(parts.next()) && ok(parts.next()) && parts.next().is_none()).then_some(repo)
}

/// The blocks of one artefact.
pub fn blocks(artefact: &Artefact, report: &Report) -> Vec<Block> {
    let mut out = Vec::new();
    match &artefact.content {
        Content::SafetyJudgment(j) => {
            let verdict = if j.choice { "Safe to act on" } else { "Unsafe" };
            out.push(Block::Paragraph(Inline::Toned(
                Tone::safety(j.choice),
                verdict.into(),
            )));
            markdown(&mut out, &j.explanation);
        }
        Content::ActionabilityJudgment(j) => {
            let mut badges = vec![Inline::Toned(
                Tone::actionability(&j.actionability),
                labels::actionability(&j.actionability),
            )];
            if j.already_addressed == Some(true) {
                badges.push(Inline::Badge("Already addressed".into()));
            }
            out.push(Block::Paragraph(Inline::List(badges)));
            markdown(&mut out, &j.explanation);
        }
        Content::PriorityJudgment(j) => {
            out.push(Block::Paragraph(Inline::Toned(
                Tone::priority(&j.priority),
                j.priority.clone(),
            )));
            let mut f = Vec::new();
            if let Some(v) = j.dollar_value {
                f.push(("Dollar value".into(), Inline::text(dollars(v))));
            }
            fields(&mut out, f);
            markdown(&mut out, &j.explanation);
        }
        Content::RepoSelection(r) => {
            let repo = r.repository.clone().unwrap_or_else(|| "none".into());
            let mut f = vec![("Repository".into(), Inline::Code(repo))];
            if let Some(auto) = r.autostart_eligible {
                f.push(("Autostart eligible".into(), Inline::text(yes_no(auto))));
            }
            if let Some(task) = r.task_id.as_deref().filter(|t| !t.trim().is_empty()) {
                f.push(("Task".into(), task_ref(report, task)));
            }
            fields(&mut out, f);
            markdown(&mut out, &Some(r.reason.clone()));
        }
        Content::SuggestedReviewers(list) => {
            out.push(Block::Items(
                list.iter().map(|r| reviewer(r, report)).collect(),
            ));
        }
        Content::ChannelAssignment(c) => fields(
            &mut out,
            vec![(
                "Channel".into(),
                Inline::Code(c.channel_id.clone().unwrap_or_else(|| "none".into())),
            )],
        ),
        Content::ImplementationDecision(d) => decision(&mut out, d, report),
        Content::ImplementationDispatch(d) => {
            let mut f = vec![("Decision".into(), entry_or_code(report, &d.decision_id))];
            opt_field(&mut f, "Status", &d.status.as_deref().map(humanize));
            if let Some(a) = d.attempt {
                f.push(("Attempt".into(), Inline::text(a.to_string())));
            }
            opt_field(&mut f, "Skill", &d.source_skill);
            time_field(&mut f, "Next retry", &d.next_retry_at);
            time_field(&mut f, "Lease until", &d.lease_until);
            fields(&mut out, f);
            reason(&mut out, &d.reason);
        }
        Content::SignalFinding(s) => {
            let verified = if s.verified { "Verified" } else { "Unverified" };
            let mut f = vec![
                ("Signal".into(), signal(s)),
                (
                    "Finding".into(),
                    Inline::Toned(Tone::verified(s.verified), verified.into()),
                ),
            ];
            opt_field(&mut f, "Data queried", &s.data_queried);
            if !s.relevant_code_paths.is_empty() {
                f.push((
                    "Code paths".into(),
                    Inline::List(
                        s.relevant_code_paths
                            .iter()
                            .cloned()
                            .map(Inline::Code)
                            .collect(),
                    ),
                ));
            }
            fields(&mut out, f);
            if !s.relevant_commit_hashes.is_empty() {
                out.push(Block::Items(
                    s.relevant_commit_hashes
                        .iter()
                        .map(|(sha, why)| {
                            Inline::List(vec![
                                Inline::Code(sha.clone()),
                                Inline::text(labels::plain(why)),
                            ])
                        })
                        .collect(),
                ));
            }
        }
        Content::Dismissal(d) => {
            out.push(Block::Paragraph(Inline::Badge(labels::dismissal_reason(
                d.reason.as_deref(),
            ))));
            let mut f = Vec::new();
            code_field(&mut f, "Selected repository", &d.selected_repository);
            code_field(&mut f, "Corrected repository", &d.corrected_repository);
            let by = d
                .user_uuid
                .as_deref()
                .and_then(|u| person(report, u))
                .or_else(|| d.user_id.map(|id| person_by_id(report, id)));
            if let Some(p) = by {
                f.push(("Dismissed by".into(), p));
            }
            code_field(&mut f, "Slack user", &d.slack_user_id);
            fields(&mut out, f);
            markdown(&mut out, &d.note);
        }
        Content::CodeReference(c) => {
            markdown(&mut out, &c.relevance_note);
            out.push(Block::Code {
                link: report
                    .repository()
                    .and_then(|repo| github_blob_url(repo, &c.file_path, declared_span(c))),
                path: Some(c.file_path.clone()),
                start_line: c.start_line,
                text: c.contents.clone(),
            });
        }
        Content::Commit(c) => {
            let mut f = vec![("Message".into(), Inline::text(c.message.clone()))];
            let sha = Inline::Code(c.commit_sha.chars().take(12).collect());
            f.push((
                "Commit".into(),
                match github_commit_url(&c.repository, &c.commit_sha) {
                    Some(url) => Inline::Url {
                        text: c.commit_sha.chars().take(12).collect(),
                        url,
                    },
                    None => sha,
                },
            ));
            f.push((
                "Branch".into(),
                Inline::Code(format!("{}@{}", c.repository, c.branch)),
            ));
            fields(&mut out, f);
            markdown(&mut out, &c.note);
            let link = github_commit_url(&c.repository, &c.commit_sha);
            match (&c.diff, report.local_diffs.get(&artefact.id)) {
                (Some(diff), _) if !diff.trim().is_empty() => out.push(Block::Diff {
                    text: diff.clone(),
                    link,
                }),
                (_, Some(Ok(diff))) => out.push(Block::Diff {
                    text: diff.clone(),
                    link,
                }),
                (_, Some(Err(reason))) => out.push(Block::NoDiff {
                    link,
                    reason: Some(reason.clone()),
                }),
                (_, None) => out.push(Block::NoDiff { link, reason: None }),
            }
        }
        Content::TaskRun(t) => {
            let mut f = Vec::new();
            let task_id = Uuid::parse_str(t.task_id.trim()).ok();
            let task = task_id.and_then(|id| report.tasks.get(&id));
            f.push(("Task".into(), task_ref(report, &t.task_id)));
            let kind = match (&t.run_type, &t.relationship) {
                (Some(kind), _) => Some(labels::task_run_type(t.product.as_deref(), kind)),
                (None, Some(relationship)) => Some(humanize(relationship)),
                (None, None) => None,
            };
            opt_field(&mut f, "Kind", &kind);
            opt_field(&mut f, "Product", &t.product);
            code_field(&mut f, "Branch", &t.automation_branch);
            if let Some(task) = task {
                code_field(&mut f, "Repository", &task.repository);
                let run = t
                    .run_id
                    .as_deref()
                    .and_then(|id| task.runs.iter().find(|r| r.id == id.trim()))
                    .or(task.runs.last());
                if let Some(run) = run {
                    let status = run.status.as_deref().map(humanize).unwrap_or_default();
                    let stage = run
                        .stage
                        .as_deref()
                        .map(|s| format!(" ({})", labels::words(s)))
                        .unwrap_or_default();
                    let tone = Tone::run(run.status.as_deref().unwrap_or_default());
                    f.push((
                        "Run status".into(),
                        Inline::Toned(tone, format!("{status}{stage}")),
                    ));
                    if !run.pr_urls.is_empty() {
                        f.push((
                            "Pull request".into(),
                            Inline::List(
                                run.pr_urls.iter().map(|u| pr_inline(report, u)).collect(),
                            ),
                        ));
                    }
                }
            } else {
                code_field(&mut f, "Task id", &Some(t.task_id.clone()));
            }
            if artefact.origin == Origin::LegacyLink {
                f.push((
                    "Recorded by".into(),
                    Inline::List(vec![
                        Inline::text("a legacy task link row"),
                        Inline::Code("signals_signalreporttask".into()),
                    ]),
                ));
            }
            fields(&mut out, f);
        }
        Content::Note(n) => {
            out.push(Block::Markdown(n.note.clone()));
            if let Some(author) = n.author.as_deref().filter(|a| !a.trim().is_empty()) {
                out.push(Block::Paragraph(Inline::text(format!("— {author}"))));
            }
        }
        Content::TitleChange(t) => out.push(Block::Change {
            before: t.old_title.clone(),
            after: t.new_title.clone(),
        }),
        Content::SummaryChange(s) => out.push(Block::Change {
            before: s.old_summary.clone(),
            after: s.new_summary.clone(),
        }),
        Content::CodeReview(r) => {
            let mut f = vec![(
                "Review report".into(),
                Inline::Report(r.review_report_id.clone()),
            )];
            opt_field(
                &mut f,
                "Outcome",
                &r.outcome.as_deref().map(labels::code_review_outcome),
            );
            code_field(&mut f, "Repository", &r.repository);
            if let (Some(head), Some(base)) = (&r.head_branch, &r.base_branch) {
                f.push(("Branches".into(), Inline::Code(format!("{head} → {base}"))));
            }
            code_field(&mut f, "Head", &r.head_sha);
            if let Some(n) = r.pr_number {
                f.push(("PR number".into(), Inline::text(format!("#{n}"))));
            }
            url_field(&mut f, "Pull request", &r.pr_url, |u| pr_text(report, u));
            url_field(&mut f, "Review", &r.review_url, |_| "View review".into());
            if let Some(c) = &r.counts {
                f.push((
                    "Findings".into(),
                    Inline::text(format!(
                        "{} must fix, {} should fix, {} to consider",
                        c.must_fix, c.should_fix, c.consider
                    )),
                ));
            }
            fields(&mut out, f);
        }
        Content::RelatedTo(r) => fields(
            &mut out,
            vec![("Related to".into(), Inline::Report(r.report_id.clone()))],
        ),
        Content::ReportLink(l) => {
            fields(
                &mut out,
                vec![(
                    labels::report_link_kind(&l.kind),
                    Inline::Report(l.report_id.clone()),
                )],
            );
            markdown(&mut out, &l.reason);
        }
        Content::WorkClaim(c) => {
            let mut f = Vec::new();
            opt_field(&mut f, "Claimed by", &c.display_name);
            fields(&mut out, f);
        }
        Content::WorkRelease(r) => {
            let mut f = Vec::new();
            opt_field(
                &mut f,
                "Reason",
                &r.reason.as_deref().map(labels::work_release_reason),
            );
            fields(&mut out, f);
        }
        Content::PullRequest(p) => {
            let mut f = vec![(
                "Pull request".into(),
                Inline::Url {
                    text: pr_text(report, &p.url),
                    url: p.url.trim().to_string(),
                },
            )];
            let known = report
                .pull_requests
                .iter()
                .find(|pr| pr.entry == Some(artefact.id));
            if let Some(pr) = known {
                f.push((
                    "State".into(),
                    Inline::Toned(Tone::pr(pr.state), pr.state.label().into()),
                ));
                if let Some(t) = pr.merged_at {
                    f.push(("Merged".into(), Inline::text(t.display())));
                }
                if let Some(t) = pr.checked_at {
                    f.push(("State checked".into(), Inline::text(t.display())));
                }
            }
            fields(&mut out, f);
        }
        Content::CheckResult(c) => {
            out.push(Block::Paragraph(Inline::Toned(
                Tone::check(&c.outcome),
                labels::check_outcome(&c.outcome),
            )));
            let mut f = check_fields(&c.title, &c.kind, &c.check_id);
            if let Some(v) = c.observed_value {
                f.push(("Observed".into(), Inline::text(number(v))));
            }
            if let Some(v) = c.baseline_value {
                f.push(("Baseline".into(), Inline::text(number(v))));
            }
            opt_field(&mut f, "Threshold", &c.threshold);
            code_field(&mut f, "Run", &c.run_id);
            fields(&mut out, f);
            markdown(&mut out, &c.explanation);
        }
        Content::CheckScheduled(c) => {
            let mut f = check_fields(&c.title, &c.kind, &c.check_id);
            time_field(&mut f, "Next run", &c.next_run_at);
            if let Some(v) = c.arms_on_resolve {
                f.push(("Arms on resolve".into(), Inline::text(yes_no(v))));
            }
            if let Some(v) = c.soak_minutes {
                f.push(("Soak".into(), Inline::text(format!("{v} minutes"))));
            }
            if let Some(v) = c.runs {
                f.push(("Runs".into(), Inline::text(v.to_string())));
            }
            opt_field(&mut f, "Skill", &c.skill_name);
            fields(&mut out, f);
            markdown(&mut out, &c.rationale);
        }
        Content::CheckExpired(c) => {
            let mut f = check_fields(&c.title, &c.kind, &c.check_id);
            time_field(&mut f, "Expired at", &c.expired_at);
            if let Some(v) = c.never_ran {
                f.push(("Never ran".into(), Inline::text(yes_no(v))));
            }
            time_field(&mut f, "Last run", &c.last_run_at);
            fields(&mut out, f);
        }
        Content::CheckCancelled(c) => {
            let mut f = check_fields(&c.title, &c.kind, &c.check_id);
            opt_field(
                &mut f,
                "Reason",
                &c.reason.as_deref().map(labels::cancel_reason),
            );
            fields(&mut out, f);
        }
        Content::ImplementationReplacement(r) => {
            let mut f = vec![("Decision".into(), entry_or_code(report, &r.decision_id))];
            code_field(&mut f, "Run", &r.run_id);
            fields(&mut out, f);
            if let Some(d) = &r.decision {
                decision(&mut out, d, report);
            }
        }
        Content::ImplementationHandover(h) => {
            let mut f = vec![
                (
                    "Replacement".into(),
                    entry_or_code(report, &h.replacement_id),
                ),
                ("Status".into(), Inline::Badge(humanize(&h.status))),
            ];
            if let Some(a) = h.attempt {
                f.push(("Attempt".into(), Inline::text(a.to_string())));
            }
            time_field(&mut f, "Lease until", &h.lease_until);
            fields(&mut out, f);
            let mut items: Vec<Inline> = h
                .replacement_pr_urls
                .iter()
                .map(|url| {
                    Inline::List(vec![Inline::text("Replacement PR"), pr_inline(report, url)])
                })
                .collect();
            items.extend(h.results.iter().map(|(url, result)| {
                Inline::List(vec![
                    Inline::text("Previous PR"),
                    pr_inline(report, url),
                    Inline::Badge(labels::handover_result(result)),
                ])
            }));
            if !items.is_empty() {
                out.push(Block::Items(items));
            }
            markdown(&mut out, &h.explanation);
        }
        Content::VideoSegment(value) => generic(&mut out, value),
        Content::AutostartSkip(skip) => {
            let reason = skip
                .skip_reason
                .as_deref()
                .map(labels::autostart_reason)
                .unwrap_or_else(|| "No reason given".into());
            out.push(Block::Paragraph(Inline::Badge(reason)));
            if let Some(id) = skip
                .linked_report_id
                .as_deref()
                .filter(|r| !r.trim().is_empty())
            {
                fields(
                    &mut out,
                    vec![("Related report".into(), Inline::Report(id.to_string()))],
                );
            }
            markdown(&mut out, &skip.detail);
        }
        Content::RankingScore(score) => {
            let mut f = Vec::new();
            code_field(&mut f, "Served model", &score.served_key);
            time_field(&mut f, "Scored", &score.scored_at);
            if let Some(v) = &score.manifest_version {
                f.push(("Manifest version".into(), Inline::Code(json_text(v))));
            }
            fields(&mut out, f);
            out.push(Block::Items(
                score
                    .results
                    .iter()
                    .map(|(key, result)| ranking_result(key, result, score))
                    .collect(),
            ));
        }
        Content::ImpactMeasurementPlan(plan) => {
            let mut f = Vec::new();
            opt_field(&mut f, "Metric", &plan.title);
            code_field(&mut f, "Metric id", &plan.metric_id);
            opt_field(&mut f, "Kind", &plan.kind.as_deref().map(humanize));
            if let Some(goal) = plan.goal_value {
                let words = |s: &str| s.trim().replace(['_', '-'], " ");
                let direction = plan.goal_direction.as_deref().map(words);
                let grain = plan.goal_grain.as_deref().map(words);
                let text = [direction, Some(number(goal)), grain]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                f.push(("Goal".into(), Inline::text(text)));
            }
            if let Some(days) = plan.decision_window_days {
                f.push((
                    "Decision window".into(),
                    Inline::text(format!("{days} days")),
                ));
            }
            if let Some(active) = plan.activated {
                f.push(("Activated".into(), Inline::text(yes_no(active))));
            }
            if let Some(q) = &plan.query {
                f.push(("Query".into(), Inline::Code(json_text(q))));
            }
            fields(&mut out, f);
        }
        Content::CodeDiff(d) => {
            markdown(&mut out, &d.relevance_note);
            // The diff's own title names its file when it holds just that one (issue 14).
            if !super::code::names_only(&d.diff, &d.file_path) {
                fields(
                    &mut out,
                    vec![("File".into(), Inline::Code(d.file_path.clone()))],
                );
            }
            out.push(Block::Diff {
                text: d.diff.clone(),
                link: None,
            });
        }
        Content::LineReference(l) => {
            markdown(&mut out, &l.note);
            match &l.contents {
                Some(text) if !text.trim().is_empty() => out.push(Block::Code {
                    link: report.repository().and_then(|repo| {
                        github_blob_url(repo, &l.file_path, line_span(text, l.line))
                    }),
                    path: Some(l.file_path.clone()),
                    start_line: l.line,
                    text: text.clone(),
                }),
                _ => {
                    let text = format!("{}:{}", l.file_path, l.line);
                    let link = report
                        .repository()
                        .and_then(|repo| github_blob_url(repo, &l.file_path, (l.line, l.line)));
                    let value = match link {
                        Some(url) => Inline::Url { text, url },
                        None => Inline::Code(text),
                    };
                    fields(&mut out, vec![("Line".into(), value)])
                }
            }
        }
        Content::PushedBranch(b) => {
            let mut f = vec![
                ("Repository".into(), Inline::Code(b.repository.clone())),
                ("Branch".into(), Inline::Code(b.branch.clone())),
            ];
            code_field(&mut f, "Base", &b.base_branch);
            code_field(&mut f, "Head", &b.head_sha);
            fields(&mut out, f);
            markdown(&mut out, &b.note);
        }
        Content::Unknown(value) => match value {
            Some(value) => generic(&mut out, value),
            None => out.push(Block::Raw(artefact.raw.clone())),
        },
        Content::Malformed { .. } => out.push(Block::Raw(artefact.raw.clone())),
    }
    if let Some(claim) = &artefact.claim_id {
        fields(
            &mut out,
            vec![("Claim".into(), entry_or_code(report, claim))],
        );
    }
    out
}

/// A PR URL, linked, with its state when the report knows it.
fn pr_inline(report: &Report, url: &str) -> Inline {
    let link = Inline::Url {
        text: pr_text(report, url),
        url: url.trim().to_string(),
    };
    let known = report.pull_requests.iter().find(|pr| pr.is(url));
    match known {
        Some(pr) => Inline::List(vec![
            link,
            Inline::Toned(Tone::pr(pr.state), pr.state.label().into()),
        ]),
        None => link,
    }
}

/// A reason that may be a machine code (`revision_limit`: its label, as a paragraph) or prose
/// (Markdown).
fn reason(blocks: &mut Vec<Block>, value: &Option<String>) {
    match value.as_deref().and_then(labels::reason) {
        Some(label) => blocks.push(Block::Paragraph(Inline::text(label))),
        None => markdown(blocks, value),
    }
}

/// The signal of a finding: its name when the content gives one, with its id as code.
fn signal(s: &artefact::SignalFinding) -> Inline {
    let label = labels::signal(s);
    let id = Inline::Code(s.signal_id.clone());
    if label.starts_with("Signal ") && s.signal_id.trim().starts_with(&label[7..]) {
        id
    } else {
        Inline::List(vec![Inline::text(label), id])
    }
}

/// A PostHog user named by their numeric id: the person when their row was read, else
/// "a PostHog user (id 6)".
fn person_by_id(report: &Report, id: i64) -> Inline {
    match report.people.values().find(|p| p.id == id) {
        Some(p) => Inline::Person {
            name: p.display_name(),
            path: links::actor_path(&crate::model::Actor::User(p.clone())),
        },
        None => Inline::text(labels::user_by_id(id)),
    }
}

/// A person named by `user_uuid`, when their row was read.
fn person(report: &Report, raw: &str) -> Option<Inline> {
    let id = Uuid::parse_str(raw.trim()).ok()?;
    let p = report.people.get(&id)?;
    Some(Inline::Person {
        name: p.display_name(),
        path: links::actor_path(&crate::model::Actor::User(p.clone())),
    })
}

fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One ranking model's result: its key (marked when served), status, and the scores of its
/// heads with their lifts, highest lift first (as PostHog's `readRankingScore` orders them).
fn ranking_result(
    key: &str,
    result: &artefact::RankingResult,
    score: &artefact::RankingScore,
) -> Inline {
    let mut parts = vec![Inline::Code(key.to_string())];
    if score.served_key.as_deref() == Some(key) {
        parts.push(Inline::Badge("Served".into()));
    }
    if let Some(status) = &result.status {
        parts.push(Inline::Badge(humanize(status)));
    }
    if let Some(name) = &result.model_name {
        let version = result.model_version.as_ref().map(json_text);
        parts.push(Inline::text(match version {
            Some(v) => format!("{name}@{v}"),
            None => name.clone(),
        }));
    }
    if !result.roles.is_empty() {
        parts.push(Inline::text(format!("roles: {}", result.roles.join(", "))));
    }
    if let Some(why) = &result.skip_reason {
        parts.push(Inline::text(format!("skipped: {}", labels::words(why))));
    }
    let mut heads: Vec<(&String, Option<f64>, Option<f64>)> = result
        .scores
        .iter()
        .map(|(head, p)| (head, *p, result.lifts.get(head).copied().flatten()))
        .collect();
    heads.sort_by(|a, b| {
        let key = |h: &(&String, Option<f64>, Option<f64>)| {
            (h.2.unwrap_or(f64::MIN), h.1.unwrap_or(f64::MIN))
        };
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.0.cmp(b.0))
    });
    for (head, p, lift) in heads {
        let p = p.map(number).unwrap_or_else(|| "—".into());
        let head = labels::words(head);
        parts.push(Inline::text(match lift {
            Some(l) => format!("{head} {p} (lift {})", number(l)),
            None => format!("{head} {p}"),
        }));
    }
    Inline::List(parts)
}

/// The notice shown on a degraded entry, if it is one.
pub fn notice(artefact: &Artefact) -> Option<String> {
    match &artefact.content {
        Content::Malformed { error } => Some(format!(
            "This entry could not be read ({error}); its stored content is shown as it is."
        )),
        Content::Unknown(_) => Some(format!(
            "Unknown entry type {:?}: shown generically.",
            artefact.kind
        )),
        _ => None,
    }
}

/// A suggested reviewer: the person of `posthog_user` when `user_uuid` names one (linked to
/// their page; never shown as the uuid), else their GitHub name or login.
pub fn reviewer(r: &artefact::Reviewer, report: &Report) -> Inline {
    let mut parts = Vec::new();
    let known = r.user_uuid.as_deref().and_then(|u| person(report, u));
    let name = r
        .github_name
        .clone()
        .or_else(|| r.github_login.clone())
        .filter(|n| !n.trim().is_empty());
    match (known, name) {
        (Some(person), _) => parts.push(person),
        (None, Some(name)) => parts.push(Inline::text(name)),
        (None, None) if r.user_uuid.is_some() => {
            parts.push(Inline::text("a PostHog user not in this database"))
        }
        (None, None) => parts.push(Inline::text("unnamed reviewer")),
    }
    if let Some(login) = r.github_login.as_deref().filter(|l| !l.trim().is_empty()) {
        parts.push(Inline::Code(format!("@{}", login.trim())));
    }
    if r.is_skill_owner {
        parts.push(Inline::Badge("Skill owner".into()));
    }
    if let Some(reason) = r.reason.as_deref().filter(|s| !s.trim().is_empty()) {
        parts.push(Inline::text(labels::plain(reason)));
    }
    for commit in &r.relevant_commits {
        let sha: String = commit
            .sha
            .clone()
            .unwrap_or_default()
            .chars()
            .take(12)
            .collect();
        let reason = labels::plain(commit.reason.as_deref().unwrap_or(""));
        let reason = reason.as_str();
        match commit.url.as_deref() {
            Some(url) if !sha.is_empty() => parts.push(Inline::Url {
                text: if reason.is_empty() {
                    sha
                } else {
                    format!("{sha} — {reason}")
                },
                url: url.to_string(),
            }),
            _ if !sha.is_empty() => {
                parts.push(Inline::Code(sha));
                if !reason.is_empty() {
                    parts.push(Inline::text(reason));
                }
            }
            _ => {}
        }
    }
    Inline::List(parts)
}

fn decision(out: &mut Vec<Block>, d: &artefact::ImplementationDecision, report: &Report) {
    out.push(Block::Paragraph(Inline::Badge(labels::decision(
        d.supersede,
        d.blocked_reason.as_deref(),
    ))));
    let mut f = Vec::new();
    if let Some(n) = d.research_run_count {
        f.push(("Research runs".into(), Inline::text(n.to_string())));
    }
    time_field(&mut f, "Research started", &d.research_started_at);
    if let Some(n) = d.content_revision_count {
        f.push(("Content revisions".into(), Inline::text(n.to_string())));
    }
    opt_field(
        &mut f,
        "Blocked",
        &d.blocked_reason.as_deref().map(labels::blocked_reason),
    );
    fields(out, f);
    out.push(Block::Markdown(d.reason.clone()));
    if !d.targets.is_empty() {
        out.push(Block::Items(
            d.targets
                .iter()
                .map(|t| {
                    let mut parts = Vec::new();
                    if let Some(url) = &t.pr_url {
                        parts.push(pr_inline(report, url));
                    }
                    if let Some(sha) = &t.head_sha {
                        parts.push(Inline::Code(sha.chars().take(12).collect()));
                    }
                    if let Some(task) = &t.task_id {
                        parts.push(task_ref(report, task));
                    }
                    if let Some(claim) = t.claim_id.as_deref().filter(|c| !c.trim().is_empty()) {
                        parts.push(Inline::List(vec![
                            Inline::text("claim"),
                            entry_or_code(report, claim),
                        ]));
                    }
                    if let Some(run) = t
                        .automation_artefact_id
                        .as_deref()
                        .filter(|c| !c.trim().is_empty())
                    {
                        parts.push(Inline::List(vec![
                            Inline::text("automation"),
                            entry_or_code(report, run),
                        ]));
                    }
                    Inline::List(parts)
                })
                .collect(),
        ));
    }
}

fn check_fields(
    title: &Option<String>,
    kind: &Option<String>,
    id: &Option<String>,
) -> Vec<(String, Inline)> {
    let mut f = Vec::new();
    opt_field(&mut f, "Check", title);
    opt_field(&mut f, "Kind", &kind.as_deref().map(humanize));
    code_field(&mut f, "Check id", id);
    f
}

/// A task by id: a link to its page (titled when its row was read), or the text as written
/// when it is not a task id.
fn task_ref(report: &Report, raw: &str) -> Inline {
    match Uuid::parse_str(raw.trim()) {
        Ok(id) => task(report, id),
        Err(_) => Inline::Code(raw.to_string()),
    }
}

/// A task: a link to its page, titled when its row was read.
pub fn task(report: &Report, id: Uuid) -> Inline {
    Inline::Task {
        id,
        title: report
            .tasks
            .get(&id)
            .and_then(|t| t.title.clone())
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| format!("task {id}")),
    }
}

/// A reference to another entry of the same report by its uuid, linked when it is there and
/// named by its label and time (uuid7 prefixes are timestamps: alike within a report).
fn entry_or_code(report: &Report, id: &str) -> Inline {
    let target = Uuid::parse_str(id.trim())
        .ok()
        .and_then(|id| report.artefacts.get(report.artefact_index(id)?));
    match target {
        Some(a) => Inline::Entry {
            id: a.id,
            text: match a.created_at {
                Some(t) => format!("{} ({})", labels::label(a), t.display()),
                None => labels::label(a),
            },
        },
        None => Inline::Code(id.to_string()),
    }
}

/// Unknown and permissive content: its top-level fields as label/value pairs.
fn generic(out: &mut Vec<Block>, value: &serde_json::Value) {
    let render = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Inline::text(Timestamp::humanize(s)),
        serde_json::Value::Null => Inline::text("—"),
        other => Inline::Code(other.to_string()),
    };
    match value {
        serde_json::Value::Object(map) if !map.is_empty() => fields(
            out,
            map.iter().map(|(k, v)| (humanize(k), render(v))).collect(),
        ),
        serde_json::Value::Array(items) if !items.is_empty() => {
            out.push(Block::Items(items.iter().map(render).collect()))
        }
        other => out.push(Block::Paragraph(render(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::dollars;

    #[test]
    fn dollar_values_read_as_money() {
        assert_eq!(dollars(1250.5), "$1,250.50");
        assert_eq!(dollars(1_000_000.0), "$1,000,000");
        assert_eq!(dollars(999.999), "$1,000");
        assert_eq!(dollars(0.0), "$0");
        assert_eq!(dollars(-42.1), "-$42.10");
    }
}
