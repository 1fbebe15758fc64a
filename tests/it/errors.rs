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

/// Every usage mistake exits 2, in every subcommand, with one line that names the flag: a
/// value that is not one, a target that needs `--force`, a folder where a file goes.
#[test]
fn usage_mistakes_exit_2_with_one_line_naming_the_flag() {
    let scratch = Scratch::new("usage-rows");
    let dir = scratch.path("");
    let path = |name: &str| scratch.path(name).display().to_string();
    let db = sqlite_archive(&scratch.path("a.sqlite"), FIXTURE);
    std::fs::write(scratch.path("existing.sqlite"), "keep").unwrap();
    std::fs::create_dir(scratch.path("others")).unwrap();
    std::fs::write(scratch.path("others/notes.txt"), "mine").unwrap();
    let id = "019a0000-0000-7000-8000-000000000001";
    let folder = dir.display().to_string();
    fails_with(
        &["build", "--team", "abc"],
        2,
        "--team: expected a team id (a number), got 'abc'",
    );
    fails_with(
        &["list", "--team", "abc"],
        2,
        "--team: expected a team id (a number), got 'abc'",
    );
    fails_with(
        &["build", "--jobs", "0"],
        2,
        "--jobs: expected a number of workers from 1",
    );
    fails_with(
        &["build", "--frobnicate"],
        2,
        "unexpected argument '--frobnicate'",
    );
    fails_with(&["frobnicate"], 2, "unrecognized subcommand 'frobnicate'");
    fails_with(&[], 2, "expected a command: build, export, list");
    fails_with(&["export"], 2, "missing <REPORT_UUID>");
    fails_with(
        &["snapshot", "--to", &path("s.sqlite")],
        2,
        "missing --from <URL>",
    );
    fails_with(
        &["export", "not-a-uuid"],
        2,
        "<REPORT_UUID>: expected a report's uuid",
    );
    fails_with(
        &["export", id, "--format", "pdf"],
        2,
        "--format: expected pr, md, html, got 'pdf'",
    );
    fails_with(
        &["list", "--status", "bogus"],
        2,
        "--status: expected a report status (potential, candidate, in_progress, pending_input, \
         ready, resolved, failed, suppressed, deleted), got 'bogus'",
    );
    fails_with(
        &["list", "--format", "xml"],
        2,
        "--format: expected table, json, tsv, got 'xml'",
    );
    fails_with(
        &["export", id, "--max-chars", "999"],
        2,
        "--max-chars: expected a number of characters from 1000, got '999'",
    );
    fails_with(
        &["build", "--base-url", "ftp://example.com/"],
        2,
        "--base-url: \"ftp://example.com/\" is not an http(s) URL",
    );
    fails_with(
        &["build", "--database", &db, "--out", &path("out")],
        2,
        "several teams (1, 2): choose with --team ID",
    );
    fails_with(
        &[
            "build",
            "--database",
            &db,
            "--team",
            "1",
            "--out",
            &path("others"),
        ],
        2,
        "pass --force to build into it anyway",
    );
    fails_with(
        &[
            "build",
            "--database",
            &db,
            "--team",
            "1",
            "--out",
            &path("existing.sqlite"),
        ],
        2,
        "is a file, not a folder",
    );
    fails_with(
        &["demo", "--reports", "0", "--out", &path("d.sqlite")],
        2,
        "--reports: expected a number of reports from 1",
    );
    fails_with(
        &["demo", "--reports", "2", "--out", &path("existing.sqlite")],
        2,
        "already exists: pass --force to replace it",
    );
    fails_with(
        &["demo", "--reports", "2", "--out", &folder],
        2,
        "is a directory: --out takes the path of the SQLite file",
    );
    fails_with(
        &["demo", "--reports", "2", "--out", &path("no/such/d.sqlite")],
        2,
        "does not exist",
    );
    fails_with(
        &["snapshot", "--from", &db, "--team", "1", "--to", &folder],
        2,
        "is a directory: --to takes the path of the SQLite file to write",
    );
    fails_with(
        &["snapshot", "--from", &db, "--to", &path("snap.sqlite")],
        2,
        "several teams",
    );
    fails_with(
        &[
            "snapshot",
            "--from",
            &db,
            "--team",
            "1",
            "--to",
            &path("existing.sqlite"),
        ],
        2,
        "is not a reportpress SQLite archive",
    );
    let config = path("reportpress.toml");
    std::fs::write(&config, "# mine\n").unwrap();
    fails_with(
        &["--config", &config, "init"],
        2,
        "reportpress.toml already exists: pass --force to replace it",
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "# mine\n");
    fails_with(
        &["completions", "tcsh"],
        2,
        "<SHELL>: expected bash, elvish, fish, powershell, zsh, got 'tcsh'",
    );
}

