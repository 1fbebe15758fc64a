//! The SQL the reader runs, assembled once per query from the introspected [`Schema`]: every
//! column normalised to text, integer or RFC 3339 text, absent columns replaced by typed NULLs.
//! Nothing from the user or the database is ever spliced in: values travel as bind parameters.

use super::schema::{
    ARTEFACTS, ASSIGNMENTS, Kind, LINKS, PULL_REQUESTS, REPORTS, RUNS, SEEN, Schema, TASKS, TEAMS,
    USERS, VERSIONS,
};

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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::schema::Dialect;
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
