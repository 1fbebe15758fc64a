//! Hostile content from the database, rendered by the binary from a SQLite archive: the HTML
//! pages carry no element, attribute or URL the content did not earn, the Markdown documents
//! keep the structure their template gives them, and nothing hostile is dropped: every marker
//! of `fixtures/hostile.toml` is shown as text.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use reportpress::model::artefact::type_label;
use reportpress::model::{Content, StatusKind};
use scraper::{ElementRef, Html, Selector};

const FIXTURE: &str = include_str!("fixtures/hostile.toml");

/// Every element our templates, `render::html` and pulldown-cmark (with the options we enable,
/// images turned into links) can produce. `tbody` is also what a parser inserts in a table.
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
    "blockquote",
    "hr",
    "br",
    "input",
    "sup",
];

/// Every attribute the same sources write: template attributes, `rel` on external links, a
/// Markdown link's `title`, an ordered list's `start`, a task list checkbox's three.
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
    "datetime",
    "scope",
    "title",
    "start",
    "type",
    "disabled",
    "checked",
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
    /// Artefact ids in log order (`created_at`, then id).
    artefacts: Vec<String>,
    /// Their `type` column, in the same order.
    kinds: Vec<String>,
    /// The status table's rows, in order.
    status: Vec<StatusRow>,
    /// The pull request of the report's tasks (the fixture has one run per task).
    pr_url: Option<String>,
    /// Top-level code blocks in the Markdown: code references, diffs, degraded rows.
    code_blocks: usize,
    markers: BTreeSet<String>,
}

fn reports() -> Vec<Expected> {
    let artefacts = fixture_rows(FIXTURE, "signals_signalreportartefact");
    let users = fixture_rows(FIXTURE, "posthog_user");
    let tasks = fixture_rows(FIXTURE, "posthog_task");
    let runs = fixture_rows(FIXTURE, "posthog_task_run");
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

            let kinds: Vec<String> = rows.iter().map(|a| str_of(a, "type").to_string()).collect();
            let kinds_present: BTreeSet<StatusKind> = kinds
                .iter()
                .filter_map(|k| StatusKind::from_type(k))
                .collect();
            let status = kinds_present
                .iter()
                .map(|&kind| {
                    let history: Vec<_> = rows
                        .iter()
                        .filter(|a| StatusKind::from_type(str_of(a, "type")) == Some(kind))
                        .collect();
                    let current = history.last().expect("a status row");
                    let content = current.get("content").and_then(|c| c.as_table());
                    let field = |key: &str| content.map(|c| str_of(c, key).to_string());
                    StatusRow {
                        label: kind.label(),
                        value: match kind {
                            StatusKind::Priority => field("priority"),
                            StatusKind::Repository => field("repository"),
                            StatusKind::Channel => field("channel_id"),
                            _ => None,
                        },
                        superseded: history.len() - 1,
                    }
                })
                .collect();
            // Tasks associated through `task_run` rows; their runs' pull request.
            let associated: BTreeSet<&str> = rows
                .iter()
                .filter(|a| str_of(a, "type") == "task_run")
                .filter_map(|a| a.get("content")?.get("task_id")?.as_str())
                .collect();
            let pr_url = runs
                .iter()
                .filter(|r| associated.contains(str_of(r, "task_id")))
                .filter_map(|r| r.get("output")?.get("pr_url")?.as_str())
                .map(str::to_string)
                .next_back();
            let code_blocks = rows
                .iter()
                .map(|a| {
                    let content = a.get("content");
                    let has = |key: &str| content.and_then(|c| c.get(key)).is_some();
                    match str_of(a, "type") {
                        _ if a.contains_key("content_raw") => degraded_blocks(a),
                        "code_reference" | "code_diff" => 1,
                        "commit" => usize::from(has("diff")),
                        _ => 0,
                    }
                })
                .sum();
            Expected {
                title: str_of(report, "title").trim().to_string(),
                id,
                artefacts: rows.iter().map(|a| str_of(a, "id").to_string()).collect(),
                kinds,
                status,
                pr_url,
                code_blocks,
                markers,
            }
        })
        .collect()
}

