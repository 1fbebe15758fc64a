//! `reportpress export`, through the binary:
//!
//! - every demo report as a PR comment (`--format pr`) rendered by comrak, a CommonMark + GFM
//!   implementation (tables, strikethrough, autolinks, task lists, GitHub alerts, raw HTML passed
//!   through as GitHub passes its allowed tags): the hidden marker first, the title, the summary
//!   table, one `h4` per entry, every `<details>`/`<summary>` closed and nested, every fence
//!   closed, only absolute links; `--format md` with and without `--base-url`: no relative link;
//! - a generated report far over GitHub's limits (thousands of entries, megabytes of diff)
//!   trimmed to 65,536 code points and 262,144 bytes (or `--max-chars`) with a notice whose
//!   counts match what is left, the same bytes run after run; multi-byte text for the byte budget;
//!   `--max-chars 1000` on every demo report, a summary of megabytes and an endless title;
//! - hostile content (mentions, issue references, alerts, raw HTML, fence breakers, character
//!   references) inert: `fixtures/export_hostile.toml`, and the archive's `fixtures/hostile.toml`;
//! - the `html` export loads nothing from anywhere (every `src`/`href` inside the file, on
//!   GitHub, under `--base-url` or written in the report's own text) and opens in headless
//!   Chromium with the network disabled (skip/fail semantics of tests/browser.rs);
//! - unknown, other team's and deleted reports exit 1 with one clear line, a malformed uuid 2;
//! - PostgreSQL and SQLite export the same bytes (when `REPORTPRESS_TEST_POSTGRES_URL` is set).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use std::time::Instant;

use crate::common::*;
use comrak::nodes::NodeValue;
use scraper::{ElementRef, Html, Selector};

const SEMANTICS: &str = include_str!("../fixtures/semantics.toml");
const HOSTILE: &str = include_str!("../fixtures/hostile.toml");
const EXPORT_HOSTILE: &str = include_str!("../fixtures/export_hostile.toml");
const HOSTILE_REPORT: &str = "0e000000-0000-7000-8000-000000000001";

/// GitHub's comment limits, which `--format pr` keeps to by default.
const MAX_CHARS: usize = 65_536;
const MAX_BYTES: usize = 262_144;
const ZWSP: char = '\u{200B}';
const NOTICE: &str = "> **Trimmed to fit a GitHub comment:** ";

// ---- Running the binary ----------------------------------------------------------------------

fn export(args: &[&str]) -> Output {
    let mut all = vec!["export"];
    all.extend(args);
    reportpress(&all)
}

/// The export's standard output; the run must succeed.
fn export_ok(args: &[&str]) -> String {
    let out = export(args);
    assert!(
        out.status.success(),
        "export {args:?} failed ({}): {}",
        out.status,
        stderr(&out)
    );
    String::from_utf8(out.stdout).expect("export output is UTF-8")
}

/// A report row of a fixture.
struct ReportRow {
    id: String,
    title: String,
    status: String,
    /// Every string of the report's own rows (report and artefacts), to find where a link
    /// came from.
    text: String,
    /// Its entries: artefact rows and legacy link rows (see `common::entry_ids`).
    artefacts: Vec<String>,
}

fn reports_of(fixture: &str) -> Vec<ReportRow> {
    let artefacts = fixture_rows(fixture, "signals_signalreportartefact");
    fixture_rows(fixture, "signals_signalreport")
        .iter()
        .map(|r| {
            let id = str_of(r, "id").to_string();
            let own: Vec<&toml::Table> = artefacts
                .iter()
                .filter(|a| str_of(a, "report_id") == id)
                .collect();
            let mut text = String::new();
            strings(&toml::Value::Table(r.clone()), &mut text);
            for a in &own {
                strings(&toml::Value::Table((*a).clone()), &mut text);
            }
            ReportRow {
                title: str_of(r, "title").to_string(),
                status: str_of(r, "status").to_string(),
                artefacts: entry_ids(fixture, &id),
                text,
                id,
            }
        })
        .collect()
}

/// Every string in `value`, one a line.
fn strings(value: &toml::Value, out: &mut String) {
    match value {
        toml::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        toml::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        toml::Value::Table(t) => t.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

fn live_demo_reports() -> Vec<ReportRow> {
    let reports: Vec<ReportRow> = reports_of(DEMO)
        .into_iter()
        .filter(|r| r.status != "deleted")
        .collect();
    assert!(reports.len() >= 10, "the demo has its reports");
    reports
}

// ---- Reading Markdown as GitHub does ---------------------------------------------------------

/// A Markdown document as a GFM renderer reads it.
struct Gfm {
    html: String,
    doc: Html,
    /// Every code block: (fenced, closed by its fence, literal).
    code_blocks: Vec<(bool, bool, String)>,
    alerts: usize,
    /// The source line (1-based) where each block quote starts.
    quote_lines: Vec<usize>,
}

fn gfm(markdown: &str) -> Gfm {
    let options = gfm_options();
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, markdown, &options);
    let (mut code_blocks, mut alerts, mut quote_lines) = (Vec::new(), 0, Vec::new());
    for node in root.descendants() {
        let ast = node.data.borrow();
        match &ast.value {
            NodeValue::CodeBlock(cb) => {
                code_blocks.push((cb.fenced, cb.closed, cb.literal.clone()))
            }
            NodeValue::Alert(_) => alerts += 1,
            NodeValue::BlockQuote => quote_lines.push(ast.sourcepos.start.line),
            _ => {}
        }
    }
    let mut html = String::new();
    comrak::format_html(root, &options, &mut html).expect("comrak renders");
    let doc = Html::parse_fragment(&html);
    Gfm {
        html,
        doc,
        code_blocks,
        alerts,
        quote_lines,
    }
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("selector")
}

/// Visible text: zero-width spaces dropped, whitespace collapsed.
fn text(e: ElementRef) -> String {
    plain(&e.text().collect::<String>())
}

fn plain(s: &str) -> String {
    s.replace(ZWSP, "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn texts(doc: &Html, css: &str) -> Vec<String> {
    doc.select(&sel(css)).map(text).collect()
}

/// One tag of an HTML text: its name (lowercase), whether it closes, whether it closes itself.
#[derive(Debug)]
struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    source: String,
}

/// The tags and comments of `html` in order. Text is escaped in a renderer's output, so every
/// `<` is markup: comrak's own or raw HTML that the Markdown passed through.
fn tags(html: &str) -> (Vec<Tag>, Vec<String>) {
    let (mut tags, mut comments) = (Vec::new(), Vec::new());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            let end = comment.find("-->").map_or(comment.len(), |e| e + 3);
            comments.push(rest[..4 + end].to_string());
            rest = &comment[end..];
            continue;
        }
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let source = &rest[..end];
        let closing = source.starts_with("</");
        let name: String = source[if closing { 2 } else { 1 }..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if !name.is_empty() {
            tags.push(Tag {
                name,
                closing,
                self_closing: source.ends_with("/>"),
                source: source.to_string(),
            });
        }
        rest = &rest[end.max(1)..];
    }
    (tags, comments)
}

const VOID: &[&str] = &["br", "hr", "input", "img", "meta", "link"];

/// Every element of `html` is closed, in order; each `<summary>` is the first child of a
/// `<details>`, which has exactly one.
fn assert_well_nested(html: &str, what: &str) {
    let (tags, _) = tags(html);
    let mut stack: Vec<(&str, usize)> = Vec::new();
    // For each open `details`: how many children it has had, how many summaries.
    let mut details: Vec<(usize, usize)> = Vec::new();
    for (n, tag) in tags.iter().enumerate() {
        let name = tag.name.as_str();
        if VOID.contains(&name) || tag.self_closing {
            continue;
        }
        if tag.closing {
            match stack.pop() {
                Some((open, _)) if open == name => {}
                other => panic!(
                    "{what}: `{}` (tag {n}) closes {other:?}; open: {:?}\n{}",
                    tag.source,
                    stack.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
                    context(html, &tag.source)
                ),
            }
            if name == "details" {
                let (_, summaries) = details.pop().expect("details counted");
                assert_eq!(summaries, 1, "{what}: a <details> without one <summary>");
            }
            continue;
        }
        if stack.last().is_some_and(|(t, _)| *t == "details") {
            let (children, summaries) = details.last_mut().expect("details counted");
            if name == "summary" {
                assert_eq!(*children, 0, "{what}: <summary> not first in <details>");
                *summaries += 1;
            }
            *children += 1;
        } else {
            assert_ne!(name, "summary", "{what}: <summary> outside <details>");
        }
        if name == "details" {
            details.push((0, 0));
        }
        stack.push((name, n));
    }
    assert!(stack.is_empty(), "{what}: never closed: {stack:?}");
}

fn context(html: &str, needle: &str) -> String {
    let at = html.find(needle).unwrap_or(0);
    let start = html.floor_char_boundary(at.saturating_sub(300));
    let end = html.ceil_char_boundary((at + 300).min(html.len()));
    html[start..end].to_string()
}

/// What a PR comment is made of: the renderer's own elements and those of Markdown it
/// re-emits (headings of notes are demoted to h5/h6).
const PR_ELEMENTS: &[&str] = &[
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "ul",
    "ol",
    "li",
    "blockquote",
    "strong",
    "em",
    "code",
    "pre",
    "a",
    "details",
    "summary",
    "del",
    "br",
    "hr",
    "input",
];
const PR_ATTRIBUTES: &[&str] = &[
    "href", "title", "class", "type", "disabled", "checked", "align", "start",
];

