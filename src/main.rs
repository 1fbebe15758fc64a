//! The binary: parse the command line, read `reportpress.toml`, run the library, and decide
//! the exit code in one place ([`exit_code`]): 0 success (a reader that closed the pipe early
//! included), 1 the work failed, 2 usage error (any error carrying the [`Usage`] marker), 130
//! interrupted. Errors are printed once, on one line, where they end the run.

mod cli;
mod config;
mod progress;

use std::error::Error;
use std::fmt;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, Parser};

use cli::{
    BuildArgs, Cli, Command, DemoArgs, ExportArgs, InitArgs, ListArgs, SnapshotArgs, SourceArgs,
    VerifyArgs,
};
use config::{Config, ConfigError, Origin};
use reportpress::archive::generate::{self, GenerateError, GenerateOptions};
use reportpress::archive::snapshot::{self as snap, SnapshotError, SnapshotOptions};
use reportpress::commands::export::{self, ExportError, ExportFormat, ExportOptions};
use reportpress::site::{self, BuildError, BuildOptions};
use reportpress::source::git::LocalRepos;
use reportpress::source::{Source, SourceError};

// mimalloc: the build allocates many small strings on every core; glibc's allocator spends a
// fifth of a build in malloc/free and keeps freed memory in per-thread arenas. With its
// `override` feature (Cargo.toml) the C libraries' malloc and free are mimalloc's as well.
#[cfg(not(feature = "dhat-heap"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// `--features dhat-heap`: a heap profile instead (BENCHMARKS.md, "Memory"), which heaptrack
// cannot take of mimalloc. It counts Rust's heap only: the C libraries' malloc stays mimalloc's
// (its `override` feature, Cargo.toml).
#[cfg(feature = "dhat-heap")]
#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

/// The exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
const INTERRUPTED: u8 = 130;

/// Above this the build warns that the search index is getting heavy for a browser to load.
const SEARCH_INDEX_WARN_BYTES: u64 = 8 * 1024 * 1024;

/// The embedded demo archive's reports (`fixtures/demo.toml`), as the README counts them.
const DEMO_REPORTS: &str = "16 reports, one of them deleted";

fn main() -> ExitCode {
    #[cfg(feature = "dhat-heap")]
    let _profile = dhat::Profiler::new_heap();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `--help` and `--version`: printed as clap writes them (to a closed pipe or not).
        Err(err) if !err.use_stderr() => {
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => return fail(&usage(clap_line(&err))),
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) => fail(&err),
    }
}

/// Says why the run failed (unless nobody is listening any more) and ends with its exit code.
fn fail(err: &anyhow::Error) -> ExitCode {
    let code = exit_code(err);
    if code != 0 {
        eprintln!("reportpress: {}", one_line(err));
    }
    ExitCode::from(code)
}

/// The one place an error becomes an exit code: 0 when standard output was closed by its
/// reader (`| head`: it has what it wanted, as ripgrep does), 130 when a build was interrupted,
/// 2 when the error carries the [`Usage`] marker anywhere in its chain, 1 otherwise.
fn exit_code(err: &anyhow::Error) -> u8 {
    if err.chain().any(|cause| cause.is::<ClosedPipe>()) {
        0
    } else if err
        .chain()
        .any(|cause| matches!(cause.downcast_ref(), Some(BuildError::Interrupted(_))))
    {
        INTERRUPTED
    } else if err.chain().any(|cause| cause.is::<Usage>()) {
        2
    } else {
        1
    }
}

/// A usage mistake (exit 2): a flag, value, file or target the user must change. It carries
/// the error it marks and says it as it is (its causes included), like cargo's `CliError`
/// carries its exit code.
#[derive(Debug)]
struct Usage(Box<dyn Error + Send + Sync>);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Error for Usage {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

/// `err` marked as a usage mistake.
fn usage(err: impl Into<Box<dyn Error + Send + Sync>>) -> anyhow::Error {
    anyhow::Error::new(Usage(err.into()))
}

/// The library's errors at the binary's edge: the ones that are usage mistakes get the
/// [`Usage`] marker, the others go on as they are.
trait Edge: Error + Send + Sync + Sized + 'static {
    fn is_usage(&self) -> bool;

