//! Incremental rebuilds: a rebuild reads only reports whose signature (computed by the database)
//! changed, renders only those whose fingerprint changed, removes the pages of reports that are
//! gone, writes no unchanged file, and gives exactly the bytes of a full build — also after an
//! edit that changes no timestamp, and on schemas where the signatures cannot be trusted (the
//! build then reads every report).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use crate::common::*;

fn mtimes(root: &Path) -> BTreeMap<String, SystemTime> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, e.metadata().unwrap().modified().unwrap())
        })
        .collect()
}

#[test]
fn a_no_op_rebuild_writes_no_file() {
    let scratch = Scratch::new("noop");
    let db = sqlite_archive(&scratch.path("a.sqlite"), DEMO);
    let out = scratch.path("out");
    build(Some(&db), &out, &[]);
    let before = mtimes(&out);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let result = build(Some(&db), &out, &[]);
    let err = stderr(&result);
    assert!(err.contains("0 rendered, 15 unchanged"), "{err}");
    assert!(err.contains(", 0 written"), "{err}");
    assert_eq!(mtimes(&out), before, "no file was touched");

    // --full renders everything again, yet writes nothing that did not change.
    let err = stderr(&build(Some(&db), &out, &["--full"]));
    assert!(err.contains("15 rendered, 0 unchanged"), "{err}");
    assert!(err.contains(", 0 written"), "{err}");
}

#[test]
fn an_incremental_rebuild_equals_a_full_build() {
    let scratch = Scratch::new("incremental");
    let path = scratch.path("a.sqlite");
    let db = sqlite_archive(&path, DEMO);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let out = scratch.path("out");
    build(Some(&db), &out, &[]);

    // Change one entry, a title that another report links to, add a report, delete one
    // (soft) and remove another's rows (hard).
    execute(
        &url,
        "UPDATE signals_signalreportartefact SET content = '{\"note\":\"Edited upstream\",\"author\":null}', \
             updated_at = '2026-11-21T10:00:00Z' \
         WHERE id = (SELECT id FROM signals_signalreportartefact WHERE type = 'note' ORDER BY id LIMIT 1); \
         UPDATE signals_signalreport SET title = 'Renamed: weekly trends bucket in UTC' \
         WHERE id = '019a0000-0000-7000-8000-000000000005'; \
         INSERT INTO signals_signalreport (id, team_id, status, title, created_at) \
         VALUES ('019a0000-0000-7000-8000-0000000000aa', 1, 'candidate', 'A new report', '2026-11-21T09:00:00Z'); \
         INSERT INTO signals_signalreportartefact (id, team_id, report_id, type, content, created_at) \
         VALUES ('019a0000-0000-7000-8000-0000000001aa', 1, '019a0000-0000-7000-8000-0000000000aa', 'note', \
                 '{\"note\":\"First note\",\"author\":null}', '2026-11-21T09:01:00Z'); \
         UPDATE signals_signalreport SET status = 'deleted' WHERE id = '019a0000-0000-7000-8000-000000000006'; \
         DELETE FROM signals_signalreportartefact WHERE report_id = '019a0000-0000-7000-8000-000000000015'; \
         DELETE FROM signals_signalreport WHERE id = '019a0000-0000-7000-8000-000000000015';",
    );
    let err = stderr(&build(Some(&db), &out, &[]));
    assert_same_as_full(&db, &out, &scratch, "full");
    assert!(
        !out.join("reports/019a0000-0000-7000-8000-000000000006.html")
            .exists()
    );
    assert!(
        !out.join("reports/019a0000-0000-7000-8000-000000000015.md")
            .exists()
    );
    assert!(
        out.join("reports/019a0000-0000-7000-8000-0000000000aa.html")
            .exists()
    );
    // Only what changed was rendered: the edited report, the renamed one, the report linking
    // to it, the new one, and the reports whose older or newer neighbour changed (those of the
    // renamed report, the one before the new report, those around the two removed) — some of
    // them the same report, and not all 14.
    let rendered: usize = err
        .split(" rendered,")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {err}"));
    assert!((3..=9).contains(&rendered), "{rendered} rendered: {err}");
}

