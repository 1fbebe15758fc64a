//! HTML pages: askama templates fed with strings prepared here. Text is escaped by askama;
//! fragments built here (`*_html` fields) are escaped piece by piece before they are joined.

use askama::Template;

use super::classify::{Tone, Weight, Who};
use super::code;
use super::labels;
use super::links::{self, Depth, Format};
use super::page::{
    Archive, Entry, IndexRow, Neighbour, PersonLink, ReportView, Toned, time_pair as time,
};
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

/// The foot of a report page: links to the reports created just before (older) and after
/// (newer) it. Plain text, escaped by the template.
pub struct PrevNext {
    pub older: Option<NeighbourLink>,
    pub newer: Option<NeighbourLink>,
}

pub struct NeighbourLink {
    pub href: String,
    /// "Older" or "Newer".
    pub label: &'static str,
    pub title: String,
}

pub struct DayHtml {
    pub label: String,
    /// Its anchor, for the timeline's contents.
    pub id: String,
    pub entries: Vec<EntryHtml>,
}

/// One answer of the status summary at the top of a report: a label and escaped HTML.
pub struct GlanceHtml {
    pub label: &'static str,
    pub html: String,
}

/// How many entries each filter of the timeline shows.
pub struct WhoCount {
    pub key: &'static str,
    pub label: &'static str,
    pub count: usize,
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
    /// Bookkeeping: one muted line instead of a card.
    pub line: bool,
    /// `people`, `agents` or `system`: what the timeline's filter matches.
    pub who: &'static str,
}

/// A pull request row of the status summary: already escaped HTML in the `_html` fields.
pub struct PrHtml {
    pub link_html: String,
    pub state: &'static str,
    /// `replaced by #42`, when a handover replaced it (empty otherwise).
    pub note: String,
    /// The badge's colour (`tone-success`, …).
    pub state_class: &'static str,
    pub task_html: String,
    pub source: &'static str,
    pub entry_href: Option<String>,
}

/// What every page shares: how it gets its stylesheet (linked from the archive's assets, or
/// inlined: an export must load nothing from anywhere) and its site header (the site's name
/// linking to the index, when there is one to link to, and the page's own links).
#[derive(Hash)]
pub struct Head {
    pub stylesheet: Option<String>,
    pub inline_css: Option<String>,
    /// The index, from this page.
    pub home: Option<String>,
    /// Links beside the site's name (`Markdown`), escaped HTML.
    pub nav_html: String,
}

/// The site's name, in every page's header.
pub const SITE_NAME: &str = "Signals reports";

impl Head {
    pub fn linked(from: Depth) -> Head {
        Head {
            stylesheet: Some(links::stylesheet(from)),
            inline_css: None,
            home: Some(links::index(Format::Html, from)),
            nav_html: String::new(),
        }
    }

