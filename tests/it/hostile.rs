//! Hostile content from the database, rendered by the binary from a SQLite archive: the HTML
//! pages carry no element, attribute or URL the content did not earn, the Markdown documents
//! keep the structure their template gives them, and nothing hostile is dropped: every marker
//! of `fixtures/hostile.toml` is shown as text. Code references (highlighted, with GitHub
//! links), diffs (per file, in `<details>`), the status table's reasoning and earlier values,
//! and the summary's lists (reviewers, findings, dismissals) are held to the same rules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common::*;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use reportpress::model::artefact::type_label;
use reportpress::model::{Content, StatusKind};
use reportpress::render::text::markdown_excerpt;
use scraper::{ElementRef, Html, Selector};

const FIXTURE: &str = include_str!("../fixtures/hostile.toml");

/// The fixture's diffs (`commit.diff`, `code_diff.diff`): artefact id, how many files, and
/// whether text (a `git show` header) comes before the first file.
const DIFFS: &[(&str, usize, bool)] = &[
    ("0a000000-0000-7000-8000-000000000111", 5, true),
    ("0a000000-0000-7000-8000-000000000204", 3, false),
];

/// The longest excerpt of a judgment's reasoning in a Markdown status table cell.
const EXCERPT: usize = 200;

/// Every element our templates, `render::html`, `render::code` and pulldown-cmark (with the
/// options we enable, images turned into links) can produce. `tbody` is also what a parser
/// inserts in a table. `details`, `summary` and `mark` come from the diff renderer only.
const ELEMENTS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "link",
    "body",
    "header",
    "main",
    "section",
    "article",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "a",
    "span",
    "time",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "dl",
    "dt",
    "dd",
    "div",
    "ul",
    "ol",
    "li",
    "pre",
    "code",
    "figure",
    "figcaption",
    "em",
    "strong",
    "del",
    // A diff's added line, and the empty gutter that starts every numbered code line.
    "ins",
    "i",
    "blockquote",
    "hr",
    "br",
    "input",
    "sup",
    "details",
    "summary",
    "mark",
    // The index's controls (search, filters) and its one script.
    "select",
    "option",
    "label",
    "script",
    "tfoot",
    // Every page's site header; a report's timeline contents and its filter by who wrote an
    // entry (radio inputs: CSS filters, no script).
    "nav",
    "fieldset",
    "legend",
];

/// Every attribute the same sources write: template attributes, `rel` on external links, a
/// Markdown link's `title`, an ordered list's `start`, a task list checkbox's three, and `open`
/// on a diff's file.
const ATTRIBUTES: &[&str] = &[
    "lang",
    "charset",
    "name",
    "content",
    "rel",
    "href",
    "class",
    "id",
    "data-type",
    // A code line's old and new numbers, which the stylesheet shows.
    "data-o",
    "data-n",
    "datetime",
    "scope",
    "title",
    "start",
    "type",
    "disabled",
    "checked",
    "open",
    // The index: controls hidden until its script runs, and the cells' sort and filter keys.
    "hidden",
    "placeholder",
    "aria-label",
    // The arrows of a report's older/newer links (read out as the words beside them).
    "aria-hidden",
    "data-index",
    "data-status",
    "data-priority",
    "data-repository",
    "data-key",
    "data-numeric",
    "data-sort",
    "defer",
    "src",
    "value",
    // Landmarks, the live result count, sorted columns, scrollable tables and code blocks, the
    // phone layout's cell labels, the timeline filter's labels and keys.
    "aria-labelledby",
    "aria-live",
    "aria-sort",
    "role",
    "tabindex",
    "colspan",
    "data-label",
    "data-who",
    "for",
];

struct Built {
    _scratch: Scratch,
    out: PathBuf,
}

fn built() -> Built {
    let scratch = Scratch::new("hostile");
    let db = sqlite_archive(&scratch.path("a.sqlite"), FIXTURE);
    let out = scratch.path("out");
    build(Some(&db), &out, &["--team", "1"]);
    Built {
        _scratch: scratch,
        out,
    }
}

// --- What the fixture says each page must show. ----------------------------------------------

struct Expected {
    id: String,
    title: String,
    /// The log, in order (`created_at`, then id).
    entries: Vec<ExpectedEntry>,
    /// The status table's rows, in order.
    status: Vec<StatusRow>,
    /// The canonical `repo_selection`'s repository, as stored.
    repository: Option<String>,
    /// Reviewers of the canonical `suggested_reviewers`.
    reviewers: usize,
    /// The latest finding per signal: (signal id, artefact id), ordered by signal id.
    findings: Vec<(String, String)>,
    /// Dismissals' artefact ids, in log order.
    dismissals: Vec<String>,
    /// The pull request of the report's tasks (the fixture has one run per task).
    /// Its pull requests, as PostHog gathers them: the `pull_request` entries' URLs, then the
    /// PRs of its PR-bearing task runs (not research, repo selection or scout runs).
    prs: Vec<String>,
    markers: BTreeSet<String>,
}

struct ExpectedEntry {
    id: String,
    kind: String,
    /// The day of `created_at` (UTC) as the timeline's day section names it
    /// (`Sunday, 1 Nov 2026`).
    day: String,
    /// The row's content, when the fixture gives it as a table.
    content: Option<toml::Table>,
    /// Top-level code blocks in the Markdown: code references, each diff file, a diff's
    /// preamble, degraded rows.
    code_blocks: usize,
    /// Files of its diff (0: no diff).
    diff_files: usize,
    preamble: bool,
}

impl ExpectedEntry {
    fn field(&self, key: &str) -> Option<&str> {
        self.content.as_ref()?.get(key)?.as_str()
    }
}

struct StatusRow {
    label: &'static str,
    /// The value as shown, where it is the fixture's string as it is.
    value: Option<String>,
    /// The reasoning (untrusted Markdown), when there is some.
    explanation: Option<String>,
    /// The artefact that set the value.
    current: String,
    /// When, as shown.
    time: String,
    /// The values it superseded, oldest first: artefact id and value (as above).
    earlier: Vec<(String, Option<String>)>,
}

/// `2026-11-01T09:00:00Z` as the pages show it (`1 Nov 2026, 09:00 UTC`).
fn display_time(created_at: &str) -> String {
    reportpress::model::Timestamp::parse(created_at)
        .expect("a fixture time")
        .display()
}

/// `2026-11-01T09:00:00Z`'s day as the timeline's sections name it (`Sunday, 1 Nov 2026`).
fn day_label(created_at: &str) -> String {
    reportpress::model::Timestamp::parse(created_at)
        .expect("a fixture time")
        .day_label()
}

