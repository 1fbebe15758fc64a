//! What one report contributes to the archive-wide pages — attribution credits, tasks, search
//! entries — small enough to keep for every report of a large archive, and the people, task and
//! search outputs built from all of them at the end of a build.

mod packed_credits;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use askama::Template;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::classify::Tone;
use super::html::{Head, external};
use super::links::{self, Depth, Format};
use super::page::{Entry, PersonLink, ReportView, time_pair as time};
use super::text::markdown_excerpt;
use super::view::{Block, Inline};
use crate::model::artefact::humanize;
use crate::model::{Actor, Content, PrState, Report, Task, Timestamp, pull_request};

/// One of [`Actor::kind`]'s words. (An alias, so that serde does not take the field for text
/// borrowed from what it reads.)
pub type ActorKind = &'static str;

/// One entry credited to an actor.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Credit {
    /// The actor's page, relative to the archive root.
    pub page: String,
    /// The name of that page: a person's, a task's, or an agent client's alone (one page
    /// gathers every user the client acted for; [`Credit::on_behalf`] names each).
    pub name: String,
    #[serde(deserialize_with = "actor_kind")]
    pub kind: ActorKind,
    /// For an agent: the user it acted for.
    pub on_behalf: Option<String>,
    pub report: Uuid,
    pub entry: Uuid,
    pub label: String,
    pub when: Option<Timestamp>,
}

/// A report's search entry: title, summary, notes and file paths (never whole diffs).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
/// Serialised with one-letter keys (`t`, `u`, `s`, `n`, `p`): the index holds one per report and
/// the browser loads it whole.
pub struct SearchEntry {
    #[serde(rename = "t")]
    pub title: String,
    /// The report's page, as linked from the index.
    #[serde(rename = "u")]
    pub url: String,
    /// Summary excerpt.
    #[serde(rename = "s")]
    pub summary: String,
    /// Notes: (entry id, excerpt).
    #[serde(rename = "n")]
    pub notes: Vec<(String, String)>,
    /// File paths: (entry id, path).
    #[serde(rename = "p")]
    pub paths: Vec<(String, String)>,
}

/// A pull request a task opened, as its page lists it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TaskPr {
    pub task: Uuid,
    pub report: Uuid,
    pub reference: String,
    pub url: String,
    pub state: String,
}

/// Kept between builds in the build cache (see `site::manifest`), so that a rebuild need not
/// read an unchanged report to know what it adds to the archive-wide pages.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReportLedger {
    pub report: Uuid,
    pub title: String,
    /// The pull requests each task opened.
    pub task_prs: Vec<TaskPr>,
    /// People named by an entry without writing it (suggested reviewers): (their page, the
    /// mention). They get a page even when they wrote nothing.
    #[serde(with = "packed_credits")]
    pub mentions: Vec<Credit>,
    #[serde(with = "packed_credits")]
    pub credits: Vec<Credit>,
    /// Tasks whose rows this report loaded.
    pub tasks: Vec<Task>,
    /// Every task the report's pages link to, with how it is associated (if it is).
    pub task_refs: BTreeMap<Uuid, Option<String>>,
    pub search: SearchEntry,
}

/// An actor kind read back from the build cache: one of [`Actor::kind`]'s, or an error.
fn actor_kind<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<&'static str, D::Error> {
    let text = String::deserialize(deserializer)?;
    actor_kind_named(&text)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown actor kind {text:?}")))
}

/// The one of [`Actor::kind`]'s words that `text` spells, if any.
fn actor_kind_named(text: &str) -> Option<ActorKind> {
    ["user", "task", "agent", "system", "unattributed"]
        .into_iter()
        .find(|kind| *kind == text)
}

/// Note text kept per note in the search index.
const NOTE_EXCERPT: usize = 300;
const SUMMARY_EXCERPT: usize = 500;

fn inline_tasks(inline: &Inline, out: &mut BTreeSet<Uuid>) {
    match inline {
        Inline::Task { id, .. } => {
            out.insert(*id);
        }
        Inline::List(items) => items.iter().for_each(|i| inline_tasks(i, out)),
        _ => {}
    }
}

