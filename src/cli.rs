//! Command-line definitions: every subcommand's flags, what each does and its limits, and
//! its `--help` examples and exit codes.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The exit codes, as every subcommand's `--help` ends (`verify` says its own).
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0    success
  1    the work failed (the cause on one line on standard error)
  2    usage error: a bad flag or value, a bad reportpress.toml, a target that needs --force
  130  interrupted (Ctrl-C)"
    };
}

#[derive(Debug, Parser)]
#[command(
    name = "reportpress",
    version,
    about = "Render PostHog Signals reports and their artefact log as a linked static archive (HTML + Markdown)",
    after_help = concat!(
        "Examples:
  reportpress build                                   the embedded demo into exports/
  reportpress build --database postgres://reader@replica/posthog --team 2 --out site/
  reportpress init                                    write a commented reportpress.toml

Settings: a flag beats the environment (DATABASE_URL), which beats reportpress.toml.

",
        exit_codes!()
    )
)]
pub struct Cli {
    /// Read settings from this file instead of ./reportpress.toml (paths in it are relative to
    /// its folder).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the archive: one HTML page and one Markdown document per report, plus the index,
    /// task and people pages.
    #[command(after_help = concat!("Examples:
  reportpress build                                  the demo (or reportpress.toml's database)
  reportpress build --database sqlite:audit.sqlite --out site/
  DATABASE_URL=postgres://reader@replica/posthog reportpress build --team 2 --base-url https://reports.example.com/

", exit_codes!()))]
    Build(BuildArgs),
    /// Export one report: a pull-request comment, a Markdown file or one self-contained HTML file.
    #[command(after_help = concat!("Examples:
  reportpress export 019a0000-0000-7000-8000-000000000002 > comment.md
  reportpress export REPORT_UUID --format html --output report.html
  reportpress export REPORT_UUID --format md --base-url https://reports.example.com/signals/

", exit_codes!()))]
    Export(ExportArgs),
    /// List the reports a build would render (id, status, priority, last activity, entries,
    /// title), most recent activity first: to find a report to export, or for scripts.
    #[command(after_help = concat!("Examples:
  reportpress list
  reportpress list --status ready --format tsv
  reportpress list --database audit.sqlite --team 2 --format json

", exit_codes!()))]
    List(ListArgs),
    /// Write a generated SQLite archive: N reports with a realistic mix of entries, the same
    /// file for the same N, seed and team (for benchmarks and scale tests).
    #[command(after_help = concat!("Examples:
  reportpress demo --reports 1000 --out bench.sqlite
  reportpress demo --reports 10000 --seed 7 --team 2 --out big.sqlite --force

", exit_codes!()))]
    Demo(DemoArgs),
    /// Check an archive against its manifest: every file's SHA-256, and files that are missing
    /// or not listed. Exit 0 when everything matches, 1 otherwise.
    #[command(after_help = concat!("Examples:
  reportpress verify exports/
  reportpress verify site/ > differences.txt

", "Exit codes:
  0    every listed file matches and none is unlisted
  1    a file changed, is missing or is not listed (each on standard output), or there is no
       reportpress manifest to check against (one line on standard error)
  2    usage error: a bad flag or value"))]
    Verify(VerifyArgs),
    /// Copy teams' reports from PostgreSQL (or another archive) into a SQLite archive that keeps
    /// history: every version of an edited entry, and rows deleted upstream. Re-run it to update.
    #[command(after_help = concat!("Examples:
  reportpress snapshot --from postgres://reader@replica/posthog --team 2 --to audit.sqlite
  reportpress snapshot --from audit.sqlite --to copy.sqlite

", exit_codes!()))]
    Snapshot(SnapshotArgs),
    /// Print a shell completion script to standard output, e.g.
    /// `reportpress completions bash > /etc/bash_completion.d/reportpress`.
    #[command(after_help = concat!("Examples:
  reportpress completions bash > ~/.local/share/bash-completion/completions/reportpress
  reportpress completions zsh > ~/.zfunc/_reportpress

", exit_codes!()))]
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to standard output: `reportpress man > reportpress.1`.
    #[command(after_help = concat!("Examples:
  reportpress man > ~/.local/share/man/man1/reportpress.1
  reportpress man | man -l -

", exit_codes!()))]
    Man,
    /// Write a commented reportpress.toml (or the file --config names): the settings every
    /// command run in its folder reads.
    #[command(after_help = concat!("Examples:
  reportpress init
  reportpress --config ci/reportpress.toml init --force

", exit_codes!()))]
    Init(InitArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace the file when it exists (without it, an existing file is refused: exit 2).
    #[arg(long)]
    pub force: bool,
}

/// `--max-chars`: at least 1000 (the marker, title and summary table are never trimmed).
pub fn max_chars(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(n) if n >= 1_000 => Ok(n),
        _ => Err(format!(
            "expected a number of characters from 1000, got '{raw}'"
        )),
    }
}

/// `--jobs`: at least one worker.
pub fn jobs(raw: &str) -> Result<u16, String> {
    match raw.trim().parse::<u16>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "expected a number of workers from 1 to 65535, got '{raw}'"
        )),
    }
}