/// Whether a link leaves the document for somewhere absolute.
fn absolute(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

/// The alert types GitHub knows (`> [!NOTE]` and so on, any case).
const ALERTS: &[&str] = &[
    "[!note]",
    "[!tip]",
    "[!important]",
    "[!warning]",
    "[!caution]",
];

/// `@name`, `#123` or `GH-123` that GitHub would turn into a mention or an issue link.
fn live_reference(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let live = match c {
            '@' => next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '_' || n == '-'),
            '#' => next.is_some_and(|n| n.is_ascii_digit()),
            '-' => {
                i >= 2
                    && chars[i - 2..i]
                        .iter()
                        .collect::<String>()
                        .eq_ignore_ascii_case("gh")
                    && (i < 3 || !chars[i - 3].is_alphanumeric())
                    && next.is_some_and(|n| n.is_ascii_digit())
            }
            _ => false,
        };
        if live {
            let from = i.saturating_sub(20);
            return Some(chars[from..(i + 20).min(chars.len())].iter().collect());
        }
    }
    None
}

/// What the checks of a PR comment found.
#[derive(Debug)]
struct Pr {
    gfm: Gfm,
    entries_shown: usize,
    /// From the trimming notice: entries shortened, entries omitted.
    trimmed: Option<(usize, usize)>,
    chars: usize,
    bytes: usize,
}

impl std::fmt::Debug for Gfm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gfm({} bytes of HTML)", self.html.len())
    }
}

/// The trimming notice's counts, when there is one.
fn notice_counts(markdown: &str) -> Option<(usize, usize)> {
    let line = markdown.lines().find(|l| l.starts_with(NOTICE))?;
    let rest = &line[NOTICE.len()..];
    let (short, rest) = rest.split_once(" entries shortened, ")?;
    let (omitted, _) = rest.split_once(" omitted")?;
    Some((
        short.parse().expect("shortened count"),
        omitted.parse().expect("omitted count"),
    ))
}

/// The `<details>` elements that no other `<details>` holds.
fn top_details(doc: &Html) -> Vec<ElementRef<'_>> {
    doc.select(&sel("details"))
        .filter(|d| {
            !d.ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().name() == "details")
        })
        .collect()
}

/// The text a reader sees before opening anything: every text outside `<details>`, plus the
/// `<summary>` lines of the top-level ones; zero-width spaces dropped, whitespace collapsed.
fn visible_outside_details(doc: &Html) -> String {
    let mut parts = Vec::new();
    for node in doc.root_element().descendants() {
        let scraper::Node::Text(t) = node.value() else {
            continue;
        };
        let holders: Vec<&str> = node
            .ancestors()
            .filter_map(|a| a.value().as_element().map(|e| e.name()))
            .filter(|n| matches!(*n, "details" | "summary"))
            .collect();
        // Outside every <details>, or in the summary of a top-level one.
        if holders.is_empty() || holders == ["summary", "details"] {
            parts.push(t.to_string());
        }
    }
    plain(&parts.join(" "))
}

/// Everything a PR comment of report `id` titled `title` with `entries` entries must be, as
/// GitHub would render it.
fn check_pr(markdown: &str, id: &str, title: &str, entries: usize) -> Pr {
    let what = format!("pr comment of {id}");
    let first = markdown.lines().next().unwrap_or_default();
    assert_eq!(first, format!("<!-- reportpress:report={id} -->"), "{what}");
    let g = gfm(markdown);

    // Every fence closed; every element closed and nested; the marker the only comment.
    for (fenced, closed, literal) in &g.code_blocks {
        assert!(
            !fenced || *closed,
            "{what}: a code block runs to the end of the comment:\n{}",
            &literal[..literal.floor_char_boundary(500)]
        );
    }
    assert_eq!(
        g.html.matches("<pre").count(),
        g.code_blocks.len(),
        "{what}: every code block is one <pre>"
    );
    assert_well_nested(&g.html, &what);
    let (all_tags, comments) = tags(&g.html);
    assert_eq!(comments, vec![first.to_string()], "{what}: comments");
    assert!(g.html.starts_with(first), "{what}: the marker comes first");
    let names: BTreeSet<&str> = all_tags.iter().map(|t| t.name.as_str()).collect();
    let foreign: Vec<&&str> = names.iter().filter(|n| !PR_ELEMENTS.contains(n)).collect();
    assert!(foreign.is_empty(), "{what}: foreign elements {foreign:?}");
    for e in g
        .doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        for (name, value) in e.value().attrs() {
            assert!(
                PR_ATTRIBUTES.contains(&name),
                "{what}: attribute {name}={value:?} on <{}>",
                e.value().name()
            );
        }
    }

    // Links: absolute only, no fragment (GitHub rewrites ids in comments).
    for a in g.doc.select(&sel("[href]")) {
        let href = a.value().attr("href").unwrap_or_default();
        assert!(absolute(href), "{what}: relative link {href:?}");
    }

    // No alert: none that comrak finds, and no quote whose first line is an alert marker.
    assert_eq!(g.alerts, 0, "{what}: a GitHub alert");
    let lines: Vec<&str> = markdown.lines().collect();
    for &n in &g.quote_lines {
        let line = lines[n - 1]
            .trim_start_matches(|c: char| c == '>' || c.is_whitespace())
            .to_ascii_lowercase();
        assert!(
            !ALERTS.iter().any(|a| line.starts_with(a)),
            "{what}: alert syntax at line {n}: {:?}",
            lines[n - 1]
        );
    }

    // Mentions and issue references: none live in text outside code.
    for node in g.doc.root_element().descendants() {
        let scraper::Node::Text(t) = node.value() else {
            continue;
        };
        let in_code = node.ancestors().any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| matches!(e.name(), "code" | "pre"))
        });
        if !in_code && let Some(live) = live_reference(t) {
            panic!("{what}: a live mention or issue reference: {live:?}");
        }
    }
    // A character reference cut in two would show as text. Checked in the Markdown, where a
    // reference's own `&` is told from the text "&#9;" (written `&amp;#9;`, whose `#9` is
    // rightly made inert: GitHub would link it as issue 9); the rendered text cannot tell them.
    for cut in ["&#\u{200B}", "&\u{200B}"] {
        if let Some(at) = markdown.find(cut) {
            let around = &markdown[markdown.floor_char_boundary(at.saturating_sub(40))
                ..markdown.ceil_char_boundary((at + 40).min(markdown.len()))];
            panic!("{what}: a broken character reference in {around:?}");
        }
    }

    // The structure: the title, the state table, the judgments and PRs, then one `<details>`
    // holding the timeline, one h4 per entry shown.
    let h2 = texts(&g.doc, "h2");
    assert_eq!(h2, vec![plain(title)], "{what}: h2");
    let h3 = texts(&g.doc, "h3");
    assert!(
        h3.iter().all(|h| h == "Judgments" || h == "Pull requests") && h3.len() <= 2,
        "{what}: h3 {h3:?}"
    );
    let outer = top_details(&g.doc);
    assert_eq!(outer.len(), 1, "{what}: one <details> at the top level");
    let timeline = outer[0];
    let summary = timeline
        .select(&sel("summary"))
        .next()
        .map(text)
        .unwrap_or_default();
    let noun = if entries == 1 { "entry" } else { "entries" };
    assert!(
        summary.starts_with(&format!("Timeline: {entries} {noun}")),
        "{what}: the timeline's summary {summary:?}"
    );
    let in_details = |e: ElementRef| {
        e.ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| a.value().name() == "details")
    };
    let outside = g
        .doc
        .select(&sel("h2, h3"))
        .chain(g.doc.select(&sel("table")).take(1))
        .all(|e| !in_details(e));
    assert!(
        outside,
        "{what}: the title, state table, judgments and PRs are outside the timeline"
    );
    assert_eq!(
        timeline.select(&sel("h4")).count(),
        g.doc.select(&sel("h4")).count(),
        "{what}: every entry is inside the timeline's <details>"
    );
    let table = g.doc.select(&sel("table")).next().expect("summary table");
    assert!(
        table
            .parent()
            .and_then(|p| p.value().as_element())
            .is_none_or(|p| p.name() == "html"),
        "{what}: the summary table is at the top level"
    );
    let head: Vec<String> = table.select(&sel("thead th")).map(text).collect();
    assert_eq!(
        head,
        [
            "Status",
            "Priority",
            "Actionability",
            "Repository",
            "Pull request",
            "Entries"
        ],
        "{what}"
    );
    let rows: Vec<Vec<String>> = table
        .select(&sel("tbody tr"))
        .map(|tr| tr.select(&sel("td")).map(text).collect())
        .collect();
    assert_eq!(rows.len(), 1, "{what}: one body row");
    assert_eq!(rows[0].len(), 6, "{what}: {:?}", rows[0]);
    assert_eq!(rows[0][5], entries.to_string(), "{what}: Entries cell");
    // The table comes before the judgments, the PRs and the timeline, and the notice (if any)
    // between them and the timeline.
    let (table_at, timeline_at) = (
        markdown.find("| Status |").expect("table"),
        markdown
            .find("\n<details><summary>Timeline: ")
            .expect("timeline"),
    );
    assert!(table_at < timeline_at, "{what}");
    for h in ["\n### Judgments\n", "\n### Pull requests\n"] {
        if let Some(at) = markdown.find(h) {
            assert!(table_at < at && at < timeline_at, "{what}: {h:?} placement");
        }
    }
    let trimmed = notice_counts(markdown);
    if trimmed.is_some() {
        let at = markdown.find(NOTICE).expect("notice");
        assert!(
            table_at < at && at < timeline_at,
            "{what}: notice placement"
        );
    }
    let shown = g.doc.select(&sel("h4")).count();
    let omitted = trimmed.map_or(0, |(_, m)| m);
    assert_eq!(
        shown + omitted,
        entries,
        "{what}: {shown} h4s, {omitted} omitted"
    );
    // Entries shortened: those whose folded parts became a line each.
    if let Some((short, _)) = trimmed {
        let shortened = markdown
            .split("\n#### ")
            .skip(1)
            .filter(|section| section.contains(" shortened to fit the comment._"))
            .count();
        assert_eq!(shortened, short, "{what}: shortened entries");
    } else {
        assert!(!markdown.contains("shortened to fit the comment"), "{what}");
    }
    Pr {
        entries_shown: shown,
        trimmed,
        chars: markdown.chars().count(),
        bytes: markdown.len(),
        gfm: g,
    }
}

