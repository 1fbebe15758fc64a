//! `reportpress demo --reports N`: writes a deterministic SQLite archive (the archive schema) of
//! generated reports with a realistic mix of artefacts, for benchmarks and scale tests.
//!
//! Everything derives from the seed through a SplitMix64 generator, never from the clock, so
//! the same N, seed and team give a byte-identical file. Each report draws from its own
//! generator (the seed mixed with the report's number), so its rows do not depend on how many
//! reports precede it. The file is written beside its destination under a temporary name, in
//! one transaction, and renamed into place at the end: an interrupted run leaves no half file
//! at the destination. The distribution is documented in the README ("Generating archives").

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat};
use serde_json::{Value, json};
use sqlx::{AnyConnection, Connection};

use super::{ARCHIVE_SCHEMA, SourceError};

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
    #[error("--out must name the SQLite file to write")]
    EmptyPath,
    #[error("{0} already exists: pass --force to replace it")]
    Exists(String),
    #[error("{0} is a directory: --out takes the path of the SQLite file to write")]
    IsDirectory(String),
    #[error("cannot write {path}: the folder {dir} does not exist")]
    NoFolder { path: String, dir: String },
    #[error("writing {path}: {message}")]
    Io { path: String, message: String },
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
    if out.as_os_str().is_empty() {
        return Err(GenerateError::EmptyPath);
    }
    let shown = out.display().to_string();
    if out.is_dir() {
        return Err(GenerateError::IsDirectory(shown));
    }
    if out.exists() && !options.force {
        return Err(GenerateError::Exists(shown));
    }
    let name = out
        .file_name()
        .ok_or(GenerateError::EmptyPath)?
        .to_string_lossy()
        .into_owned();
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(GenerateError::NoFolder {
            path: shown,
            dir: dir.display().to_string(),
        });
    }
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let io = |e: std::io::Error| GenerateError::Io {
        path: shown.clone(),
        message: e.to_string(),
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
    let url = super::sqlite_url(path, "rwc").map_err(|e| GenerateError::Io {
        path: label.clone(),
        message: e.to_string(),
    })?;
    let mut conn = AnyConnection::connect(&url)
        .await
        .map_err(|err| SourceError::Connect {
            url: label.clone(),
            message: super::one_line(&err.to_string()),
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
    generator.write_people(&mut tx, &mut summary).await?;
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

// ------------------------------------------------------------------------------------------
// The random number generator.

/// SplitMix64: tiny, fast, and the same on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with the given weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut x = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if x < u64::from(*w) {
                return i;
            }
            x -= u64::from(*w);
        }
        weights.len() - 1
    }

    fn hex(&mut self, len: usize) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        (0..len)
            .map(|_| HEX[self.below(16) as usize] as char)
            .collect()
    }
}

/// The number of artefacts a report gets (before mirrored `related_to` rows from later
/// reports): 88% in 8–40 (skewed low), 10.5% in 41–120, 1.5% in 150–400. Mean ≈ 25.8.
pub fn artefact_count(rng: &mut Rng) -> usize {
    let bucket = rng.unit();
    let v = rng.unit();
    if bucket < 0.88 {
        8 + (33.0 * v * v) as usize
    } else if bucket < 0.985 {
        41 + (80.0 * v * v * v) as usize
    } else {
        150 + (251.0 * v * v * v) as usize
    }
}

fn mix(seed: u64, stream: u64) -> u64 {
    Rng::new(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03)).next_u64()
}

// ------------------------------------------------------------------------------------------
// Ids and timestamps.

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// 2025-01-01T00:00:00Z in milliseconds.
const EPOCH_2025: i64 = 1_735_689_600_000;

fn ts(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `updated_at` as Django writes it: `auto_now` is stamped a few microseconds after
/// `auto_now_add` on insert, so a row saved once has `updated_at` 17 µs after `created_at`.
/// A later save (`updated` past `created`) is written as it is.
fn updated_stamp(created: i64, updated: i64) -> String {
    if updated > created {
        return ts(updated);
    }
    DateTime::from_timestamp_micros(created * 1_000 + 17)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A uuid7: the millisecond timestamp, then random bits.
fn uuid7(ms: i64, rng: &mut Rng) -> String {
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&(ms as u64).to_be_bytes()[2..]);
    b[6..14].copy_from_slice(&rng.next_u64().to_be_bytes());
    b[14..].copy_from_slice(&rng.next_u64().to_be_bytes()[..2]);
    b[6] = 0x70 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    uuid::Uuid::from_bytes(b).to_string()
}

fn uuid4(rng: &mut Rng) -> String {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&rng.next_u64().to_be_bytes());
    b[8..].copy_from_slice(&rng.next_u64().to_be_bytes());
    b[6] = 0x40 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    uuid::Uuid::from_bytes(b).to_string()
}

/// A time gap between two entries: mostly minutes, sometimes hours, now and then days.
fn gap(rng: &mut Rng) -> i64 {
    let ms = match rng.weighted(&[70, 25, 5]) {
        0 => rng.range(20 * SECOND as u64, 30 * MINUTE as u64),
        1 => rng.range(HOUR as u64, 12 * HOUR as u64),
        _ => rng.range(DAY as u64, 7 * DAY as u64),
    };
    ms as i64
}

// ------------------------------------------------------------------------------------------
// Vocabulary.

const FIRST_NAMES: [&str; 36] = [
    "Marta", "Jonas", "Priya", "Sam", "Aiko", "Lucas", "Fatima", "Oskar", "Elena", "Tomás",
    "Nadia", "Ben", "Chloé", "Dmitri", "Grace", "Hiro", "Ines", "Jakub", "Kwame", "Lena", "Mateo",
    "Noor", "Olivia", "Pavel", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Ximena",
    "Yusuf", "Zoe", "Arjun", "Beatriz",
];
const LAST_NAMES: [&str; 36] = [
    "Oliveira",
    "Berger",
    "Raman",
    "Okafor",
    "Tanaka",
    "Moreau",
    "Haddad",
    "Lindqvist",
    "Rossi",
    "García",
    "Petrova",
    "Walsh",
    "Dubois",
    "Volkov",
    "Mensah",
    "Sato",
    "Ferreira",
    "Novák",
    "Asante",
    "Fischer",
    "López",
    "Rahman",
    "Brown",
    "Horák",
    "Murphy",
    "Santos",
    "Nilsson",
    "Kapoor",
    "Siddiqui",
    "Kowalski",
    "Zhang",
    "Navarro",
    "Demir",
    "Clarke",
    "Iyer",
    "Costa",
];
const AGENTS: [&str; 6] = [
    "cursor",
    "claude-code",
    "codex",
    "windsurf",
    "zed",
    "vscode-copilot",
];
const REPOS: [&str; 6] = [
    "posthog/posthog",
    "posthog/posthog",
    "posthog/posthog",
    "posthog/posthog-js",
    "posthog/posthog-python",
    "posthog/charts",
];
const FEATURES: [&str; 20] = [
    "Feature flag payloads",
    "Session replay recordings",
    "Funnel conversion windows",
    "Cohort recalculation",
    "Survey responses",
    "Web analytics bounce rate",
    "Data warehouse syncs",
    "Error tracking source maps",
    "Batch exports to S3",
    "Livestream events",
    "Person properties",
    "HogQL queries",
    "Experiment results",
    "Heatmaps",
    "Notebook embeds",
    "Insight alerts",
    "Dashboard tiles",
    "Insight cache refreshes",
    "Group analytics",
    "LLM trace ingestion",
];
const PROBLEMS: [&str; 16] = [
    "stay stale for up to 5 minutes",
    "drop events",
    "time out",
    "show duplicate rows",
    "return 500s",
    "miscount unique users",
    "lose their last seconds",
    "ignore the project's timezone",
    "retry forever",
    "render blank",
    "double-count conversions",
    "fail silently",
    "leak memory",
    "skip the first batch",
    "report the wrong totals",
    "are missing for some users",
];
const CONDITIONS: [&str; 16] = [
    "after editing a flag",
    "for teams with many concurrent subscribers",
    "when the tab is closed",
    "on Safari 17",
    "for projects with more than 1M persons",
    "after two persons merge",
    "when the date range crosses midnight",
    "behind a reverse proxy",
    "in the EU region",
    "during deploys",
    "for breakdowns with more than 25 values",
    "when the payload is larger than 1 MB",
    "for events sent with a custom timestamp",
    "after a schema change",
    "when the upload is retried",
    "under ingestion backpressure",
];
const WORDS: [&str; 30] = [
    "flag",
    "payload",
    "cohort",
    "person",
    "session",
    "event",
    "snapshot",
    "batch",
    "cache",
    "query",
    "team",
    "insight",
    "recording",
    "subscriber",
    "export",
    "survey",
    "funnel",
    "property",
    "group",
    "alert",
    "dashboard",
    "experiment",
    "heatmap",
    "notebook",
    "action",
    "annotation",
    "destination",
    "source",
    "schema",
    "token",
];
const REPORT_STATUSES: [(&str, u32); 9] = [
    ("potential", 10),
    ("candidate", 10),
    ("in_progress", 14),
    ("pending_input", 8),
    ("ready", 20),
    ("resolved", 20),
    ("failed", 6),
    ("suppressed", 9),
    ("deleted", 3),
];

// ------------------------------------------------------------------------------------------
// Code: one or two files per language, with `§` placeholders filled per use.

struct Lang {
    /// Paths with placeholders; the repository each one lives in.
    paths: &'static [(&'static str, &'static str)],
    templates: &'static [&'static str],
}

const PYTHON_1: &str = r#"from django.db import transaction
from rest_framework import serializers

from posthog.models import Team
from posthog.models.§a import §A


