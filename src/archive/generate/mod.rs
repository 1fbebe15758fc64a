//! `reportpress demo --reports N`: writes a deterministic SQLite archive (the archive schema) of
//! generated reports with a realistic mix of artefacts, for benchmarks and scale tests. A writer,
//! not a source: it reads nothing.
//!
//! Everything derives from the seed through a SplitMix64 generator ([`rng`]), never from the
//! clock, so the same N, seed and team give a byte-identical file. Each report draws from its
//! own generator (the seed mixed with the report's number), so its rows do not depend on how
//! many reports precede it. The file is written beside its destination under a temporary name,
//! in one transaction, and renamed into place at the end: an interrupted run leaves no half
//! file at the destination. The distribution is documented in the README ("Generating
//! archives").
//!
//! By concern: [`people`] and [`time`] (who writes, and when), [`story`] (a report's log in
//! order) and [`content`] (what each entry type holds), built from [`vocab`], [`prose`],
//! [`samples`] (code, from the files in `samples/`) and [`diff`]; [`rows`] writes them.

mod content;
mod diff;
mod people;
mod prose;
mod rng;
mod rows;
mod samples;
mod story;
mod time;
mod vocab;

use std::path::{Path, PathBuf};

use sqlx::{AnyConnection, Connection};

use crate::archive::target::{SqliteTargetError, check_target};
use crate::source::{ARCHIVE_SCHEMA, SourceError, one_line, sqlite_url};
use rows::{BATCH, Batch, write_people};
use story::Generator;

#[derive(Clone, Debug)]
pub struct GenerateOptions {
    pub reports: u32,
    pub seed: u64,
    pub team: i64,
    /// Replace the file at the destination when there is one.
    pub force: bool,
}

/// What was written.
#[derive(Clone, Debug, Default)]
pub struct GenerateSummary {
    pub reports: usize,
    pub artefacts: usize,
    pub tasks: usize,
    pub runs: usize,
    pub users: usize,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("--reports must be at least 1")]
    NoReports,
    #[error(transparent)]
    Target(#[from] SqliteTargetError),
    #[error("{} already exists: pass --force to replace it", .0.display())]
    Exists(PathBuf),
    #[error("writing {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Source(#[from] SourceError),
}

/// Writes the archive to `out` (through a temporary file beside it).
pub async fn generate(
    out: &Path,
    options: &GenerateOptions,
) -> Result<GenerateSummary, GenerateError> {
    if options.reports == 0 {
        return Err(GenerateError::NoReports);
    }
    let target = check_target(out, "--out")?;
    if out.exists() && !options.force {
        return Err(GenerateError::Exists(target.path));
    }
    let tmp = target.beside(&format!("tmp-{}", std::process::id()));
    let io = |source: std::io::Error| GenerateError::Io {
        path: target.path.clone(),
        source,
    };
    let _ = std::fs::remove_file(&tmp);
    let result = write(&tmp, options).await;
    let mut summary = match result {
        Ok(summary) => summary,
        Err(err) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(err);
        }
    };
    if let Err(err) = std::fs::rename(&tmp, out) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(err));
    }
    summary.bytes = std::fs::metadata(out).map_err(io)?.len();
    Ok(summary)
}

async fn write(path: &Path, options: &GenerateOptions) -> Result<GenerateSummary, GenerateError> {
    sqlx::any::install_default_drivers();
    let label = path.display().to_string();
    let url = sqlite_url(path, "rwc").map_err(|source| GenerateError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut conn = AnyConnection::connect(&url)
        .await
        .map_err(|err| SourceError::Connect {
            url: label.clone(),
            message: one_line(&err.to_string()),
        })?;
    // The file is renamed into place only when complete: no journal is needed.
    sqlx::raw_sql("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;")
        .execute(&mut conn)
        .await
        .map_err(SourceError::query("preparing the archive"))?;
    sqlx::raw_sql(ARCHIVE_SCHEMA)
        .execute(&mut conn)
        .await
        .map_err(SourceError::query("creating the archive schema"))?;
    let mut tx = conn
        .begin()
        .await
        .map_err(SourceError::query("starting the transaction"))?;
    let mut generator = Generator::new(options);
    let mut summary = GenerateSummary {
        reports: options.reports as usize,
        ..GenerateSummary::default()
    };
    write_people(
        &mut tx,
        options.team,
        options.seed,
        generator.start,
        &generator.users,
        &mut summary,
    )
    .await?;
    let mut batch = Batch::default();
    for index in 0..options.reports as usize {
        batch.add(generator.report(index));
        if batch.artefacts.len() >= BATCH {
            batch.flush(&mut tx, options.team, &mut summary).await?;
        }
    }
    batch.flush(&mut tx, options.team, &mut summary).await?;
    tx.commit()
        .await
        .map_err(SourceError::query("committing the archive"))?;
    conn.close()
        .await
        .map_err(SourceError::query("closing the archive"))?;
    Ok(summary)
}
