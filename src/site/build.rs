//! A build: resolve the teams, list their reports, then stream each report's rows from the
//! source to a pool of render workers that write its pages; finally the index, the assets and
//! the manifest.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::manifest::{self, Manifest, ManifestReport, Previous};
use super::output::{Output, OutputError};
use super::staging::{Target, TargetError};
use crate::model::ids::ReportIds;
use crate::model::record::ReportRows;
use crate::model::{self, Report};
use crate::redact::{self, Redactor};
use crate::render::{self, Archive, Format, IndexRow, Ledger, RenderError, ReportLedger, links};
use crate::source::git::LocalRepos;
use crate::source::{Source, SourceError};

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
    /// Render every report, even those whose fingerprint matches the previous build's.
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
    pub entries: usize,
    /// Files in the archive, and those this build wrote (an unchanged file is not rewritten).
    pub files: usize,
    pub written: usize,
    pub bytes_written: u64,
    pub removed: usize,
    pub search_index_bytes: u64,
}

struct Rendered {
    row: IndexRow,
    files: [String; 2],
    fingerprint: String,
    /// `manifest::report_digest`: the hash of the source rows the pages show.
    source_rows: String,
    rendered: bool,
    written: usize,
}

/// What every report's rendering shares.
struct Plan {
    archive: Archive,
    git: LocalRepos,
    out: Output,
    /// See `manifest::build_salt`.
    salt: String,
    /// The previous build's fingerprints and file hashes (empty with `--full`).
    previous: Previous,
    /// `--redact people`: applied to the rows before anything is made of them.
    redactor: Option<Redactor>,
    /// The id each report is shown under (rows that spell one uuid are kept apart).
    ids: ReportIds,
}

fn render_one(rows: ReportRows, plan: &Plan) -> Result<(Rendered, ReportLedger), BuildError> {
    let mut rows = rows;
    if let Some(redactor) = &plan.redactor {
        redactor.rows(&mut rows);
    }
    let raw_id = rows.report.id.clone();
    let mut report = Report::from_rows(rows);
    if let Some((id, notice)) = plan.ids.get(&raw_id) {
        report.id = *id;
        report.notices.extend(notice.clone());
    }
    let digest = manifest::report_digest(&report);
    let referenced: Vec<(String, Option<&str>)> = report
        .referenced_reports()
        .into_iter()
        .map(|id| (id.to_string(), plan.archive.title(id)))
        .collect();
    let fingerprint = manifest::fingerprint(&plan.salt, &digest, &referenced);
    let files = [
        links::report_path(report.id, Format::Html),
        links::report_path(report.id, Format::Markdown),
    ];
    let unchanged = plan.previous.fingerprints.get(&report.id.to_string()) == Some(&fingerprint)
        && files
            .iter()
            .all(|f| plan.out.exists(f) && plan.previous.files.contains_key(f));
    let (archive, git, out) = (&plan.archive, &plan.git, &plan.out);
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
    Ok((
        Rendered {
            row: rendered.row,
            files,
            fingerprint,
            source_rows: digest,
            rendered: !unchanged,
            written,
        },
        rendered.ledger,
    ))
}

