//! The binary: parse the command line, run the library, map errors to exit codes
//! (0 success, 1 the work failed, 2 usage error).

mod cli;
mod progress;

use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, Parser};

use cli::{
    BuildArgs, Cli, Command, DemoArgs, ExportArgs, ListArgs, SnapshotArgs, SourceArgs, VerifyArgs,
};
use reportpress::export::{self, ExportFormat, ExportOptions};
use reportpress::generate::{self, GenerateOptions};
use reportpress::site::{self, BuildError, BuildOptions};
use reportpress::snapshot::{self as snap, SnapshotError, SnapshotOptions};
use reportpress::source::Source;
use reportpress::source::git::LocalRepos;

// mimalloc: the build allocates many small strings on every core; glibc's allocator spends a
// fifth of a build in malloc/free and keeps freed memory in per-thread arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
const INTERRUPTED: i32 = 130;

/// Above this the build warns that the search index is getting heavy for a browser to load.
const SEARCH_INDEX_WARN_BYTES: u64 = 8 * 1024 * 1024;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("reportpress: cannot start the async runtime: {err}");
            return ExitCode::from(1);
        }
    };
    // Ctrl-C: a build stops between reports and cleans up (a second Ctrl-C ends it at once);
    // anything else ends at once, saying so.
    let cancel = site::Cancel::default();
    let graceful = matches!(cli.command, Command::Build(_));
    {
        let cancel = cancel.clone();
        let _ = ctrlc::set_handler(move || {
            if graceful && !cancel.is_cancelled() {
                cancel.cancel();
            } else {
                eprintln!("\nreportpress: interrupted");
                std::process::exit(INTERRUPTED);
            }
        });
    }
    let result = match cli.command {
        Command::Build(args) => runtime.block_on(build(args, cancel)),
        Command::Export(args) => runtime.block_on(export(args)),
        Command::List(args) => runtime.block_on(list(args)),
        Command::Demo(args) => runtime.block_on(demo(args)),
        Command::Verify(args) => return verify(&args),
        Command::Completions(args) => {
            let mut out = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "reportpress", &mut out);
            return print(&out);
        }
        Command::Man => {
            let mut out = Vec::new();
            if let Err(err) = clap_mangen::Man::new(Cli::command()).render(&mut out) {
                eprintln!("reportpress: writing the manual page: {err}");
                return ExitCode::from(1);
            }
            return print(&out);
        }
        Command::Snapshot(args) => runtime.block_on(snapshot(args)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("reportpress: {}", one_line(&err));
            if matches!(err.downcast_ref(), Some(BuildError::Interrupted(_))) {
                return ExitCode::from(INTERRUPTED as u8);
            }
            let usage = err
                .downcast_ref::<BuildError>()
                .is_some_and(BuildError::is_usage)
                || err
                    .downcast_ref::<SnapshotError>()
                    .is_some_and(SnapshotError::is_usage);
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

/// Writes `bytes` to standard output; a reader that closed the pipe early (`| head`) is not an
/// error.
fn print(bytes: &[u8]) -> ExitCode {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reportpress: writing to standard output: {e}");
            ExitCode::from(1)
        }
    }
}