fn reports() -> Vec<Expected> {
    let artefacts = fixture_rows(FIXTURE, "signals_signalreportartefact");
    let users = fixture_rows(FIXTURE, "posthog_user");
    let tasks = fixture_rows(FIXTURE, "posthog_task");
    let runs = fixture_rows(FIXTURE, "posthog_task_run");

    // Every diff of the fixture is described in `DIFFS`.
    let with_diff: BTreeSet<&str> = artefacts
        .iter()
        .filter(|a| {
            a.get("content")
                .and_then(|c| c.get("diff"))
                .and_then(|d| d.as_str())
                .is_some_and(|d| !d.trim().is_empty())
        })
        .map(|a| str_of(a, "id"))
        .collect();
    let described: BTreeSet<&str> = DIFFS.iter().map(|d| d.0).collect();
    assert_eq!(with_diff, described, "DIFFS describes the fixture's diffs");

    fixture_rows(FIXTURE, "signals_signalreport")
        .iter()
        .map(|report| {
            let id = str_of(report, "id").to_string();
            let mut rows: Vec<&toml::Table> = artefacts
                .iter()
                .filter(|a| str_of(a, "report_id") == id)
                .collect();
            rows.sort_by_key(|a| (str_of(a, "created_at"), str_of(a, "id")));

            let mut markers = markers_of(&toml::Value::Table(report.clone()));
            let mut task_ids = BTreeSet::new();
            for row in &rows {
                markers.extend(markers_of(&toml::Value::Table((*row).clone())));
                if let Some(user) = row.get("created_by_id").and_then(|v| v.as_integer()) {
                    for u in users.iter().filter(|u| u["id"].as_integer() == Some(user)) {
                        markers.extend(markers_of(&toml::Value::Table(u.clone())));
                    }
                }
                task_ids.insert(str_of(row, "task_id").to_string());
                if let Some(task) = row
                    .get("content")
                    .and_then(|c| c.get("task_id"))
                    .and_then(|t| t.as_str())
                {
                    task_ids.insert(task.to_string());
                }
            }
            for task in tasks.iter().filter(|t| task_ids.contains(str_of(t, "id"))) {
                markers.extend(markers_of(&toml::Value::Table(task.clone())));
            }
            for run in runs
                .iter()
                .filter(|r| task_ids.contains(str_of(r, "task_id")))
            {
                markers.extend(markers_of(&toml::Value::Table(run.clone())));
            }

            let entries: Vec<ExpectedEntry> = rows
                .iter()
                .map(|a| {
                    let id = str_of(a, "id").to_string();
                    let kind = str_of(a, "type").to_string();
                    let (diff_files, preamble) = DIFFS
                        .iter()
                        .find(|d| d.0 == id)
                        .map_or((0, false), |d| (d.1, d.2));
                    let code_blocks = if a.contains_key("content_raw") {
                        degraded_blocks(a)
                    } else if kind == "code_reference" {
                        1
                    } else {
                        diff_files + usize::from(preamble)
                    };
                    ExpectedEntry {
                        day: day_label(str_of(a, "created_at")),
                        content: a.get("content").and_then(|c| c.as_table()).cloned(),
                        id,
                        kind,
                        code_blocks,
                        diff_files,
                        preamble,
                    }
                })
                .collect();

            let kinds_present: BTreeSet<StatusKind> = entries
                .iter()
                .filter_map(|e| StatusKind::from_type(&e.kind))
                .collect();
            let value_of = |kind: StatusKind, e: &ExpectedEntry| {
                let key = match kind {
                    StatusKind::Priority => "priority",
                    StatusKind::Repository => "repository",
                    StatusKind::Channel => "channel_id",
                    _ => return None,
                };
                e.field(key).map(str::to_string)
            };
            let status: Vec<StatusRow> = kinds_present
                .iter()
                .map(|&kind| {
                    let history: Vec<&ExpectedEntry> = entries
                        .iter()
                        .filter(|e| StatusKind::from_type(&e.kind) == Some(kind))
                        .collect();
                    let (current, earlier) = history.split_last().expect("a status row");
                    let reasoning = match kind {
                        StatusKind::Priority | StatusKind::Actionability | StatusKind::Safety => {
                            "explanation"
                        }
                        _ => "reason",
                    };
                    StatusRow {
                        label: kind.label(),
                        value: value_of(kind, current),
                        explanation: current
                            .field(reasoning)
                            .filter(|t| !t.trim().is_empty())
                            .map(str::to_string),
                        current: current.id.clone(),
                        time: display_time(
                            rows.iter()
                                .find(|a| str_of(a, "id") == current.id)
                                .map(|a| str_of(a, "created_at"))
                                .expect("the row"),
                        ),
                        earlier: earlier
                            .iter()
                            .map(|e| (e.id.clone(), value_of(kind, e)))
                            .collect(),
                    }
                })
                .collect();
            let canonical = |kind: &str| entries.iter().rev().find(|e| e.kind == kind);
            let repository = canonical("repo_selection")
                .and_then(|e| e.field("repository"))
                .map(str::to_string);
            let reviewers = canonical("suggested_reviewers")
                .map(|e| {
                    let row = rows.iter().find(|a| str_of(a, "id") == e.id).expect("row");
                    match row.get("content_raw").and_then(|r| r.as_str()) {
                        Some(raw) => serde_json::from_str::<serde_json::Value>(raw)
                            .ok()
                            .and_then(|v| v.as_array().map(Vec::len))
                            .unwrap_or(0),
                        None => row
                            .get("content")
                            .and_then(|c| c.as_array())
                            .map_or(0, Vec::len),
                    }
                })
                .unwrap_or(0);
            let mut latest = BTreeMap::new();
            for e in entries.iter().filter(|e| e.kind == "signal_finding") {
                if let Some(signal) = e.field("signal_id") {
                    latest.insert(signal.to_string(), e.id.clone());
                }
            }
            let dismissals = entries
                .iter()
                .filter(|e| e.kind == "dismissal")
                .map(|e| e.id.clone())
                .collect();

            // Pull request entries, then the runs of tasks associated through PR-bearing
            // `task_run` rows.
            let mut prs: Vec<String> = rows
                .iter()
                .filter(|a| str_of(a, "type") == "pull_request")
                .filter_map(|a| a.get("content")?.get("url")?.as_str())
                .map(|u| u.trim().to_string())
                .collect();
            let associated: BTreeSet<&str> = rows
                .iter()
                .filter(|a| str_of(a, "type") == "task_run")
                .filter_map(|a| a.get("content"))
                .filter(|c| {
                    c.get("product").and_then(|p| p.as_str()) == Some("signals")
                        && !matches!(
                            c.get("type").and_then(|t| t.as_str()),
                            Some("research" | "repo_selection" | "scout") | None
                        )
                })
                .filter_map(|c| c.get("task_id")?.as_str())
                .collect();
            for url in runs
                .iter()
                .filter(|r| associated.contains(str_of(r, "task_id")))
                .filter_map(|r| r.get("output")?.get("pr_url")?.as_str())
            {
                if !prs.iter().any(|p| p == url.trim()) {
                    prs.push(url.trim().to_string());
                }
            }
            Expected {
                title: str_of(report, "title").trim().to_string(),
                id,
                entries,
                status,
                repository,
                reviewers,
                findings: latest.into_iter().collect(),
                dismissals,
                prs,
                markers,
            }
        })
        .collect()
}

impl Expected {
    /// The timeline's days, in order, each with its entries.
    fn days(&self) -> Vec<(String, Vec<&ExpectedEntry>)> {
        let mut days: Vec<(String, Vec<&ExpectedEntry>)> = Vec::new();
        for e in &self.entries {
            match days.last_mut() {
                Some((day, list)) if *day == e.day => list.push(e),
                _ => days.push((e.day.clone(), vec![e])),
            }
        }
        days
    }

    /// The summary's list titles, in template order, for the lists this report has.
    fn list_titles(&self) -> Vec<&'static str> {
        let mut titles = Vec::new();
        if !self.prs.is_empty() {
            titles.push("Pull requests");
        }
        if self.reviewers > 0 {
            titles.push("Suggested reviewers");
        }
        if !self.findings.is_empty() {
            titles.push("Findings by signal");
        }
        if !self.dismissals.is_empty() {
            titles.push("Dismissals");
        }
        titles
    }

    /// Whether the report's repository is one a GitHub link may be built from.
    fn github_repo(&self) -> Option<&str> {
        self.repository
            .as_deref()
            .map(str::trim)
            .filter(|r| is_owner_repo(r))
    }
}

/// `owner/repo`: two parts of letters, digits, `-`, `_`, `.` (not `.` or `..` alone).
fn is_owner_repo(value: &str) -> bool {
    let parts: Vec<&str> = value.split('/').collect();
    parts.len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && *p != "."
                && *p != ".."
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
}

/// Every `owner/repo` the fixture names as a repository: the only ones a GitHub link may point
/// into.
fn fixture_repos() -> BTreeSet<String> {
    fn walk(value: &toml::Value, out: &mut BTreeSet<String>) {
        match value {
            toml::Value::Table(t) => {
                for (key, v) in t {
                    match v.as_str() {
                        Some(s) if key == "repository" && is_owner_repo(s.trim()) => {
                            out.insert(s.trim().to_string());
                        }
                        _ => walk(v, out),
                    }
                }
            }
            toml::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(&toml::from_str(FIXTURE).expect("fixture parses"), &mut out);
    out
}

/// A path GitHub may be linked to: relative, no `..` (a browser resolves `blob/HEAD/../..` to
/// another repository).
fn linkable_path(path: &str) -> bool {
    let path = path.trim().trim_start_matches("./");
    !path.is_empty() && !path.starts_with('/') && !path.split('/').any(|p| p == "..")
}

/// A code reference's lines as shown: one trailing newline dropped.
fn code_lines(contents: &str) -> Vec<&str> {
    contents
        .strip_suffix('\n')
        .unwrap_or(contents)
        .split('\n')
        .collect()
}

/// A URL the renderers link: absolute `http(s)`.
fn is_web(url: &str) -> bool {
    matches!(scheme(url).as_deref(), Some("http" | "https"))
}

/// `%XX` escapes decoded: the Markdown writer percent-encodes what a destination cannot hold.
fn percent_decoded(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) if bytes[i] == b'%' => {
                out.push(b);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("utf-8 URL")
}

/// A `content_raw` row gives one raw code block when the model cannot read it (not JSON, or
/// not its type's shape); an unknown type's JSON is shown as fields instead.
fn degraded_blocks(row: &toml::Table) -> usize {
    let content = Content::parse(str_of(row, "type"), str_of(row, "content_raw"));
    usize::from(matches!(content, Content::Malformed { .. }))
}

/// The `zq<UPPERCASE>` markers in every string (and key) of a fixture value.
fn markers_of(value: &toml::Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut scan = |s: &str| {
        let mut rest = s;
        while let Some(at) = rest.find("zq") {
            let tail = &rest[at + 2..];
            let len = tail
                .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit()))
                .unwrap_or(tail.len());
            if len > 0 {
                out.insert(format!("zq{}", &tail[..len]));
            }
            rest = &tail[len..];
        }
    };
    fn walk(value: &toml::Value, scan: &mut dyn FnMut(&str)) {
        match value {
            toml::Value::String(s) => scan(s),
            toml::Value::Array(items) => items.iter().for_each(|v| walk(v, scan)),
            toml::Value::Table(t) => t.iter().for_each(|(k, v)| {
                scan(k);
                walk(v, scan);
            }),
            _ => {}
        }
    }
    walk(value, &mut scan);
    out
}