/// `demo --reports`: 1 to 10,000,000.
pub fn reports(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(n) if (1..=10_000_000).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a number of reports from 1 to 10000000, got '{raw}'"
        )),
    }
}

/// `demo --seed`: any number from 0.
pub fn seed(raw: &str) -> Result<u64, String> {
    raw.trim()
        .parse::<u64>()
        .map_err(|_| format!("expected a number from 0 to 18446744073709551615, got '{raw}'"))
}

/// `export REPORT_UUID`.
pub fn report_id(raw: &str) -> Result<uuid::Uuid, String> {
    uuid::Uuid::parse_str(raw.trim()).map_err(|_| {
        format!("expected a report's uuid (`reportpress list` shows them), got '{raw}'")
    })
}

/// `--team`: a team id, said in the tool's words when it is not one.
pub fn team_id(raw: &str) -> Result<i64, String> {
    match raw.trim().parse::<i64>() {
        Ok(id) if id >= 1 => Ok(id),
        _ => Err(format!("expected a team id (a number), got '{raw}'")),
    }
}

/// A report status as PostHog spells it (any letter case); anything else is a usage mistake,
/// not a filter that quietly matches nothing.
pub fn report_status(raw: &str) -> Result<String, String> {
    let wanted = raw.trim().to_ascii_lowercase();
    let statuses = reportpress::model::record::REPORT_STATUSES;
    if statuses.contains(&wanted.as_str()) {
        Ok(wanted)
    } else {
        Err(format!(
            "expected a report status ({}), got '{raw}'",
            statuses.join(", ")
        ))
    }
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The database to copy from: a PostgreSQL URL, sqlite:PATH or the path of a SQLite archive
    /// (never DATABASE_URL or reportpress.toml: a snapshot names its source).
    #[arg(long, value_name = "URL")]
    pub from: String,

    /// The SQLite archive to create or update (a file: naming a folder is refused, exit 2).
    #[arg(long, value_name = "PATH.sqlite")]
    pub to: PathBuf,

    /// Team whose reports to copy (repeatable; default: reportpress.toml's teams); required
    /// when the database holds several.
    #[arg(long = "team", value_name = "ID", value_parser = team_id)]
    pub teams: Vec<i64>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// PostgreSQL URL (postgres://USER@HOST/DB, TLS via ?sslmode=require), sqlite:PATH, or the
    /// path of a SQLite archive. Default: DATABASE_URL, else reportpress.toml's database, else
    /// the embedded demo archive.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,

    /// Team whose reports to list (repeatable; default: reportpress.toml's teams); required
    /// when the database holds several.
    #[arg(long = "team", value_name = "ID", value_parser = team_id)]
    pub teams: Vec<i64>,

    /// Only reports with this status (repeatable), e.g. `--status ready`: potential,
    /// candidate, in_progress, pending_input, ready, resolved, failed, suppressed, deleted.
    #[arg(long = "status", value_name = "STATUS", value_parser = report_status)]
    pub statuses: Vec<String>,

    /// Also list reports whose status is `deleted`.
    #[arg(long)]
    pub include_deleted: bool,

    /// `table` (aligned columns, for people), `json` (an array of objects) or `tsv` (a header
    /// line, then one tab-separated line per report).
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,

    /// `people`: names become stable pseudonyms in the titles (as `build --redact people`).
    /// Default: reportpress.toml's redact.
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
    /// PostgreSQL URL (postgres://USER@HOST/DB, TLS via ?sslmode=require), sqlite:PATH, or the
    /// path of a SQLite archive. Default: DATABASE_URL, else reportpress.toml's database, else
    /// the embedded demo archive.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,

    /// Team whose reports to read (repeatable; default: reportpress.toml's teams); required
    /// when the database holds several teams.
    #[arg(long = "team", value_name = "ID", value_parser = team_id)]
    pub teams: Vec<i64>,

    /// A local clone to read commit diffs from when PostHog stored none (repeatable; default:
    /// reportpress.toml's git-dirs), e.g. `--git-dir posthog/posthog=../posthog`. The folder
    /// must exist.
    #[arg(long = "git-dir", value_name = "OWNER/REPO=PATH", value_parser = reportpress::source::git::parse_spec)]
    pub git_dirs: Vec<(String, PathBuf)>,

    /// Where the archive is (or will be) published: an http(s) URL without query or fragment.
    /// Default: reportpress.toml's base-url.
    #[arg(long, value_name = "URL", value_parser = reportpress::render::feeds::base_url)]
    pub base_url: Option<String>,

    /// Hide something in every output, for publishing outside the company (repeatable;
    /// default: reportpress.toml's redact). `people`: names and emails become stable
    /// pseudonyms ("Person 123456").
    #[arg(long, value_enum, value_name = "WHAT")]
    pub redact: Vec<Redact>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Redact {
    /// Every person's names and email, wherever they appear.
    People,
}

#[derive(Debug, Args)]
#[command(mut_arg("base_url", |arg| arg.help(
    "Where the archive will be published: an http(s) URL without query or fragment. Adds \
     sitemap.xml and an Atom feed (feed.xml); without it the archive is fully relative. \
     Default: reportpress.toml's base-url"
)))]
pub struct BuildArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// Output folder (default: reportpress.toml's out, else exports). A folder holding files
    /// that are not a reportpress archive is refused (exit 2) without --force; its parent
    /// must be writable (the build is staged beside it).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Also render reports whose status is `deleted`.
    #[arg(long)]
    pub include_deleted: bool,

    /// Render every report. Without it, a report whose fingerprint (its rows, the titles of the
    /// reports it refers to, this program) matches the previous build's manifest is not rendered
    /// again, and no unchanged file is rewritten.
    #[arg(long)]
    pub full: bool,

    /// Render workers, at least 1 (default: reportpress.toml's jobs, else every core).
    #[arg(long, value_name = "N", value_parser = jobs)]
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
    /// GitHub pull-request comment: Markdown within --max-chars, led by a hidden
    /// `<!-- reportpress:report=<uuid> -->` marker so a bot can find and update its comment.
    Pr,
    /// The report's Markdown document, standalone, with absolute links.
    Md,
    /// One self-contained HTML file: the stylesheet inlined, no script, nothing loaded from
    /// anywhere (readable offline or as an attachment).
    Html,
}

