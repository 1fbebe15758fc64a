//! The PostgreSQL reader against PostHog's real table shapes: a database created and dropped
//! per test on the server named by REPORTPRESS_TEST_POSTGRES_URL.

mod common;

use common::*;

fn demo_artefacts() -> Vec<(String, String)> {
    let deleted: Vec<String> = fixture_rows(DEMO, "signals_signalreport")
        .iter()
        .filter(|r| str_of(r, "status") == "deleted")
        .map(|r| str_of(r, "id").to_string())
        .collect();
    fixture_rows(DEMO, "signals_signalreportartefact")
        .iter()
        .map(|a| {
            (
                str_of(a, "report_id").to_string(),
                str_of(a, "id").to_string(),
            )
        })
        .filter(|(report, _)| !deleted.contains(report))
        .collect()
}

/// PostHog's own DDL, and the schema notes' variant of it.
#[test]
fn postgres_and_sqlite_give_byte_identical_archives() {
    let Some(admin) = postgres("postgres_and_sqlite_give_byte_identical_archives") else {
        return;
    };
    for (name, ddl) in [
        ("posthog_2026_09.sql", POSTHOG_PG),
        ("posthog_schema_notes.sql", NOTES_PG),
    ] {
        byte_identical_archives(&admin, name, ddl);
    }
}

fn byte_identical_archives(admin: &str, name: &str, ddl: &str) {
    let pg = PgDb::create(admin, ddl);
    assert!(pg.seed(DEMO) > 250);
    let scratch = Scratch::new("identical");
    let sqlite = sqlite_archive(&scratch.path("demo.sqlite"), DEMO);

    build(Some(&pg.url), &scratch.path("from-pg"), &[]);
    build(Some(&sqlite), &scratch.path("from-sqlite"), &[]);
    let from_pg = tree(&scratch.path("from-pg"));
    let from_sqlite = tree(&scratch.path("from-sqlite"));

    let reports = fixture_rows(DEMO, "signals_signalreport").len() - 1; // one is deleted
    let pages = from_pg.keys().filter(|k| k.starts_with("reports/")).count();
    assert_eq!(pages, reports * 2, "{:?}", from_pg.keys());
    assert!(from_pg.keys().any(|k| k.starts_with("people/")));
    assert!(from_pg.keys().any(|k| k.starts_with("tasks/")));
    assert_eq!(
        from_pg.keys().collect::<Vec<_>>(),
        from_sqlite.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &from_pg {
        assert!(
            bytes == &from_sqlite[path],
            "{path} differs between PostgreSQL ({name}) and SQLite"
        );
    }
    // And the archive from the embedded demo is the same archive again.
    build(None, &scratch.path("from-demo"), &[]);
    assert!(tree(&scratch.path("from-demo")) == from_pg, "{name}");
}

#[test]
fn oldest_schema_without_optional_columns_still_renders() {
    let Some(admin) = postgres("oldest_schema_without_optional_columns_still_renders") else {
        return;
    };
    let pg = PgDb::create(&admin, OLDEST_PG);
    pg.seed(DEMO);
    let scratch = Scratch::new("oldest");
    let out = scratch.path("out");
    build(Some(&pg.url), &out, &[]);
    for (report, artefact) in demo_artefacts() {
        let html = read(&out.join(format!("reports/{report}.html")));
        assert!(html.contains(&format!("id=\"a-{artefact}\"")), "{artefact}");
        let md = read(&out.join(format!("reports/{report}.md")));
        assert!(
            md.contains(&format!("<a id=\"a-{artefact}\"></a>")),
            "{artefact}"
        );
    }
    // Without attribution columns, task_run rows are still credited to the task they record
    // and nothing is credited to a person.
    let page = read(&out.join("reports/019a0000-0000-7000-8000-000000000001.html"));
    assert!(
        page.contains("class=\"actor task\""),
        "task_run rows credit their task"
    );
    assert!(!page.contains("class=\"actor user\""));
    assert!(!page.contains("edited"), "no updated_at, no edit marks");
}

#[test]
fn the_reader_runs_read_only() {
    let Some(admin) = postgres("the_reader_runs_read_only") else {
        return;
    };
    let pg = PgDb::create(&admin, POSTHOG_PG);
    pg.seed(DEMO);
    // A role that may only read: the build needs nothing more.
    let role = format!("{}_reader", pg.name);
    pg.execute(&format!(
        "CREATE ROLE {role} LOGIN; GRANT USAGE ON SCHEMA public TO {role}; \
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};"
    ));
    let mut url = url::Url::parse(&pg.url).unwrap();
    url.set_username(&role).unwrap();
    let scratch = Scratch::new("readonly");
    let result = build(Some(url.as_str()), &scratch.path("out"), &[]);
    assert!(
        stderr(&result).contains("15 reports ("),
        "{}",
        stderr(&result)
    );
    pg.execute(&format!("DROP OWNED BY {role}; DROP ROLE {role};"));
}

/// The value of the scalar query `sql` at `url`, as text (`NULL` as "NULL").
fn scalar(url: &str, sql: &str) -> String {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    runtime().block_on(async {
        let mut conn = sqlx::AnyConnection::connect(url).await.expect("connect");
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(({sql}) AS TEXT) AS v"
        )))
        .fetch_one(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        row.try_get::<Option<String>, _>("v")
            .expect("text")
            .unwrap_or_else(|| "NULL".into())
    })
}

