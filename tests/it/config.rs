//! `reportpress.toml`: found in the current folder or named by `--config`; a flag beats
//! `DATABASE_URL`, which beats the file; paths relative to the file's folder; an unknown key
//! is a usage error naming it and the file; `init` writes a file that parses and builds.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::*;

/// `reportpress ARGS` run in `dir`, with `DATABASE_URL` set to `database_url` (or unset).
fn run_in(dir: &Path, database_url: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reportpress"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL");
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    command.output().expect("run reportpress")
}

/// A generated archive of `reports` reports at `dir/name`.
fn archive(dir: &Path, name: &str, reports: u32) {
    let result = run_in(
        dir,
        None,
        &["demo", "--reports", &reports.to_string(), "--out", name],
    );
    assert!(result.status.success(), "{}", stderr(&result));
}

/// How many reports `list` shows (a TSV header, then one line each).
fn listed(result: &Output) -> usize {
    assert!(result.status.success(), "{}", stderr(result));
    String::from_utf8_lossy(&result.stdout).lines().count() - 1
}

#[test]
fn a_flag_beats_the_environment_which_beats_the_file() {
    let scratch = Scratch::new("config-precedence");
    let dir = scratch.path("");
    archive(&dir, "file.sqlite", 2);
    archive(&dir, "env.sqlite", 3);
    archive(&dir, "flag.sqlite", 4);
    std::fs::write(
        dir.join("reportpress.toml"),
        "database = \"file.sqlite\"\nteams = [1]\n",
    )
    .unwrap();
    let list = ["list", "--format", "tsv"];
    assert_eq!(listed(&run_in(&dir, None, &list)), 2, "the file");
    assert_eq!(
        listed(&run_in(&dir, Some("env.sqlite"), &list)),
        3,
        "the environment over the file"
    );
    let flag = ["list", "--format", "tsv", "--database", "flag.sqlite"];
    assert_eq!(
        listed(&run_in(&dir, Some("env.sqlite"), &flag)),
        4,
        "the flag over both"
    );
    // The file's team is used, and a flag replaces it.
    let other_team = run_in(&dir, None, &["list", "--team", "7"]);
    assert_eq!(other_team.status.code(), Some(1), "{}", stderr(&other_team));
    assert!(
        stderr(&other_team).contains("--team: unknown team 7"),
        "{}",
        stderr(&other_team)
    );
    std::fs::write(
        dir.join("reportpress.toml"),
        "database = \"file.sqlite\"\nteams = [7]\n",
    )
    .unwrap();
    let from_file = run_in(&dir, None, &list);
    assert_eq!(from_file.status.code(), Some(1));
    assert!(
        stderr(&from_file).contains("reportpress.toml: teams: unknown team 7"),
        "{}",
        stderr(&from_file)
    );
}

/// An error about a value names where it came from: the flag, the variable or the file's key.
#[test]
fn errors_name_where_a_value_came_from() {
    let scratch = Scratch::new("config-origin");
    let dir = scratch.path("");
    std::fs::write(dir.join("reportpress.toml"), "database = \"gone.sqlite\"\n").unwrap();
    let from_file = run_in(&dir, None, &["list"]);
    assert_eq!(from_file.status.code(), Some(1));
    assert!(
        stderr(&from_file).contains("reportpress.toml: database: no SQLite archive at gone.sqlite"),
        "{}",
        stderr(&from_file)
    );
    let from_env = run_in(&dir, Some("postgres://nobody@127.0.0.1:9/none"), &["list"]);
    assert_eq!(from_env.status.code(), Some(1));
    let said = stderr(&from_env);
    assert!(
        said.contains("DATABASE_URL: cannot connect to postgres://nobody@127.0.0.1:9/none"),
        "{said}"
    );
    assert!(
        !said.contains("error communicating"),
        "sqlx's words: {said}"
    );
    let from_flag = run_in(&dir, None, &["list", "--database", "mysql://x/y"]);
    assert_eq!(from_flag.status.code(), Some(1));
    assert!(
        stderr(&from_flag)
            .starts_with("reportpress: --database: \"mysql://x/y\" is not a database URL"),
        "{}",
        stderr(&from_flag)
    );
    std::fs::write(
        dir.join("reportpress.toml"),
        "base-url = \"ftp://example.com/\"\n",
    )
    .unwrap();
    let bad_value = run_in(&dir, None, &["list"]);
    assert_eq!(bad_value.status.code(), Some(2));
    assert!(
        stderr(&bad_value).contains("reportpress.toml: base-url: \"ftp://example.com/\""),
        "{}",
        stderr(&bad_value)
    );
    // `out` from the file names a file: the error names the file's key, never the flag.
    std::fs::write(dir.join("page.html"), "<p>").unwrap();
    std::fs::write(dir.join("reportpress.toml"), "out = \"page.html\"\n").unwrap();
    let out_from_file = run_in(&dir, None, &["build"]);
    assert_eq!(out_from_file.status.code(), Some(2));
    let said = stderr(&out_from_file);
    let last = said.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("reportpress: ")
            && last.contains("reportpress.toml: out: ")
            && last.ends_with("page.html: is a file, not a folder"),
        "{said}"
    );
    assert!(!said.contains("--out"), "{said}");
    let out_from_flag = run_in(&dir, None, &["build", "--out", "page.html"]);
    assert_eq!(out_from_flag.status.code(), Some(2));
    assert!(
        stderr(&out_from_flag)
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("reportpress: --out: ")),
        "{}",
        stderr(&out_from_flag)
    );
}