/// `marker` occurs in `text` as a whole marker (not as the start of a longer one).
fn has_marker(text: &str, marker: &str) -> bool {
    text.match_indices(marker).any(|(at, _)| {
        !text[at + marker.len()..]
            .starts_with(|c: char| c.is_ascii_uppercase() || c.is_ascii_digit())
    })
}

/// A title or label as a single Markdown line shows it: whitespace runs of the value are kept,
/// newlines and tabs become spaces.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r', '\t'], " ")
}

// --- URLs as a browser reads them. ----------------------------------------------------------

/// The scheme of a URL the way the URL standard finds it: leading and trailing C0 controls and
/// spaces stripped, tabs and newlines removed anywhere, then `ALPHA *(ALPHA / DIGIT / + - .)`
/// before the first `:`. `None`: a relative reference.
fn scheme(url: &str) -> Option<String> {
    let url: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

fn assert_safe_url(url: &str, context: &str) {
    if let Some(scheme) = scheme(url) {
        assert!(
            matches!(scheme.as_str(), "http" | "https" | "mailto"),
            "{context}: link to {url:?} (scheme {scheme})"
        );
    }
}

/// No script-capable scheme anywhere in the value, however it is spelled.
fn assert_no_script_scheme(value: &str, context: &str) {
    let squashed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    for bad in ["javascript:", "data:", "vbscript:"] {
        assert!(!squashed.contains(bad), "{context}: {bad} in {value:?}");
    }
}

/// A link into GitHub points into a repository the fixture names as `owner/repo`: none is
/// built from a hostile repository value.
fn assert_github_link_ok(url: &str, repos: &BTreeSet<String>, context: &str) {
    let url = percent_decoded(url.trim());
    let lower = url.to_ascii_lowercase();
    let Some(rest) = ["https://github.com/", "http://github.com/"]
        .iter()
        .find_map(|p| lower.starts_with(p).then(|| &url[p.len()..]))
    else {
        return;
    };
    let mut parts = rest.split(['/', '?', '#']);
    let repo = format!(
        "{}/{}",
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default()
    );
    assert!(
        repos.contains(&repo),
        "{context}: GitHub link {url:?} into {repo:?}, not one of {repos:?}"
    );
}

/// A code reference's GitHub link: the report's repository, the path percent-encoded (nothing
/// in it can end the path or start a query or fragment), the lines as the fragment.
fn assert_blob_link(href: &str, repo: &str, path: &str, lines: (i64, i64), context: &str) {
    let prefix = format!("https://github.com/{repo}/blob/HEAD/");
    let rest = href
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{context}: {href:?} is not under {prefix}"));
    let (encoded, fragment) = rest
        .split_once('#')
        .unwrap_or_else(|| panic!("{context}: no line fragment in {href:?}"));
    assert!(
        encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)),
        "{context}: unencoded path in {href:?}"
    );
    assert_eq!(
        percent_decoded(encoded),
        path.trim().trim_start_matches("./"),
        "{context}: {href:?}"
    );
    let want = if lines.1 > lines.0 {
        format!("L{}-L{}", lines.0, lines.1)
    } else {
        format!("L{}", lines.0)
    };
    assert_eq!(fragment, want, "{context}: {href:?}");
}

/// The line span a code reference shows.
fn span_of(entry: &ExpectedEntry) -> (i64, i64) {
    let start = entry
        .content
        .as_ref()
        .and_then(|c| c.get("start_line"))
        .and_then(|v| v.as_integer())
        .expect("start_line");
    let lines = code_lines(entry.field("contents").expect("contents")).len() as i64;
    (start, start + lines - 1)
}

// --- HTML. ------------------------------------------------------------------------------------

fn html_files(out: &Path) -> Vec<(String, Html)> {
    let files: Vec<_> = tree(out)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| {
            let text = String::from_utf8(bytes).expect("utf-8 page");
            (path, Html::parse_document(&text))
        })
        .collect();
    assert!(!files.is_empty());
    files
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("selector")
}

fn count(doc: &Html, css: &str) -> usize {
    doc.select(&sel(css)).count()
}

fn text_of(element: ElementRef<'_>) -> String {
    element.text().collect::<Vec<_>>().join("\n")
}

/// The text exactly as a browser lays it out in a `<pre>`: text nodes joined as they are.
fn raw_text(element: ElementRef<'_>) -> String {
    element.text().collect()
}

fn parent_element(element: ElementRef<'_>) -> Option<ElementRef<'_>> {
    element.parent().and_then(ElementRef::wrap)
}

fn has_class(element: ElementRef<'_>, class: &str) -> bool {
    element.value().classes().any(|c| c == class)
}

fn has_ancestor(element: ElementRef<'_>, test: impl Fn(ElementRef<'_>) -> bool) -> bool {
    element.ancestors().filter_map(ElementRef::wrap).any(test)
}

fn children(element: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    element.children().filter_map(ElementRef::wrap).collect()
}

#[test]
fn html_has_no_injected_element_attribute_or_url() {
    let b = built();
    let repos = fixture_repos();
    for (path, doc) in html_files(&b.out) {
        let mut ids = BTreeMap::<String, usize>::new();
        for node in doc.tree.nodes() {
            let Some(element) = ElementRef::wrap(node) else {
                continue;
            };
            let el = element.value();
            let name = el.name();
            assert!(ELEMENTS.contains(&name), "{path}: element <{name}>");
            for (attr, value) in el.attrs() {
                let context = format!("{path}: <{name} {attr}={value:?}>");
                let lower = attr.to_ascii_lowercase();
                assert!(!lower.starts_with("on"), "{context}: event handler");
                // pulldown-cmark writes a fixed `style="text-align: …"` on the cells of a GFM
                // table with aligned columns (the demo has some); this fixture has none.
                assert!(lower != "style", "{context}");
                if lower == "src" {
                    // Only the index's own script, from the archive's assets.
                    assert!(
                        path == "index.html" && name == "script" && value == "assets/index.js",
                        "{context}"
                    );
                }
                assert!(ATTRIBUTES.contains(&lower.as_str()), "{context}: attribute");
                // An older/newer link's `title` repeats the neighbour's title, shown as text
                // in the link (cut short there by the stylesheet): text, never a URL.
                let repeats_text = lower == "title"
                    && name == "a"
                    && parent_element(element).is_some_and(|p| has_class(p, "prevnext"))
                    && element
                        .select(&sel("span.t"))
                        .next()
                        .is_some_and(|t| raw_text(t) == value);
                if !repeats_text {
                    assert_no_script_scheme(value, &context);
                }
                match lower.as_str() {
                    "href" => {
                        assert_safe_url(value, &context);
                        assert_github_link_ok(value, &repos, &context);
                    }
                    "id" => *ids.entry(value.to_string()).or_default() += 1,
                    // The diff renderer's, valueless.
                    "open" => assert!(name == "details" && value.is_empty(), "{context}"),
                    // Classes are ours (and the highlighter's scope names): no content.
                    "class" => assert!(
                        value.chars().all(|c| c.is_ascii_alphanumeric()
                            || matches!(c, ' ' | '-' | '_' | '+' | '#')),
                        "{context}"
                    ),
                    _ => {}
                }
            }
            match name {
                "input" if path == "index.html" && el.attr("id") == Some("q") => {
                    assert_eq!(el.attr("type"), Some("search"), "{path}");
                }
                "script" => {
                    assert_eq!(path, "index.html", "a script outside the index");
                    assert_eq!(el.attr("src"), Some("assets/index.js"), "{path}");
                    assert!(
                        element.text().all(|t| t.trim().is_empty()),
                        "{path}: inline script"
                    );
                }
                "select" | "option" => {
                    assert_eq!(path, "index.html", "{path}: <{name}>");
                }
                // The index's filters, a report's filter by who wrote an entry.
                "label" if path != "index.html" => {
                    assert!(path.starts_with("reports/"), "{path}: <label>");
                    assert!(
                        el.attr("for").is_some_and(|f| f.starts_with("who-")),
                        "{path}: {el:?}"
                    );
                }
                "label" => {}
                "input" if el.attr("name") == Some("who") => {
                    assert!(path.starts_with("reports/"), "{path}: {el:?}");
                    assert_eq!(el.attr("type"), Some("radio"), "{path}");
                    assert!(
                        el.attr("id").is_some_and(|i| i.starts_with("who-")),
                        "{path}: {el:?}"
                    );
                }
                "input" => {
                    // pulldown-cmark's task list checkbox, and nothing else.
                    assert_eq!(el.attr("type"), Some("checkbox"), "{path}");
                    assert!(el.attr("disabled").is_some(), "{path}: an enabled input");
                    for (attr, _) in el.attrs() {
                        assert!(
                            matches!(attr, "type" | "disabled" | "checked"),
                            "{path}: <input {attr}>"
                        );
                    }
                }
                // A diff's file: in the diff's box, its summary first and alone; or a file's
                // header lines, folded, in the file.
                "details" => {
                    let class = el.attr("class");
                    assert!(matches!(class, Some("file" | "header")), "{path}: {el:?}");
                    let parent = parent_element(element).expect("parent");
                    let box_class = if class == Some("file") {
                        "diff"
                    } else {
                        "file"
                    };
                    assert!(
                        has_class(parent, box_class),
                        "{path}: <details> in {:?}",
                        parent.value()
                    );
                    let kids = children(element);
                    assert_eq!(
                        kids.first().map(|k| k.value().name()),
                        Some("summary"),
                        "{path}: {el:?}"
                    );
                    let summaries = kids.iter().filter(|k| k.value().name() == "summary");
                    assert_eq!(summaries.count(), 1, "{path}: {el:?}");
                }
                "summary" => {
                    let parent = parent_element(element).expect("parent");
                    assert_eq!(parent.value().name(), "details", "{path}");
                    assert!(el.attrs().next().is_none(), "{path}: {el:?}");
                }
                // Changed words: only in a diff's added or removed line.
                "mark" => {
                    // In the row (`ins`, `del`) or in a highlighted span of the row.
                    let parent = parent_element(element).expect("parent");
                    let row = match parent.value().name() {
                        "span" => parent_element(parent).expect("row"),
                        _ => parent,
                    };
                    assert!(
                        matches!(row.value().name(), "ins" | "del"),
                        "{path}: <mark> in {:?}",
                        parent.value()
                    );
                    assert!(
                        has_ancestor(element, |a| a.value().name() == "pre"
                            && has_class(a, "diff")),
                        "{path}: <mark> outside a diff"
                    );
                    assert!(el.attrs().next().is_none(), "{path}: {el:?}");
                }
                _ => {}
            }
        }
        assert_eq!(count(&doc, "title"), 1, "{path}: <title> count");
        assert_eq!(count(&doc, "h1"), 1, "{path}: <h1> count");
        // No id is claimed twice: content cannot take over an entry's anchor.
        let twice: Vec<_> = ids.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            twice.is_empty(),
            "{path}: ids used more than once: {twice:?}"
        );
    }
}

