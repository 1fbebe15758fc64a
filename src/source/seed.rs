//! Loads a fixture — rows written as TOML, one array of tables per database table — into a
//! PostgreSQL or SQLite database that has PostHog's tables. The embedded demo is seeded this
//! way, and so are the tests, so the same rows reach both databases.
//!
//! Values: strings, integers, floats and booleans as they are; a TOML table or array is stored
//! as compact JSON text (artefact `content`, task run `output`); the key `content_raw` is stored
//! verbatim into `content` (for exact JSON such as `null`s, or for malformed content). Columns
//! the database lacks are skipped, so one fixture serves every schema variant.
//!
//! Omitted columns are written as PostHog's Django code writes them. PostHog's tables have SQL
//! defaults only where a model field declares `db_default` (`posthog_task.repositories` and
//! `.runtime`, the report's `charts`, `metrics` and `suggested_prompts`, the assignment's
//! `pr_merged`); everything else — statuses, counters, names, timestamps — is filled in by
//! Django in Python before the `INSERT`. So, for every column that a fixture row omits and
//! that the connected database declares `NOT NULL` without an SQL default (nor identity or
//! generated values), the seeder writes the model's Python-side default:
//!
//! | table | column | value |
//! |---|---|---|
//! | every table | `created_at` | [`FIXED_TIME`] |
//! | every table | `updated_at` | the row's `created_at` (or [`FIXED_TIME`]) plus [`UPDATED_AFTER_MICROS`] µs: Django stamps `auto_now` after `auto_now_add`/`default=now` on insert |
//! | `posthog_team` | `uuid` | uuid v5 of the row's integer `id` in [`UUID_NAMESPACE`] (`posthog_team:<id>`) |
//! | `posthog_team` | `name`, `timezone` | `'Default project'`, `'UTC'` |
//! | `posthog_user` | `uuid` | uuid v5 of the row's integer `id` (`posthog_user:<id>`) |
//! | `posthog_user` | `password`, `first_name`, `last_name` | `''` |
//! | `posthog_user` | `is_active`, `is_staff` | `true`, `false` |
//! | `posthog_user` | `date_joined` | the row's `created_at` key if it has one, else [`FIXED_TIME`] |
//! | `posthog_task` | `title`, `description`, `origin_product` | `''` (Django's value for a `CharField`/`TextField` without default) |
//! | `posthog_task` | `title_manually_set`, `internal`, `archived` | `false` |
//! | `posthog_task` | `repositories`, `runtime` | `'{}'`, `'acp'` (their `db_default`s, for schemas without them) |
//! | `posthog_task_run` | `environment`, `status` | `'cloud'`, `'not_started'` |
//! | `posthog_task_run` | `artifacts`, `state` | `'[]'`, `'{}'` |
//! | `signals_signalreport` | `status` | `'potential'` |
//! | `signals_signalreport` | `total_weight`, `signal_count`, `signals_at_run`, `run_count` | `0` |
//! | `signals_signalreport` | `charts`, `metrics`, `suggested_prompts` | `'[]'` |
//! | `signals_signalreportpullrequest` | `state` | `'unknown'` |
//! | `signals_signalreportassignment` | `pr_merged` | `false` |
//!
//! Any other such column (an id, a `team_id`, an artefact's `type` or `content`, a user's
//! `email`) has no default a fixture could rely on, and a row omitting it is refused with the
//! column named. A column that is nullable or has an SQL default is left to the database, as
//! before: the seeder never changes a row the database would have accepted. Every filled value
//! is a constant or derived from the row itself, so a fixture gives the same rows run after
//! run; where both databases require a column they get the same value, written as PostgreSQL
//! prints it (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), so SQLite holds the same text PostgreSQL returns.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use sqlx::{AnyConnection, Connection, Row};

