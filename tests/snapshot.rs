//! `reportpress snapshot`: a SQLite archive that keeps what PostHog does not — earlier versions
//! of edited rows and rows deleted upstream — updated in one transaction, never in place.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{PgDb, Scratch, build, postgres, read, reportpress, stderr, tree};

const POSTHOG_PG: &str = include_str!("sql/posthog_2026_09.sql");
const DEMO: &str = include_str!("../fixtures/demo.toml");

const REPORT: &str = "019a0000-0000-7000-8000-000000000002";
const NOTE: &str = "01a0a5fa-1d83-7efa-98fe-f6451063bf77";
const CODE_REF: &str = "01a0960f-a1d0-7f94-a9aa-a16b7fcfe7a9";
/// The latest of the report's three priority judgments.
const LATEST_PRIORITY: &str = "01a0b551-fb60-73eb-bf3b-2bb62463b8ff";
const EARLIER_PRIORITY: &str = "01a0a9b3-a5b0-7d1d-968e-7919aa79c37f";

fn snapshot(from: &str, to: &Path, extra: &[&str]) -> std::process::Output {
    let to = to.display().to_string();
    let mut args = vec!["snapshot", "--from", from, "--to", to.as_str()];
    args.extend(extra);
    reportpress(&args)
}

/// The value of the scalar query `sql` on the SQLite file at `archive`, as text.
fn sqlite_scalar(archive: &Path, sql: &str) -> String {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    common::runtime().block_on(async {
        let url = format!("sqlite://{}?mode=ro", archive.display());
        let mut conn = sqlx::AnyConnection::connect(&url)
            .await
            .expect("open archive");
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(({sql}) AS TEXT) AS v"
        )))
        .fetch_all(&mut conn)
        .await
        .expect("query archive");
        rows.iter()
            .map(|r| {
                r.try_get::<Option<String>, _>("v")
                    .unwrap()
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(",")
    })
}