/// Builds `db` into `out` with `REPORTPRESS_TIMINGS=1`: the build's stderr.
fn timed_build(db: &str, out: &Path, extra: &[&str]) -> String {
    let out_s = out.display().to_string();
    let mut args = vec!["build", "--out", out_s.as_str(), "--database", db];
    args.extend(extra);
    let result = Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(&args)
        .env_remove("DATABASE_URL")
        .env("REPORTPRESS_TIMINGS", "1")
        .output()
        .expect("run reportpress");
    let err = stderr(&result);
    assert!(result.status.success(), "build failed: {err}");
    err
}

/// The number just before `words` in the build's timing line of `step`.
fn timing_count(err: &str, step: &str, words: &str) -> usize {
    err.lines()
        .find(|l| l.starts_with(&format!("reportpress: timing: {step} ")))
        .and_then(|l| l.split(words).next())
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {step} timing line in {err}"))
}

/// How many reports the build's plan said it would read (its timing line).
fn to_read(err: &str) -> usize {
    timing_count(err, "plan", " to read")
}

#[test]
fn a_no_op_rebuild_reads_no_report_and_timings_show_only_when_asked() {
    let scratch = Scratch::new("noop-read");
    let db = sqlite_archive(&scratch.path("a.sqlite"), DEMO);
    let out = scratch.path("out");
    let err = stderr(&build(Some(&db), &out, &[]));
    assert!(
        !err.contains("timing:"),
        "no timings without the variable: {err}"
    );

    let err = timed_build(&db, &out, &[]);
    assert_eq!(to_read(&err), 0, "{err}");
    assert!(err.contains("0 rendered, 15 unchanged"), "{err}");
    // Nothing to read, render or write: the later steps do not run at all.
    assert!(!err.contains("timing: render_reports"), "{err}");

    // --full reads everything, and each step says how long it took.
    let err = timed_build(&db, &out, &["--full"]);
    assert_eq!(to_read(&err), 15, "{err}");
    for step in [
        "plan",
        "render_reports",
        "write_archive_pages",
        "write_manifest",
        "finish",
    ] {
        let prefix = format!("reportpress: timing: {step} ");
        assert!(
            err.lines()
                .any(|l| l.starts_with(&prefix) && l.contains(" s (")),
            "no {step} line in {err}"
        );
    }
    assert!(
        err.contains("(15 read, 15 rendered, 0 from the cache)"),
        "{err}"
    );
}

/// Edits one note's content in place, its `updated_at` untouched (`sql` is the new content's
/// expression, of `content`).
fn edit_one_note(url: &str, content: &str) {
    execute(
        url,
        &format!(
            "UPDATE signals_signalreportartefact SET content = {content} \
             WHERE id = (SELECT id FROM signals_signalreportartefact WHERE type = 'note' \
             AND content LIKE '%\"note\":\"%' ORDER BY id LIMIT 1)"
        ),
    );
}

#[test]
fn pages_removed_or_replaced_by_hand_are_written_again() {
    // Nothing changed in the database, but one report's page was deleted and another's
    // replaced by a link: those two reports are rendered again, the link is replaced by a page
    // (what it pointed to is left alone), and the archive is a full build's.
    let scratch = Scratch::new("by-hand");
    let db = sqlite_archive(&scratch.path("a.sqlite"), DEMO);
    let out = scratch.path("out");
    build(Some(&db), &out, &[]);
    let mut pages: Vec<_> = std::fs::read_dir(out.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    pages.sort();
    let (removed, linked) = (&pages[0], pages[1].with_extension("md"));
    std::fs::remove_file(removed).unwrap();
    let elsewhere = scratch.path("elsewhere.md");
    std::fs::write(&elsewhere, "not a page").unwrap();
    std::fs::remove_file(&linked).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &linked).unwrap();

    let err = timed_build(&db, &out, &[]);
    assert_eq!(to_read(&err), 2, "{err}");
    assert!(err.contains("2 rendered"), "{err}");
    assert!(removed.is_file());
    assert!(!linked.symlink_metadata().unwrap().is_symlink());
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "not a page");
    assert_same_as_full(&db, &out, &scratch, "full");
}

/// How many person and task pages the build kept (its timing line).
fn kept_pages(err: &str) -> usize {
    timing_count(err, "write_archive_pages", " person and task pages kept")
}

