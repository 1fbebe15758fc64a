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

#[test]
fn postgres_and_sqlite_give_byte_identical_archives() {
    let Some(admin) = postgres("postgres_and_sqlite_give_byte_identical_archives") else {
        return;
    };
    let pg = PgDb::create(&admin, NEWEST_PG);
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
            "{path} differs between PostgreSQL and SQLite"
        );
    }
    // And the archive from the embedded demo is the same archive again.
    build(None, &scratch.path("from-demo"), &[]);
    assert!(tree(&scratch.path("from-demo")) == from_pg);
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
    let pg = PgDb::create(&admin, NEWEST_PG);
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