use super::SourceError;
use super::schema::{
    ARTEFACTS, ASSIGNMENTS, Dialect, LINKS, PULL_REQUESTS, REPORTS, RUNS, Schema, TASKS, TEAMS,
    USERS,
};

/// Tables in insertion order (PostgreSQL checks PostHog's deferred foreign keys at commit, but
/// a schema with immediate ones needs the referenced rows first).
pub const TABLES: [&str; 9] = [
    TEAMS,
    USERS,
    TASKS,
    RUNS,
    REPORTS,
    ASSIGNMENTS,
    LINKS,
    PULL_REQUESTS,
    ARTEFACTS,
];

/// The instant stamped on a row that omits a required `created_at` (and on a user's
/// `date_joined`): a fixed one, so seeding is deterministic.
pub const FIXED_TIME: &str = "2026-01-01T00:00:00.000000Z";

/// How long after `created_at` Django stamps `updated_at` on insert (17–20 µs measured on
/// PostHog's own rows; see the schema notes, §10.1).
pub const UPDATED_AFTER_MICROS: i64 = 17;

/// The namespace of the uuids derived for teams and users that omit theirs.
pub const UUID_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x6f1c_2d7e_5b3a_4c19_9e08_27d4_a1f5_c360);

fn dialect_of(conn: &AnyConnection) -> Dialect {
    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        Dialect::Sqlite
    } else {
        Dialect::Postgres
    }
}

/// Inserts every row of `fixture` in one transaction; returns how many rows were inserted.
pub async fn seed_toml(conn: &mut AnyConnection, fixture: &str) -> Result<usize, SourceError> {
    let doc: toml::Table =
        toml::from_str(fixture).map_err(|e| SourceError::Fixture(e.to_string()))?;
    if let Some(unknown) = doc.keys().find(|k| !TABLES.contains(&k.as_str())) {
        return Err(SourceError::Fixture(format!("unknown table {unknown}")));
    }
    let dialect = dialect_of(conn);
    let schema = Schema::introspect(conn, dialect).await?;
    let required = required_columns(conn, dialect).await?;
    let none = BTreeSet::new();
    let mut tx = conn.begin().await.map_err(SourceError::query("seeding"))?;
    let mut inserted = 0;
    for table in TABLES {
        if !schema.has_table(table) {
            continue;
        }
        let Some(rows) = doc.get(table) else { continue };
        let rows = rows
            .as_array()
            .ok_or_else(|| SourceError::Fixture(format!("{table} must be an array of tables")))?;
        let required = required.get(table).unwrap_or(&none);
        for row in rows {
            let row = row
                .as_table()
                .ok_or_else(|| SourceError::Fixture(format!("a row of {table} is not a table")))?;
            insert(&mut tx, &schema, table, row, required).await?;
            inserted += 1;
        }
    }
    tx.commit().await.map_err(SourceError::query("seeding"))?;
    Ok(inserted)
}

/// Per table, the columns the database requires a value for: `NOT NULL`, no SQL default, not
/// an identity, generated or SQLite rowid column.
async fn required_columns(
    conn: &mut AnyConnection,
    dialect: Dialect,
) -> Result<BTreeMap<String, BTreeSet<String>>, SourceError> {
    let sql = match dialect {
        Dialect::Postgres => {
            "SELECT CAST(table_name AS text) AS t, CAST(column_name AS text) AS c \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND is_nullable = 'NO' \
             AND column_default IS NULL AND is_identity = 'NO' AND is_generated = 'NEVER'"
        }
        Dialect::Sqlite => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
             AND p.\"notnull\" = 1 AND p.dflt_value IS NULL \
             AND NOT (p.pk > 0 AND upper(p.type) = 'INTEGER')"
        }
    };
    let rows = sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .map_err(SourceError::query("reading the schema"))?;
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in rows {
        let table: String = row
            .try_get("t")
            .map_err(SourceError::query("reading the schema"))?;
        let column: String = row
            .try_get("c")
            .map_err(SourceError::query("reading the schema"))?;
        if TABLES.contains(&table.as_str()) {
            out.entry(table).or_default().insert(column);
        }
    }
    Ok(out)
}