#[test]
fn person_and_task_pages_are_rendered_only_when_what_they_show_changed() {
    let scratch = Scratch::new("views");
    let path = scratch.path("a.sqlite");
    let db = sqlite_archive(&path, DEMO);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let out = scratch.path("out");
    let err = timed_build(&db, &out, &[]);
    assert_eq!(kept_pages(&err), 0, "a first build keeps nothing: {err}");
    let views = out.join(BUILD_VIEWS);
    let record = std::fs::read_to_string(&views).unwrap();
    let recorded: Vec<&str> = record.lines().collect();
    let pages = recorded.len();
    assert!(
        recorded.iter().any(|l| l.starts_with("people/"))
            && recorded.iter().any(|l| l.starts_with("tasks/")),
        "{record}"
    );

    // One task run's status changes: its task's page is rendered, every other one is kept.
    execute(
        &url,
        "UPDATE posthog_task_run SET status = 'failed' \
         WHERE id = (SELECT id FROM posthog_task_run ORDER BY id LIMIT 1)",
    );
    let err = timed_build(&db, &out, &[]);
    let kept = kept_pages(&err);
    assert!(
        (pages - 3..pages).contains(&kept),
        "{kept} of {pages} kept: {err}"
    );
    assert_same_as_full(&db, &out, &scratch, "full-after-run");

    // A task page deleted by hand is written again; one whose recorded view is not what it
    // shows is rendered again, and replaces what was written over it by hand.
    let task_pages: Vec<&str> = recorded
        .iter()
        .filter_map(|l| l.split_once('\t'))
        .map(|(path, _)| path)
        .filter(|p| p.starts_with("tasks/"))
        .collect();
    let (deleted, stale) = (out.join(task_pages[0]), out.join(task_pages[1]));
    let full = std::fs::read(&stale).unwrap();
    std::fs::remove_file(&deleted).unwrap();
    std::fs::write(&stale, "written over by hand").unwrap();
    let record = std::fs::read_to_string(&views).unwrap();
    let record = record.replace(
        &format!("{}\t", task_pages[1]),
        &format!("{}\tnot-its-view-", task_pages[1]),
    );
    std::fs::write(&views, record).unwrap();
    let err = timed_build(&db, &out, &[]);
    assert_eq!(kept_pages(&err), pages - 2, "{err}");
    assert!(deleted.is_file());
    assert_eq!(std::fs::read(&stale).unwrap(), full);
    assert_same_as_full(&db, &out, &scratch, "full-after-hand");
}

#[test]
fn sqlite_an_edit_that_changes_no_timestamp_is_read_again() {
    let scratch = Scratch::new("sqlite-untimed");
    let path = scratch.path("a.sqlite");
    let db = sqlite_archive(&path, DEMO);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let out = scratch.path("out");
    build(Some(&db), &out, &[]);
    edit_one_note(
        &url,
        "replace(content, '\"note\":\"', '\"note\":\"Edited quietly. ')",
    );
    let err = timed_build(&db, &out, &[]);
    assert_eq!(to_read(&err), 1, "{err}");
    assert!(err.contains("1 rendered"), "{err}");
    assert_same_as_full(&db, &out, &scratch, "full");

    // A row a report draws on by reference: a task run's status.
    execute(
        &url,
        "UPDATE posthog_task_run SET status = 'failed' \
         WHERE id = (SELECT id FROM posthog_task_run ORDER BY id LIMIT 1)",
    );
    let err = timed_build(&db, &out, &[]);
    let read = to_read(&err);
    assert!((1..15).contains(&read), "{read} read: {err}");
    assert_same_as_full(&db, &out, &scratch, "full-after-run");
}

#[test]
fn sqlite_signatures_see_values_of_any_type() {
    // A hand-made archive may hold a BLOB, bytes that are not UTF-8 and NUL where text belongs:
    // the signature query still runs, nothing unchanged is read, and a one-byte edit that keeps
    // the length and every timestamp is seen.
    let scratch = Scratch::new("sqlite-typed");
    let path = scratch.path("a.sqlite");
    let db = sqlite_archive(&path, DEMO);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let set_agent = |value: &str| {
        execute(
            &url,
            &format!(
                "UPDATE signals_signalreportartefact SET actor_agent = {value} \
                 WHERE id = (SELECT id FROM signals_signalreportartefact ORDER BY id LIMIT 1)"
            ),
        )
    };
    set_agent("X'6100FF62'");
    let out = scratch.path("out");
    build(Some(&db), &out, &[]);
    let err = timed_build(&db, &out, &[]);
    assert_eq!(to_read(&err), 0, "{err}");
    set_agent("X'6100FF63'");
    let err = timed_build(&db, &out, &[]);
    assert_eq!(to_read(&err), 1, "{err}");
    assert_same_as_full(&db, &out, &scratch, "full");
}