#[test]
fn report_pages_keep_every_entry_and_every_marker() {
    let b = built();
    let expected = reports();
    assert_eq!(expected.len(), 2);
    for report in &expected {
        let path = b.out.join(format!("reports/{}.html", report.id));
        let doc = Html::parse_document(&read(&path));
        let id = &report.id;

        let title_text = text_of(doc.select(&sel("title")).next().expect("title"));
        assert_eq!(title_text, report.title, "{id}: <title>");
        assert_eq!(
            text_of(doc.select(&sel("h1")).next().expect("h1")),
            report.title,
            "{id}: <h1>"
        );

        // The outline is the template's: sections, the summary's lists, the days. Headings
        // from stored Markdown sit below it (h5, h6), inside the Markdown they came from.
        let texts = |css: &str| -> Vec<String> { doc.select(&sel(css)).map(text_of).collect() };
        assert_eq!(texts("h2"), ["Summary", "Status", "Timeline"], "{id}: <h2>");
        let mut h3: Vec<String> = report
            .list_titles()
            .into_iter()
            .map(str::to_string)
            .collect();
        h3.extend(report.days().into_iter().map(|(day, _)| day));
        assert_eq!(texts("h3"), h3, "{id}: <h3>");
        // Each entry has its heading (h4, under its day's h3): its label.
        let labels: Vec<String> = doc
            .select(&sel("article.entry > header > h4"))
            .map(text_of)
            .collect();
        assert_eq!(labels.len(), report.entries.len(), "{id}: entry headings");
        assert_eq!(count(&doc, "h4"), report.entries.len(), "{id}: <h4>");
        for h in doc.select(&sel("h5, h6")) {
            let stored = |a: ElementRef<'_>| match a.value().name() {
                "div" => has_class(a, "md") || has_class(a, "why"),
                "section" => has_class(a, "summary"),
                _ => false,
            };
            assert!(
                has_ancestor(h, stored),
                "{id}: {} outside stored Markdown",
                h.html()
            );
        }

        // One article per artefact, in log order, each under its own anchor, in its day.
        let days: Vec<(String, Vec<String>)> = doc
            .select(&sel("section.day"))
            .map(|day| {
                let label = day.select(&sel("h3")).next().map(text_of);
                let articles = day
                    .select(&sel("article.entry"))
                    .map(|a| a.value().attr("id").unwrap_or_default().to_string())
                    .collect();
                (label.unwrap_or_default(), articles)
            })
            .collect();
        let wanted: Vec<(String, Vec<String>)> = report
            .days()
            .into_iter()
            .map(|(day, entries)| (day, entries.iter().map(|e| format!("a-{}", e.id)).collect()))
            .collect();
        assert_eq!(days, wanted, "{id}: days and entries");
        assert_eq!(
            count(&doc, "article.entry"),
            report.entries.len(),
            "{id}: entries outside a day"
        );
        // Every element with an entry anchor's id is that entry's article.
        for element in doc.select(&sel("[id^='a-']")) {
            assert_eq!(
                element.value().name(),
                "article",
                "{id}: {:?}",
                element.value()
            );
        }

        status_table_html(&doc, report);
        summary_lists_html(&doc, report);
        for entry in &report.entries {
            let article = doc
                .select(&sel(&format!("article[id='a-{}']", entry.id)))
                .next()
                .expect("the entry's article");
            entry_html(article, entry, report);
        }

        // External links: the pull request when it is a web URL, never when it is not.
        let hrefs: Vec<&str> = doc
            .select(&sel("a[href]"))
            .filter_map(|a| a.value().attr("href"))
            .collect();
        assert!(!report.prs.is_empty(), "the fixture's reports have a PR");
        for pr in &report.prs {
            assert_eq!(
                hrefs.contains(&pr.as_str()),
                is_web(pr),
                "{id}: pull request link {pr:?}"
            );
        }
        // No code is linked on GitHub from a repository that is not `owner/repo`.
        if report.github_repo().is_none() {
            let blob: Vec<_> = hrefs.iter().filter(|h| h.contains("/blob/")).collect();
            assert!(blob.is_empty(), "{id}: {blob:?}");
        }

        // Nothing hostile is dropped: each marker is visible text on the page, or in the
        // destination of a link named otherwise (a PR's URL is linked from `owner/repo#7`).
        let text = text_of(doc.root_element());
        let missing: Vec<_> = report
            .markers
            .iter()
            .filter(|m| !has_marker(&text, m) && !hrefs.iter().any(|h| h.contains(m.as_str())))
            .collect();
        assert!(
            missing.is_empty(),
            "{id}: markers missing from the page: {missing:?}"
        );
        // The neutralised script tags are there as text.
        assert!(text.contains("<script>alert(1)</script>"), "{id}");
    }
    // An email autolink in a safety explanation stays a mailto: link, in the entry and in the
    // status table's reasoning.
    let page = read(&b.out.join(format!("reports/{}.html", expected[0].id)));
    let doc = Html::parse_document(&page);
    let mailto = sel(r#"a[href="mailto:ana@example.com"]"#);
    assert_eq!(doc.select(&mailto).count(), 2, "email autolink");
    // The highlighter ran on the hostile code and marked the changed words.
    assert!(
        count(&doc, "pre.diff code > * span[class]") > 0,
        "diff highlighting"
    );
    assert!(count(&doc, "pre.diff mark") > 0, "changed words");
}

/// The status table: five cells a row, each with what its column shows.
fn status_table_html(doc: &Html, report: &Expected) {
    let id = &report.id;
    let rows: Vec<ElementRef<'_>> = doc
        .select(&sel("section.status > table:not(.prs) > tbody > tr"))
        .collect();
    assert_eq!(rows.len(), report.status.len(), "{id}: status rows");
    for (row, want) in rows.iter().zip(&report.status) {
        let context = format!("{id}: status row {}", want.label);
        let cells = children(*row);
        let names: Vec<&str> = cells.iter().map(|c| c.value().name()).collect();
        assert_eq!(names, ["th", "td", "td", "td", "td"], "{context}");
        assert_eq!(text_of(cells[0]), want.label, "{context}");
        // The value (its badge or code), and the reasoning rendered below it.
        let value_cell = children(cells[1]);
        if let Some(value) = &want.value {
            let shown = value_cell.first().map(|v| text_of(*v));
            assert_eq!(shown.as_ref(), Some(value), "{context}");
        }
        let why: Vec<_> = cells[1].select(&sel("div.why")).collect();
        assert_eq!(
            why.len(),
            usize::from(want.explanation.is_some()),
            "{context}"
        );
        assert_eq!(text_of(cells[2]), "system", "{context}");
        let when: Vec<_> = cells[3].select(&sel("a")).collect();
        assert_eq!(when.len(), 1, "{context}");
        assert_eq!(
            when[0].value().attr("href"),
            Some(format!("#a-{}", want.current).as_str()),
            "{context}"
        );
        assert_eq!(text_of(when[0]), want.time, "{context}");
        // Superseded: a link to each earlier value, or a dash.
        let earlier: Vec<_> = cells[4].select(&sel("a")).collect();
        if want.earlier.is_empty() {
            assert_eq!(text_of(cells[4]), "—", "{context}");
        }
        let hrefs: Vec<String> = earlier
            .iter()
            .map(|a| a.value().attr("href").unwrap_or_default().to_string())
            .collect();
        let wanted: Vec<String> = want
            .earlier
            .iter()
            .map(|(e, _)| format!("#a-{e}"))
            .collect();
        assert_eq!(hrefs, wanted, "{context}");
        for (a, (_, value)) in earlier.iter().zip(&want.earlier) {
            if let Some(value) = value {
                assert_eq!(&text_of(*a), value, "{context}");
            }
        }
    }
}