// ---- 1. Every demo report through a GFM renderer ---------------------------------------------

#[test]
fn every_demo_report_as_a_pr_comment_keeps_its_structure_in_a_gfm_renderer() {
    let base = "https://reports.example.com/archive/";
    let (mut sizes, mut under_base) = (Vec::new(), 0);
    for report in live_demo_reports() {
        let md = export_ok(&[&report.id, "--format", "pr"]);
        let pr = check_pr(&md, &report.id, &report.title, report.artefacts.len());
        assert!(pr.chars <= MAX_CHARS && pr.bytes <= MAX_BYTES);
        // Every entry of the demo fits: nothing trimmed, every entry an h4.
        assert_eq!(pr.trimmed, None, "{}", report.id);
        assert_eq!(pr.entries_shown, report.artefacts.len());
        // Code from code references comes through verbatim, each in a closed block.
        for a in fixture_rows(DEMO, "signals_signalreportartefact")
            .iter()
            .filter(|a| {
                str_of(a, "report_id") == report.id && str_of(a, "type") == "code_reference"
            })
        {
            let Some(contents) = a
                .get("content")
                .and_then(|c| c.get("contents"))
                .and_then(|c| c.as_str())
            else {
                continue;
            };
            assert!(
                pr.gfm
                    .code_blocks
                    .iter()
                    .any(|(_, _, literal)| literal.trim_end() == contents.trim_end()),
                "{}: code of {} not one code block",
                report.id,
                str_of(a, "id")
            );
        }
        sizes.push((
            report.id.clone(),
            pr.chars,
            pr.bytes,
            pr.gfm.code_blocks.len(),
        ));
        // Without a base URL nothing links into the archive: other reports are plain text.
        let archive_links = |pr: &Pr| {
            pr.gfm
                .doc
                .select(&sel("a[href]"))
                .filter(|a| a.value().attr("href").is_some_and(|h| h.starts_with(base)))
                .count()
        };
        assert_eq!(archive_links(&pr), 0);
        // With one, people, tasks and other reports link under it, and the rest is the same.
        let with_base = export_ok(&[&report.id, "--format", "pr", "--base-url", base]);
        let pr = check_pr(
            &with_base,
            &report.id,
            &report.title,
            report.artefacts.len(),
        );
        under_base += archive_links(&pr);
        for a in pr.gfm.doc.select(&sel("a[href]")) {
            let href = a.value().attr("href").unwrap_or_default();
            if let Some(path) = href.strip_prefix(base) {
                assert!(
                    ["reports/", "tasks/", "people/"]
                        .iter()
                        .any(|p| path.starts_with(p))
                        && path.ends_with(".html")
                        && !path.contains('#'),
                    "{}: {href}",
                    report.id
                );
            }
        }
    }
    assert!(
        under_base > 0,
        "no link under --base-url in any demo comment"
    );
    eprintln!(
        "demo pr comments (id, chars, bytes, code blocks): {sizes:?}; {under_base} links under --base-url"
    );
}

/// The archive's Markdown document, standalone: no relative link, with or without a base URL;
/// fragments only to anchors the document has.
/// The richest demo report's comment reads like the bots people like: at most ~2,500
/// characters before anything is opened (as cmark-gfm shows it: the text outside `<details>`
/// and the timeline's summary line), then one `<details>` with the whole timeline; the
/// judgments come with their reasons and the PRs with their states, before it; a long note is
/// never folded apart from its author; no full URL is a link's text.
#[test]
fn the_richest_demo_reports_comment_is_short_until_opened() {
    let richest = live_demo_reports()
        .into_iter()
        .max_by_key(|r| (r.artefacts.len(), r.id.clone()))
        .expect("a demo report");
    let md = export_ok(&[&richest.id, "--format", "pr"]);
    let pr = check_pr(&md, &richest.id, &richest.title, richest.artefacts.len());
    assert!(pr.chars <= MAX_CHARS && pr.bytes <= MAX_BYTES);
    let visible = visible_outside_details(&pr.gfm.doc);
    let count = visible.chars().count();
    eprintln!(
        "{}: {count} characters visible outside <details> ({} chars in all)",
        richest.id, pr.chars
    );
    assert!(
        count <= 2_500,
        "{count} characters outside <details>:\n{visible}"
    );
    // The judgments, with their reasons, and the PRs, with their states.
    let judgments: Vec<String> = pr
        .gfm
        .doc
        .select(&sel("h3 + ul"))
        .next()
        .expect("the judgments' list")
        .select(&sel("li"))
        .map(text)
        .collect();
    let priority = judgments
        .iter()
        .find(|j| j.starts_with("Priority:"))
        .expect("the priority judgment");
    assert!(priority.contains(" — "), "with its reason: {priority}");
    assert!(visible.contains("Pull requests"), "{visible}");
    // Short link texts only: no link reads as a URL.
    for a in pr.gfm.doc.select(&sel("a[href]")) {
        let t = text(a);
        assert!(
            !t.starts_with("http://") && !t.starts_with("https://"),
            "a full URL as link text: {t}"
        );
    }
    // Notes are never folded on their own (the timeline is), so an author's line stays with
    // the note it signs.
    for s in pr.gfm.doc.select(&sel("summary")) {
        let t = text(s);
        assert!(
            !(t.starts_with("text (") && t.ends_with(" lines)")),
            "a note folded apart from its author: {t}"
        );
    }
}

#[test]
fn every_demo_report_as_markdown_has_no_relative_link() {
    let base = "https://reports.example.com/archive/";
    for report in live_demo_reports() {
        for with_base in [false, true] {
            let mut args = vec![report.id.as_str(), "--format", "md"];
            if with_base {
                args.extend(["--base-url", base]);
            }
            let md = export_ok(&args);
            let what = format!("md of {} (base url: {with_base})", report.id);
            let g = gfm(&md);
            assert!(g.code_blocks.iter().all(|(f, c, _)| !f || *c), "{what}");
            assert_well_nested(&g.html, &what);
            let anchors: BTreeSet<&str> = g
                .doc
                .select(&sel("a[id]"))
                .filter_map(|a| a.value().attr("id"))
                .collect();
            for id in &report.artefacts {
                assert!(anchors.contains(format!("a-{id}").as_str()), "{what}: {id}");
            }
            let mut under_base = 0;
            for a in g.doc.select(&sel("[href]")) {
                let href = a.value().attr("href").unwrap_or_default();
                match href.strip_prefix('#') {
                    Some(fragment) => {
                        assert!(
                            fragment.starts_with("a-") && anchors.contains(fragment),
                            "{what}: link to a missing anchor {href:?}"
                        )
                    }
                    None => assert!(absolute(href), "{what}: relative link {href:?}"),
                }
                under_base += usize::from(href.starts_with(base));
            }
            assert!(g.doc.select(&sel("[src]")).next().is_none(), "{what}: src");
            // The actors' and tasks' pages link under the base URL, and only with one.
            assert_eq!(under_base > 0, with_base, "{what}: {under_base} links");
            assert_eq!(texts(&g.doc, "h1"), vec![plain(&report.title)], "{what}");
        }
    }
}

// ---- 2. A report far over the limits ---------------------------------------------------------