#[test]
fn sqlite_signatures_keep_ids_holding_spaces_and_line_breaks_apart() {
    // SQLite's signatures come packed a line each, `KIND HEX-OF-KEY SIG`: an id holding a space
    // and a line break (nothing in SQLite stops one) must still find its own signature, or that
    // report would be read on every rebuild, and an edit of it must still be seen. A report
    // without an id has no signature at all: it is read by every rebuild.
    let scratch = Scratch::new("sqlite-odd-ids");
    let path = scratch.path("a.sqlite");
    let db = sqlite_archive(&path, DEMO);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let odd = "' report 1' || char(10) || 'user 2 x'";
    execute(
        &url,
        &format!(
            "UPDATE signals_signalreportartefact SET report_id = {odd} \
             WHERE report_id = (SELECT id FROM signals_signalreport ORDER BY id LIMIT 1); \
             UPDATE signals_signalreport SET id = {odd} \
             WHERE id = (SELECT id FROM signals_signalreport ORDER BY id LIMIT 1)"
        ),
    );
    let out = scratch.path("out");
    build(Some(&db), &out, &[]);
    let err = timed_build(&db, &out, &[]);
    assert_eq!(to_read(&err), 0, "{err}");
    execute(
        &url,
        &format!(
            "UPDATE signals_signalreport SET summary = COALESCE(summary, '') || ' (edited)' \
             WHERE id = {odd}"
        ),
    );
    let err = timed_build(&db, &out, &[]);
    assert_eq!(to_read(&err), 1, "{err}");
    assert_same_as_full(&db, &out, &scratch, "full");

    execute(
        &url,
        "UPDATE signals_signalreport SET id = NULL \
         WHERE id = (SELECT id FROM signals_signalreport ORDER BY id DESC LIMIT 1)",
    );
    timed_build(&db, &out, &[]);
    // Nothing changed since; only the report without an id is read again.
    let err = timed_build(&db, &out, &[]);
    assert_eq!(to_read(&err), 1, "{err}");
    assert_same_as_full(&db, &out, &scratch, "full-after-null");
}

#[test]
fn sqlite_without_updated_at_every_report_is_read() {
    let scratch = Scratch::new("sqlite-oldest");
    let path = scratch.path("a.sqlite");
    let db = sqlite_archive(&path, DEMO);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    // The oldest PostHog schema has no updated_at on artefacts.
    execute(
        &url,
        "ALTER TABLE signals_signalreportartefact DROP COLUMN updated_at",
    );
    let out = scratch.path("out");
    build(Some(&db), &out, &[]);
    // Same length, same end: only a full read can see it.
    edit_one_note(&url, "'{' || substr(replace(content, 'a', 'o'), 2)");
    let err = timed_build(&db, &out, &[]);
    assert!(err.contains("cannot be trusted here"), "{err}");
    assert_eq!(to_read(&err), 15, "{err}");
    assert_same_as_full(&db, &out, &scratch, "full");
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
fn postgres_an_edit_that_keeps_length_and_timestamps_is_read_again() {
    let Some(admin) = postgres("postgres_an_edit_that_keeps_length_and_timestamps_is_read_again")
    else {
        return;
    };
    for (ddl, tag) in [(POSTHOG_PG, "newest"), (OLDEST_PG, "oldest")] {
        let pg = PgDb::create(&admin, ddl);
        pg.seed(DEMO);
        let scratch = Scratch::new(&format!("pg-untimed-{tag}"));
        let out = scratch.path("out");
        build(Some(&pg.url), &out, &[]);
        let err = timed_build(&pg.url, &out, &[]);
        assert_eq!(to_read(&err), 0, "{tag}: {err}");
        // The same length, the same last characters, no timestamp touched: PostgreSQL hashes
        // every value it is asked for, so even this is seen (with or without updated_at).
        edit_one_note(&pg.url, "replace(content, 'a', 'o')");
        let err = timed_build(&pg.url, &out, &[]);
        assert_eq!(to_read(&err), 1, "{tag}: {err}");
        assert_same_as_full(&pg.url, &out, &scratch, "full");
    }
}