fn block_tasks(block: &Block, out: &mut BTreeSet<Uuid>) {
    match block {
        Block::Fields(fields) => fields.iter().for_each(|(_, i)| inline_tasks(i, out)),
        Block::Paragraph(i) => inline_tasks(i, out),
        Block::Items(items) => items.iter().for_each(|i| inline_tasks(i, out)),
        _ => {}
    }
}

fn inline_people(inline: &Inline, out: &mut BTreeMap<String, String>) {
    match inline {
        Inline::Person { name, path } => {
            out.entry(path.clone()).or_insert_with(|| name.clone());
        }
        Inline::List(items) => items.iter().for_each(|i| inline_people(i, out)),
        _ => {}
    }
}

/// The people a block names: page → name.
fn block_people(block: &Block, out: &mut BTreeMap<String, String>) {
    match block {
        Block::Fields(fields) => fields.iter().for_each(|(_, i)| inline_people(i, out)),
        Block::Paragraph(i) => inline_people(i, out),
        Block::Items(items) => items.iter().for_each(|i| inline_people(i, out)),
        _ => {}
    }
}

fn entries(view: &ReportView) -> impl Iterator<Item = &Entry> {
    view.days.iter().flat_map(|d| d.entries.iter())
}

impl ReportLedger {
    pub fn new(report: &Report, view: &ReportView) -> ReportLedger {
        let credits = report
            .artefacts
            .iter()
            .map(|a| Credit {
                page: links::actor_path(&a.actor),
                name: match &a.actor {
                    Actor::Agent { client, .. } => client.clone(),
                    actor => actor.display_name(),
                },
                kind: a.actor.kind(),
                on_behalf: match &a.actor {
                    Actor::Agent { user: Some(u), .. } => Some(u.display_name()),
                    _ => None,
                },
                report: report.id,
                entry: a.id,
                // Grouped by type on the ledger pages (not by each entry's own heading).
                label: crate::model::artefact::type_label(&a.kind),
                when: a.created_at,
            })
            .collect();
        let mut referenced = BTreeSet::new();
        for e in entries(view) {
            e.blocks
                .iter()
                .for_each(|b| block_tasks(b, &mut referenced));
        }
        for a in &report.artefacts {
            if let Actor::Task(t) = &a.actor {
                referenced.insert(t.id);
            }
        }
        for pr in &view.prs {
            if let Some(task) = &pr.task {
                inline_tasks(task, &mut referenced);
            }
        }
        if let Some(Some(Actor::Task(t))) = report.assignment.as_ref().map(|a| &a.holder) {
            referenced.insert(t.id);
        }
        let mut task_refs: BTreeMap<Uuid, Option<String>> =
            referenced.into_iter().map(|id| (id, None)).collect();
        for assoc in &report.associations {
            let how = assoc
                .relationship
                .as_deref()
                .map(humanize)
                .unwrap_or_else(|| "Associated".into());
            let slot = task_refs.entry(assoc.task_id).or_insert(None);
            if slot.is_none() {
                *slot = Some(how);
            }
        }
        let entry_of = |id: Uuid| id.to_string();
        let notes = report
            .artefacts
            .iter()
            .filter_map(|a| match &a.content {
                Content::Note(n) => Some((entry_of(a.id), markdown_excerpt(&n.note, NOTE_EXCERPT))),
                _ => None,
            })
            .collect();
        let paths = report
            .artefacts
            .iter()
            .filter_map(|a| match &a.content {
                Content::CodeReference(c) => Some((entry_of(a.id), c.file_path.clone())),
                Content::LineReference(l) => Some((entry_of(a.id), l.file_path.clone())),
                Content::CodeDiff(d) => Some((entry_of(a.id), d.file_path.clone())),
                _ => None,
            })
            .collect();
        let task_prs = view
            .prs
            .iter()
            .filter_map(|pr| match &pr.task {
                Some(Inline::Task { id, .. }) => Some(TaskPr {
                    task: *id,
                    report: report.id,
                    reference: pr.reference.clone(),
                    url: pr.url.clone(),
                    state: pr.state_text(),
                }),
                _ => None,
            })
            .collect();
        // People an entry names without having written it (a suggested reviewer, the user of a
        // dismissal): their page lists the entry, so every link to them has a page to land on.
        let mut mentions = Vec::new();
        for e in entries(view) {
            let mut named = BTreeMap::new();
            e.blocks.iter().for_each(|b| block_people(b, &mut named));
            for (page, name) in named {
                mentions.push(Credit {
                    page,
                    name,
                    kind: "user",
                    on_behalf: None,
                    report: report.id,
                    entry: e.id,
                    label: e.label.clone(),
                    when: e.when,
                });
            }
        }
        ReportLedger {
            report: report.id,
            title: view.title.clone(),
            task_prs,
            mentions,
            credits,
            tasks: report.tasks.values().cloned().collect(),
            task_refs,
            search: SearchEntry {
                title: view.title.clone(),
                url: links::report_path(report.id, Format::Html),
                summary: view
                    .summary
                    .as_deref()
                    .map(|s| markdown_excerpt(s, SUMMARY_EXCERPT))
                    .unwrap_or_default(),
                notes,
                paths,
            },
        }
    }
}