/// Renders the archive of `options.teams` from `source` into `options.out`.
pub async fn build(
    source: &mut Source,
    options: &BuildOptions,
    progress: Arc<dyn Progress>,
) -> Result<BuildSummary, BuildError> {
    let target = Target::check(&options.out, options.force)?;
    let teams = source.resolve_teams(&options.teams).await?;
    let records = source.reports(&teams, options.include_deleted).await?;
    progress.start(records.len());
    // Pages the previous build wrote: the only files a build removes.
    let listed = manifest::listed(&options.out);
    // Everything is written into a staging folder, swapped in at the end (see `staging`).
    let staging = target.stage()?;
    let out = Output::create(staging.path())?;
    let redactor = if options.redact_people {
        Some(Redactor::new(&source.people().await?))
    } else {
        None
    };
    // Settings that change pages besides the rows: the clones diffs are read from, redaction.
    let settings = format!("{:?} redact-people={}", options.git, options.redact_people);
    let ids = ReportIds::assign(records.iter().map(|r| r.id.as_str()));
    let plan = Arc::new(Plan {
        archive: Archive {
            scope: render::links::Scope::Archive,
            titles: records
                .iter()
                .map(|r| {
                    let id = ids
                        .get(&r.id)
                        .map_or_else(|| model::row_id(&r.id, &mut Vec::new()), |(id, _)| *id);
                    let title = redact::opt_text(redactor.as_ref(), r.title.as_deref());
                    (id, model::display_title(title.as_deref(), id))
                })
                .collect(),
        },
        git: options.git.clone(),
        salt: manifest::build_salt(&settings),
        previous: if options.full {
            Previous::default()
        } else {
            Manifest::previous(&options.out)
        },
        out,
        redactor,
        ids,
    });

    let jobs = options
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .map_err(|_| BuildError::Workers)?,
    );
    // Bounded: the reader stays a few reports ahead of the renderers, never further.
    let (tx, rx) = mpsc::sync_channel::<ReportRows>(jobs * 2);
    // Each worker folds its report's index row and ledger in as soon as it is rendered: only
    // the small per-report index data outlives a report's rendering.
    let collected = Arc::new(Mutex::new((Vec::<Rendered>::new(), Ledger::default())));
    let workers = {
        let plan = Arc::clone(&plan);
        let pool = Arc::clone(&pool);
        let collected = Arc::clone(&collected);
        let progress = Arc::clone(&progress);
        let cancel = options.cancel.clone();
        std::thread::spawn(move || {
            pool.install(|| {
                rx.into_iter().par_bridge().try_for_each(|rows| {
                    if cancel.is_cancelled() {
                        return Ok(()); // the reader stops too; the build says why
                    }
                    let (rendered, ledger) = render_one(rows, &plan)?;
                    progress.report(rendered.row.entries, rendered.rendered);
                    let mut collected = collected.lock().map_err(|_| BuildError::Workers)?;
                    collected.0.push(rendered);
                    collected.1.add(ledger);
                    Ok::<(), BuildError>(())
                })
            })
        })
    };
    let mut read_error = None;
    for record in records {
        if options.cancel.is_cancelled() {
            break;
        }
        match source.report_rows(record).await {
            Ok(rows) => {
                if tx.send(rows).is_err() {
                    break; // a worker failed; its error is reported below
                }
            }
            Err(err) => {
                read_error = Some(err);
                break;
            }
        }
    }
    drop(tx);
    let outcome = workers.join().map_err(|_| BuildError::Workers)?;
    if let Some(err) = read_error {
        return Err(err.into());
    }
    outcome?;
    let interrupted = || BuildError::Interrupted(options.out.display().to_string());
    if options.cancel.is_cancelled() {
        return Err(interrupted());
    }
    let (mut rendered, ledger) = Arc::into_inner(collected)
        .and_then(|m| m.into_inner().ok())
        .ok_or(BuildError::Workers)?;

    // Most recent activity first; ties by id, so the order never depends on timing.
    rendered.sort_by(|a, b| (b.row.last_activity, a.row.id).cmp(&(a.row.last_activity, b.row.id)));
    let rows: Vec<IndexRow> = rendered.iter().map(|r| r.row.clone()).collect();
    let mut written: usize = rendered.iter().map(|r| r.written).sum();
    let mut files: BTreeSet<String> = rendered.iter().flat_map(|r| r.files.clone()).collect();
    progress.finishing();
    let out = &plan.out;
    let base_url = options.base_url.as_deref();
    let pages = render::archive_page_list(&ledger, base_url);
    // Rendered and written one at a time on every core: never all held at once.
    let archive = pool.install(|| {
        pages
            .par_iter()
            .map(|page| {
                let (path, content) = render::archive_page(page, &rows, &ledger, base_url)?;
                let wrote = out.write(&path, content.as_bytes())?;
                Ok::<_, BuildError>((path, usize::from(wrote), content.len() as u64))
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    let mut search_index_bytes = 0;
    for (path, wrote, len) in archive {
        written += wrote;
        if path == links::asset_path(links::SEARCH_INDEX) {
            search_index_bytes = len;
        }
        files.insert(path);
    }
    if options.cancel.is_cancelled() {
        return Err(interrupted());
    }
    let removed = out.prune(&listed, &files)?;

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
        teams: teams.clone(),
        reports: manifest_reports,
        files: file_hashes,
    };
    written += usize::from(out.write(links::MANIFEST, manifest.to_json().as_bytes())?);
    // Swapped in, or, when nothing changed, left as it was.
    staging.finish(written > 0 || removed > 0)?;

    Ok(BuildSummary {
        teams,
        reports: rendered.len(),
        rendered: rendered.iter().filter(|r| r.rendered).count(),
        entries: rendered.iter().map(|r| r.row.entries).sum(),
        files: files.len(),
        written,
        bytes_written: out.bytes_written(),
        removed,
        search_index_bytes,
    })
}
