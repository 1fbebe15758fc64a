//! A build, as a few named steps, each timed (`REPORTPRESS_TIMINGS=1` prints them):
//! [`plan`] lists the reports and decides, from the database's signatures and the previous
//! build's cache, which must be read; [`render_reports`] streams the rows of those from the
//! source to a pool of render workers that write their pages (the others come from the cache);
//! [`write_archive_pages`] makes the index, people, task and search pages; [`write_manifest`]
//! writes the manifest and the cache; then the staging folder is swapped in.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::manifest::{
    self, CacheHeader, CacheReader, CachedReport, Manifest, ManifestReport, Previous,
    PreviousCache, Span, Spool,
};
use super::output::{Output, OutputError};
use super::staging::{Staging, Target, TargetError};
use crate::model::ids::ReportIds;
use crate::model::record::{ReportRecord, ReportRows};
use crate::model::{self, Report};
use crate::redact::{self, Redactor};
use crate::render::{
    self, Archive, Chronology, Format, IndexRow, Ledger, RenderError, ReportLedger, SearchScript,
    links,
};
use crate::source::git::LocalRepos;
use crate::source::{Signatures, Source, SourceError};

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Out(#[from] TargetError),
    #[error("the render workers stopped unexpectedly")]
    Workers,
    #[error("interrupted: {0} was left as it was")]
    Interrupted(String),
}

impl BuildError {
    pub fn is_usage(&self) -> bool {
        matches!(self, BuildError::Source(e) if e.is_usage())
            || matches!(
                self,
                BuildError::Out(TargetError::NotAnArchive { .. } | TargetError::Unusable { .. })
            )
    }
}

#[derive(Clone, Debug)]
pub struct BuildOptions {
    pub out: PathBuf,
    pub teams: Vec<i64>,
    pub include_deleted: bool,
    /// Render workers; `None` uses every core.
    pub jobs: Option<usize>,
    /// Local clones to read commit diffs from when PostHog stored none.
    pub git: LocalRepos,
    /// Where the archive is published (`http(s)://…/`): adds `sitemap.xml` and `feed.xml`.
    pub base_url: Option<String>,
    /// Read and render every report, even those the previous build's cache shows unchanged.
    pub full: bool,
    /// Build into `out` even when it holds files that are not a reportpress archive (they are
    /// kept).
    pub force: bool,
    /// `--redact people`: names and emails replaced by pseudonyms in every file.
    pub redact_people: bool,
    /// Set (by Ctrl-C) to stop the build: it stops between reports, removes its staging
    /// folder and leaves `out` as it was.
    pub cancel: Cancel,
}

/// A request to stop, shared with whoever may make it (a Ctrl-C handler).
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<std::sync::atomic::AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Told how a build is going (a progress bar on a terminal). Called from every worker.
pub trait Progress: Send + Sync {
    /// The number of reports the build will go through.
    fn start(&self, _reports: usize) {}
    /// One report done: its entries, and whether its pages were rendered (or were unchanged).
    fn report(&self, _entries: usize, _rendered: bool) {}
    /// Every report is done; the index, people, task and search pages are next.
    fn finishing(&self) {}
}

/// Progress nobody watches.
pub struct Quiet;
impl Progress for Quiet {}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BuildSummary {
    pub teams: Vec<i64>,
    pub reports: usize,
    /// Reports whose pages were rendered (the others were unchanged since the last build).
    pub rendered: usize,
    /// Reports whose rows were read from the source (the others were known unchanged from
    /// their signatures, and taken from the build cache).
    pub read: usize,
    pub entries: usize,
    /// Files in the archive, and those this build wrote (an unchanged file is not rewritten).
    pub files: usize,
    pub written: usize,
    pub bytes_written: u64,
    pub removed: usize,
    pub search_index_bytes: u64,
}

/// The variable that makes a build print how long each step took, on stderr.
pub const TIMINGS_ENV: &str = "REPORTPRESS_TIMINGS";

/// How long each step of a build took, with a word on what it did.
#[derive(Debug, Default)]
pub struct Timings {
    steps: Vec<(&'static str, Duration, String)>,
}

impl Timings {
    fn record(&mut self, step: &'static str, started: Instant, detail: String) {
        self.steps.push((step, started.elapsed(), detail));
    }

    /// One line per step: `reportpress: timing: STEP 0.123 s (what it did)`.
    pub fn lines(&self) -> Vec<String> {
        self.steps
            .iter()
            .map(|(step, took, detail)| {
                format!(
                    "reportpress: timing: {step} {:.3} s ({detail})",
                    took.as_secs_f64()
                )
            })
            .collect()
    }