#[derive(Debug, Args)]
#[command(mut_arg("base_url", |arg| arg.help(
    "Where the archive is published: an http(s) URL without query or fragment. Links to \
     other reports, tasks and people point there (plain text without it). Default: \
     reportpress.toml's base-url"
)))]
#[command(mut_arg("teams", |arg| arg.help(
    "Team the report must belong to (repeatable; default: reportpress.toml's teams): a \
     report of another team is refused"
)))]
pub struct ExportArgs {
    /// The report's uuid (`reportpress list` shows them).
    #[arg(value_name = "REPORT_UUID", value_parser = report_id)]
    pub report: uuid::Uuid,

    #[command(flatten)]
    pub source: SourceArgs,

    /// What to write: `pr` (a pull-request comment), `md` (the report's Markdown document) or
    /// `html` (one self-contained file).
    #[arg(long, value_enum, default_value = "pr")]
    pub format: Format,

    /// `--format pr`: at most this many characters (code points), at least 1000 (the
    /// default is GitHub's limit). A longer report is trimmed, and says so.
    #[arg(long, value_name = "N", default_value_t = reportpress::render::pr::MAX_CHARS as u32,
          value_parser = max_chars)]
    pub max_chars: u32,

    /// `--format pr`: where the full export lives (an http(s) URL), named when the comment had
    /// to be trimmed.
    #[arg(long, value_name = "URL", value_parser = reportpress::render::feeds::web_url)]
    pub full_url: Option<String>,

    /// Write to this file instead of standard output (written whole or not at all).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many reports to generate: 1 to 10,000,000.
    #[arg(long, value_name = "N", value_parser = reports)]
    pub reports: u32,

    /// Seed of the generator: the same seed gives the same file.
    #[arg(long, value_name = "S", default_value_t = 1, value_parser = seed)]
    pub seed: u64,

    /// Team the reports belong to (a number from 1).
    #[arg(long, value_name = "ID", default_value_t = 1, value_parser = team_id)]
    pub team: i64,

    /// The SQLite file to write (written beside it under a temporary name, then renamed). A
    /// folder, or an existing file without --force, is refused (exit 2).
    #[arg(long, value_name = "PATH.sqlite")]
    pub out: PathBuf,

    /// Replace the file when it exists.
    #[arg(long)]
    pub force: bool,
}
