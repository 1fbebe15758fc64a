//! Markdown documents (GitHub-flavoured). Text reaches the `.md` templates as it is and askama
//! escapes it there with [`Md`] (`askama.toml`); what is built here already as Markdown (links,
//! tables' cells, entry bodies) is escaped piece by piece and marked `|safe` in the template:
//! inline text with [`escape_markdown`], Markdown from the database re-emitted by
//! [`markdown_to_markdown`] inside a blockquote, code in fences it cannot close.

use askama::Template;

use super::code;
use super::diff::{self, FileStatus};
use super::links::{self, Depth, Format};
use super::page::{Archive, Entry, IndexRow, Neighbour, ReportView};
use super::text::{
    code_fence, escape_html_line, escape_markdown, human_size, is_safe_url, is_web_url,
    markdown_code_span, markdown_excerpt, markdown_to_markdown,
};
use super::view::{Block, Inline};

/// askama's escaper for `.md` templates (configured in `askama.toml`): a `{{ value }}` not
/// marked `|safe` is written as one line of inert Markdown text ([`escape_markdown`]). askama
/// hands over each value's text in one piece (strings and numbers are written whole), so the
/// rules for a value's first character (`-`, `#`, `1.`) hold.
#[derive(Clone, Copy, Debug, Default)]
pub struct Md;

impl askama::filters::Escaper for Md {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, text: &str) -> std::fmt::Result {
        dest.write_str(&escape_markdown(text))
    }
}

/// Fields named in the template without `|safe` are plain text (escaped by [`Md`]); the others
/// are Markdown built here.
pub struct StatusRowMd {
    pub label: &'static str,
    /// The value and a one-line excerpt of the reasoning.
    pub value: String,
    pub actor: String,
    pub link: String,
    pub earlier: String,
}

pub struct DayMd {
    pub label: String,
    pub entries: Vec<EntryMd>,
}

pub struct EntryMd {
    pub anchor: String,
    pub heading: String,
    pub meta: String,
    pub notices: Vec<String>,
    pub body: String,
    /// Earlier versions kept by snapshots (empty when none).
    pub versions: String,
}

/// A report's Markdown document. `title`, `notices`, `facts`, `status_notes`, days' and entries'
/// labels and notices are plain text, escaped by the template ([`Md`]); the rest is Markdown
/// built here and marked `|safe` there.
#[derive(Template)]
#[template(path = "report.md")]
pub struct ReportDoc {
    pub title: String,
    /// Links to the index and the HTML twin (empty in an export without a base URL).
    pub nav: String,
    pub meta: String,
    pub notices: Vec<String>,
    pub summary: String,
    pub status_rows: Vec<StatusRowMd>,
    pub reviewers: Vec<String>,
    pub findings: Vec<String>,
    pub dismissals: Vec<String>,
    pub days: Vec<DayMd>,
    pub status_notes: Vec<String>,
    /// Table rows of the pull requests: PR, state, the task that opened it, where found.
    pub prs: Vec<[String; 4]>,
    pub facts: Vec<String>,
    /// "Held by …" from the assignment row (empty when not shown).
    pub holder: String,
    /// Links to the reports created just before and after this one (empty when there are
    /// none, as in an export).
    pub prevnext: String,
}

pub struct IndexRowMd {
    pub link: String,
    pub status: String,
    pub priority: String,
    pub repository: String,
    pub activity: String,
    pub entries: usize,
    pub pr: String,
}

#[derive(Template)]
#[template(path = "index.md")]
pub struct IndexDoc {
    pub count: usize,
    pub rows: Vec<IndexRowMd>,
}

