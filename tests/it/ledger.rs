//! The attribution ledger, checked against the database rows. From a fixture's rows alone —
//! PostHog's attribution rules (docs: posthog-signals-schema.md §5) implemented again here,
//! not taken from the crate — every artefact of every rendered report is credited to one page:
//! `people/user-<posthog_user.id>.html`, `people/agent-<client>.html`, `people/system.html`,
//! `tasks/<task uuid>.html`, or `people/deleted-user.html` / `people/deleted-task.html` when
//! `actor_kind` names a user or task whose column was emptied. Then, on the built archive:
//!
//! - every attribution on a report page (timeline entries, the status table's "Set by",
//!   dismissals) and in its Markdown document links to that page;
//! - every people and task page lists exactly the entries credited to it, each under its type,
//!   with per-type counts that add up to its total;
//! - no credited page is missing, no people page exists that nobody is credited on, and the
//!   index lists every people page with its count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common::*;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use reportpress::model::artefact::type_label;
use scraper::{ElementRef, Html, Selector};
use uuid::Uuid;

const SEMANTICS: &str = include_str!("../fixtures/semantics.toml");

// ---------------------------------------------------------------------------------------------
// What the rows say.
// ---------------------------------------------------------------------------------------------

/// A row's id as the archive names it: the uuid, or for a value that is not one the documented
/// stand-in (uuid v5 of the raw value in the OID namespace).
fn row_uuid(raw: &str) -> Uuid {
    Uuid::parse_str(raw.trim())
        .unwrap_or_else(|_| Uuid::new_v5(&Uuid::NAMESPACE_OID, raw.as_bytes()))
}

fn int_of(row: &toml::Table, key: &str) -> Option<i64> {
    row.get(key).and_then(toml::Value::as_integer)
}

/// A string column, trimmed, `None` when absent or blank.
fn text_of(row: &toml::Table, key: &str) -> Option<String> {
    row.get(key)
        .and_then(toml::Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The `content` column as JSON: a TOML table/array, or `content_raw` verbatim.
fn content_of(row: &toml::Table) -> Option<serde_json::Value> {
    if let Some(raw) = row.get("content_raw").and_then(toml::Value::as_str) {
        return serde_json::from_str(raw).ok();
    }
    row.get("content")
        .and_then(|c| serde_json::to_value(c).ok())
}

/// "First Last", else the email, else `user #<id>`.
fn user_name(row: &toml::Table) -> String {
    let full = format!(
        "{} {}",
        str_of(row, "first_name").trim(),
        str_of(row, "last_name").trim()
    );
    let full = full.trim();
    if !full.is_empty() {
        return full.to_string();
    }
    text_of(row, "email").unwrap_or_else(|| format!("user #{}", int_of(row, "id").unwrap_or(0)))
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    User,
    Task,
    Agent,
    System,
    Unattributed,
}

impl Kind {
    /// The `class` of the report page's `.actor` span.
    fn class(&self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Task => "task",
            Kind::Agent => "agent",
            Kind::System => "system",
            Kind::Unattributed => "unattributed",
        }
    }
    /// What a people page says it is.
    fn page_kind(&self) -> &'static str {
        match self {
            Kind::User => "Person",
            Kind::Agent => "Agent (MCP client)",
            Kind::System => "System",
            Kind::Unattributed => "Deleted author",
            Kind::Task => "Task",
        }
    }
}

/// Who an artefact row is credited to.
#[derive(Clone, Debug)]
struct Credit {
    /// The credit page, relative to the archive root.
    page: String,
    kind: Kind,
    /// The page's title: the person's name, the agent client's name, `system`.
    name: String,
    /// For an agent: the user it acted for.
    on_behalf: Option<String>,
    /// The entry's type label.
    label: String,
}