/// A TOML basic string (JSON's escapes are TOML's).
fn toml_str(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

/// `minute` minutes after 2026-10-01 00:00 UTC (within October).
fn at(minute: usize) -> String {
    let (day, hour, min) = (1 + minute / 1440, (minute / 60) % 24, minute % 60);
    assert!(day <= 31);
    format!("2026-10-{day:02}T{hour:02}:{min:02}:00Z")
}

/// The marker of entry `i`, in a part of the entry that trimming keeps (a commit message, a
/// code reference's note, a note's author).
fn entry_marker(i: usize) -> String {
    format!("zqentry{i:05}x")
}

/// A report of `entries` artefacts, oldest first, one a minute: notes (most longer than the
/// fold, all with mentions and issue references), code references of 40 lines, and commits
/// whose diffs of `files` files × 50 lines add up to megabytes. `words` fill the text, and
/// the summary when none is given.
fn generated_fixture(
    id: &str,
    title: &str,
    summary: Option<&str>,
    entries: usize,
    files: usize,
    words: &[&str],
) -> String {
    let word = |n: usize| words[n % words.len()];
    let line = |seed: usize, count: usize| -> String {
        (0..count)
            .map(|k| word(seed * 7 + k * 3))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = format!(
        "[[posthog_team]]\nid = 1\nname = \"Generated\"\n\n\
         [[posthog_user]]\nid = 1\nuuid = \"00000000-0000-4000-8000-0000000000f1\"\n\
         email = \"gen@example.com\"\nfirst_name = \"Gen\"\nlast_name = \"Erated\"\n\n\
         [[signals_signalreport]]\nid = \"{id}\"\nteam_id = 1\nstatus = \"ready\"\n\
         title = {}\nsummary = {}\ncreated_at = \"2026-10-01T00:00:00Z\"\n\n",
        toml_str(title),
        toml_str(&summary.map_or_else(
            || {
                format!(
                    "A generated report: {}.\n\n- {}\n- {}\n",
                    line(1, 12),
                    line(2, 10),
                    line(3, 10)
                )
            },
            str::to_string
        )),
    );
    let artefact = |out: &mut String, i: usize, kind: &str, content: String| {
        out.push_str(&format!(
            "[[signals_signalreportartefact]]\nid = \"0b000000-0000-7000-8000-{:012x}\"\n\
             team_id = 1\nreport_id = \"{id}\"\ntype = \"{kind}\"\ncreated_at = \"{}\"\n\
             created_by_id = 1\nactor_kind = \"user\"\ncontent_raw = {}\n\n",
            i + 1,
            at(i),
            toml_str(&content)
        ));
    };
    for i in 0..entries {
        let marker = entry_marker(i);
        match i % 3 {
            0 => {
                // Notes: one in four short, the others over the fold (12 lines).
                let lines = if i % 4 == 0 { 3 } else { 16 };
                let note: Vec<String> = (0..lines)
                    .map(|l| format!("{} @user{i} #{} {}", line(i + l, 8), i + l, line(l, 4)))
                    .collect();
                artefact(
                    &mut out,
                    i,
                    "note",
                    serde_json::json!({"note": note.join("\n"), "author": marker}).to_string(),
                );
            }
            1 => {
                let code: Vec<String> = (0..40)
                    .map(|l| format!("    let v{l} = \"{}\"; // {}", line(i + l, 5), l))
                    .collect();
                artefact(
                    &mut out,
                    i,
                    "code_reference",
                    serde_json::json!({
                        "file_path": format!("src/module_{}/file_{i}.rs", i % 17),
                        "start_line": 100, "end_line": 139,
                        "contents": code.join("\n"),
                        "relevance_note": format!(
                            "{marker} {} @owner #{i} @reviewer{i} GH-{i} @org/team #{}",
                            line(i, 6),
                            i + 1
                        ),
                    })
                    .to_string(),
                );
            }
            _ => {
                let mut diff = String::new();
                for f in 0..files {
                    let path = format!("src/generated/area_{}/file_{i}_{f}.py", i % 11);
                    diff.push_str(&format!(
                        "diff --git a/{path} b/{path}\nindex 1234567..89abcde 100644\n\
                         --- a/{path}\n+++ b/{path}\n@@ -1,50 +1,50 @@ def f_{i}():\n"
                    ));
                    for l in 0..50 {
                        let sign = [" ", "-", "+", " ", " "][l % 5];
                        diff.push_str(&format!(
                            "{sign}    value_{l} = \"{}\"\n",
                            line(i + f + l, 6)
                        ));
                    }
                }
                artefact(
                    &mut out,
                    i,
                    "commit",
                    serde_json::json!({
                        "repository": "posthog/posthog",
                        "branch": "generated",
                        "commit_sha": format!("{:040x}", i + 1),
                        "message": format!(
                            "{marker} fix: {} (@dev{i}, #{i}, owner/repo#{i}, @org/team)",
                            line(i, 5)
                        ),
                        "note": null,
                        "diff": diff,
                    })
                    .to_string(),
                );
            }
        }
    }
    out
}

const LARGE_ID: &str = "0b000000-0000-7000-8000-000000000000";
const LARGE_ENTRIES: usize = 3_000;
const WORDS: &[&str] = &[
    "flag", "payload", "cache", "team", "request", "stale", "refresh", "event", "person", "merge",
    "replay", "snapshot", "buffer", "flush", "query", "cohort", "insight", "export",
];

/// The markers of the entries a comment shows, in order.
fn markers_shown(markdown: &str, entries: usize) -> Vec<usize> {
    (0..entries)
        .filter(|&i| markdown.contains(&entry_marker(i)))
        .collect()
}

#[test]
fn a_report_far_over_the_limits_is_trimmed_deterministically_with_a_notice() {
    let scratch = Scratch::new("export-large");
    let fixture = generated_fixture(
        LARGE_ID,
        "A very large generated report",
        None,
        LARGE_ENTRIES,
        3,
        WORDS,
    );
    let diff_bytes: usize = fixture_rows(&fixture, "signals_signalreportartefact")
        .iter()
        .filter_map(|a| {
            serde_json::from_str::<serde_json::Value>(str_of(a, "content_raw"))
                .ok()?
                .get("diff")?
                .as_str()
                .map(str::len)
        })
        .sum();
    assert!(diff_bytes > 4_000_000, "{diff_bytes} bytes of diff");
    let started = Instant::now();
    let db = sqlite_archive(&scratch.path("large.sqlite"), &fixture);
    let seeded = started.elapsed();
    let full_url = "https://reports.example.com/archive/reports/large.html";

    let started = Instant::now();
    let md = export_ok(&[LARGE_ID, "--database", &db, "--full-url", full_url]);
    let first_run = started.elapsed();
    let pr = check_pr(
        &md,
        LARGE_ID,
        "A very large generated report",
        LARGE_ENTRIES,
    );
    assert!(pr.chars <= MAX_CHARS, "{} chars", pr.chars);
    assert!(pr.bytes <= MAX_BYTES, "{} bytes", pr.bytes);
    let (short, omitted) = pr.trimmed.expect("a trimming notice");
    assert!(
        short > 0 && omitted > 0,
        "{short} shortened, {omitted} omitted"
    );
    let notice = md.lines().find(|l| l.starts_with(NOTICE)).expect("notice");
    assert!(
        notice.contains(&format!("({full_url})")) || notice.contains(&format!("(<{full_url}>)")),
        "the notice links the full export: {notice}"
    );
    // Whole entries go oldest first: what is left is the newest entries, each complete or
    // shortened, in order.
    let shown = markers_shown(&md, LARGE_ENTRIES);
    assert_eq!(
        shown,
        (omitted..LARGE_ENTRIES).collect::<Vec<_>>(),
        "the oldest {omitted} entries omitted, the rest shown"
    );
    // Nothing of an omitted entry is left, and shortened entries keep their heads.
    assert_eq!(pr.entries_shown, LARGE_ENTRIES - omitted);
    // The budget is used: the comment is not trimmed far below the limit.
    assert!(pr.chars > MAX_CHARS * 9 / 10, "{} chars", pr.chars);

    // The same bytes, run after run, to stdout or to a file.
    let started = Instant::now();
    let again = export_ok(&[LARGE_ID, "--database", &db, "--full-url", full_url]);
    let second_run = started.elapsed();
    assert!(again == md, "two runs differ");
    let file = scratch.path("comment.md");
    let file_s = file.display().to_string();
    let out = export(&[
        LARGE_ID,
        "--database",
        &db,
        "--full-url",
        full_url,
        "-o",
        &file_s,
    ]);
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "{}",
        stderr(&out)
    );
    assert!(std::fs::read(&file).expect("output file") == md.as_bytes());

    // A smaller budget is honoured, with the notice naming no URL without --full-url.
    let small = export_ok(&[LARGE_ID, "--database", &db, "--max-chars", "10000"]);
    let small_pr = check_pr(
        &small,
        LARGE_ID,
        "A very large generated report",
        LARGE_ENTRIES,
    );
    assert!(small_pr.chars <= 10_000, "{} chars", small_pr.chars);
    let (small_short, small_omitted) = small_pr.trimmed.expect("notice");
    assert!(small_omitted > omitted);
    assert!(
        small.contains("`--format html`"),
        "the notice says how to get it all"
    );
    assert_eq!(
        markers_shown(&small, LARGE_ENTRIES),
        (small_omitted..LARGE_ENTRIES).collect::<Vec<_>>()
    );
    eprintln!(
        "large report: {LARGE_ENTRIES} entries, {} bytes of fixture, {diff_bytes} bytes of diff; \
         seeded in {seeded:?}; pr export {first_run:?} / {second_run:?}: {} chars, {} bytes, \
         {short} shortened, {omitted} omitted, {} h4; --max-chars 10000: {} chars, {} bytes, \
         {small_short} shortened, {small_omitted} omitted",
        fixture.len(),
        pr.chars,
        pr.bytes,
        pr.entries_shown,
        small_pr.chars,
        small_pr.bytes,
    );
}

/// Text of three and four bytes a character: the byte budget (262,144) binds before the
/// character budget does when `--max-chars` allows more characters than GitHub.
#[test]
fn multi_byte_text_is_held_to_the_byte_budget() {
    let scratch = Scratch::new("export-multibyte");
    let words = [
        "旗标缓存負荷要求快照",
        "😀🚀🧪🔥😀🚀🧪🔥",
        "データの合并と快照",
        "키값요청캐시",
        "缓存🚀負荷🧪要求",
    ];
    let id = "0b000000-0000-7000-8000-00000000000f";
    let title = "多字节 🚀 report";
    let fixture = generated_fixture(id, title, None, 600, 1, &words);
    let db = sqlite_archive(&scratch.path("mb.sqlite"), &fixture);

    let md = export_ok(&[id, "--database", &db]);
    let pr = check_pr(&md, id, title, 600);
    assert!(
        pr.chars <= MAX_CHARS && pr.bytes <= MAX_BYTES,
        "{} chars, {} bytes",
        pr.chars,
        pr.bytes
    );
    assert!(pr.trimmed.is_some());

    // With room for 200,000 characters the bytes are what binds.
    let wide = export_ok(&[id, "--database", &db, "--max-chars", "200000"]);
    let wide_pr = check_pr(&wide, id, title, 600);
    assert!(wide_pr.bytes <= MAX_BYTES, "{} bytes", wide_pr.bytes);
    assert!(
        wide_pr.chars > MAX_CHARS && wide_pr.chars < 190_000,
        "the byte budget, not the character budget, bound: {} chars",
        wide_pr.chars
    );
    assert!(
        wide_pr.bytes > MAX_BYTES * 9 / 10,
        "{} bytes",
        wide_pr.bytes
    );
    assert!(wide_pr.trimmed.is_some());
    eprintln!(
        "multi-byte report: default {} chars / {} bytes ({:?}); --max-chars 200000: {} chars / {} bytes ({:?})",
        pr.chars, pr.bytes, pr.trimmed, wide_pr.chars, wide_pr.bytes, wide_pr.trimmed
    );
}

/// The smallest budget (`--max-chars 1000`) holds for every demo report: entries go, then the
/// report's summary text is shortened; the marker, title and table stay.
#[test]
fn the_smallest_budget_keeps_the_head_of_every_demo_report() {
    for report in live_demo_reports() {
        let md = export_ok(&[&report.id, "--max-chars", "1000"]);
        let pr = check_pr(&md, &report.id, &report.title, report.artefacts.len());
        assert!(pr.chars <= 1_000, "{}: {} chars", report.id, pr.chars);
        let (_, omitted) = pr.trimmed.expect("trimmed");
        // What is left of the timeline is its newest entries.
        assert!(omitted > 0, "{}", report.id);
    }
}

/// A summary text of megabytes is shortened to fit; a title too long for any comment is cut,
/// with a line that says so. Neither passes GitHub's limits.
#[test]
fn an_oversized_summary_or_title_still_fits() {
    let scratch = Scratch::new("export-oversized");
    let id = "0b000000-0000-7000-8000-0000000000aa";
    let summary: String = (0..20_000)
        .map(|n| format!("Line {n} of a pasted log, @oncall #{n}\n"))
        .collect();
    let fixture = generated_fixture(id, "Huge summary", Some(&summary), 300, 1, WORDS);
    let db = sqlite_archive(&scratch.path("summary.sqlite"), &fixture);
    let md = export_ok(&[id, "--database", &db]);
    let pr = check_pr(&md, id, "Huge summary", 300);
    assert!(
        pr.chars <= MAX_CHARS && pr.bytes <= MAX_BYTES,
        "{} chars",
        pr.chars
    );
    assert!(
        md.contains(", the summary shortened."),
        "the notice says so"
    );
    assert!(md.contains("_The summary (20000 lines) shortened to fit the comment._"));
    // The room the summary's text left is used: the newest entries that fit in it are back,
    // only the oldest are omitted.
    let (summary_short, summary_omitted) = pr.trimmed.expect("notice");
    assert!(
        0 < summary_omitted && summary_omitted < 300 && pr.chars > MAX_CHARS * 9 / 10,
        "{summary_omitted} omitted, {} chars",
        pr.chars
    );
    assert_eq!(
        markers_shown(&md, 300),
        (summary_omitted..300).collect::<Vec<_>>()
    );

    let title = "An endless title @alice #1 ".repeat(5_000);
    let fixture = generated_fixture(id, &title, None, 30, 1, WORDS);
    let db = sqlite_archive(&scratch.path("title.sqlite"), &fixture);
    let full_url = "https://reports.example.com/r.html";
    let md = export_ok(&[id, "--database", &db, "--full-url", full_url]);
    assert!(md.chars().count() <= MAX_CHARS && md.len() <= MAX_BYTES);
    assert!(md.starts_with(&format!(
        "<!-- reportpress:report={id} -->\n\n## An endless title @\u{200B}alice #\u{200B}1 "
    )));
    assert!(md.contains("**Too large for a GitHub comment:**") && md.contains(full_url));
    let g = gfm(&md);
    assert_well_nested(&g.html, "oversized title");
    assert_eq!(g.doc.select(&sel("h2")).count(), 1);
    let small = export_ok(&[id, "--database", &db, "--max-chars", "1000"]);
    assert!(small.chars().count() <= 1_000, "{}", small.chars().count());
    eprintln!(
        "oversized: summary {} bytes -> {} chars ({summary_short} shortened, {summary_omitted} \
         omitted); title {} chars -> {} chars ({} with --max-chars 1000)",
        summary.len(),
        pr.chars,
        title.len(),
        md.chars().count(),
        small.chars().count()
    );
}

// ---- 3. Hostile content ----------------------------------------------------------------------

/// The markers (`zq…`) of a fixture's strings.
fn markers(fixture: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = fixture;
    while let Some(at) = rest.find("zq") {
        let marker: String = rest[at..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        if marker.len() > 2 && marker[2..].chars().all(|c| c.is_ascii_uppercase()) {
            out.insert(marker.clone());
        }
        rest = &rest[at + 2..];
    }
    out
}

#[test]
fn hostile_content_stays_inert_in_a_pr_comment() {
    let scratch = Scratch::new("export-hostile");
    let db = sqlite_archive(&scratch.path("h.sqlite"), EXPORT_HOSTILE);
    let report = reports_of(EXPORT_HOSTILE)
        .into_iter()
        .find(|r| r.id == HOSTILE_REPORT)
        .expect("hostile report");
    let md = export_ok(&[HOSTILE_REPORT, "--database", &db]);
    let pr = check_pr(&md, HOSTILE_REPORT, &report.title, report.artefacts.len());
    assert_eq!(pr.trimmed, None);

    // Every hostile string is shown, as text.
    let shown = plain(&pr.gfm.doc.root_element().text().collect::<String>());
    let missing: Vec<String> = markers(EXPORT_HOSTILE)
        .into_iter()
        .filter(|m| !shown.contains(m.as_str()))
        .collect();
    assert!(missing.is_empty(), "not shown: {missing:?}\n{md}");

    // Mentions and references in text carry a zero-width space after the sign …
    for needle in [
        "@\u{200B}alice",
        "#\u{200B}123",
        "owner/repo#\u{200B}45",
        "@\u{200B}org/team",
    ] {
        assert!(md.contains(needle), "{needle:?} not neutralised");
    }
    // … code does not: code references and diffs come through byte for byte.
    let code = |needle: &str| {
        pr.gfm
            .code_blocks
            .iter()
            .any(|(_, _, literal)| literal.contains(needle))
    };
    assert!(code(
        "def f():  # @alice #123 stays as code\n    \"\"\"\n```\n````\n~~~\n</details></summary><!--\n"
    ));
    assert!(code("`````````\n   ~~~~\nzqFENCERUN"));
    assert!(code("+~~~ </details> @bob #2 zqDIFFLINE"));
    assert!(code("+<details open><summary>zqDIFFHTML</summary>"));
    // The raw HTML of the content is text: no image, no open details, no comment.
    assert!(
        pr.gfm
            .doc
            .select(&sel("img, details[open]"))
            .next()
            .is_none()
    );
    // The only <details> are the renderer's: the long note, the code references, the commit's
    // diff and its two files.
    assert_eq!(pr.gfm.doc.select(&sel("details")).count(), 6, "{md}");
    let summaries = texts(&pr.gfm.doc, "summary");
    for summary in [
        "src/<summary>@alice#1</summary>zqPATH.py (8 lines)",
        "docs/it's \"quoted\" & fenced.md (3 lines)",
    ] {
        assert!(summaries.contains(&summary.to_string()), "{summaries:?}");
    }
    // Character references that stand for a sign are neutralised as the sign.
    assert!(
        shown.contains("entities @judy @kim #13 @leo zqNOTEENTITIES"),
        "{shown}"
    );
}

/// The archive's hostile fixture (tests/hostile.rs) as PR comments: the same checks.
#[test]
fn the_archive_hostile_fixture_as_pr_comments() {
    let scratch = Scratch::new("export-hostile-archive");
    let db = sqlite_archive(&scratch.path("h.sqlite"), HOSTILE);
    for report in reports_of(HOSTILE).iter().filter(|r| r.status != "deleted") {
        let out = export(&[&report.id, "--database", &db]);
        if !out.status.success() {
            // Only a report whose id is not a uuid cannot be named on the command line.
            assert!(
                uuid::Uuid::parse_str(&report.id).is_err(),
                "{}",
                stderr(&out)
            );
            continue;
        }
        let md = String::from_utf8(out.stdout).expect("UTF-8");
        check_pr(&md, &report.id, &report.title, report.artefacts.len());
    }
}

// ---- 4. The self-contained HTML file ---------------------------------------------------------

/// The `html` export of `report` loads nothing: no script, no linked stylesheet, no external
/// resource in the CSS, and every `src`/`href` is a fragment of the file (whose id exists), a
/// GitHub URL, under `base` when given, or a link written in the report's own text. Returns how
/// many of each.
fn check_html(html: &str, report: &ReportRow, base: Option<&str>) -> [usize; 4] {
    let what = format!("html of {} (base {base:?})", report.id);
    let doc = Html::parse_document(html);
    assert!(
        doc.select(&sel("script")).next().is_none(),
        "{what}: script"
    );
    assert!(
        doc.select(&sel("link[rel~='stylesheet' i]"))
            .next()
            .is_none(),
        "{what}: linked stylesheet"
    );
    let css: String = doc
        .select(&sel("style"))
        .map(|s| s.text().collect::<String>())
        .collect();
    assert!(css.len() > 1_000, "{what}: no inline stylesheet");
    assert!(
        !css.contains("url(") && !css.contains("@import"),
        "{what}: css loads"
    );
    let ids: BTreeSet<&str> = doc
        .select(&sel("[id]"))
        .filter_map(|e| e.value().attr("id"))
        .collect();
    let (mut fragments, mut github, mut under_base, mut content) = (0, 0, 0, 0);
    for e in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        for (name, value) in e.value().attrs() {
            let name = name.to_ascii_lowercase();
            if matches!(
                name.as_str(),
                "src"
                    | "srcset"
                    | "poster"
                    | "data"
                    | "action"
                    | "formaction"
                    | "background"
                    | "ping"
                    | "manifest"
                    | "xlink:href"
                    | "longdesc"
            ) {
                panic!("{what}: <{} {name}={value:?}>", e.value().name());
            }
            if name != "href" {
                continue;
            }
            let tag = e.value().name();
            assert_eq!(tag, "a", "{what}: href on <{tag}>");
            if let Some(fragment) = value.strip_prefix('#') {
                assert!(ids.contains(fragment), "{what}: #{fragment} has no target");
                fragments += 1;
            } else if value.starts_with("https://github.com/") {
                github += 1;
            } else if base.is_some_and(|b| value.starts_with(b)) {
                under_base += 1;
            } else if (value.starts_with("https://") || value.starts_with("http://"))
                && report.text.contains(value)
            {
                content += 1;
            } else {
                panic!("{what}: a link elsewhere: {value:?}");
            }
        }
    }
    assert!(fragments > 0, "{what}: entries link to themselves");
    assert_eq!(
        under_base > 0,
        base.is_some(),
        "{what}: {under_base} under base"
    );
    let title = doc
        .select(&sel("title"))
        .next()
        .map(text)
        .unwrap_or_default();
    assert!(
        title.contains(&plain(&report.title)),
        "{what}: title {title:?}"
    );
    for id in &report.artefacts {
        assert!(
            ids.contains(format!("a-{id}").as_str()),
            "{what}: entry {id}"
        );
    }
    [fragments, github, under_base, content]
}

#[test]
fn the_html_export_is_self_contained() {
    let base = "https://reports.example.com/archive/";
    let mut links = [0; 4];
    for report in live_demo_reports() {
        let html = export_ok(&[&report.id, "--format", "html"]);
        let counts = check_html(&html, &report, None);
        let with_base = export_ok(&[&report.id, "--format", "html", "--base-url", base]);
        let counts_base = check_html(&with_base, &report, Some(base));
        for k in 0..4 {
            links[k] += counts[k] + counts_base[k];
        }
    }
    let [fragments, github, under_base, content] = links;
    eprintln!(
        "html exports of the demo: {fragments} fragment links, {github} to GitHub, \
         {under_base} under --base-url, {content} written in the reports' text"
    );
    let scratch = Scratch::new("export-html-hostile");
    let db = sqlite_archive(&scratch.path("h.sqlite"), EXPORT_HOSTILE);
    let report = reports_of(EXPORT_HOSTILE).remove(0);
    let html = export_ok(&[HOSTILE_REPORT, "--database", &db, "--format", "html"]);
    check_html(&html, &report, None);
    // The hostile raw HTML is text: the only open `<details>` are the diff's files and their
    // header lines.
    let doc = Html::parse_document(&html);
    assert!(doc.select(&sel("img, script")).next().is_none());
    for details in doc.select(&sel("details[open]")) {
        let class = details.value().attr("class");
        assert!(matches!(class, Some("file" | "header")), "{html}");
    }
}

/// What Chromium made of a page opened with the network disabled: the DOM it dumps, and the
/// URLs the page itself asked for (from Chromium's network log; the browser's own background
/// requests, which have no origin, are not the page's).
struct Offline {
    dom: String,
    page_requests: Vec<String>,
}

fn open_offline(browser: &Path, page: &Path) -> Offline {
    let scratch = Scratch::new("chromium-export");
    let net = scratch.path("net.json");
    let url = url::Url::from_file_path(page)
        .expect("absolute path")
        .to_string();
    let dom = chromium_dump(
        browser,
        &url,
        &scratch.path("profile"),
        &[
            // No network: every request goes to a proxy that is not there, and no name resolves.
            "--proxy-server=127.0.0.1:9".into(),
            "--proxy-bypass-list=<-loopback>".into(),
            "--host-resolver-rules=MAP * ~NOTFOUND".into(),
            format!("--log-net-log={}", net.display()),
        ],
    );
    // The log is JSON; one cut short at exit lacks its closing brackets.
    let log = std::fs::read_to_string(&net).expect("network log");
    let log: serde_json::Value = serde_json::from_str(&log)
        .or_else(|_| {
            let cut = log.trim_end().trim_end_matches(',');
            serde_json::from_str(&format!("{cut}]}}"))
        })
        .expect("network log parses");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].clone();
    let page_requests = log["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["type"] == start_job)
        .filter(|e| e["params"]["initiator"] != "not an origin")
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .collect();
    Offline { dom, page_requests }
}

#[test]
#[cfg_attr(
    no_chromium,
    ignore = "needs Chromium: apt-get install chromium, or set CHROMIUM=/path/to/chrome"
)]
fn the_html_export_opens_in_chromium_with_the_network_disabled() {
    let Some(browser) = chromium("the_html_export_opens_in_chromium_with_the_network_disabled")
    else {
        return;
    };
    let scratch = Scratch::new("export-chromium");

    // The detector works: a page that loads a stylesheet and an image is caught asking.
    let control = scratch.path("control.html");
    std::fs::write(
        &control,
        "<!doctype html><html><head><title>c</title>\
         <link rel=stylesheet href=\"https://cdn.example.com/x.css\"></head>\
         <body><img src=\"http://images.example.com/x.png\"></body></html>",
    )
    .expect("control page");
    let seen = open_offline(&browser, &control).page_requests;
    assert!(
        seen.iter().any(|u| u.contains("cdn.example.com"))
            && seen.iter().any(|u| u.contains("images.example.com")),
        "the network log shows a page's requests: {seen:?}"
    );

    let db = sqlite_archive(&scratch.path("h.sqlite"), EXPORT_HOSTILE);
    let demo = live_demo_reports();
    let largest = demo
        .iter()
        .max_by_key(|r| r.artefacts.len())
        .expect("a report");
    let hostile = reports_of(EXPORT_HOSTILE).remove(0);
    for (report, database) in [(largest, None), (&hostile, Some(db.as_str()))] {
        let file = scratch.path(&format!("{}.html", report.id));
        let file_s = file.display().to_string();
        let mut args = vec![report.id.as_str(), "--format", "html", "--output", &file_s];
        if let Some(db) = database {
            args.extend(["--database", db]);
        }
        export_ok(&args);
        let started = Instant::now();
        let page = open_offline(&browser, &file);
        let took = started.elapsed();
        assert!(
            page.page_requests.is_empty(),
            "{}: the page asked for {:?}",
            report.id,
            page.page_requests
        );
        let doc = Html::parse_document(&page.dom);
        let title = plain(&report.title);
        assert_eq!(
            doc.select(&sel("title")).next().map(text).as_deref(),
            Some(title.as_str())
        );
        assert_eq!(
            doc.select(&sel("main h1")).next().map(text).as_deref(),
            Some(title.as_str())
        );
        for id in &report.artefacts {
            assert!(
                doc.select(&sel(&format!("main article[id=\"a-{id}\"]")))
                    .next()
                    .is_some(),
                "{}: entry {id} missing in Chromium",
                report.id
            );
        }
        // The inline stylesheet came along.
        assert!(doc.select(&sel("head style")).next().is_some());
        eprintln!(
            "chromium opened {} ({} bytes) offline in {took:?}",
            report.id,
            std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0)
        );
    }
}