/// Reviewers, findings by signal, dismissals.
fn summary_lists_html(doc: &Html, report: &Expected) {
    let id = &report.id;
    assert_eq!(
        count(doc, "ul.reviewers > li"),
        report.reviewers,
        "{id}: reviewers"
    );
    let findings: Vec<(String, String)> = doc
        .select(&sel("ul.findings > li"))
        .map(|li| {
            let a = li.select(&sel("a")).next().expect("the finding's link");
            let code = a.select(&sel("code")).next().expect("the signal");
            (
                raw_text(code),
                a.value().attr("href").unwrap_or_default().to_string(),
            )
        })
        .collect();
    let wanted: Vec<(String, String)> = report
        .findings
        .iter()
        // Named `Signal <id>` when the finding gives no title (a uuid shortened, any other id
        // whole).
        .map(|(signal, entry)| (format!("Signal {signal}"), format!("#a-{entry}")))
        .collect();
    assert_eq!(findings, wanted, "{id}: findings");
    // Each dismissal links its author's page, then its entry, and nothing else.
    let dismissals: Vec<Vec<String>> = doc
        .select(&sel("ul.dismissals > li"))
        .map(|li| {
            let hrefs: Vec<String> = li
                .select(&sel("a"))
                .filter_map(|a| a.value().attr("href"))
                .map(str::to_string)
                .collect();
            assert!(
                hrefs
                    .first()
                    .is_some_and(|h| h.starts_with("../people/") || h.starts_with("../tasks/")),
                "{id}: a dismissal without its author's link: {hrefs:?}"
            );
            hrefs[1..].to_vec()
        })
        .collect();
    let wanted: Vec<Vec<String>> = report
        .dismissals
        .iter()
        .map(|d| vec![format!("#a-{d}")])
        .collect();
    assert_eq!(
        dismissals, wanted,
        "{id}: dismissals (and no link from a note)"
    );
}