/// PostHog's attribution (schema §5): `actor_kind` when the row has it; for legacy rows an
/// `actor_agent` client, else `created_by_id` → user, else `task_id` → task, else system. A
/// `task_run` row is always its task's, so one without a `task_id` column is credited to the
/// task its content records. `actor_kind` user/task whose column was set NULL (the row is
/// gone) is credited to the deleted user/task page.
fn credit(row: &toml::Table, users: &BTreeMap<i64, String>) -> Credit {
    let user = int_of(row, "created_by_id");
    let user_name = |id: i64| {
        users
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("user #{id}"))
    };
    let content_task = (str_of(row, "type") == "task_run")
        .then(|| content_of(row))
        .flatten()
        .and_then(|c| c.get("task_id")?.as_str().map(str::to_string))
        .and_then(|t| Uuid::parse_str(t.trim()).ok());
    let task = text_of(row, "task_id")
        .and_then(|t| Uuid::parse_str(&t).ok())
        .or(content_task);
    let agent = text_of(row, "actor_agent");
    let label = type_label(str_of(row, "type"));
    let person = |kind: Kind, page: String, name: String, on_behalf| Credit {
        page,
        kind,
        name,
        on_behalf,
        label: label.clone(),
    };
    let as_user = |id: i64| {
        person(
            Kind::User,
            format!("people/user-{id}.html"),
            user_name(id),
            None,
        )
    };
    let as_task = |id: Uuid| person(Kind::Task, format!("tasks/{id}.html"), String::new(), None);
    let as_agent = |client: String| {
        person(
            Kind::Agent,
            format!(
                "people/agent-{}.html",
                reportpress::render::links::slug(&client)
            ),
            client,
            user.map(user_name),
        )
    };
    let system = || {
        person(
            Kind::System,
            "people/system.html".into(),
            "system".into(),
            None,
        )
    };
    let gone = |what: &str| {
        person(
            Kind::Unattributed,
            format!("people/deleted-{what}.html"),
            format!("a deleted {what}"),
            None,
        )
    };
    match text_of(row, "actor_kind").as_deref() {
        Some("user") => user.map(as_user).unwrap_or_else(|| gone("user")),
        Some("task") => task.map(as_task).unwrap_or_else(|| gone("task")),
        Some("agent") => as_agent(agent.unwrap_or_else(|| "agent".into())),
        Some("system") => system(),
        _ => match (agent, user, task) {
            (Some(client), _, _) => as_agent(client),
            (None, Some(id), _) => as_user(id),
            (None, None, Some(id)) => as_task(id),
            (None, None, None) => system(),
        },
    }
}

/// An entry: (report, artefact).
type Key = (Uuid, Uuid);

/// Every artefact of every report the build renders, with its credit.
struct Expected {
    entries: BTreeMap<Key, Credit>,
    reports: BTreeSet<Uuid>,
}

impl Expected {
    fn from_rows(fixture: &str, team: i64) -> Expected {
        let users: BTreeMap<i64, String> = fixture_rows(fixture, "posthog_user")
            .iter()
            .filter_map(|u| Some((int_of(u, "id")?, user_name(u))))
            .collect();
        let reports: BTreeMap<String, Uuid> = fixture_rows(fixture, "signals_signalreport")
            .iter()
            .filter(|r| int_of(r, "team_id") == Some(team) && str_of(r, "status") != "deleted")
            .map(|r| (str_of(r, "id").to_string(), row_uuid(str_of(r, "id"))))
            .collect();
        let mut entries: BTreeMap<Key, Credit> =
            fixture_rows(fixture, "signals_signalreportartefact")
                .iter()
                .filter(|a| int_of(a, "team_id") == Some(team))
                .filter_map(|a| {
                    let report = reports.get(str_of(a, "report_id"))?;
                    Some(((*report, row_uuid(str_of(a, "id"))), credit(a, &users)))
                })
                .collect();
        // Legacy link rows are `task_run` entries of their task (PostHog's synthetic rows).
        for (raw, report) in &reports {
            for link in legacy_entries(fixture, raw) {
                let Ok(task) = Uuid::parse_str(&link.task_id) else {
                    continue;
                };
                entries.insert(
                    (*report, row_uuid(&link.id)),
                    Credit {
                        page: format!("tasks/{task}.html"),
                        kind: Kind::Task,
                        name: String::new(),
                        on_behalf: None,
                        label: type_label("task_run"),
                    },
                );
            }
        }
        Expected {
            entries,
            reports: reports.into_values().collect(),
        }
    }

    fn of_report(&self, report: Uuid) -> impl Iterator<Item = (&Key, &Credit)> {
        self.entries.iter().filter(move |((r, _), _)| *r == report)
    }

