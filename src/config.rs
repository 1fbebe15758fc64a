//! `reportpress.toml`: the settings a person would otherwise repeat on every run — database,
//! teams, output folder, git clones, base URL, redaction, jobs — found in the current folder or
//! named by `--config PATH`. A flag beats the environment (`DATABASE_URL`), which beats the
//! file; a list given on the command line replaces the file's. Paths in the file are relative
//! to the file's folder. Every value remembers where it came from ([`Origin`]), so an error
//! about it can say "--database", "DATABASE_URL" or "reportpress.toml: database".

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde::Deserialize;

use crate::cli::Redact;

/// The file looked for in the current folder.
pub const FILE_NAME: &str = "reportpress.toml";

/// The environment variable that names the database when `--database` is absent.
pub const DATABASE_ENV: &str = "DATABASE_URL";

/// What `reportpress init` writes: every key, commented, with what it does.
pub const TEMPLATE: &str = include_str!("config_template.toml");

/// The file as written: every key optional, any other key an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    database: Option<String>,
    teams: Option<Vec<i64>>,
    out: Option<PathBuf>,
    git_dirs: Option<BTreeMap<String, PathBuf>>,
    base_url: Option<String>,
    redact: Option<Vec<String>>,
    jobs: Option<u16>,
}

/// Why the configuration cannot be used. Every variant but [`ConfigError::Read`] is a usage
/// mistake (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--config {}: no such file", .0.display())]
    Missing(PathBuf),
    #[error("reading {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not TOML, a key the file may not have, or a value of the wrong type: toml's own words
    /// on one line, with the key (when the line has one) and the line they are about.
    #[error("{}: {}line {line}: {message}", path.display(), key.as_ref().map(|k| format!("{k}, ")).unwrap_or_default())]
    Parse {
        path: PathBuf,
        key: Option<String>,
        line: usize,
        message: String,
    },
    #[error("{origin}: {message}")]
    Value { origin: Origin, message: String },
    #[error("{DATABASE_ENV} is not valid UTF-8")]
    EnvNotUtf8,
}

impl ConfigError {
    pub fn is_usage(&self) -> bool {
        !matches!(self, ConfigError::Read { .. })
    }
}

/// Where a value came from, as an error names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag, e.g. `--database`.
    Flag(&'static str),
    /// An environment variable, e.g. `DATABASE_URL`.
    Env(&'static str),
    /// A key of the configuration file (the file as it was found or named).
    File { path: PathBuf, key: &'static str },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => f.write_str(flag),
            Origin::Env(name) => f.write_str(name),
            Origin::File { path, key } => write!(f, "{}: {key}", path.display()),
        }
    }
}

/// The configuration file's settings, checked, its paths resolved against its folder.
#[derive(Debug, Default)]
pub struct Config {
    /// The file, as found (`reportpress.toml`) or named; `None` when there is none.
    path: Option<PathBuf>,
    database: Option<String>,
    teams: Vec<i64>,
    out: Option<PathBuf>,
    git_dirs: Vec<(String, PathBuf)>,
    base_url: Option<String>,
    redact: Vec<Redact>,
    jobs: Option<u16>,
}