/// The error and its causes on one line, as `{:#}` gives them, down to the first database
/// driver error: the error above it already says it in the database's own words, and the
/// driver's rendering adds details meant for developers (PostgreSQL's ` at line 3319`).
/// A cause that an error above it already quotes (an I/O error inside "writing X: {error}") is
/// said once.
fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err
        .chain()
        .take_while(|cause| cause.downcast_ref::<sqlx::Error>().is_none())
    {
        let text = cause.to_string();
        if parts.last().is_some_and(|above| above.ends_with(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

/// The database named by `--database`/`DATABASE_URL`, or the embedded demo (and says so).
async fn open(args: &SourceArgs) -> Result<Source, BuildError> {
    match args
        .database
        .as_deref()
        .filter(|url| !url.trim().is_empty())
    {
        Some(url) => Ok(Source::open(url).await?),
        None => {
            eprintln!(
                "reportpress: no --database or DATABASE_URL given: reading the embedded demo archive"
            );
            Ok(Source::demo().await?)
        }
    }
}

async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let mut source = open(&args.source).await?;
    let options = ExportOptions {
        report: args.report,
        teams: args.source.teams,
        format: match args.format {
            cli::Format::Pr => ExportFormat::Pr,
            cli::Format::Md => ExportFormat::Md,
            cli::Format::Html => ExportFormat::Html,
        },
        max_chars: args.max_chars as usize,
        base_url: args.source.base_url,
        full_url: args.full_url,
        git: LocalRepos::new(args.source.git_dirs),
        redact_people: args.source.redact.contains(&cli::Redact::People),
    };
    let text = export::export(&mut source, &options)
        .await
        .with_context(|| format!("exporting from {}", source.label))?;
    match &args.output {
        Some(path) => site::write_atomically(path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?,
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .context("writing to standard output")?;
        }
    }
    Ok(())
}

async fn list(args: ListArgs) -> anyhow::Result<()> {
    let mut source = match args.database.as_deref().filter(|u| !u.trim().is_empty()) {
        Some(url) => Source::open(url).await?,
        None => {
            eprintln!(
                "reportpress: no --database or DATABASE_URL given: reading the embedded demo archive"
            );
            Source::demo().await?
        }
    };
    let options = reportpress::list::ListOptions {
        teams: args.teams,
        include_deleted: args.include_deleted,
        statuses: args.statuses,
        redact_people: args.redact.contains(&cli::Redact::People),
    };
    let rows = reportpress::list::list(&mut source, &options)
        .await
        .map_err(BuildError::from)
        .with_context(|| format!("listing from {}", source.label))?;
    let text = match args.format {
        cli::ListFormat::Table => reportpress::list::table(&rows),
        cli::ListFormat::Json => reportpress::list::json(&rows),
        cli::ListFormat::Tsv => reportpress::list::tsv(&rows),
    };
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // `reportpress list | head`: the reader has what it wanted.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to standard output"),
    }
}

async fn snapshot(args: SnapshotArgs) -> anyhow::Result<()> {
    let mut source = Source::open(&args.from)
        .await
        .map_err(SnapshotError::from)?;
    let options = SnapshotOptions {
        to: args.to,
        teams: args.teams,
    };
    let summary = snap::snapshot(&mut source, &options).await?;
    let teams: Vec<String> = summary.teams.iter().map(i64::to_string).collect();
    eprintln!(
        "reportpress: snapshot of team {} from {} into {} at {}: {} reports, {} entries; {} rows new, {} edited upstream (earlier versions kept), {} deleted upstream (kept, marked)",
        teams.join(", "),
        source.label,
        options.to.display(),
        summary.taken_at,
        summary.reports,
        summary.artefacts,
        summary.new,
        summary.edited,
        summary.gone,
    );
    Ok(())
}

async fn demo(args: DemoArgs) -> anyhow::Result<()> {
    let options = GenerateOptions {
        reports: args.reports,
        seed: args.seed,
        team: args.team,
        force: args.force,
    };
    let summary = generate::generate(&args.out, &options).await?;
    eprintln!(
        "reportpress: wrote {} reports ({} entries, {} tasks, {} task runs, {} people; team {}, seed {}) to {}: {} bytes",
        summary.reports,
        summary.artefacts,
        summary.tasks,
        summary.runs,
        summary.users,
        options.team,
        options.seed,
        args.out.display(),
        summary.bytes,
    );
    Ok(())
}

/// `verify DIR`: the files that differ from the manifest, then a summary, on standard output;
/// exit 0 when everything matches, 1 otherwise (and when there is no manifest to check against).
fn verify(args: &VerifyArgs) -> ExitCode {
    match site::verify(&args.dir) {
        Ok(verification) => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            let _ = stdout
                .write_all(verification.report().as_bytes())
                .and_then(|()| stdout.flush());
            ExitCode::from(if verification.all_match() { 0 } else { 1 })
        }
        Err(err) => {
            eprintln!("reportpress: cannot verify {}: {err}", args.dir.display());
            ExitCode::from(1)
        }
    }
}

async fn build(args: BuildArgs, cancel: site::Cancel) -> anyhow::Result<()> {
    let mut source = open(&args.source).await?;
    let options = BuildOptions {
        out: args.out,
        teams: args.source.teams,
        include_deleted: args.include_deleted,
        jobs: args.jobs.map(usize::from),
        git: LocalRepos::new(args.source.git_dirs),
        base_url: args.source.base_url,
        full: args.full,
        force: args.force,
        redact_people: args.source.redact.contains(&cli::Redact::People),
        cancel,
    };
    let started = std::time::Instant::now();
    let summary = match site::build(&mut source, &options, progress::for_stderr()).await {
        Ok(summary) => summary,
        // About --out, not the source: said as it is.
        Err(err @ (BuildError::Out(_) | BuildError::Interrupted(_))) => return Err(err.into()),
        Err(err) => {
            return Err(anyhow::Error::new(err).context(format!("building from {}", source.label)));
        }
    };
    let teams: Vec<String> = summary.teams.iter().map(i64::to_string).collect();
    eprintln!(
        "reportpress: {} reports ({} entries, team {}) from {} into {}: {} rendered, {} unchanged; {} files, {} written ({} bytes; search index {} bytes){} in {:.1} s",
        summary.reports,
        summary.entries,
        if teams.is_empty() {
            "none".into()
        } else {
            teams.join(", ")
        },
        source.label,
        options.out.display(),
        summary.rendered,
        summary.reports - summary.rendered,
        summary.files,
        summary.written,
        summary.bytes_written,
        summary.search_index_bytes,
        if summary.removed > 0 {
            format!(", {} stale pages removed", summary.removed)
        } else {
            String::new()
        },
        started.elapsed().as_secs_f64()
    );
    if summary.search_index_bytes > SEARCH_INDEX_WARN_BYTES {
        eprintln!(
            "reportpress: warning: the search index is {} bytes, above {SEARCH_INDEX_WARN_BYTES}: \
             browsers load it on the first search (see README, Search)",
            summary.search_index_bytes
        );
    }
    Ok(())
}