    /// Credit page → the entries credited there.
    fn pages(&self) -> BTreeMap<&str, BTreeSet<Key>> {
        let mut pages: BTreeMap<&str, BTreeSet<Key>> = BTreeMap::new();
        for (key, credit) in &self.entries {
            pages.entry(credit.page.as_str()).or_default().insert(*key);
        }
        pages
    }

    fn credit(&self, key: &Key) -> &Credit {
        self.entries
            .get(key)
            .unwrap_or_else(|| panic!("entry {key:?} is not one of the rows"))
    }
}

// ---------------------------------------------------------------------------------------------
// What the archive shows.
// ---------------------------------------------------------------------------------------------

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("{css}: {e:?}"))
}

fn text(e: &ElementRef) -> String {
    e.text().collect::<String>().trim().to_string()
}

fn cells<'a>(row: &ElementRef<'a>) -> Vec<ElementRef<'a>> {
    row.children()
        .filter_map(ElementRef::wrap)
        .filter(|c| matches!(c.value().name(), "td" | "th"))
        .collect()
}

fn first_href(e: &ElementRef) -> Option<String> {
    e.select(&sel("a[href]"))
        .next()
        .and_then(|a| a.value().attr("href"))
        .map(str::to_string)
}

/// `#a-<uuid>` → the uuid.
fn anchor(href: &str) -> Uuid {
    let id = href
        .strip_prefix("#a-")
        .unwrap_or_else(|| panic!("{href:?} is not an entry anchor"));
    Uuid::parse_str(id).unwrap_or_else(|e| panic!("{href:?}: {e}"))
}

/// `../reports/<report>.html#a-<entry>` → (report, entry).
fn entry_link(href: &str) -> Key {
    let rest = href
        .strip_prefix("../reports/")
        .unwrap_or_else(|| panic!("{href:?} is not a link to a report entry"));
    let (page, fragment) = rest
        .split_once(".html#")
        .unwrap_or_else(|| panic!("{href:?} is not a link to a report entry"));
    (
        Uuid::parse_str(page).unwrap_or_else(|e| panic!("{href:?}: {e}")),
        anchor(&format!("#{fragment}")),
    )
}

fn doc(out: &Path, path: &str) -> Html {
    Html::parse_document(&read(&out.join(path)))
}

/// Attributions of a Markdown report document: (where, entry anchor, link destination).
#[derive(Debug, Default)]
struct MarkdownAttributions {
    /// Timeline entries: the "by [actor](…)" line under each `<a id>` anchor.
    entries: Vec<(Uuid, String)>,
    /// The status table's "Set by" column, keyed by its "When" link.
    status: Vec<(Uuid, String)>,
    /// Dismissal lines: "by [actor](…) … ([entry](#a-…))".
    dismissals: Vec<(Uuid, String)>,
}