/// A credit as the ledger keeps it for the whole build, 44 bytes: who wrote it and its label
/// as numbers into tables every credit shares (a few dozen actors and labels across hundreds of
/// thousands of entries), its report as the number of its row in the report table. (The heap
/// profile of a 10,000-report build found the credits, each with its strings and report id
/// whole, the largest thing a build holds: BENCHMARKS.md, "Memory".)
#[derive(Clone, Copy, Debug)]
struct Kept {
    actor: u32,
    label: u32,
    report: u32,
    entry: Uuid,
    when: Option<Timestamp>,
}

/// Who a credit names, as its page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct KeptActor {
    name: Box<str>,
    kind: ActorKind,
    on_behalf: Option<Box<str>>,
}

/// Values numbered in the order first seen, each kept once.
#[derive(Debug)]
struct Table<T> {
    values: Vec<T>,
    numbers: HashMap<T, u32>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            values: Vec::new(),
            numbers: HashMap::new(),
        }
    }
}

impl<T: Clone + Eq + std::hash::Hash> Table<T> {
    fn number(&mut self, value: T) -> u32 {
        if let Some(&n) = self.numbers.get(&value) {
            return n;
        }
        let n = u32::try_from(self.values.len()).expect("fewer than 2^32 distinct values");
        self.values.push(value.clone());
        self.numbers.insert(value, n);
        n
    }

    fn get(&self, number: u32) -> &T {
        &self.values[number as usize]
    }
}

/// Everything the archive-wide pages need, gathered report by report.
#[derive(Debug, Default)]
pub struct Ledger {
    titles: BTreeMap<Uuid, String>,
    credits: BTreeMap<String, Vec<Kept>>,
    actors: Table<KeptActor>,
    labels: Table<Box<str>>,
    reports: Table<Uuid>,
    tasks: BTreeMap<Uuid, Task>,
    /// Every task a report's pages link to.
    referenced_tasks: BTreeSet<Uuid>,
    /// (task, report) → how the report is associated with the task. One map, not a map per
    /// task: most tasks have one report, and an inner map's first node is 456 bytes.
    task_reports: BTreeMap<(Uuid, Uuid), String>,
    /// Mentions of people who did not write the entry, by their page.
    mentions: BTreeMap<String, Vec<Kept>>,
    task_prs: BTreeMap<Uuid, Vec<TaskPr>>,
}

#[derive(Hash)]
pub struct CreditRow {
    pub time_iso: String,
    pub time: String,
    pub report_href: String,
    pub report: String,
    pub entry_href: String,
    pub label: String,
    pub on_behalf: String,
}

