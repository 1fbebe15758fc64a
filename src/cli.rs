//! Command-line definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "reportpress",
    version,
    about = "Render PostHog Signals reports and their artefact log as a linked static archive (HTML + Markdown)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the archive: one HTML page and one Markdown document per report, plus the index,
    /// task and people pages.
    Build(BuildArgs),
    /// Export one report: a pull-request comment, a Markdown file or one self-contained HTML file.
    Export(ExportArgs),
    /// List the reports a build would render (id, status, priority, last activity, entries,
    /// title), most recent activity first: to find a report to export, or for scripts.
    List(ListArgs),
    /// Write a generated SQLite archive: N reports with a realistic mix of entries, the same
    /// file for the same N, seed and team (for benchmarks and scale tests).
    Demo(DemoArgs),
    /// Check an archive against its manifest: every file's SHA-256, and files that are missing
    /// or not listed. Exit 0 when everything matches, 1 otherwise.
    Verify(VerifyArgs),
    /// Copy teams' reports from PostgreSQL (or another archive) into a SQLite archive that keeps
    /// history: every version of an edited entry, and rows deleted upstream. Re-run it to update.
    Snapshot(SnapshotArgs),
    /// Print a shell completion script to standard output, e.g.
    /// `reportpress completions bash > /etc/bash_completion.d/reportpress`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to standard output: `reportpress man > reportpress.1`.
    Man,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The database to copy from: a PostgreSQL URL, sqlite:PATH or the path of a SQLite archive.
    #[arg(long, value_name = "URL")]
    pub from: String,

    /// The SQLite archive to create or update.
    #[arg(long, value_name = "PATH.sqlite")]
    pub to: PathBuf,

    /// Team whose reports to copy (repeatable); required when the database holds several.
    #[arg(long = "team", value_name = "ID")]
    pub teams: Vec<i64>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// PostgreSQL URL (postgres://USER@HOST/DB), sqlite:PATH, or the path of a SQLite archive.
    /// Without it (and without DATABASE_URL) the embedded demo archive is read.
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database: Option<String>,

    /// Team whose reports to list (repeatable); required when the database holds several.
    #[arg(long = "team", value_name = "ID")]
    pub teams: Vec<i64>,

    /// Only reports with this status (repeatable), e.g. `--status ready`.
    #[arg(long = "status", value_name = "STATUS")]
    pub statuses: Vec<String>,

    /// Also list reports whose status is `deleted`.
    #[arg(long)]
    pub include_deleted: bool,

    /// `table` (aligned columns, for people), `json` (an array of objects) or `tsv` (a header
    /// line, then one tab-separated line per report).
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,

    /// `people`: names become stable pseudonyms in the titles (as `build --redact people`).
    #[arg(long, value_enum, value_name = "WHAT")]
    pub redact: Vec<Redact>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Tsv,
}

/// Where the rows come from.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// PostgreSQL URL (postgres://USER@HOST/DB), sqlite:PATH, or the path of a SQLite archive.
    /// Without it (and without DATABASE_URL) the embedded demo archive is read.
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database: Option<String>,

    /// Team whose reports to read (repeatable). Required by `build` when the database holds
    /// several teams; with `export`, the report must belong to one of them.
    #[arg(long = "team", value_name = "ID")]
    pub teams: Vec<i64>,

    /// A local clone to read commit diffs from when PostHog stored none (repeatable), e.g.
    /// `--git-dir posthog/posthog=../posthog`.
    #[arg(long = "git-dir", value_name = "OWNER/REPO=PATH", value_parser = reportpress::source::git::parse_spec)]
    pub git_dirs: Vec<(String, PathBuf)>,

    /// Where the archive is (or will be) published, an http(s) URL. `build` adds sitemap.xml and
    /// an Atom feed; `export` links other reports, tasks and people there.
    #[arg(long, value_name = "URL", value_parser = reportpress::render::feeds::base_url)]
    pub base_url: Option<String>,

    /// Hide something in every output, for publishing outside the company (repeatable).
    /// `people`: names and emails become stable pseudonyms ("Person 123456").
    #[arg(long, value_enum, value_name = "WHAT")]
    pub redact: Vec<Redact>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Redact {
    /// Every person's names and email, wherever they appear.
    People,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "exports")]
    pub out: PathBuf,

    /// Also render reports whose status is `deleted`.
    #[arg(long)]
    pub include_deleted: bool,

    /// Render every report. Without it, a report whose fingerprint (its rows, the titles of the
    /// reports it refers to, this program) matches the previous build's manifest is not rendered
    /// again, and no unchanged file is rewritten.
    #[arg(long)]
    pub full: bool,

    /// Render workers (default: every core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Build into --out even when it holds files that are not a reportpress archive (they are
    /// kept as they are).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The archive folder (the one holding manifest.json).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// GitHub pull-request comment (Markdown within GitHub's comment limits).
    Pr,
    /// The report's Markdown document, standalone.
    Md,
    /// One self-contained HTML file.
    Html,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The report's uuid.
    #[arg(value_name = "REPORT_UUID")]
    pub report: uuid::Uuid,

    #[command(flatten)]
    pub source: SourceArgs,

    #[arg(long, value_enum, default_value = "pr")]
    pub format: Format,

    /// `--format pr`: at most this many characters (code points).
    #[arg(long, value_name = "N", default_value_t = reportpress::render::pr::MAX_CHARS as u32,
          value_parser = clap::value_parser!(u32).range(1_000..))]
    pub max_chars: u32,

    /// `--format pr`: where the full export lives, named when the comment had to be trimmed.
    #[arg(long, value_name = "URL", value_parser = reportpress::render::feeds::web_url)]
    pub full_url: Option<String>,

    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many reports to generate.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub reports: u32,

    /// Seed of the generator: the same seed gives the same file.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,

    /// Team the reports belong to.
    #[arg(long, value_name = "ID", default_value_t = 1,
          value_parser = clap::value_parser!(i64).range(1..))]
    pub team: i64,

    /// The SQLite file to write (written beside it under a temporary name, then renamed).
    #[arg(long, value_name = "PATH.sqlite")]
    pub out: PathBuf,

    /// Replace the file when it exists.
    #[arg(long)]
    pub force: bool,
}