fn markdown_attributions(md: &str) -> MarkdownAttributions {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    options.insert(Options::ENABLE_GFM);
    let mut out = MarkdownAttributions::default();
    // The h2 section and the bold sub-heading (`**Dismissals**`) we are in.
    let mut section = String::new();
    let mut sub = String::new();
    let mut heading: Option<(HeadingLevel, String)> = None;
    // Text since the last link, and (text before, destination) of the links of the block.
    let mut before = String::new();
    let mut links: Vec<(String, String)> = Vec::new();
    let mut paragraph = String::new();
    let mut items = 0usize;
    let mut anchor_id: Option<Uuid> = None;
    let mut anchor_here = false;
    // Status table: header texts, and per cell (text, links) of the current row.
    let mut header: Vec<String> = Vec::new();
    let mut row: Vec<(String, Vec<String>)> = Vec::new();
    let mut cell_links: Vec<String> = Vec::new();
    let mut cell_text = String::new();
    let status_header = ["Judgment", "Value", "Set by", "When", "Superseded"];
    let by_link = |links: &[(String, String)]| {
        links
            .iter()
            .find(|(before, _)| before.ends_with("by "))
            .map(|(_, dest)| dest.clone())
    };
    for event in Parser::new_ext(md, options) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((HeadingLevel::H2, title)) = heading.take() {
                    section = title;
                    sub.clear();
                }
            }
            Event::Start(Tag::Paragraph) if items == 0 => {
                before.clear();
                links.clear();
                paragraph.clear();
                anchor_here = false;
            }
            Event::End(TagEnd::Paragraph) if items == 0 => {
                if ["Suggested reviewers", "Findings by signal", "Dismissals"]
                    .contains(&paragraph.trim())
                {
                    sub = paragraph.trim().to_string();
                }
                if !anchor_here
                    && section == "Timeline"
                    && let Some(id) = anchor_id.take()
                    && let Some(dest) = by_link(&links)
                {
                    out.entries.push((id, dest));
                }
            }
            Event::Start(Tag::Item) => {
                if items == 0 {
                    before.clear();
                    links.clear();
                }
                items += 1;
            }
            Event::End(TagEnd::Item) => {
                items -= 1;
                if items == 0 && section == "Status" && sub == "Dismissals" {
                    let entry = links
                        .iter()
                        .rev()
                        .find(|(_, d)| d.starts_with("#a-"))
                        .map(|(_, d)| anchor(d));
                    if let (Some(entry), Some(dest)) = (entry, by_link(&links)) {
                        out.dismissals.push((entry, dest));
                    }
                }
            }
            Event::Start(Tag::TableCell) => {
                cell_links.clear();
                cell_text.clear();
            }
            Event::End(TagEnd::TableCell) => row.push((
                cell_text.trim().to_string(),
                std::mem::take(&mut cell_links),
            )),
            Event::End(TagEnd::TableHead) => {
                header = row.drain(..).map(|(t, _)| t).collect();
            }
            Event::End(TagEnd::TableRow) => {
                if header == status_header {
                    let actor = row[2].1.first().cloned().expect("a Set by link");
                    let when = row[3].1.first().expect("a When link");
                    out.status.push((anchor(when), actor));
                }
                row.clear();
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                links.push((std::mem::take(&mut before), dest_url.to_string()));
                cell_links.push(dest_url.to_string());
            }
            Event::Text(t) | Event::Code(t) => {
                before.push_str(&t);
                paragraph.push_str(&t);
                cell_text.push_str(&t);
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::InlineHtml(html) | Event::Html(html) => {
                if let Some(rest) = html.trim().strip_prefix("<a id=\"a-")
                    && let Some((id, _)) = rest.split_once('"')
                {
                    anchor_id = Some(Uuid::parse_str(id).expect("anchor uuid"));
                    anchor_here = true;
                }
            }
            Event::SoftBreak | Event::HardBreak => before.push(' '),
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The checks.
// ---------------------------------------------------------------------------------------------

/// What was compared, for the test log.
#[derive(Default, Debug)]
struct Tally {
    reports: usize,
    entry_links: usize,
    status_links: usize,
    dismissal_links: usize,
    markdown_links: usize,
    people_pages: usize,
    task_pages: usize,
    ledger_rows: usize,
}

/// (a) Every attribution of every report page and document links to the credit page.
fn check_report_pages(out: &Path, expected: &Expected, tally: &mut Tally) {
    for &report in &expected.reports {
        tally.reports += 1;
        let page = format!("reports/{report}.html");
        let html = doc(out, &page);
        let want: BTreeMap<Uuid, &Credit> = expected
            .of_report(report)
            .map(|((_, entry), c)| (*entry, c))
            .collect();

        let mut shown = BTreeSet::new();
        for article in html.select(&sel("article.entry")) {
            let id = anchor(&format!(
                "#{}",
                article.value().attr("id").unwrap_or_default()
            ));
            let credit = want
                .get(&id)
                .unwrap_or_else(|| panic!("{page}: entry {id} is not a row of this report"));
            let actor = article
                .select(&sel(".actor"))
                .next()
                .unwrap_or_else(|| panic!("{page}: entry {id} has no attribution"));
            assert_eq!(
                actor.value().attr("class"),
                Some(format!("actor {}", credit.kind.class()).as_str()),
                "{page}: entry {id}"
            );
            assert_eq!(
                first_href(&actor),
                Some(format!("../{}", credit.page)),
                "{page}: entry {id} ({})",
                credit.label
            );
            shown.insert(id);
            tally.entry_links += 1;
        }
        assert_eq!(
            shown,
            want.keys().copied().collect(),
            "{page}: the entries shown are the report's rows"
        );

        for row in html.select(&sel("section.status table:not(.prs) tbody tr")) {
            let cells = cells(&row);
            // Judgment | Value | Set by | When | Superseded
            let when = first_href(&cells[3]).expect("a When link");
            let id = anchor(&when);
            assert_eq!(
                first_href(&cells[2]),
                Some(format!("../{}", want[&id].page)),
                "{page}: status row of entry {id}"
            );
            tally.status_links += 1;
        }
        for item in html.select(&sel("section.status ul.dismissals > li")) {
            let links: Vec<&str> = item
                .children()
                .filter_map(ElementRef::wrap)
                .filter(|e| e.value().name() == "a")
                .filter_map(|a| a.value().attr("href"))
                .collect();
            let id = anchor(links.last().expect("an entry link"));
            assert_eq!(
                links.first().copied(),
                Some(format!("../{}", want[&id].page).as_str()),
                "{page}: dismissal {id}"
            );
            tally.dismissal_links += 1;
        }

        let md_page = format!("reports/{report}.md");
        let md = markdown_attributions(&read(&out.join(&md_page)));
        let listed: BTreeSet<Uuid> = md.entries.iter().map(|(id, _)| *id).collect();
        assert_eq!(
            listed,
            want.keys().copied().collect(),
            "{md_page}: every entry carries its attribution"
        );
        assert_eq!(
            listed.len(),
            md.entries.len(),
            "{md_page}: one attribution per entry"
        );
        for (id, dest) in md.entries.iter().chain(&md.status).chain(&md.dismissals) {
            assert_eq!(
                dest,
                &format!("../{}", want[id].page),
                "{md_page}: entry {id}"
            );
            tally.markdown_links += 1;
        }
        assert_eq!(
            md.status.len(),
            html.select(&sel("section.status table:not(.prs) tbody tr"))
                .count(),
            "{md_page}: the status table's attributions"
        );
        assert_eq!(
            md.dismissals.len(),
            html.select(&sel("section.status ul.dismissals > li"))
                .count(),
            "{md_page}: the dismissals' attributions"
        );
    }
}

/// A ledger page's rows: entry → (label, on behalf of).
fn ledger_rows(html: &Html, page: &str) -> BTreeMap<Key, (String, String)> {
    let mut rows = BTreeMap::new();
    for row in html.select(&sel("table.ledger tbody tr")) {
        let cells = cells(&row);
        let a = cells[1]
            .select(&sel("a"))
            .next()
            .unwrap_or_else(|| panic!("{page}: a row without an entry link"));
        let key = entry_link(a.value().attr("href").unwrap_or_default());
        let on_behalf = cells.get(3).map(text).unwrap_or_default();
        assert!(
            rows.insert(key, (text(&a), on_behalf)).is_none(),
            "{page}: {key:?} listed twice"
        );
    }
    rows
}

/// The label tally of the credited entries.
fn label_counts<'a>(credits: impl Iterator<Item = &'a Credit>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for c in credits {
        *counts.entry(c.label.clone()).or_default() += 1;
    }
    counts
}