#[derive(Hash)]
pub struct CountRow {
    pub label: String,
    pub count: usize,
}

#[derive(Template, Hash)]
#[template(path = "person.html")]
pub struct PersonPage {
    pub title: String,
    pub head: Head,
    pub index: String,
    pub kind: String,
    pub counts: Vec<CountRow>,
    pub total: usize,
    pub rows: Vec<CreditRow>,
    /// Entries that name the person without being theirs (suggested reviewers).
    pub mentions: Vec<CreditRow>,
}

#[derive(Hash)]
pub struct RunRow {
    pub status: String,
    /// The status's colour family (`render::classify`).
    pub status_class: &'static str,
    pub stage: String,
    pub branch: String,
    pub pr_html: String,
    pub created: String,
    pub completed: String,
}

#[derive(Hash)]
pub struct ReportRow {
    pub href: String,
    pub title: String,
    pub how: String,
}

#[derive(Hash)]
pub struct TaskPrRow {
    pub link_html: String,
    pub state: String,
    /// The state's colour family (`render::classify`): GitHub's PR colours.
    pub state_class: &'static str,
    pub report_href: String,
    pub report: String,
}

#[derive(Template, Hash)]
#[template(path = "task.html")]
pub struct TaskPage {
    pub title: String,
    pub head: Head,
    pub index: String,
    pub id: String,
    pub found: bool,
    pub repository: String,
    pub origin: String,
    pub runs: Vec<RunRow>,
    pub prs: Vec<TaskPrRow>,
    pub reports: Vec<ReportRow>,
    pub counts: Vec<CountRow>,
    pub total: usize,
    pub rows: Vec<CreditRow>,
}

impl Ledger {
    /// Folds in what `report` adds to the people and task pages. Its search entry is not kept
    /// here: the build keeps every report's in a file and makes the [`SearchScript`] from it.
    pub fn add(&mut self, report: ReportLedger) {
        self.titles.insert(report.report, report.title);
        for pr in report.task_prs {
            self.task_prs.entry(pr.task).or_default().push(pr);
        }
        for mention in report.mentions {
            let kept = self.keep(&mention);
            self.mentions.entry(mention.page).or_default().push(kept);
        }
        for credit in report.credits {
            let kept = self.keep(&credit);
            match self.credits.get_mut(&credit.page) {
                Some(list) => list.push(kept),
                None => {
                    self.credits.insert(credit.page, vec![kept]);
                }
            }
        }
        for task in report.tasks {
            self.tasks.entry(task.id).or_insert(task);
        }
        for (task, how) in report.task_refs {
            self.referenced_tasks.insert(task);
            if let Some(how) = how {
                self.task_reports.insert((task, report.report), how);
            }
        }
    }

    fn keep(&mut self, credit: &Credit) -> Kept {
        Kept {
            actor: self.actors.number(KeptActor {
                name: credit.name.as_str().into(),
                kind: credit.kind,
                on_behalf: credit.on_behalf.as_deref().map(Into::into),
            }),
            label: self.labels.number(credit.label.as_str().into()),
            report: self.reports.number(credit.report),
            entry: credit.entry,
            when: credit.when,
        }
    }

    fn rows(&self, credits: &[Kept]) -> (Vec<CountRow>, Vec<CreditRow>) {
        let mut sorted: Vec<&Kept> = credits.iter().collect();
        sorted.sort_by_key(|c| (c.when, *self.reports.get(c.report), c.entry));
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &sorted {
            *counts.entry(self.labels.get(c.label)).or_default() += 1;
        }
        let counts = counts
            .into_iter()
            .map(|(label, count)| CountRow {
                label: label.to_string(),
                count,
            })
            .collect();
        let rows = sorted
            .iter()
            .map(|c| {
                let (time_iso, time) = time(c.when);
                let report = *self.reports.get(c.report);
                CreditRow {
                    time_iso,
                    time,
                    report_href: links::from(
                        Depth::Folder,
                        &links::report_path(report, Format::Html),
                    ),
                    report: self.titles.get(&report).cloned().unwrap_or_default(),
                    entry_href: links::from(
                        Depth::Folder,
                        &format!(
                            "{}{}",
                            links::report_path(report, Format::Html),
                            links::entry(c.entry)
                        ),
                    ),
                    label: self.labels.get(c.label).to_string(),
                    on_behalf: self
                        .actors
                        .get(c.actor)
                        .on_behalf
                        .as_deref()
                        .unwrap_or_default()
                        .to_string(),
                }
            })
            .collect();
        (counts, rows)
    }

