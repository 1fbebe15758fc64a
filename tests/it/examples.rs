//! The CI recipes in `examples/`: the GitHub Actions workflows parse and have the jobs and steps
//! they promise, the flags they pass reportpress exist, and `pr-comments.sh` run against a stub
//! `gh` (which logs what it is asked and answers with canned comments) and the demo archive
//! posts a comment the first time, then updates that comment in place, never a second one.

use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

use crate::common::*;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

fn workflow(name: &str) -> Yaml {
    let text = read(&example(name));
    let mut docs =
        YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"));
    assert_eq!(docs.len(), 1, "{name}: one document");
    docs.remove(0)
}

fn steps(job: &Yaml) -> &[Yaml] {
    job["steps"].as_vec().map(Vec::as_slice).unwrap_or_default()
}

/// The step of `job` that uses `action` (`owner/name`, any version).
fn uses<'a>(job: &'a Yaml, action: &str) -> Option<&'a Yaml> {
    steps(job).iter().find(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.split('@').next() == Some(action))
    })
}

/// Every `--flag` a workflow's `run:` scripts pass to `reportpress SUBCOMMAND`, checked
/// against that subcommand's `--help`; returns how many were checked.
fn assert_flags_exist(name: &str, doc: &Yaml) -> usize {
    let scripts: Vec<String> = doc["jobs"]
        .as_hash()
        .unwrap()
        .values()
        .flat_map(|job| steps(job).iter())
        .filter_map(|s| s["run"].as_str().map(str::to_string))
        .collect();
    let joined = scripts.join("\n").replace("\\\n", " ");
    let mut checked = 0;
    for line in joined.lines() {
        let Some(at) = line
            .find("reportpress\" ")
            .or_else(|| line.find("reportpress "))
        else {
            continue;
        };
        let words: Vec<&str> = line[at..].split_whitespace().collect();
        let subcommand = words[1];
        let help = reportpress(&[subcommand, "--help"]);
        assert!(help.status.success(), "{name}: reportpress {subcommand}");
        let help = String::from_utf8_lossy(&help.stdout).into_owned();
        for flag in words.iter().filter(|w| w.starts_with("--")) {
            assert!(
                help.contains(&format!("{flag} ")),
                "{name}: reportpress {subcommand} has no {flag}"
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn the_pages_workflow_builds_on_a_schedule_and_deploys_to_pages() {
    let doc = workflow("publish-pages.yml");
    let on = &doc["on"];
    assert!(
        on["schedule"][0]["cron"].as_str().is_some(),
        "a cron schedule"
    );
    assert!(
        !on["workflow_dispatch"].is_badvalue(),
        "started by hand too"
    );
    assert_eq!(doc["permissions"]["pages"].as_str(), Some("write"));
    assert_eq!(doc["permissions"]["id-token"].as_str(), Some("write"));
    assert!(doc["concurrency"]["group"].as_str().is_some());
    let build = &doc["jobs"]["build"];
    assert!(uses(build, "actions/checkout").is_some());
    let upload = uses(build, "actions/upload-pages-artifact").expect("uploads the archive");
    let run = steps(build)
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.contains("reportpress\" build"))
        .expect("a step runs reportpress build");
    assert!(run.contains("--out site"), "{run}");
    assert_eq!(upload["with"]["path"].as_str(), Some("site"));
    let env = &steps(build)
        .iter()
        .find(|s| s["run"].as_str() == Some(run))
        .unwrap()["env"];
    assert_eq!(
        env["DATABASE_URL"].as_str(),
        Some("${{ secrets.REPORTPRESS_DATABASE_URL }}"),
        "the database comes from a secret"
    );
    let deploy = &doc["jobs"]["deploy"];
    assert_eq!(deploy["needs"].as_str(), Some("build"));
    assert_eq!(deploy["environment"]["name"].as_str(), Some("github-pages"));
    assert!(uses(deploy, "actions/deploy-pages").is_some());
    assert!(assert_flags_exist("publish-pages.yml", &doc) >= 4);
}

#[test]
fn the_comments_workflow_runs_the_script_one_run_at_a_time() {
    let doc = workflow("pr-comments.yml");
    assert!(doc["on"]["schedule"][0]["cron"].as_str().is_some());
    assert!(!doc["on"]["workflow_dispatch"].is_badvalue());
    assert!(doc["concurrency"]["group"].as_str().is_some());
    let job = &doc["jobs"]["comment"];
    let step = steps(job)
        .iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("examples/pr-comments.sh"))
        })
        .expect("a step runs examples/pr-comments.sh");
    assert_eq!(
        step["env"]["GH_TOKEN"].as_str(),
        Some("${{ secrets.REPORTPRESS_GH_TOKEN }}")
    );
    // The script runs reportpress itself (tested below); the workflow passes it none directly.
    assert_flags_exist("pr-comments.yml", &doc);
}