/// (b) and (c): every credit page lists exactly its entries; no page is missing or extra.
fn check_credit_pages(out: &Path, expected: &Expected, tally: &mut Tally) {
    let pages = expected.pages();
    let files: BTreeSet<String> = tree(out).into_keys().collect();
    let people: BTreeSet<&str> = files
        .iter()
        .filter(|f| f.starts_with("people/"))
        .map(String::as_str)
        .collect();
    let credited_people: BTreeSet<&str> = pages
        .keys()
        .copied()
        .filter(|p| p.starts_with("people/"))
        .collect();
    assert_eq!(
        people, credited_people,
        "one people page per credited actor, no other"
    );
    for page in pages.keys() {
        assert!(files.contains(*page), "{page} is credited but missing");
    }

    for page in files
        .iter()
        .filter(|f| (f.starts_with("people/") || f.starts_with("tasks/")) && f.ends_with(".html"))
    {
        let html = doc(out, page);
        let want = pages.get(page.as_str()).cloned().unwrap_or_default();
        let credits: Vec<&Credit> = want.iter().map(|k| expected.credit(k)).collect();
        let rows = ledger_rows(&html, page);
        tally.ledger_rows += rows.len();
        assert_eq!(
            rows.keys().copied().collect::<BTreeSet<_>>(),
            want,
            "{page}: lists exactly the entries credited to it"
        );
        for (key, (label, on_behalf)) in &rows {
            let credit = expected.credit(key);
            assert_eq!(
                label, &credit.label,
                "{page}: {key:?} is listed under its type"
            );
            if page.starts_with("people/") {
                assert_eq!(
                    on_behalf,
                    &credit.on_behalf.clone().unwrap_or_default(),
                    "{page}: {key:?} on behalf of"
                );
            }
        }
        let want_counts = label_counts(credits.iter().copied());
        let total = want.len();

        if page.starts_with("people/") {
            tally.people_pages += 1;
            let counts: BTreeMap<String, usize> = html
                .select(&sel("table.counts tbody tr"))
                .map(|row| {
                    let cells = cells(&row);
                    (text(&cells[0]), text(&cells[1]).parse().expect("a count"))
                })
                .collect();
            assert_eq!(counts, want_counts, "{page}: entries by type");
            assert_eq!(
                counts.values().sum::<usize>(),
                total,
                "{page}: counts add up"
            );
            let meta = html
                .select(&sel("main > p.meta"))
                .next()
                .map(|m| text(&m))
                .unwrap_or_default();
            let first = credits[0];
            assert_eq!(
                meta,
                format!("{} · {total} entries credited", first.kind.page_kind()),
                "{page}"
            );
            let title = html.select(&sel("h1")).next().map(|h| text(&h));
            assert_eq!(
                title.as_deref(),
                Some(first.name.as_str()),
                "{page}: its title"
            );
            for c in &credits {
                assert_eq!(c.kind, first.kind, "{page}: one kind of actor");
                assert_eq!(c.name, first.name, "{page}: one actor");
            }
        } else {
            tally.task_pages += 1;
            let section = html
                .select(&sel("main > section"))
                .find(|s| {
                    s.select(&sel("h2"))
                        .next()
                        .is_some_and(|h| text(&h).starts_with("Entries it wrote"))
                })
                .unwrap_or_else(|| panic!("{page}: no entries section"));
            let h2 = section.select(&sel("h2")).next().map(|h| text(&h));
            assert_eq!(h2, Some(format!("Entries it wrote ({total})")), "{page}");
            let meta = section
                .select(&sel("p.meta"))
                .next()
                .map(|m| text(&m))
                .unwrap_or_default();
            let counts: BTreeMap<String, usize> = meta
                .split(" · ")
                .filter(|part| !part.is_empty())
                .map(|part| {
                    let (label, n) = part.rsplit_once(": ").expect("label: count");
                    (label.to_string(), n.parse().expect("a count"))
                })
                .collect();
            assert_eq!(counts, want_counts, "{page}: entries by type");
            assert_eq!(
                counts.values().sum::<usize>(),
                total,
                "{page}: counts add up"
            );
            assert!(credits.iter().all(|c| c.kind == Kind::Task), "{page}");
        }
    }

    // The index lists every people page with its count.
    let index = doc(out, "index.html");
    let listed: BTreeMap<String, (String, String)> = index
        .select(&sel("ul.people li"))
        .map(|li| {
            let href = first_href(&li).expect("a people link");
            let name = li.select(&sel("a")).next().map(|a| text(&a));
            let muted = li.select(&sel(".muted")).next().map(|m| text(&m));
            (href, (name.unwrap_or_default(), muted.unwrap_or_default()))
        })
        .collect();
    assert_eq!(
        listed.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        credited_people,
        "the index lists every people page"
    );
    for (href, (name, muted)) in &listed {
        let credited = &pages[href.as_str()];
        let n = credited.len();
        assert!(
            muted.ends_with(&format!(", {n} entries")),
            "index: {href}: {muted}"
        );
        let first = expected.credit(credited.first().expect("credited"));
        assert_eq!(name, &first.name, "index: {href}");
    }
}