enum Bind {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// `text` (RFC 3339, or PostgreSQL's `YYYY-MM-DD HH:MM:SS[.f]` with or without an offset; no
/// offset means UTC) as an instant.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M:%S%.f%#z"] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    None
}

/// An instant as PostgreSQL's reader prints it (microseconds, UTC, `Z`).
fn format_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn row_label(table: &str, row: &toml::Table) -> String {
    match row.get("id") {
        Some(toml::Value::String(s)) => format!("{table} row {s}"),
        Some(toml::Value::Integer(i)) => format!("{table} row {i}"),
        _ => format!("a {table} row without id"),
    }
}

/// The row's `created_at` key as text, if it has one.
fn created_at_of(row: &toml::Table) -> Option<String> {
    match row.get("created_at")? {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        _ => None,
    }
}

/// What PostHog's Django code writes into `table.column` when the code creating the row does
/// not set it (see the module documentation), or `None` when the model has no such default.
fn django_default(
    table: &str,
    column: &str,
    row: &toml::Table,
) -> Result<Option<Bind>, SourceError> {
    let text = |s: &str| Ok(Some(Bind::Text(s.to_string())));
    let fixed = || {
        parse_time(FIXED_TIME)
            .ok_or_else(|| SourceError::Fixture(format!("bad FIXED_TIME {FIXED_TIME}")))
    };
    let derived_uuid = || match row.get("id") {
        Some(toml::Value::Integer(id)) => Ok(Some(Bind::Text(
            uuid::Uuid::new_v5(&UUID_NAMESPACE, format!("{table}:{id}").as_bytes()).to_string(),
        ))),
        _ => Err(SourceError::Fixture(format!(
            "{} omits uuid, and without an integer id none can be derived",
            row_label(table, row)
        ))),
    };
    match (table, column) {
        (_, "created_at") => Ok(Some(Bind::Text(format_time(fixed()?)))),
        (_, "updated_at") => {
            let created = match created_at_of(row) {
                Some(text) => parse_time(&text).ok_or_else(|| {
                    SourceError::Fixture(format!(
                        "{} omits updated_at, and its created_at {text:?} is not a timestamp \
                         to derive it from",
                        row_label(table, row)
                    ))
                })?,
                None => fixed()?,
            };
            let updated = created + TimeDelta::microseconds(UPDATED_AFTER_MICROS);
            Ok(Some(Bind::Text(format_time(updated))))
        }
        (TEAMS | USERS, "uuid") => derived_uuid(),
        (TEAMS, "name") => text("Default project"),
        (TEAMS, "timezone") => text("UTC"),
        (USERS, "password" | "first_name" | "last_name") => text(""),
        (USERS, "is_active") => Ok(Some(Bind::Bool(true))),
        (USERS, "is_staff") => Ok(Some(Bind::Bool(false))),
        (USERS, "date_joined") => {
            let joined = match created_at_of(row).as_deref().and_then(parse_time) {
                Some(t) => t,
                None => fixed()?,
            };
            Ok(Some(Bind::Text(format_time(joined))))
        }
        (TASKS, "title" | "description" | "origin_product") => text(""),
        (TASKS, "title_manually_set" | "internal" | "archived") => Ok(Some(Bind::Bool(false))),
        (TASKS, "repositories") => text("{}"),
        (TASKS, "runtime") => text("acp"),
        (RUNS, "environment") => text("cloud"),
        (RUNS, "status") => text("not_started"),
        (RUNS, "artifacts") => text("[]"),
        (RUNS, "state") => text("{}"),
        (REPORTS, "status") => text("potential"),
        (REPORTS, "total_weight") => Ok(Some(Bind::Float(0.0))),
        (REPORTS, "signal_count" | "signals_at_run" | "run_count") => Ok(Some(Bind::Int(0))),
        (REPORTS, "charts" | "metrics" | "suggested_prompts") => text("[]"),
        (PULL_REQUESTS, "state") => text("unknown"),
        (ASSIGNMENTS, "pr_merged") => Ok(Some(Bind::Bool(false))),
        _ => Ok(None),
    }
}

