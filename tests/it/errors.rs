//! Errors a user can act on: one line on stderr, exit 1 (2 for usage), never a panic.

use crate::common::*;

const FIXTURE: &str = include_str!("../fixtures/semantics.toml");

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
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
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

/// `export --output` on a full disk (a file-size limit stands in for one: the write fails with
/// EFBIG) leaves the previous file as it was — never a truncated one — and no temporary file,
/// and says the OS error once.
#[test]
fn a_failed_export_leaves_the_previous_file_whole() {
    let scratch = Scratch::new("export-full");
    let target = scratch.path("comment.md");
    std::fs::write(&target, "PREVIOUS").unwrap();
    let bin = env!("CARGO_BIN_EXE_reportpress");
    let out = std::process::Command::new("sh")
        .arg("-c")
        // SIGXFSZ ignored: the write then fails with EFBIG instead of killing the process.
        .arg(format!(
            "trap '' XFSZ; ulimit -f 4; exec '{bin}' export 019a0000-0000-7000-8000-000000000001 --format html --output '{}'",
            target.display()
        ))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("writing") && err.contains("comment.md"),
        "{err}"
    );
    assert_eq!(
        err.matches("os error").count(),
        1,
        "the OS error once: {err}"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "PREVIOUS");
    assert_eq!(
        names(&scratch.path("")),
        ["comment.md"],
        "no temporary file"
    );
}

/// A path is the file it names, `..` and all: `dir/../a.sqlite` is `a.sqlite`, never
/// `dir/a.sqlite` (a URL would normalise it so), for `build`, `demo` and `snapshot`, and no
/// temporary file is left anywhere.
#[test]
fn paths_are_used_as_given() {
    let scratch = Scratch::new("paths");
    let root = scratch.path("");
    std::fs::create_dir(root.join("dir")).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_reportpress"))
            .args(args)
            .current_dir(&root)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stderr(&out)
    };
    // The archive the path names (2 reports) and a decoy where a normalised URL would lead.
    run(&["demo", "--reports", "2", "--out", "dir/../named.sqlite"]);
    run(&[
        "demo",
        "--reports",
        "5",
        "--seed",
        "9",
        "--out",
        "dir/named.sqlite",
    ]);
    assert!(root.join("named.sqlite").is_file());
    let built = run(&[
        "build",
        "--database",
        "dir/../named.sqlite",
        "--out",
        "site",
    ]);
    assert!(
        built.contains(": 2 reports") || built.contains(" 2 reports"),
        "{built}"
    );
    let snapped = run(&[
        "snapshot",
        "--from",
        "dir/../named.sqlite",
        "--to",
        "dir/../snap.sqlite",
    ]);
    assert!(snapped.contains("2 reports"), "{snapped}");
    assert!(root.join("snap.sqlite").is_file());
    assert_eq!(
        names(&root.join("dir")),
        ["named.sqlite"],
        "nothing else written into dir/"
    );
    let top: Vec<String> = names(&root)
        .into_iter()
        .filter(|n| n.starts_with('.') && !n.ends_with(".reportpress-lock"))
        .collect();
    // (The snapshot's lock file stays beside its archive, by design.)
    assert!(top.is_empty(), "no temporary files: {top:?}");
}

/// Shell completions and the manual page come from the command-line definitions: every
/// subcommand is in them, and the bash script is valid bash.
#[test]
fn completions_and_the_manual_page_name_every_subcommand() {
    let subcommands = ["build", "export", "list", "demo", "verify", "snapshot"];
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = reportpress(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let text = String::from_utf8(out.stdout).unwrap();
        for sub in subcommands {
            assert!(text.contains(sub), "{shell} completions lack {sub}");
        }
        if shell == "bash" {
            let scratch = Scratch::new("completions");
            let path = scratch.path("reportpress.bash");
            std::fs::write(&path, &text).unwrap();
            let syntax = std::process::Command::new("bash")
                .arg("-n")
                .arg(&path)
                .output()
                .unwrap();
            assert!(syntax.status.success(), "{}", stderr(&syntax));
            assert!(
                text.contains("complete -F _reportpress"),
                "registers itself"
            );
        }
    }
    let man = reportpress(&["man"]);
    assert!(man.status.success(), "{}", stderr(&man));
    let page = String::from_utf8(man.stdout).unwrap();
    assert!(page.contains(".TH reportpress 1"), "{page}");
    for sub in subcommands {
        assert!(page.contains(sub), "the manual lacks {sub}");
    }
    let unknown = reportpress(&["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", stderr(&unknown));
}