    fn edge(self) -> anyhow::Error {
        if self.is_usage() {
            usage(self)
        } else {
            anyhow::Error::new(self)
        }
    }
}

impl Edge for SourceError {
    fn is_usage(&self) -> bool {
        SourceError::is_usage(self)
    }
}

impl Edge for BuildError {
    fn is_usage(&self) -> bool {
        BuildError::is_usage(self)
    }
}

impl Edge for ExportError {
    fn is_usage(&self) -> bool {
        matches!(self, ExportError::Source(err) if err.is_usage())
    }
}

/// `--to` naming a folder, nothing or a file that is not an archive, in a missing folder.
impl Edge for SnapshotError {
    fn is_usage(&self) -> bool {
        SnapshotError::is_usage(self)
            || matches!(
                self,
                SnapshotError::Target(_) | SnapshotError::NotAnArchive(_)
            )
    }
}

/// `--out` naming a folder, nothing, an existing file without `--force`, a missing folder.
impl Edge for GenerateError {
    fn is_usage(&self) -> bool {
        match self {
            GenerateError::NoReports | GenerateError::Target(_) | GenerateError::Exists(_) => true,
            GenerateError::Source(err) => err.is_usage(),
            GenerateError::Io { .. } => false,
        }
    }
}

impl Edge for ConfigError {
    fn is_usage(&self) -> bool {
        ConfigError::is_usage(self)
    }
}

/// Standard output closed by its reader: the run ends quietly, with exit 0.
#[derive(Debug, thiserror::Error)]
#[error("standard output closed")]
struct ClosedPipe;

/// Writes `bytes` to standard output.
fn print(bytes: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Err(ClosedPipe.into()),
        Err(err) => Err(err).context("writing to standard output"),
    }
}

/// A command-line mistake on one line in the tool's words: `--team: expected a team id (a
/// number), got 'abc'` for a value a parser refused, clap's first line and tip otherwise.
fn clap_line(err: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() == ErrorKind::ValueValidation
        && let (Some(ContextValue::String(arg)), Some(reason)) =
            (err.get(ContextKind::InvalidArg), err.source())
    {
        // `--team <ID>` → `--team`; `<REPORT_UUID>` stays.
        let flag = if arg.starts_with('-') {
            arg.split(' ').next().unwrap_or(arg)
        } else {
            arg
        };
        let value = match err.get(ContextKind::InvalidValue) {
            Some(ContextValue::String(value)) => value.as_str(),
            _ => "",
        };
        let reason = reason.to_string();
        // A parser of ours names the value; clap's and std's do not.
        return if reason.contains(value) {
            format!("{flag}: {reason}")
        } else {
            format!("{flag}: {reason}, got '{value}'")
        };
    }
    if err.kind() == ErrorKind::InvalidValue
        && let (
            Some(ContextValue::String(arg)),
            Some(ContextValue::String(value)),
            Some(ContextValue::Strings(valid)),
        ) = (
            err.get(ContextKind::InvalidArg),
            err.get(ContextKind::InvalidValue),
            err.get(ContextKind::ValidValue),
        )
    {
        let flag = arg.split(' ').next().unwrap_or(arg);
        return format!("{flag}: expected {}, got '{value}'", valid.join(", "));
    }
    match (err.kind(), err.get(ContextKind::InvalidArg)) {
        (ErrorKind::MissingRequiredArgument, Some(ContextValue::Strings(missing))) => {
            return format!("missing {}; see --help", missing.join(", "));
        }
        (ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand, _) => {
            let names: Vec<String> = Cli::command()
                .get_subcommands()
                .map(|sub| sub.get_name().to_string())
                .collect();
            return format!("expected a command: {}; see --help", names.join(", "));
        }
        _ => {}
    }
    let rendered = err.render().to_string();
    let mut parts: Vec<String> = Vec::new();
    for line in rendered.lines().map(str::trim) {
        if let Some(first) = line.strip_prefix("error: ") {
            parts.push(first.to_string());
        } else if let Some(tip) = line.strip_prefix("tip: ") {
            parts.push(tip.to_string());
        }
    }
    if parts.is_empty() {
        parts.push(
            rendered
                .lines()
                .next()
                .unwrap_or("bad command line")
                .to_string(),
        );
    }
    parts.push("see --help".into());
    parts.join("; ")
}