#[test]
fn a_second_snapshot_keeps_every_earlier_version_and_every_deletion() {
    let Some(admin) = postgres("a_second_snapshot_keeps_every_earlier_version_and_every_deletion")
    else {
        return;
    };
    let pg = PgDb::create(&admin, POSTHOG_PG);
    pg.seed(DEMO);
    let scratch = Scratch::new("snapshot-history");
    let archive = scratch.path("audit.sqlite");
    let archive_url = archive.display().to_string();

    let first = snapshot(&pg.url, &archive, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stderr(&first).contains("0 edited"), "{}", stderr(&first));

    // A fresh snapshot renders exactly as the database it was taken from.
    build(Some(&pg.url), &scratch.path("from-pg"), &[]);
    build(Some(&archive_url), &scratch.path("from-snapshot"), &[]);
    let (from_pg, from_snapshot) = (
        tree(&scratch.path("from-pg")),
        tree(&scratch.path("from-snapshot")),
    );
    assert_eq!(
        from_pg.keys().collect::<Vec<_>>(),
        from_snapshot.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &from_pg {
        // The manifest's row hashes differ, rightly: the snapshot's rows also say when each
        // row was first seen.
        if path != "manifest.json" {
            assert!(bytes == &from_snapshot[path], "{path} differs");
        }
    }

    // Upstream: PATCH a note, DELETE a code reference and the latest priority judgment,
    // retitle the report.
    pg.execute(&format!(
        "UPDATE signals_signalreportartefact SET content = '{{\"note\": \"Rewritten after review: the flush races the unload handler.\"}}', \
         updated_at = now() WHERE id = '{NOTE}';
         DELETE FROM signals_signalreportartefact WHERE id IN ('{CODE_REF}', '{LATEST_PRIORITY}');
         UPDATE signals_signalreport SET title = 'Renamed upstream: replay tail loss' WHERE id = '{REPORT}';"
    ));
    let second = snapshot(&pg.url, &archive, &[]);
    assert!(second.status.success(), "{}", stderr(&second));
    let said = stderr(&second);
    assert!(
        said.contains("2 edited") && said.contains("2 deleted upstream"),
        "{said}"
    );

    let out = scratch.path("site");
    build(Some(&archive_url), &out, &[]);
    let html = read(&out.join(format!("reports/{REPORT}.html")));
    let md = read(&out.join(format!("reports/{REPORT}.md")));

    // The edited note: both versions readable, the count said.
    let original_note = sqlite_scalar(
        &archive,
        &format!(
            "SELECT json_extract(content, '$.note') FROM reportpress_version WHERE id = '{NOTE}'"
        ),
    );
    assert!(
        original_note.contains("Tried on an iPhone 15"),
        "{original_note}"
    );
    for doc in [&html, &md] {
        assert!(doc.contains("edited — 2 versions"), "version count");
        assert!(doc.contains("Rewritten after review"), "current version");
        assert!(doc.contains("Tried on an iPhone 15"), "earlier version");
    }

    // The deleted rows are still there, marked.
    for id in [CODE_REF, LATEST_PRIORITY] {
        let entry = html
            .split(&format!("id=\"a-{id}\""))
            .nth(1)
            .unwrap_or_else(|| panic!("entry {id} kept"));
        let entry = &entry[..entry.find("</article>").unwrap()];
        assert!(entry.contains("deleted upstream"), "{id} marked");
        assert!(
            md.contains(&format!("<a id=\"a-{id}\"></a>")),
            "{id} in Markdown"
        );
    }
    assert_eq!(md.matches("**deleted upstream**").count(), 2);

    // The status history says the latest priority row was deleted; the one before it counts.
    let status = &html[html.find("<section class=\"status\">").unwrap()..];
    let status = &status[..status.find("</section>").unwrap()];
    assert!(status.contains("was deleted upstream"), "{status}");
    assert!(
        status.contains(&format!("#a-{EARLIER_PRIORITY}")),
        "{status}"
    );
    assert!(md.contains("was deleted upstream"));

    // The report's earlier title.
    assert!(html.contains("<h1>Renamed upstream: replay tail loss</h1>"));
    for doc in [&html, &md] {
        assert!(
            doc.contains("Session replay loses the last seconds of a recording"),
            "earlier title kept"
        );
    }

    // A third snapshot with nothing changed upstream changes no history.
    let third = snapshot(&pg.url, &archive, &[]);
    assert!(stderr(&third).contains("0 edited") && stderr(&third).contains("0 deleted upstream"));
    assert_eq!(
        sqlite_scalar(&archive, "SELECT COUNT(*) FROM reportpress_version"),
        "2"
    );
    assert_eq!(
        sqlite_scalar(&archive, "SELECT COUNT(*) FROM reportpress_snapshot"),
        "3"
    );
}

#[test]
fn a_killed_snapshot_leaves_the_previous_archive_unchanged() {
    let scratch = Scratch::new("snapshot-kill");
    let source_a = scratch.path("a.sqlite");
    let source_b = scratch.path("b.sqlite");
    for (path, seed) in [(&source_a, "1"), (&source_b, "2")] {
        let p = path.display().to_string();
        let made = reportpress(&["demo", "--reports", "600", "--seed", seed, "--out", &p]);
        assert!(made.status.success(), "{}", stderr(&made));
    }
    let archive = scratch.path("audit.sqlite");
    let first = snapshot(&source_a.display().to_string(), &archive, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = std::fs::read(&archive).unwrap();

    let journal = scratch.path(".audit.sqlite.reportpress-snapshot-journal");
    let work = scratch.path(".audit.sqlite.reportpress-snapshot");
    let mut child = Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(["snapshot", "--from"])
        .arg(&source_b)
        .arg("--to")
        .arg(&archive)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once its transaction is writing (the journal exists).
    let started = Instant::now();
    while !journal.exists() && started.elapsed() < Duration::from_secs(60) {
        if child.try_wait().unwrap().is_some() {
            panic!("the snapshot finished before it could be killed: make the archive larger");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(journal.exists(), "the snapshot never started writing");
    std::thread::sleep(Duration::from_millis(100));
    child.kill().unwrap();
    child.wait().unwrap();

    assert!(
        std::fs::read(&archive).unwrap() == before,
        "archive unchanged"
    );
    let out = scratch.path("site");
    let result = build(Some(&archive.display().to_string()), &out, &[]);
    assert!(stderr(&result).contains("reports ("), "{}", stderr(&result));

    // The next snapshot replaces the killed one's work file and completes.
    assert!(work.exists());
    let again = snapshot(&source_b.display().to_string(), &archive, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(!work.exists() && !journal.exists());
    assert!(std::fs::read(&archive).unwrap() != before);
}

#[test]
fn teams_never_mix_and_the_snapshot_needs_only_select() {
    let Some(admin) = postgres("teams_never_mix_and_the_snapshot_needs_only_select") else {
        return;
    };
    let pg = PgDb::create(&admin, POSTHOG_PG);
    pg.seed(DEMO);
    // A second team with one report of its own.
    pg.execute(
        "INSERT INTO posthog_team (id, uuid, name, timezone, created_at, updated_at) VALUES \
         (2, '018c2f4a-91d0-7c3e-a5b1-6e2d8f0c4a18', 'Other', 'UTC', now(), now());
         INSERT INTO signals_signalreport (id, team_id, status, total_weight, signal_count, signals_at_run, run_count, title, created_at, updated_at) VALUES \
         ('019a0000-0000-7000-8000-00000000aaaa', 2, 'ready', 0, 0, 0, 0, 'Team two only', now(), now());
         INSERT INTO signals_signalreportartefact (id, team_id, report_id, type, content, created_at, updated_at) VALUES \
         ('01a00000-0000-7000-8000-00000000bbbb', 2, '019a0000-0000-7000-8000-00000000aaaa', 'note', '{\"note\": \"team two secret\"}', now(), now());",
    );
    // Only SELECT, on the tables the schema document names.
    let role = format!("{}_snap", pg.name);
    pg.execute(&format!(
        "CREATE ROLE {role} LOGIN; GRANT USAGE ON SCHEMA public TO {role}; \
         GRANT SELECT ON signals_signalreport, signals_signalreportartefact, signals_signalreporttask, \
         posthog_user, posthog_task, posthog_task_run, posthog_team TO {role};"
    ));
    let mut url = url::Url::parse(&pg.url).unwrap();
    url.set_username(&role).unwrap();
    let reader = url.to_string();

    let scratch = Scratch::new("snapshot-teams");
    let archive = scratch.path("audit.sqlite");
    let both = snapshot(&reader, &archive, &[]);
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
    assert!(!archive.exists());

    let one = snapshot(&reader, &archive, &["--team", "1"]);
    assert!(one.status.success(), "{}", stderr(&one));
    for table in [
        "signals_signalreport",
        "signals_signalreportartefact",
        "posthog_task",
        "posthog_task_run",
        "reportpress_row",
    ] {
        assert_eq!(
            sqlite_scalar(
                &archive,
                &format!("SELECT group_concat(DISTINCT team_id) FROM {table}")
            ),
            "1",
            "{table}"
        );
    }
    assert_eq!(
        sqlite_scalar(
            &archive,
            "SELECT COUNT(*) FROM signals_signalreportartefact WHERE content LIKE '%team two secret%'"
        ),
        "0"
    );

    // Team 2 into the same archive: team 1's rows are not taken for deleted.
    let two = snapshot(&reader, &archive, &["--team", "2"]);
    assert!(two.status.success(), "{}", stderr(&two));
    assert!(
        stderr(&two).contains("0 deleted upstream"),
        "{}",
        stderr(&two)
    );
    assert_eq!(
        sqlite_scalar(
            &archive,
            "SELECT COUNT(*) FROM reportpress_row WHERE gone_at IS NOT NULL"
        ),
        "0"
    );
    let out = scratch.path("team1");
    build(Some(&archive.display().to_string()), &out, &["--team", "1"]);
    let index = read(&out.join("index.html"));
    assert!(!index.contains("Team two only"));
    pg.execute(&format!("DROP OWNED BY {role}; DROP ROLE {role};"));
}

#[test]
fn snapshot_errors_are_one_line() {
    let scratch = Scratch::new("snapshot-errors");
    let not_archive = scratch.path("plain.sqlite");
    std::fs::write(&not_archive, b"").unwrap();
    let demo = scratch.path("demo.sqlite");
    let p = demo.display().to_string();
    assert!(
        reportpress(&["demo", "--reports", "3", "--out", &p])
            .status
            .success()
    );
    // An existing SQLite file that is not an archive is refused, untouched.
    common::execute(
        &format!("sqlite://{}?mode=rwc", not_archive.display()),
        "CREATE TABLE t (x INTEGER);",
    );
    let before = std::fs::read(&not_archive).unwrap();
    let refused = snapshot(&p, &not_archive, &[]);
    assert_eq!(refused.status.code(), Some(1));
    let said = stderr(&refused);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("not a reportpress SQLite archive"), "{said}");
    assert!(std::fs::read(&not_archive).unwrap() == before);
    // A folder for --to, and an unreachable source.
    let folder = snapshot(&p, &scratch.0, &[]);
    assert_eq!(folder.status.code(), Some(1));
    assert!(stderr(&folder).contains("is a directory"));
    let unreachable = snapshot(
        "postgres://nobody@127.0.0.1:1/none",
        &scratch.path("x.sqlite"),
        &[],
    );
    assert_eq!(unreachable.status.code(), Some(1));
    assert_eq!(stderr(&unreachable).lines().count(), 1);
}
