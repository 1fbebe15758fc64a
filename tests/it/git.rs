//! Commit diffs read from a local git clone (`--git-dir OWNER/REPO=PATH`) when PostHog stored
//! none; a commit the clone lacks says why its diff is missing.

use std::path::Path;
use std::process::Command;

use crate::common::*;
use scraper::{Html, Selector};

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn fixture(sha: &str, missing: &str) -> String {
    format!(
        r#"
[[signals_signalreport]]
id = "0c000000-0000-7000-8000-000000000001"
team_id = 1
status = "ready"
title = "Widget totals are off by one"
created_at = "2026-10-01T07:00:00Z"

[[signals_signalreportartefact]]
id = "0c000000-0000-7000-8000-000000000101"
team_id = 1
report_id = "0c000000-0000-7000-8000-000000000001"
type = "commit"
content = {{ repository = "Acme/Widgets", branch = "fix/totals", commit_sha = "{sha}", message = "fix: count the last widget" }}
created_at = "2026-10-01T08:00:00Z"

[[signals_signalreportartefact]]
id = "0c000000-0000-7000-8000-000000000102"
team_id = 1
report_id = "0c000000-0000-7000-8000-000000000001"
type = "commit"
content = {{ repository = "acme/widgets", branch = "fix/totals", commit_sha = "{missing}", message = "fix: a commit the clone lacks" }}
created_at = "2026-10-01T09:00:00Z"
"#
    )
}

#[test]
fn commit_diff_comes_from_a_local_clone() {
    let scratch = Scratch::new("git");
    let repo = scratch.path("widgets");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(
        repo.join("totals.py"),
        "def total(widgets):\n    return len(widgets) - 1\n",
    )
    .unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "first"]);
    std::fs::write(
        repo.join("totals.py"),
        "def total(widgets):\n    return len(widgets)\n",
    )
    .unwrap();
    git(
        &repo,
        &["commit", "-q", "-am", "fix: count the last widget"],
    );
    let sha = git(&repo, &["rev-parse", "HEAD"]);
    let missing = "0123456789abcdef0123456789abcdef01234567";

    let db = sqlite_archive(&scratch.path("a.sqlite"), &fixture(&sha, missing));
    let out = scratch.path("out");
    let spec = format!("acme/widgets={}", repo.display());
    build(Some(&db), &out, &["--git-dir", &spec]);

    let page = Html::parse_document(&read(
        &out.join("reports/0c000000-0000-7000-8000-000000000001.html"),
    ));
    let entry = |id: &str| {
        let sel =
            Selector::parse(&format!("article#a-0c000000-0000-7000-8000-000000000{id}")).unwrap();
        page.select(&sel).next().expect("entry").html()
    };
    let found = entry("101");
    assert!(found.contains("totals.py"), "{found}");
    assert!(
        found.contains("<del><i data-o=") && found.contains("<ins><i data-n="),
        "{found}"
    );
    assert!(
        found.contains("<mark>"),
        "the changed words are marked: {found}"
    );
    assert!(
        found.contains(&format!("https://github.com/Acme/Widgets/commit/{sha}")),
        "{found}"
    );
    let lacking = Html::parse_fragment(&entry("102"))
        .root_element()
        .text()
        .collect::<String>();
    assert!(
        lacking.contains(&format!("commit {missing} not found in the local clone")),
        "{lacking}"
    );

    let md = read(&out.join("reports/0c000000-0000-7000-8000-000000000001.md"));
    assert!(
        md.contains("-    return len(widgets) - 1\n+    return len(widgets)\n"),
        "{md}"
    );

    // Without --git-dir the same commit says its diff is not stored, with a link to it.
    let plain = scratch.path("plain");
    build(Some(&db), &plain, &[]);
    let html = read(&plain.join("reports/0c000000-0000-7000-8000-000000000001.html"));
    assert!(html.contains("Diff not stored"));
    assert!(!html.contains("<ins>"));
}

#[test]
fn a_bad_git_dir_is_a_usage_error() {
    let result = reportpress(&["build", "--git-dir", "no-equals-sign"]);
    assert_eq!(result.status.code(), Some(2));
    let result = reportpress(&["build", "--git-dir", "acme/widgets=/nonexistent/folder"]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result).contains("is not a folder"),
        "{}",
        stderr(&result)
    );
}