    /// The number of reports added.
    pub fn report_count(&self) -> usize {
        self.titles.len()
    }

    /// The paths of the people, agent and system pages, in path order.
    pub fn person_paths(&self) -> Vec<&str> {
        let paths: BTreeSet<&str> = self
            .credits
            .keys()
            .chain(self.mentions.keys())
            .map(String::as_str)
            .filter(|path| path.starts_with(links::PEOPLE_DIR))
            .collect();
        paths.into_iter().collect()
    }

    /// The page at `path` (one of [`Ledger::person_paths`]).
    pub fn person_page(&self, path: &str) -> Option<PersonPage> {
        let credits = self.credits.get(path).map(Vec::as_slice).unwrap_or(&[]);
        let mentioned = self.mentions.get(path).map(Vec::as_slice).unwrap_or(&[]);
        let first = self
            .actors
            .get(credits.first().or(mentioned.first())?.actor);
        let (counts, rows) = self.rows(credits);
        let (_, mentions) = self.rows(mentioned);
        let kind = match first.kind {
            "user" => "Person",
            "agent" => "Agent (MCP client)",
            "system" => "System",
            _ => "Deleted author",
        };
        Some(PersonPage {
            title: first.name.to_string(),
            head: Head::linked(Depth::Folder),
            index: links::index(Format::Html, Depth::Folder),
            kind: kind.to_string(),
            total: rows.len(),
            counts,
            rows,
            mentions,
        })
    }

    /// Every task the archive mentions, in id order: one page each.
    pub fn task_ids(&self) -> Vec<Uuid> {
        let mut ids = self.referenced_tasks.clone();
        ids.extend(self.tasks.keys().copied());
        ids.into_iter().collect()
    }