fn check(name: &str, fixture: &str, team: i64, out: &Path) {
    let expected = Expected::from_rows(fixture, team);
    assert!(!expected.entries.is_empty());
    let mut tally = Tally::default();
    check_report_pages(out, &expected, &mut tally);
    check_credit_pages(out, &expected, &mut tally);
    eprintln!(
        "{name}: {} entries checked: {tally:?}",
        expected.entries.len()
    );
}

fn built(fixture: Option<&str>, extra: &[&str]) -> (Scratch, PathBuf) {
    let scratch = Scratch::new("ledger");
    let out = scratch.path("out");
    match fixture {
        Some(fixture) => {
            let db = sqlite_archive(&scratch.path("a.sqlite"), fixture);
            build(Some(&db), &out, extra);
        }
        None => {
            build(None, &out, extra);
        }
    }
    (scratch, out)
}

#[test]
fn demo_attributions_match_the_rows() {
    let (_scratch, out) = built(None, &[]);
    check("demo", DEMO, 1, &out);
    // The demo has every kind of credit page.
    let expected = Expected::from_rows(DEMO, 1);
    let kinds: BTreeSet<&str> = expected.entries.values().map(|c| c.kind.class()).collect();
    assert_eq!(kinds, BTreeSet::from(["agent", "system", "task", "user"]));
}