struct StatusRow {
    label: &'static str,
    /// The value as shown, where it is the fixture's string as it is.
    value: Option<String>,
    superseded: usize,
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

fn count(doc: &Html, css: &str) -> usize {
    doc.select(&Selector::parse(css).expect("selector")).count()
}

fn text_of(element: ElementRef<'_>) -> String {
    element.text().collect::<Vec<_>>().join("\n")
}

#[test]
fn html_has_no_injected_element_attribute_or_url() {
    let b = built();
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
                assert!(lower != "style" && lower != "src", "{context}");
                assert!(ATTRIBUTES.contains(&lower.as_str()), "{context}: attribute");
                assert_no_script_scheme(value, &context);
                if lower == "href" {
                    assert_safe_url(value, &context);
                }
                if lower == "id" {
                    *ids.entry(value.to_string()).or_default() += 1;
                }
            }
            if name == "input" {
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

        let title = Selector::parse("title").unwrap();
        let h1 = Selector::parse("h1").unwrap();
        let title_text = text_of(doc.select(&title).next().expect("title"));
        assert_eq!(title_text, report.title, "{id}: <title>");
        assert_eq!(
            text_of(doc.select(&h1).next().expect("h1")),
            report.title,
            "{id}: <h1>"
        );

        // One article per artefact, in log order, each under its own anchor.
        let entries = Selector::parse("article.entry").unwrap();
        let anchors: Vec<String> = doc
            .select(&entries)
            .map(|a| a.value().attr("id").unwrap_or_default().to_string())
            .collect();
        let wanted: Vec<String> = report.artefacts.iter().map(|a| format!("a-{a}")).collect();
        assert_eq!(anchors, wanted, "{id}: entries");
        // Every element with an entry anchor's id is that entry's article.
        let anchored = Selector::parse("[id^='a-']").unwrap();
        for element in doc.select(&anchored) {
            assert_eq!(
                element.value().name(),
                "article",
                "{id}: {:?}",
                element.value()
            );
        }

        // External links: the pull request when it is a web URL, never when it is not.
        let hrefs: Vec<&str> = doc
            .select(&Selector::parse("a[href]").unwrap())
            .filter_map(|a| a.value().attr("href"))
            .collect();
        let pr = report
            .pr_url
            .as_deref()
            .expect("the fixture's reports have a PR");
        assert_eq!(
            hrefs.contains(&pr),
            is_web(pr),
            "{id}: pull request link {pr:?}"
        );

        // Nothing hostile is dropped: each marker is visible text on the page.
        let text = text_of(doc.root_element());
        let missing: Vec<_> = report
            .markers
            .iter()
            .filter(|m| !has_marker(&text, m))
            .collect();
        assert!(
            missing.is_empty(),
            "{id}: markers missing from the page: {missing:?}"
        );
        // The neutralised script tags are there as text.
        assert!(text.contains("<script>alert(1)</script>"), "{id}");
    }
    // An email autolink in a note stays a mailto: link.
    let page = read(&b.out.join(format!("reports/{}.html", expected[0].id)));
    let doc = Html::parse_document(&page);
    let mailto = Selector::parse(r#"a[href="mailto:ana@example.com"]"#).unwrap();
    assert_eq!(doc.select(&mailto).count(), 1, "email autolink");
}

// --- Markdown. --------------------------------------------------------------------------------

fn md_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
}

/// What a Markdown document is made of, read from its events.
#[derive(Default)]
struct MdShape {
    /// Headings outside blockquotes: level and text.
    headings: Vec<(HeadingLevel, String)>,
    /// Headings inside blockquotes (quoted Markdown from the database).
    quoted_headings: Vec<(HeadingLevel, String)>,
    /// Raw HTML, trimmed, in document order.
    html: Vec<String>,
    /// Link destinations.
    links: Vec<String>,
    images: usize,
    code_starts: usize,
    code_ends: usize,
    /// Code blocks outside blockquotes.
    top_code_blocks: usize,
    /// Tables outside blockquotes: rows of cells' text.
    tables: Vec<Vec<Vec<String>>>,
    /// All text, Text and Code runs joined, other events as line breaks.
    text: String,
}

fn md_shape(source: &str) -> MdShape {
    let mut shape = MdShape::default();
    let mut quote_depth = 0usize;
    let mut heading: Option<(HeadingLevel, String, bool)> = None;
    let mut table: Option<Vec<Vec<String>>> = None;
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
                    row.push(String::new());
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => shape.html.push(html.trim().to_string()),
            Event::Start(Tag::Link { dest_url, .. }) => shape.links.push(dest_url.to_string()),
            Event::Start(Tag::Image { dest_url, .. }) => {
                shape.images += 1;
                shape.links.push(dest_url.to_string());
            }
            Event::Start(Tag::CodeBlock(_)) => {
                shape.code_starts += 1;
                if top {
                    shape.top_code_blocks += 1;
                }
            }
            Event::End(TagEnd::CodeBlock) => shape.code_ends += 1,
            _ => {}
        }
        match &event {
            Event::Text(t) | Event::Code(t) => {
                shape.text.push_str(t);
                if let Some((_, text, _)) = heading.as_mut() {
                    text.push_str(t);
                }
                if let Some(cell) = table
                    .as_mut()
                    .and_then(|t| t.last_mut())
                    .and_then(|r| r.last_mut())
                {
                    cell.push_str(t);
                }
            }
            _ => shape.text.push('\n'),
        }
    }
    assert_eq!(quote_depth, 0);
    shape
}