    /// Prints [`Timings::lines`] to stderr when [`TIMINGS_ENV`] is `1`.
    fn print(&self) {
        if std::env::var(TIMINGS_ENV).is_ok_and(|v| v.trim() == "1") {
            for line in self.lines() {
                eprintln!("{line}");
            }
        }
    }
}

/// Renders the archive of `options.teams` from `source` into `options.out`.
pub async fn build(
    source: &mut Source,
    options: &BuildOptions,
    progress: Arc<dyn Progress>,
) -> Result<BuildSummary, BuildError> {
    let mut timings = Timings::default();
    let started = Instant::now();
    let (mut plan, target) = plan(source, options).await?;
    timings.record("plan", started, plan.describe());
    progress.start(plan.jobs.len());
    if plan.unchanged() {
        // Nothing to read, render or write: the archive stays as it is, not even staged.
        timings.print();
        return Ok(plan.unchanged_summary(&options.out));
    }
    let started = Instant::now();
    // Everything is written into a staging folder, swapped in at the end (see `staging`).
    let staging = target.stage()?;
    // The jobs are consumed as the reports are read: no report's row outlives its reading.
    let jobs = std::mem::take(&mut plan.jobs);
    let reuse = jobs.iter().any(|j| matches!(j, Job::Reuse { .. }));
    let shared = Arc::new(Shared::new(plan, &staging, reuse)?);
    let reports = render_reports(source, &shared, jobs, options, &progress).await?;
    // No snippet is highlighted after the reports: what the memo kept is freed.
    render::highlight::forget_memoized();
    timings.record("render_reports", started, reports.describe());
    let started = Instant::now();
    progress.finishing();
    let pages = write_archive_pages(&shared, &reports, options)?;
    let views_written = pages.views_written;
    timings.record(
        "write_archive_pages",
        started,
        format!(
            "{} files; {} person and task pages kept, showing what they showed",
            pages.files.len(),
            pages.kept
        ),
    );
    let started = Instant::now();
    // The ledger (every entry's credit, every task) is done with: freed before the
    // manifest is made, so the two are never held at once (BENCHMARKS.md, "Memory").
    let Reports {
        rendered, ledger, ..
    } = reports;
    drop(ledger);
    let summary = write_manifest(&shared, rendered, pages)?;
    timings.record(
        "write_manifest",
        started,
        format!("{} files", summary.files),
    );
    let started = Instant::now();
    // Swapped in, or, when nothing changed, left as it was.
    let changed =
        summary.written > 0 || summary.removed > 0 || shared.plan.cache_written() || views_written;
    staging.finish(changed)?;
    timings.record("finish", started, "staging folder swapped in".into());
    timings.print();
    Ok(summary)
}

/// What a build does with one report.
#[derive(Debug)]
enum Job {
    /// Read its rows and render it (its pages are written only if their fingerprint changed).
    Read(Box<ReportRecord>),
    /// Unchanged since the previous build by its signature: its index row and ledger come from
    /// the previous build's cache, at this place.
    Reuse { raw_id: String, span: Span },
}

/// What every report's rendering shares.
struct Plan {
    teams: Vec<i64>,
    jobs: Vec<Job>,
    archive: Archive,
    git: LocalRepos,
    /// See `manifest::build_salt`.
    salt: String,
    /// The previous build's manifest (empty with `--full`).
    previous: Previous,
    /// The previous build's cache (empty with `--full`) and where to read it; once planned,
    /// only where each report's line is.
    cache: PreviousCache,
    previous_lines: HashMap<String, Span>,
    cache_path: PathBuf,
    /// The cache header this build writes.
    header: CacheHeader,
    /// `--redact people`: applied to the rows before anything is made of them.
    redactor: Option<Redactor>,
    /// The id each report is shown under (rows that spell one uuid are kept apart).
    ids: ReportIds,
    /// The database's signatures, or `None` where they cannot be trusted.
    signatures: Option<Signatures>,
    /// Pages the previous build wrote: the only files a build removes.
    listed: BTreeSet<String>,
    /// The regular files in `--out` when the build began ([`manifest::files_present`]): a page
    /// is reused only where it is still there.
    present: HashSet<String>,
    /// The previous build's keys of its person and task pages ([`manifest::VIEWS`]).
    views: HashMap<String, String>,
    /// Whether the build cache must be written again (set while rendering).
    cache_changed: std::sync::atomic::AtomicBool,
}

impl Plan {
    fn to_read(&self) -> usize {
        self.jobs
            .iter()
            .filter(|j| matches!(j, Job::Read(_)))
            .count()
    }

    fn describe(&self) -> String {
        let read = self.to_read();
        let how = if self.signatures.is_none() {
            "; the database's signatures cannot be trusted here, so every report is read"
        } else {
            ""
        };
        format!(
            "{} reports: {read} to read, {} unchanged by their signatures{how}",
            self.jobs.len(),
            self.jobs.len() - read
        )
    }