#[test]
fn multiplied_demo_attributions_match_the_rows() {
    let fixture = multiply_fixture(DEMO, 5);
    let (_scratch, out) = built(Some(&fixture), &["--jobs", "2"]);
    check("demo × 5", &fixture, 1, &out);
}

#[test]
fn semantics_attributions_match_the_rows() {
    let (_scratch, out) = built(Some(SEMANTICS), &["--team", "1"]);
    check("semantics", SEMANTICS, 1, &out);
    // The rules of §5, row by row.
    let expected = Expected::from_rows(SEMANTICS, 1);
    let report = Uuid::parse_str("01000000-0000-7000-8000-000000000001").unwrap();
    let page = |id: &str| {
        let entry = Uuid::parse_str(&format!("01000000-0000-7000-8000-0000000000{id}")).unwrap();
        expected.credit(&(report, entry)).page.clone()
    };
    assert_eq!(page("d1"), "people/user-1.html");
    assert_eq!(
        page("d2"),
        "tasks/7a000000-0000-4000-8000-000000000001.html"
    );
    assert_eq!(page("d3"), "people/agent-cursor.html");
    assert_eq!(page("d4"), "people/system.html");
    assert_eq!(
        page("d5"),
        "people/user-1.html",
        "legacy: created_by_id → user"
    );
    assert_eq!(
        page("d6"),
        "tasks/7a000000-0000-4000-8000-000000000001.html",
        "legacy: task_id → task"
    );
    assert_eq!(
        page("d8"),
        "tasks/7a000000-0000-4000-8000-000000000002.html",
        "a task_run row without attribution is its task's"
    );
    assert_eq!(page("b1"), "people/system.html", "legacy: neither → system");
}