class §A§BSerializer(serializers.ModelSerializer):
    class Meta:
        model = §A
        fields = ["id", "§b", "§c", "created_at"]
        read_only_fields = ["id", "created_at"]


def update_§a_§b(team: Team, §a_id: int, payload: dict) -> §A:
    with transaction.atomic():
        §a = §A.objects.select_for_update().get(team=team, pk=§a_id)
        §a.§b = payload.get("§b", §a.§b)
        if §a.§c is None or len(§a.§c) > §n:
            logger.warning("§a_§c_truncated", team_id=team.pk, §a_id=§a_id)
            §a.§c = §a.§c[:§n] if §a.§c else []
        §a.save(update_fields=["§b", "§c"])
    invalidate_§b_cache(team.pk, §a_id)
    return §a"#;

const PYTHON_2: &str = r#"class §A§BQueryRunner(QueryRunner):
    query: §A§BQuery
    response: §A§BQueryResponse

    def to_query(self) -> ast.SelectQuery:
        date_range = self.query_date_range
        return parse_select(
            """
            SELECT
                toStartOfDay(timestamp) AS day,
                count(DISTINCT person_id) AS §c
            FROM events
            WHERE event = {event}
              AND timestamp >= {date_from}
              AND timestamp < {date_to}
            GROUP BY day
            ORDER BY day
            LIMIT §n
            """,
            placeholders={
                "event": ast.Constant(value="$§a_§b"),
                "date_from": date_range.date_from_as_hogql(),
                "date_to": date_range.date_to_as_hogql(),
            },
        )"#;

const TYPESCRIPT_1: &str = r#"import { PostHog } from '../posthog-core'
import { logger } from '../utils/logger'

const FLUSH_INTERVAL_MS = §n * 10
const MAX_§U_BATCH = §n

export interface §A§BOptions {
    enabled: boolean
    §b: string[]
    onFlush?: (batch: §A[]) => void
}

export class §A§BBuffer {
    private _queue: §A[] = []
    private _timer: ReturnType<typeof setTimeout> | undefined

    constructor(private readonly instance: PostHog, private readonly options: §A§BOptions) {}

    add(item: §A): void {
        this._queue.push(item)
        if (this._queue.length >= MAX_§U_BATCH) {
            this.flush('size')
            return
        }
        this._timer ??= setTimeout(() => this.flush('timer'), FLUSH_INTERVAL_MS)
    }

    flush(reason: 'size' | 'timer' | 'unload'): void {
        clearTimeout(this._timer)
        this._timer = undefined
        const batch = this._queue.splice(0)
        logger.info(`[§A] flushing ${batch.length} items (${reason})`)
        this.options.onFlush?.(batch)
    }
}"#;

const TSX_1: &str = r#"import { useActions, useValues } from 'kea'
import { LemonButton, LemonTable } from '@posthog/lemon-ui'

import { §a§BLogic } from './§a§BLogic'

export function §A§BTable({ teamId }: { teamId: number }): JSX.Element {
    const { §bs, §bsLoading } = useValues(§a§BLogic({ teamId }))
    const { load§Bs, delete§B } = useActions(§a§BLogic({ teamId }))

    return (
        <div className="space-y-2">
            <div className="flex items-center justify-between">
                <h2 className="text-lg font-semibold">§A §bs</h2>
                <LemonButton type="secondary" onClick={() => load§Bs()}>
                    Refresh
                </LemonButton>
            </div>
            <LemonTable
                loading={§bsLoading}
                dataSource={§bs}
                columns={[
                    { title: 'Name', dataIndex: 'name' },
                    { title: 'Updated', dataIndex: 'updated_at' },
                    {
                        render: (_, row) => (
                            <LemonButton status="danger" onClick={() => delete§B(row.id)}>
                                Delete
                            </LemonButton>
                        ),
                    },
                ]}
            />
        </div>
    )
}"#;

const RUST_1: &str = r#"use std::sync::Arc;
use std::time::Duration;

use tokio::sync::RwLock;
use tracing::{instrument, warn};

use crate::api::errors::FlagError;

pub const §U_TTL: Duration = Duration::from_secs(§n);

#[derive(Clone, Debug)]
pub struct §A§BCache {
    entries: Arc<RwLock<HashMap<i32, Cached§A>>>,
    ttl: Duration,
}

impl §A§BCache {
    #[instrument(skip(self))]
    pub async fn get_or_load(&self, team_id: i32) -> Result<Arc<§A>, FlagError> {
        if let Some(hit) = self.entries.read().await.get(&team_id) {
            if hit.loaded_at.elapsed() < self.ttl {
                return Ok(hit.value.clone());
            }
        }
        let fresh = Arc::new(load_§a_§b(team_id).await?);
        if fresh.§c.is_empty() {
            warn!(team_id, "no §c for §a");
        }
        self.entries.write().await.insert(team_id, Cached§A::new(fresh.clone()));
        Ok(fresh)
    }
}"#;

const GO_1: &str = "package §a

import (
\t\"context\"
\t\"log\"
\t\"sync\"
\t\"time\"
)

type §A§B struct {
\tmu          sync.RWMutex
\tsubscribers map[string]chan §A
\tdropped     uint64
}

func New§A§B() *§A§B {
\treturn &§A§B{subscribers: make(map[string]chan §A)}
}

