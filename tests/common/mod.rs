//! Shared test support: real databases (a PostgreSQL database created and dropped per test,
//! SQLite files in temp folders), fixtures loaded through the same seeding code the demo uses,
//! and the built binary run as a user runs it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::{AnyConnection, Connection};

pub const PG_ENV: &str = "REPORTPRESS_TEST_POSTGRES_URL";
pub const NEWEST_PG: &str = include_str!("../sql/posthog_newest.sql");
pub const OLDEST_PG: &str = include_str!("../sql/posthog_oldest.sql");
pub const DEMO: &str = include_str!("../../fixtures/demo.toml");

/// Every artefact type of PostHog's schema, current and legacy.
pub const TYPES: [&str; 32] = [
    "video_segment",
    "safety_judgment",
    "actionability_judgment",
    "priority_judgment",
    "repo_selection",
    "suggested_reviewers",
    "channel_assignment",
    "implementation_decision",
    "implementation_dispatch",
    "signal_finding",
    "dismissal",
    "code_reference",
    "commit",
    "task_run",
    "note",
    "title_change",
    "summary_change",
    "code_review",
    "related_to",
    "report_link",
    "work_claim",
    "work_release",
    "pull_request",
    "check_result",
    "check_scheduled",
    "check_expired",
    "check_cancelled",
    "implementation_replacement",
    "implementation_handover",
    "code_diff",
    "line_reference",
    "pushed_branch",
];

pub const REQUIRE_ENV: &str = "REPORTPRESS_REQUIRE_CHROMIUM";
/// A hung browser fails the test instead of hanging the suite.
pub const BROWSER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

/// The Chromium binary, or `None` (with one skip line) when there is none and it is not required.
pub fn chromium(test: &str) -> Option<PathBuf> {
    let required = std::env::var(REQUIRE_ENV).is_ok_and(|v| !v.trim().is_empty());
    if let Some(path) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "CHROMIUM={} is set but is not a file",
            path.display()
        );
        return Some(path);
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
        "chrome",
    ];
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
            .find(|p| p.is_file())
    });
    match found {
        Some(path) => Some(path),
        None if required => panic!(
            "{REQUIRE_ENV} is set but no Chromium was found on PATH (chromium, chromium-browser, \
             google-chrome): install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM=/path"
        ),
        None => {
            eprintln!(
                "skipped {test}: no Chromium found (apt-get install chromium, or set CHROMIUM); \
                 set {REQUIRE_ENV}=1 to fail instead"
            );
            None
        }
    }
}