    /// The page of task `id`.
    pub fn task_page(&self, id: Uuid) -> TaskPage {
        let path = links::task_path(id);
        let task = self.tasks.get(&id);
        let credits = self.credits.get(&path).map(Vec::as_slice).unwrap_or(&[]);
        let (counts, rows) = self.rows(credits);
        let reports = self
            .task_reports
            .range((id, Uuid::nil())..=(id, Uuid::max()))
            .map(|((_, report), how)| ReportRow {
                href: links::from(Depth::Folder, &links::report_path(*report, Format::Html)),
                title: self.titles.get(report).cloned().unwrap_or_default(),
                how: how.clone(),
            })
            .collect();
        let runs = task
            .map(|t| {
                t.runs
                    .iter()
                    .map(|r| RunRow {
                        status: r.status.as_deref().map(humanize).unwrap_or_default(),
                        status_class: Tone::run(r.status.as_deref().unwrap_or_default()).class(),
                        stage: r
                            .stage
                            .as_deref()
                            .map(super::labels::code_or_text)
                            .unwrap_or_default(),
                        branch: r.branch.clone().unwrap_or_default(),
                        pr_html: r
                            .pr_urls
                            .iter()
                            .map(|u| external(&pull_request::reference(u), u))
                            .collect::<Vec<_>>()
                            .join(", "),
                        created: time(r.created_at).1,
                        completed: r.completed_at.map(|t| t.display()).unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let title = task
            .and_then(|t| t.title.clone())
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| format!("Task {id}"));
        TaskPage {
            title,
            head: Head::linked(Depth::Folder),
            index: links::index(Format::Html, Depth::Folder),
            id: id.to_string(),
            found: task.is_some(),
            repository: task.and_then(|t| t.repository.clone()).unwrap_or_default(),
            origin: task
                .and_then(|t| t.origin_product.as_deref().map(humanize))
                .unwrap_or_default(),
            runs,
            prs: self
                .task_prs
                .get(&id)
                .map(|prs| {
                    prs.iter()
                        .map(|pr| TaskPrRow {
                            link_html: external(&pr.reference, &pr.url),
                            state: pr.state.clone(),
                            state_class: PrState::from_label(&pr.state)
                                .map_or(Tone::Neutral, Tone::pr)
                                .class(),
                            report_href: links::from(
                                Depth::Folder,
                                &links::report_path(pr.report, Format::Html),
                            ),
                            report: self.titles.get(&pr.report).cloned().unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            reports,
            total: rows.len(),
            counts,
            rows,
        }
    }

    /// The people list of the index: every person, agent and system page, most entries first.
    pub fn people(&self) -> Vec<PersonLink> {
        let mut people: Vec<PersonLink> = self
            .person_paths()
            .into_iter()
            .filter_map(|path| {
                let credits = self.credits.get(path).map(Vec::as_slice).unwrap_or(&[]);
                let first = credits
                    .first()
                    .or_else(|| self.mentions.get(path)?.first())?;
                let first = self.actors.get(first.actor);
                Some(PersonLink {
                    href: path.to_string(),
                    name: first.name.to_string(),
                    kind: first.kind,
                    entries: credits.len(),
                })
            })
            .collect();
        people.sort_by(|a, b| b.entries.cmp(&a.entries).then(a.href.cmp(&b.href)));
        people
    }
}

impl SearchEntry {
    /// The entry as the search index holds it: compact JSON, with `<` escaped so that no
    /// `</script>` can appear. (Serialising strings cannot fail.)
    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|_| "null".into())
            .replace('<', "\\u003c")
    }
}

/// `assets/search-index.js`: search entries ([`SearchEntry::to_json`]) as a script, which loads
/// from `file://` where a JSON file would not. The build keeps the entries in a file while the
/// reports render and adds them here one at a time, in the order of their pages' paths.
pub struct SearchScript {
    script: String,
    empty: bool,
}

impl SearchScript {
    /// For entries of `json_bytes` in all.
    pub fn with_capacity(json_bytes: usize) -> SearchScript {
        let mut script = String::with_capacity(json_bytes + 40);
        script.push_str("window.reportpressSearch = [");
        SearchScript {
            script,
            empty: true,
        }
    }

    pub fn push(&mut self, json: &str) {
        if !self.empty {
            self.script.push(',');
        }
        self.script.push_str(json);
        self.empty = false;
    }

    pub fn finish(mut self) -> String {
        self.script.push_str("];\n");
        self.script
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_script_is_the_entries_in_the_order_given_and_inert() {
        assert_eq!(
            SearchScript::with_capacity(0).finish(),
            "window.reportpressSearch = [];\n"
        );
        let entry = |title: &str| SearchEntry {
            title: title.into(),
            ..SearchEntry::default()
        };
        let mut script = SearchScript::with_capacity(0);
        script.push(&entry("b</script><script>alert(1)").to_json());
        script.push(&entry("a").to_json());
        let script = script.finish();
        assert_eq!(
            script,
            "window.reportpressSearch = [\
             {\"t\":\"b\\u003c/script>\\u003cscript>alert(1)\",\"u\":\"\",\"s\":\"\",\"n\":[],\"p\":[]},\
             {\"t\":\"a\",\"u\":\"\",\"s\":\"\",\"n\":[],\"p\":[]}];\n"
        );
    }

    /// What a build holds per entry until its end (BENCHMARKS.md, "Memory"): small, and fixed.
    #[test]
    fn a_kept_credit_is_44_bytes() {
        assert!(
            std::mem::size_of::<Kept>() <= 44,
            "{}",
            std::mem::size_of::<Kept>()
        );
    }
}
