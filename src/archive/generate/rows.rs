//! Writing the archive: the rows a report adds (PostHog's tables and column names, the
//! archive schema's types), buffered and inserted many rows per statement in one transaction.

use super::GenerateSummary;
use super::people::User;
use super::rng::{Rng, mix};
use super::time::{DAY, ts, updated_stamp, uuid7};
use crate::source::{SourceError, one_line};

pub(super) struct Artefact {
    pub(super) id: String,
    pub(super) report_id: String,
    pub(super) kind: &'static str,
    pub(super) content: String,
    pub(super) created: i64,
    pub(super) updated: Option<i64>,
    pub(super) created_by_id: Option<i64>,
    pub(super) task_id: Option<String>,
    pub(super) channel_id: Option<String>,
    pub(super) actor_kind: Option<&'static str>,
    pub(super) actor_agent: Option<&'static str>,
}

pub(super) struct Task {
    pub(super) id: String,
    pub(super) created_by_id: Option<i64>,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) repository: String,
    pub(super) created: i64,
}

pub(super) struct Run {
    pub(super) id: String,
    pub(super) task_id: String,
    pub(super) branch: Option<String>,
    pub(super) stage: &'static str,
    pub(super) status: &'static str,
    pub(super) error: Option<String>,
    pub(super) output: Option<String>,
    pub(super) created: i64,
    pub(super) completed: Option<i64>,
}

pub(super) struct Link {
    pub(super) id: String,
    pub(super) report_id: String,
    pub(super) task_id: String,
    pub(super) relationship: Option<&'static str>,
    pub(super) created: i64,
}

pub(super) struct ReportRow {
    pub(super) id: String,
    pub(super) status: &'static str,
    pub(super) status_before_suppression: Option<&'static str>,
    pub(super) total_weight: f64,
    pub(super) signal_count: i64,
    pub(super) run_count: i64,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) error: Option<String>,
    pub(super) created: i64,
    pub(super) updated: i64,
    pub(super) promoted: Option<i64>,
    pub(super) last_run: Option<i64>,
}

/// Everything one report adds to the archive (plus mirrored rows on earlier reports).
pub(super) struct ReportRows {
    pub(super) report: ReportRow,
    pub(super) artefacts: Vec<Artefact>,
    pub(super) tasks: Vec<Task>,
    pub(super) runs: Vec<Run>,
    pub(super) links: Vec<Link>,
}

const INSERT_USER: &str = "INSERT INTO posthog_user (id, uuid, email, first_name, last_name, distinct_id, is_active, date_joined) VALUES (?, ?, ?, ?, ?, ?, 1, ?)";
const INSERT_TEAM: &str = "INSERT INTO posthog_team (id, uuid, name, timezone, created_at, updated_at) VALUES (?, ?, ?, 'UTC', ?, ?)";

type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;
type AnyQuery = sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>;

/// Rows per INSERT statement: one round trip to SQLite's worker thread per chunk instead of
/// per row (that round trip, not SQLite, is what costs).
const CHUNK: usize = 100;
/// Artefacts buffered before the batch is written.
pub(super) const BATCH: usize = 2_000;

fn insert_err(table: &str) -> impl Fn(sqlx::Error) -> SourceError + '_ {
    move |err| SourceError::Query {
        context: format!("inserting into {table}"),
        message: one_line(&err.to_string()),
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
pub(super) struct Batch {
    pub(super) reports: Vec<ReportRow>,
    pub(super) tasks: Vec<Task>,
    pub(super) runs: Vec<Run>,
    pub(super) links: Vec<Link>,
    pub(super) artefacts: Vec<Artefact>,
}

impl Batch {
    pub(super) fn add(&mut self, rows: ReportRows) {
        self.reports.push(rows.report);
        self.tasks.extend(rows.tasks);
        self.runs.extend(rows.runs);
        self.links.extend(rows.links);
        self.artefacts.extend(rows.artefacts);
    }

    pub(super) async fn flush(
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
/// The team and its users (`start` is the first report's day), written before any report.
pub(super) async fn write_people(
    tx: &mut Tx<'_>,
    team: i64,
    seed: u64,
    start: i64,
    users: &[User],
    summary: &mut GenerateSummary,
) -> Result<(), SourceError> {
    let mut rng = Rng::new(mix(seed, u64::MAX - 1));
    let created = start - 800 * DAY;
    sqlx::query(INSERT_TEAM)
        .bind(team)
        .bind(uuid7(created, &mut rng))
        .bind("Generated demo".to_string())
        .bind(ts(created))
        .bind(ts(created))
        .execute(&mut **tx)
        .await
        .map_err(insert_err("posthog_team"))?;
    for u in users {
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
