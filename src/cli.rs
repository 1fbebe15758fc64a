//! Command-line definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
    /// Render the archive: one HTML page and one Markdown document per report, plus the index.
    Build(BuildArgs),
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// PostgreSQL URL (postgres://USER@HOST/DB), sqlite:PATH, or the path of a SQLite archive.
    /// Without it (and without DATABASE_URL) the embedded demo archive is rendered.
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database: Option<String>,

    /// Team whose reports to render (repeatable). Required when the database holds several teams.
    #[arg(long = "team", value_name = "ID")]
    pub teams: Vec<i64>,

    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "exports")]
    pub out: PathBuf,

    /// Also render reports whose status is `deleted`.
    #[arg(long)]
    pub include_deleted: bool,

    /// A local clone to read commit diffs from when PostHog stored none (repeatable), e.g.
    /// `--git-dir posthog/posthog=../posthog`.
    #[arg(long = "git-dir", value_name = "OWNER/REPO=PATH", value_parser = reportpress::source::git::parse_spec)]
    pub git_dirs: Vec<(String, PathBuf)>,

    /// Where the archive will be published (http(s) URL): adds sitemap.xml and an Atom feed.
    /// Without it the archive stays fully relative.
    #[arg(long, value_name = "URL", value_parser = reportpress::render::feeds::base_url)]
    pub base_url: Option<String>,

    /// Render workers (default: every core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}