    fn for_scope(scope: &links::Scope, from: Depth) -> Head {
        match scope {
            links::Scope::Archive => Head::linked(from),
            links::Scope::Standalone { .. } => Head {
                stylesheet: None,
                inline_css: Some(super::stylesheet()),
                home: scope.index(Format::Html),
                nav_html: String::new(),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub title: String,
    pub head: Head,
    /// The status summary: state, urgency, who, PR, check, what next.
    pub glance: Vec<GlanceHtml>,
    /// The export's provenance line (empty in the archive).
    pub provenance_html: String,
    /// The timeline's filter: entries by who wrote them (all first).
    pub who: Vec<WhoCount>,
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
    /// Links to the older and newer report (`None` when neither is there, as in an export).
    pub prevnext: Option<PrevNext>,
}

pub struct IndexRowHtml {
    pub href: String,
    pub title: String,
    /// As stored (the filters match it), and as shown.
    pub status: String,
    pub status_label: String,
    pub status_class: &'static str,
    pub priority: String,
    pub priority_class: &'static str,
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
    pub script: String,
    pub search_index: String,
    /// (stored value, shown label)
    pub statuses: Vec<(String, String)>,
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
        Inline::Toned(tone, b) => format!(
            r#"<span class="badge {}">{}</span>"#,
            tone.class(),
            escape_html(b)
        ),
        Inline::List(items) => items
            .iter()
            .map(|i| inline(i, archive))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Code blocks scroll sideways: each `<pre>` gets `tabindex="0"`, so that a keyboard can scroll
/// it too (WCAG 2.1.1; GitHub does the same). `render::code` writes its own `<pre>`s so; this
/// adds it to the ones of rendered Markdown. Text inside is escaped, so only tags match.
fn focusable(html: String) -> String {
    if html.contains("<pre") {
        html.replace("<pre>", r#"<pre tabindex="0">"#)
            .replace("<pre ", r#"<pre tabindex="0" "#)
    } else {
        html
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
        Block::Markdown(md) => {
            focusable(format!(r#"<div class="md">{}</div>"#, markdown_to_html(md)))
        }
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
        line: e.weight == Weight::Line,
        who: e.who.key(),
    }
}

/// A value in its tone's badge, linked to the entry that set it when there is one.
fn toned(t: &Toned, archive: &Archive) -> String {
    let badge = format!(
        r#"<span class="badge {}">{}</span>"#,
        t.tone.class(),
        escape_html(&t.text)
    );
    match t.entry.and_then(|id| archive.scope.entry(id)) {
        Some(href) => format!(
            r#"<a class="plain" href="{}">{badge}</a>"#,
            escape_html(&href)
        ),
        None => badge,
    }
}

const NOT_ASSESSED: &str = r#"<span class="muted">Not assessed</span>"#;

/// The status summary's answers, each always there.
fn glance(view: &ReportView, archive: &Archive) -> Vec<GlanceHtml> {
    let g = &view.glance;
    let judged = |t: &Option<Toned>| {
        t.as_ref()
            .map_or_else(|| NOT_ASSESSED.to_string(), |t| toned(t, archive))
    };
    let pr = match &g.pr {
        Some(pr) => {
            let mut html = format!(
                r#"{} <span class="badge {}">{}</span>"#,
                external(&pr.reference, &pr.url),
                Tone::pr(pr.state).class(),
                escape_html(pr.state.label())
            );
            if let Some(t) = pr.merged_at {
                html.push_str(&format!(
                    r#" <span class="muted">{}</span>"#,
                    escape_html(&t.display())
                ));
            }
            if view.prs.len() > 1 {
                html.push_str(&format!(
                    r#" <span class="muted">(+{} more below)</span>"#,
                    view.prs.len() - 1
                ));
            }
            html
        }
        None => r#"<span class="muted">None yet</span>"#.to_string(),
    };
    let who = match &g.who {
        Some((text, page)) => anchor(text, page.as_deref().and_then(|p| archive.scope.page(p))),
        None => r#"<span class="muted">Nobody has claimed it</span>"#.to_string(),
    };
    let check = match &g.check {
        Some((outcome, title)) => format!("{} {}", toned(outcome, archive), escape_html(title)),
        None => r#"<span class="muted">No check has run</span>"#.to_string(),
    };
    vec![
        GlanceHtml {
            label: "State",
            html: toned(&g.state, archive).replacen("badge ", "badge state ", 1),
        },
        GlanceHtml {
            label: "Priority",
            html: judged(&g.priority),
        },
        GlanceHtml {
            label: "Actionability",
            html: judged(&g.actionability),
        },
        GlanceHtml {
            label: "Safety",
            html: judged(&g.safety),
        },
        GlanceHtml {
            label: "Who",
            html: who,
        },
        GlanceHtml {
            label: "Pull request",
            html: pr,
        },
        GlanceHtml {
            label: "Latest check",
            html: check,
        },
        GlanceHtml {
            label: "Next",
            html: escape_html(&g.next),
        },
    ]
}

/// Where and when an export came from, in the data's own time (the newest entry), so that the
/// same rows export the same file.
fn provenance(view: &ReportView, archive: &Archive) -> String {
    let links::Scope::Standalone { .. } = archive.scope else {
        return String::new();
    };
    let source = match archive.scope.report(view.id, Format::Html) {
        Some(href) => format!(r#"report <a href="{}">{}</a>"#, escape_html(&href), view.id),
        None => format!("report <code>{}</code>", view.id),
    };
    format!(
        "Exported by reportpress from PostHog Signals, {source} of team {}; data as of {}.",
        view.team_id,
        escape_html(&time(view.last_activity).1)
    )
}

fn who_counts(view: &ReportView) -> Vec<WhoCount> {
    let entries = view.days.iter().flat_map(|d| &d.entries);
    let count = |who: Who| entries.clone().filter(|e| e.who == who).count();
    vec![
        WhoCount {
            key: "all",
            label: "All",
            count: entries.clone().count(),
        },
        WhoCount {
            key: Who::People.key(),
            label: "People",
            count: count(Who::People),
        },
        WhoCount {
            key: Who::Agents.key(),
            label: "Agents",
            count: count(Who::Agents),
        },
        WhoCount {
            key: Who::System.key(),
            label: "System",
            count: count(Who::System),
        },
    ]
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
        state_class: Tone::pr(pr.state).class(),
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
    let mut head = Head::for_scope(&archive.scope, Depth::Folder);
    if let links::Scope::Archive = archive.scope {
        head.nav_html = anchor("Markdown", archive.scope.report(view.id, Format::Markdown));
    }
    ReportPage {
        title: view.title.clone(),
        head,
        glance: glance(view, archive),
        provenance_html: provenance(view, archive),
        who: who_counts(view),
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
                    r#"<code>{}</code> <span class="badge {}">{}</span>"#,
                    escape_html(&f.signal),
                    Tone::verified(f.verified).class(),
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
                id: links::day_anchor(day.day.as_deref()),
                entries: day.entries.iter().map(|e| entry(e, archive)).collect(),
            })
            .collect(),
        notices: view.notices.clone(),
        status_notes: view.status_notes.clone(),
        prevnext: prevnext(view, archive),
    }
}

/// The links to the reports created just before and after this one, where there are any.
fn prevnext(view: &ReportView, archive: &Archive) -> Option<PrevNext> {
    let (older, newer) = archive.neighbours(view.id);
    let link = |label: &'static str, neighbour: Neighbour<'_>| {
        let (id, title) = neighbour?;
        Some(NeighbourLink {
            href: archive.scope.report(id, Format::Html)?,
            label,
            title: title.to_string(),
        })
    };
    let nav = PrevNext {
        older: link(labels::OLDER, older),
        newer: link(labels::NEWER, newer),
    };
    (nav.older.is_some() || nav.newer.is_some()).then_some(nav)
}

/// The distinct non-empty values of one column, sorted (the filter choices).
fn choices<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Vec<String> {
    let set: std::collections::BTreeSet<&str> =
        values.flatten().filter(|v| !v.is_empty()).collect();
    set.into_iter().map(str::to_string).collect()
}

pub fn index_page(rows: &[IndexRow], people: Vec<PersonLink>) -> IndexPage {
    let mut head = Head::linked(Depth::Root);
    head.nav_html = anchor(
        "Markdown",
        Some(links::index(Format::Markdown, Depth::Root)),
    );
    IndexPage {
        title: SITE_NAME.into(),
        head,
        script: links::asset_path(links::INDEX_SCRIPT),
        search_index: links::asset_path(links::SEARCH_INDEX),
        statuses: choices(rows.iter().map(|r| Some(r.status_code.as_str())))
            .into_iter()
            .map(|s| {
                let label = labels::report_status(&s);
                (s, label)
            })
            .collect(),
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
                    status: r.status_code.clone(),
                    status_label: r.status.clone(),
                    status_class: Tone::report_status(&r.status_code).class(),
                    priority: r.priority.clone().unwrap_or_default(),
                    priority_class: Tone::priority(r.priority.as_deref().unwrap_or_default())
                        .class(),
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
                                r#"{} <span class="badge {}">{}</span>"#,
                                external(&pr.label, &pr.url),
                                pr.tone.class(),
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