/// Loads `url` in headless Chromium (the flags every test uses, then `extra`) with the profile
/// folder `profile`, and returns the DOM it dumps. Fails the test when Chromium fails, dumps no
/// page, or runs longer than [`BROWSER_TIMEOUT`].
pub fn chromium_dump(browser: &Path, url: &str, profile: &Path, extra: &[String]) -> String {
    let scratch = Scratch::new("chromium-out");
    let (out, err) = (scratch.path("dom.html"), scratch.path("stderr.txt"));
    // Output to files, not pipes: a dumped page is larger than a pipe buffer.
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out).expect("dom file"))
        .stderr(std::fs::File::create(&err).expect("stderr file"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {BROWSER_TIMEOUT:?} on {url}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let dom = std::fs::read_to_string(&out).unwrap_or_default();
    if !status.success() || !dom.contains("</html>") {
        let stderr = std::fs::read_to_string(&err).unwrap_or_default();
        let lines: Vec<&str> = stderr.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        panic!("chromium failed on {url} ({status}), no DOM dumped; stderr ends:\n{tail}");
    }
    dom
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A scratch folder removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "reportpress-test-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The PostgreSQL server for tests, or `None` (with one skip line) when the variable is unset.
/// When it is set, an unreachable server fails the test: it is never skipped.
pub fn postgres(test: &str) -> Option<String> {
    match std::env::var(PG_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            eprintln!("skipped {test}: {PG_ENV} is not set (no PostgreSQL for this run)");
            None
        }
    }
}

/// A PostgreSQL database created for one test and dropped after it.
pub struct PgDb {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDb {
    pub fn create(admin_url: &str, ddl: &str) -> PgDb {
        sqlx::any::install_default_drivers();
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "reportpress_test_{}_{}_{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut url = url::Url::parse(admin_url).expect("postgres URL");
        url.set_path(&format!("/{name}"));
        let db = PgDb {
            admin_url: admin_url.to_string(),
            name: name.clone(),
            url: url.to_string(),
        };
        runtime().block_on(async {
            let mut admin = AnyConnection::connect(admin_url)
                .await
                .unwrap_or_else(|e| panic!("{PG_ENV} is set but PostgreSQL is unreachable: {e}"));
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .expect("create database");
            let mut conn = AnyConnection::connect(&db.url)
                .await
                .expect("connect test db");
            sqlx::raw_sql(sqlx::AssertSqlSafe(ddl.to_string()))
                .execute(&mut conn)
                .await
                .expect("apply DDL");
        });
        db
    }

    pub fn seed(&self, fixture: &str) -> usize {
        seed_url(&self.url, fixture)
    }

    pub fn execute(&self, sql: &str) {
        execute(&self.url, sql)
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let admin_url = self.admin_url.clone();
        runtime().block_on(async move {
            if let Ok(mut admin) = AnyConnection::connect(&admin_url).await {
                let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await;
            }
        });
    }
}

pub fn execute(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    runtime().block_on(async {
        let mut conn = AnyConnection::connect(url).await.expect("connect");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .expect("execute SQL");
    })
}

pub fn seed_url(url: &str, fixture: &str) -> usize {
    sqlx::any::install_default_drivers();
    runtime().block_on(async {
        let mut conn = AnyConnection::connect(url).await.expect("connect");
        reportpress::source::seed::seed_toml(&mut conn, fixture)
            .await
            .expect("seed fixture")
    })
}

/// A SQLite archive at `path` with the archive schema and `fixture`'s rows; returns its URL.
pub fn sqlite_archive(path: &Path, fixture: &str) -> String {
    let url = format!("sqlite://{}?mode=rwc", path.display());
    execute(&url, reportpress::source::ARCHIVE_SCHEMA);
    seed_url(&url, fixture);
    format!("sqlite:{}", path.display())
}

/// Runs the binary with `args`, with no `DATABASE_URL` inherited.
pub fn reportpress(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run reportpress")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Builds into `out` from `database` (`None`: the demo) with extra args; asserts success.
pub fn build(database: Option<&str>, out: &Path, extra: &[&str]) -> Output {
    let out_s = out.display().to_string();
    let mut args = vec!["build", "--out", out_s.as_str()];
    if let Some(db) = database {
        args.extend(["--database", db]);
    }
    args.extend(extra);
    let result = reportpress(&args);
    assert!(result.status.success(), "build failed: {}", stderr(&result));
    result
}

/// Every file under `root`: (`/`-separated relative path, full path), in walk order.
pub fn files(root: &Path) -> Vec<(String, PathBuf)> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            (rel, e.into_path())
        })
        .collect()
}

/// Every file under `root`, relative path → bytes.
pub fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    files(root)
        .into_iter()
        .map(|(rel, path)| (rel, std::fs::read(path).expect("read output")))
        .collect()
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The rows of one table of a TOML fixture.
pub fn fixture_rows(fixture: &str, table: &str) -> Vec<toml::Table> {
    let doc: toml::Table = toml::from_str(fixture).expect("fixture parses");
    doc.get(table)
        .and_then(|v| v.as_array())
        .map(|rows| rows.iter().filter_map(|r| r.as_table().cloned()).collect())
        .unwrap_or_default()
}

pub fn str_of<'a>(row: &'a toml::Table, key: &str) -> &'a str {
    row.get(key).and_then(|v| v.as_str()).unwrap_or_default()
}

/// `fixture` with every row cloned `copies` times, each copy with its own uuids: a larger
/// archive with the same shapes. A uuid anywhere in a row — its id, `report_id` and `task_id`
/// columns, and inside artefact content (`related_to`/`report_link` targets,
/// `review_report_id`, `task_run`/`repo_selection`/implementation target `task_id`s,
/// `decision_id`, `replacement_id`, run ids, and `content_raw` text) — becomes the uuid v5 of
/// the original (as namespace) and the copy number, so references stay consistent within a
/// copy and copies never collide. Rows with an integer id (teams, users) are shared: written
/// once and never remapped, nor are the uuids they hold (a reviewer's `user_uuid` still names
/// its user). A string id that is not a uuid gets a `-copy<n>` suffix.
pub fn multiply_fixture(fixture: &str, copies: usize) -> String {
    let doc: toml::Table = toml::from_str(fixture).expect("fixture parses");
    let rows = |table: &toml::Value| -> Vec<toml::Table> {
        table
            .as_array()
            .map(|rows| rows.iter().filter_map(|r| r.as_table().cloned()).collect())
            .unwrap_or_default()
    };
    let shared_row = |row: &toml::Table| row.get("id").is_some_and(toml::Value::is_integer);
    // The uuids that shared rows hold stay as they are everywhere.
    let mut keep = std::collections::BTreeSet::new();
    for table in doc.values() {
        for row in rows(table).iter().filter(|r| shared_row(r)) {
            for value in row.values() {
                collect_uuids(value, &mut keep);
            }
        }
    }
    let mut out = String::new();
    for (name, table) in &doc {
        let rows = rows(table);
        for row in rows.iter().filter(|r| shared_row(r)) {
            write_toml_row(&mut out, name, row);
        }
        for copy in 0..copies {
            for row in rows.iter().filter(|r| !shared_row(r)) {
                let mut row = remap_row(row, copy, &keep);
                for key in ["id", "report_id", "task_id"] {
                    if let Some(toml::Value::String(s)) = row.get_mut(key)
                        && uuid::Uuid::parse_str(s.trim()).is_err()
                    {
                        *s = format!("{s}-copy{copy}");
                    }
                }
                write_toml_row(&mut out, name, &row);
            }
        }
    }
    out
}