func (b *§A§B) Publish(ctx context.Context, ev §A) {
\tb.mu.RLock()
\tdefer b.mu.RUnlock()
\tfor id, ch := range b.subscribers {
\t\tselect {
\t\tcase ch <- ev:
\t\tcase <-time.After(§n * time.Millisecond):
\t\t\tb.dropped++
\t\t\tlog.Printf(\"dropping §b for subscriber %s\", id)
\t\tcase <-ctx.Done():
\t\t\treturn
\t\t}
\t}
}";

const SQL_1: &str = r#"-- §A §b rollup, rebuilt nightly
CREATE TABLE IF NOT EXISTS §a_§b_daily
(
    team_id Int64,
    day Date,
    §c_count UInt64,
    distinct_persons AggregateFunction(uniq, UUID),
    _timestamp DateTime
)
ENGINE = ReplacingMergeTree(_timestamp)
PARTITION BY toYYYYMM(day)
ORDER BY (team_id, day);

INSERT INTO §a_§b_daily
SELECT
    team_id,
    toDate(timestamp) AS day,
    countIf(event = '$§a_§c') AS §c_count,
    uniqState(person_id) AS distinct_persons,
    now() AS _timestamp
FROM events
WHERE timestamp >= today() - INTERVAL §n DAY
  AND team_id IN (SELECT id FROM posthog_team WHERE is_demo = false)
GROUP BY team_id, day;"#;

const YAML_1: &str = r#"name: §A §B checks

on:
  pull_request:
    paths:
      - 'rust/§a-§b/**'
      - '.github/workflows/§a-§b.yml'
  push:
    branches: [master]

concurrency:
  group: ${{ github.workflow }}-${{ github.ref }}
  cancel-in-progress: true

jobs:
  test:
    name: Test §a-§b
    runs-on: ubuntu-24.04
    timeout-minutes: §n
    env:
      DATABASE_URL: postgres://posthog:posthog@localhost:5432/test_§a
      RUST_BACKTRACE: 1
    steps:
      - uses: actions/checkout@v4
      - uses: dtolnay/rust-toolchain@stable
      - name: Run tests
        run: cargo test --package §a-§b --all-features"#;

const TOML_1: &str = r#"[package]
name = "§a-§b"
version = "0.§n.0"
edition = "2021"
publish = false

[[bin]]
name = "§a-§b"
path = "src/main.rs"

[dependencies]
anyhow = { workspace = true }
axum = { workspace = true }
envconfig = { workspace = true }
metrics = { workspace = true }
rdkafka = { workspace = true }
serde = { workspace = true, features = ["derive"] }
serde_json = { workspace = true }
sqlx = { workspace = true, features = ["postgres", "uuid", "json"] }
tokio = { workspace = true, features = ["full"] }
tracing = { workspace = true }

[dev-dependencies]
assert-json-diff = "2.0"
testcontainers = "0.§n"

[lints]
workspace = true"#;

const DOCKERFILE_1: &str = r#"# syntax=docker/dockerfile:1
FROM rust:1.82-bookworm AS builder
WORKDIR /app

RUN apt-get update && \
    apt-get install -y --no-install-recommends pkg-config libssl-dev protobuf-compiler && \
    rm -rf /var/lib/apt/lists/*

COPY Cargo.toml Cargo.lock ./
COPY §a-§b ./§a-§b
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/app/target \
    cargo build --release --bin §a-§b && \
    cp target/release/§a-§b /usr/local/bin/

FROM debian:bookworm-slim AS runtime
RUN apt-get update && \
    apt-get install -y --no-install-recommends ca-certificates && \
    rm -rf /var/lib/apt/lists/*
USER nobody
COPY --from=builder /usr/local/bin/§a-§b /usr/local/bin/§a-§b
ENV RUST_LOG=info
EXPOSE §n
ENTRYPOINT ["/usr/local/bin/§a-§b"]"#;

const LANGS: [Lang; 9] = [
    // Python
    Lang {
        paths: &[
            ("posthog/api/§a_§b.py", "posthog/posthog"),
            (
                "posthog/hogql_queries/§a_§b_query_runner.py",
                "posthog/posthog",
            ),
            ("posthog/§a/§b.py", "posthog/posthog-python"),
        ],
        templates: &[PYTHON_1, PYTHON_2],
    },
    // TypeScript
    Lang {
        paths: &[
            ("src/extensions/§a/§b-buffer.ts", "posthog/posthog-js"),
            (
                "plugin-server/src/worker/ingestion/§a-§b.ts",
                "posthog/posthog",
            ),
            ("frontend/src/scenes/§a/§a§BLogic.ts", "posthog/posthog"),
        ],
        templates: &[TYPESCRIPT_1],
    },
    // TSX
    Lang {
        paths: &[
            ("frontend/src/scenes/§a/§A§BTable.tsx", "posthog/posthog"),
            ("products/§a/frontend/§A§B.tsx", "posthog/posthog"),
        ],
        templates: &[TSX_1],
    },
    // Rust
    Lang {
        paths: &[
            ("rust/feature-flags/src/§a/§b_cache.rs", "posthog/posthog"),
            ("rust/capture/src/§a_§b.rs", "posthog/posthog"),
            ("rust/cymbal/src/§a/§b.rs", "posthog/posthog"),
        ],
        templates: &[RUST_1],
    },
    // Go
    Lang {
        paths: &[
            ("livestream/§a/§b.go", "posthog/posthog"),
            ("§a_§b.go", "posthog/posthog-go"),
        ],
        templates: &[GO_1],
    },
    // SQL
    Lang {
        paths: &[
            (
                "posthog/clickhouse/migrations/0§n_§a_§b.sql",
                "posthog/posthog",
            ),
            ("posthog/sql/§a_§b_daily.sql", "posthog/posthog"),
        ],
        templates: &[SQL_1],
    },
    // YAML
    Lang {
        paths: &[
            (".github/workflows/§a-§b.yml", "posthog/posthog"),
            (
                "charts/posthog/templates/§a-§b-deployment.yaml",
                "posthog/charts",
            ),
        ],
        templates: &[YAML_1],
    },
    // TOML
    Lang {
        paths: &[
            ("rust/§a-§b/Cargo.toml", "posthog/posthog"),
            ("rust/§a/Cargo.toml", "posthog/posthog"),
        ],
        templates: &[TOML_1],
    },
    // Dockerfile
    Lang {
        paths: &[
            ("rust/Dockerfile", "posthog/posthog"),
            ("livestream/Dockerfile", "posthog/posthog"),
            ("Dockerfile", "posthog/posthog-python"),
        ],
        templates: &[DOCKERFILE_1],
    },
];

/// How often each language is picked for a code reference or a diff.
const LANG_WEIGHTS: [u32; 9] = [26, 20, 12, 12, 8, 8, 6, 4, 4];

/// The words a snippet's placeholders stand for.
struct Fill {
    a: &'static str,
    b: &'static str,
    c: &'static str,
    n: u64,
}

impl Fill {
    fn new(rng: &mut Rng) -> Fill {
        Fill {
            a: rng.pick(&WORDS),
            b: rng.pick(&WORDS),
            c: rng.pick(&WORDS),
            n: rng.range(2, 500),
        }
    }

    fn apply(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 16);
        let mut chars = template.chars();
        while let Some(c) = chars.next() {
            if c != '§' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('a') => out.push_str(self.a),
                Some('b') => out.push_str(self.b),
                Some('c') => out.push_str(self.c),
                Some('A') => push_pascal(&mut out, self.a),
                Some('B') => push_pascal(&mut out, self.b),
                Some('U') => out.push_str(&self.a.to_ascii_uppercase()),
                Some('n') => out.push_str(&self.n.to_string()),
                Some(other) => out.push(other),
                None => {}
            }
        }
        out
    }
}

fn push_pascal(out: &mut String, word: &str) {
    let mut upper = true;
    for c in word.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
}

/// A source file: its language, path, repository and lines (placeholders filled).
struct File {
    path: String,
    lines: Vec<String>,
    /// The template lines, for a changed version of a line.
    raw: Vec<&'static str>,
}

fn file(rng: &mut Rng) -> File {
    let lang = &LANGS[rng.weighted(&LANG_WEIGHTS)];
    let fill = Fill::new(rng);
    let (path, _repo) = rng.pick(lang.paths);
    let template = rng.pick(lang.templates);
    File {
        path: fill.apply(path),
        lines: template.lines().map(|l| fill.apply(l)).collect(),
        raw: template.lines().collect(),
    }
}

// ------------------------------------------------------------------------------------------
// Unified diffs.

/// One file's hunks, about `target` lines long (headers included); returns the text and
/// the number of lines written.
fn diff_file(rng: &mut Rng, f: &File, target: usize, git: bool, out: &mut String) -> usize {
    let mut written = 0;
    let new_file = git && rng.chance(0.08);
    if git {
        out.push_str(&format!("diff --git a/{p} b/{p}\n", p = f.path));
        written += 1;
        if new_file {
            out.push_str("new file mode 100644\n");
            out.push_str(&format!("index 0000000..{}\n", rng.hex(7)));
            written += 2;
        } else {
            out.push_str(&format!("index {}..{} 100644\n", rng.hex(7), rng.hex(7)));
            written += 1;
        }
    }
    if new_file {
        out.push_str(&format!("--- /dev/null\n+++ b/{}\n", f.path));
        let n = target.saturating_sub(written + 3).max(1);
        out.push_str(&format!("@@ -0,0 +1,{n} @@\n"));
        for i in 0..n {
            out.push('+');
            out.push_str(&f.lines[i % f.lines.len()]);
            out.push('\n');
        }
        return written + 3 + n;
    }
    out.push_str(&format!("--- a/{p}\n+++ b/{p}\n", p = f.path));
    written += 2;
    let mut old_line = rng.range(1, 120);
    let mut delta: i64 = 0;
    let mut cursor = rng.below(f.lines.len() as u64) as usize;
    let alt = Fill::new(rng);
    // Hunks of 3 context lines either side; the last one is sized so the file's part of the
    // diff is exactly `target` lines.
    loop {
        let remaining = target.saturating_sub(written);
        if remaining < 8 {
            break;
        }
        let pre = 3;
        let post = 3;
        let mut removed = rng.below(6) as usize;
        let mut added = rng.range(if removed == 0 { 1 } else { 0 }, 8) as usize;
        let size = 1 + pre + post + removed + added;
        if size > remaining {
            removed = 0;
            added = remaining - 7;
        } else if remaining - size < 8 {
            added += remaining - size;
        }
        let old_len = pre + removed + post;
        let new_len = pre + added + post;
        let new_start = (old_line as i64 + delta) as u64;
        out.push_str(&format!(
            "@@ -{old_line},{old_len} +{new_start},{new_len} @@\n"
        ));
        let line = |out: &mut String, marker: char, text: &str| {
            out.push(marker);
            out.push_str(text);
            out.push('\n');
        };
        for _ in 0..pre {
            line(out, ' ', &f.lines[cursor % f.lines.len()]);
            cursor += 1;
        }
        let changed_from = cursor;
        for _ in 0..removed {
            line(out, '-', &f.lines[cursor % f.lines.len()]);
            cursor += 1;
        }
        for k in 0..added {
            let at = (changed_from + k) % f.lines.len();
            let text = alt.apply(f.raw[at]);
            let text = if text == f.lines[at] {
                f.lines[(at + 7) % f.lines.len()].clone()
            } else {
                text
            };
            line(out, '+', &text);
        }
        for _ in 0..post {
            line(out, ' ', &f.lines[cursor % f.lines.len()]);
            cursor += 1;
        }
        written += 1 + pre + removed + added + post;
        delta += added as i64 - removed as i64;
        old_line += old_len as u64 + rng.range(4, 60);
    }
    written
}

/// A multi-file git diff (commits) or a single-file `diff -u` (code_diff), 20–400 lines.
fn diff_lines_target(rng: &mut Rng) -> usize {
    let v = rng.unit();
    20 + (381.0 * v * v * v) as usize
}

fn unified_diff(rng: &mut Rng, files: usize, git: bool) -> (String, Vec<String>) {
    let total = diff_lines_target(rng);
    // Every file needs its headers and one hunk: at most one file per 14 lines.
    let files = files.min(total / 14).max(1);
    let mut out = String::new();
    let mut paths = Vec::new();
    let mut written = 0;
    for i in 0..files {
        let f = file(rng);
        let target = if i + 1 == files {
            total - written
        } else {
            total / files
        };
        written += diff_file(rng, &f, target, git, &mut out);
        paths.push(f.path);
    }
    (out, paths)
}

// ------------------------------------------------------------------------------------------
// Prose.

const SENTENCES: [&str; 24] = [
    "Reproduced on a test project: after the change, `/§a` kept serving the old value for about §n seconds.",
    "The `§a_§b` cache is keyed by team only, so an edit to one §b does not invalidate it.",
    "Most affected teams send more than §n events per minute; smaller teams never hit this.",
    "The §a worker logs `§b_dropped` when its queue is full, and the counter matches the missing rows.",
    "Rolling back the last deploy did not change the error rate, so this predates it.",
    "`§A§B.flush()` is only called on `beforeunload`, which mobile browsers do not fire reliably.",
    "Three customers reported it in support tickets this week; one is on the enterprise plan.",
    "The query plan shows a full scan of `§a_§b_daily` instead of the partition it needs.",
    "I checked the last §n runs: every failure happened while the §a service was restarting.",
    "A retry with backoff would hide the symptom but not fix the ordering problem underneath.",
    "The fix is small: pass `team_id` through to `invalidate_§b_cache` and add a test.",
    "There is an older report about the same code path, but it was closed as not reproducible.",
    "Sampling §n sessions, the gap appears only when the tab is backgrounded first.",
    "The numbers match ClickHouse exactly once the timezone is applied before bucketing.",
    "`§a_§b` and `§c` disagree for about §n% of users after a merge.",
    "This affects only projects that enabled the new §a pipeline.",
    "Confirmed with the owning team that the behaviour is not intentional.",
    "The alert fired §n times overnight and auto-resolved each time.",
    "Upgrading the client library to the latest version does not help.",
    "We can verify the fix by watching the `§a_§b_lag_seconds` metric drop below 5.",
    "Nothing in the logs points at the database; the time goes into serialisation.",
    "The regression came in with the refactor of the §a module two weeks ago.",
    "The same happens in the EU region, so it is not a regional infrastructure issue.",
    "Reading through the handler, the early return skips the `§c` update entirely.",
];
const HEADINGS: [&str; 6] = [
    "Findings",
    "Next steps",
    "Reproduction",
    "Root cause",
    "Open questions",
    "Impact",
];
const LINKS: [(&str, &str); 5] = [
    ("the PR", "https://github.com/PostHog/posthog/pull/§n§n"),
    (
        "this insight",
        "https://us.posthog.com/project/2/insights/§A§B§n",
    ),
    ("the docs", "https://posthog.com/docs/§a/§b"),
    ("Grafana", "https://grafana.example.com/d/§a-§b?orgId=1"),
    (
        "the Slack thread",
        "https://posthog.slack.com/archives/C0§n/p17§n§n",
    ),
];

fn sentence(rng: &mut Rng) -> String {
    Fill::new(rng).apply(rng.pick(&SENTENCES))
}

fn paragraph(rng: &mut Rng, sentences: u64) -> String {
    (0..sentences)
        .map(|_| sentence(rng))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A Markdown note: paragraphs, lists, code spans, links, a heading now and then.
fn note_markdown(rng: &mut Rng) -> String {
    let mut out = String::new();
    if rng.chance(0.15) {
        out.push_str(&format!("### {}\n\n", rng.pick(&HEADINGS)));
    }
    let n = rng.range(1, 3);
    out.push_str(&paragraph(rng, n));
    if rng.chance(0.35) {
        let fill = Fill::new(rng);
        let (text, url) = rng.pick(&LINKS);
        out.push_str(&format!(" See [{text}]({}).", fill.apply(url)));
    }
    if rng.chance(0.4) {
        out.push_str("\n\n");
        let items = rng.range(2, 5);
        let numbered = rng.chance(0.3);
        let task = !numbered && rng.chance(0.3);
        for i in 0..items {
            let marker = if numbered {
                format!("{}. ", i + 1)
            } else if task {
                if rng.chance(0.5) { "- [x] " } else { "- [ ] " }.to_string()
            } else {
                "- ".to_string()
            };
            out.push_str(&marker);
            out.push_str(&sentence(rng));
            out.push('\n');
        }
        while out.ends_with('\n') {
            out.pop();
        }
    }
    if rng.chance(0.08) {
        let f = file(rng);
        let start = rng.below(f.lines.len().saturating_sub(4) as u64) as usize;
        out.push_str("\n\n```\n");
        for l in &f.lines[start..start + 4] {
            out.push_str(l);
            out.push('\n');
        }
        out.push_str("```");
    }
    if rng.chance(0.2) {
        out.push_str(&format!("\n\n{}", paragraph(rng, 1)));
    }
    out
}

fn title(rng: &mut Rng) -> String {
    format!(
        "{} {} {}",
        rng.pick(&FEATURES),
        rng.pick(&PROBLEMS),
        rng.pick(&CONDITIONS)
    )
}

fn summary(rng: &mut Rng, title: &str) -> String {
    let mut s = format!("{title}. {}\n\n{}", paragraph(rng, 2), {
        let n = rng.range(1, 2);
        paragraph(rng, n)
    });
    if rng.chance(0.3) {
        s.push_str(&format!("\n\n- {}\n- {}", sentence(rng), sentence(rng)));
    }
    s
}

fn slug(text: &str) -> String {
    let mut s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    s.trim_matches('-')
        .chars()
        .take(40)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

// ------------------------------------------------------------------------------------------
// Rows.

struct User {
    id: i64,
    uuid: String,
    email: String,
    first: &'static str,
    last: &'static str,
    login: String,
    date_joined: i64,
    distinct_id: String,
}

#[derive(Clone)]
enum Who {
    User(i64),
    Task(String),
    Agent(i64, &'static str),
    System,
}

struct Artefact {
    id: String,
    report_id: String,
    kind: &'static str,
    content: String,
    created: i64,
    updated: Option<i64>,
    created_by_id: Option<i64>,
    task_id: Option<String>,
    channel_id: Option<String>,
    actor_kind: Option<&'static str>,
    actor_agent: Option<&'static str>,
}

struct Task {
    id: String,
    created_by_id: Option<i64>,
    title: String,
    description: String,
    repository: String,
    created: i64,
}

struct Run {
    id: String,
    task_id: String,
    branch: Option<String>,
    stage: &'static str,
    status: &'static str,
    error: Option<String>,
    output: Option<String>,
    created: i64,
    completed: Option<i64>,
}

struct Link {
    id: String,
    report_id: String,
    task_id: String,
    relationship: Option<&'static str>,
    created: i64,
}

struct ReportRow {
    id: String,
    status: &'static str,
    status_before_suppression: Option<&'static str>,
    total_weight: f64,
    signal_count: i64,
    run_count: i64,
    title: String,
    summary: String,
    error: Option<String>,
    created: i64,
    updated: i64,
    promoted: Option<i64>,
    last_run: Option<i64>,
}

/// Everything one report adds to the archive (plus mirrored rows on earlier reports).
struct ReportRows {
    report: ReportRow,
    artefacts: Vec<Artefact>,
    tasks: Vec<Task>,
    runs: Vec<Run>,
    links: Vec<Link>,
}

const INSERT_USER: &str = "INSERT INTO posthog_user (id, uuid, email, first_name, last_name, distinct_id, is_active, date_joined) VALUES (?, ?, ?, ?, ?, ?, 1, ?)";
const INSERT_TEAM: &str = "INSERT INTO posthog_team (id, uuid, name, timezone, created_at, updated_at) VALUES (?, ?, ?, 'UTC', ?, ?)";

type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;
type AnyQuery = sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>;

/// Rows per INSERT statement: one round trip to SQLite's worker thread per chunk instead of
/// per row (that round trip, not SQLite, is what costs).
const CHUNK: usize = 100;
/// Artefacts buffered before the batch is written.
const BATCH: usize = 2_000;

fn insert_err(table: &str) -> impl Fn(sqlx::Error) -> SourceError + '_ {
    move |err| SourceError::Query {
        context: format!("inserting into {table}"),
        message: super::one_line(&err.to_string()),
    }
}

/// Inserts `rows` into `table`, `CHUNK` rows per statement; returns how many.
async fn insert_all<T>(
    tx: &mut Tx<'_>,
    table: &str,
    columns: &[&str],
    rows: Vec<T>,
    bind: impl Fn(AnyQuery, T) -> AnyQuery,
) -> Result<usize, SourceError> {
    let count = rows.len();
    let one = format!("({})", vec!["?"; columns.len()].join(", "));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<T> = rows.by_ref().take(CHUNK).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            vec![one.as_str(); chunk.len()].join(", ")
        );
        let mut q: AnyQuery = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            q = bind(q, row);
        }
        q.execute(&mut **tx).await.map_err(insert_err(table))?;
    }
    Ok(count)
}

/// Rows waiting to be written.
#[derive(Default)]
struct Batch {
    reports: Vec<ReportRow>,
    tasks: Vec<Task>,
    runs: Vec<Run>,
    links: Vec<Link>,
    artefacts: Vec<Artefact>,
}

impl Batch {
    fn add(&mut self, rows: ReportRows) {
        self.reports.push(rows.report);
        self.tasks.extend(rows.tasks);
        self.runs.extend(rows.runs);
        self.links.extend(rows.links);
        self.artefacts.extend(rows.artefacts);
    }

    async fn flush(
        &mut self,
        tx: &mut Tx<'_>,
        team: i64,
        summary: &mut GenerateSummary,
    ) -> Result<(), SourceError> {
        let batch = std::mem::take(self);
        insert_all(
            tx,
            "signals_signalreport",
            &[
                "id",
                "team_id",
                "status",
                "status_before_suppression",
                "total_weight",
                "signal_count",
                "run_count",
                "title",
                "summary",
                "error",
                "created_at",
                "updated_at",
                "promoted_at",
                "last_run_at",
            ],
            batch.reports,
            |q, r| {
                q.bind(r.id)
                    .bind(team)
                    .bind(r.status.to_string())
                    .bind(r.status_before_suppression.map(str::to_string))
                    .bind(r.total_weight)
                    .bind(r.signal_count)
                    .bind(r.run_count)
                    .bind(r.title)
                    .bind(r.summary)
                    .bind(r.error)
                    .bind(ts(r.created))
                    .bind(updated_stamp(r.created, r.updated))
                    .bind(r.promoted.map(ts))
                    .bind(r.last_run.map(ts))
            },
        )
        .await?;
        summary.tasks += insert_all(
            tx,
            "posthog_task",
            &[
                "id",
                "team_id",
                "created_by_id",
                "title",
                "description",
                "origin_product",
                "repository",
                "deleted",
                "created_at",
                "updated_at",
            ],
            batch.tasks,
            |q, t| {
                q.bind(t.id)
                    .bind(team)
                    .bind(t.created_by_id)
                    .bind(t.title)
                    .bind(t.description)
                    .bind("signal_report".to_string())
                    .bind(t.repository)
                    .bind(0_i64)
                    .bind(ts(t.created))
                    .bind(updated_stamp(t.created, t.created))
            },
        )
        .await?;
        summary.runs += insert_all(
            tx,
            "posthog_task_run",
            &[
                "id",
                "task_id",
                "team_id",
                "branch",
                "environment",
                "stage",
                "status",
                "error_message",
                "output",
                "created_at",
                "updated_at",
                "completed_at",
            ],
            batch.runs,
            |q, run| {
                q.bind(run.id)
                    .bind(run.task_id)
                    .bind(team)
                    .bind(run.branch)
                    .bind("cloud".to_string())
                    .bind(run.stage.to_string())
                    .bind(run.status.to_string())
                    .bind(run.error)
                    .bind(run.output)
                    .bind(ts(run.created))
                    .bind(updated_stamp(
                        run.created,
                        run.completed.unwrap_or(run.created),
                    ))
                    .bind(run.completed.map(ts))
            },
        )
        .await?;
        insert_all(
            tx,
            "signals_signalreporttask",
            &[
                "id",
                "team_id",
                "report_id",
                "task_id",
                "relationship",
                "created_at",
            ],
            batch.links,
            |q, l| {
                q.bind(l.id)
                    .bind(team)
                    .bind(l.report_id)
                    .bind(l.task_id)
                    .bind(l.relationship.map(str::to_string))
                    .bind(ts(l.created))
            },
        )
        .await?;
        summary.artefacts += insert_all(
            tx,
            "signals_signalreportartefact",
            &[
                "id",
                "team_id",
                "report_id",
                "type",
                "content",
                "created_at",
                "updated_at",
                "created_by_id",
                "task_id",
                "channel_id",
                "actor_kind",
                "actor_agent",
            ],
            batch.artefacts,
            |q, a| {
                q.bind(a.id)
                    .bind(team)
                    .bind(a.report_id)
                    .bind(a.kind.to_string())
                    .bind(a.content)
                    .bind(ts(a.created))
                    .bind(a.updated.map(|u| updated_stamp(a.created, u)))
                    .bind(a.created_by_id)
                    .bind(a.task_id)
                    .bind(a.channel_id)
                    .bind(a.actor_kind.map(str::to_string))
                    .bind(a.actor_agent.map(str::to_string))
            },
        )
        .await?;
        Ok(())
    }
}

// ------------------------------------------------------------------------------------------
// The generator.

struct Generator {
    seed: u64,
    team: i64,
    reports: usize,
    users: Vec<User>,
    /// The first report's day; reports spread over the 365 days from here.
    start: i64,
    /// Earlier reports: (id, created).
    earlier: Vec<(String, i64)>,
}

impl Generator {
    fn new(options: &GenerateOptions) -> Generator {
        let mut rng = Rng::new(mix(options.seed, u64::MAX));
        let start = EPOCH_2025 + rng.below(180) as i64 * DAY;
        let users = (0..36)
            .map(|i| {
                let first = FIRST_NAMES[i];
                let last = LAST_NAMES[(i * 7 + 3) % LAST_NAMES.len()];
                let ascii = |s: &str| -> String {
                    s.chars()
                        .map(|c| match c {
                            'á' | 'à' => 'a',
                            'é' => 'e',
                            'í' => 'i',
                            'ó' => 'o',
                            'ú' => 'u',
                            'ç' => 'c',
                            'ř' => 'r',
                            c => c,
                        })
                        .filter(char::is_ascii_alphanumeric)
                        .collect::<String>()
                        .to_lowercase()
                };
                let joined = start - rng.range(30, 700) as i64 * DAY - rng.below(DAY as u64) as i64;
                // Every seventh person has no name on file: shown by email.
                let (f, l) = if i % 7 == 5 { ("", "") } else { (first, last) };
                User {
                    id: i as i64 + 1,
                    uuid: uuid7(joined, &mut rng),
                    email: format!("{}.{}@example.com", ascii(first), ascii(last)),
                    first: f,
                    last: l,
                    login: format!("{}{}", ascii(first), &ascii(last)[..1]),
                    date_joined: joined,
                    distinct_id: rng.hex(32),
                }
            })
            .collect();
        Generator {
            seed: options.seed,
            team: options.team,
            reports: options.reports as usize,
            users,
            start,
            earlier: Vec::new(),
        }
    }

    async fn write_people(
        &self,
        tx: &mut Tx<'_>,
        summary: &mut GenerateSummary,
    ) -> Result<(), SourceError> {
        let mut rng = Rng::new(mix(self.seed, u64::MAX - 1));
        let created = self.start - 800 * DAY;
        sqlx::query(INSERT_TEAM)
            .bind(self.team)
            .bind(uuid7(created, &mut rng))
            .bind("Generated demo".to_string())
            .bind(ts(created))
            .bind(ts(created))
            .execute(&mut **tx)
            .await
            .map_err(insert_err("posthog_team"))?;
        for u in &self.users {
            sqlx::query(INSERT_USER)
                .bind(u.id)
                .bind(u.uuid.clone())
                .bind(u.email.clone())
                .bind(u.first.to_string())
                .bind(u.last.to_string())
                .bind(u.distinct_id.clone())
                .bind(ts(u.date_joined))
                .execute(&mut **tx)
                .await
                .map_err(insert_err("posthog_user"))?;
            summary.users += 1;
        }
        Ok(())
    }

    fn report(&mut self, index: usize) -> ReportRows {
        let mut rng = Rng::new(mix(self.seed, index as u64));
        let slot = (365 * DAY / self.reports.max(1) as i64).max(1);
        let created = self.start + index as i64 * slot + rng.below(slot as u64) as i64;
        let id = uuid7(created, &mut rng);
        // Reports of the first 15% of the year predate the newest columns and shapes.
        let legacy = index * 100 < self.reports * 15;
        let status = REPORT_STATUSES[rng.weighted(&REPORT_STATUSES.map(|(_, w)| w))].0;
        let target = artefact_count(&mut rng);
        let first = created + rng.range(5, 60) as i64 * SECOND;
        let mut g = ReportGen {
            rng,
            users: &self.users,
            earlier: &self.earlier,
            report_id: id.clone(),
            legacy,
            now: first,
            repo: "",
            arts: Vec::with_capacity(target + 4),
            mirrors: Vec::new(),
            tasks: Vec::new(),
            runs: Vec::new(),
            links: Vec::new(),
            research: None,
            implementation: None,
            signals: Vec::new(),
            title: String::new(),
            summary: String::new(),
            claimed: false,
            checks: Vec::new(),
            decision: None,
            replacement: None,
            pr_urls: Vec::new(),
            runs_started: 0,
        };
        g.repo = g.rng.pick(&REPOS);
        g.title = title(&mut g.rng);
        g.summary = summary(&mut g.rng, &g.title);
        g.run(target, status);

        let last = g.arts.iter().map(|a| a.created).max().unwrap_or(created);
        let rng = &mut g.rng;
        let report = ReportRow {
            id: id.clone(),
            status,
            status_before_suppression: (status == "suppressed")
                .then(|| rng.pick(&["ready", "potential", "pending_input"])),
            total_weight: (rng.range(100, 9_999) as f64) / 100.0,
            signal_count: rng.range(1, 5_000) as i64,
            run_count: g.runs_started.max(1),
            title: g.title.clone(),
            summary: g.summary.clone(),
            error: (status == "failed").then(|| {
                rng.pick(&[
                    "Research run failed: the sandbox timed out after 3600 s",
                    "Research run failed: repository selection found no repository",
                    "Summarisation failed: the model returned invalid JSON three times",
                ])
                .to_string()
            }),
            created,
            updated: last,
            promoted: (!matches!(status, "potential" | "candidate")).then_some(created + MINUTE),
            last_run: Some(created + 5 * SECOND),
        };
        let mut artefacts = g.mirrors;
        artefacts.append(&mut g.arts);
        let rows = ReportRows {
            report,
            artefacts,
            tasks: g.tasks,
            runs: g.runs,
            links: g.links,
        };
        self.earlier.push((id, created));
        rows
    }
}

const STATUS_KINDS: [&str; 5] = [
    "priority_judgment",
    "actionability_judgment",
    "safety_judgment",
    "repo_selection",
    "suggested_reviewers",
];

/// Filler kinds and their weights, in one table.
const FILLERS: [(&str, u32); 28] = [
    ("note", 170),
    ("code_reference", 190),
    ("status", 150),
    ("signal_finding", 45),
    ("commit", 70),
    ("code_diff", 30),
    ("task_run", 40),
    ("dismissal", 15),
    ("related_to", 15),
    ("report_link", 15),
    ("title_change", 15),
    ("summary_change", 10),
    ("code_review", 15),
    ("work_claim", 15),
    ("work_release", 10),
    ("pull_request", 15),
    ("check_scheduled", 15),
    ("check_result", 20),
    ("check_expired", 6),
    ("check_cancelled", 6),
    ("channel_assignment", 10),
    ("implementation_decision", 10),
    ("implementation_dispatch", 10),
    ("implementation_replacement", 5),
    ("implementation_handover", 5),
    ("video_segment", 15),
    ("line_reference", 7),
    ("pushed_branch", 5),
];

struct ReportGen<'a> {
    rng: Rng,
    users: &'a [User],
    earlier: &'a [(String, i64)],
    report_id: String,
    legacy: bool,
    now: i64,
    repo: &'static str,
    arts: Vec<Artefact>,
    /// `related_to` rows written on earlier reports (the symmetric half).
    mirrors: Vec<Artefact>,
    tasks: Vec<Task>,
    runs: Vec<Run>,
    links: Vec<Link>,
    research: Option<String>,
    implementation: Option<String>,
    signals: Vec<String>,
    title: String,
    summary: String,
    claimed: bool,
    /// Scheduled checks: (check_id, kind, title).
    checks: Vec<(String, &'static str, String)>,
    decision: Option<(String, Value)>,
    replacement: Option<String>,
    pr_urls: Vec<String>,
    runs_started: i64,
}

impl ReportGen<'_> {
    fn run(&mut self, target: usize, status: &str) {
        // Research: the task that investigates the report and writes the first judgments.
        self.start_task("research", None);
        let k = (1 + self.rng.below(3) as usize).min(target.saturating_sub(6).max(1));
        for _ in 0..k {
            self.tick_small();
            let signal = uuid4(&mut self.rng);
            self.signals.push(signal.clone());
            self.finding(signal);
        }
        self.tick_small();
        let same = self.now;
        for kind in STATUS_KINDS {
            // The research run writes its judgments within seconds, some in the same millisecond.
            if self.rng.chance(0.5) {
                self.now = same;
            } else {
                self.now += self.rng.range(50, 4_000) as i64;
            }
            let who = self.task_or_system(kind);
            self.status(kind, who);
        }
        let weights: Vec<u32> = FILLERS.iter().map(|(_, w)| *w).collect();
        while self.arts.len() < target {
            let remaining = target - self.arts.len();
            // A filler writes at most two rows: a suppressed report ends dismissed.
            if remaining <= 2 && status == "suppressed" && !self.dismissed() {
                self.advance();
                self.dismissal();
                continue;
            }
            let kind = FILLERS[self.rng.weighted(&weights)].0;
            self.advance();
            self.filler(kind);
        }
        if status == "suppressed" && !self.dismissed() {
            self.advance();
            self.dismissal();
        }
    }

    fn dismissed(&self) -> bool {
        self.arts.iter().any(|a| a.kind == "dismissal")
    }

    fn advance(&mut self) {
        self.now += gap(&mut self.rng);
    }

    fn tick_small(&mut self) {
        self.now += self.rng.range(200, 90_000) as i64;
    }

    fn user(&mut self) -> &User {
        // A few people write most entries.
        let i = if self.rng.chance(0.6) {
            self.rng.below(8)
        } else {
            self.rng.below(self.users.len() as u64)
        };
        &self.users[i as usize]
    }

    fn person_or_agent(&mut self) -> Who {
        let id = self.user().id;
        if !self.legacy && self.rng.chance(0.25) {
            Who::Agent(id, self.rng.pick(&AGENTS))
        } else {
            Who::User(id)
        }
    }

    fn current_task(&self) -> Option<String> {
        self.implementation
            .clone()
            .or_else(|| self.research.clone())
    }

    fn task_or_system(&mut self, kind: &str) -> Who {
        if kind == "safety_judgment" && self.rng.chance(0.3) {
            return Who::System;
        }
        match &self.research {
            Some(t) => Who::Task(t.clone()),
            None => Who::System,
        }
    }

    /// Someone plausible for a log entry: the current task, a person, an agent or the system.
    fn anyone(&mut self) -> Who {
        match self.rng.weighted(&[45, 40, 15]) {
            0 => match self.current_task() {
                Some(t) => Who::Task(t),
                None => self.person_or_agent(),
            },
            1 => self.person_or_agent(),
            _ => {
                let id = self.user().id;
                if self.legacy {
                    Who::User(id)
                } else {
                    Who::Agent(id, self.rng.pick(&AGENTS))
                }
            }
        }
    }

    fn push(&mut self, kind: &'static str, content: Value, who: Who) -> usize {
        let created = self.now;
        let art = self.row(
            self.report_id.clone(),
            kind,
            content.to_string(),
            who,
            created,
        );
        self.arts.push(art);
        self.arts.len() - 1
    }

    fn row(
        &mut self,
        report_id: String,
        kind: &'static str,
        content: String,
        who: Who,
        created: i64,
    ) -> Artefact {
        let (by, task, actor_kind, agent) = match who {
            Who::User(id) => (Some(id), None, "user", None),
            Who::Task(t) => (None, Some(t), "task", None),
            Who::Agent(id, a) => (Some(id), None, "agent", Some(a)),
            Who::System => (None, None, "system", None),
        };
        let legacy = self.legacy;
        let updated = if legacy && self.rng.chance(0.6) {
            None
        } else if kind != "task_run" && self.rng.chance(0.05) {
            // Edited in place (PATCH): updated_at later than created_at.
            Some(created + gap(&mut self.rng))
        } else {
            Some(created)
        };
        Artefact {
            id: uuid7(created, &mut self.rng),
            report_id,
            kind,
            content,
            created,
            updated,
            created_by_id: by,
            task_id: task,
            channel_id: None,
            actor_kind: (!legacy).then_some(actor_kind),
            actor_agent: if legacy { None } else { agent },
        }
    }

    fn sha(&mut self) -> String {
        self.rng.hex(40)
    }

    // ---- tasks

    fn start_task(&mut self, kind: &'static str, by: Option<i64>) -> String {
        let created = self.now;
        let id = uuid4(&mut self.rng);
        let title = match kind {
            "research" => format!("Research: {}", self.title),
            "implementation" => format!("Fix: {}", self.title),
            "repo_selection" => format!("Select a repository for \"{}\"", self.title),
            "discussion" => format!("Discuss: {}", self.title),
            _ => format!("Scout: {}", self.title),
        };
        self.tasks.push(Task {
            id: id.clone(),
            created_by_id: by,
            title,
            description: format!(
                "Signals {kind} task for report \"{}\".",
                self.title.replace('"', "'")
            ),
            repository: self.repo.to_string(),
            created,
        });
        let branch = (kind == "implementation")
            .then(|| format!("posthog-code/{}-{}", slug(&self.title), self.rng.hex(4)));
        let mut first_run = None;
        let attempts = if self.rng.chance(0.15) { 2 } else { 1 };
        let mut t = created + SECOND;
        for attempt in 0..attempts {
            let last = attempt + 1 == attempts;
            let status = if !last {
                "failed"
            } else {
                [
                    "completed",
                    "completed",
                    "completed",
                    "completed",
                    "failed",
                    "in_progress",
                    "cancelled",
                ][self.rng.below(7) as usize]
            };
            let run_id = uuid7(t, &mut self.rng);
            let duration = self.rng.range(2 * MINUTE as u64, 90 * MINUTE as u64) as i64;
            let output = match (kind, status) {
                ("implementation", "completed") => {
                    let number = self.rng.range(20_000, 45_000);
                    let url = format!("https://github.com/{}/pull/{number}", self.repo);
                    self.pr_urls.push(url.clone());
                    Some(
                        json!({
                            "pr_url": url,
                            "head_branches": [branch.clone()],
                            "commit_sha": self.sha(),
                        })
                        .to_string(),
                    )
                }
                ("research", "completed") => {
                    Some(json!({"summary": sentence(&mut self.rng)}).to_string())
                }
                _ => None,
            };
            self.runs.push(Run {
                id: run_id.clone(),
                task_id: id.clone(),
                branch: branch.clone(),
                stage: match kind {
                    "implementation" => "pull_request",
                    "research" => "research",
                    _ => "build",
                },
                status,
                error: (status == "failed").then(|| {
                    self.rng
                        .pick(&[
                            "Sandbox exited with code 137 (out of memory)",
                            "Agent exceeded the 60 minute time limit",
                            "git push rejected: branch protection",
                        ])
                        .to_string()
                }),
                output,
                created: t,
                completed: (status != "in_progress").then_some(t + duration),
            });
            first_run.get_or_insert(run_id);
            t += duration + MINUTE;
        }
        self.runs_started += 1;
        let run_id = first_run.unwrap_or_default();
        if self.legacy {
            // Before task_run artefacts, tasks were tied to reports by signals_signalreporttask.
            let link_id = uuid4(&mut self.rng);
            self.links.push(Link {
                id: link_id,
                report_id: self.report_id.clone(),
                task_id: id.clone(),
                relationship: (!self.rng.chance(0.2)).then_some(match kind {
                    "implementation" => "implementation",
                    "repo_selection" => "repo_selection",
                    _ => "research",
                }),
                created,
            });
        } else {
            let content = json!({
                "task_id": id,
                "run_id": run_id,
                "automation_branch": branch,
                "product": "signals",
                "type": kind,
            });
            self.now = created + SECOND / 2;
            self.push("task_run", content, Who::Task(id.clone()));
        }
        match kind {
            "research" => self.research = Some(id.clone()),
            "implementation" => self.implementation = Some(id.clone()),
            _ => {}
        }
        id
    }

    // ---- artefacts

    fn finding(&mut self, signal: String) {
        let n = self.rng.range(0, 3);
        let paths: Vec<String> = (0..n).map(|_| file(&mut self.rng).path).collect();
        let mut hashes = serde_json::Map::new();
        for _ in 0..self.rng.range(0, 2) {
            let sha = self.rng.hex(7);
            hashes.insert(sha, Value::String(sentence(&mut self.rng)));
        }
        let content = json!({
            "signal_id": signal,
            "relevant_code_paths": paths,
            "relevant_commit_hashes": hashes,
            "data_queried": format!("SELECT count() FROM events WHERE event = '${}' AND timestamp > now() - INTERVAL 7 DAY", self.rng.pick(&WORDS)),
            "verified": self.rng.chance(0.7),
        });
        let who = match &self.research {
            Some(t) => Who::Task(t.clone()),
            None => Who::System,
        };
        self.push("signal_finding", content, who);
    }

    fn status(&mut self, kind: &'static str, who: Who) {
        let sentences = self.rng.range(1, 2);
        let explanation = paragraph(&mut self.rng, sentences);
        let content = match kind {
            "priority_judgment" => json!({
                "explanation": explanation,
                "priority": self.rng.pick(&["P0", "P1", "P2", "P2", "P3", "P3", "P4"]),
                "dollar_value": self.rng.chance(0.3).then(|| self.rng.range(100, 250_000) as f64),
            }),
            "actionability_judgment" => {
                let value = self.rng.pick(&[
                    "immediately_actionable",
                    "immediately_actionable",
                    "requires_human_input",
                    "not_actionable",
                ]);
                if self.legacy && self.rng.chance(0.5) {
                    json!({"explanation": explanation, "choice": value})
                } else {
                    json!({
                        "explanation": explanation,
                        "actionability": value,
                        "already_addressed": self.rng.chance(0.1),
                    })
                }
            }
            "safety_judgment" => json!({
                "choice": self.rng.chance(0.95),
                "explanation": self.rng.chance(0.7).then_some(explanation),
            }),
            "repo_selection" => {
                let repository = (!self.rng.chance(0.05)).then_some(self.repo);
                let reason = format!(
                    "The affected code lives in `{}`. {}",
                    file(&mut self.rng).path,
                    sentence(&mut self.rng)
                );
                if self.legacy {
                    if self.rng.chance(0.5) {
                        json!({"repository": repository, "reason": reason})
                    } else {
                        json!({"repository": repository, "reason": reason, "task_id": self.research})
                    }
                } else {
                    json!({
                        "repository": repository,
                        "reason": reason,
                        "task_id": self.research,
                        "autostart_eligible": self.rng.chance(0.8),
                    })
                }
            }
            _ => {
                let n = self.rng.range(1, 3);
                let reviewers: Vec<Value> = (0..n)
                    .map(|_| {
                        let u = self.user();
                        let (login, uuid, name) = (
                            u.login.clone(),
                            u.uuid.clone(),
                            format!("{} {}", u.first, u.last).trim().to_string(),
                        );
                        let commits: Vec<Value> = (0..self.rng.range(0, 2))
                            .map(|_| {
                                let sha = self.sha();
                                json!({
                                    "reason": format!("Last touched {}", file(&mut self.rng).path),
                                    "sha": sha,
                                    "url": format!("https://github.com/{}/commit/{sha}", self.repo),
                                })
                            })
                            .collect();
                        let skill = self.rng.chance(0.1);
                        json!({
                            "github_login": login,
                            "user_uuid": self.rng.chance(0.7).then_some(uuid),
                            "github_name": (!name.is_empty()).then_some(name),
                            "relevant_commits": commits,
                            "reason": self.rng.chance(0.8).then(|| sentence(&mut self.rng)),
                            "is_skill_owner": skill,
                            "source_skill": skill.then_some("signals-reviewers"),
                        })
                    })
                    .collect();
                Value::Array(reviewers)
            }
        };
        self.push(kind, content, who);
    }

    fn filler(&mut self, kind: &'static str) {
        match kind {
            "note" => {
                let who = self.anyone();
                let author = match &who {
                    Who::User(_) | Who::Agent(..) if self.rng.chance(0.2) => {
                        Some(self.user().first.to_string())
                    }
                    _ => None,
                };
                let note = note_markdown(&mut self.rng);
                self.push("note", json!({"note": note, "author": author}), who);
            }
            "code_reference" => {
                let f = file(&mut self.rng);
                let len = self.rng.range(5, 20.min(f.lines.len() as u64)) as usize;
                let from = self.rng.below((f.lines.len() - len + 1) as u64) as usize;
                let offset = self.rng.range(0, 400) as usize;
                let start = offset + from + 1;
                let content = json!({
                    "file_path": f.path,
                    "start_line": start,
                    "end_line": start + len - 1,
                    "contents": f.lines[from..from + len].join("\n"),
                    "relevance_note": sentence(&mut self.rng),
                });
                let who = self.anyone();
                self.push("code_reference", content, who);
            }
            "status" => {
                let kind = self.rng.pick(&STATUS_KINDS);
                let who = match self.rng.weighted(&[45, 30, 15, 10]) {
                    0 => self.task_or_system(kind),
                    1 => Who::User(self.user().id),
                    2 => self.person_or_agent(),
                    _ => Who::System,
                };
                self.status(kind, who.clone());
                // Now and then two assessments of one type share a created_at.
                if self.rng.chance(0.1) {
                    self.status(kind, who);
                }
            }
            "signal_finding" => {
                if self.rng.chance(0.4) {
                    self.start_task("research", None);
                    self.tick_small();
                }
                let signal = if self.rng.chance(0.7) && !self.signals.is_empty() {
                    let i = self.rng.below(self.signals.len() as u64) as usize;
                    self.signals[i].clone()
                } else {
                    let s = uuid4(&mut self.rng);
                    self.signals.push(s.clone());
                    s
                };
                self.finding(signal);
            }
            "commit" => {
                let task = match self.implementation.clone() {
                    Some(t) => t,
                    None => {
                        let by = self.rng.chance(0.3).then(|| self.user().id);
                        let t = self.start_task("implementation", by);
                        self.tick_small();
                        t
                    }
                };
                let diff = (!self.legacy && self.rng.chance(0.3)).then(|| {
                    let files = self.rng.range(1, 4) as usize;
                    unified_diff(&mut self.rng, files, true).0
                });
                let sha = if self.rng.chance(0.85) {
                    self.sha()
                } else {
                    self.rng.hex(7)
                };
                let content = json!({
                    "repository": self.repo,
                    "branch": format!("posthog-code/{}", slug(&self.title)),
                    "commit_sha": sha,
                    "message": format!("fix({}): {}", self.rng.pick(&WORDS), sentence(&mut self.rng).trim_end_matches('.').to_lowercase()),
                    "note": self.rng.chance(0.3).then(|| sentence(&mut self.rng)),
                    "diff": diff,
                });
                self.push("commit", content, Who::Task(task));
            }
            "code_diff" => {
                let (diff, paths) = unified_diff(&mut self.rng, 1, false);
                let content = json!({
                    "file_path": paths[0],
                    "diff": diff,
                    "relevance_note": sentence(&mut self.rng),
                });
                let who = match self.current_task() {
                    Some(t) => Who::Task(t),
                    None => Who::System,
                };
                self.push("code_diff", content, who);
            }
            "task_run" => {
                let kind = self.rng.pick(&[
                    "implementation",
                    "implementation",
                    "research",
                    "discussion",
                    "scout",
                    "repo_selection",
                ]);
                let by = self.rng.chance(0.3).then(|| self.user().id);
                self.start_task(kind, by);
                if self.legacy {
                    // No artefact for the link: write a note so the slot is used.
                    let who = self.anyone();
                    let note = note_markdown(&mut self.rng);
                    self.push("note", json!({"note": note, "author": null}), who);
                }
            }
            "dismissal" => self.dismissal(),
            "related_to" => {
                if self.earlier.is_empty() {
                    return self.filler("note");
                }
                let lo = self.earlier.len().saturating_sub(300);
                let j = lo + self.rng.below((self.earlier.len() - lo) as u64) as usize;
                let other = self.earlier[j].0.clone();
                let who = self.person_or_agent();
                self.push("related_to", json!({"report_id": other}), who.clone());
                // Written symmetrically: the other report gets the mirror entry.
                let mirror = self.row(
                    other,
                    "related_to",
                    json!({"report_id": self.report_id}).to_string(),
                    who,
                    self.now,
                );
                self.mirrors.push(mirror);
            }
            "report_link" => {
                if self.earlier.is_empty() {
                    return self.filler("note");
                }
                let lo = self.earlier.len().saturating_sub(300);
                let j = lo + self.rng.below((self.earlier.len() - lo) as u64) as usize;
                let content = json!({
                    "kind": self.rng.pick(&["depends_on", "part_of", "follow_up_of", "duplicate_of", "recurrence_of"]),
                    "report_id": self.earlier[j].0,
                    "reason": self.rng.chance(0.7).then(|| sentence(&mut self.rng)),
                });
                let who = self.anyone();
                self.push("report_link", content, who);
            }
            "title_change" => {
                let new = title(&mut self.rng);
                let old = std::mem::replace(&mut self.title, new.clone());
                let who = self.anyone();
                self.push(
                    "title_change",
                    json!({"old_title": old, "new_title": new}),
                    who,
                );
            }
            "summary_change" => {
                let new = summary(&mut self.rng, &self.title.clone());
                let old = std::mem::replace(&mut self.summary, new.clone());
                let who = self.anyone();
                self.push(
                    "summary_change",
                    json!({"old_summary": old, "new_summary": new}),
                    who,
                );
            }
            "code_review" => {
                let number = self.rng.range(20_000, 45_000);
                let must = self.rng.range(0, 3);
                let content = json!({
                    "review_report_id": uuid4(&mut self.rng),
                    "repository": self.repo,
                    "head_sha": self.sha(),
                    "head_branch": format!("posthog-code/{}", slug(&self.title)),
                    "base_branch": "master",
                    "pr_number": number,
                    "pr_url": format!("https://github.com/{}/pull/{number}", self.repo),
                    "review_url": format!("https://github.com/{}/pull/{number}#pullrequestreview-{}", self.repo, self.rng.range(1_000_000, 9_999_999)),
                    "outcome": self.rng.pick(&["published", "published", "stored", "failed"]),
                    "counts": {"must_fix": must, "should_fix": self.rng.range(0, 6), "consider": self.rng.range(0, 9)},
                });
                let who = match self.current_task() {
                    Some(t) => Who::Task(t),
                    None => Who::System,
                };
                self.push("code_review", content, who);
            }
            "work_claim" => {
                let who = self.person_or_agent();
                let name = match &who {
                    Who::User(id) | Who::Agent(id, _) => {
                        let u = &self.users[(*id - 1) as usize];
                        format!("{} {}", u.first, u.last).trim().to_string()
                    }
                    _ => String::new(),
                };
                self.claimed = true;
                self.push(
                    "work_claim",
                    json!({"display_name": (!name.is_empty()).then_some(name)}),
                    who,
                );
            }
            "work_release" => {
                if !self.claimed {
                    return self.filler("work_claim");
                }
                self.claimed = false;
                let who = self.person_or_agent();
                let reason = self.rng.pick(&["released", "taken_over"]);
                self.push("work_release", json!({ "reason": reason }), who);
            }
            "pull_request" => {
                let url = match self.pr_urls.last() {
                    Some(u) if self.rng.chance(0.7) => u.clone(),
                    _ => format!(
                        "https://github.com/{}/pull/{}",
                        self.repo,
                        self.rng.range(20_000, 45_000)
                    ),
                };
                let who = match self.current_task() {
                    Some(t) if self.rng.chance(0.7) => Who::Task(t),
                    _ => Who::System,
                };
                self.push("pull_request", json!({"url": url}), who);
            }
            "check_scheduled" => {
                let check_id = uuid4(&mut self.rng);
                let kind = self.rng.pick(&[
                    "metric_threshold",
                    "error_rate",
                    "hogql_query",
                    "event_volume",
                ]);
                let title = format!(
                    "{} of `{}` stays below {}",
                    self.rng
                        .pick(&["Error rate", "p95 latency", "Drop count", "Lag"]),
                    self.rng.pick(&WORDS),
                    self.rng.range(1, 500)
                );
                let content = json!({
                    "check_id": check_id,
                    "kind": kind,
                    "title": title,
                    "rationale": sentence(&mut self.rng),
                    "next_run_at": ts(self.now + self.rng.range(HOUR as u64, 3 * DAY as u64) as i64),
                    "arms_on_resolve": self.rng.chance(0.5),
                    "soak_minutes": self.rng.chance(0.5).then(|| self.rng.range(15, 1_440)),
                    "skill_name": self.rng.chance(0.3).then_some("signals-checks"),
                    "runs": self.rng.range(1, 5),
                });
                self.checks.push((check_id, kind, title));
                let who = self.anyone();
                self.push("check_scheduled", content, who);
            }
            "check_result" | "check_expired" | "check_cancelled" => {
                let Some((check_id, ck, title)) = self.checks.last().cloned() else {
                    return self.filler("check_scheduled");
                };
                let content = match kind {
                    "check_result" => json!({
                        "check_id": check_id,
                        "kind": ck,
                        "title": title,
                        "outcome": self.rng.pick(&["passed", "passed", "passed", "failed", "errored"]),
                        "explanation": sentence(&mut self.rng),
                        "observed_value": self.rng.chance(0.8).then(|| self.rng.range(0, 10_000) as f64 / 100.0),
                        "baseline_value": self.rng.chance(0.6).then(|| self.rng.range(0, 10_000) as f64 / 100.0),
                        "threshold": self.rng.chance(0.6).then(|| format!("< {}", self.rng.range(1, 100))),
                        "run_id": self.rng.chance(0.5).then(|| uuid7(self.now, &mut self.rng)),
                    }),
                    "check_expired" => {
                        let never = self.rng.chance(0.4);
                        json!({
                            "check_id": check_id,
                            "kind": ck,
                            "title": title,
                            "expired_at": ts(self.now),
                            "never_ran": never,
                            "last_run_at": (!never).then(|| ts(self.now - self.rng.range(HOUR as u64, 2 * DAY as u64) as i64)),
                        })
                    }
                    _ => json!({
                        "check_id": check_id,
                        "kind": ck,
                        "title": title,
                        "reason": self.rng.pick(&["stopped_by_person", "stopped_by_scout", "replaced_by_research"]),
                    }),
                };
                self.push(kind, content, Who::System);
            }
            "channel_assignment" => {
                let channel = (!self.rng.chance(0.15)).then(|| uuid4(&mut self.rng));
                let who = Who::User(self.user().id);
                let i = self.push("channel_assignment", json!({"channel_id": channel}), who);
                self.arts[i].channel_id = channel;
            }
            "implementation_decision" => {
                let targets: Vec<Value> =
                    match (self.implementation.clone(), self.pr_urls.last().cloned()) {
                        (Some(task), Some(pr)) => {
                            let run = self
                                .runs
                                .iter()
                                .rev()
                                .find(|r| r.task_id == task)
                                .map(|r| r.id.clone())
                                .unwrap_or_default();
                            vec![json!({
                                "task_id": task,
                                "run_id": run,
                                "claim_id": null,
                                "pr_url": pr,
                                "head_sha": self.sha(),
                                "automation_artefact_id": uuid7(self.now, &mut self.rng),
                            })]
                        }
                        _ => Vec::new(),
                    };
                let content = json!({
                    "supersede": !targets.is_empty() && self.rng.chance(0.5),
                    "reason": sentence(&mut self.rng),
                    "targets": targets,
                    "research_run_count": self.runs_started,
                    "research_started_at": ts(self.now - HOUR),
                    "content_revision_count": self.rng.range(0, 3),
                    "blocked_reason": self.rng.chance(0.1).then_some("revision_limit"),
                });
                let i = self.push("implementation_decision", content.clone(), Who::System);
                self.decision = Some((self.arts[i].id.clone(), content));
            }
            "implementation_dispatch" => {
                let Some((decision, _)) = self.decision.clone() else {
                    return self.filler("implementation_decision");
                };
                let status = self.rng.pick(&[
                    "pending",
                    "processing",
                    "retrying",
                    "blocked",
                    "started",
                    "cancelled",
                ]);
                let content = json!({
                    "decision_id": decision,
                    "source_skill": self.rng.chance(0.3).then_some("signals-implement"),
                    "status": status,
                    "attempt": self.rng.range(0, 3),
                    "next_retry_at": (status == "retrying").then(|| ts(self.now + 10 * MINUTE)),
                    "worker_token": (status == "processing").then(|| self.rng.hex(16)),
                    "lease_until": (status == "processing").then(|| ts(self.now + 15 * MINUTE)),
                    "reason": if status == "blocked" { sentence(&mut self.rng) } else { String::new() },
                });
                self.push("implementation_dispatch", content, Who::System);
            }
            "implementation_replacement" => {
                let Some((decision, body)) = self.decision.clone() else {
                    return self.filler("implementation_decision");
                };
                let content = json!({
                    "decision_id": decision,
                    "decision": body,
                    "run_id": uuid7(self.now, &mut self.rng),
                });
                let i = self.push("implementation_replacement", content, Who::System);
                self.replacement = Some(self.arts[i].id.clone());
            }
            "implementation_handover" => {
                let Some(replacement) = self.replacement.clone() else {
                    return self.filler("implementation_replacement");
                };
                let mut results = serde_json::Map::new();
                if let Some(pr) = self.pr_urls.last() {
                    results.insert(
                        pr.clone(),
                        Value::from(self.rng.pick(&["closed", "already_closed", "skipped"])),
                    );
                }
                let content = json!({
                    "replacement_id": replacement,
                    "status": self.rng.pick(&["processing", "completed", "completed", "failed", "cancelled", "needs_attention"]),
                    "results": results,
                    "replacement_pr_urls": [format!("https://github.com/{}/pull/{}", self.repo, self.rng.range(20_000, 45_000))],
                    "explanation": sentence(&mut self.rng),
                    "attempt": self.rng.range(0, 2),
                    "worker_token": null,
                    "lease_until": null,
                });
                self.push("implementation_handover", content, Who::System);
            }
            "video_segment" => {
                let start = self.now - self.rng.range(DAY as u64, 20 * DAY as u64) as i64;
                let content = json!({
                    "session_id": uuid7(start, &mut self.rng),
                    "start_time": ts(start),
                    "end_time": ts(start + self.rng.range(5 * SECOND as u64, 10 * MINUTE as u64) as i64),
                    "distinct_id": self.rng.hex(32),
                    "content": sentence(&mut self.rng),
                    "distance_to_centroid": self.rng.chance(0.8).then(|| self.rng.range(0, 1_000) as f64 / 1_000.0),
                });
                let who = match &self.research {
                    Some(t) => Who::Task(t.clone()),
                    None => Who::System,
                };
                self.push("video_segment", content, who);
            }
            "line_reference" => {
                let f = file(&mut self.rng);
                let i = self.rng.below(f.lines.len() as u64) as usize;
                let content = json!({
                    "file_path": f.path,
                    "line": i + 1 + self.rng.range(0, 300) as usize,
                    "note": sentence(&mut self.rng),
                    "contents": self.rng.chance(0.7).then(|| f.lines[i].clone()),
                });
                let who = self.anyone();
                self.push("line_reference", content, who);
            }
            "pushed_branch" => {
                let content = json!({
                    "repository": self.repo,
                    "branch": format!("posthog-code/{}", slug(&self.title)),
                    "base_branch": self.rng.chance(0.8).then_some("master"),
                    "head_sha": self.rng.chance(0.8).then(|| self.sha()),
                    "note": self.rng.chance(0.5).then(|| sentence(&mut self.rng)),
                });
                let who = match self.current_task() {
                    Some(t) => Who::Task(t),
                    None => Who::System,
                };
                self.push("pushed_branch", content, who);
            }
            _ => self.filler("note"),
        }
    }

    fn dismissal(&mut self) {
        let reason = self.rng.pick(&[
            "already_fixed",
            "report_unclear",
            "analysis_wrong",
            "wontfix_intentional",
            "wontfix_irrelevant",
            "other",
            "wrong_repo",
        ]);
        let slack = self.rng.chance(0.25);
        let (who, user_id, user_uuid) = if slack {
            (Who::System, None, None)
        } else {
            let u = self.user();
            let (id, uuid) = (u.id, u.uuid.clone());
            (Who::User(id), Some(id), Some(uuid))
        };
        let content = json!({
            "reason": reason,
            "note": self.rng.chance(0.6).then(|| sentence(&mut self.rng)),
            "selected_repository": self.rng.chance(0.5).then_some(self.repo),
            "corrected_repository": (reason == "wrong_repo").then_some("posthog/posthog-js"),
            "user_id": user_id,
            "user_uuid": user_uuid,
            "slack_user_id": slack.then(|| format!("U0{}", self.rng.hex(8).to_uppercase())),
        });
        self.push("dismissal", content, who);
    }
}