// ---- 5. Errors -------------------------------------------------------------------------------

/// The run failed with `code`, wrote nothing to standard output and said one line.
fn fails(out: &Output, code: i32) -> String {
    assert_eq!(out.status.code(), Some(code), "{}", stderr(out));
    assert!(out.stdout.is_empty(), "stdout on failure");
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn one_line(err: &str) -> &str {
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    lines[0]
}

#[test]
fn unknown_other_team_and_deleted_reports_exit_1_with_one_clear_line() {
    let scratch = Scratch::new("export-errors");
    let db = sqlite_archive(&scratch.path("s.sqlite"), SEMANTICS);
    let file = scratch.path("never.md");
    let file_s = file.display().to_string();

    let unknown = "01000000-0000-7000-8000-0000000000ff";
    let line = fails(&export(&[unknown, "--database", &db, "-o", &file_s]), 1);
    let line = one_line(&line);
    assert!(
        line.contains(unknown) && line.contains("no report"),
        "{line}"
    );

    let other = "01000000-0000-7000-8000-000000000003";
    let err = fails(
        &export(&[other, "--database", &db, "--team", "1", "-o", &file_s]),
        1,
    );
    let line = one_line(&err);
    assert!(
        line.contains(&format!(
            "--team: report {other} belongs to team 2, not to team 1"
        )),
        "{line}"
    );
    // A team the database does not hold is named with where it came from.
    let err = fails(
        &export(&[other, "--database", &db, "--team", "1", "--team", "3"]),
        1,
    );
    assert!(one_line(&err).contains("--team: unknown team 3"), "{err}");
    // Its own team, or no --team, exports it.
    assert!(export_ok(&[other, "--database", &db, "--team", "2"]).contains("TEAM-TWO-SECRET"));

    let deleted = "01000000-0000-7000-8000-000000000002";
    for format in ["pr", "md", "html"] {
        let err = fails(
            &export(&[
                deleted,
                "--database",
                &db,
                "--format",
                format,
                "-o",
                &file_s,
            ]),
            1,
        );
        let line = one_line(&err);
        assert!(
            line.contains(deleted) && line.contains("is deleted"),
            "{line}"
        );
        assert!(!line.contains("DELETED-MARKER"));
    }
    // The demo's deleted report too (after the line that says the demo is read).
    let err = fails(&export(&["019a0000-0000-7000-8000-000000000009"]), 1);
    assert!(
        err.lines()
            .last()
            .is_some_and(|l| l.ends_with("report 019a0000-0000-7000-8000-000000000009 is deleted")),
        "{err}"
    );
    assert!(!file.exists(), "a failed export wrote its output file");

    // Usage errors exit 2: a malformed uuid, a budget under 1,000, a full URL that is not one.
    for args in [
        vec!["not-a-uuid", "--database", db.as_str()],
        vec![
            "01000000-0000-7000-8000-00000000001",
            "--database",
            db.as_str(),
        ],
        vec![unknown, "--max-chars", "999"],
        vec![unknown, "--format", "pdf"],
        vec![unknown, "--full-url", "javascript:alert(1)"],
    ] {
        let err = fails(&export(&args), 2);
        assert!(
            err.starts_with("reportpress: ") && err.trim().lines().count() == 1,
            "{args:?}: {err}"
        );
    }
}

/// The same report read from PostgreSQL (the newest PostHog schema) and from the embedded demo
/// (SQLite) exports to the same bytes.
#[test]
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
fn postgres_and_sqlite_export_the_same_bytes() {
    let Some(admin) = postgres("postgres_and_sqlite_export_the_same_bytes") else {
        return;
    };
    let pg = PgDb::create(&admin, POSTHOG_PG);
    pg.seed(DEMO);
    let mut compared = 0;
    for report in live_demo_reports() {
        let formats: &[&str] = if compared == 0 {
            &["pr", "md", "html"]
        } else {
            &["pr"]
        };
        for format in formats {
            let from_pg = export_ok(&[&report.id, "--database", &pg.url, "--format", format]);
            let from_demo = export_ok(&[&report.id, "--format", format]);
            assert!(
                from_pg == from_demo,
                "{} {format}: PostgreSQL and SQLite differ",
                report.id
            );
            compared += 1;
        }
    }
    eprintln!("postgres = sqlite for {compared} exports");
}

// ---- 6. Issue 12: an entry too long to fold, property tests of the trimmer, the feed --------
//
// One long entry with nothing to fold (a one-line note of 70,000 characters, a degraded row
// stored on one line) is shortened to an excerpt; it never pushes the other entries out. For
// arbitrary entries the comment keeps its limits and its structure. A title with control
// characters leaves `feed.xml` well-formed XML.

/// One artefact row of report `report`, at `minute` (see [`at`]), stored as `content` as it is.
fn artefact_row(id: &str, report: &str, minute: usize, kind: &str, content: &str) -> String {
    format!(
        "[[signals_signalreportartefact]]\nid = \"{id}\"\nteam_id = 1\nreport_id = \"{report}\"\n\
         type = \"{kind}\"\ncreated_at = \"{}\"\ncreated_by_id = 1\nactor_kind = \"user\"\n\
         content_raw = {}\n\n",
        at(minute),
        toml_str(content)
    )
}

/// `chars` characters of one line of words, with mentions and issue references, no markup
/// and single spaces: its text is itself.
fn long_line(chars: usize, marker: &str) -> String {
    let mut line = format!("{marker} ");
    let mut n = 0;
    while line.len() < chars {
        line.push_str(&format!(
            "{} @oncall{n} #{n} GH-{n} ",
            WORDS[n % WORDS.len()]
        ));
        n += 1;
    }
    line.truncate(chars);
    line.pop();
    line.push('z');
    assert_eq!(line.chars().count(), chars);
    line
}

/// The comment's entries: the text from each `#### ` heading to the next.
fn entry_sections(markdown: &str) -> Vec<&str> {
    let timeline = markdown
        .find("\n<details><summary>Timeline: ")
        .expect("timeline");
    markdown[timeline..].split("\n#### ").skip(1).collect()
}

const LONG_ENTRY_ID: &str = "0c000000-0000-7000-8000-000000000000";
const NORMAL_ENTRIES: usize = 24;

/// 24 entries of the generated kinds (notes, code, commits), then a degraded row stored on one
/// line (its JSON cut short) and, newest, a one-line note: `malformed` and `note` characters.
fn long_entry_fixture(malformed: usize, note: usize) -> String {
    let mut fixture = generated_fixture(
        LONG_ENTRY_ID,
        "One long entry",
        None,
        NORMAL_ENTRIES,
        1,
        &["flag", "cache", "team", "query"],
    );
    let broken = format!("{{\"note\": \"{}", long_line(malformed, "zqmalformedx"));
    fixture.push_str(&artefact_row(
        "0c000000-0000-7000-8000-0000000000f1",
        LONG_ENTRY_ID,
        40,
        "note",
        &broken,
    ));
    fixture.push_str(&artefact_row(
        "0c000000-0000-7000-8000-0000000000f2",
        LONG_ENTRY_ID,
        50,
        "note",
        &serde_json::json!({"note": long_line(note, "zqlongnotex")}).to_string(),
    ));
    fixture
}

#[test]
fn one_long_unfoldable_entry_is_shortened_and_pushes_no_other_entry_out() {
    let scratch = Scratch::new("export-long-entry");
    let entries = NORMAL_ENTRIES + 2;
    // (degraded row, note) in characters; the case the issue reported, then its mirror image:
    // the degraded row is the long one.
    for (case, (malformed, note)) in [(2_000, 70_000), (70_000, 2_000)].into_iter().enumerate() {
        let db = sqlite_archive(
            &scratch.path(&format!("long-{case}.sqlite")),
            &long_entry_fixture(malformed, note),
        );
        // With room for everything (GitHub's byte limit still holds): nothing trimmed.
        let whole = export_ok(&[LONG_ENTRY_ID, "--database", &db, "--max-chars", "200000"]);
        let whole_pr = check_pr(&whole, LONG_ENTRY_ID, "One long entry", entries);
        assert_eq!(whole_pr.trimmed, None, "case {case}: room for all of it");
        assert!(
            whole_pr.chars > MAX_CHARS,
            "case {case}: {}",
            whole_pr.chars
        );

        let md = export_ok(&[LONG_ENTRY_ID, "--database", &db]);
        let pr = check_pr(&md, LONG_ENTRY_ID, "One long entry", entries);
        assert!(
            pr.chars <= MAX_CHARS && pr.bytes <= MAX_BYTES,
            "case {case}: {} chars, {} bytes",
            pr.chars,
            pr.bytes
        );
        assert_eq!(
            pr.trimmed,
            Some((1, 0)),
            "case {case}: one entry shortened, none omitted"
        );
        assert!(
            md.contains(&format!("{NOTICE}1 entries shortened, 0 omitted.")),
            "case {case}"
        );
        // Every other entry is there exactly as it is with room for all; the long one keeps
        // its heading and the start of its text, with a count of the rest.
        let (full, short) = (entry_sections(&whole), entry_sections(&md));
        assert_eq!((full.len(), short.len()), (entries, entries), "case {case}");
        let long = if note > malformed {
            entries - 1
        } else {
            entries - 2
        };
        for (i, (f, s)) in full.iter().zip(&short).enumerate() {
            if i == long {
                continue;
            }
            assert_eq!(f, s, "case {case}: entry {i} is not in full");
        }
        for i in 0..NORMAL_ENTRIES {
            assert!(md.contains(&entry_marker(i)), "case {case}: entry {i}");
        }
        let section = short[long];
        assert!(
            section.chars().count() < 2_000,
            "case {case}: the shortened entry is short: {section}"
        );
        // The degraded row is stored as `{"note": "` and its 70,000 characters.
        let stored = if note > malformed {
            note
        } else {
            malformed + 10
        };
        assert!(
            section.contains(&format!(
                " ({stored} characters) shortened to fit the comment._"
            )) && section.contains(&format!(
                "… ({} more characters; full text in the archive)",
                stored - 500
            )),
            "case {case}: {section}"
        );
        let marker = if note > malformed {
            "zqlongnotex"
        } else {
            "zqmalformedx"
        };
        assert!(section.contains(marker), "case {case}: {section}");
        if note < malformed {
            // The degraded row stays verbatim, in a fence, with its notice.
            assert!(
                section.contains("> **Notice:** This entry could not be read")
                    && section.contains(&format!("```text\n{{\"note\": \"{marker} ")),
                "case {case}: {section}"
            );
        }
        // The same bytes run after run.
        assert!(export_ok(&[LONG_ENTRY_ID, "--database", &db]) == md);
    }
}

// -- Property tests: arbitrary entries through the trimmer (the library, no binary) --

mod trimmer_properties {
    use proptest::prelude::*;
    use proptest::test_runner::Config;
    use reportpress::model::Timestamp;
    use reportpress::render::links::Scope;
    use reportpress::render::page::{Day, Entry};
    use reportpress::render::view::{Block, Inline};
    use reportpress::render::{Archive, ReportView, pr};
    use uuid::Uuid;

    use super::{MAX_BYTES, MAX_CHARS, check_pr, gfm};

    const ID: &str = "0d000000-0000-7000-8000-000000000000";
    const TITLE: &str = "Property report";

    /// Pieces of hostile and ordinary text: mentions, issue references, backtick and tilde
    /// runs, `<details>` and other HTML, alert syntax, character references, block markers,
    /// multi-byte characters, controls, line endings.
    const ATOMS: &[&str] = &[
        "word ",
        "flag cache ",
        "@alice ",
        "@org/team ",
        "#12 ",
        "GH-34 ",
        "owner/repo#5 ",
        "`",
        "```",
        "`````",
        "~~~",
        "\n",
        "\n\n",
        "\r\n",
        "<details>",
        "</details>",
        "<summary>s</summary>",
        "<!-- c -->",
        "- item ",
        "1. ",
        "| a | b |",
        "> [!WARNING] ",
        // Hexadecimal: the decimal `&#64;` shown as text (in a heading or a field) is
        // neutralised as `&#` + ZWSP + `64;`, which check_pr's test for a character
        // reference cut in two cannot tell from a broken one.
        "&#x40;bob ",
        "&amp; ",
        "**b** ",
        "_i_ ",
        "[l](https://example.com/x) ",
        "é",
        "😀",
        "漢字",
        "\u{1}",
        "\t",
        "    ",
        "\\",
        "# h ",
        "---\n",
    ];

    /// Text of a few atoms repeated: short, long, or huge (up to a few hundred thousand
    /// characters), on many lines or (`one_line`) on one.
    fn text() -> impl Strategy<Value = String> {
        let repeat = prop_oneof![8 => 1usize..4, 3 => 4usize..300, 1 => 300usize..8_000];
        (
            prop::collection::vec(prop::sample::select(ATOMS), 1..10),
            repeat,
            any::<bool>(),
        )
            .prop_map(|(atoms, repeat, one_line)| {
                let text = atoms.concat().repeat(repeat);
                if one_line {
                    text.replace(['\n', '\r'], " ")
                } else {
                    text
                }
            })
    }

    /// [`text`] for a Markdown part (a note, a changed text, the summary). KNOWN ISSUES, outside
    /// the trimmer (`text::markdown_to_markdown`), kept out of these texts until fixed:
    /// - Markdown that ends inside a fenced code block with no line end after its last line
    ///   (`"```\ncode"`) is re-emitted without its closing fence (the block quote around it
    ///   still ends it, but the fence is not closed): these texts end with a line end;
    /// - a paragraph followed by a `---` line that pulldown-cmark does not read as a heading
    ///   (`"a\\\nb\n---"`, `"a ---\n``---\n---"`) is re-emitted as the paragraph directly
    ///   followed by `---`, which GitHub reads as an `h2`: these texts have no `---`.
    fn markdown_text() -> impl Strategy<Value = String> {
        text().prop_map(|t| t.replace("---", "—") + "\n")
    }

    fn short_text() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(ATOMS), 0..5).prop_map(|a| a.concat())
    }

    fn block() -> impl Strategy<Value = Block> {
        prop_oneof![
            3 => markdown_text().prop_map(Block::Markdown),
            2 => (prop::option::of(short_text()), 1i64..5_000, text(), any::<bool>()).prop_map(
                |(path, start_line, text, link)| Block::Code {
                    path,
                    start_line,
                    text,
                    link: link.then(|| "https://github.com/o/r/blob/main/src/a.rs".to_string()),
                }
            ),
            1 => text().prop_map(|t| Block::Diff {
                text: format!("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-{t}\n+{t}\n"),
                link: None,
            }),
            2 => text().prop_map(Block::Raw),
            1 => prop::collection::vec((short_text(), text()), 1..4).prop_map(|fields| {
                Block::Fields(fields.into_iter().map(|(l, v)| (l, Inline::Text(v))).collect())
            }),
            1 => text().prop_map(|t| Block::Paragraph(Inline::Text(t))),
            1 => prop::collection::vec(text(), 1..4)
                .prop_map(|items| Block::Items(items.into_iter().map(Inline::Text).collect())),
            1 => (prop::option::of(markdown_text()), markdown_text())
                .prop_map(|(before, after)| Block::Change { before, after }),
        ]
    }

    fn entry() -> impl Strategy<Value = (String, String, Vec<String>, Vec<Block>)> {
        (
            prop_oneof![9 => short_text(), 1 => text()],
            short_text(),
            prop::collection::vec(short_text(), 0..3),
            prop::collection::vec(block(), 0..4),
        )
    }

    fn view(
        summary: Option<String>,
        entries: Vec<(String, String, Vec<String>, Vec<Block>)>,
    ) -> ReportView {
        let when = Timestamp::parse("2026-10-01T00:00:00Z");
        let entries = entries
            .into_iter()
            .enumerate()
            .map(|(i, (label, actor, notices, blocks))| Entry {
                id: Uuid::from_u128(0x0d00_0000_0000_7000_8000_0000_0000_1000 + i as u128),
                label,
                kind: "note".into(),
                actor,
                actor_kind: "user",
                actor_page: "people/user-1.html".into(),
                when,
                edited: None,
                superseded_by: None,
                notices,
                blocks,
                versions: Vec::new(),
                versions_label: String::new(),
                gone: false,
                muted: None,
                weight: reportpress::render::classify::Weight::Card,
                who: reportpress::render::classify::Who::People,
            })
            .collect();
        ReportView {
            glance: Default::default(),
            team_id: 1,
            id: ID.parse().expect("uuid"),
            title: TITLE.into(),
            status: "ready".into(),
            summary,
            error: None,
            created: when,
            last_activity: when,
            prs: Vec::new(),
            facts: Vec::new(),
            holder: None,
            status_rows: Vec::new(),
            reviewers: Vec::new(),
            findings: Vec::new(),
            dismissals: Vec::new(),
            days: vec![Day {
                day: Some("2026-10-01".into()),
                entries,
            }],
            notices: Vec::new(),
            status_notes: Vec::new(),
        }
    }

    fn archive() -> Archive {
        Archive {
            titles: Default::default(),
            scope: Scope::Standalone {
                base_url: None,
                fragments: false,
            },
            order: Default::default(),
        }
    }

    /// Found by the property below (1 case in ~4,000): a huge change is shown as its Markdown
    /// source, where a tab at a line's start is written `&#9;`; shown as text, `&amp;#9;`, its
    /// `#9` is made inert like any issue reference, and the comment is well formed.
    #[test]
    fn a_huge_change_shown_as_source_keeps_its_references_whole() {
        let before = "\tword \n<details>\r\n\tword \n<details>\r\n\n".to_string();
        let after = "</details>flag cache flag cache | a | b |flag cache word ".repeat(4_500);
        let entries = vec![(
            String::new(),
            String::new(),
            Vec::new(),
            vec![Block::Change {
                before: Some(before),
                after,
            }],
        )];
        let md = pr::comment(&view(None, entries), &archive(), MAX_CHARS, None);
        assert!(md.contains("&amp;#\u{200B}9;word"), "{md}");
        check_pr(&md, ID, TITLE, 1);
    }

    proptest! {
        #![proptest_config(Config {
            cases: 64,
            failure_persistence: None,
            ..Config::default()
        })]

        /// Any entries, any budget: within the limits (characters, bytes, `--max-chars`),
        /// every fence closed, every `<details>` closed and nested, nothing live, the notice's
        /// counts matching what is shown (`check_pr`).
        #[test]
        fn any_entries_make_a_comment_within_its_limits_and_well_formed(
            summary in prop::option::of(markdown_text()),
            entries in prop::collection::vec(entry(), 0..24),
            max_chars in prop_oneof![2 => Just(MAX_CHARS), 1 => 1_000usize..200_000],
            full_url in any::<bool>(),
        ) {
            let count = entries.len();
            let view = view(summary, entries);
            let full_url = full_url.then_some("https://reports.example.com/r/full.html");
            let md = pr::comment(&view, &archive(), max_chars, full_url);
            let (chars, bytes) = (md.chars().count(), md.len());
            prop_assert!(chars <= max_chars, "{} chars over {}", chars, max_chars);
            prop_assert!(bytes <= MAX_BYTES, "{} bytes", bytes);
            prop_assert!(bytes <= max_chars * 4, "{} bytes", bytes);
            // check_pr panics; as a test failure, proptest shrinks to the input that fails.
            let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                check_pr(&md, ID, TITLE, count);
            }));
            prop_assert!(checked.is_ok(), "check_pr failed: see the panic above");
            // The same comment every time.
            prop_assert_eq!(pr::comment(&view, &archive(), max_chars, full_url), md);
        }

        /// Entries are shortened before any is omitted: a few entries, each as large as it
        /// likes, all fit GitHub's limits once shortened, so none is omitted, however long a
        /// line or a degraded row of one of them.
        #[test]
        fn a_few_entries_of_any_size_are_shortened_never_omitted(
            entries in prop::collection::vec(entry(), 1..4),
        ) {
            let count = entries.len();
            let view = view(None, entries);
            let md = pr::comment(&view, &archive(), MAX_CHARS, None);
            let pr = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                check_pr(&md, ID, TITLE, count)
            }));
            prop_assert!(pr.is_ok(), "check_pr failed: see the panic above");
            let Ok(pr) = pr else { unreachable!() };
            prop_assert!(pr.chars <= MAX_CHARS && pr.bytes <= MAX_BYTES);
            prop_assert_eq!(pr.trimmed.map_or(0, |(_, omitted)| omitted), 0, "omitted entries");
            prop_assert_eq!(pr.entries_shown, count);
            // Fences closed in the comment as GitHub reads it (also checked by check_pr).
            prop_assert!(gfm(&md).code_blocks.iter().all(|(fenced, closed, _)| !fenced || *closed));
        }
    }
}