#[test]
fn an_unknown_key_is_a_usage_error_naming_it_and_the_file() {
    let scratch = Scratch::new("config-unknown");
    let dir = scratch.path("");
    std::fs::write(
        dir.join("reportpress.toml"),
        "out = \"site\"\ndatabse = \"a.sqlite\"\n",
    )
    .unwrap();
    for args in [
        &["build"][..],
        &["list"],
        &["export", "019a0000-0000-7000-8000-000000000001"],
    ] {
        let result = run_in(&dir, None, args);
        let err = stderr(&result);
        assert_eq!(result.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("reportpress.toml: databse, line 2: unknown field `databse`"),
            "{err}"
        );
    }
    assert!(!dir.join("site").exists(), "nothing built");
    // Commands that read no database read no file: a broken one does not stop them.
    let completions = run_in(&dir, None, &["completions", "bash"]);
    assert!(completions.status.success(), "{}", stderr(&completions));
    // A value of the wrong type names its key too; a file --config names must exist.
    std::fs::write(dir.join("reportpress.toml"), "teams = [\"two\"]\n").unwrap();
    let result = run_in(&dir, None, &["list"]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result).contains("reportpress.toml: teams, line 1:"),
        "{}",
        stderr(&result)
    );
    let result = run_in(&dir, None, &["--config", "nowhere.toml", "list"]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result).contains("--config nowhere.toml: no such file"),
        "{}",
        stderr(&result)
    );
}

/// Paths in the file are relative to the file's folder, wherever reportpress runs from.
#[test]
fn paths_in_the_file_are_relative_to_its_folder() {
    let scratch = Scratch::new("config-relative");
    let dir = scratch.path("");
    let conf = dir.join("conf");
    std::fs::create_dir_all(conf.join("clone")).unwrap();
    archive(&conf, "audit.sqlite", 2);
    std::fs::write(
        conf.join("reportpress.toml"),
        "database = \"sqlite:audit.sqlite\"\nout = \"site\"\njobs = 1\n\
         base-url = \"https://reports.example.com/\"\n[git-dirs]\n\"o/r\" = \"clone\"\n",
    )
    .unwrap();
    let result = run_in(&dir, None, &["--config", "conf/reportpress.toml", "build"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(
        stderr(&result).contains(" 2 reports"),
        "{}",
        stderr(&result)
    );
    assert!(conf.join("site/index.html").is_file());
    assert!(
        conf.join("site/sitemap.xml").is_file(),
        "base-url from the file"
    );
    assert!(!dir.join("site").exists() && !dir.join("exports").exists());
    // A flag still beats it.
    let result = run_in(
        &dir,
        None,
        &[
            "--config",
            "conf/reportpress.toml",
            "build",
            "--out",
            "here",
        ],
    );
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(dir.join("here/index.html").is_file());
}

#[test]
fn init_writes_a_commented_file_that_parses_and_builds() {
    let scratch = Scratch::new("config-init");
    let dir = scratch.path("");
    let result = run_in(&dir, None, &["init"]);
    assert!(result.status.success(), "{}", stderr(&result));
    let written = std::fs::read_to_string(dir.join("reportpress.toml")).unwrap();
    for key in [
        "database", "teams", "out", "git-dirs", "base-url", "redact", "jobs",
    ] {
        assert!(written.contains(key), "{key} is explained: {written}");
    }
    assert!(written.lines().filter(|l| l.starts_with('#')).count() > 10);
    // Every commented-out example is a valid setting too.
    let uncommented: String = written
        .lines()
        .map(|line| {
            line.strip_prefix("# ")
                .filter(|l| l.contains(" = ") || l.starts_with('['))
                .unwrap_or(line)
        })
        .filter(|line| !line.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        toml::from_str::<toml::Table>(&uncommented).is_ok(),
        "{uncommented}"
    );

    let built = run_in(&dir, None, &["build"]);
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(dir.join("exports/index.html").is_file());

    let again = run_in(&dir, None, &["init"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("pass --force"),
        "{}",
        stderr(&again)
    );
    std::fs::write(dir.join("reportpress.toml"), "# mine\n").unwrap();
    let forced = run_in(&dir, None, &["init", "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(
        std::fs::read_to_string(dir.join("reportpress.toml")).unwrap(),
        written
    );
    // --config names where it goes.
    let named = run_in(&dir, None, &["--config", "other.toml", "init"]);
    assert!(named.status.success(), "{}", stderr(&named));
    assert!(dir.join("other.toml").is_file());
}

/// The README's example file is a valid configuration (its git-dirs folder made to exist).
#[test]
fn the_readme_example_is_valid() {
    let readme = include_str!("../../README.md");
    let example = readme
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml block in the README");
    assert!(example.contains("[git-dirs]"), "{example}");
    let scratch = Scratch::new("config-readme");
    let dir = scratch.path("");
    std::fs::create_dir_all(dir.join("conf")).unwrap();
    std::fs::create_dir_all(dir.join("posthog")).unwrap();
    std::fs::write(dir.join("conf/reportpress.toml"), example).unwrap();
    archive(&dir, "a.sqlite", 2);
    let result = run_in(
        &dir,
        None,
        &[
            "--config",
            "conf/reportpress.toml",
            "list",
            "--database",
            "a.sqlite",
            "--team",
            "1",
            "--format",
            "tsv",
        ],
    );
    assert_eq!(listed(&result), 2);
}