/// Runs the command; `Ok` carries the exit code of a run that did its work (`verify` exits 1
/// when a file differs, and says so on standard output).
fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Only the commands that read the database read the file: `init` writes it, and a broken
    // one stops neither `verify` nor `completions`.
    let config = match cli.command {
        Command::Build(_) | Command::Export(_) | Command::List(_) | Command::Snapshot(_) => {
            Config::load(cli.config.as_deref()).map_err(Edge::edge)?
        }
        _ => Config::default(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
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
                std::process::exit(INTERRUPTED.into());
            }
        });
    }
    match cli.command {
        Command::Build(args) => runtime.block_on(build(args, &config, cancel))?,
        Command::Export(args) => runtime.block_on(export(args, &config))?,
        Command::List(args) => runtime.block_on(list(args, &config))?,
        Command::Demo(args) => runtime.block_on(demo(args))?,
        Command::Snapshot(args) => runtime.block_on(snapshot(args, &config))?,
        Command::Verify(args) => return verify(&args),
        Command::Init(args) => init(&args, cli.config.as_deref())?,
        Command::Completions(args) => {
            let mut out = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "reportpress", &mut out);
            print(&out)?;
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .context("writing the manual page")?;
            print(&out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
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
    parts
        .join(": ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The database named by `--database`, `DATABASE_URL` or reportpress.toml, or the embedded
/// demo (and says so). An error opening it names where its URL came from.
async fn open(flag: Option<String>, config: &Config) -> anyhow::Result<Source> {
    match config.database(flag).map_err(Edge::edge)? {
        Some((url, origin)) => Source::open(&url)
            .await
            .map_err(|err| err.edge().context(origin)),
        None => {
            eprintln!(
                "reportpress: no --database, DATABASE_URL or reportpress.toml database given: \
                 reading the embedded demo archive ({DEMO_REPORTS})"
            );
            Source::demo().await.map_err(Edge::edge)
        }
    }
}

/// The teams of `--team` or reportpress.toml, checked against the database first so that a
/// team it does not hold is reported with where it was named.
async fn checked_teams(
    source: &mut Source,
    flag: Vec<i64>,
    config: &Config,
) -> anyhow::Result<(Vec<i64>, Origin)> {
    let (teams, origin) = config.teams(flag);
    if !teams.is_empty() {
        source
            .resolve_teams(&teams)
            .await
            .map_err(|err| err.edge().context(origin.clone()))?;
    }
    Ok((teams, origin))
}

/// `init`: a commented reportpress.toml (or the file `--config` names); an existing one only
/// with `--force`.
fn init(args: &InitArgs, named: Option<&std::path::Path>) -> anyhow::Result<()> {
    let path = named.unwrap_or(std::path::Path::new(config::FILE_NAME));
    if !args.force && std::fs::symlink_metadata(path).is_ok() {
        return Err(usage(format!(
            "{} already exists: pass --force to replace it",
            path.display()
        )));
    }
    if path.is_dir() {
        return Err(usage(format!(
            "{} is a folder: --config names the file to write",
            path.display()
        )));
    }
    site::write_atomically(path, config::TEMPLATE.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!(
        "reportpress: wrote {}: every command run in its folder reads it",
        path.display()
    );
    Ok(())
}

async fn export(args: ExportArgs, config: &Config) -> anyhow::Result<()> {
    let SourceArgs {
        database,
        teams,
        git_dirs,
        base_url,
        redact,
    } = args.source;
    let mut source = open(database, config).await?;
    let (teams, teams_origin) = checked_teams(&mut source, teams, config).await?;
    let options = ExportOptions {
        report: args.report,
        teams,
        format: match args.format {
            cli::Format::Pr => ExportFormat::Pr,
            cli::Format::Md => ExportFormat::Md,
            cli::Format::Html => ExportFormat::Html,
        },
        max_chars: args.max_chars as usize,
        base_url: config.base_url(base_url),
        full_url: args.full_url,
        git: LocalRepos::new(config.git_dirs(git_dirs)),
        redact_people: config.redact(redact).contains(&cli::Redact::People),
    };
    let text = export::export(&mut source, &options)
        .await
        .map_err(|err| match err {
            ExportError::OtherTeam { .. } => err.edge().context(teams_origin),
            err => err.edge(),
        })
        .with_context(|| format!("exporting from {}", source.label))?;
    match &args.output {
        Some(path) => site::write_atomically(path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display())),
        None => print(text.as_bytes()),
    }
}

async fn list(args: ListArgs, config: &Config) -> anyhow::Result<()> {
    let mut source = open(args.database, config).await?;
    let options = reportpress::commands::list::ListOptions {
        teams: checked_teams(&mut source, args.teams, config).await?.0,
        include_deleted: args.include_deleted,
        statuses: args.statuses,
        redact_people: config.redact(args.redact).contains(&cli::Redact::People),
    };
    let rows = reportpress::commands::list::list(&mut source, &options)
        .await
        .map_err(|err| BuildError::from(err).edge())
        .with_context(|| format!("listing from {}", source.label))?;
    let text = match args.format {
        cli::ListFormat::Table => reportpress::commands::list::table(&rows),
        cli::ListFormat::Json => reportpress::commands::list::json(&rows),
        cli::ListFormat::Tsv => reportpress::commands::list::tsv(&rows),
    };
    print(text.as_bytes())
}

async fn snapshot(args: SnapshotArgs, config: &Config) -> anyhow::Result<()> {
    let mut source = Source::open(&args.from)
        .await
        .map_err(|err| err.edge().context(Origin::Flag("--from")))?;
    let options = SnapshotOptions {
        to: args.to,
        teams: checked_teams(&mut source, args.teams, config).await?.0,
    };
    let summary = snap::snapshot(&mut source, &options)
        .await
        .map_err(Edge::edge)?;
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
    let summary = generate::generate(&args.out, &options)
        .await
        .map_err(Edge::edge)?;
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
fn verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let verification =
        site::verify(&args.dir).with_context(|| format!("cannot verify {}", args.dir.display()))?;
    print(verification.report().as_bytes())?;
    Ok(ExitCode::from(if verification.all_match() { 0 } else { 1 }))
}

async fn build(args: BuildArgs, config: &Config, cancel: site::Cancel) -> anyhow::Result<()> {
    let SourceArgs {
        database,
        teams,
        git_dirs,
        base_url,
        redact,
    } = args.source;
    let mut source = open(database, config).await?;
    let (out, out_origin) = config.out(args.out);
    let options = BuildOptions {
        out,
        teams: checked_teams(&mut source, teams, config).await?.0,
        include_deleted: args.include_deleted,
        jobs: config.jobs(args.jobs).map(usize::from),
        git: LocalRepos::new(config.git_dirs(git_dirs)),
        base_url: config.base_url(base_url),
        full: args.full,
        force: args.force,
        redact_people: config.redact(redact).contains(&cli::Redact::People),
        cancel,
    };
    let started = std::time::Instant::now();
    let summary = match site::build(&mut source, &options, progress::for_stderr()).await {
        Ok(summary) => summary,
        Err(err @ BuildError::Interrupted(_)) => return Err(err.into()),
        // About --out, not the source: after where the value came from (`--out`, or the
        // config file's `out`), as every value's error is.
        Err(err @ BuildError::Out(_)) => return Err(err.edge().context(out_origin)),
        Err(err) => {
            return Err(err
                .edge()
                .context(format!("building from {}", source.label)));
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