/// Users and tasks whose rows are gone, agents without a client name, `actor_kind` values
/// this version does not know, and an agent row acting for a user whose row is gone.
#[test]
fn rows_whose_actor_is_gone_are_credited_by_the_rules() {
    let mut fixture = SEMANTICS.to_string();
    let rows = [
        // actor_kind user, created_by_id set NULL when the user was deleted.
        ("f3", r#"actor_kind = "user""#, "people/deleted-user.html"),
        ("f4", r#"actor_kind = "task""#, "people/deleted-task.html"),
        (
            "f5",
            "actor_kind = \"agent\"\ncreated_by_id = 1",
            "people/agent-agent.html",
        ),
        (
            "f6",
            "actor_kind = \"agent\"\nactor_agent = \"Claude Code\"\ncreated_by_id = 99",
            "",
        ),
        // A user id whose posthog_user row is gone: still that user's page.
        ("f7", "created_by_id = 99", "people/user-99.html"),
        (
            "f8",
            "actor_kind = \"robot\"\ncreated_by_id = 2",
            "people/user-2.html",
        ),
        (
            "f9",
            "actor_agent = \"cursor\"\ncreated_by_id = 1",
            "people/agent-cursor.html",
        ),
    ];
    for (id, columns, _) in rows {
        fixture.push_str(&format!(
            "\n[[signals_signalreportartefact]]\nid = \"01000000-0000-7000-8000-0000000000{id}\"\n\
             team_id = 1\nreport_id = \"01000000-0000-7000-8000-000000000001\"\ntype = \"note\"\n\
             content = {{ note = \"GONE-{id}\" }}\ncreated_at = \"2026-10-04T09:00:00Z\"\n{columns}\n"
        ));
    }
    let expected = Expected::from_rows(&fixture, 1);
    let report = Uuid::parse_str("01000000-0000-7000-8000-000000000001").unwrap();
    for (id, _, page) in rows {
        let entry = Uuid::parse_str(&format!("01000000-0000-7000-8000-0000000000{id}")).unwrap();
        let got = &expected.credit(&(report, entry)).page;
        if page.is_empty() {
            assert!(got.starts_with("people/agent-claude-code-"), "{got}");
        } else {
            assert_eq!(got, page, "{id}");
        }
    }
    let (_scratch, out) = built(Some(&fixture), &["--team", "1"]);
    check("semantics with gone actors", &fixture, 1, &out);
}

/// Task pages colour run statuses and PR states as the report pages do (`render::classify`):
/// every run status and PR state of the demo's task pages is a badge of a tone, a completed run
/// green, a failed one red, a merged PR purple.
#[test]
fn task_pages_colour_run_statuses_and_pr_states() {
    let scratch = Scratch::new("task-tones");
    let out = scratch.path("site");
    build(None, &out, &[]);
    let cell = Selector::parse("main table tbody tr td:first-child").unwrap();
    let badge = Selector::parse("span.badge").unwrap();
    let pr_state = Selector::parse("main table tbody tr td:nth-child(2) span.badge").unwrap();
    let mut tones: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut pr_tones: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(out.join("tasks")).unwrap() {
        let page = Html::parse_document(&read(&entry.unwrap().path()));
        for td in page.select(&cell) {
            let Some(b) = td.select(&badge).next() else {
                continue;
            };
            let class = b.value().attr("class").unwrap_or_default();
            let tone = class.split(' ').find(|c| c.starts_with("tone-"));
            assert!(tone.is_some(), "a badge without a tone: {class}");
            tones
                .entry(b.text().collect())
                .or_default()
                .insert(tone.unwrap().to_string());
        }
        for b in page.select(&pr_state) {
            let class = b.value().attr("class").unwrap_or_default();
            if let Some(tone) = class.split(' ').find(|c| c.starts_with("tone-")) {
                pr_tones
                    .entry(b.text().collect())
                    .or_default()
                    .insert(tone.to_string());
            }
        }
    }
    let tone_of = |map: &BTreeMap<String, BTreeSet<String>>, label: &str| {
        map.get(label)
            .map(|t| t.iter().cloned().collect::<Vec<_>>())
    };
    assert_eq!(
        tone_of(&tones, "Completed"),
        Some(vec!["tone-success".to_string()]),
        "{tones:?}"
    );
    assert_eq!(
        tone_of(&tones, "Failed"),
        Some(vec!["tone-danger".to_string()]),
        "{tones:?}"
    );
    assert!(!pr_tones.is_empty(), "no PR state on any task page");
    if let Some(merged) = tone_of(&pr_tones, "Merged") {
        assert_eq!(merged, vec!["tone-done".to_string()], "{pr_tones:?}");
    }
}

/// A task page's runs name the pull requests they opened as the report pages do
/// (`owner/repo#N`), each linked to its full URL.
#[test]
fn task_page_runs_name_their_pull_requests_short() {
    let scratch = Scratch::new("task-run-prs");
    let out = scratch.path("site");
    build(None, &out, &[]);
    let mut seen = 0;
    for entry in std::fs::read_dir(out.join("tasks")).unwrap() {
        let page = Html::parse_document(&read(&entry.unwrap().path()));
        for link in page.select(&sel("main table tbody tr td:nth-child(4) a")) {
            let href = link.value().attr("href").unwrap_or_default();
            let shown = text(&link);
            assert!(!shown.starts_with("http"), "{shown} for {href}");
            if let Some(rest) = href.strip_prefix("https://github.com/") {
                let parts: Vec<&str> = rest.split('/').collect();
                assert_eq!(shown, format!("{}/{}#{}", parts[0], parts[1], parts[3]));
                seen += 1;
            }
        }
    }
    assert!(seen >= 3, "runs with a pull request: {seen}");
}