impl Config {
    /// The file named by `--config`, else `reportpress.toml` in the current folder, else none.
    pub fn load(named: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match named {
            Some(path) if path.is_file() => path.to_path_buf(),
            Some(path) => return Err(ConfigError::Missing(path.to_path_buf())),
            None if Path::new(FILE_NAME).is_file() => PathBuf::from(FILE_NAME),
            None => return Ok(Config::default()),
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Config::parse(&path, &text)
    }

    /// Parses `text`, the content of the file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: Raw = toml::from_str(text).map_err(|err| {
            let start = err
                .span()
                .map(|span| span.start)
                .filter(|&start| text.is_char_boundary(start))
                .unwrap_or(0);
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line = text[line_start..].lines().next().unwrap_or_default();
            ConfigError::Parse {
                path: path.to_path_buf(),
                key: line
                    .split_once('=')
                    .map(|(key, _)| key.trim().trim_matches('"').to_string())
                    .filter(|key| !key.is_empty() && !key.starts_with(['#', '['])),
                line: text[..line_start].lines().count() + 1,
                message: one_line(err.message()),
            }
        })?;
        let folder = path.parent().unwrap_or(Path::new(""));
        let origin = |key| Origin::File {
            path: path.to_path_buf(),
            key,
        };
        let bad = |key, message: String| ConfigError::Value {
            origin: origin(key),
            message,
        };
        let database = raw
            .database
            .filter(|url| !url.trim().is_empty())
            .map(|url| relative_database(folder, url.trim()));
        if let Some(team) = raw.teams.iter().flatten().find(|&&team| team < 1) {
            return Err(bad(
                "teams",
                format!("expected team ids (numbers from 1), got {team}"),
            ));
        }
        let git_dirs = raw
            .git_dirs
            .unwrap_or_default()
            .into_iter()
            .map(|(repo, dir)| {
                let spec = format!("{repo}={}", folder.join(dir).display());
                reportpress::source::git::parse_spec(&spec)
                    .map_err(|message| bad("git-dirs", message))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let base_url = raw
            .base_url
            .map(|url| reportpress::render::feeds::base_url(&url).map_err(|m| bad("base-url", m)))
            .transpose()?;
        let redact = raw
            .redact
            .unwrap_or_default()
            .iter()
            .map(|what| {
                Redact::from_str(what, false)
                    .map_err(|_| bad("redact", format!("expected \"people\", got {what:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if raw.jobs == Some(0) {
            return Err(bad("jobs", "expected at least 1, got 0".into()));
        }
        Ok(Config {
            path: Some(path.to_path_buf()),
            database,
            teams: raw.teams.unwrap_or_default(),
            out: raw.out.map(|out| folder.join(out)),
            git_dirs,
            base_url,
            redact,
            jobs: raw.jobs,
        })
    }

    fn origin(&self, key: &'static str) -> Origin {
        Origin::File {
            path: self
                .path
                .clone()
                .unwrap_or_else(|| PathBuf::from(FILE_NAME)),
            key,
        }
    }

    /// The database to read and where its URL came from: `--database`, else `DATABASE_URL`,
    /// else the file's `database`; `None` means the embedded demo. An empty value counts as
    /// absent.
    pub fn database(&self, flag: Option<String>) -> Result<Option<(String, Origin)>, ConfigError> {
        if let Some(url) = flag.filter(|url| !url.trim().is_empty()) {
            return Ok(Some((url, Origin::Flag("--database"))));
        }
        match std::env::var(DATABASE_ENV) {
            Ok(url) if !url.trim().is_empty() => return Ok(Some((url, Origin::Env(DATABASE_ENV)))),
            Err(std::env::VarError::NotUnicode(_)) => return Err(ConfigError::EnvNotUtf8),
            _ => {}
        }
        Ok(self
            .database
            .clone()
            .map(|url| (url, self.origin("database"))))
    }

    /// `--team` when given, else the file's `teams`, with where they came from.
    pub fn teams(&self, flag: Vec<i64>) -> (Vec<i64>, Origin) {
        if flag.is_empty() {
            (self.teams.clone(), self.origin("teams"))
        } else {
            (flag, Origin::Flag("--team"))
        }
    }

    /// `--out` when given, else the file's `out` (with where it came from), else `exports`.
    pub fn out(&self, flag: Option<PathBuf>) -> (PathBuf, Origin) {
        match (flag, &self.out) {
            (Some(out), _) => (out, Origin::Flag("--out")),
            (None, Some(out)) => (out.clone(), self.origin("out")),
            (None, None) => (PathBuf::from("exports"), Origin::Flag("--out")),
        }
    }

    /// `--git-dir` when given, else the file's `git-dirs`.
    pub fn git_dirs(&self, flag: Vec<(String, PathBuf)>) -> Vec<(String, PathBuf)> {
        if flag.is_empty() {
            self.git_dirs.clone()
        } else {
            flag
        }
    }

    /// `--base-url` when given, else the file's `base-url`.
    pub fn base_url(&self, flag: Option<String>) -> Option<String> {
        flag.or_else(|| self.base_url.clone())
    }

    /// `--redact` when given, else the file's `redact`.
    pub fn redact(&self, flag: Vec<Redact>) -> Vec<Redact> {
        if flag.is_empty() {
            self.redact.clone()
        } else {
            flag
        }
    }

    /// `--jobs` when given, else the file's `jobs`.
    pub fn jobs(&self, flag: Option<u16>) -> Option<u16> {
        flag.or(self.jobs)
    }
}

/// A SQLite path (bare or `sqlite:PATH`) taken relative to the file's folder; a PostgreSQL
/// URL as it is.
fn relative_database(folder: &Path, url: &str) -> String {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return url.to_string();
    }
    let (scheme, path) = ["sqlite://", "sqlite:"]
        .iter()
        .find_map(|scheme| url.strip_prefix(scheme).map(|path| (*scheme, path)))
        .unwrap_or(("", url));
    if path.is_empty() || Path::new(path).is_absolute() || folder.as_os_str().is_empty() {
        return url.to_string();
    }
    format!("{scheme}{}", folder.join(path).display())
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