#[test]
fn the_script_is_valid_bash() {
    let script = example("pr-comments.sh");
    let out = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    if let Ok(out) = Command::new("shellcheck").arg(&script).output() {
        assert!(
            out.status.success(),
            "shellcheck: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// A `gh` that logs its arguments (and the body it is given with `--input`) and answers
/// `api --paginate repos/…/comments` with the file of that path (`/` as `_`) in its folder,
/// or an empty list.
const STUB_GH: &str = r#"#!/usr/bin/env bash
echo "gh $*" >>"$STUB_DIR/log"
if [[ $1 == api && $2 == --paginate ]]; then
  canned="$STUB_DIR/$(tr '/' '_' <<<"$3").json"
  if [[ -f $canned ]]; then cat "$canned"; else echo '[]'; fi
  exit 0
fi
previous=""
for arg in "$@"; do
  [[ $previous == --input ]] && jq -r .body "$arg" >>"$STUB_DIR/bodies"
  previous=$arg
done
echo '{"id": 1}'
"#;

struct Stub {
    dir: PathBuf,
}

impl Stub {
    fn new(scratch: &Scratch) -> Stub {
        let dir = scratch.path("stub");
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        let gh = dir.join("bin").join("gh");
        std::fs::write(&gh, STUB_GH).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Stub { dir }
    }

    /// Runs the script; returns the `gh` calls it made.
    fn run(&self) -> Vec<String> {
        let _ = std::fs::remove_file(self.dir.join("log"));
        let _ = std::fs::remove_file(self.dir.join("bodies"));
        let path = format!(
            "{}:{}",
            self.dir.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("bash")
            .arg(example("pr-comments.sh"))
            .env("PATH", path)
            .env("STUB_DIR", &self.dir)
            .env("REPORTPRESS", env!("CARGO_BIN_EXE_reportpress"))
            .env_remove("DATABASE_URL")
            .env_remove("BASE_URL")
            .output()
            .unwrap();
        assert!(out.status.success(), "pr-comments.sh: {}", stderr(&out));
        std::fs::read_to_string(self.dir.join("log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn comments(&self, repo_pr: &str, json: &str) {
        let name = format!("repos/{repo_pr}/comments").replace('/', "_");
        std::fs::write(self.dir.join(format!("{name}.json")), json).unwrap();
    }
}

/// The demo's report 11 names one pull request, PostHog/posthog#41877.
const REPORT: &str = "019a0000-0000-7000-8000-000000000011";
const PR: &str = "PostHog/posthog/issues/41877";

#[test]
fn the_script_posts_once_then_updates_that_comment_in_place() {
    let scratch = Scratch::new("examples-pr-comments");
    let stub = Stub::new(&scratch);
    let marker = format!("<!-- reportpress:report={REPORT} -->");

    // First run: no comment anywhere, so one is posted on every pull request of every report.
    let calls = stub.run();
    assert_eq!(posts_on_pr(&calls), 1, "{calls:#?}");
    assert!(!calls.iter().any(|c| c.contains("PATCH")), "{calls:#?}");
    assert!(
        calls.iter().filter(|c| c.contains("--method POST")).count() > 1,
        "the other reports' pull requests get theirs: {calls:#?}"
    );
    let bodies = read(&stub.dir.join("bodies"));
    assert!(
        bodies.contains(&marker),
        "the comment starts with its marker"
    );
    let export = reportpress(&["export", REPORT, "--format", "pr"]);
    let comment = String::from_utf8(export.stdout).unwrap();
    assert!(comment.starts_with(&marker));

    // Second run: the pull request holds that comment (on the second page, after someone
    // else's): it is updated in place, not posted again.
    stub.comments(
        PR,
        &format!(
            r#"[{{"id": 5, "body": "LGTM"}}][{{"id": 777, "body": "{marker}\nan older version"}}]"#
        ),
    );
    let calls = stub.run();
    assert!(
        calls
            .iter()
            .any(|c| c
                .starts_with("gh api --method PATCH repos/PostHog/posthog/issues/comments/777 ")),
        "{calls:#?}"
    );
    assert_eq!(posts_on_pr(&calls), 0, "never a second comment: {calls:#?}");
    assert!(read(&stub.dir.join("bodies")).contains(&comment.trim_end().to_string()));

    // Third run: the comment is up to date: neither posted nor updated.
    let body = serde_json::json!([{ "id": 777, "body": comment }]).to_string();
    stub.comments(PR, &body);
    let calls = stub.run();
    assert!(
        !calls.iter().any(|c| c.contains("comments/777")),
        "{calls:#?}"
    );
    assert_eq!(posts_on_pr(&calls), 0, "{calls:#?}");
}

/// How many comments `calls` posted on the pull request [`PR`].
fn posts_on_pr(calls: &[String]) -> usize {
    let post = format!("gh api --method POST repos/{PR}/comments ");
    calls.iter().filter(|c| c.starts_with(&post)).count()
}