fn assert_md_links_safe(shape: &MdShape, context: &str) {
    assert_eq!(shape.images, 0, "{context}: images load from elsewhere");
    for link in &shape.links {
        assert_safe_url(link, context);
        assert_no_script_scheme(link, context);
    }
    assert_eq!(
        shape.code_starts, shape.code_ends,
        "{context}: unclosed code block"
    );
}

#[test]
fn markdown_documents_keep_their_structure() {
    let b = built();
    for report in reports() {
        let id = &report.id;
        let md = read(&b.out.join(format!("reports/{id}.md")));
        let shape = md_shape(&md);
        let context = format!("{id}.md");

        // Exactly the template's headings: the title, three sections, one per entry.
        let mut wanted = vec![
            (HeadingLevel::H1, one_line(&report.title)),
            (HeadingLevel::H2, "Summary".to_string()),
            (HeadingLevel::H2, "Status".to_string()),
            (HeadingLevel::H2, "Timeline".to_string()),
        ];
        wanted.extend(
            report
                .kinds
                .iter()
                .map(|k| (HeadingLevel::H3, one_line(type_label(k).trim()))),
        );
        assert_eq!(shape.headings, wanted, "{context}: headings\n{md}");
        // Quoted Markdown keeps its headings, below the document's own levels.
        for (level, text) in &shape.quoted_headings {
            assert!(
                *level >= HeadingLevel::H4,
                "{context}: quoted {level} {text:?}"
            );
        }

        // The only raw HTML is each entry's anchor.
        let anchors: Vec<String> = report
            .artefacts
            .iter()
            .map(|a| format!(r#"<a id="a-{a}"></a>"#))
            .collect();
        assert_eq!(shape.html.concat(), anchors.concat(), "{context}: raw HTML");

        assert_md_links_safe(&shape, &context);
        assert_eq!(
            shape.top_code_blocks, report.code_blocks,
            "{context}: code blocks\n{md}"
        );

        // The status table: a header and one row per status type, five cells each. GFM drops
        // the cells a row has beyond the header's, so the cells' text is checked too: a pipe
        // that split a value would shift the actor and the count out of their columns.
        assert!(!report.status.is_empty());
        assert_eq!(shape.tables.len(), 1, "{context}: tables");
        let rows = &shape.tables[0];
        assert_eq!(rows.len(), report.status.len() + 1, "{context}: {rows:?}");
        for row in rows {
            assert_eq!(row.len(), 5, "{context}: status row {row:?}");
        }
        for (row, want) in rows[1..].iter().zip(&report.status) {
            assert_eq!(row[0], want.label, "{context}: {row:?}");
            if let Some(value) = &want.value {
                assert_eq!(&row[1], value, "{context}: {row:?}");
            }
            // Every status row of the fixture is the system's.
            assert_eq!(row[2], "system", "{context}: {row:?}");
            assert_eq!(row[4], want.superseded.to_string(), "{context}: {row:?}");
        }

        // The pull request is linked when it is a web URL.
        let pr = report
            .pr_url
            .as_deref()
            .expect("the fixture's reports have a PR");
        let linked = shape.links.iter().any(|l| percent_decoded(l) == pr);
        assert_eq!(linked, is_web(pr), "{context}: {pr:?} in {:?}", shape.links);

        let missing: Vec<_> = report
            .markers
            .iter()
            .filter(|m| !has_marker(&shape.text, m))
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
    assert_md_links_safe(&shape, "index.md");
    assert_eq!(shape.tables.len(), 1, "{md}");
    let rows = &shape.tables[0];
    assert_eq!(rows.len(), expected.len() + 1, "{md}");
    for row in rows {
        assert_eq!(row.len(), 7, "index row {row:?}\n{md}");
    }
    let titles: BTreeSet<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    let wanted: BTreeSet<String> = expected.iter().map(|r| one_line(&r.title)).collect();
    assert_eq!(titles, wanted, "{md}");
    for row in &rows[1..] {
        assert_eq!(row[6], "PR", "PR column of {row:?}");
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
            .filter_map(|r| r.pr_url.clone())
            .filter(|u| is_web(u)),
    );
    assert_eq!(links, wanted, "{md}");
}
