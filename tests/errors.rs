//! Errors a user can act on: one line on stderr, exit 1 (2 for usage), never a panic.

mod common;

use common::*;

const FIXTURE: &str = include_str!("fixtures/semantics.toml");

fn fails_with(args: &[&str], code: i32, expect: &str) {
    let result = reportpress(args);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(code), "{args:?}: {err}");
    assert!(err.contains(expect), "{args:?}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_url() {
    let scratch = Scratch::new("badurl");
    let out = scratch.path("out").display().to_string();
    fails_with(
        &[
            "build",
            "--database",
            "mysql://root@localhost/db",
            "--out",
            &out,
        ],
        1,
        "is not a database URL",
    );
    fails_with(
        &[
            "build",
            "--database",
            "sqlite:/nonexistent/archive.sqlite",
            "--out",
            &out,
        ],
        1,
        "no SQLite archive at /nonexistent/archive.sqlite",
    );
}

#[test]
fn unreachable_server() {
    let scratch = Scratch::new("unreachable");
    let out = scratch.path("out").display().to_string();
    fails_with(
        &[
            "build",
            "--database",
            "postgres://postgres:secret@127.0.0.1:9/nowhere",
            "--out",
            &out,
        ],
        1,
        "cannot connect to postgres://postgres:***@127.0.0.1:9/nowhere",
    );
}

#[test]
fn missing_table() {
    let scratch = Scratch::new("missing");
    let path = scratch.path("empty.sqlite");
    execute(
        &format!("sqlite://{}?mode=rwc", path.display()),
        "CREATE TABLE signals_signalreport (id TEXT PRIMARY KEY, team_id INTEGER)",
    );
    let out = scratch.path("out").display().to_string();
    fails_with(
        &[
            "build",
            "--database",
            &path.display().to_string(),
            "--out",
            &out,
        ],
        1,
        "table signals_signalreportartefact not found",
    );
}

#[test]
fn missing_table_in_postgres() {
    let Some(admin) = postgres("missing_table_in_postgres") else {
        return;
    };
    let pg = PgDb::create(&admin, "CREATE TABLE unrelated (id int)");
    let scratch = Scratch::new("missing-pg");
    let out = scratch.path("out").display().to_string();
    fails_with(
        &["build", "--database", &pg.url, "--out", &out],
        1,
        "table signals_signalreport not found",
    );
}

#[test]
fn unknown_team() {
    let scratch = Scratch::new("team");
    let db = sqlite_archive(&scratch.path("a.sqlite"), FIXTURE);
    let out = scratch.path("out").display().to_string();
    fails_with(
        &["build", "--database", &db, "--team", "42", "--out", &out],
        1,
        "unknown team 42: the database holds reports of team 1, 2",
    );
}

#[test]
fn usage_errors_exit_2() {
    let result = reportpress(&["build", "--team", "not-a-number"]);
    assert_eq!(result.status.code(), Some(2));
    let result = reportpress(&["frobnicate"]);
    assert_eq!(result.status.code(), Some(2));
}
