//! `reportpress snapshot`: a SQLite archive that keeps what PostHog does not — earlier versions
//! of edited rows and rows deleted upstream — updated in one transaction, never in place; and
//! an archive written by the previous version (before PostHog's newer columns and tables)
//! still builds, and takes them.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{
    DEMO, POSTHOG_PG, PgDb, Role, Scratch, build, grant_all_but, names, postgres, read,
    reportpress, sqlite_archive, stderr, tree,
};

const REPORT: &str = "019a0000-0000-7000-8000-000000000002";
const NOTE: &str = "01a0a5fa-1d83-7efa-98fe-f6451063bf77";
const CODE_REF: &str = "01a0960f-a1d0-7f94-a9aa-a16b7fcfe7a9";
/// The latest of the report's three priority judgments.
const LATEST_PRIORITY: &str = "01a0b551-fb60-73eb-bf3b-2bb62463b8ff";
const EARLIER_PRIORITY: &str = "01a0a9b3-a5b0-7d1d-968e-7919aa79c37f";

/// An archive written by the previous version (commit 58b4fcf, before PostHog's newer columns
/// and tables): `reportpress demo --reports 4 --seed 1`, snapshotted, then edited upstream (a
/// note rewritten, a code reference and a link row deleted, a report retitled) and snapshotted
/// again, so it holds earlier versions and rows deleted upstream. Its schema lacks every column
/// and table added since.
const OLD_ARCHIVE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/archive-2026-11.sqlite"
);
/// Rows of the newer columns and tables, in team 7 (see the file's header).
const NEW_ROWS: &str = include_str!("../fixtures/snapshot_2026_09.toml");
const R701: &str = "01961000-0000-7000-8000-000000000701";
const R702: &str = "01961000-0000-7000-8000-000000000702";
const PR501: &str = "01963000-0000-7000-8000-000000000501";
const PR502: &str = "01963000-0000-7000-8000-000000000502";
const ASSIGNMENT701: &str = "01964000-0000-7000-8000-000000000701";
const ASSIGNMENT702: &str = "01964000-0000-7000-8000-000000000702";

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
    crate::common::runtime().block_on(async {
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
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
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
        let made = reportpress(&["demo", "--reports", "300", "--seed", seed, "--out", &p]);
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
    // Still the first snapshot's archive: the reports a build would render are source A's.
    let list = |db: &Path| {
        let listed = reportpress(&["list", "--database", &db.display().to_string()]);
        assert!(listed.status.success(), "{}", stderr(&listed));
        String::from_utf8(listed.stdout).unwrap()
    };
    let reports = list(&archive);
    assert!(reports.lines().count() > 250, "{reports}");
    assert_eq!(reports, list(&source_a));

    // The next snapshot replaces the killed one's work file and completes.
    assert!(work.exists());
    let again = snapshot(&source_b.display().to_string(), &archive, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(!work.exists() && !journal.exists());
    assert!(std::fs::read(&archive).unwrap() != before);
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
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
    // A third team with pull requests and assignments.
    pg.seed(NEW_ROWS);
    // Only SELECT, on the tables the README names.
    let role = Role::new(&pg, "snap", &grant_all_but(""));
    let reader = role.url.clone();

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
    for table in [
        "signals_signalreportpullrequest",
        "signals_signalreportassignment",
    ] {
        assert_eq!(
            sqlite_scalar(&archive, &format!("SELECT COUNT(*) FROM {table}")),
            "0",
            "{table}: team 7's"
        );
    }

    // Team 7 into the same archive: its pull requests and assignments, nobody else's.
    let seven = snapshot(&reader, &archive, &["--team", "7"]);
    assert!(seven.status.success(), "{}", stderr(&seven));
    assert!(
        stderr(&seven).contains("0 deleted upstream"),
        "{}",
        stderr(&seven)
    );
    for table in [
        "signals_signalreportpullrequest",
        "signals_signalreportassignment",
    ] {
        assert_eq!(
            sqlite_scalar(
                &archive,
                &format!("SELECT group_concat(DISTINCT team_id) || ':' || COUNT(*) FROM {table}")
            ),
            "7:2",
            "{table}"
        );
    }

    // Team 2 into the same archive: the other teams' rows are not taken for deleted.
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
    drop(role);
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
    crate::common::execute(
        &format!("sqlite://{}?mode=rwc", not_archive.display()),
        "CREATE TABLE t (x INTEGER);",
    );
    let before = std::fs::read(&not_archive).unwrap();
    let refused = snapshot(&p, &not_archive, &[]);
    assert_eq!(refused.status.code(), Some(2));
    let said = stderr(&refused);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("not a reportpress SQLite archive"), "{said}");
    assert!(std::fs::read(&not_archive).unwrap() == before);
    // A folder for --to, and an unreachable source.
    let folder = snapshot(&p, &scratch.0, &[]);
    assert_eq!(folder.status.code(), Some(2));
    assert!(stderr(&folder).contains("is a directory"));
    let unreachable = snapshot(
        "postgres://nobody@127.0.0.1:1/none",
        &scratch.path("x.sqlite"),
        &[],
    );
    assert_eq!(unreachable.status.code(), Some(1));
    assert_eq!(stderr(&unreachable).lines().count(), 1);
}

/// A copy of the previous version's archive at `to`.
fn old_archive_copy(to: &Path) {
    std::fs::copy(OLD_ARCHIVE, to).expect("copy the previous version's archive");
}

/// A SQLite source holding [`NEW_ROWS`]; returns its path as text.
fn new_rows_source(path: &Path) -> String {
    crate::common::sqlite_archive(path, NEW_ROWS);
    path.display().to_string()
}

/// Runs `sql` on the SQLite file at `path`.
fn sqlite_execute(path: &Path, sql: &str) {
    crate::common::execute(&format!("sqlite://{}?mode=rwc", path.display()), sql);
}

fn column_names(archive: &Path, table: &str) -> String {
    sqlite_scalar(
        archive,
        &format!("SELECT group_concat(name) FROM pragma_table_info('{table}')"),
    )
}

/// Asserts that two builds hold the same files, byte for byte, except the manifest (whose row
/// hashes rightly differ: a snapshot's rows also say when each was first seen).
fn assert_same_site(left: &Path, right: &Path) {
    let (left, right) = (tree(left), tree(right));
    assert_eq!(
        left.keys().collect::<Vec<_>>(),
        right.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &left {
        if path != "manifest.json" {
            assert!(bytes == &right[path], "{path} differs");
        }
    }
}

#[test]
fn an_archive_of_the_previous_version_builds_and_a_snapshot_of_it_changes_no_page() {
    let old = Path::new(OLD_ARCHIVE);
    let fixture_bytes = std::fs::read(old).unwrap();
    // Really the previous schema, with history.
    assert!(!column_names(old, "signals_signalreportartefact").contains("claim_id"));
    assert!(!column_names(old, "signals_signalreport").contains("corroboration_count"));
    assert_eq!(
        sqlite_scalar(
            old,
            "SELECT COUNT(*) FROM sqlite_master WHERE name IN \
             ('signals_signalreportpullrequest', 'signals_signalreportassignment')"
        ),
        "0"
    );
    let versions = sqlite_scalar(old, "SELECT COUNT(*) FROM reportpress_version");
    let gone = sqlite_scalar(
        old,
        "SELECT COUNT(*) FROM reportpress_row WHERE gone_at IS NOT NULL",
    );
    assert_eq!((versions.as_str(), gone.as_str()), ("2", "2"));

    // It builds as it is: every report's pages, its history shown.
    let scratch = Scratch::new("snapshot-old-archive");
    let as_is = scratch.path("as-is");
    build(Some(OLD_ARCHIVE), &as_is, &[]);
    let reports = sqlite_scalar(
        old,
        "SELECT group_concat(id) FROM (SELECT id FROM signals_signalreport ORDER BY id)",
    );
    let reports: Vec<&str> = reports.split(',').collect();
    assert_eq!(reports.len(), 4);
    for id in &reports {
        for ext in ["html", "md"] {
            assert!(
                as_is.join(format!("reports/{id}.{ext}")).is_file(),
                "{id}.{ext}"
            );
        }
    }
    let pages = tree(&as_is);
    let all_html: String = reports
        .iter()
        .map(|id| String::from_utf8_lossy(&pages[&format!("reports/{id}.html")]).into_owned())
        .collect();
    assert!(all_html.contains("edited — 2 versions"));
    assert!(all_html.contains("deleted upstream"));

    // A snapshot of it into a copy of itself adds the new columns and tables, and records
    // nothing: no row is new, edited or gone, and no page changes.
    let copy = scratch.path("copy.sqlite");
    old_archive_copy(&copy);
    let again = snapshot(OLD_ARCHIVE, &copy, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    let said = stderr(&again);
    assert!(
        said.contains("0 rows new, 0 edited") && said.contains("0 deleted upstream"),
        "{said}"
    );
    for (table, column, _) in reportpress::archive::snapshot::ADDED_COLUMNS {
        assert!(
            column_names(&copy, table).split(',').any(|c| c == column),
            "{table}.{column} added"
        );
    }
    assert!(column_names(&copy, "signals_signalreportpullrequest").contains("merged_at"));
    assert!(column_names(&copy, "signals_signalreportassignment").contains("pr_state"));
    assert_eq!(
        sqlite_scalar(&copy, "SELECT COUNT(*) FROM reportpress_version"),
        versions
    );
    assert_eq!(
        sqlite_scalar(
            &copy,
            "SELECT COUNT(*) FROM reportpress_row WHERE gone_at IS NOT NULL"
        ),
        gone
    );
    let migrated = scratch.path("migrated");
    build(Some(&copy.display().to_string()), &migrated, &[]);
    let after = tree(&migrated);
    for id in &reports {
        for ext in ["html", "md"] {
            let page = format!("reports/{id}.{ext}");
            assert!(pages[&page] == after[&page], "{page} differs");
        }
    }
    assert_same_site(&as_is, &migrated);
    // The source is only read.
    assert!(std::fs::read(old).unwrap() == fixture_bytes);
}

#[test]
fn a_snapshot_into_an_archive_of_the_previous_version_fills_the_new_columns_and_tables() {
    let scratch = Scratch::new("snapshot-new-columns");
    let source = new_rows_source(&scratch.path("source.sqlite"));
    let archive = scratch.path("audit.sqlite");
    old_archive_copy(&archive);
    let versions = sqlite_scalar(&archive, "SELECT COUNT(*) FROM reportpress_version");

    let done = snapshot(&source, &archive, &["--team", "7"]);
    assert!(done.status.success(), "{}", stderr(&done));
    let said = stderr(&done);
    assert!(
        said.contains("0 edited") && said.contains("0 deleted upstream"),
        "{said}"
    );

    let q = |sql: &str| sqlite_scalar(&archive, sql);
    assert_eq!(
        q(&format!(
            "SELECT run_count || ',' || corroboration_count || ',' || content_revision_count || ',' || \
             implemented_at_run_count || ',' || implemented_at_revision_count \
             FROM signals_signalreport WHERE id = '{R701}'"
        )),
        "3,6,2,2,1"
    );
    assert_eq!(
        q(&format!(
            "SELECT quote(corroboration_count) FROM signals_signalreport WHERE id = '{R702}'"
        )),
        "NULL"
    );
    assert_eq!(
        q(
            "SELECT claim_id || ' ' || pull_request_id FROM signals_signalreportartefact \
           WHERE id = '01965000-0000-7000-8000-000000000713'"
        ),
        format!("01965000-0000-7000-8000-000000000712 {PR501}")
    );
    assert_eq!(
        q(
            "SELECT group_concat(number || ':' || state || ':' || team_id) FROM \
           (SELECT * FROM signals_signalreportpullrequest ORDER BY number)"
        ),
        "501:open:7,502:draft:7"
    );
    assert_eq!(
        q(&format!(
            "SELECT actor_kind || ':' || actor_user_id || ':' || pr_state || ':' || pr_merged \
             FROM signals_signalreportassignment WHERE report_id = '{R702}'"
        )),
        "user:73:draft:0"
    );
    assert_eq!(
        q(&format!(
            "SELECT actor_task_id FROM signals_signalreportassignment WHERE id = '{ASSIGNMENT701}'"
        )),
        "7f000000-0000-4000-8000-000000000701"
    );
    // The assignment's holder and the reviewer named by uuid are copied as people.
    assert_eq!(
        q(
            "SELECT group_concat(first_name) FROM (SELECT first_name FROM posthog_user \
           WHERE id IN (71, 72, 73) ORDER BY id)"
        ),
        "Ana,Bea,Carl"
    );
    // History rows: a pull request belongs to the first report that links it.
    assert_eq!(
        q(&format!(
            "SELECT report_id FROM reportpress_row WHERE kind = 'pull_request' AND id = '{PR501}'"
        )),
        R701
    );
    assert_eq!(
        q(
            "SELECT group_concat(kind || ':' || n) FROM (SELECT kind, COUNT(*) AS n FROM reportpress_row \
           WHERE team_id = 7 GROUP BY kind ORDER BY kind)"
        ),
        "artefact:7,assignment:2,pull_request:2,report:2"
    );
    // Team 1's rows, and their history, are as they were.
    assert_eq!(q("SELECT COUNT(*) FROM reportpress_version"), versions);
    assert_eq!(
        q("SELECT COUNT(*) FROM reportpress_row WHERE team_id = 1 AND gone_at IS NOT NULL"),
        "2"
    );

    // The copied rows build the same pages as their source.
    let (from_source, from_archive) = (scratch.path("from-source"), scratch.path("from-archive"));
    build(Some(&source), &from_source, &["--team", "7"]);
    build(
        Some(&archive.display().to_string()),
        &from_archive,
        &["--team", "7"],
    );
    assert_same_site(&from_source, &from_archive);
    let page = read(&from_archive.join(format!("reports/{R702}.html")));
    assert!(page.contains("Carl Dias"), "the assignment's holder");
}

#[test]
fn a_pull_request_or_assignment_change_is_kept_as_history_not_as_an_entry_edit() {
    let scratch = Scratch::new("snapshot-pr-history");
    let source_path = scratch.path("source.sqlite");
    let source = new_rows_source(&source_path);
    let archive = scratch.path("audit.sqlite");
    let q = |sql: &str| sqlite_scalar(&archive, sql);
    let same_pages = |tag: &str| {
        let (a, b) = (
            scratch.path(&format!("{tag}-source")),
            scratch.path(&format!("{tag}-archive")),
        );
        build(Some(&source), &a, &[]);
        build(Some(&archive.display().to_string()), &b, &[]);
        assert_same_site(&a, &b);
        b
    };

    let first = snapshot(&source, &archive, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("13 rows new, 0 edited"),
        "{}",
        stderr(&first)
    );

    // Upstream: #501 is merged (its assignment says so too); #502 is only checked again.
    std::thread::sleep(Duration::from_millis(5));
    sqlite_execute(
        &source_path,
        &format!(
            "UPDATE signals_signalreportpullrequest SET state = 'merged', \
             merged_at = '2026-09-20T09:00:00.000000Z', checked_at = '2026-09-20T09:05:00.000000Z', \
             updated_at = '2026-09-20T09:05:00.000000Z' WHERE id = '{PR501}';
             UPDATE signals_signalreportpullrequest SET checked_at = '2026-09-20T09:05:00.000000Z', \
             updated_at = '2026-09-20T09:05:00.000000Z' WHERE id = '{PR502}';
             UPDATE signals_signalreportassignment SET pr_state = 'merged', pr_merged = 1, \
             updated_at = '2026-09-20T09:05:00.000000Z' WHERE id = '{ASSIGNMENT701}';"
        ),
    );
    let second = snapshot(&source, &archive, &[]);
    assert!(second.status.success(), "{}", stderr(&second));
    let said = stderr(&second);
    assert!(
        said.contains("0 rows new, 2 edited") && said.contains("0 deleted upstream"),
        "{said}"
    );
    assert_eq!(
        q(
            "SELECT group_concat(v) FROM (SELECT kind || ':' || id || ':' || version || ':' || report_id \
           AS v FROM reportpress_version ORDER BY v)"
        ),
        format!("assignment:{ASSIGNMENT701}:1:{R701},pull_request:{PR501}:1:{R701}"),
        "one earlier version each, and none of an entry"
    );
    assert_eq!(
        q(&format!(
            "SELECT json_extract(content, '$.state') || ' ' || quote(json_extract(content, '$.merged_at')) || ' ' || updated_at \
             FROM reportpress_version WHERE kind = 'pull_request' AND id = '{PR501}'"
        )),
        "open NULL 2026-09-12T10:00:00.000000Z"
    );
    assert_eq!(
        q(&format!(
            "SELECT json_extract(content, '$.pr_state') || ' ' || json_extract(content, '$.pr_merged') \
             FROM reportpress_version WHERE kind = 'assignment' AND id = '{ASSIGNMENT701}'"
        )),
        "open 0"
    );
    assert_eq!(
        q(&format!(
            "SELECT (since > first_seen) || ' ' || (SELECT since = first_seen FROM reportpress_row \
             WHERE kind = 'pull_request' AND id = '{PR502}') \
             FROM reportpress_row WHERE kind = 'pull_request' AND id = '{PR501}'"
        )),
        "1 1",
        "#501's current state is seen since the second snapshot; #502 unchanged"
    );
    assert_eq!(
        q(&format!(
            "SELECT state || ' ' || checked_at FROM signals_signalreportpullrequest WHERE id = '{PR502}'"
        )),
        "draft 2026-09-20T09:05:00.000000Z"
    );
    // No entry reads as edited: the pages are those of the source.
    let site = same_pages("second");
    for id in [R701, R702] {
        let page = read(&site.join(format!("reports/{id}.html")));
        assert!(!page.contains("edited —"), "{id}");
    }

    // Upstream: report 702's assignment is replaced by another row (Ana holds it now).
    sqlite_execute(
        &source_path,
        &format!(
            "DELETE FROM signals_signalreportassignment WHERE id = '{ASSIGNMENT702}';
             INSERT INTO signals_signalreportassignment (id, team_id, report_id, actor_kind, \
             actor_user_id, claimed_at, pr_merged, created_at, updated_at) VALUES \
             ('01964000-0000-7000-8000-000000000799', 7, '{R702}', 'user', 71, \
             '2026-09-21T08:00:00.000000Z', 0, '2026-09-21T08:00:00.000000Z', \
             '2026-09-21T08:00:00.000017Z');"
        ),
    );
    let third = snapshot(&source, &archive, &[]);
    let said = stderr(&third);
    assert!(
        said.contains("1 rows new, 0 edited") && said.contains("1 deleted upstream"),
        "{said}"
    );
    assert_eq!(
        q(&format!(
            "SELECT group_concat(id) FROM signals_signalreportassignment WHERE report_id = '{R702}'"
        )),
        "01964000-0000-7000-8000-000000000799"
    );
    assert_eq!(
        q(&format!(
            "SELECT json_extract(v.content, '$.actor_user_id') || ' ' || (r.gone_at IS NOT NULL) \
             FROM reportpress_version v JOIN reportpress_row r ON r.kind = v.kind AND r.id = v.id \
             WHERE v.kind = 'assignment' AND v.id = '{ASSIGNMENT702}'"
        )),
        "73 1",
        "the replaced assignment kept, found gone"
    );
    let site = same_pages("third");
    assert!(read(&site.join(format!("reports/{R702}.html"))).contains("Ana Lima"));

    // Nothing changed upstream: nothing recorded.
    let fourth = snapshot(&source, &archive, &[]);
    let said = stderr(&fourth);
    assert!(
        said.contains("0 rows new, 0 edited") && said.contains("0 deleted upstream"),
        "{said}"
    );
    assert_eq!(q("SELECT COUNT(*) FROM reportpress_version"), "3");
}

#[test]
fn a_source_without_the_new_tables_and_columns_changes_none_of_them() {
    let scratch = Scratch::new("snapshot-older-source");
    let source_path = scratch.path("source.sqlite");
    let source = new_rows_source(&source_path);
    let archive = scratch.path("audit.sqlite");
    let first = snapshot(&source, &archive, &[]);
    assert!(first.status.success(), "{}", stderr(&first));

    // The same rows, read from a database of before PostHog's newer columns and tables.
    sqlite_execute(
        &source_path,
        "DROP TABLE signals_signalreportpullrequest; DROP TABLE signals_signalreportassignment;
         ALTER TABLE signals_signalreportartefact DROP COLUMN claim_id;
         ALTER TABLE signals_signalreportartefact DROP COLUMN pull_request_id;
         ALTER TABLE signals_signalreport DROP COLUMN corroboration_count;
         ALTER TABLE signals_signalreport DROP COLUMN implemented_at_run_count;",
    );
    let older = snapshot(&source, &archive, &[]);
    assert!(older.status.success(), "{}", stderr(&older));
    let said = stderr(&older);
    assert!(
        said.contains("0 rows new, 0 edited") && said.contains("0 deleted upstream"),
        "{said}"
    );
    let q = |sql: &str| sqlite_scalar(&archive, sql);
    assert_eq!(
        q("SELECT COUNT(*) FROM reportpress_row WHERE gone_at IS NOT NULL"),
        "0"
    );
    assert_eq!(
        q(&format!(
            "SELECT corroboration_count || ',' || implemented_at_run_count || ',' || content_revision_count \
             FROM signals_signalreport WHERE id = '{R701}'"
        )),
        "6,2,2"
    );
    assert_eq!(
        q(
            "SELECT COUNT(*) FROM signals_signalreportartefact WHERE claim_id IS NOT NULL OR pull_request_id IS NOT NULL"
        ),
        "3"
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM signals_signalreportassignment"),
        "2"
    );
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
fn postgresql_and_sqlite_give_the_same_archive_of_the_new_rows() {
    let Some(admin) = postgres("postgresql_and_sqlite_give_the_same_archive_of_the_new_rows")
    else {
        return;
    };
    let pg = PgDb::create(&admin, POSTHOG_PG);
    pg.seed(NEW_ROWS);
    let scratch = Scratch::new("snapshot-pg-sqlite");
    let source = new_rows_source(&scratch.path("source.sqlite"));
    let (from_pg, from_sqlite) = (scratch.path("pg.sqlite"), scratch.path("sqlite.sqlite"));
    for (from, to) in [(pg.url.as_str(), &from_pg), (source.as_str(), &from_sqlite)] {
        let done = snapshot(from, to, &[]);
        assert!(done.status.success(), "{}", stderr(&done));
    }
    // The same rows in every PostHog table of both archives.
    for table in [
        "posthog_user",
        "posthog_task",
        "posthog_task_run",
        "signals_signalreport",
        "signals_signalreportartefact",
        "signals_signalreportpullrequest",
        "signals_signalreportassignment",
    ] {
        let columns = column_names(&from_pg, table);
        let dump = format!(
            "SELECT group_concat(r, char(10)) FROM (SELECT {} AS r FROM {table} ORDER BY 1)",
            columns
                .split(',')
                // A run's output is jsonb in PostHog: PostgreSQL stores it re-spaced.
                .filter(|c| !(table == "posthog_task_run" && *c == "output"))
                .map(|c| format!("quote({c})"))
                .collect::<Vec<_>>()
                .join(" || '|' || ")
        );
        assert_eq!(
            sqlite_scalar(&from_pg, &dump),
            sqlite_scalar(&from_sqlite, &dump),
            "{table}"
        );
    }
    // And the same pages as PostgreSQL itself.
    let sites = [
        (Some(pg.url.clone()), scratch.path("site-pg")),
        (
            Some(from_pg.display().to_string()),
            scratch.path("site-pg-archive"),
        ),
        (
            Some(from_sqlite.display().to_string()),
            scratch.path("site-sqlite-archive"),
        ),
    ];
    for (db, out) in &sites {
        build(db.as_deref(), out, &[]);
    }
    assert_same_site(&sites[0].1, &sites[1].1);
    assert_same_site(&sites[0].1, &sites[2].1);

    // The same rows from the other database are no change.
    let switched = snapshot(&pg.url, &from_sqlite, &[]);
    let said = stderr(&switched);
    assert!(
        said.contains("0 rows new, 0 edited") && said.contains("0 deleted upstream"),
        "{said}"
    );
    assert_eq!(
        sqlite_scalar(&from_sqlite, "SELECT COUNT(*) FROM reportpress_version"),
        "0"
    );
}

// =============================================================================================
// Issue 12 — a snapshot records only what it read completely. A table or column the role may
// not read stops it before it writes anything: never "deleted upstream" or "edited upstream"
// for what it could not see. And text that is not UTF-8 never aborts a build or a snapshot.
// =============================================================================================

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
fn a_snapshot_without_select_on_a_table_or_column_records_nothing() {
    let Some(admin) = postgres("a_snapshot_without_select_on_a_table_or_column_records_nothing")
    else {
        return;
    };
    let pg = PgDb::create(&admin, POSTHOG_PG);
    pg.seed(DEMO);
    pg.seed(NEW_ROWS);
    let scratch = Scratch::new("snapshot-denied");
    let archive = scratch.path("audit.sqlite");
    // The previous snapshot, with every grant the README names.
    let full = Role::new(&pg, "full", &grant_all_but(""));
    let first = snapshot(&full.url, &archive, &["--team", "1", "--team", "7"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = std::fs::read(&archive).unwrap();
    let listing = names(&scratch.0);

    // Without SELECT on the link table (it used to mark every link row deleted upstream),
    // and with a column grant leaving out `content` (every entry edited upstream).
    let no_links = Role::new(&pg, "nolinks", &grant_all_but("signals_signalreporttask"));
    let no_content = Role::new(
        &pg,
        "nocontent",
        &format!(
            "{} GRANT SELECT (id, team_id, report_id, type, created_at, updated_at, \
             created_by_id, task_id, channel_id, actor_kind, actor_agent, claim_id, \
             pull_request_id) ON signals_signalreportartefact TO {{role}};",
            grant_all_but("signals_signalreportartefact")
        ),
    );
    for (role, what, table) in [
        (
            &no_links,
            "signals_signalreporttask",
            "signals_signalreporttask",
        ),
        (
            &no_content,
            "signals_signalreportartefact.content",
            "signals_signalreportartefact",
        ),
    ] {
        let expect = format!(
            "cannot read {what}: permission denied; GRANT SELECT ON {table} TO {}",
            role.name
        );
        for to in [&archive, &scratch.path("new.sqlite")] {
            let out = snapshot(&role.url, to, &["--team", "1", "--team", "7"]);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{err}");
            assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
            assert!(err.contains(&expect), "expected {expect:?}, got {err}");
        }
        assert!(
            std::fs::read(&archive).unwrap() == before,
            "the archive changed after a refused snapshot"
        );
        assert_eq!(names(&scratch.0), listing, "a file was left or created");
    }
    // Granted what it names, the role's snapshot finds nothing changed.
    pg.execute(&format!(
        "GRANT SELECT ON signals_signalreporttask TO {0}; \
         GRANT SELECT ON signals_signalreportartefact TO {1};",
        no_links.name, no_content.name
    ));
    for role in [&no_links, &no_content] {
        let again = snapshot(&role.url, &archive, &["--team", "1", "--team", "7"]);
        let said = stderr(&again);
        assert!(again.status.success(), "{said}");
        assert!(
            said.contains(" 0 rows new, 0 edited upstream") && said.contains("0 deleted upstream"),
            "{said}"
        );
    }
}

/// The demo archive with bytes that are not UTF-8 in a user's name, a task's title, an
/// entry's type and an entry's content (SQLite's TEXT holds whatever bytes were written).
fn archive_with_bytes_that_are_not_utf8(path: &Path) -> String {
    let url = crate::common::sqlite_archive(path, DEMO);
    crate::common::execute(
        &format!("sqlite://{}", path.display()),
        &format!(
            "UPDATE posthog_user SET first_name = 'S' || CAST(X'FF' AS TEXT) || 'm' WHERE id = 6;
             UPDATE posthog_task SET title = 'Flush the final batch on page' || CAST(X'FE' AS TEXT) || 'hide'
               WHERE id = '{TASK}';
             UPDATE signals_signalreportartefact SET type = 'no' || CAST(X'C3' AS TEXT) || 'te'
               WHERE id = '{RETYPED}';
             UPDATE signals_signalreportartefact
               SET content = '{{\"note\": \"Repro on Saf' || CAST(X'E9' AS TEXT) || 'ri 18\"}}'
               WHERE id = '{NOTE}';"
        ),
    );
    url
}

/// A task of [`REPORT`] and another entry of it (a note by user 3).
const TASK: &str = "c552842f-4d97-4917-8b70-f1dc0b146a29";
const RETYPED: &str = "01a0c8c9-ea18-736c-aafd-edd91a067d57";

/// What the reader tells of each cell: table, column and row.
fn invalid_utf8_notices() -> [String; 4] {
    [
        format!("signals_signalreportartefact.type of row {RETYPED}"),
        format!("signals_signalreportartefact.content of row {NOTE}"),
        "posthog_user.first_name of row 6".to_string(),
        format!("posthog_task.title of row {TASK}"),
    ]
}

#[test]
fn bytes_that_are_not_utf8_never_abort_a_build_an_export_or_a_snapshot() {
    let scratch = Scratch::new("not-utf8");
    let path = scratch.path("bytes.sqlite");
    let db = archive_with_bytes_that_are_not_utf8(&path);

    let out = scratch.path("site");
    let built = build(Some(&db), &out, &[]);
    assert!(built.status.success(), "{}", stderr(&built));
    let page = read(&out.join(format!("reports/{REPORT}.html")));
    let md = read(&out.join(format!("reports/{REPORT}.md")));
    for shown in [
        "S\u{FFFD}m",
        "page\u{FFFD}hide",
        "no\u{FFFD}te",
        "Saf\u{FFFD}ri 18",
    ] {
        assert!(page.contains(shown), "{shown:?} in the HTML page");
        assert!(md.contains(shown), "{shown:?} in the Markdown page");
    }
    let task = read(&out.join(format!("tasks/{TASK}.html")));
    assert!(task.contains("page\u{FFFD}hide"));

    let export = reportpress(&["export", REPORT, "--database", &db, "--format", "md"]);
    assert!(export.status.success(), "{}", stderr(&export));
    assert!(
        String::from_utf8(export.stdout)
            .unwrap()
            .contains("Saf\u{FFFD}ri 18")
    );

    // A snapshot copies what the reader shows; taken again, it finds nothing edited.
    let archive = scratch.path("audit.sqlite");
    let first = snapshot(&db, &archive, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(
        sqlite_scalar(&archive, "SELECT first_name FROM posthog_user WHERE id = 6"),
        "S\u{FFFD}m"
    );
    let again = snapshot(&db, &archive, &[]);
    assert!(
        stderr(&again).contains("0 edited upstream"),
        "{}",
        stderr(&again)
    );
}

/// Each cell that held bytes that are not UTF-8 is told of once, by table, column and row.
#[test]
fn the_reader_names_each_cell_that_is_not_utf8() {
    let scratch = Scratch::new("not-utf8-notices");
    let path = scratch.path("bytes.sqlite");
    let db = archive_with_bytes_that_are_not_utf8(&path);
    let notices = crate::common::runtime().block_on(async {
        let mut source = reportpress::source::Source::open(&db).await.unwrap();
        let report = source
            .report(REPORT.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        source.report_rows(report).await.unwrap();
        source.notices().to_vec()
    });
    assert_eq!(notices.len(), 4, "{notices:#?}");
    for expected in invalid_utf8_notices() {
        assert!(
            notices
                .iter()
                .any(|n| n.starts_with(&expected) && n.ends_with("shown as U+FFFD")),
            "{expected:?} in {notices:#?}"
        );
    }
}

/// The notices on the report's pages. Needs `ReportRows::notices` (src/model/record.rs) and
/// `Report::from_rows` adding them to the report's notices: see issue 12.
#[test]
fn the_report_pages_name_each_cell_that_is_not_utf8() {
    let scratch = Scratch::new("not-utf8-pages");
    let path = scratch.path("bytes.sqlite");
    let db = archive_with_bytes_that_are_not_utf8(&path);
    let out = scratch.path("site");
    build(Some(&db), &out, &[]);
    let page = read(&out.join(format!("reports/{REPORT}.html")));
    let md = read(&out.join(format!("reports/{REPORT}.md")));
    for expected in invalid_utf8_notices() {
        assert!(page.contains(&expected), "{expected:?} in the HTML page");
        // Markdown escapes `_` and `.`: compare with the escapes removed.
        assert!(
            md.replace('\\', "").contains(&expected),
            "{expected:?} in the Markdown page"
        );
    }
}

// ============================== end of the issue 12 section ==================================

/// A second snapshot into an archive another snapshot is writing is refused in one line (it
/// would replace the first one's work file), and the archive is left as it was.
#[test]
fn a_concurrent_snapshot_is_refused() {
    let scratch = Scratch::new("snapshot-busy");
    let source = sqlite_archive(&scratch.path("source.sqlite"), DEMO);
    let to = scratch.path("audit.sqlite");
    let to_s = to.display().to_string();
    let first = reportpress(&["snapshot", "--from", &source, "--to", &to_s]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = std::fs::read(&to).unwrap();
    // The lock a running snapshot holds.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(scratch.path(".audit.sqlite.reportpress-lock"))
        .unwrap();
    lock.lock().unwrap();
    let second = reportpress(&["snapshot", "--from", &source, "--to", &to_s]);
    let err = stderr(&second);
    assert_eq!(second.status.code(), Some(1), "{err}");
    assert!(err.contains("another snapshot is writing into"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(std::fs::read(&to).unwrap(), before);
    drop(lock);
    let third = reportpress(&["snapshot", "--from", &source, "--to", &to_s]);
    assert!(third.status.success(), "{}", stderr(&third));
}
