//! HTML pages: askama templates fed with strings prepared here. Text is escaped by askama;
//! fragments built here (`*_html` fields) are escaped piece by piece before they are joined.

use askama::Template;

use super::code;
use super::links::{self, Depth, Format};
use super::page::{Archive, Entry, IndexRow, PersonLink, ReportView, time_pair as time};
use super::text::{escape_html, is_safe_url, is_web_url, markdown_to_html};
use super::view::{Block, Inline};

pub struct StatusRowHtml {
    pub label: &'static str,
    pub value_html: String,
    pub explanation_html: String,
    pub actor_html: String,
    pub time_iso: String,
    pub time: String,
    pub href: String,
    /// Links to the values this one superseded, oldest first (empty when none).
    pub earlier_html: String,
}

/// A line of the summary's lists (findings, dismissals): already escaped HTML.
pub struct ItemHtml {
    pub href: String,
    pub html: String,
}

pub struct DayHtml {
    pub label: String,
    pub entries: Vec<EntryHtml>,
}

pub struct EntryHtml {
    pub anchor: String,
    pub href: String,
    pub label: String,
    pub kind: String,
    pub actor_kind: &'static str,
    pub actor_html: String,
    pub time_iso: String,
    pub time: String,
    pub edited: Option<(String, String)>,
    pub superseded_by: Option<String>,
    pub notices: Vec<String>,
    pub body_html: String,
    /// Earlier versions kept by snapshots, in a `<details>` (empty when none).
    pub versions_html: String,
    pub gone: bool,
    /// Why the entry is shown muted (bookkeeping PostHog hides), when it is.
    pub muted: Option<&'static str>,
}

/// A pull request row of the status summary: already escaped HTML in the `_html` fields.
pub struct PrHtml {
    pub link_html: String,
    pub state: &'static str,
    /// `replaced by #42`, when a handover replaced it (empty otherwise).
    pub note: String,
    /// `open`, `merged`, … for the badge's colour.
    pub state_class: &'static str,
    pub task_html: String,
    pub source: &'static str,
    pub entry_href: Option<String>,
}

/// How a page gets its stylesheet: linked from the archive's assets, or inlined (an export must
/// load nothing from anywhere).
pub struct Head {
    pub stylesheet: Option<String>,
    pub inline_css: Option<String>,
}

impl Head {
    pub fn linked(from: Depth) -> Head {
        Head {
            stylesheet: Some(links::stylesheet(from)),
            inline_css: None,
        }
    }

