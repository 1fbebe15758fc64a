//! The SQL the reader runs, assembled once per query from the introspected [`Schema`]: every
//! column normalised to text, integer or RFC 3339 text, absent columns replaced by typed NULLs.
//! Nothing from the user or the database is ever spliced in: values travel as bind parameters.

use super::schema::{
    ARTEFACTS, ASSIGNMENTS, Dialect, Kind, LINKS, PULL_REQUESTS, REPORTS, RUNS, SEEN, Schema,
    TASKS, TEAMS, USERS, VERSIONS,
};

fn params(schema: &Schema, first: usize, count: usize, uuid: bool) -> String {
    (first..first + count)
        .map(|n| {
            if uuid {
                schema.dialect.uuid_param(n)
            } else {
                schema.dialect.param(n)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn teams(schema: &Schema) -> String {
    format!(
        "SELECT DISTINCT {} FROM {REPORTS} r ORDER BY 1",
        schema.col(REPORTS, "r", "team_id", Kind::Int)
    )
}

pub fn known_teams(schema: &Schema) -> Option<String> {
    schema.has_table(TEAMS).then(|| {
        format!(
            "SELECT {} FROM {TEAMS} t ORDER BY 1",
            schema.col(TEAMS, "t", "id", Kind::Int)
        )
    })
}

/// Every `posthog_user` row, whatever its team (for `--redact people`), by id.
pub fn people(schema: &Schema) -> Option<String> {
    let c = |column, kind| schema.col(USERS, "u", column, kind);
    schema.has_table(USERS).then(|| {
        format!(
            "SELECT {}, {}, {}, {}, {} FROM {USERS} u ORDER BY 1",
            c("id", Kind::Int),
            c("uuid", Kind::Text),
            c("email", Kind::Text),
            c("first_name", Kind::Text),
            c("last_name", Kind::Text),
        )
    })
}

fn report_columns(schema: &Schema) -> String {
    let c = |column, kind| schema.col(REPORTS, "r", column, kind);
    format!(
        "{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}",
        c("id", Kind::Text),
        c("team_id", Kind::Int),
        c("status", Kind::Text),
        c("title", Kind::Text),
        c("summary", Kind::Text),
        c("error", Kind::Text),
        c("signal_count", Kind::Int),
        c("created_at", Kind::Time),
        c("updated_at", Kind::Time),
        c("run_count", Kind::Int),
        c("corroboration_count", Kind::Int),
        c("content_revision_count", Kind::Int),
        c("implemented_at_run_count", Kind::Int),
        c("implemented_at_revision_count", Kind::Int),
    )
}

pub fn reports(schema: &Schema, teams: usize, include_deleted: bool) -> String {
    let deleted = if include_deleted {
        ""
    } else {
        " AND COALESCE(r.status, '') <> 'deleted'"
    };
    format!(
        "SELECT {} FROM {REPORTS} r WHERE r.team_id IN ({}){deleted} ORDER BY 1",
        report_columns(schema),
        params(schema, 1, teams, false),
    )
}

/// One report by id, whatever its team. Binds: the report id.
pub fn report(schema: &Schema) -> String {
    format!(
        "SELECT {} FROM {REPORTS} r WHERE r.id = {}",
        report_columns(schema),
        schema.dialect.uuid_param(1),
    )
}

/// One report's artefacts with their authors. Binds: report id, team id.
pub fn artefacts(schema: &Schema) -> String {
    let c = |column, kind| schema.col(ARTEFACTS, "a", column, kind);
    // `content` was bytea before PostHog's migration 0004 (read as bytes, which the reader
    // decodes without failing on any), and a side branch named it `text_content`.
    let content = match schema.column_type(ARTEFACTS, "content") {
        Some("bytea") => "a.content AS content".to_string(),
        Some(_) => c("content", Kind::Text),
        None => schema.col_as(ARTEFACTS, "a", "text_content", Kind::Text, "content"),
    };
    let join_users = schema.has_table(USERS) && schema.has_column(ARTEFACTS, "created_by_id");
    let u = |column, name| {
        if join_users {
            schema.col_as(USERS, "u", column, Kind::Text, name)
        } else {
            format!("{} AS {name}", schema.dialect.null(Kind::Text))
        }
    };
    let user_id = if join_users {
        schema.col_as(USERS, "u", "id", Kind::Int, "user_id")
    } else {
        format!("{} AS user_id", schema.dialect.null(Kind::Int))
    };
    let join = if join_users {
        format!(" LEFT JOIN {USERS} u ON u.id = a.created_by_id")
    } else {
        String::new()
    };
    format!(
        "SELECT {}, {}, {content}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {user_id}, {}, {}, {}, {} \
         FROM {ARTEFACTS} a{join} WHERE a.report_id = {} AND a.team_id = {}",
        c("id", Kind::Text),
        c("type", Kind::Text),
        c("created_at", Kind::Time),
        c("updated_at", Kind::Time),
        c("created_by_id", Kind::Int),
        c("task_id", Kind::Text),
        c("channel_id", Kind::Text),
        c("actor_kind", Kind::Text),
        c("actor_agent", Kind::Text),
        c("claim_id", Kind::Text),
        c("pull_request_id", Kind::Text),
        u("uuid", "user_uuid"),
        u("email", "user_email"),
        u("first_name", "user_first_name"),
        u("last_name", "user_last_name"),
        schema.dialect.uuid_param(1),
        schema.dialect.param(2),
    )
}

/// Legacy report ↔ task links of one report. Binds: report id, team id.
pub fn links(schema: &Schema) -> Option<String> {
    let c = |column, kind| schema.col(LINKS, "l", column, kind);
    schema.has_table(LINKS).then(|| {
        format!(
            "SELECT {}, {}, {}, {} FROM {LINKS} l WHERE l.report_id = {} AND l.team_id = {}",
            c("id", Kind::Text),
            c("task_id", Kind::Text),
            c("relationship", Kind::Text),
            c("created_at", Kind::Time),
            schema.dialect.uuid_param(1),
            schema.dialect.param(2),
        )
    })
}

/// Pull request rows by id. Binds: `count` ids, then the team id.
pub fn pull_requests(schema: &Schema, count: usize) -> Option<String> {
    let c = |column, kind| schema.col(PULL_REQUESTS, "p", column, kind);
    schema.has_table(PULL_REQUESTS).then(|| {
        format!(
            "SELECT {}, {}, {}, {}, {}, {}, {}, {}, {} FROM {PULL_REQUESTS} p \
             WHERE p.id IN ({}) AND p.team_id = {} ORDER BY 1",
            c("id", Kind::Text),
            c("repository", Kind::Text),
            c("number", Kind::Int),
            c("url", Kind::Text),
            c("state", Kind::Text),
            c("checked_at", Kind::Time),
            c("merged_at", Kind::Time),
            c("created_at", Kind::Time),
            c("updated_at", Kind::Time),
            params(schema, 1, count, true),
            schema.dialect.param(count + 1),
        )
    })
}

/// One report's assignment row(s), with the user who holds it. Binds: report id, team id.
pub fn assignments(schema: &Schema) -> Option<String> {
    let c = |column, kind| schema.col(ASSIGNMENTS, "s", column, kind);
    let join_users = schema.has_table(USERS) && schema.has_column(ASSIGNMENTS, "actor_user_id");
    let u = |column, kind, name| {
        if join_users {
            schema.col_as(USERS, "u", column, kind, name)
        } else {
            format!("{} AS {name}", schema.dialect.null(kind))
        }
    };
    let join = if join_users {
        format!(" LEFT JOIN {USERS} u ON u.id = s.actor_user_id")
    } else {
        String::new()
    };
    schema.has_table(ASSIGNMENTS).then(|| {
        format!(
            "SELECT {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {} \
             FROM {ASSIGNMENTS} s{join} WHERE s.report_id = {} AND s.team_id = {} ORDER BY 1",
            c("id", Kind::Text),
            c("actor_kind", Kind::Text),
            c("actor_user_id", Kind::Int),
            c("actor_task_id", Kind::Text),
            c("actor_agent", Kind::Text),
            c("claimed_at", Kind::Time),
            c("pr_url", Kind::Text),
            c("repository", Kind::Text),
            c("pr_number", Kind::Int),
            c("pr_state", Kind::Text),
            c("pr_merged", Kind::Bool),
            c("created_at", Kind::Time),
            c("updated_at", Kind::Time),
            u("id", Kind::Int, "user_id"),
            u("uuid", Kind::Text, "user_uuid"),
            u("email", Kind::Text, "user_email"),
            u("first_name", Kind::Text, "user_first_name"),
            u("last_name", Kind::Text, "user_last_name"),
            schema.dialect.uuid_param(1),
            schema.dialect.param(2),
        )
    })
}

/// People by uuid (reviewers and dismissals name them so). Binds: `count` uuids.
pub fn people_by_uuid(schema: &Schema, count: usize) -> Option<String> {
    let c = |column, kind| schema.col(USERS, "u", column, kind);
    schema.has_table(USERS).then(|| {
        format!(
            "SELECT {}, {}, {}, {}, {} FROM {USERS} u WHERE u.uuid IN ({}) ORDER BY 1",
            c("id", Kind::Int),
            c("uuid", Kind::Text),
            c("email", Kind::Text),
            c("first_name", Kind::Text),
            c("last_name", Kind::Text),
            params(schema, 1, count, true),
        )
    })
}

/// Tasks by id. Binds: `count` task ids, then the team id.
pub fn tasks(schema: &Schema, count: usize) -> Option<String> {
    let c = |column, kind| schema.col(TASKS, "t", column, kind);
    schema.has_table(TASKS).then(|| {
        format!(
            "SELECT {}, {}, {}, {}, {} FROM {TASKS} t WHERE t.id IN ({}) AND t.team_id = {}",
            c("id", Kind::Text),
            c("title", Kind::Text),
            c("repository", Kind::Text),
            c("origin_product", Kind::Text),
            c("created_at", Kind::Time),
            params(schema, 1, count, true),
            schema.dialect.param(count + 1),
        )
    })
}

/// The runs of tasks. Binds: `count` task ids, then the team id.
pub fn runs(schema: &Schema, count: usize) -> Option<String> {
    let c = |column, kind| schema.col(RUNS, "r", column, kind);
    schema.has_table(RUNS).then(|| {
        format!(
            "SELECT {}, {}, {}, {}, {}, {}, {}, {}, {} FROM {RUNS} r \
             WHERE r.task_id IN ({}) AND r.team_id = {}",
            c("id", Kind::Text),
            c("task_id", Kind::Text),
            c("status", Kind::Text),
            c("stage", Kind::Text),
            c("branch", Kind::Text),
            c("output", Kind::Text),
            c("error_message", Kind::Text),
            c("created_at", Kind::Time),
            c("completed_at", Kind::Time),
            params(schema, 1, count, true),
            schema.dialect.param(count + 1),
        )
    })
}

/// What snapshots saw of one report's rows (a snapshot archive only). Binds: report id.
pub fn seen(schema: &Schema) -> Option<String> {
    let c = |column, kind| schema.col(SEEN, "s", column, kind);
    schema.has_table(SEEN).then(|| {
        format!(
            "SELECT {}, {}, {}, {}, {}, {} FROM {SEEN} s WHERE s.report_id = {}",
            c("kind", Kind::Text),
            c("id", Kind::Text),
            c("first_seen", Kind::Text),
            c("since", Kind::Text),
            c("last_seen", Kind::Text),
            c("gone_at", Kind::Text),
            schema.dialect.param(1),
        )
    })
}

/// Earlier versions of one report's edited rows (a snapshot archive only). Binds: report id.
pub fn versions(schema: &Schema) -> Option<String> {
    let c = |column, kind| schema.col(VERSIONS, "v", column, kind);
    schema.has_table(VERSIONS).then(|| {
        format!(
            "SELECT {}, {}, {}, {}, {}, {}, {} FROM {VERSIONS} v WHERE v.report_id = {}",
            c("kind", Kind::Text),
            c("id", Kind::Text),
            c("version", Kind::Int),
            c("content", Kind::Text),
            c("updated_at", Kind::Text),
            c("first_seen", Kind::Text),
            c("last_seen", Kind::Text),
            schema.dialect.param(1),
        )
    })
}

/// A column a signature covers, and whether it may be long (hashed whole in PostgreSQL, summed
/// up by its length and its last bytes in SQLite: see [`signatures`]).
type Covered = (&'static str, Kind, bool);

const REPORT_COVERED: [Covered; 14] = [
    ("id", Kind::Text, false),
    ("team_id", Kind::Int, false),
    ("status", Kind::Text, false),
    ("title", Kind::Text, true),
    ("summary", Kind::Text, true),
    ("error", Kind::Text, true),
    ("signal_count", Kind::Int, false),
    ("created_at", Kind::Time, false),
    ("updated_at", Kind::Time, false),
    ("run_count", Kind::Int, false),
    ("corroboration_count", Kind::Int, false),
    ("content_revision_count", Kind::Int, false),
    ("implemented_at_run_count", Kind::Int, false),
    ("implemented_at_revision_count", Kind::Int, false),
];
const ARTEFACT_COVERED: [Covered; 13] = [
    ("id", Kind::Text, false),
    ("type", Kind::Text, false),
    ("content", Kind::Text, true),
    ("text_content", Kind::Text, true),
    ("created_at", Kind::Time, false),
    ("updated_at", Kind::Time, false),
    ("created_by_id", Kind::Int, false),
    ("task_id", Kind::Text, false),
    ("channel_id", Kind::Text, false),
    ("actor_kind", Kind::Text, false),
    ("actor_agent", Kind::Text, false),
    ("claim_id", Kind::Text, false),
    ("pull_request_id", Kind::Text, false),
];
const LINK_COVERED: [Covered; 4] = [
    ("id", Kind::Text, false),
    ("task_id", Kind::Text, false),
    ("relationship", Kind::Text, false),
    ("created_at", Kind::Time, false),
];
const ASSIGNMENT_COVERED: [Covered; 13] = [
    ("id", Kind::Text, false),
    ("actor_kind", Kind::Text, false),
    ("actor_user_id", Kind::Int, false),
    ("actor_task_id", Kind::Text, false),
    ("actor_agent", Kind::Text, false),
    ("claimed_at", Kind::Time, false),
    ("pr_url", Kind::Text, false),
    ("repository", Kind::Text, false),
    ("pr_number", Kind::Int, false),
    ("pr_state", Kind::Text, false),
    ("pr_merged", Kind::Bool, false),
    ("created_at", Kind::Time, false),
    ("updated_at", Kind::Time, false),
];
const SEEN_COVERED: [Covered; 6] = [
    ("kind", Kind::Text, false),
    ("id", Kind::Text, false),
    ("first_seen", Kind::Text, false),
    ("since", Kind::Text, false),
    ("last_seen", Kind::Text, false),
    ("gone_at", Kind::Text, false),
];
const VERSION_COVERED: [Covered; 7] = [
    ("kind", Kind::Text, false),
    ("id", Kind::Text, false),
    ("version", Kind::Int, false),
    ("content", Kind::Text, true),
    ("updated_at", Kind::Text, false),
    ("first_seen", Kind::Text, false),
    ("last_seen", Kind::Text, false),
];
const TASK_COVERED: [Covered; 4] = [
    ("title", Kind::Text, true),
    ("repository", Kind::Text, false),
    ("origin_product", Kind::Text, false),
    ("created_at", Kind::Time, false),
];
const RUN_COVERED: [Covered; 8] = [
    ("id", Kind::Text, false),
    ("status", Kind::Text, false),
    ("stage", Kind::Text, false),
    ("branch", Kind::Text, false),
    ("output", Kind::Text, true),
    ("error_message", Kind::Text, true),
    ("created_at", Kind::Time, false),
    ("completed_at", Kind::Time, false),
];
const PULL_REQUEST_COVERED: [Covered; 8] = [
    ("repository", Kind::Text, false),
    ("number", Kind::Int, false),
    ("url", Kind::Text, false),
    ("state", Kind::Text, false),
    ("checked_at", Kind::Time, false),
    ("merged_at", Kind::Time, false),
    ("created_at", Kind::Time, false),
    ("updated_at", Kind::Time, false),
];
const USER_COVERED: [Covered; 5] = [
    ("id", Kind::Int, false),
    ("uuid", Kind::Text, false),
    ("email", Kind::Text, false),
    ("first_name", Kind::Text, false),
    ("last_name", Kind::Text, false),
];

/// One row of `table` (as `alias`) summed up as text: in PostgreSQL the SHA-256 (hex) of the
/// row of every covered column, normalised as the reader reads it; in SQLite a JSON array of
/// every column as the reader reads it (cast as [`Dialect::select`] casts it; JSON quotes text,
/// tells NULL from '', escapes NUL and passes bytes that are not UTF-8 through as they are, so
/// two rows the reader would read differently never give the same text), a long one as
/// its length in bytes and the hex of its last 32 bytes. One `json_array()` a row costs 25 % less
/// than a `quote()` a column joined by `concat()`, and the length and the end are cheap where
/// characters are not: the length is in the record's header, and the end of a blob is found
/// without decoding what comes before it (`length()` and a negative `substr()` of text walk every
/// character: at 10,000 reports dropping them took the artefact part of the query from 3.36 to
/// 2.12 s).
fn row_signature(schema: &Schema, table: &str, alias: &str, covered: &[Covered]) -> String {
    let present: Vec<&Covered> = covered
        .iter()
        .filter(|(column, _, _)| schema.has_column(table, column))
        .collect();
    let values: Vec<String> = present
        .iter()
        .map(|(column, kind, long)| {
            let c = format!("{alias}.{column}");
            match schema.dialect {
                Dialect::Sqlite if *long => {
                    format!("octet_length({c}), hex(substr(CAST({c} AS BLOB), -32))")
                }
                _ => schema.dialect.select(&c, *kind, false),
            }
        })
        .collect();
    match schema.dialect {
        // `ROW(…)` as text quotes each value and tells NULL from ''; converted to bytes as
        // stored (`SQL_ASCII` converts nothing), so no value can fail to hash.
        Dialect::Postgres => format!(
            "encode(sha256(convert_to(CAST(ROW({}, 0) AS text), 'SQL_ASCII')), 'hex')",
            values.join(", ")
        ),
        Dialect::Sqlite => format!("json_array({})", values.join(", ")),
    }
}

/// The signatures of a set of rows: each row's, sorted, joined (NULL when there are none).
fn aggregate(schema: &Schema, row: &str, from_where: &str) -> String {
    format!(
        "(SELECT {} FROM (SELECT {row} AS h FROM {from_where}) x)",
        group_concat(schema, "h")
    )
}

/// The values of `column` in a group, joined by commas: sorted in PostgreSQL, whose order of
/// rows may change from one reading to the next (parallel plans, rows moved by updates); in
/// SQLite in the order they are read, through the same index in the same file from one build to
/// the next. Sorting the rows' text there took half the query. A different order can only make a
/// report look changed (and read again), never unchanged: each row is a JSON array, so the
/// joined text still tells exactly which rows there are.
fn group_concat(schema: &Schema, column: &str) -> String {
    match schema.dialect {
        Dialect::Postgres => format!("string_agg({column}, ',' ORDER BY {column})"),
        Dialect::Sqlite => format!("group_concat({column}, ',')"),
    }
}

/// The SHA-256 (hex) of the text `expr`, as stored (bytes that are not UTF-8 included), so
/// that little travels: PostgreSQL's own `sha256()`; in SQLite, which has none, ours
/// ([`super::sqlite_sha256`]: at 10,000 reports the 73 MB of text it hashes took 0.37 s to
/// reach the reader and be hashed there, about as long as SQLite took to make it).
fn digest(schema: &Schema, expr: &str) -> String {
    match schema.dialect {
        Dialect::Postgres => {
            format!("encode(sha256(convert_to({expr}, 'SQL_ASCII')), 'hex')")
        }
        Dialect::Sqlite => format!("{}({expr})", super::sqlite_sha256::NAME),
    }
}

/// `expr` as bytes in SQLite, whose text may hold bytes that are not UTF-8 (a key then travels
/// as their hex: see the end of [`signatures`]); as it is in PostgreSQL.
fn bytes(schema: &Schema, expr: &str) -> String {
    match schema.dialect {
        Dialect::Postgres => expr.to_string(),
        Dialect::Sqlite => format!("CAST(({expr}) AS BLOB)"),
    }
}

/// `expr` as text, for a key.
fn key_text(schema: &Schema, expr: &str) -> String {
    schema.dialect.select(expr, Kind::Text, false)
}

/// Whether the signatures of [`signatures`] can be trusted to change whenever a report's pages
/// would: in PostgreSQL always (every value read is hashed whole); in SQLite, whose signature
/// sums up long text by its length and last bytes, only where the artefact and report rows
/// carry an `updated_at` that PostHog sets on every save, so that an edit the summary misses
/// must also have bypassed that.
pub fn signatures_trusted(schema: &Schema) -> bool {
    match schema.dialect {
        Dialect::Postgres => true,
        Dialect::Sqlite => {
            schema.has_column(ARTEFACTS, "updated_at") && schema.has_column(REPORTS, "updated_at")
        }
    }
}

/// One query: a signature for each report of the teams (as [`reports`] lists them) over its own
/// rows — the report, its artefacts, legacy links, assignment, and a snapshot's history — and
/// one for each row a report may draw on by reference: every task, the runs of each task and
/// every pull request of the teams, every user. Columns `kind` (`report`, `task`, `runs`, `pr`,
/// `user`), `key` (the report id; `TEAM:ID` for tasks, runs by task id and pull requests; the
/// user's id and uuid, `ID UUID`) and `sig` (a SHA-256, hex); in SQLite those rows packed
/// into one, column `packed` (see the end). Binds: the teams.
pub fn signatures(schema: &Schema, teams: usize, include_deleted: bool) -> String {
    let deleted = if include_deleted {
        ""
    } else {
        " AND COALESCE(r.status, '') <> 'deleted'"
    };
    let team_params = params(schema, 1, teams, false);
    let by_report = |table: &str, alias: &str, covered: &[Covered], team: bool| {
        if !schema.has_table(table) {
            return "''".to_string();
        }
        let team = if team && schema.has_column(table, "team_id") {
            format!(" AND {alias}.team_id = r.team_id")
        } else {
            String::new()
        };
        aggregate(
            schema,
            &row_signature(schema, table, alias, covered),
            &format!("{table} {alias} WHERE {alias}.report_id = r.id{team}"),
        )
    };
    let parts = [
        row_signature(schema, REPORTS, "r", &REPORT_COVERED),
        by_report(ARTEFACTS, "a", &ARTEFACT_COVERED, true),
        by_report(LINKS, "l", &LINK_COVERED, true),
        by_report(ASSIGNMENTS, "s", &ASSIGNMENT_COVERED, true),
        by_report(SEEN, "w", &SEEN_COVERED, false),
        by_report(VERSIONS, "v", &VERSION_COVERED, false),
    ];
    // Each part labelled, a missing one as empty: no two reports' parts can run together. No
    // part is NULL, so `concat()` joins them in one allocation in both databases, where SQLite's
    // chain of `||` copies the growing text (the artefacts' thousands of bytes) once per part:
    // 10 % of the report part of the query at 10,000 reports.
    let labelled: Vec<String> = parts
        .iter()
        .enumerate()
        .flat_map(|(n, part)| [format!("'|{n}:'"), format!("COALESCE({part}, '')")])
        .collect();
    let mut sql = format!(
        "SELECT 'report' AS kind, {} AS key, {} AS sig FROM {REPORTS} r \
         WHERE r.team_id IN ({team_params}){deleted}",
        bytes(schema, &key_text(schema, "r.id")),
        digest(schema, &format!("concat({})", labelled.join(", "))),
    );
    let team_key = |alias: &str, id: &str| {
        let key = concat(
            schema,
            &[
                key_text(schema, &format!("{alias}.team_id")),
                "':'".to_string(),
                key_text(schema, &format!("{alias}.{id}")),
            ],
        );
        bytes(schema, &key)
    };
    if schema.has_table(TASKS) && schema.has_column(TASKS, "team_id") {
        sql.push_str(&format!(
            " UNION ALL SELECT 'task', {}, {} FROM {TASKS} t WHERE t.team_id IN ({team_params})",
            team_key("t", "id"),
            digest(schema, &row_signature(schema, TASKS, "t", &TASK_COVERED)),
        ));
    }
    if schema.has_table(RUNS) && schema.has_column(RUNS, "team_id") {
        let rows = row_signature(schema, RUNS, "n", &RUN_COVERED);
        sql.push_str(&format!(
            " UNION ALL SELECT 'runs', k, {} FROM (SELECT {} AS k, {rows} AS h FROM {RUNS} n \
             WHERE n.team_id IN ({team_params})) x GROUP BY k",
            digest(schema, &group_concat(schema, "h")),
            team_key("n", "task_id"),
        ));
    }
    if schema.has_table(PULL_REQUESTS) && schema.has_column(PULL_REQUESTS, "team_id") {
        sql.push_str(&format!(
            " UNION ALL SELECT 'pr', {}, {} FROM {PULL_REQUESTS} p WHERE p.team_id IN ({team_params})",
            team_key("p", "id"),
            digest(schema, &row_signature(schema, PULL_REQUESTS, "p", &PULL_REQUEST_COVERED)),
        ));
    }
    if schema.has_table(USERS) {
        let uuid = if schema.has_column(USERS, "uuid") {
            key_text(schema, "u.uuid")
        } else {
            "''".to_string()
        };
        sql.push_str(&format!(
            " UNION ALL SELECT 'user', {}, {} FROM {USERS} u",
            bytes(
                schema,
                &concat(
                    schema,
                    &[
                        format!("COALESCE({}, '')", key_text(schema, "u.id")),
                        "' '".to_string(),
                        format!("COALESCE({uuid}, '')"),
                    ]
                )
            ),
            digest(schema, &row_signature(schema, USERS, "u", &USER_COVERED)),
        ));
    }
    match schema.dialect {
        Dialect::Postgres => sql,
        // In SQLite the rows are packed into a few, a line each, `KIND HEX-OF-KEY SIG` (a key
        // may hold any byte, a space or a line break included): the driver hands each row from
        // SQLite's thread to the reader's, and at 10,000 reports its 60,060 rows took as long
        // as SQLite took to make them. One text per kind and last byte of the key (16 for ids
        // of PostHog's form), so that none nears SQLite's limit of a value (10^9 bytes; a line
        // is about 150). A row without a key is left out, as the reader of PostgreSQL's rows
        // leaves it: its report has no signature and is read.
        Dialect::Sqlite => format!(
            "SELECT group_concat(kind || ' ' || hex(key) || ' ' || COALESCE(sig, ''), char(10)) \
             AS packed FROM ({sql}) WHERE key IS NOT NULL GROUP BY kind, substr(hex(key), -2)"
        ),
    }
}

/// `parts` concatenated (a NULL part as empty in PostgreSQL's `concat`; SQLite's `||` makes the
/// whole NULL, so its parts are never NULL here but for a missing key, which leaves the row
/// out: see the end of [`signatures`]).
fn concat(schema: &Schema, parts: &[String]) -> String {
    match schema.dialect {
        Dialect::Postgres => format!("concat({})", parts.join(", ")),
        Dialect::Sqlite => parts.join(" || "),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::schema::{Dialect, READS};
    use super::*;

    /// `(table, column)` for every `alias.column` in `sql`, aliases as its FROM and JOIN
    /// clauses name them.
    fn columns(sql: &str) -> Vec<(String, String)> {
        let words: Vec<&str> = sql
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .filter(|w| !w.is_empty())
            .collect();
        let mut aliases = BTreeMap::new();
        for pair in words.windows(3) {
            if matches!(pair[0], "FROM" | "JOIN") {
                aliases.insert(pair[2], pair[1]);
            }
        }
        words
            .iter()
            .filter_map(|w| w.split_once('.'))
            .filter_map(|(alias, column)| {
                aliases
                    .get(alias)
                    .map(|table| (table.to_string(), column.to_string()))
            })
            .collect()
    }

    #[test]
    fn every_column_a_query_reads_is_checked_for_privilege() {
        let no_content: Vec<&str> = READS[1]
            .1
            .iter()
            .copied()
            .filter(|c| *c != "content")
            .collect();
        let mut without_content = READS.to_vec();
        without_content[1] = (ARTEFACTS, &no_content);
        for dialect in [Dialect::Postgres, Dialect::Sqlite] {
            for tables in [READS.to_vec(), without_content.clone()] {
                let schema = Schema::for_tests(dialect, &tables, &[]);
                let queries = [
                    teams(&schema),
                    known_teams(&schema).unwrap(),
                    people(&schema).unwrap(),
                    reports(&schema, 2, false),
                    reports(&schema, 2, true),
                    report(&schema),
                    artefacts(&schema),
                    links(&schema).unwrap(),
                    pull_requests(&schema, 2).unwrap(),
                    assignments(&schema).unwrap(),
                    people_by_uuid(&schema, 2).unwrap(),
                    tasks(&schema, 2).unwrap(),
                    runs(&schema, 2).unwrap(),
                    seen(&schema).unwrap(),
                    versions(&schema).unwrap(),
                    signatures(&schema, 2, false),
                    signatures(&schema, 2, true),
                ];
                for sql in queries {
                    let read = columns(&sql);
                    assert!(!read.is_empty(), "{sql}");
                    for (table, column) in read {
                        assert!(
                            READS
                                .iter()
                                .any(|(t, cs)| *t == table && cs.contains(&column.as_str())),
                            "{table}.{column} is read but not in READS: {sql}"
                        );
                    }
                }
            }
        }
    }
}