async fn insert(
    conn: &mut AnyConnection,
    schema: &Schema,
    table: &str,
    row: &toml::Table,
    required: &BTreeSet<String>,
) -> Result<(), SourceError> {
    let mut columns: Vec<(String, Bind)> = Vec::new();
    for (key, value) in row {
        let column = if key == "content_raw" {
            "content"
        } else {
            key.as_str()
        };
        if !schema.has_column(table, column) {
            continue;
        }
        let bind = match value {
            toml::Value::String(s) => Bind::Text(s.clone()),
            toml::Value::Integer(i) => Bind::Int(*i),
            toml::Value::Float(f) => Bind::Float(*f),
            toml::Value::Boolean(b) => Bind::Bool(*b),
            toml::Value::Datetime(d) => Bind::Text(d.to_string()),
            toml::Value::Array(_) | toml::Value::Table(_) => Bind::Text(
                serde_json::to_string(value).map_err(|e| SourceError::Fixture(e.to_string()))?,
            ),
        };
        columns.push((column.to_string(), bind));
    }
    // What Django would have written into the columns the row leaves out and the table requires.
    for column in required {
        if columns.iter().any(|(c, _)| c == column) {
            continue;
        }
        match django_default(table, column, row)? {
            Some(bind) => columns.push((column.clone(), bind)),
            None => {
                return Err(SourceError::Fixture(format!(
                    "{} omits {column}, which the table requires and PostHog's model has no \
                     default for",
                    row_label(table, row)
                )));
            }
        }
    }
    if columns.is_empty() {
        return Ok(());
    }
    let placeholders = columns
        .iter()
        .enumerate()
        .map(|(i, (column, _))| {
            let n = i + 1;
            match schema.dialect {
                Dialect::Postgres => format!(
                    "CAST(${n} AS {})",
                    schema.column_type(table, column).unwrap_or("text")
                ),
                Dialect::Sqlite => format!("?{n}"),
            }
        })
        .collect::<Vec<_>>();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        placeholders.join(", "),
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (_, value) in columns {
        q = match value {
            Bind::Text(s) => q.bind(s),
            Bind::Int(i) => q.bind(i),
            Bind::Float(f) => q.bind(f),
            Bind::Bool(b) => q.bind(b),
        };
    }
    q.execute(&mut *conn)
        .await
        .map_err(SourceError::query(&format!("inserting into {table}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updated_at_follows_created_at_by_17_microseconds() {
        let row: toml::Table = toml::from_str("created_at = \"2026-09-01T08:00:00Z\"").unwrap();
        let Some(Bind::Text(t)) = django_default(REPORTS, "updated_at", &row).unwrap() else {
            panic!("no updated_at");
        };
        assert_eq!(t, "2026-09-01T08:00:00.000017Z");
        let Some(Bind::Text(t)) = django_default(RUNS, "updated_at", &toml::Table::new()).unwrap()
        else {
            panic!("no updated_at");
        };
        assert_eq!(t, "2026-01-01T00:00:00.000017Z");
    }

    #[test]
    fn derived_uuids_are_stable_and_distinct_per_table() {
        let row: toml::Table = toml::from_str("id = 1").unwrap();
        let uuid = |table| match django_default(table, "uuid", &row).unwrap() {
            Some(Bind::Text(t)) => t,
            _ => panic!("no uuid"),
        };
        assert_eq!(uuid(TEAMS), uuid(TEAMS));
        assert_ne!(uuid(TEAMS), uuid(USERS));
    }
}