    fn for_scope(scope: &links::Scope, from: Depth) -> Head {
        match scope {
            links::Scope::Archive => Head::linked(from),
            links::Scope::Standalone { .. } => Head {
                stylesheet: None,
                inline_css: Some(super::stylesheet()),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub title: String,
    pub head: Head,
    pub nav_html: String,
    pub status: String,
    pub created: String,
    pub last_activity: String,
    pub summary_html: String,
    pub error: Option<String>,
    pub prs: Vec<PrHtml>,
    pub facts: Vec<String>,
    /// "Held by …" from the assignment row (empty when not shown).
    pub holder_html: String,
    pub status_rows: Vec<StatusRowHtml>,
    pub reviewers_html: Vec<String>,
    pub findings: Vec<ItemHtml>,
    pub dismissals: Vec<ItemHtml>,
    pub days: Vec<DayHtml>,
    pub notices: Vec<String>,
    pub status_notes: Vec<String>,
}

pub struct IndexRowHtml {
    pub href: String,
    pub title: String,
    pub status: String,
    pub priority: String,
    pub actionability: String,
    pub repository: String,
    pub created_iso: String,
    pub created: String,
    pub activity_iso: String,
    pub activity: String,
    pub entries: usize,
    pub pr_html: String,
}

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub title: String,
    pub head: Head,
    pub markdown: String,
    pub script: String,
    pub search_index: String,
    pub statuses: Vec<String>,
    pub priorities: Vec<String>,
    pub repositories: Vec<String>,
    pub rows: Vec<IndexRowHtml>,
    pub people: Vec<PersonLink>,
}

/// `<a>` to an external URL when it is `http(s)`/`mailto`, else the text alone.
pub fn external(text: &str, url: &str) -> String {
    let url = url.trim();
    let linkable =
        is_web_url(url) || (url.to_ascii_lowercase().starts_with("mailto:") && is_safe_url(url));
    if linkable {
        format!(
            r#"<a href="{}" rel="nofollow noopener noreferrer">{}</a>"#,
            escape_html(url),
            escape_html(text)
        )
    } else {
        escape_html(text)
    }
}

/// `<a href>text</a>`, or the text alone where there is nothing to link to.
pub fn anchor(text: &str, href: Option<String>) -> String {
    match href {
        Some(href) => format!(
            r#"<a href="{}">{}</a>"#,
            escape_html(&href),
            escape_html(text)
        ),
        None => escape_html(text),
    }
}

pub fn inline(value: &Inline, archive: &Archive) -> String {
    match value {
        Inline::Text(t) => escape_html(t),
        Inline::Code(c) => format!("<code>{}</code>", escape_html(c)),
        Inline::Url { text, url } => external(text, url),
        Inline::Report(raw) => match uuid::Uuid::parse_str(raw.trim()) {
            Ok(id) => match archive.title(id) {
                Some(title) => anchor(title, archive.scope.report(id, Format::Html)),
                None => format!(
                    r#"<span class="missing">report <code>{}</code> (not in this archive)</span>"#,
                    id
                ),
            },
            Err(_) => format!(
                r#"<span class="missing">report <code>{}</code> (not a report id)</span>"#,
                escape_html(raw)
            ),
        },
        Inline::Task { id, title } => anchor(title, archive.scope.page(&links::task_path(*id))),
        Inline::Entry { id, text } => anchor(text, archive.scope.entry(*id)),
        Inline::Person { name, path } => anchor(name, archive.scope.page(path)),
        Inline::Badge(b) => format!(r#"<span class="badge">{}</span>"#, escape_html(b)),
        Inline::List(items) => items
            .iter()
            .map(|i| inline(i, archive))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

pub fn block(value: &Block, archive: &Archive) -> String {
    match value {
        Block::Fields(fields) => {
            let mut out = String::from(r#"<dl class="fields">"#);
            for (label, value) in fields {
                out.push_str(&format!(
                    "<dt>{}</dt><dd>{}</dd>",
                    escape_html(label),
                    inline(value, archive)
                ));
            }
            out.push_str("</dl>");
            out
        }
        Block::Markdown(md) => format!(r#"<div class="md">{}</div>"#, markdown_to_html(md)),
        Block::Paragraph(i) => format!("<p>{}</p>", inline(i, archive)),
        Block::Code {
            path,
            start_line,
            text,
            link,
        } => code::code_html(path.as_deref(), *start_line, text, link.as_deref()),
        Block::Diff { text, link } => code::diff_html(text, link.as_deref()),
        Block::NoDiff { link, reason } => {
            let mut out = String::from(r#"<p class="muted">Diff not stored"#);
            if let Some(reason) = reason {
                out.push_str(&format!(" ({})", escape_html(reason)));
            }
            if let Some(url) = link {
                out.push_str(&format!(
                    " · {}",
                    external("view the commit on GitHub", url)
                ));
            }
            out.push_str(".</p>");
            out
        }
        Block::Change { before, after } => {
            let before = match before {
                Some(b) => format!(r#"<div class="md">{}</div>"#, markdown_to_html(b)),
                None => "<p><em>none</em></p>".to_string(),
            };
            format!(
                r#"<dl class="change"><dt>Before</dt><dd>{before}</dd><dt>After</dt><dd><div class="md">{}</div></dd></dl>"#,
                markdown_to_html(after)
            )
        }
        Block::Items(items) => {
            let mut out = String::from("<ul>");
            for item in items {
                out.push_str(&format!("<li>{}</li>", inline(item, archive)));
            }
            out.push_str("</ul>");
            out
        }
        Block::Raw(raw) => format!(
            r#"<pre class="raw"><code>{}</code></pre>"#,
            escape_html(raw)
        ),
    }
}

fn entry(e: &Entry, archive: &Archive) -> EntryHtml {
    let (time_iso, time) = time(e.when);
    EntryHtml {
        anchor: links::anchor(e.id),
        href: links::entry(e.id),
        label: e.label.clone(),
        kind: e.kind.clone(),
        actor_kind: e.actor_kind,
        actor_html: anchor(&e.actor, archive.scope.page(&e.actor_page)),
        time_iso,
        time,
        edited: e.edited.map(|t| (t.iso(), t.display())),
        superseded_by: e.superseded_by.map(links::entry),
        notices: e.notices.clone(),
        body_html: e.blocks.iter().map(|b| block(b, archive)).collect(),
        versions_html: versions_html(e, archive),
        gone: e.gone,
        muted: e.muted,
    }
}

fn state_class(state: crate::model::PrState) -> &'static str {
    use crate::model::PrState;
    match state {
        PrState::Open => "open",
        PrState::Draft => "draft",
        PrState::Unknown => "unknown",
        PrState::Merged => "merged",
        PrState::Closed => "closed",
    }
}

fn pr_html(pr: &super::page::PrRow, archive: &Archive) -> PrHtml {
    PrHtml {
        link_html: external(&pr.reference, &pr.url),
        state: pr.state.label(),
        note: pr
            .replaced_by
            .as_ref()
            .map(|by| format!("replaced by {by}"))
            .unwrap_or_default(),
        state_class: state_class(pr.state),
        task_html: pr
            .task
            .as_ref()
            .map(|t| inline(t, archive))
            .unwrap_or_default(),
        source: pr.source,
        entry_href: pr.entry.and_then(|id| archive.scope.entry(id)),
    }
}

fn versions_html(e: &Entry, archive: &Archive) -> String {
    if e.versions.is_empty() {
        return String::new();
    }
    let mut out = format!(
        r#"<details class="versions"><summary>{}</summary>"#,
        escape_html(&e.versions_label)
    );
    for v in &e.versions {
        out.push_str(&format!(
            r#"<section class="version"><p class="muted">{}</p>"#,
            escape_html(&v.label)
        ));
        for b in &v.blocks {
            out.push_str(&block(b, archive));
        }
        out.push_str("</section>");
    }
    out.push_str("</details>");
    out
}

pub fn report_page(view: &ReportView, archive: &Archive) -> ReportPage {
    ReportPage {
        title: view.title.clone(),
        head: Head::for_scope(&archive.scope, Depth::Folder),
        nav_html: [
            archive
                .scope
                .index(Format::Html)
                .map(|h| anchor("All reports", Some(h))),
            match archive.scope {
                links::Scope::Archive => Some(anchor(
                    "Markdown",
                    archive.scope.report(view.id, Format::Markdown),
                )),
                links::Scope::Standalone { .. } => None,
            },
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · "),
        status: view.status.clone(),
        created: time(view.created).1,
        last_activity: time(view.last_activity).1,
        summary_html: view
            .summary
            .as_deref()
            .map(markdown_to_html)
            .unwrap_or_default(),
        error: view.error.clone(),
        prs: view.prs.iter().map(|pr| pr_html(pr, archive)).collect(),
        facts: view.facts.clone(),
        holder_html: view
            .holder
            .as_ref()
            .map(|(name, page, since)| {
                format!(
                    "Held by {}{} (from the assignment row).",
                    anchor(name, page.as_deref().and_then(|p| archive.scope.page(p))),
                    since
                        .map(|t| format!(" since {}", t.display()))
                        .unwrap_or_default()
                )
            })
            .unwrap_or_default(),
        status_rows: view
            .status_rows
            .iter()
            .map(|row| {
                let (time_iso, time) = time(row.when);
                StatusRowHtml {
                    label: row.label,
                    value_html: inline(&row.value, archive),
                    explanation_html: row
                        .explanation
                        .as_deref()
                        .map(markdown_to_html)
                        .unwrap_or_default(),
                    actor_html: anchor(&row.actor, archive.scope.page(&row.actor_page)),
                    time_iso,
                    time,
                    href: links::entry(row.entry),
                    earlier_html: row
                        .earlier
                        .iter()
                        .map(|(id, value)| {
                            format!(
                                r#"<a href="{}">{}</a>"#,
                                links::entry(*id),
                                inline(value, archive)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(" → "),
                }
            })
            .collect(),
        reviewers_html: view.reviewers.iter().map(|r| inline(r, archive)).collect(),
        findings: view
            .findings
            .iter()
            .map(|f| ItemHtml {
                href: links::entry(f.entry),
                html: format!(
                    r#"<code>{}</code> <span class="badge">{}</span>"#,
                    escape_html(&f.signal),
                    if f.verified { "Verified" } else { "Unverified" }
                ),
            })
            .collect(),
        dismissals: view
            .dismissals
            .iter()
            .map(|d| ItemHtml {
                href: links::entry(d.entry),
                html: format!(
                    r#"<span class="badge">{}</span> by {}, {}{}"#,
                    escape_html(&d.reason),
                    anchor(&d.actor, archive.scope.page(&d.actor_page)),
                    time(d.when).1,
                    d.note
                        .as_deref()
                        .map(|n| format!(r#"<div class="md">{}</div>"#, markdown_to_html(n)))
                        .unwrap_or_default()
                ),
            })
            .collect(),
        days: view
            .days
            .iter()
            .map(|day| DayHtml {
                label: day.day.clone().unwrap_or_else(|| "Undated".into()),
                entries: day.entries.iter().map(|e| entry(e, archive)).collect(),
            })
            .collect(),
        notices: view.notices.clone(),
        status_notes: view.status_notes.clone(),
    }
}

/// The distinct non-empty values of one column, sorted (the filter choices).
fn choices<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Vec<String> {
    let set: std::collections::BTreeSet<&str> =
        values.flatten().filter(|v| !v.is_empty()).collect();
    set.into_iter().map(str::to_string).collect()
}

pub fn index_page(rows: &[IndexRow], people: Vec<PersonLink>) -> IndexPage {
    IndexPage {
        title: "Signals reports".into(),
        head: Head::linked(Depth::Root),
        markdown: links::index(Format::Markdown, Depth::Root),
        script: links::asset_path(links::INDEX_SCRIPT),
        search_index: links::asset_path(links::SEARCH_INDEX),
        statuses: choices(rows.iter().map(|r| Some(r.status.as_str()))),
        priorities: choices(rows.iter().map(|r| r.priority.as_deref())),
        repositories: choices(rows.iter().map(|r| r.repository.as_deref())),
        people,
        rows: rows
            .iter()
            .map(|r| {
                let (created_iso, created) = time(r.created);
                let (activity_iso, activity) = time(r.last_activity);
                IndexRowHtml {
                    href: links::report(r.id, Format::Html, Depth::Root),
                    title: r.title.clone(),
                    status: r.status.clone(),
                    priority: r.priority.clone().unwrap_or_default(),
                    actionability: r.actionability.clone().unwrap_or_default(),
                    repository: r.repository.clone().unwrap_or_default(),
                    created_iso,
                    created,
                    activity_iso,
                    activity,
                    entries: r.entries,
                    pr_html: r
                        .prs
                        .iter()
                        .map(|pr| {
                            format!(
                                r#"{} <span class="muted">{}</span>"#,
                                external(&pr.label, &pr.url),
                                escape_html(pr.state)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("<br>"),
                }
            })
            .collect(),
    }
}