/// Byte ranges of the uuids (8-4-4-4-12 hex digits, not inside a longer hex run) in `text`.
fn uuid_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i + 36 <= bytes.len() {
        let shaped = bytes[i..i + 36].iter().enumerate().all(|(k, b)| {
            if matches!(k, 8 | 13 | 18 | 23) {
                *b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        });
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_hexdigit())
            && bytes.get(i + 36).is_none_or(|b| !b.is_ascii_hexdigit());
        if shaped && bounded {
            spans.push((i, i + 36));
            i += 36;
        } else {
            i += 1;
        }
    }
    spans
}

fn collect_uuids(value: &toml::Value, out: &mut std::collections::BTreeSet<uuid::Uuid>) {
    match value {
        toml::Value::String(s) => {
            for (a, b) in uuid_spans(s) {
                out.extend(uuid::Uuid::parse_str(&s[a..b]).ok());
            }
        }
        toml::Value::Array(items) => items.iter().for_each(|v| collect_uuids(v, out)),
        toml::Value::Table(t) => t.values().for_each(|v| collect_uuids(v, out)),
        _ => {}
    }
}

fn remap_text(text: &str, copy: usize, keep: &std::collections::BTreeSet<uuid::Uuid>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (a, b) in uuid_spans(text) {
        let Ok(original) = uuid::Uuid::parse_str(&text[a..b]) else {
            continue;
        };
        if keep.contains(&original) {
            continue;
        }
        out.push_str(&text[last..a]);
        out.push_str(&uuid::Uuid::new_v5(&original, copy.to_string().as_bytes()).to_string());
        last = b;
    }
    out.push_str(&text[last..]);
    out
}

fn remap_value(
    value: &toml::Value,
    copy: usize,
    keep: &std::collections::BTreeSet<uuid::Uuid>,
) -> toml::Value {
    match value {
        toml::Value::String(s) => toml::Value::String(remap_text(s, copy, keep)),
        toml::Value::Array(items) => {
            toml::Value::Array(items.iter().map(|v| remap_value(v, copy, keep)).collect())
        }
        toml::Value::Table(t) => toml::Value::Table(remap_row(t, copy, keep)),
        other => other.clone(),
    }
}

fn remap_row(
    row: &toml::Table,
    copy: usize,
    keep: &std::collections::BTreeSet<uuid::Uuid>,
) -> toml::Table {
    row.iter()
        .map(|(k, v)| (k.clone(), remap_value(v, copy, keep)))
        .collect()
}

/// A TOML value on one line: strings as basic strings (JSON's escapes are TOML's), tables
/// inline.
fn toml_value(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => serde_json::to_string(s).expect("string"),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) if f.is_finite() => format!("{f:?}"),
        toml::Value::Float(f) if f.is_nan() => "nan".into(),
        toml::Value::Float(f) => (if *f > 0.0 { "inf" } else { "-inf" }).into(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_value).collect::<Vec<_>>().join(", ")
        ),
        toml::Value::Table(t) => format!(
            "{{ {} }}",
            t.iter()
                .map(|(k, v)| format!(
                    "{} = {}",
                    serde_json::to_string(k).expect("key"),
                    toml_value(v)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn write_toml_row(out: &mut String, table: &str, row: &toml::Table) {
    out.push_str(&format!("[[{table}]]\n"));
    for (key, value) in row {
        out.push_str(&format!(
            "{} = {}\n",
            serde_json::to_string(key).expect("key"),
            toml_value(value)
        ));
    }
    out.push('\n');
}
