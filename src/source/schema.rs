//! What the connected database holds: its dialect and, read once at start, the columns of the
//! tables reportpress knows. Every query is assembled from this, so a column that an older or
//! newer PostHog version lacks becomes a typed NULL instead of an error.

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use super::SourceError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

/// How a selected column is normalised, so both databases decode through the same code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// uuid, varchar, text, json(b): as text.
    Text,
    /// timestamptz: as RFC 3339 text in UTC.
    Time,
    /// integer, bigint: as a 64-bit integer.
    Int,
    /// boolean: as a 64-bit integer, 0 or 1.
    Bool,
}

impl Dialect {
    /// The `n`-th bind parameter (1-based).
    pub fn param(self, n: usize) -> String {
        match self {
            Dialect::Postgres => format!("${n}"),
            Dialect::Sqlite => format!("?{n}"),
        }
    }

    /// A bind parameter compared with a uuid column (text in SQLite).
    pub fn uuid_param(self, n: usize) -> String {
        match self {
            Dialect::Postgres => format!("CAST(${n} AS uuid)"),
            Dialect::Sqlite => format!("?{n}"),
        }
    }

    /// `expr` normalised to `kind`.
    pub fn select(self, expr: &str, kind: Kind) -> String {
        match (self, kind) {
            (Dialect::Postgres, Kind::Text) => format!("CAST({expr} AS text)"),
            (Dialect::Postgres, Kind::Time) => {
                format!("to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
            }
            (Dialect::Postgres, Kind::Int) => format!("CAST({expr} AS bigint)"),
            // PostgreSQL casts boolean to integer, not to bigint.
            (Dialect::Postgres, Kind::Bool) => format!("CAST(CAST({expr} AS integer) AS bigint)"),
            (Dialect::Sqlite, Kind::Text | Kind::Time) => format!("CAST({expr} AS TEXT)"),
            (Dialect::Sqlite, Kind::Int | Kind::Bool) => format!("CAST({expr} AS INTEGER)"),
        }
    }

    /// A typed NULL standing in for a column the database does not have.
    pub fn null(self, kind: Kind) -> &'static str {
        match (self, kind) {
            (Dialect::Postgres, Kind::Int | Kind::Bool) => "CAST(NULL AS bigint)",
            (Dialect::Postgres, _) => "CAST(NULL AS text)",
            (Dialect::Sqlite, _) => "NULL",
        }
    }
}

/// The tables reportpress reads. The first two are required; the others are optional
/// (a missing one reads as empty).
pub const REPORTS: &str = "signals_signalreport";
pub const ARTEFACTS: &str = "signals_signalreportartefact";
pub const USERS: &str = "posthog_user";
pub const TASKS: &str = "posthog_task";
pub const RUNS: &str = "posthog_task_run";
pub const LINKS: &str = "signals_signalreporttask";
pub const TEAMS: &str = "posthog_team";
/// Newer PostHog tables (migrations 0115 and later): a report's pull requests with their state,
/// and the legacy assignment (who holds the report, its PR).
pub const PULL_REQUESTS: &str = "signals_signalreportpullrequest";
pub const ASSIGNMENTS: &str = "signals_signalreportassignment";
/// History tables of a snapshot archive (see `archive_schema.sql`).
pub const SEEN: &str = "reportpress_row";
pub const VERSIONS: &str = "reportpress_version";
const KNOWN: [&str; 11] = [
    REPORTS,
    ARTEFACTS,
    USERS,
    TASKS,
    RUNS,
    LINKS,
    TEAMS,
    PULL_REQUESTS,
    ASSIGNMENTS,
    SEEN,
    VERSIONS,
];

#[derive(Clone, Debug)]
pub struct Schema {
    pub dialect: Dialect,
    /// table → column → the database's type name (`udt_name` in PostgreSQL).
    tables: BTreeMap<String, BTreeMap<String, String>>,
}

impl Schema {
    pub async fn introspect(
        conn: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<Schema, SourceError> {
        let sql = match dialect {
            Dialect::Postgres => {
                "SELECT CAST(table_name AS text) AS t, CAST(column_name AS text) AS c, \
                 CAST(udt_name AS text) AS ty FROM information_schema.columns \
                 WHERE table_schema = current_schema() \
                 ORDER BY table_name, ordinal_position"
            }
            Dialect::Sqlite => {
                "SELECT m.name AS t, p.name AS c, p.type AS ty FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p WHERE m.type IN ('table', 'view') \
                 ORDER BY m.name, p.cid"
            }
        };
        let rows = sqlx::query(sql)
            .fetch_all(&mut *conn)
            .await
            .map_err(SourceError::query("reading the schema"))?;
        let mut tables: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for row in rows {
            let table: String = row
                .try_get("t")
                .map_err(SourceError::query("reading the schema"))?;
            if !KNOWN.contains(&table.as_str()) {
                continue;
            }
            let column: String = row
                .try_get("c")
                .map_err(SourceError::query("reading the schema"))?;
            let ty: Option<String> = row
                .try_get("ty")
                .map_err(SourceError::query("reading the schema"))?;
            tables
                .entry(table)
                .or_default()
                .insert(column, ty.unwrap_or_default().to_lowercase());
        }
        let schema = Schema { dialect, tables };
        for table in [REPORTS, ARTEFACTS] {
            if !schema.has_table(table) {
                return Err(SourceError::MissingTable(table.to_string()));
            }
        }
        Ok(schema)
    }

    pub fn has_table(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    pub fn has_column(&self, table: &str, column: &str) -> bool {
        self.column_type(table, column).is_some()
    }

    pub fn column_type(&self, table: &str, column: &str) -> Option<&str> {
        self.tables.get(table)?.get(column).map(String::as_str)
    }

    /// `alias.column` normalised to `kind` and named `column`, or a typed NULL of that name.
    pub fn col(&self, table: &str, alias: &str, column: &str, kind: Kind) -> String {
        self.col_as(table, alias, column, kind, column)
    }

    /// As [`Schema::col`], named `name`.
    pub fn col_as(&self, table: &str, alias: &str, column: &str, kind: Kind, name: &str) -> String {
        let expr = if self.has_column(table, column) {
            self.dialect.select(&format!("{alias}.{column}"), kind)
        } else {
            self.dialect.null(kind).to_string()
        };
        format!("{expr} AS {name}")
    }
}