/// PostHog's tables have SQL defaults only for `db_default` fields: a row that leaves columns
/// out gets what Django writes, derived from the row alone, the same on every seeding.
#[test]
fn seeding_writes_what_django_writes_for_omitted_columns() {
    let Some(admin) = postgres("seeding_writes_what_django_writes_for_omitted_columns") else {
        return;
    };
    const SPARSE: &str = r#"
[[posthog_team]]
id = 7
[[posthog_user]]
id = 3
uuid = "018c2f4a-91d0-7c3e-a5b1-6e2d8f0c4a01"
email = "ada@example.com"
[[posthog_task]]
id = "0c000000-0000-4000-8000-000000000001"
team_id = 7
title = "Fix it"
created_at = "2026-09-01T08:00:00Z"
[[posthog_task_run]]
id = "0c000000-0000-4000-8000-000000000002"
task_id = "0c000000-0000-4000-8000-000000000001"
team_id = 7
created_at = "2026-09-01T08:00:01.5Z"
[[signals_signalreport]]
id = "0c000000-0000-7000-8000-000000000003"
team_id = 7
created_at = "2026-09-01T07:00:00Z"
[[signals_signalreportassignment]]
id = "0c000000-0000-7000-8000-000000000004"
team_id = 7
report_id = "0c000000-0000-7000-8000-000000000003"
[[signals_signalreportpullrequest]]
id = "0c000000-0000-7000-8000-000000000005"
team_id = 7
repository = "posthog/posthog"
number = 41
url = "https://github.com/posthog/posthog/pull/41"
[[signals_signalreportartefact]]
id = "0c000000-0000-7000-8000-000000000006"
team_id = 7
report_id = "0c000000-0000-7000-8000-000000000003"
type = "note"
content = { note = "hello" }
created_at = "2026-09-01T09:00:00Z"
"#;
    let time = |table: &str, column: &str| {
        format!(
            "SELECT to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM {table}"
        )
    };
    let mut seen = Vec::new();
    for _ in 0..2 {
        let pg = PgDb::create(&admin, POSTHOG_PG);
        assert_eq!(pg.seed(SPARSE), 8);
        let q = |sql: &str| scalar(&pg.url, sql);
        assert_eq!(
            q("SELECT name || '|' || timezone FROM posthog_team"),
            "Default project|UTC"
        );
        assert_eq!(
            q(&time("posthog_team", "updated_at")),
            "2026-01-01T00:00:00.000017Z"
        );
        assert_eq!(
            q(
                "SELECT password || '|' || first_name || '|' || last_name || '|' || is_active || '|' || is_staff FROM posthog_user"
            ),
            "|||true|false"
        );
        assert_eq!(
            q(&time("posthog_user", "date_joined")),
            "2026-01-01T00:00:00.000000Z"
        );
        assert_eq!(
            q(
                "SELECT description || '|' || origin_product || '|' || title_manually_set || '|' || internal || '|' || archived || '|' || runtime || '|' || CAST(repositories AS text) FROM posthog_task"
            ),
            "||false|false|false|acp|{}"
        );
        assert_eq!(
            q("SELECT deleted FROM posthog_task"),
            "NULL",
            "nullable: left NULL"
        );
        assert_eq!(
            q(&time("posthog_task", "updated_at")),
            "2026-09-01T08:00:00.000017Z"
        );
        assert_eq!(
            q(
                "SELECT environment || '|' || status || '|' || CAST(artifacts AS text) || '|' || CAST(state AS text) FROM posthog_task_run"
            ),
            "cloud|not_started|[]|{}"
        );
        assert_eq!(
            q(&time("posthog_task_run", "updated_at")),
            "2026-09-01T08:00:01.500017Z"
        );
        assert_eq!(
            q(
                "SELECT status || '|' || total_weight || '|' || signal_count || '|' || signals_at_run || '|' || run_count || '|' || CAST(charts AS text) FROM signals_signalreport"
            ),
            "potential|0|0|0|0|[]"
        );
        assert_eq!(
            q(&time("signals_signalreport", "updated_at")),
            "2026-09-01T07:00:00.000017Z"
        );
        assert_eq!(
            q("SELECT CAST(pr_merged AS text) FROM signals_signalreportassignment"),
            "false"
        );
        assert_eq!(
            q(&time("signals_signalreportassignment", "created_at")),
            "2026-01-01T00:00:00.000000Z"
        );
        assert_eq!(
            q("SELECT state FROM signals_signalreportpullrequest"),
            "unknown"
        );
        assert_eq!(
            q("SELECT updated_at FROM signals_signalreportartefact"),
            "NULL",
            "nullable: left NULL"
        );
        seen.push(
            [
                "posthog_team",
                "posthog_user",
                "posthog_task",
                "posthog_task_run",
                "signals_signalreport",
                "signals_signalreportassignment",
                "signals_signalreportpullrequest",
                "signals_signalreportartefact",
            ]
            .map(|table| {
                q(&format!(
                    "SELECT string_agg(CAST(t AS text), ';') FROM {table} t"
                ))
            }),
        );
    }
    assert_eq!(seen[0], seen[1], "the same rows on every seeding");

    // A required column PostHog's model has no default for is named, not guessed.
    let pg = PgDb::create(&admin, POSTHOG_PG);
    let err = runtime().block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&pg.url).await.expect("connect");
        reportpress::source::seed::seed_toml(
            &mut conn,
            "[[posthog_team]]\nid = 1\n[[signals_signalreport]]\nid = \"0c000000-0000-7000-8000-000000000009\"\ncreated_at = \"2026-09-01T07:00:00Z\"\n",
        )
        .await
        .expect_err("team_id has no default")
        .to_string()
    });
    assert!(err.contains("team_id"), "{err}");
}