/// `<url>` form of a link destination: nothing inside can end it early. `|` and `` ` `` are
/// percent-encoded too: GFM splits a table row on a pipe even inside a link, and [`cell`]
/// reads backticks as code spans.
fn destination(url: &str) -> String {
    let mut out = String::from("<");
    for c in url.trim().chars() {
        match c {
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            ' ' => out.push_str("%20"),
            '\\' => out.push_str("%5C"),
            '|' => out.push_str("%7C"),
            '`' => out.push_str("%60"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('>');
    out
}

/// A link where there is somewhere to link to, else the text.
pub fn link_or_text(text: &str, url: Option<String>) -> String {
    match url {
        Some(url) => link(text, &url),
        None => escape_markdown(text),
    }
}

fn link(text: &str, url: &str) -> String {
    format!("[{}]({})", escape_markdown(text), destination(url))
}

pub fn external(text: &str, url: &str) -> String {
    let url = url.trim();
    let linkable =
        is_web_url(url) || (url.to_ascii_lowercase().starts_with("mailto:") && is_safe_url(url));
    if linkable {
        link(text, url)
    } else {
        escape_markdown(text)
    }
}

pub fn inline(value: &Inline, archive: &Archive) -> String {
    match value {
        Inline::Text(t) => escape_markdown(t),
        Inline::Code(c) => markdown_code_span(c),
        Inline::Url { text, url } => external(text, url),
        Inline::Report(raw) => match uuid::Uuid::parse_str(raw.trim()) {
            Ok(id) => match archive.title(id) {
                Some(title) => link_or_text(title, archive.scope.report(id, Format::Markdown)),
                None => format!("report `{id}` (not in this archive)"),
            },
            Err(_) => format!("report {} (not a report id)", markdown_code_span(raw)),
        },
        Inline::Task { id, title } => {
            link_or_text(title, archive.scope.page(&links::task_path(*id)))
        }
        Inline::Entry { id, text } => link_or_text(text, archive.scope.entry(*id)),
        Inline::Person { name, path } => link_or_text(name, archive.scope.page(path)),
        Inline::Badge(b) | Inline::Toned(_, b) => format!("**{}**", escape_markdown(b)),
        Inline::List(items) => items
            .iter()
            .map(|i| inline(i, archive))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Inline code that links to `url` when it is a web URL.
fn external_code(text: &str, url: &str) -> String {
    if is_web_url(url) {
        format!("[{}]({})", markdown_code_span(text), destination(url))
    } else {
        markdown_code_span(text)
    }
}

/// A diff, one `<details>` per file with a `diff` fence inside (GitHub colours those); files
/// over the size limit are left out with a notice.
fn diff_markdown(text: &str, link: Option<&str>) -> String {
    let patch = diff::parse(text);
    let mut out = String::new();
    let additions: usize = patch.files.iter().map(|f| f.additions).sum();
    let deletions: usize = patch.files.iter().map(|f| f.deletions).sum();
    out.push_str(&format!(
        "{} file{} changed, +{additions} −{deletions}",
        patch.files.len(),
        if patch.files.len() == 1 { "" } else { "s" }
    ));
    if let Some(url) = link {
        out.push_str(&format!(" · {}", external("on GitHub", url)));
    }
    out.push_str("\n\n");
    // What precedes the first file (a `git show` header), as the HTML page shows it.
    if !patch.preamble.iter().all(|l| l.trim().is_empty()) {
        out.push_str(&code_fence(&patch.preamble.join("\n"), "text"));
        out.push('\n');
    }
    for file in &patch.files {
        // HTML context: the summary is escaped as HTML, not Markdown, and stays on its line.
        let mut summary = escape_html_line(file.path());
        match (file.status, &file.old_path) {
            (FileStatus::Renamed, Some(old)) => {
                summary.push_str(&format!(" (renamed from {})", escape_html_line(old)))
            }
            (FileStatus::Copied, Some(old)) => {
                summary.push_str(&format!(" (copied from {})", escape_html_line(old)))
            }
            (FileStatus::Added, _) => summary.push_str(" (new file)"),
            (FileStatus::Deleted, _) => summary.push_str(" (deleted)"),
            _ => {}
        }
        if file.binary {
            summary.push_str(" (binary)");
        }
        summary.push_str(&format!(" +{} −{}", file.additions, file.deletions));
        out.push_str(&format!("<details><summary>{summary}</summary>\n\n"));
        if file.bytes > code::MAX_FILE_BYTES {
            out.push_str(&format!(
                "_This file's diff is {}: too large to include._\n\n</details>\n\n",
                human_size(file.bytes)
            ));
            continue;
        }
        for notice in file.notices() {
            out.push_str(&format!("**Notice:** {}\n\n", escape_markdown(&notice)));
        }
        // The file's header lines as written (`diff --git`, `index`, modes, `---`/`+++`), then
        // its hunks: every line of the diff is in the fence.
        let mut body = String::new();
        for line in &file.header {
            // A lone carriage return would end the line for a Markdown reader (and the fence
            // with it): shown as the control picture, as the HTML page shows it.
            body.push_str(&line.replace('\r', "\u{240d}"));
            body.push('\n');
        }
        for hunk in &file.hunks {
            body.push_str(&hunk.header);
            body.push('\n');
            for line in &hunk.lines {
                let marker = line.kind.marker();
                body.push_str(marker);
                body.push_str(&line.text);
                body.push('\n');
            }
        }
        if body.is_empty() {
            body.push_str(if file.binary {
                "Binary file changed\n"
            } else {
                "(no changes shown)\n"
            });
        }
        out.push_str(&code_fence(&body, "diff"));
        out.push_str("\n</details>\n\n");
    }
    out
}

/// A table cell. GFM splits a row on every `|` that has no backslash before it, before it
/// reads code spans, then drops the backslash of every `\|`, inside code spans too. Outside
/// code spans a backslash already escapes what follows (text from [`escape_markdown`]) and is
/// kept with it; inside them a backslash is content, so every pipe there gets its own.
pub fn cell(text: String) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    // The backtick count of the open code span.
    let mut code: Option<usize> = None;
    while let Some(c) = chars.next() {
        match c {
            '`' => {
                let mut run = 1;
                while chars.next_if_eq(&'`').is_some() {
                    run += 1;
                }
                out.extend(std::iter::repeat_n('`', run));
                code = match code {
                    None => Some(run),
                    Some(open) if open == run => None,
                    open => open,
                };
            }
            '\\' if code.is_none() => {
                out.push(c);
                out.extend(chars.next());
            }
            '|' => out.push_str("\\|"),
            c => out.push(c),
        }
    }
    out
}

/// Every line prefixed with `> `: the quoted Markdown keeps its own structure inside the quote.
fn quote(markdown: &str) -> String {
    let markdown = markdown.trim_end();
    // Sized once: a note shown as plain text can be tens of megabytes.
    let lines = markdown.bytes().filter(|&b| b == b'\n').count() + 1;
    let mut out = String::with_capacity(markdown.len() + 2 * lines + 1);
    for line in markdown.lines() {
        if line.is_empty() {
            out.push_str(">\n");
        } else {
            out.push_str("> ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The fence language for a file path (GitHub colours these).
pub fn fence_language(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "py" => "python",
        "rs" => "rust",
        "ts" => "typescript",
        "tsx" => "tsx",
        "js" | "mjs" | "cjs" => "javascript",
        "jsx" => "jsx",
        "go" => "go",
        "sql" => "sql",
        "yml" | "yaml" => "yaml",
        "toml" => "toml",
        "json" => "json",
        "sh" | "bash" => "bash",
        "rb" => "ruby",
        "java" => "java",
        "kt" => "kotlin",
        "css" | "scss" => "css",
        "html" => "html",
        "md" => "markdown",
        _ if path.ends_with("Dockerfile") => "dockerfile",
        _ => "text",
    }
}

pub fn block(value: &Block, archive: &Archive) -> String {
    match value {
        Block::Fields(fields) => fields
            .iter()
            .map(|(label, value)| {
                format!(
                    "- **{}:** {}\n",
                    escape_markdown(label),
                    inline(value, archive)
                )
            })
            .collect(),
        Block::Markdown(md) => quote(&markdown_to_markdown(md)),
        Block::Paragraph(i) => format!("{}\n", inline(i, archive)),
        Block::Code {
            path,
            start_line,
            text,
            link,
        } => {
            let (start, end) = (
                *start_line,
                start_line.saturating_add(
                    text.strip_suffix('\n').unwrap_or(text).split('\n').count() as i64 - 1,
                ),
            );
            let range = if end > start {
                format!("lines {start}–{end}")
            } else {
                format!("line {start}")
            };
            let caption = match (path, link) {
                (Some(p), Some(url)) => format!("{} {range}\n\n", external_code(p, url)),
                (Some(p), None) => format!("{} {range}\n\n", markdown_code_span(p)),
                (None, _) => String::new(),
            };
            let lang = path.as_deref().map(fence_language).unwrap_or("text");
            format!("{caption}{}", code_fence(text, lang))
        }
        Block::Diff { text, link } => diff_markdown(text, link.as_deref()),
        Block::NoDiff { link, reason } => {
            let mut out = String::from("_Diff not stored");
            if let Some(reason) = reason {
                out.push_str(&format!(" ({})", escape_markdown(reason)));
            }
            out.push_str("._");
            if let Some(url) = link {
                out.push_str(&format!(" {}", external("View the commit on GitHub", url)));
            }
            out.push('\n');
            out
        }
        Block::Change { before, after } => {
            let before = match before {
                Some(b) => quote(&markdown_to_markdown(b)),
                None => "_none_\n".to_string(),
            };
            format!(
                "**Before:**\n\n{before}\n**After:**\n\n{}",
                quote(&markdown_to_markdown(after))
            )
        }
        Block::Items(items) => items
            .iter()
            .map(|i| format!("- {}\n", inline(i, archive)))
            .collect(),
        Block::Raw(raw) => code_fence(raw, "text"),
    }
}

fn time(t: Option<crate::model::Timestamp>) -> String {
    super::page::time_pair(t).1
}

fn entry(e: &Entry, archive: &Archive) -> EntryMd {
    let mut meta = format!(
        "by {} · {}",
        link_or_text(&e.actor, archive.scope.page(&e.actor_page)),
        time(e.when)
    );
    if let Some(edited) = e.edited {
        meta.push_str(&format!(" · edited {}", edited.display()));
    }
    if let Some(next) = e.superseded_by {
        meta.push_str(&format!(
            " · {}",
            link_or_text("superseded", archive.scope.entry(next))
        ));
    }
    if e.gone {
        meta.push_str(" · **deleted upstream**");
    }
    EntryMd {
        anchor: links::anchor(e.id),
        heading: e.label.clone(),
        meta,
        notices: e.notices.clone(),
        body: e
            .muted
            .map(|why| format!("_{}_\n", escape_markdown(why)))
            .into_iter()
            .chain(e.blocks.iter().map(|b| block(b, archive)))
            .collect::<Vec<_>>()
            .join("\n"),
        versions: versions(e, archive),
    }
}

fn versions(e: &Entry, archive: &Archive) -> String {
    if e.versions.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<details><summary>{}</summary>\n\n",
        escape_markdown(&e.versions_label)
    );
    for v in &e.versions {
        out.push_str(&format!("**{}**\n\n", escape_markdown(&v.label)));
        for b in &v.blocks {
            out.push_str(&block(b, archive));
            out.push('\n');
        }
    }
    out.push_str("</details>\n");
    out
}

/// Reasoning shown in a table cell: plain text, one line, at most 200 characters.
const EXCERPT: usize = 200;

/// `← Older: [title](…) · Newer: [title](…) →`, the sides there are; empty when neither is.
fn prevnext(view: &ReportView, archive: &Archive) -> String {
    let (older, newer) = archive.neighbours(view.id);
    let side = |label: &str, neighbour: Neighbour<'_>| {
        let (id, title) = neighbour?;
        let href = archive.scope.report(id, Format::Markdown)?;
        Some(format!(
            "{}: {}",
            escape_markdown(label),
            link(title, &href)
        ))
    };
    let older = side(super::labels::OLDER, older).map(|l| format!("← {l}"));
    let newer = side(super::labels::NEWER, newer).map(|l| format!("{l} →"));
    [older, newer]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn report_doc(view: &ReportView, archive: &Archive) -> ReportDoc {
    let mut meta = format!(
        "**Status:** {} · created {} · last activity {}",
        escape_markdown(&view.status),
        time(view.created),
        time(view.last_activity)
    );
    match view.prs.len() {
        0 => {}
        1 => meta.push_str(" · 1 pull request"),
        n => meta.push_str(&format!(" · {n} pull requests")),
    }
    let prs = view
        .prs
        .iter()
        .map(|pr| {
            [
                cell(external(&pr.reference, &pr.url)),
                cell(escape_markdown(&pr.state_text())),
                cell(
                    pr.task
                        .as_ref()
                        .map(|t| inline(t, archive))
                        .unwrap_or_else(|| "—".into()),
                ),
                cell(match pr.entry {
                    Some(id) => link_or_text(pr.source, archive.scope.entry(id)),
                    None => escape_markdown(pr.source),
                }),
            ]
        })
        .collect();
    let holder = view
        .holder
        .as_ref()
        .map(|(name, page, since)| {
            format!(
                "Held by {}{} (from the assignment row).",
                link_or_text(name, page.as_deref().and_then(|p| archive.scope.page(p))),
                since
                    .map(|t| format!(" since {}", t.display()))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let mut notices = view.notices.clone();
    if let Some(error) = &view.error {
        notices.push(format!("Report error: {error}"));
    }
    let status_notes = view.status_notes.clone();
    ReportDoc {
        prevnext: prevnext(view, archive),
        prs,
        holder,
        facts: view.facts.clone(),
        title: view.title.clone(),
        nav: [
            archive
                .scope
                .index(Format::Markdown)
                .map(|h| link("All reports", &h)),
            match archive.scope {
                links::Scope::Archive => archive
                    .scope
                    .report(view.id, Format::Html)
                    .map(|h| link("HTML", &h)),
                links::Scope::Standalone { .. } => None,
            },
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · "),
        meta,
        notices,
        summary: view
            .summary
            .as_deref()
            .map(|s| quote(&markdown_to_markdown(s)))
            .unwrap_or_else(|| "_No summary._\n".into()),
        status_rows: view
            .status_rows
            .iter()
            .map(|row| {
                let mut value = inline(&row.value, archive);
                if let Some(why) = &row.explanation {
                    value.push_str(" — ");
                    value.push_str(&escape_markdown(&markdown_excerpt(why, EXCERPT)));
                }
                StatusRowMd {
                    label: row.label,
                    value: cell(value),
                    actor: link_or_text(&row.actor, archive.scope.page(&row.actor_page)),
                    link: link_or_text(&time(row.when), archive.scope.entry(row.entry)),
                    earlier: if row.earlier.is_empty() {
                        "—".into()
                    } else {
                        cell(
                            row.earlier
                                .iter()
                                .map(|(id, value)| match archive.scope.entry(*id) {
                                    Some(href) => {
                                        format!(
                                            "[{}]({})",
                                            inline(value, archive),
                                            destination(&href)
                                        )
                                    }
                                    None => inline(value, archive),
                                })
                                .collect::<Vec<_>>()
                                .join(" → "),
                        )
                    },
                }
            })
            .collect(),
        reviewers: view.reviewers.iter().map(|r| inline(r, archive)).collect(),
        findings: view
            .findings
            .iter()
            .map(|f| {
                let mut line = format!(
                    "{} **{}**",
                    link_or_text(&f.signal, archive.scope.entry(f.entry)),
                    if f.verified { "Verified" } else { "Unverified" },
                );
                if let Some(path) = &f.path {
                    line.push_str(&format!(" · {}", markdown_code_span(path)));
                }
                line
            })
            .collect(),
        dismissals: view
            .dismissals
            .iter()
            .map(|d| {
                let mut line = format!(
                    "**{}** by {}, {} ({})",
                    escape_markdown(&d.reason),
                    link_or_text(&d.actor, archive.scope.page(&d.actor_page)),
                    time(d.when),
                    link_or_text("entry", archive.scope.entry(d.entry))
                );
                if let Some(note) = &d.note {
                    line.push_str(&format!(
                        " — {}",
                        escape_markdown(&markdown_excerpt(note, EXCERPT))
                    ));
                }
                line
            })
            .collect(),
        days: view
            .days
            .iter()
            .map(|day| DayMd {
                label: day.day.clone().unwrap_or_else(|| "Undated".into()),
                entries: day.entries.iter().map(|e| entry(e, archive)).collect(),
            })
            .collect(),
        status_notes,
    }
}

pub fn index_doc(rows: &[IndexRow]) -> IndexDoc {
    IndexDoc {
        count: rows.len(),
        rows: rows
            .iter()
            .map(|r| IndexRowMd {
                link: link(
                    &r.title,
                    &links::report(r.id, Format::Markdown, Depth::Root),
                ),
                status: r.status.clone(),
                priority: r.priority.clone().unwrap_or_default(),
                repository: cell(
                    r.repository
                        .as_deref()
                        .map(markdown_code_span)
                        .unwrap_or_default(),
                ),
                activity: time(r.last_activity),
                entries: r.entries,
                pr: cell(
                    r.prs
                        .iter()
                        .map(|pr| format!("{} {}", external(&pr.label, &pr.url), pr.state))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            })
            .collect(),
    }
}