/// What an entry's article shows of its code, diff or commit.
fn entry_html(article: ElementRef<'_>, entry: &ExpectedEntry, report: &Expected) {
    let context = format!("{}: entry {}", report.id, entry.id);
    let github: Vec<&str> = article
        .select(&sel("a[href^='https://github.com/']"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    match entry.kind.as_str() {
        "code_reference" if entry.content.is_some() => {
            let path = entry.field("file_path").expect("file_path");
            let contents = entry.field("contents").expect("contents");
            let figures: Vec<_> = article.select(&sel("figure.code")).collect();
            assert_eq!(figures.len(), 1, "{context}");
            let caption = figures[0]
                .select(&sel("figcaption code"))
                .next()
                .expect("the path");
            assert_eq!(raw_text(caption), path, "{context}: caption");
            // The code, line by line, exactly: nothing added, nothing lost; each line's number
            // is its gutter's (the stylesheet shows it; it is not text).
            let pre = figures[0].select(&sel("pre.hl")).next().expect("the code");
            let (start, _) = span_of(entry);
            let wanted: String = code_lines(contents)
                .iter()
                .map(|line| format!("{line}\n"))
                .collect();
            assert_eq!(raw_text(pre), wanted, "{context}: code");
            let numbers: Vec<String> = pre
                .select(&sel("i"))
                .map(|i| i.value().attr("data-n").unwrap_or("").to_string())
                .collect();
            let wanted: Vec<String> = (0..code_lines(contents).len())
                .map(|n| (start + n as i64).to_string())
                .collect();
            assert_eq!(numbers, wanted, "{context}: line numbers");
            if path.ends_with(".py") || path.ends_with(".tsx") {
                assert!(
                    pre.select(&sel("span[class]")).next().is_some(),
                    "{context}: not highlighted"
                );
            }
            let links: Vec<&str> = figures[0]
                .select(&sel("figcaption a"))
                .filter_map(|a| a.value().attr("href"))
                .collect();
            match report.github_repo().filter(|_| linkable_path(path)) {
                Some(repo) => {
                    assert_eq!(links.len(), 1, "{context}: {links:?}");
                    assert_blob_link(links[0], repo, path, span_of(entry), &context);
                }
                None => assert!(links.is_empty(), "{context}: {links:?}"),
            }
        }
        "commit" if entry.content.is_some() && entry.diff_files == 0 => {
            assert!(
                text_of(article).contains("Diff not stored"),
                "{context}: no diff notice"
            );
            let repo = entry.field("repository").unwrap_or_default().trim();
            let sha = entry.field("commit_sha").unwrap_or_default().trim();
            if is_owner_repo(repo) && sha.chars().all(|c| c.is_ascii_hexdigit()) {
                let url = format!("https://github.com/{repo}/commit/{sha}");
                assert!(github.contains(&url.as_str()), "{context}: {github:?}");
            } else {
                assert!(github.is_empty(), "{context}: {github:?}");
            }
        }
        _ => {}
    }
    if entry.diff_files > 0 {
        assert_eq!(
            article.select(&sel("div.diff > details.file")).count(),
            entry.diff_files,
            "{context}: diff files"
        );
        assert_eq!(
            article.select(&sel("div.diff > pre.preamble")).count(),
            usize::from(entry.preamble),
            "{context}: preamble"
        );
    }
}

// --- Markdown. --------------------------------------------------------------------------------

fn md_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
}

/// One stretch of a Markdown document: what precedes the first entry, or one entry (from its
/// anchor to the next).
#[derive(Default)]
struct MdPart {
    /// Raw HTML, trimmed, concatenated in document order.
    html: String,
    /// Each `<details><summary>…</summary>`: the summary's inner HTML and the languages of the
    /// top-level code blocks before the next `</details>`.
    details: Vec<(String, Vec<String>)>,
    /// Top-level code blocks (outside blockquotes): language and text.
    code_blocks: Vec<(String, String)>,
    /// Link destinations.
    links: Vec<String>,
}

#[derive(Default)]
struct Cell {
    text: String,
    links: Vec<String>,
}

/// What a Markdown document is made of, read from its events.
#[derive(Default)]
struct MdShape {
    /// Headings outside blockquotes: level and text.
    headings: Vec<(HeadingLevel, String)>,
    /// Headings inside blockquotes (quoted Markdown from the database).
    quoted_headings: Vec<(HeadingLevel, String)>,
    front: MdPart,
    entries: Vec<MdPart>,
    /// Raw HTML, trimmed, in document order.
    html: Vec<String>,
    /// Link destinations.
    links: Vec<String>,
    images: usize,
    code_starts: usize,
    code_ends: usize,
    /// Tables outside blockquotes: rows of cells.
    tables: Vec<Vec<Vec<Cell>>>,
    /// All text, Text and Code runs and diff file names joined, other events as line breaks.
    text: String,
}

impl MdShape {
    fn part(&mut self) -> &mut MdPart {
        if self.entries.is_empty() {
            &mut self.front
        } else {
            let last = self.entries.len() - 1;
            &mut self.entries[last]
        }
    }
}

const SUMMARY_OPEN: &str = "<details><summary>";
const SUMMARY_CLOSE: &str = "</summary>";
const DETAILS_CLOSE: &str = "</details>";

/// Text escaped for HTML as `render::text::escape_html` writes it, decoded.
fn html_unescaped(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn md_shape(source: &str) -> MdShape {
    // CommonMark's line endings are `\n`, `\r\n` and a lone `\r` (GitHub's cmark-gfm reads
    // them so); pulldown-cmark does not always break lines at a lone `\r`. Normalised, the
    // document is read with the lines any reader sees.
    let source = &source.replace("\r\n", "\n").replace('\r', "\n");
    let mut shape = MdShape::default();
    let mut quote_depth = 0usize;
    let mut heading: Option<(HeadingLevel, String, bool)> = None;
    let mut table: Option<Vec<Vec<Cell>>> = None;
    let mut code: Option<(String, String)> = None;
    let mut details_open = false;
    for event in Parser::new_ext(source, md_options()) {
        let top = quote_depth == 0;
        match &event {
            Event::Start(Tag::BlockQuote(_)) => quote_depth += 1,
            Event::End(TagEnd::BlockQuote(_)) => quote_depth -= 1,
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((*level, String::new(), top));
            }
            Event::End(TagEnd::Heading(_)) => {
                let (level, text, top) = heading.take().expect("heading open");
                if top {
                    shape.headings.push((level, text));
                } else {
                    shape.quoted_headings.push((level, text));
                }
            }
            Event::Start(Tag::Table(_)) if top => table = Some(Vec::new()),
            Event::End(TagEnd::Table) if top => shape.tables.extend(table.take()),
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.push(Vec::new());
                }
            }
            Event::Start(Tag::TableCell) => {
                if let Some(row) = table.as_mut().and_then(|t| t.last_mut()) {
                    row.push(Cell::default());
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let piece = html.trim();
                // An entry's anchor starts its part.
                if piece.starts_with("<a id=\"") {
                    shape.entries.push(MdPart::default());
                }
                let part = shape.part();
                part.html.push_str(piece);
                if let Some(rest) = piece.strip_prefix(SUMMARY_OPEN) {
                    let inner = rest.strip_suffix(SUMMARY_CLOSE).unwrap_or(rest);
                    part.details.push((inner.to_string(), Vec::new()));
                    details_open = true;
                    // A file's name is shown in its summary only.
                    shape.text.push_str(&html_unescaped(inner));
                } else if piece == DETAILS_CLOSE {
                    details_open = false;
                }
                shape.html.push(piece.to_string());
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                shape.links.push(dest_url.to_string());
                shape.part().links.push(dest_url.to_string());
                if let Some(cell) = table
                    .as_mut()
                    .and_then(|t| t.last_mut())
                    .and_then(|r| r.last_mut())
                {
                    cell.links.push(dest_url.to_string());
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                shape.images += 1;
                shape.links.push(dest_url.to_string());
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                shape.code_starts += 1;
                if top {
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => info
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    code = Some((lang, String::new()));
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                shape.code_ends += 1;
                if let Some((lang, text)) = code.take() {
                    let part = shape.part();
                    if details_open && let Some(details) = part.details.last_mut() {
                        details.1.push(lang.clone());
                    }
                    part.code_blocks.push((lang, text));
                }
            }
            _ => {}
        }
        match &event {
            Event::Text(t) | Event::Code(t) => {
                shape.text.push_str(t);
                if let Some((_, text, _)) = heading.as_mut() {
                    text.push_str(t);
                }
                if let Some((_, text)) = code.as_mut() {
                    text.push_str(t);
                }
                if let Some(cell) = table
                    .as_mut()
                    .and_then(|t| t.last_mut())
                    .and_then(|r| r.last_mut())
                {
                    cell.text.push_str(t);
                }
            }
            _ => shape.text.push('\n'),
        }
    }
    assert_eq!(quote_depth, 0);
    shape
}

fn assert_md_links_safe(shape: &MdShape, repos: &BTreeSet<String>, context: &str) {
    assert_eq!(shape.images, 0, "{context}: images load from elsewhere");
    for link in &shape.links {
        assert_safe_url(link, context);
        assert_no_script_scheme(link, context);
        assert_github_link_ok(link, repos, context);
    }
    assert_eq!(
        shape.code_starts, shape.code_ends,
        "{context}: unclosed code block"
    );
}

/// A diff file's summary: HTML-escaped text on one line, no markup of its own.
fn assert_summary_escaped(inner: &str, context: &str) {
    assert!(
        !inner.contains(['<', '>', '\n', '\r']),
        "{context}: summary {inner:?}"
    );
    for (at, _) in inner.match_indices('&') {
        assert!(
            ["&lt;", "&gt;", "&amp;", "&quot;", "&#39;"]
                .iter()
                .any(|e| inner[at..].starts_with(e)),
            "{context}: summary {inner:?}"
        );
    }
}

/// An entry's raw HTML: its anchor, then for each diff file `<details><summary>…</summary>`
/// and `</details>` around exactly one `diff` code block.
fn assert_entry_html(part: &MdPart, entry: &ExpectedEntry, context: &str) {
    let anchor = format!(r#"<a id="a-{}"></a>"#, entry.id);
    let mut rest = part
        .html
        .strip_prefix(&anchor)
        .unwrap_or_else(|| panic!("{context}: raw HTML {:?}", part.html));
    let mut files = 0;
    while !rest.is_empty() {
        let after = rest
            .strip_prefix(SUMMARY_OPEN)
            .unwrap_or_else(|| panic!("{context}: raw HTML {rest:?}"));
        let end = after.find('<').unwrap_or(after.len());
        assert_summary_escaped(&after[..end], context);
        rest = after[end..]
            .strip_prefix(SUMMARY_CLOSE)
            .and_then(|r| r.strip_prefix(DETAILS_CLOSE))
            .unwrap_or_else(|| panic!("{context}: raw HTML {:?}", &after[end..]));
        files += 1;
    }
    assert_eq!(files, entry.diff_files, "{context}: diff files");
    for (summary, langs) in &part.details {
        assert_eq!(langs, &["diff"], "{context}: in <details> of {summary:?}");
    }
}

#[test]
fn markdown_documents_keep_their_structure() {
    let b = built();
    let repos = fixture_repos();
    for report in reports() {
        let id = &report.id;
        let md = read(&b.out.join(format!("reports/{id}.md")));
        let shape = md_shape(&md);
        let context = format!("{id}.md");

        // Exactly the template's headings: the title, three sections, a day, its entries.
        let mut wanted = vec![
            (HeadingLevel::H1, one_line(&report.title)),
            (HeadingLevel::H2, "Summary".to_string()),
            (HeadingLevel::H2, "Status".to_string()),
            (HeadingLevel::H2, "Timeline".to_string()),
        ];
        for (day, entries) in report.days() {
            wanted.push((HeadingLevel::H3, day));
            wanted.extend(
                entries
                    .iter()
                    .map(|e| (HeadingLevel::H4, one_line(type_label(&e.kind).trim()))),
            );
        }
        assert_eq!(shape.headings, wanted, "{context}: headings\n{md}");
        // Quoted Markdown keeps its headings, below the document's own levels.
        for (level, text) in &shape.quoted_headings {
            assert!(
                *level >= HeadingLevel::H5,
                "{context}: quoted {level} {text:?}"
            );
        }

        // The only raw HTML is each entry's anchor and each diff file's <details>.
        assert!(
            shape.front.html.is_empty(),
            "{context}: raw HTML {:?}",
            shape.front.html
        );
        assert_eq!(
            shape.entries.len(),
            report.entries.len(),
            "{context}: anchors"
        );
        for (part, entry) in shape.entries.iter().zip(&report.entries) {
            let context = format!("{context}: entry {}", entry.id);
            assert_entry_html(part, entry, &context);
            assert_eq!(
                part.code_blocks.len(),
                entry.code_blocks,
                "{context}: code blocks {:?}",
                part.code_blocks
            );
            code_md(part, entry, &report, &context);
        }
        assert!(shape.front.code_blocks.is_empty(), "{context}");

        assert_md_links_safe(&shape, &repos, &context);
        if report.github_repo().is_none() {
            let blob: Vec<_> = shape
                .links
                .iter()
                .filter(|l| l.contains("/blob/"))
                .collect();
            assert!(blob.is_empty(), "{context}: {blob:?}");
        }

        status_table_md(&shape, &report, &context);

        // The pull request is linked when it is a web URL.
        assert!(!report.prs.is_empty(), "the fixture's reports have a PR");
        for pr in &report.prs {
            let linked = shape.links.iter().any(|l| percent_decoded(l) == *pr);
            assert_eq!(linked, is_web(pr), "{context}: {pr:?} in {:?}", shape.links);
        }

        let missing: Vec<_> = report
            .markers
            .iter()
            .filter(|m| {
                !has_marker(&shape.text, m)
                    && !shape
                        .links
                        .iter()
                        .any(|l| percent_decoded(l).contains(m.as_str()))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "{context}: markers missing: {missing:?}\n{md}"
        );
    }
    // An email autolink in a note stays a mailto: link.
    let md = read(&b.out.join(format!("reports/{}.md", reports()[0].id)));
    let shape = md_shape(&md);
    assert!(
        shape.links.iter().any(|l| l == "mailto:ana@example.com"),
        "{:?}",
        shape.links
    );
}

/// The status table: a header and one row per status type, five cells each. GFM drops the
/// cells a row has beyond the header's, so the cells' text is checked too: a pipe that split a
/// value or its reasoning would shift the actor, the time and the earlier values out of their
/// columns.
fn status_table_md(shape: &MdShape, report: &Expected, context: &str) {
    assert!(!report.status.is_empty());
    // The status table, then the pull requests' table (one row per PR, four cells).
    let pr_table = usize::from(!report.prs.is_empty());
    assert_eq!(shape.tables.len(), 1 + pr_table, "{context}: tables");
    if let Some(prs) = shape.tables.get(1) {
        assert_eq!(prs.len(), report.prs.len() + 1, "{context}: PR rows");
        assert!(prs.iter().all(|r| r.len() == 4), "{context}: PR cells");
    }
    let rows = &shape.tables[0];
    assert_eq!(
        rows.len(),
        report.status.len() + 1,
        "{context}: status rows"
    );
    for row in rows {
        let texts: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(row.len(), 5, "{context}: status row {texts:?}");
    }
    for (row, want) in rows[1..].iter().zip(&report.status) {
        let texts: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
        let context = format!("{context}: status row {texts:?}");
        assert_eq!(row[0].text, want.label, "{context}");
        // The value, then a one-line excerpt of the reasoning.
        let why = want
            .explanation
            .as_deref()
            .map(|w| format!(" — {}", markdown_excerpt(w, EXCERPT)))
            .unwrap_or_default();
        match &want.value {
            Some(value) => assert_eq!(row[1].text, format!("{value}{why}"), "{context}"),
            None => assert!(row[1].text.ends_with(&why), "{context}"),
        }
        assert!(row[1].links.is_empty(), "{context}: {:?}", row[1].links);
        // Every status row of the fixture is the system's.
        assert_eq!(row[2].text, "system", "{context}");
        assert_eq!(row[3].text, want.time, "{context}");
        assert_eq!(row[3].links, [format!("#a-{}", want.current)], "{context}");
        // Superseded: a link to each earlier value, or a dash.
        let links: Vec<String> = want
            .earlier
            .iter()
            .map(|(e, _)| format!("#a-{e}"))
            .collect();
        assert_eq!(row[4].links, links, "{context}");
        if want.earlier.is_empty() {
            assert_eq!(row[4].text, "—", "{context}");
        } else if let Some(values) = want
            .earlier
            .iter()
            .map(|(_, v)| v.clone())
            .collect::<Option<Vec<String>>>()
        {
            assert_eq!(row[4].text, values.join(" → "), "{context}");
        }
    }
}

/// A code reference's caption link and code, exactly as stored.
fn code_md(part: &MdPart, entry: &ExpectedEntry, report: &Expected, context: &str) {
    if entry.kind != "code_reference" || entry.content.is_none() {
        return;
    }
    let path = entry.field("file_path").expect("file_path");
    let contents = entry.field("contents").expect("contents");
    assert_eq!(
        part.code_blocks.first().map(|(_, text)| text.as_str()),
        Some(format!("{}\n", code_lines(contents).join("\n")).as_str()),
        "{context}: code"
    );
    let blob: Vec<&String> = part
        .links
        .iter()
        .filter(|l| l.starts_with("https://github.com/"))
        .collect();
    match report.github_repo().filter(|_| linkable_path(path)) {
        Some(repo) => {
            assert_eq!(blob.len(), 1, "{context}: {blob:?}");
            assert_blob_link(blob[0], repo, path, span_of(entry), context);
        }
        None => assert!(blob.is_empty(), "{context}: {blob:?}"),
    }
}

#[test]
fn index_markdown_keeps_one_row_per_report() {
    let b = built();
    let expected = reports();
    let md = read(&b.out.join("index.md"));
    let shape = md_shape(&md);
    assert_eq!(
        shape.headings,
        [(HeadingLevel::H1, "Signals reports".to_string())],
        "{md}"
    );
    assert!(shape.html.is_empty(), "{:?}", shape.html);
    assert_md_links_safe(&shape, &fixture_repos(), "index.md");
    assert_eq!(shape.tables.len(), 1, "{md}");
    let rows = &shape.tables[0];
    assert_eq!(rows.len(), expected.len() + 1, "{md}");
    for row in rows {
        assert_eq!(row.len(), 7, "index row {:?}\n{md}", row.len());
    }
    let titles: BTreeSet<String> = rows[1..].iter().map(|r| r[0].text.clone()).collect();
    let wanted: BTreeSet<String> = expected.iter().map(|r| one_line(&r.title)).collect();
    assert_eq!(titles, wanted, "{md}");
    for row in &rows[1..] {
        // Each pull request and its state; only web URLs are links (checked below).
        assert!(
            row[6].text.ends_with("Status unavailable"),
            "PR column of {:?}: {:?}",
            row[0].text,
            row[6].text
        );
    }
    // Every link survived its cell: each report's, and each pull request that is a web URL.
    let links: BTreeSet<String> = shape.links.iter().map(|l| percent_decoded(l)).collect();
    let mut wanted: BTreeSet<String> = expected
        .iter()
        .map(|r| format!("reports/{}.md", r.id))
        .collect();
    wanted.extend(
        expected
            .iter()
            .flat_map(|r| r.prs.clone())
            .filter(|u| is_web(u)),
    );
    assert_eq!(links, wanted, "{md}");
}

// =============================================================================================
// Issue 12: the work and output one entry can cause are bounded. Markdown bombs (block quotes
// and lists nested tens of thousands deep, a 1,000 × 1,000 table, a 50 MB note) rendered by
// the library and by the binary (`build`, `export --format pr`) from a SQLite archive: every
// run finishes, every output stays within a fixed multiple of its input plus a constant, no
// character of the text is lost, and a notice says what was done. Then property tests: any
// text, and texts made of Markdown's block and inline markers, render within the same bound.
// =============================================================================================

mod bounded_markdown {
    use proptest::prelude::*;
    use proptest::test_runner::Config;
    use reportpress::render::text::{escape_html, markdown_to_html, markdown_to_markdown};

    use crate::common::*;

    /// One text's rendering (HTML, or Markdown re-emitted) is at most this many times the
    /// text's size, plus [`SLACK`] bytes (`render::text::OUTPUT_FACTOR`, `OUTPUT_SLACK`).
    const FACTOR: usize = 10;
    const SLACK: usize = 4096;
    /// A whole report page of one note: the note's rendering ([`FACTOR`]), each of its lines
    /// quoted once more in the Markdown document (at most twice the size), plus the page.
    const PAGE_FACTOR: usize = 2 * FACTOR + 1;
    const PAGE_SLACK: usize = 64 * 1024;
    /// GitHub's byte limit for one comment, which `export --format pr` keeps to.
    const PR_MAX_BYTES: usize = 262_144;

    const REPORT: &str = "0d000000-0000-7000-8000-000000000001";
    const NOTE: &str = "0d000000-0000-7000-8000-000000000101";

    fn within(output: usize, input: usize, factor: usize, slack: usize) -> bool {
        output <= input * factor + slack
    }

    /// An archive of one report holding one note of `text`.
    fn fixture(text: &str) -> String {
        let content = serde_json::json!({ "note": text, "author": "bomb" }).to_string();
        format!(
            "[[posthog_team]]\nid = 1\nname = \"Bombs\"\n\n\
             [[posthog_user]]\nid = 1\nuuid = \"00000000-0000-4000-8000-0000000000b1\"\n\
             email = \"b@example.com\"\nfirst_name = \"Bo\"\nlast_name = \"Mb\"\n\n\
             [[signals_signalreport]]\nid = \"{REPORT}\"\nteam_id = 1\nstatus = \"ready\"\n\
             title = \"One note of hostile shape\"\nsummary = \"A short summary.\"\n\
             created_at = \"2026-10-01T00:00:00Z\"\n\n\
             [[signals_signalreportartefact]]\nid = \"{NOTE}\"\nteam_id = 1\n\
             report_id = \"{REPORT}\"\ntype = \"note\"\ncreated_at = \"2026-10-01T01:00:00Z\"\n\
             created_by_id = 1\nactor_kind = \"user\"\ncontent_raw = {}\n",
            serde_json::to_string(&content).expect("json")
        )
    }

    /// What a bomb's outputs must show: text of the note (as it appears in the Markdown, and
    /// escaped in the HTML) and the notice's opening words.
    struct Shows<'a> {
        text: &'a str,
        notice: Option<&'a str>,
    }

    /// The library on `text`: both renderings within the bound, deterministic, the text kept
    /// and the notice shown.
    fn library(name: &str, text: &str, shows: &Shows<'_>) {
        let html = markdown_to_html(text);
        let md = markdown_to_markdown(text);
        for (kind, out) in [("html", &html), ("markdown", &md)] {
            assert!(
                within(out.len(), text.len(), FACTOR, SLACK),
                "{name} ({kind}): {} bytes from {}",
                out.len(),
                text.len()
            );
        }
        assert!(
            md.contains(shows.text),
            "{name}: the text is kept (Markdown)"
        );
        assert!(
            html.contains(&escape_html(shows.text)),
            "{name}: the text is kept (HTML)"
        );
        if let Some(notice) = shows.notice {
            assert!(
                html.starts_with(&format!(r#"<p class="notice">{notice}"#)),
                "{name}: {}",
                &html[..html.len().min(300)]
            );
            assert!(md.starts_with(&format!("**Notice:** {notice}")), "{name}");
        }
        assert!(markdown_to_markdown(text) == md, "{name}: deterministic");
    }

    /// The binary on an archive of one note of `text`: `build` and `export --format pr` finish,
    /// the report's pages stay within the page bound and show the text and the notice; the
    /// comment within GitHub's limit.
    fn binary(name: &str, text: &str, shows: &Shows<'_>) {
        let scratch = Scratch::new("bomb");
        let db = sqlite_archive(&scratch.path("bomb.sqlite"), &fixture(text));
        let out = scratch.path("out");
        build(Some(&db), &out, &[]);
        let html = read(&out.join(format!("reports/{REPORT}.html")));
        let md = read(&out.join(format!("reports/{REPORT}.md")));
        for (kind, page) in [("html", &html), ("md", &md)] {
            assert!(
                within(page.len(), text.len(), PAGE_FACTOR, PAGE_SLACK),
                "{name}: reports/{REPORT}.{kind} is {} bytes for a note of {}",
                page.len(),
                text.len()
            );
        }
        assert!(
            html.contains(&escape_html(shows.text)),
            "{name}: the HTML page keeps the text"
        );
        // The note is quoted in the Markdown document: its lines carry a `> ` prefix. Shown
        // as plain text, it is there whole; nested past the bound, its lines are indented.
        let whole = shows.notice != Some(NESTED);
        let quoted: String = shows
            .text
            .lines()
            .take(if whole { usize::MAX } else { 1 })
            .map(|line| match line {
                "" => ">\n".to_string(),
                line if whole => format!("> {line}\n"),
                line => format!("{line}\n"),
            })
            .collect();
        assert!(
            md.contains(&quoted),
            "{name}: the Markdown page keeps the text"
        );
        if let Some(notice) = shows.notice {
            assert!(
                html.contains(&format!(r#"<p class="notice">{notice}"#)),
                "{name}"
            );
            assert!(md.contains(&format!("> **Notice:** {notice}")), "{name}");
        }
        let pr = reportpress(&["export", REPORT, "--database", &db, "--format", "pr"]);
        assert!(
            pr.status.success(),
            "{name}: export failed: {}",
            stderr(&pr)
        );
        assert!(
            pr.stdout.len() <= PR_MAX_BYTES,
            "{name}: a comment of {} bytes",
            pr.stdout.len()
        );
        eprintln!(
            "{name}: note {} bytes -> html page {}, md page {}, pr comment {}",
            text.len(),
            html.len(),
            md.len(),
            pr.stdout.len()
        );
    }

    const NESTED: &str = "This text nests quotes or lists more than 16 levels deep";
    const MARKERS: &str = "This text opens more than 64 quotes or lists on one line";
    const PLAIN: &str = "This text is ";

    #[test]
    fn block_quotes_20000_deep_are_shown_as_plain_text() {
        let text = ">".repeat(20_000);
        let shows = Shows {
            text: &text,
            notice: Some(MARKERS),
        };
        library("> x 20,000", &text, &shows);
        binary("> x 20,000", &text, &shows);
    }

    #[test]
    fn block_quotes_48000_deep_are_shown_as_plain_text() {
        let text = format!("{}the innermost words", ">".repeat(48_000));
        let shows = Shows {
            text: &text,
            notice: Some(MARKERS),
        };
        library("> x 48,000", &text, &shows);
        binary("> x 48,000", &text, &shows);
        // Short lines after it, each a lazy continuation of the innermost paragraph: the
        // parser would walk 48,000 quotes for each.
        let text = format!("{text}\n{}", "more\n".repeat(40_000));
        let shows = Shows {
            text: &text,
            notice: Some(MARKERS),
        };
        library("> x 48,000 then 40,000 lines", &text, &shows);
    }

    #[test]
    fn list_markers_50000_deep_are_shown_as_plain_text() {
        // `* ` x 50,000 alone is one thematic break (a line of `*` and spaces); with a word
        // after it, 50,000 nested lists. Either way the line has too many markers.
        for (marker, tail) in [("* ", ""), ("* ", "deep"), ("- ", "deep"), ("1. ", "deep")] {
            let text = format!("{}{tail}", marker.repeat(50_000));
            let shows = Shows {
                text: &text,
                notice: Some(MARKERS),
            };
            let name = format!("{marker:?} x 50,000 {tail}");
            library(&name, &text, &shows);
            if marker == "* " {
                binary(&name, &text, &shows);
            }
        }
    }

    #[test]
    fn quotes_and_lists_past_16_levels_are_shown_as_written_at_level_16() {
        // Under the markers bound: rendered, and what is deeper than 16 levels shown as its
        // source, in a code block at level 16.
        let quotes = format!("{}the innermost words\n", ">".repeat(40));
        let lists: String = (0..30)
            .map(|d| format!("{}- item {d}\n", "  ".repeat(d)))
            .collect();
        for (name, text, kept) in [
            ("> x 40", quotes.as_str(), quotes.trim_end()),
            ("lists 30 deep", lists.as_str(), "  - item 16"),
        ] {
            let shows = Shows {
                text: kept,
                notice: Some(NESTED),
            };
            library(name, text, &shows);
            binary(name, text, &shows);
        }
    }

    #[test]
    fn a_1000_by_1000_table_is_shown_as_plain_text() {
        let row = |r: usize| -> String {
            let cells: String = (0..1000)
                .map(|c| format!("|{:03}", (r * 7 + c) % 1000))
                .collect();
            format!("{cells}|\n")
        };
        let mut text = row(0);
        text.push_str(&"|---".repeat(1000));
        text.push_str("|\n");
        (1..=1000).for_each(|r| text.push_str(&row(r)));
        assert!(text.len() > 3_900_000, "{}", text.len());
        let shows = Shows {
            text: &text,
            notice: Some(PLAIN),
        };
        library("1000 x 1000 table", &text, &shows);
        binary("1000 x 1000 table", &text, &shows);
    }

    #[test]
    fn a_50_mb_note_is_shown_as_plain_text() {
        let mut text = String::with_capacity(50 * 1024 * 1024 + 200);
        let mut n = 0;
        while text.len() < 50 * 1024 * 1024 {
            text.push_str(&format!(
                "Line {n} of a pasted log: `job-{}` retried *twice* <after> a [timeout](https://example.com/{n})\n",
                n % 97
            ));
            n += 1;
        }
        let shows = Shows {
            text: &text,
            notice: Some(PLAIN),
        };
        library("50 MB note", &text, &shows);
        binary("50 MB note", &text, &shows);
    }

    /// Text made of Markdown's markers: quotes, list markers, ordered-list numbers, backticks,
    /// table pipes, emphasis, links, headings, raw HTML, line endings and spaces, in runs (so
    /// deep nesting and long rows come up) as well as alone.
    fn marked_text() -> impl Strategy<Value = String> {
        let atom = prop_oneof![
            4 => Just(">".to_string()),
            3 => Just("> ".to_string()),
            3 => Just("* ".to_string()),
            2 => Just("*".to_string()),
            3 => Just("- ".to_string()),
            1 => Just("-".to_string()),
            3 => "[0-9]{1,3}[.)] ?",
            2 => "`{1,4}",
            3 => Just("|".to_string()),
            1 => Just("|-".to_string()),
            5 => Just("\n".to_string()),
            1 => Just("\r\n".to_string()),
            3 => " {1,5}",
            1 => Just("\t".to_string()),
            1 => "#{1,7} ",
            1 => Just("[a](https://e.example/x)".to_string()),
            1 => Just("<b>".to_string()),
            1 => Just("_".to_string()),
            1 => Just("~~".to_string()),
            1 => Just("[ ] ".to_string()),
            4 => "[a-z]{1,6}",
            1 => "\\PC{1,3}",
        ]
        .boxed();
        let run = (atom.clone(), 1usize..60).prop_map(|(a, n)| a.repeat(n));
        prop::collection::vec(prop_oneof![2 => atom, 1 => run], 0..60)
            .prop_map(|parts| parts.concat())
    }

    fn check(text: &str) -> Result<(), TestCaseError> {
        let html = markdown_to_html(text);
        let md = markdown_to_markdown(text);
        prop_assert!(
            within(html.len(), text.len(), FACTOR, SLACK),
            "html: {} bytes from {}",
            html.len(),
            text.len()
        );
        prop_assert!(
            within(md.len(), text.len(), FACTOR, SLACK),
            "markdown: {} bytes from {}",
            md.len(),
            text.len()
        );
        prop_assert_eq!(markdown_to_html(text), html);
        // Shown as plain text: every character is there (line endings made `\n`).
        if md.starts_with("**Notice:** This text") && md.contains("shown as plain text") {
            let text = text.replace("\r\n", "\n").replace('\r', "\n");
            prop_assert!(md.contains(&text), "{md}");
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(Config {
            cases: 1000,
            failure_persistence: None,
            ..Config::default()
        })]

        /// Any string: no panic, both renderings within the bound.
        #[test]
        fn any_text_renders_within_the_bound(text in any::<String>()) {
            check(&text)?;
        }

        /// Markers in runs and mixes (deep quotes and lists, wide tables, long fences).
        #[test]
        fn marked_text_renders_within_the_bound(text in marked_text()) {
            check(&text)?;
        }

    }

    proptest! {
        // Texts of up to a few hundred kilobytes: fewer cases.
        #![proptest_config(Config {
            cases: 200,
            failure_persistence: None,
            ..Config::default()
        })]

        /// One marker repeated to a depth around and far past the nesting bound, then text.
        #[test]
        fn deep_markers_render_within_the_bound(
            marker in prop_oneof![Just(">"), Just("> "), Just("* "), Just("- "), Just("1. "), Just("> * "), Just("  ")],
            depth in prop_oneof![0usize..40, 0usize..3000],
            tail in "[a-z \n>*|-]{0,40}",
            lines in 1usize..12,
        ) {
            let text = format!("{}{tail}\n", marker.repeat(depth)).repeat(lines);
            check(&text)?;
        }
    }
}