/// A file that is not a SQLite database says so in the tool's words, naming the flag and the
/// file, without SQLite's error code.
#[test]
fn a_file_that_is_not_a_database_says_so() {
    let scratch = Scratch::new("notadb");
    let file = scratch.path("notes.sqlite");
    std::fs::write(&file, "x".repeat(4096)).unwrap();
    let file = file.display().to_string();
    let out = scratch.path("out").display().to_string();
    let expect = format!("--database: {file}: not a SQLite database (or is encrypted)");
    fails_with(&["build", "--database", &file, "--out", &out], 1, &expect);
    fails_with(
        &["list", "--database", &format!("sqlite:{file}")],
        1,
        "not a SQLite database (or is encrypted)",
    );
    let to = scratch.path("snap.sqlite").display().to_string();
    fails_with(
        &["snapshot", "--from", &file, "--to", &to],
        1,
        &format!("--from: {file}: not a SQLite database (or is encrypted)"),
    );
    let result = reportpress(&["build", "--database", &file, "--out", &out]);
    assert!(!stderr(&result).contains("code:"), "{}", stderr(&result));
}

/// A connection error says the URL came from `DATABASE_URL` when it did, in the tool's words.
#[test]
fn a_connection_error_names_database_url() {
    let scratch = Scratch::new("from-env");
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(["build", "--out"])
        .arg(scratch.path("out"))
        .env("DATABASE_URL", "postgres://nobody:secret@127.0.0.1:9/none")
        .output()
        .unwrap();
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(
            "reportpress: DATABASE_URL: cannot connect to postgres://nobody:***@127.0.0.1:9/none: "
        ),
        "{err}"
    );
    assert!(
        !err.contains("secret") && !err.contains("error communicating"),
        "{err}"
    );
}

/// A build whose `--out` sits in a folder it may not write to says the folder must be
/// writable, once, without the OS error after it. (Run as `nobody` when the tests run as root,
/// who may write anywhere.)
#[test]
fn an_unwritable_parent_folder_says_it_must_be_writable() {
    let scratch = Scratch::new("unwritable");
    let parent = scratch.path("locked");
    std::fs::create_dir(&parent).unwrap();
    let out = parent.join("site");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&scratch.0, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o555)).unwrap();
    let bin = env!("CARGO_BIN_EXE_reportpress");
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|id| id.stdout.starts_with(b"0\n"));
    let mut command = if root {
        let mut command = std::process::Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        command
    } else {
        std::process::Command::new(bin)
    };
    let result = command
        .args(["build", "--out"])
        .arg(&out)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{err}");
    let last = err.lines().last().unwrap_or_default();
    assert_eq!(
        last,
        format!(
            "reportpress: --out: {}: the folder it is in, {}, must be writable: a build is staged beside it and swapped in",
            out.display(),
            parent.display()
        ),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
}

/// The demo's notice says how many reports it has as the README does, and that one is
/// deleted: the build renders the others.
#[test]
fn the_demo_notice_counts_reports_as_the_readme_does() {
    let scratch = Scratch::new("demo-count");
    let result = build(None, &scratch.path("site"), &[]);
    let err = stderr(&result);
    let notice = err.lines().next().unwrap_or_default();
    let said = notice
        .split_once("embedded demo archive (")
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no count in {notice:?}"));
    assert_eq!(said, "16 reports, one of them deleted");
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(&format!("({said};")),
        "the README says {said}"
    );
    assert!(
        err.contains(": 15 reports ("),
        "the deleted one left out: {err}"
    );
    let listed = reportpress(&["list", "--include-deleted", "--format", "tsv"]);
    let rows = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert_eq!(rows.lines().count(), 1 + 16, "{rows}");
    assert_eq!(
        rows.lines().filter(|l| l.contains("\tdeleted\t")).count(),
        1,
        "{rows}"
    );
}

/// A reader that closes the pipe early (`| head -c 10`, `| head -1`) is not an error: exit 0,
/// nothing on standard error, as ripgrep does. The output is larger than a pipe's buffer, so
/// the writer is still writing when the reader goes.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    let scratch = Scratch::new("pipe");
    let db = scratch.path("big.sqlite");
    let made = reportpress(&[
        "demo",
        "--reports",
        "1000",
        "--out",
        &db.display().to_string(),
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    let db = db.display().to_string();
    let listed = reportpress(&["list", "--database", &db, "--format", "tsv"]);
    let listing = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(
        listing.len() > 128 * 1024,
        "bigger than a pipe: {}",
        listing.len()
    );
    // The report with the most entries: its page is megabytes.
    let id = listing
        .lines()
        .skip(1)
        .map(|line| line.split('\t').collect::<Vec<_>>())
        .max_by_key(|cells| cells[4].parse::<usize>().unwrap_or(0))
        .map(|cells| cells[0].to_string())
        .unwrap();
    let export = ["export", id.as_str(), "--database", &db, "--format", "html"];
    let list = ["list", "--database", db.as_str()];
    let json = ["list", "--database", db.as_str(), "--format", "json"];
    for args in [&export[..], &list, &json] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_reportpress"))
            .args(args)
            .env_remove("DATABASE_URL")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut head = [0u8; 10];
        stdout.read_exact(&mut head).unwrap();
        drop(stdout);
        let result = child.wait_with_output().unwrap();
        assert_eq!(
            result.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&result)
        );
        assert_eq!(stderr(&result), "", "{args:?}");
    }
    // The export really is larger than a pipe.
    let whole = reportpress(&export);
    assert!(whole.stdout.len() > 128 * 1024, "{}", whole.stdout.len());
}
