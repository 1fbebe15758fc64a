//! The PostgreSQL reader against PostHog's real table shapes: a database created and dropped
//! per test on the server named by REPORTPRESS_TEST_POSTGRES_URL.

use crate::common::*;

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
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
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
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
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
    assert!(
        !page.contains("class=\"edited\""),
        "no updated_at, no edit marks"
    );
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
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

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
fn the_reader_speaks_tls_when_the_url_asks_for_it() {
    // The other tests talk to the server without TLS (`common::postgres`); this one keeps the
    // path users take to a remote PostHog database: `sslmode=require`, through rustls.
    let Some(given) = postgres_as_given("the_reader_speaks_tls_when_the_url_asks_for_it") else {
        return;
    };
    let admin = postgres("the_reader_speaks_tls_when_the_url_asks_for_it").unwrap();
    let pg = PgDb::create(&admin, POSTHOG_PG);
    pg.seed(DEMO);
    let mut url = url::Url::parse(&given).unwrap();
    url.set_path(&format!("/{}", pg.name));
    let url = with_sslmode(url.as_str(), "require");
    let listed = reportpress(&["list", "--database", &url]);
    if scalar(&pg.url, "current_setting('ssl')") == "on" {
        assert!(listed.status.success(), "{}", stderr(&listed));
        assert_eq!(String::from_utf8_lossy(&listed.stdout).lines().count(), 16);
    } else {
        // A server without TLS: the tool says so in one line and fails, as it would for a user.
        assert_eq!(listed.status.code(), Some(1), "{}", stderr(&listed));
        assert_eq!(stderr(&listed).lines().count(), 1, "{}", stderr(&listed));
    }
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
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
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

// ---- A real PostHog database: PostHog's DDL, rows as PostHog's code writes them -------------

/// Rows as PostHog writes them (see the fixture's header for the cases).
const POSTHOG_ROWS: &str = include_str!("../fixtures/posthog_2026_09.toml");
const REPORT_PRS: &str = "01961000-0000-7000-8000-000000000001";
const REPORT_LEGACY: &str = "01961000-0000-7000-8000-000000000002";
const REPORT_REVIEWERS: &str = "01961000-0000-7000-8000-000000000003";
const REPORT_EDITED: &str = "01961000-0000-7000-8000-000000000004";
const REPORT_TYPES: &str = "01961000-0000-7000-8000-000000000005";
const LEGACY_LINK: &str = "01962000-0000-7000-8000-0000000000c3";
const EDITED_NOTE: &str = "01965000-0000-7000-8000-000000000008";
const FIX_TASK: &str = "7f000000-0000-4000-8000-0000000000a1";
/// The three PRs of REPORT_PRS, in PostHog's primary order, with their states.
const PRS: [(&str, &str, &str); 3] = [
    (
        "PostHog/posthog-js#9",
        "https://github.com/PostHog/posthog-js/pull/9",
        "Open",
    ),
    (
        "PostHog/posthog#41",
        "https://github.com/PostHog/posthog/pull/41",
        "Status unavailable, replaced by #42",
    ),
    (
        "PostHog/posthog#42",
        "https://github.com/PostHog/posthog/pull/42",
        "Merged",
    ),
];

fn html_doc(path: &std::path::Path) -> scraper::Html {
    scraper::Html::parse_document(&read(path))
}

fn texts(doc: &scraper::Html, css: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(css).expect("selector");
    doc.select(&sel)
        .map(|e| {
            e.text()
                .flat_map(str::split_whitespace)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn export_as(url: &str, report: &str, format: &str) -> String {
    let out = reportpress(&["export", report, "--database", url, "--format", format]);
    assert!(out.status.success(), "export {format}: {}", stderr(&out));
    // A PR comment keeps `#41` from linking with a zero-width space.
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .replace('\u{200b}', "")
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
fn a_database_as_posthog_writes_it_reads_right() {
    let Some(admin) = postgres("a_database_as_posthog_writes_it_reads_right") else {
        return;
    };
    let pg = PgDb::create(&admin, POSTHOG_PG);
    assert!(pg.seed(POSTHOG_ROWS) > 40);
    let scratch = Scratch::new("posthog-rows");
    let out = scratch.path("site");
    let built = build(Some(&pg.url), &out, &[]);
    assert!(built.status.success(), "{}", stderr(&built));
    let page = |id: &str| out.join(format!("reports/{id}.html"));
    let md = |id: &str| read(&out.join(format!("reports/{id}.md")));

    // 1. Django stamps `updated_at` 17 µs after `created_at`: nothing is "edited" but the one
    //    note PATCHed three hours later.
    let mut edited = Vec::new();
    for (path, _) in files(&out) {
        if path.starts_with("reports/") && path.ends_with(".html") {
            let doc = html_doc(&out.join(&path));
            let sel = scraper::Selector::parse("article:has(span.edited)").expect("selector");
            edited.extend(
                doc.select(&sel)
                    .filter_map(|a| a.value().id().map(str::to_string)),
            );
        }
    }
    assert_eq!(edited, [format!("a-{EDITED_NOTE}")]);
    assert_eq!(md(REPORT_EDITED).matches(" · edited ").count(), 1);

    // 2. Three PRs with their states, the same in the summary, the Markdown twin, the index,
    //    the task page and every export format.
    let summary = html_doc(&page(REPORT_PRS));
    let rows = texts(&summary, "table.prs tbody tr");
    let want: Vec<String> = PRS
        .iter()
        .map(|(reference, _, state)| reference.to_string() + " " + &state.replace(',', ""))
        .collect();
    for (row, want) in rows.iter().zip(&want) {
        assert!(row.starts_with(want.as_str()), "{row:?} / {want:?}");
    }
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows[0].contains("Fix the flag cache"),
        "the task that opened it: {rows:?}"
    );
    let twin = md(REPORT_PRS);
    for (reference, url, state) in PRS {
        let row = format!("| [{reference}](<{url}>) | {state} |");
        assert!(twin.contains(&row), "{row} in\n{twin}");
    }
    let index = html_doc(&out.join("index.html"));
    let index_row = texts(
        &index,
        &format!("tr:has(a[href='reports/{REPORT_PRS}.html']) td"),
    );
    assert_eq!(
        index_row.last().map(String::as_str),
        Some("posthog-js#9 Open posthog#41 Status unavailable posthog#42 Merged"),
        "{index_row:?}"
    );
    let index_md = read(&out.join("index.md"));
    let row = index_md
        .lines()
        .find(|l| l.contains(REPORT_PRS))
        .expect("the report's index row");
    for (_, url, state) in PRS {
        let state = state.split(',').next().unwrap_or(state);
        assert!(row.contains(&format!("(<{url}>) {state}")), "{row}");
    }
    let task = html_doc(&out.join(format!("tasks/{FIX_TASK}.html")));
    let task_prs = texts(&task, "table.prs tbody tr");
    assert!(
        task_prs
            .iter()
            .any(|r| r.starts_with("PostHog/posthog-js#9 Open"))
            && task_prs
                .iter()
                .any(|r| r.starts_with("PostHog/posthog#41 Status unavailable")),
        "{task_prs:?}"
    );
    for format in ["pr", "md", "html"] {
        let text = export_as(&pg.url, REPORT_PRS, format);
        for (reference, url, state) in PRS {
            assert!(
                text.contains(url) && text.contains(reference),
                "{format}: {reference}"
            );
            assert!(
                text.contains(state.split(',').next().unwrap_or(state)),
                "{format}: {state}"
            );
        }
    }

    // 3. A report whose only history is a legacy link row: one entry, the task run PostHog
    //    shows, anchored by the link row's id, counted in the index.
    let legacy = html_doc(&page(REPORT_LEGACY));
    assert_eq!(
        texts(&legacy, "article.entry header a.anchor"),
        ["Task run"],
        "one entry"
    );
    let sel = scraper::Selector::parse(&format!("article#a-{LEGACY_LINK}")).expect("selector");
    assert_eq!(
        legacy.select(&sel).count(),
        1,
        "anchored by the link row's id"
    );
    let fields = texts(&legacy, "article.entry dl.fields dd");
    assert!(fields.iter().any(|f| f == "Implementation"), "{fields:?}");
    assert!(
        fields.iter().any(|f| f == "Completed (build)"),
        "its latest run: {fields:?}"
    );
    let index_row = texts(
        &index,
        &format!("tr:has(a[href='reports/{REPORT_LEGACY}.html']) td"),
    );
    assert_eq!(
        index_row.get(7).map(String::as_str),
        Some("1"),
        "{index_row:?}"
    );
    assert!(md(REPORT_LEGACY).contains(&format!("<a id=\"a-{LEGACY_LINK}\"></a>")));

    // 4. Reviewers named by user_uuid are people: by name (or email), linked to their page.
    let reviewers = read(&page(REPORT_REVIEWERS));
    assert!(reviewers.contains(r#"<a href="../people/user-2.html">Bea Costa</a>"#));
    assert!(reviewers.contains(r#"<a href="../people/user-3.html">carl@example.com</a>"#));
    for uuid in [
        "01960000-0000-7000-8000-0000000000a2",
        "01960000-0000-7000-8000-0000000000a3",
    ] {
        assert!(!reviewers.contains(uuid), "never the uuid");
    }
    let bea = read(&out.join("people/user-2.html"));
    assert!(bea.contains("Named in entries they did not write"));
    assert!(bea.contains("Reviewers suggested") && bea.contains(REPORT_REVIEWERS));
    assert!(md(REPORT_REVIEWERS).contains("[Bea Costa](<../people/user-2.html>)"));

    // … and under `--redact people`, by their pseudonym, still linked.
    let redacted = scratch.path("redacted");
    let b = build(Some(&pg.url), &redacted, &["--redact", "people"]);
    assert!(b.status.success(), "{}", stderr(&b));
    let page_r = read(&redacted.join(format!("reports/{REPORT_REVIEWERS}.html")));
    assert!(
        page_r.contains(r#"<a href="../people/user-2.html">Person "#),
        "{page_r}"
    );
    for (path, _) in files(&redacted) {
        let text = read(&redacted.join(&path));
        for name in ["Bea Costa", "Costa", "carl@example.com", "Ana Lima"] {
            assert!(!text.contains(name), "{path}: {name}");
        }
    }

    // 5. Every type PostHog's code or frontend defines is typed, and lease secrets never show.
    let types = read(&page(REPORT_TYPES));
    for (path, _) in files(&out) {
        let text = read(&out.join(&path));
        assert!(!text.contains("Unknown entry type"), "{path}");
        assert!(!text.contains("5ec12e70"), "{path}: a worker token");
    }
    for label in [
        "Work not started",
        "Ranking scored",
        "Impact measurement plan",
        "Dismissed from Slack",
        "Title edited",
        "Follow-up check",
        "PR #42 linked",
        "PR #42 assessed",
        "Replaced on request by a revised check",
        "Duplicate",
        "Corroborated 2 more times by a scout, with nothing new to add.",
    ] {
        assert!(types.contains(label), "{label}");
    }
    let muted = html_doc(&page(REPORT_TYPES));
    assert_eq!(
        texts(&muted, "article.muted-entry header a.anchor"),
        [
            "Implementation dispatched",
            "PR replacement in progress",
            "Impact measurement plan"
        ]
    );

    // Every link between pages lands on a page (people named only as reviewers included).
    let href = scraper::Selector::parse("a[href]").expect("selector");
    for (path, _) in files(&out)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
    {
        let doc = html_doc(&out.join(&path));
        let dir = std::path::Path::new(&path)
            .parent()
            .map(|d| out.join(d))
            .unwrap_or(out.clone());
        for a in doc.select(&href) {
            let target = a.value().attr("href").unwrap_or_default();
            if target.starts_with("https://") || target.starts_with('#') {
                continue;
            }
            let file = target.split('#').next().unwrap_or(target);
            assert!(dir.join(file).is_file(), "{path}: {target} leads nowhere");
        }
    }

    // 6. The same rows copied by `snapshot` build byte-identical pages.
    let snap = scratch.path("snap.sqlite");
    let out_snap = reportpress(&[
        "snapshot",
        "--from",
        &pg.url,
        "--to",
        &snap.to_string_lossy(),
    ]);
    assert!(out_snap.status.success(), "{}", stderr(&out_snap));
    let from_snap = scratch.path("from-snapshot");
    let rebuilt = build(Some(&snap.to_string_lossy()), &from_snap, &[]);
    assert!(rebuilt.status.success(), "{}", stderr(&rebuilt));
    let (a, b) = (tree(&out), tree(&from_snap));
    for (path, bytes) in a.iter().filter(|(p, _)| !p.ends_with("manifest.json")) {
        assert!(
            b.get(path) == Some(bytes),
            "{path} differs after a snapshot"
        );
    }
}

// =============================================================================================
// Issue 12 — permissions and errors. A table or column the role may not read is an error that
// names it and the GRANT that fixes it (exit 1), raised before anything is written: never read
// as absent. A permission error met by a query is the same error. No error carries the
// driver's details. A database that checks no encoding (SQL_ASCII) never aborts a build.
// =============================================================================================

/// Every column of `signals_signalreportartefact` in PostHog's DDL but `content`.
const ARTEFACT_COLUMNS_BUT_CONTENT: &str = "id, team_id, report_id, type, created_at, \
     updated_at, created_by_id, task_id, channel_id, actor_kind, actor_agent, claim_id, \
     pull_request_id";

/// Runs reportpress with `args`, expects exit 1 and one line saying `expect`, and nothing on
/// standard output.
fn refused(args: &[&str], expect: &str) {
    let out = reportpress(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains(expect),
        "{args:?}: expected {expect:?}, got {err}"
    );
    assert!(!err.contains("at line"), "a driver detail: {err}");
    assert!(out.stdout.is_empty(), "{args:?} wrote to standard output");
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
fn a_table_or_column_the_role_may_not_read_stops_build_and_export_before_anything_is_written() {
    let Some(admin) = postgres(
        "a_table_or_column_the_role_may_not_read_stops_build_and_export_before_anything_is_written",
    ) else {
        return;
    };
    let pg = PgDb::create(&admin, POSTHOG_PG);
    pg.seed(DEMO);
    let report = "019a0000-0000-7000-8000-000000000002";
    let scratch = Scratch::new("denied");
    // A previous archive, built with every grant the README names.
    let full = Role::new(&pg, "full", &grant_all_but(""));
    let site = scratch.path("site");
    build(Some(&full.url), &site, &[]);
    let archive = tree(&site);
    let previous_export = scratch.path("comment.md");
    std::fs::write(&previous_export, "PREVIOUS").unwrap();
    let listing = names(&scratch.0);

    // Without SELECT on the legacy link table; and with a column grant that leaves out
    // `content`.
    let no_links = Role::new(&pg, "nolinks", &grant_all_but("signals_signalreporttask"));
    let no_content = Role::new(
        &pg,
        "nocontent",
        &format!(
            "{} GRANT SELECT ({ARTEFACT_COLUMNS_BUT_CONTENT}) ON signals_signalreportartefact TO {{role}};",
            grant_all_but("signals_signalreportartefact")
        ),
    );
    for (role, expect) in [
        (
            &no_links,
            format!(
                "cannot read signals_signalreporttask: permission denied; \
                 GRANT SELECT ON signals_signalreporttask TO {}",
                no_links.name
            ),
        ),
        (
            &no_content,
            format!(
                "cannot read signals_signalreportartefact.content: permission denied; \
                 GRANT SELECT ON signals_signalreportartefact TO {}",
                no_content.name
            ),
        ),
    ] {
        let fresh = scratch.path("fresh");
        let fresh_s = fresh.display().to_string();
        refused(
            &["build", "--database", &role.url, "--out", &fresh_s],
            &expect,
        );
        let site_s = site.display().to_string();
        refused(
            &["build", "--database", &role.url, "--out", &site_s, "--full"],
            &expect,
        );
        let output = previous_export.display().to_string();
        refused(
            &[
                "export",
                report,
                "--database",
                &role.url,
                "--output",
                &output,
            ],
            &expect,
        );
        refused(&["export", report, "--database", &role.url], &expect);
        // Nothing written: no new folder, no staging folder, the archive and the file as
        // they were.
        assert!(!fresh.exists());
        assert_eq!(names(&scratch.0), listing);
        assert!(tree(&site) == archive, "the previous archive changed");
        assert_eq!(read(&previous_export), "PREVIOUS");
    }
    // With the grant it names, the same role builds the same archive.
    pg.execute(&format!(
        "GRANT SELECT ON signals_signalreporttask TO {0}; \
         GRANT SELECT ON signals_signalreportartefact TO {1};",
        no_links.name, no_content.name
    ));
    for role in [&no_links, &no_content] {
        let out = scratch.path(&format!("granted-{}", role.name));
        build(Some(&role.url), &out, &[]);
        let rebuilt = tree(&out);
        for (path, bytes) in archive
            .iter()
            .filter(|(p, _)| !p.ends_with("manifest.json"))
        {
            assert!(rebuilt.get(path) == Some(bytes), "{path} differs");
        }
    }
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
fn a_schema_the_role_may_not_use_is_a_permission_error_not_a_missing_table() {
    let Some(admin) =
        postgres("a_schema_the_role_may_not_use_is_a_permission_error_not_a_missing_table")
    else {
        return;
    };
    let pg = PgDb::create(&admin, POSTHOG_PG);
    pg.seed(DEMO);
    let role = Role::new(&pg, "nousage", &grant_all_but(""));
    pg.execute(&format!(
        "REVOKE USAGE ON SCHEMA public FROM {0}; REVOKE ALL ON SCHEMA public FROM PUBLIC;",
        role.name
    ));
    let scratch = Scratch::new("nousage");
    let out = scratch.path("out").display().to_string();
    refused(
        &["build", "--database", &role.url, "--out", &out],
        &format!(
            "cannot read schema public: permission denied; GRANT USAGE ON SCHEMA public TO {}",
            role.name
        ),
    );
    assert!(!scratch.path("out").exists());
}

/// A permission error a query meets (the privilege revoked after the reader checked it) is
/// the same error as the one introspection raises, the database's error kept as its cause;
/// and no database error is shown with the driver's ` at line N`.
#[test]
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
fn a_permission_error_met_by_a_query_is_the_same_error_and_errors_carry_no_driver_detail() {
    let Some(admin) = postgres(
        "a_permission_error_met_by_a_query_is_the_same_error_and_errors_carry_no_driver_detail",
    ) else {
        return;
    };
    let pg = PgDb::create(&admin, POSTHOG_PG);
    pg.seed(DEMO);
    let role = Role::new(&pg, "revoked", &grant_all_but("signals_signalreporttask"));
    let err = runtime().block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&role.url).await.unwrap();
        match sqlx::query("SELECT id FROM signals_signalreporttask")
            .fetch_all(&mut conn)
            .await
        {
            Ok(_) => panic!("read without SELECT"),
            Err(err) => err,
        }
    });
    let err = reportpress::source::SourceError::database("reading report x", err, Some(&role.name));
    assert_eq!(
        err.to_string(),
        format!(
            "cannot read signals_signalreporttask: permission denied; \
             GRANT SELECT ON signals_signalreporttask TO {}",
            role.name
        )
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "the cause is kept"
    );

    // A query that fails at run time (a report table without `team_id`): the database's
    // words, on one line, none of the driver's.
    let broken = PgDb::create(
        &admin,
        "CREATE TABLE signals_signalreport (id uuid); \
         CREATE TABLE signals_signalreportartefact (id uuid); \
         INSERT INTO signals_signalreport VALUES ('019a0000-0000-7000-8000-000000000001');",
    );
    let scratch = Scratch::new("driver-detail");
    let out = scratch.path("out").display().to_string();
    refused(
        &["build", "--database", &broken.url, "--out", &out],
        "reading reports: column r.team_id does not exist",
    );
}

/// A PostgreSQL database in `SQL_ASCII` checks no encoding: its text may hold any bytes. Those
/// that are not UTF-8 show as U+FFFD; the build does not abort.
#[test]
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
fn a_sql_ascii_database_with_bytes_that_are_not_utf8_still_builds() {
    let Some(admin) = postgres("a_sql_ascii_database_with_bytes_that_are_not_utf8_still_builds")
    else {
        return;
    };
    // PgDb creates UTF8 databases: this one by hand, dropped by a guard.
    struct Ascii {
        admin: String,
        name: String,
    }
    impl Drop for Ascii {
        fn drop(&mut self) {
            let (admin, name) = (self.admin.clone(), self.name.clone());
            runtime().block_on(async move {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin).await {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await;
                }
            });
        }
    }
    let db = Ascii {
        admin: admin.clone(),
        name: format!("reportpress_test_ascii_{}", std::process::id()),
    };
    // One statement per call: neither may run inside a transaction block.
    execute(
        &admin,
        &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name),
    );
    execute(
        &admin,
        &format!(
            "CREATE DATABASE {} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' \
             TEMPLATE template0",
            db.name
        ),
    );
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&format!("/{}", db.name));
    let url = url.to_string();
    execute(&url, POSTHOG_PG);
    seed_url(&url, DEMO);
    // Sam (user 6) with a byte that is not UTF-8, as a client that sent Latin-1 would leave it.
    execute(
        &url,
        "UPDATE posthog_user SET first_name = E'S\\xe4m' WHERE id = 6",
    );
    let scratch = Scratch::new("ascii");
    let out = scratch.path("out");
    build(Some(&url), &out, &[]);
    let page = read(&out.join("reports/019a0000-0000-7000-8000-000000000002.html"));
    assert!(page.contains("S\u{FFFD}m"), "U+FFFD in the author's name");
}