    fn cache_written(&self) -> bool {
        self.cache_changed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Whether the archive in `--out` is already exactly what this build would write: every
    /// report unchanged, none gone, the same teams and base URL, every file still there.
    fn unchanged(&self) -> bool {
        self.jobs.iter().all(|j| matches!(j, Job::Reuse { .. }))
            && self.previous.reports.len() == self.jobs.len()
            && self.previous.teams == self.teams
            && self.cache.header == self.header
            && !self.cache_written()
            && self
                .previous
                .files
                .keys()
                .all(|f| manifest::is_plain_path(f) && self.present.contains(f))
    }

    fn unchanged_summary(&self, out: &Path) -> BuildSummary {
        BuildSummary {
            teams: self.teams.clone(),
            reports: self.jobs.len(),
            rendered: 0,
            read: 0,
            entries: self.previous.reports.values().map(|r| r.entries).sum(),
            files: self.previous.files.len() + 1,
            written: 0,
            bytes_written: 0,
            removed: 0,
            search_index_bytes: std::fs::metadata(out.join(links::asset_path(links::SEARCH_INDEX)))
                .map_or(0, |m| m.len()),
        }
    }
}

/// What a rebuild reads of the previous build in `--out` (nothing with `--full`).
#[derive(Default)]
struct Earlier {
    previous: Previous,
    cache: PreviousCache,
    views: HashMap<String, String>,
    present: HashSet<String>,
}

/// Checks `--out`, resolves the teams, lists their reports, asks the database for their
/// signatures, and decides which reports must be read.
async fn plan(source: &mut Source, options: &BuildOptions) -> Result<(Plan, Target), BuildError> {
    let target = Target::check(&options.out, options.force)?;
    // The previous build's manifest and cache are read (on another thread) while the database
    // lists the reports and their signatures: at 10,000 reports each takes about a second.
    let earlier = {
        let (out, full) = (options.out.clone(), options.full);
        tokio::task::spawn_blocking(move || {
            let earlier = if full {
                Earlier::default()
            } else {
                Earlier {
                    previous: Manifest::previous(&out),
                    cache: PreviousCache::load(&out),
                    views: manifest::previous_views(&out),
                    present: manifest::files_present(&out),
                }
            };
            (earlier, manifest::listed(&out))
        })
    };
    let teams = source.resolve_teams(&options.teams).await?;
    let records = source.reports(&teams, options.include_deleted).await?;
    let signatures = source.signatures(&teams, options.include_deleted).await?;
    // Settings that change pages besides the rows: the clones diffs are read from, redaction
    // (whose pseudonyms and the names it finds depend on every person, so any change to a
    // person renders every page again).
    let mut settings = format!("{:?} redact-people={}", options.git, options.redact_people);
    let redactor = if options.redact_people {
        let people = source.people().await?;
        settings.push_str(&format!(" {people:?}"));
        Some(Redactor::new(&people))
    } else {
        None
    };
    let ids = ReportIds::assign(records.iter().map(|r| r.id.as_str()));
    let shown = |r: &ReportRecord| {
        ids.get(&r.id)
            .map_or_else(|| model::row_id(&r.id, &mut Vec::new()), |(id, _)| *id)
    };
    let archive = Archive {
        scope: render::links::Scope::Archive,
        titles: records
            .iter()
            .map(|r| {
                let id = shown(r);
                let title = redact::opt_text(redactor.as_ref(), r.title.as_deref());
                (id, model::display_title(title.as_deref(), id))
            })
            .collect(),
        order: Chronology::new(records.iter().map(|r| {
            let created = r.created_at.as_deref().and_then(model::Timestamp::parse);
            (shown(r), created)
        })),
    };
    let (
        Earlier {
            previous,
            cache,
            views,
            present,
        },
        listed,
    ) = match earlier.await {
        Ok(read) => read,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    let salt = manifest::build_salt(&settings);
    let mut plan = Plan {
        teams,
        jobs: Vec::new(),
        archive,
        git: options.git.clone(),
        salt,
        previous,
        cache,
        previous_lines: HashMap::new(),
        cache_path: options.out.join(manifest::CACHE),
        header: CacheHeader {
            generator: manifest::generator(),
            base_url: options.base_url.clone(),
        },
        redactor,
        ids,
        signatures,
        listed,
        present,
        views,
        cache_changed: Default::default(),
    };
    // A report listed twice under one id is always read: its cached lines could not be told
    // apart.
    let mut times: HashMap<&str, usize> = HashMap::new();
    for r in &records {
        *times.entry(r.id.as_str()).or_default() += 1;
    }
    let twice: BTreeSet<String> = times
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(id, _)| id.to_string())
        .collect();
    let jobs = records
        .into_iter()
        .map(|record| match plan.reusable(&record) {
            Some(span) if !twice.contains(&record.id) => Job::Reuse {
                raw_id: record.id,
                span,
            },
            _ => Job::Read(Box::new(record)),
        })
        .collect();
    plan.jobs = jobs;
    // Only where each report's previous line is stays (the rest was for planning).
    plan.previous_lines = std::mem::take(&mut plan.cache.reports)
        .into_iter()
        .map(|(id, (_, span))| (id, span))
        .collect();
    if plan.previous_lines.len() != plan.jobs.len()
        || plan.cache.header != plan.header
        || plan.jobs.iter().any(|j| matches!(j, Job::Read(_)))
    {
        plan.cache_changed
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
    Ok((plan, target))
}

impl Plan {
    /// Where the previous build's cache holds `record`, if the report is unchanged since: its
    /// signature and those of the rows it drew on are the same, the titles of the reports it
    /// refers to are the same (its fingerprint, made again from the previous build's digest of
    /// its rows, matches), and its pages are still there.
    fn reusable(&self, record: &ReportRecord) -> Option<Span> {
        let signatures = self.signatures.as_ref()?;
        let (head, span) = self.cache.reports.get(&record.id)?;
        let shown = self.ids.get(&record.id)?;
        let before = self.previous.reports.get(&shown.0.to_string())?;
        let now = signature(signatures, &record.id, &format!("{shown:?}"), &head.deps)?;
        if head.signature.as_deref() != Some(now.as_str()) {
            return None;
        }
        let mut referenced: Vec<(String, Option<&str>)> = head
            .referenced
            .iter()
            .map(|id| (id.to_string(), self.archive.title(*id)))
            .collect();
        referenced.extend(neighbours(&self.archive, shown.0));
        let fingerprint = manifest::fingerprint(&self.salt, &before.source_rows, &referenced);
        let pages_there = [&before.html, &before.markdown]
            .into_iter()
            .all(|f| self.previous.files.contains_key(f) && self.present.contains(f));
        (fingerprint == before.fingerprint && pages_there).then_some(*span)
    }
}

/// What a report's pages show of the reports created just before and after it (their ids and
/// titles, or that there is none), as entries of the list of referenced reports its fingerprint
/// is made from: a page is rendered again when a neighbour changes, is retitled, or appears.
/// The planner and the renderer both use it, so that their fingerprints agree.
fn neighbours(archive: &Archive, id: uuid::Uuid) -> [(String, Option<&str>); 2] {
    fn entry<'a>(side: &str, neighbour: render::page::Neighbour<'a>) -> (String, Option<&'a str>) {
        match neighbour {
            Some((id, title)) => (format!("{side}:{id}"), Some(title)),
            None => (format!("{side}:-"), None),
        }
    }
    let (older, newer) = archive.neighbours(id);
    [entry("older", older), entry("newer", newer)]
}

/// A report's signature: the database's for its own rows, how it is shown (its id, and the
/// notice when it is a stand-in), and the database's for each row it drew on (`-` for one that
/// is not there). `None` without the database's signature for its own rows.
fn signature(
    signatures: &Signatures,
    raw_id: &str,
    shown: &str,
    deps: &[String],
) -> Option<String> {
    let own = signatures.reports.get(raw_id)?;
    let mut h = Sha256::new();
    h.update(own.as_bytes());
    h.update(b"\n");
    h.update(shown.as_bytes());
    for key in deps {
        h.update(b"\n");
        h.update(key.as_bytes());
        h.update(b"=");
        h.update(
            signatures
                .rows
                .get(key)
                .map_or("-", String::as_str)
                .as_bytes(),
        );
    }
    Some(crate::model::digest::hex(&h.finalize()))
}

/// The rows a report drew on by reference, as signature keys: the tasks and the runs of the
/// tasks it names, its pull requests, the people it names or that wrote its entries. `None`
/// when the reader found one of them that the signatures do not cover (a key spelled another
/// way): the report is then read by every build.
fn dependencies(rows: &ReportRows, signatures: &Signatures) -> (Vec<String>, bool) {
    let team = rows.report.team_id;
    let mut deps = BTreeSet::new();
    let linked = rows.links.iter().map(|l| l.task_id.as_str()).chain(
        rows.assignments
            .iter()
            .filter_map(|a| a.actor_task_id.as_deref()),
    );
    for task in model::referenced_task_ids(&rows.artefacts, linked) {
        deps.insert(Signatures::task(team, &task.to_string()));
        deps.insert(Signatures::runs(team, &task.to_string()));
    }
    for pr in model::referenced_pull_request_ids(&rows.artefacts) {
        deps.insert(Signatures::pull_request(team, &pr.to_string()));
    }
    for uuid in model::referenced_user_uuids(&rows.artefacts) {
        deps.insert(Signatures::user_uuid(&uuid.to_string()));
    }
    let users = rows
        .artefacts
        .iter()
        .filter_map(|a| a.created_by_id)
        .chain(rows.assignments.iter().filter_map(|a| a.actor_user_id));
    deps.extend(users.map(Signatures::user));
    // Every row the reader found must be one the signatures cover.
    let found = rows
        .tasks
        .iter()
        .map(|t| Signatures::task(team, &t.id))
        .chain(rows.runs.iter().map(|r| Signatures::runs(team, &r.task_id)))
        .chain(
            rows.pull_requests
                .iter()
                .map(|p| Signatures::pull_request(team, &p.id)),
        )
        .chain(
            rows.people
                .iter()
                .filter_map(|p| p.uuid.as_deref())
                .map(Signatures::user_uuid),
        )
        .chain(
            rows.artefacts
                .iter()
                .filter_map(|a| a.created_by.as_ref())
                .chain(
                    rows.assignments
                        .iter()
                        .filter_map(|a| a.actor_user.as_ref()),
                )
                .map(|u| Signatures::user(u.id)),
        );
    let covered = found
        .into_iter()
        .all(|key| deps.contains(&key) && signatures.rows.contains_key(&key));
    (deps.into_iter().collect(), covered)
}

/// Where a report's line of the new cache is.
#[derive(Clone, Copy, Debug)]
enum CacheLine {
    /// In the previous build's cache, unchanged.
    Previous(Span),
    /// In this build's spool.
    Spooled(Span),
}

struct Rendered {
    /// The report id as the source lists it.
    raw_id: String,
    row: IndexRow,
    files: [String; 2],
    fingerprint: String,
    /// `manifest::report_digest`: the hash of the source rows the pages show.
    source_rows: String,
    read: bool,
    rendered: bool,
    written: usize,
    cache: CacheLine,
}

/// What a worker is given: a report's rows, or the places of a batch of reports in the
/// previous build's cache.
enum Work {
    Rows(Box<ReportRows>),
    Cached(Vec<(String, Span)>),
}

/// Reports taken from the cache are handed to the workers this many at a time: one by one, the
/// hand-over and the locks each took cost more than reading the report's line back (at 10,000
/// reports, 56,000 `futex` calls in a one-report-changed rebuild).
const CACHED_BATCH: usize = 64;

/// The reports of a build, each rendered or taken from the cache, and what they add to the
/// archive-wide pages.
struct Reports {
    rendered: Vec<Rendered>,
    ledger: Ledger,
    /// Where each report's search entry is in the search spool, by its page's path.
    search: BTreeMap<String, Span>,
}

impl Reports {
    fn describe(&self) -> String {
        let read = self.rendered.iter().filter(|r| r.read).count();
        let rendered = self.rendered.iter().filter(|r| r.rendered).count();
        format!(
            "{read} read, {rendered} rendered, {} from the cache",
            self.rendered.len() - read
        )
    }
}

fn render_one(rows: ReportRows, shared: &Shared) -> Result<(Rendered, ReportLedger), BuildError> {
    let (plan, out, spool) = (&shared.plan, &shared.out, &shared.spool);
    let raw_id = rows.report.id.clone();
    let shown = plan.ids.get(&raw_id);
    let signed = plan.signatures.as_ref().and_then(|signatures| {
        let (deps, covered) = dependencies(&rows, signatures);
        let sig = signature(signatures, &raw_id, &format!("{:?}", shown?), &deps)?;
        covered.then_some((sig, deps))
    });
    let mut rows = rows;
    if let Some(redactor) = &plan.redactor {
        redactor.rows(&mut rows);
    }
    let mut report = Report::from_rows(rows);
    if let Some((id, notice)) = shown {
        report.id = *id;
        report.notices.extend(notice.clone());
    }
    let digest = manifest::report_digest(&report);
    let referenced_ids = report.referenced_reports();
    let mut referenced: Vec<(String, Option<&str>)> = referenced_ids
        .iter()
        .map(|id| (id.to_string(), plan.archive.title(*id)))
        .collect();
    referenced.extend(neighbours(&plan.archive, report.id));
    let fingerprint = manifest::fingerprint(&plan.salt, &digest, &referenced);
    let files = [
        links::report_path(report.id, Format::Html),
        links::report_path(report.id, Format::Markdown),
    ];
    let unchanged = plan
        .previous
        .reports
        .get(&report.id.to_string())
        .is_some_and(|r| r.fingerprint == fingerprint)
        && files
            .iter()
            .all(|f| out.exists(f) && plan.previous.files.contains_key(f));
    let (archive, git) = (&plan.archive, &plan.git);
    if !git.is_empty() && !unchanged {
        let found: Vec<_> = report
            .commits_without_diff()
            .into_iter()
            .filter_map(|(id, repo, sha)| Some((id, git.commit_diff(repo, sha)?)))
            .collect();
        report.local_diffs.extend(found);
    }
    let rendered = render::report(&report, archive, !unchanged)?;
    let mut written = 0;
    if let Some((html, md)) = &rendered.pages {
        written += usize::from(out.write(&files[0], html.as_bytes())?);
        written += usize::from(out.write(&files[1], md.as_bytes())?);
    }
    let (signature, deps) = match signed {
        Some((sig, deps)) => (Some(sig), deps),
        None => (None, Vec::new()),
    };
    let cached = CachedReport {
        id: raw_id.clone(),
        signature,
        deps,
        referenced: referenced_ids.into_iter().collect(),
        row: rendered.row,
        ledger: rendered.ledger,
    };
    let line = cached.to_line();
    // The cache is written again when a line differs from the previous build's.
    let same = plan.previous_lines.get(&raw_id).is_some_and(|span| {
        span.len == line.len() as u64
            && CacheReader::open(&plan.cache_path)
                .and_then(|r| r.bytes(*span))
                .is_ok_and(|before| before == line.as_bytes())
    });
    if !same {
        plan.cache_changed
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
    let span = spool
        .push(&line)
        .map_err(io_err("writing", &plan.cache_path))?;
    Ok((
        Rendered {
            raw_id,
            row: cached.row,
            files,
            fingerprint,
            source_rows: digest,
            read: true,
            rendered: !unchanged,
            written,
            cache: CacheLine::Spooled(span),
        },
        cached.ledger,
    ))
}

/// A report unchanged since the previous build, from its cache and manifest.
fn reuse_one(
    raw_id: String,
    span: Span,
    shared: &Shared,
) -> Result<(Rendered, ReportLedger), BuildError> {
    let plan = &shared.plan;
    let reader = shared.reader.as_ref().ok_or(BuildError::Workers)?;
    let cached = reader
        .report(span)
        .map_err(io_err("reading", &plan.cache_path))?;
    let id = plan
        .ids
        .get(&raw_id)
        .map(|(id, _)| id.to_string())
        .unwrap_or_default();
    let before = plan.previous.reports.get(&id).ok_or(BuildError::Workers)?;
    Ok((
        Rendered {
            raw_id,
            row: cached.row,
            files: [before.html.clone(), before.markdown.clone()],
            fingerprint: before.fingerprint.clone(),
            source_rows: before.source_rows.clone(),
            read: false,
            rendered: false,
            written: 0,
            cache: CacheLine::Previous(span),
        },
        cached.ledger,
    ))
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> OutputError {
    let path = path.to_path_buf();
    move |source| OutputError {
        action,
        path,
        source,
    }
}

/// What the render workers share with the build.
struct Shared {
    plan: Plan,
    out: Output,
    spool: Spool,
    /// Every report's search entry, as the search index holds it, until the index is made.
    search: Spool,
    /// The previous build's cache, when a report is reused from it.
    reader: Option<CacheReader>,
}

impl Shared {
    fn new(plan: Plan, staging: &Staging, reuse: bool) -> Result<Shared, BuildError> {
        let out = Output::create(staging.path())?;
        let spool_path = staging.path().join(SPOOL);
        let spool = Spool::create(&spool_path).map_err(io_err("creating", &spool_path))?;
        let search_path = staging.path().join(SEARCH_SPOOL);
        let search = Spool::create(&search_path).map_err(io_err("creating", &search_path))?;
        let reader = if reuse {
            Some(CacheReader::open(&plan.cache_path).map_err(io_err("reading", &plan.cache_path))?)
        } else {
            None
        };
        Ok(Shared {
            plan,
            out,
            spool,
            search,
            reader,
        })
    }
}

/// The spool of this build's cache lines, in the staging folder (removed before the swap).
const SPOOL: &str = ".reportpress-cache.spool";
/// The spool of the reports' search entries, likewise.
const SEARCH_SPOOL: &str = ".reportpress-search.spool";

/// Reads the rows of each report to read and has the workers render them; gives the workers
/// the cache's place of each report to reuse. Each worker folds its report's ledger in as soon
/// as it is done: only the small per-report index data outlives a report's rendering.
async fn render_reports(
    source: &mut Source,
    shared: &Arc<Shared>,
    jobs_to_do: Vec<Job>,
    options: &BuildOptions,
    progress: &Arc<dyn Progress>,
) -> Result<Reports, BuildError> {
    let jobs = options
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|_| BuildError::Workers)?;
    // Bounded: the reader stays a few reports ahead of the renderers, never further.
    let (tx, rx) = mpsc::sync_channel::<Work>(jobs * 2);
    let collected = Arc::new(Mutex::new(Reports {
        rendered: Vec::new(),
        ledger: Ledger::default(),
        search: BTreeMap::new(),
    }));
    let workers = {
        let shared = Arc::clone(shared);
        let collected = Arc::clone(&collected);
        let progress = Arc::clone(progress);
        let cancel = options.cancel.clone();
        std::thread::spawn(move || {
            pool.install(|| {
                rx.into_iter().par_bridge().try_for_each(|work| {
                    if cancel.is_cancelled() {
                        return Ok(()); // the reader stops too; the build says why
                    }
                    let done = match work {
                        Work::Rows(rows) => vec![render_one(*rows, &shared)?],
                        Work::Cached(batch) => batch
                            .into_iter()
                            .map(|(raw_id, span)| reuse_one(raw_id, span, &shared))
                            .collect::<Result<_, _>>()?,
                    };
                    // The search entries go to a file, not memory, until the index is made.
                    let mut searched = Vec::with_capacity(done.len());
                    let mut lines = String::new();
                    for (rendered, ledger) in &done {
                        progress.report(rendered.row.entries, rendered.rendered);
                        let json = ledger.search.to_json();
                        searched.push(json.len());
                        lines.push_str(&json);
                    }
                    let spans = shared
                        .search
                        .push_all(&lines, &searched)
                        .map_err(io_err("writing", shared.search.path()))?;
                    let mut collected = collected.lock().map_err(|_| BuildError::Workers)?;
                    for ((rendered, mut ledger), span) in done.into_iter().zip(spans) {
                        let search = std::mem::take(&mut ledger.search);
                        collected.rendered.push(rendered);
                        collected.ledger.add(ledger);
                        collected.search.insert(search.url, span);
                    }
                    Ok::<(), BuildError>(())
                })
            })
        })
    };
    let mut read_error = None;
    let mut cached = Vec::new();
    for job in jobs_to_do {
        if options.cancel.is_cancelled() {
            break;
        }
        let work = match job {
            Job::Read(record) => match source.report_rows(*record).await {
                Ok(rows) => Work::Rows(Box::new(rows)),
                Err(err) => {
                    read_error = Some(err);
                    break;
                }
            },
            Job::Reuse { raw_id, span } => {
                cached.push((raw_id, span));
                if cached.len() < CACHED_BATCH {
                    continue;
                }
                Work::Cached(std::mem::take(&mut cached))
            }
        };
        if tx.send(work).is_err() {
            break; // a worker failed; its error is reported below
        }
    }
    if !cached.is_empty() && read_error.is_none() && !options.cancel.is_cancelled() {
        // The last batch; a send that fails means a worker failed, reported below.
        let _ = tx.send(Work::Cached(cached));
    }
    drop(tx);
    let outcome = workers.join().map_err(|_| BuildError::Workers)?;
    if let Some(err) = read_error {
        return Err(err.into());
    }
    outcome?;
    if options.cancel.is_cancelled() {
        return Err(BuildError::Interrupted(options.out.display().to_string()));
    }
    let mut reports = Arc::into_inner(collected)
        .and_then(|m| m.into_inner().ok())
        .ok_or(BuildError::Workers)?;
    // Most recent activity first; ties by id, so the order never depends on timing.
    reports
        .rendered
        .sort_by(|a, b| (b.row.last_activity, a.row.id).cmp(&(a.row.last_activity, b.row.id)));
    Ok(reports)
}

/// The archive-wide pages as written.
struct Pages {
    /// Every file of the archive but the manifest.
    files: BTreeSet<String>,
    written: usize,
    removed: usize,
    search_index_bytes: u64,
    /// Whether the record of the person and task pages' views was written again.
    views_written: bool,
    /// Person and task pages not rendered: the page there shows the same view.
    kept: usize,
}

/// The index, assets, people, task and search pages (and, with a base URL, the sitemap and
/// feed), rendered and written one at a time on every core: never all held at once. Then the
/// pages of reports, tasks and people that are gone are removed.
fn write_archive_pages(
    shared: &Shared,
    reports: &Reports,
    options: &BuildOptions,
) -> Result<Pages, BuildError> {
    let out = &shared.out;
    let rows: Vec<IndexRow> = reports.rendered.iter().map(|r| r.row.clone()).collect();
    let mut files: BTreeSet<String> = reports
        .rendered
        .iter()
        .flat_map(|r| r.files.clone())
        .collect();
    let mut written: usize = reports.rendered.iter().map(|r| r.written).sum();
    let base_url = options.base_url.as_deref();
    let ledger = &reports.ledger;
    let pages = render::archive_page_list(ledger, base_url);
    let plan = &shared.plan;
    // A person's or task's page is kept where the previous build recorded the same view for
    // it and the page it wrote is still there (its hash is then the previous manifest's).
    let seed = format!("{} {base_url:?}", plan.salt);
    let keep = |path: &str, key: &str| {
        plan.views.get(path).is_some_and(|k| k == key)
            && plan.previous.files.contains_key(path)
            && plan.present.contains(path)
    };
    let (archive, search) = rayon::join(
        || {
            pages
                .par_iter()
                .map(|page| {
                    let made = render::archive_page(page, &rows, ledger, base_url, &seed, keep)?;
                    let wrote = match &made.content {
                        Some(content) => Some(out.write(&made.path, content.as_bytes())?),
                        None => None,
                    };
                    Ok::<_, BuildError>((made.path, made.key, wrote))
                })
                .collect::<Result<Vec<_>, _>>()
        },
        || search_index(shared, &reports.search),
    );
    let (path, wrote, search_index_bytes) = search?;
    written += wrote;
    files.insert(path);
    let mut views = BTreeMap::new();
    let mut kept = 0;
    for (path, key, wrote) in archive? {
        match wrote {
            Some(wrote) => written += usize::from(wrote),
            None => kept += 1,
        }
        if let Some(key) = key {
            views.insert(path.clone(), key);
        }
        files.insert(path);
    }
    // Recorded again only when it changed (a build that changes nothing leaves `--out` as is).
    let views_written = views.len() != plan.views.len()
        || views
            .iter()
            .any(|(path, key)| plan.views.get(path) != Some(key));
    if views_written {
        let text = manifest::views_text(&views);
        out.write_stream(manifest::VIEWS, |file| file.write_all(text.as_bytes()))?;
    }
    if options.cancel.is_cancelled() {
        return Err(BuildError::Interrupted(options.out.display().to_string()));
    }
    let removed = out.prune(&shared.plan.listed, &files)?;
    Ok(Pages {
        files,
        written,
        removed,
        search_index_bytes,
        views_written,
        kept,
    })
}

/// `assets/search-index.js`, made from the search spool in the order of the reports' pages and
/// written: (its path, whether it was written, its bytes).
fn search_index(
    shared: &Shared,
    entries: &BTreeMap<String, Span>,
) -> Result<(String, usize, u64), BuildError> {
    let reading = |e| io_err("reading", shared.search.path())(e);
    let spool = shared.search.reader().map_err(reading)?;
    let bytes = entries.values().map(|span| span.len as usize + 1).sum();
    let mut script = SearchScript::with_capacity(bytes);
    for span in entries.values() {
        let json = String::from_utf8(spool.bytes(*span).map_err(reading)?)
            .map_err(|e| reading(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
        script.push(&json);
    }
    let content = script.finish();
    let path = links::asset_path(links::SEARCH_INDEX);
    let wrote = shared.out.write(&path, content.as_bytes())?;
    Ok((path, usize::from(wrote), content.len() as u64))
}

/// `manifest.json` (every file with its hash) and the build cache (when it changed).
fn write_manifest(
    shared: &Shared,
    rendered: Vec<Rendered>,
    pages: Pages,
) -> Result<BuildSummary, BuildError> {
    let (plan, out) = (&shared.plan, &shared.out);
    let Pages {
        mut files,
        mut written,
        removed,
        search_index_bytes,
        views_written: _,
        kept: _,
    } = pages;
    let mut manifest_reports: Vec<ManifestReport> = rendered
        .iter()
        .map(|r| ManifestReport {
            id: r.row.id.to_string(),
            status: r.row.status.clone(),
            entries: r.row.entries,
            html: r.files[0].clone(),
            markdown: r.files[1].clone(),
            fingerprint: r.fingerprint.clone(),
            source_rows: r.source_rows.clone(),
        })
        .collect();
    manifest_reports.sort_by(|a, b| a.id.cmp(&b.id));
    // The hash of every file: of the bytes written (or found already there), or, for the pages
    // of a report not rendered again, the previous manifest's.
    let mut hashes = out.take_hashes();
    let file_hashes = files
        .iter()
        .map(|f| {
            let hash = match hashes
                .remove(f)
                .or_else(|| plan.previous.files.get(f).cloned())
            {
                Some(hash) => hash,
                None => out.hash_file(f)?,
            };
            Ok((f.clone(), hash))
        })
        .collect::<Result<_, OutputError>>()?;
    files.insert(links::MANIFEST.to_string());
    let manifest = Manifest {
        generator: manifest::generator(),
        teams: plan.teams.clone(),
        reports: manifest_reports,
        files: file_hashes,
    };
    written += usize::from(out.write(links::MANIFEST, manifest.to_json().as_bytes())?);
    if plan.cache_written() {
        write_cache(shared, &rendered)?;
    }
    shared.spool.remove();
    shared.search.remove();
    Ok(BuildSummary {
        teams: plan.teams.clone(),
        reports: rendered.len(),
        rendered: rendered.iter().filter(|r| r.rendered).count(),
        read: rendered.iter().filter(|r| r.read).count(),
        entries: rendered.iter().map(|r| r.row.entries).sum(),
        files: files.len(),
        written,
        bytes_written: out.bytes_written(),
        removed,
        search_index_bytes,
    })
}

/// The build cache: its header, then each report's line in id order, copied from the previous
/// cache or this build's spool.
fn write_cache(shared: &Shared, rendered: &[Rendered]) -> Result<(), BuildError> {
    let plan = &shared.plan;
    let mut order: Vec<&Rendered> = rendered.iter().collect();
    order.sort_by(|a, b| a.raw_id.cmp(&b.raw_id));
    let spool = shared
        .spool
        .reader()
        .map_err(io_err("reading", &plan.cache_path))?;
    shared.out.write_stream(manifest::CACHE, |file| {
        let mut header = serde_json::to_string(&plan.header).unwrap_or_default();
        header.push('\n');
        file.write_all(header.as_bytes())?;
        for r in order {
            let bytes = match r.cache {
                CacheLine::Spooled(span) => spool.bytes(span)?,
                CacheLine::Previous(span) => match &shared.reader {
                    Some(reader) => reader.bytes(span)?,
                    None => return Err(std::io::Error::other("the previous cache is gone")),
                },
            };
            file.write_all(&bytes)?;
        }
        Ok(())
    })?;
    Ok(())
}