// -- The Atom feed and the sitemap: well-formed XML whatever the titles hold --

/// A TOML basic string with every character but printable ASCII escaped (TOML takes no
/// control character, DEL included, as it is).
fn toml_escaped(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => out.push_str(&format!("\\{c}")),
            ' '..='~' => out.push(c),
            c if u32::from(c) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push_str(&format!("\\U{:08X}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// A build with `--base-url` of reports titled with control characters (C0 controls, escape
/// sequences, U+FFFE/U+FFFF) and XML's own syntax: `feed.xml` and `sitemap.xml` are read by a
/// strict XML 1.0 parser, and the titles read as written, each character XML forbids as
/// U+FFFD.
#[test]
fn titles_with_control_characters_leave_the_feed_well_formed_xml() {
    let scratch = Scratch::new("feed-controls");
    let id = "0d000000-0000-7000-8000-0000000000fe";
    let title = "Alert\u{1}\u{8}\u{b}\u{c}\u{1b}[31m red\u{7f} <b>&amp;</b> ]]> \"q\" 'a' \u{fffe}\u{ffff}\tend";
    let mut fixture = generated_fixture(id, "TITLE", None, 3, 1, WORDS).replacen(
        "title = \"TITLE\"",
        &format!("title = {}", toml_escaped(title)),
        1,
    );
    // A second report whose title is nothing but control characters.
    let other = "0d000000-0000-7000-8000-0000000000ff";
    fixture.push_str(&format!(
        "[[signals_signalreport]]\nid = \"{other}\"\nteam_id = 1\nstatus = \"ready\"\n\
         title = {}\nsummary = \"s\"\ncreated_at = \"2026-10-02T00:00:00Z\"\n\n",
        toml_escaped("\u{0}\u{2}\u{1f}")
    ));
    let db = sqlite_archive(&scratch.path("feed.sqlite"), &fixture);
    let out = scratch.path("site");
    build(Some(&db), &out, &["--base-url", "https://example.com/"]);

    let feed = read(&out.join("feed.xml"));
    let doc = roxmltree::Document::parse(&feed)
        .unwrap_or_else(|e| panic!("feed.xml is not well-formed XML: {e}\n{feed}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "feed");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let titles: Vec<String> = root
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(|e| e.children().find(|c| c.has_tag_name("title")))
        .map(|t| t.text().unwrap_or_default().to_string())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    let shown = titles
        .iter()
        .find(|t| t.starts_with("Alert"))
        .unwrap_or_else(|| panic!("the report's title: {titles:?}"));
    let forbidden = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
    };
    assert!(!titles.iter().any(|t| t.contains(forbidden)), "{titles:?}");
    // What XML allows reads back as stored (the markup as text, DEL, tab), the rest as U+FFFD.
    let expected: String = title
        .chars()
        .map(|c| if forbidden(c) { '\u{fffd}' } else { c })
        .collect();
    assert_eq!(shown, &expected);
    assert!(
        titles.contains(&"\u{fffd}\u{fffd}\u{fffd}".to_string()),
        "{titles:?}"
    );

    let sitemap = read(&out.join("sitemap.xml"));
    let doc = roxmltree::Document::parse(&sitemap)
        .unwrap_or_else(|e| panic!("sitemap.xml is not well-formed XML: {e}\n{sitemap}"));
    let locs = doc.descendants().filter(|n| n.has_tag_name("loc")).count();
    assert!(locs >= 3, "{sitemap}");
}

// ---- End of 6. Issue 12 (tests appended later go below this line) ---------------------------
