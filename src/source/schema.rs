//! What the connected database holds: its dialect and, read once at start, the columns of the
//! tables reportpress knows, checked against the columns it reads of each ([`READS`]). Every query is assembled from this, so a column that an older or
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

    /// `expr` normalised to `kind`. With `bytes`, text comes as the bytes the database holds
    /// (decoded by the reader, which never fails on bytes that are not UTF-8): always in SQLite,
    /// whose TEXT may hold any bytes, and in a PostgreSQL database whose encoding is
    /// `SQL_ASCII`, which checks none.
    pub fn select(self, expr: &str, kind: Kind, bytes: bool) -> String {
        match (self, kind) {
            // The database's bytes as they are (`textsend` would convert them to the client's
            // encoding, and fail on the very bytes this is for).
            (Dialect::Postgres, Kind::Text) if bytes => {
                format!("convert_to(CAST({expr} AS text), 'SQL_ASCII')")
            }
            (Dialect::Postgres, Kind::Text) => format!("CAST({expr} AS text)"),
            (Dialect::Postgres, Kind::Time) => {
                format!("to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
            }
            (Dialect::Postgres, Kind::Int) => format!("CAST({expr} AS bigint)"),
            // PostgreSQL casts boolean to integer, not to bigint.
            (Dialect::Postgres, Kind::Bool) => format!("CAST(CAST({expr} AS integer) AS bigint)"),
            (Dialect::Sqlite, Kind::Text | Kind::Time) if bytes => format!("CAST({expr} AS BLOB)"),
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

/// Every column each known table is read for (selected, joined on or filtered by): the
/// columns whose `SELECT` privilege [`Schema::introspect`] checks, so that a column the role may
/// not read is an error, never a NULL. A query naming a column missing here fails a unit test.
pub const READS: [(&str, &[&str]); 11] = [
    (
        REPORTS,
        &[
            "id",
            "team_id",
            "status",
            "title",
            "summary",
            "error",
            "signal_count",
            "created_at",
            "updated_at",
            "run_count",
            "corroboration_count",
            "content_revision_count",
            "implemented_at_run_count",
            "implemented_at_revision_count",
        ],
    ),
    (
        ARTEFACTS,
        &[
            "id",
            "team_id",
            "report_id",
            "type",
            "content",
            "text_content",
            "created_at",
            "updated_at",
            "created_by_id",
            "task_id",
            "channel_id",
            "actor_kind",
            "actor_agent",
            "claim_id",
            "pull_request_id",
        ],
    ),
    (USERS, &["id", "uuid", "email", "first_name", "last_name"]),
    (
        TASKS,
        &[
            "id",
            "team_id",
            "title",
            "repository",
            "origin_product",
            "created_at",
        ],
    ),
    (
        RUNS,
        &[
            "id",
            "task_id",
            "team_id",
            "status",
            "stage",
            "branch",
            "output",
            "error_message",
            "created_at",
            "completed_at",
        ],
    ),
    (
        LINKS,
        &[
            "id",
            "team_id",
            "report_id",
            "task_id",
            "relationship",
            "created_at",
        ],
    ),
    (TEAMS, &["id"]),
    (
        PULL_REQUESTS,
        &[
            "id",
            "team_id",
            "repository",
            "number",
            "url",
            "state",
            "checked_at",
            "merged_at",
            "created_at",
            "updated_at",
        ],
    ),
    (
        ASSIGNMENTS,
        &[
            "id",
            "team_id",
            "report_id",
            "actor_kind",
            "actor_user_id",
            "actor_task_id",
            "actor_agent",
            "claimed_at",
            "pr_url",
            "repository",
            "pr_number",
            "pr_state",
            "pr_merged",
            "created_at",
            "updated_at",
        ],
    ),
    (
        SEEN,
        &[
            "kind",
            "id",
            "report_id",
            "first_seen",
            "since",
            "last_seen",
            "gone_at",
        ],
    ),
    (
        VERSIONS,
        &[
            "kind",
            "id",
            "report_id",
            "version",
            "content",
            "updated_at",
            "first_seen",
            "last_seen",
        ],
    ),
];
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

/// One column of a known table.
#[derive(Clone, Debug)]
struct Column {
    /// The database's type name (PostgreSQL's `pg_type.typname`, a domain's base type; SQLite's
    /// declared type), lowercase.
    ty: String,
    /// Whether the connected role may `SELECT` it (always, in SQLite).
    readable: bool,
}

#[derive(Clone, Debug)]
pub struct Schema {
    pub dialect: Dialect,
    /// table → column → its type and whether it may be read. Every column the database has,
    /// readable or not: a column hidden from the role is not a column the database lacks.
    tables: BTreeMap<String, BTreeMap<String, Column>>,
    /// Text is read as bytes, so that bytes that are not UTF-8 never fail a read (see
    /// [`Dialect::select`]).
    bytes: bool,
    /// The PostgreSQL role reading, quoted as an identifier, for the `GRANT` a permission
    /// error advises.
    role: Option<String>,
}

impl Schema {
    /// Reads which known tables and columns the database has and, in PostgreSQL, checks that
    /// the role may read every one reportpress reads ([`READS`]): one it may not
    /// is an error naming it and the `GRANT` that fixes it, raised here, before anything is
    /// read or written. (PostgreSQL's `information_schema` lists only the columns a role has a
    /// privilege on, so the catalog is read instead: every column, with the role's privilege.)
    pub async fn introspect(
        conn: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<Schema, SourceError> {
        let context = "reading the schema";
        let known = KNOWN
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = match dialect {
            Dialect::Postgres => format!(
                "SELECT CAST(c.relname AS text) AS t, CAST(a.attname AS text) AS c, \
                 CAST(CASE WHEN ty.typtype = 'd' THEN bt.typname ELSE ty.typname END AS text) AS ty, \
                 CAST(CASE WHEN has_column_privilege(c.oid, a.attnum, 'SELECT') THEN 1 ELSE 0 END \
                 AS bigint) AS readable \
                 FROM pg_catalog.pg_class c \
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid \
                 JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid \
                 LEFT JOIN pg_catalog.pg_type bt ON bt.oid = ty.typbasetype \
                 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
                 AND a.attnum > 0 AND NOT a.attisdropped AND c.relname IN ({known}) \
                 ORDER BY c.relname, a.attnum"
            ),
            Dialect::Sqlite => format!(
                "SELECT m.name AS t, p.name AS c, p.type AS ty, 1 AS readable FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p WHERE m.type IN ('table', 'view') \
                 AND m.name IN ({known}) ORDER BY m.name, p.cid"
            ),
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *conn)
            .await
            .map_err(SourceError::query(context))?;
        let mut tables: BTreeMap<String, BTreeMap<String, Column>> = BTreeMap::new();
        for row in rows {
            let table: String = row.try_get("t").map_err(SourceError::query(context))?;
            let column: String = row.try_get("c").map_err(SourceError::query(context))?;
            let ty: Option<String> = row.try_get("ty").map_err(SourceError::query(context))?;
            let readable: i64 = row
                .try_get("readable")
                .map_err(SourceError::query(context))?;
            tables.entry(table).or_default().insert(
                column,
                Column {
                    ty: ty.unwrap_or_default().to_lowercase(),
                    readable: readable != 0,
                },
            );
        }
        let (role, bytes) = match dialect {
            Dialect::Postgres => {
                let row = sqlx::query(
                    "SELECT CAST(quote_ident(current_user) AS text) AS role, \
                     CAST(current_setting('server_encoding') AS text) AS encoding",
                )
                .fetch_one(&mut *conn)
                .await
                .map_err(SourceError::query(context))?;
                let role: String = row.try_get("role").map_err(SourceError::query(context))?;
                let encoding: String = row
                    .try_get("encoding")
                    .map_err(SourceError::query(context))?;
                // Any other encoding is checked on the way in and converted to UTF-8 on the
                // way out; SQL_ASCII passes bytes through unchecked.
                (Some(role), encoding.eq_ignore_ascii_case("SQL_ASCII"))
            }
            Dialect::Sqlite => (None, true),
        };
        let schema = Schema {
            dialect,
            tables,
            bytes,
            role,
        };
        for table in [REPORTS, ARTEFACTS] {
            if !schema.has_table(table) {
                schema.schema_usage(conn, table).await?;
                return Err(SourceError::MissingTable(table.to_string()));
            }
        }
        schema.check_readable(&READS)?;
        Ok(schema)
    }

    /// In PostgreSQL, `table` missing from the current schema may be a schema the role lacks
    /// `USAGE` on (it then drops out of the search path): that error rather than "not found".
    async fn schema_usage(&self, conn: &mut AnyConnection, table: &str) -> Result<(), SourceError> {
        if self.dialect != Dialect::Postgres {
            return Ok(());
        }
        // The search path as set, `$user` resolved (quoted names lose their quotes).
        let sql = format!(
            "SELECT CAST(n.nspname AS text) AS s FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relname = '{table}' AND NOT has_schema_privilege(n.oid, 'USAGE') \
             AND n.nspname = ANY(string_to_array(replace(replace(replace( \
             current_setting('search_path'), ' ', ''), '\"$user\"', current_user), '\"', ''), ',')) \
             ORDER BY n.nspname LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_optional(&mut *conn)
            .await
            .map_err(SourceError::query("reading the schema"))?;
        let Some(row) = row else { return Ok(()) };
        let name: String = row
            .try_get("s")
            .map_err(SourceError::query("reading the schema"))?;
        Err(SourceError::Permission {
            what: format!("schema {name}"),
            fix: format!("GRANT USAGE ON SCHEMA {name} TO {}", self.role_name()),
            source: None,
        })
    }

    /// Every table and column of `reads` that the database has but the role may not read, as
    /// one error naming them (a table by its name when none of its columns may be read) and
    /// the `GRANT` that fixes it.
    fn check_readable(&self, reads: &[(&str, &[&str])]) -> Result<(), SourceError> {
        let mut what = Vec::new();
        let mut tables = Vec::new();
        for (table, columns) in reads {
            let Some(have) = self.tables.get(*table) else {
                continue;
            };
            let present: Vec<&str> = columns
                .iter()
                .copied()
                .filter(|c| have.contains_key(*c))
                .collect();
            let denied: Vec<&str> = present
                .iter()
                .copied()
                .filter(|c| have.get(*c).is_some_and(|c| !c.readable))
                .collect();
            if denied.is_empty() {
                continue;
            }
            if denied.len() == present.len() {
                what.push(table.to_string());
            } else {
                what.extend(denied.iter().map(|c| format!("{table}.{c}")));
            }
            tables.push(*table);
        }
        if what.is_empty() {
            return Ok(());
        }
        Err(SourceError::Permission {
            what: what.join(", "),
            fix: format!(
                "GRANT SELECT ON {} TO {}",
                tables.join(", "),
                self.role_name()
            ),
            source: None,
        })
    }

    /// The PostgreSQL role reading, quoted as an identifier, if known.
    pub fn role(&self) -> Option<&str> {
        self.role.as_deref()
    }

    fn role_name(&self) -> &str {
        self.role().unwrap_or(super::UNKNOWN_ROLE)
    }

    pub fn has_table(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    /// Whether the database has the column (readable or not: one reportpress reads is
    /// readable once [`Schema::introspect`] succeeded).
    pub fn has_column(&self, table: &str, column: &str) -> bool {
        self.column_type(table, column).is_some()
    }

    pub fn column_type(&self, table: &str, column: &str) -> Option<&str> {
        self.tables.get(table)?.get(column).map(|c| c.ty.as_str())
    }

    /// `alias.column` normalised to `kind` and named `column`, or a typed NULL of that name.
    pub fn col(&self, table: &str, alias: &str, column: &str, kind: Kind) -> String {
        self.col_as(table, alias, column, kind, column)
    }

    /// As [`Schema::col`], named `name`.
    pub fn col_as(&self, table: &str, alias: &str, column: &str, kind: Kind, name: &str) -> String {
        let expr = if self.has_column(table, column) {
            self.dialect
                .select(&format!("{alias}.{column}"), kind, self.bytes)
        } else {
            self.dialect.null(kind).to_string()
        };
        format!("{expr} AS {name}")
    }
}

#[cfg(test)]
impl Schema {
    /// A schema of `tables` (every column text; `denied` ones not readable), as a role.
    pub(crate) fn for_tests(
        dialect: Dialect,
        tables: &[(&str, &[&str])],
        denied: &[(&str, &str)],
    ) -> Schema {
        let tables = tables
            .iter()
            .map(|(table, columns)| {
                let columns = columns
                    .iter()
                    .map(|c| {
                        let column = Column {
                            ty: "text".into(),
                            readable: !denied.contains(&(*table, *c)),
                        };
                        (c.to_string(), column)
                    })
                    .collect();
                (table.to_string(), columns)
            })
            .collect();
        Schema {
            dialect,
            tables,
            bytes: dialect == Dialect::Sqlite,
            role: Some("reader".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denied(denied: &[(&str, &str)]) -> String {
        Schema::for_tests(Dialect::Postgres, &READS, denied)
            .check_readable(&READS)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn a_table_or_column_the_role_may_not_read_is_an_error_naming_the_grant() {
        assert_eq!(denied(&[]), "");
        let all_of_links: Vec<(&str, &str)> = READS
            .iter()
            .filter(|(t, _)| *t == LINKS)
            .flat_map(|(t, cs)| cs.iter().map(move |c| (*t, *c)))
            .collect();
        assert_eq!(
            denied(&all_of_links),
            "cannot read signals_signalreporttask: permission denied; \
             GRANT SELECT ON signals_signalreporttask TO reader"
        );
        assert_eq!(
            denied(&[(ARTEFACTS, "content"), (USERS, "first_name")]),
            "cannot read signals_signalreportartefact.content, posthog_user.first_name: \
             permission denied; GRANT SELECT ON signals_signalreportartefact, posthog_user TO reader"
        );
        // A column reportpress does not read needs no grant.
        let mut users: Vec<&str> = READS[2].1.to_vec();
        users.push("password");
        let schema = Schema::for_tests(
            Dialect::Postgres,
            &[(REPORTS, &["id"]), (ARTEFACTS, &["id"]), (USERS, &users)],
            &[(USERS, "password")],
        );
        assert!(schema.check_readable(&READS).is_ok());
    }

    #[test]
    fn text_is_read_as_bytes_where_it_may_not_be_utf8() {
        let sqlite = Schema::for_tests(Dialect::Sqlite, &READS, &[]);
        assert_eq!(
            sqlite.col(USERS, "u", "first_name", Kind::Text),
            "CAST(u.first_name AS BLOB) AS first_name"
        );
        assert_eq!(
            sqlite.col(USERS, "u", "id", Kind::Int),
            "CAST(u.id AS INTEGER) AS id"
        );
        let pg = Schema::for_tests(Dialect::Postgres, &READS, &[]);
        assert_eq!(
            pg.col(USERS, "u", "first_name", Kind::Text),
            "CAST(u.first_name AS text) AS first_name"
        );
        let ascii = Schema { bytes: true, ..pg };
        assert_eq!(
            ascii.col(USERS, "u", "first_name", Kind::Text),
            "convert_to(CAST(u.first_name AS text), 'SQL_ASCII') AS first_name"
        );
    }
}
