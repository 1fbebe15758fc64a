//! `reportpress demo`: the generated archive is deterministic, has the documented mix, reads
//! without degraded entries and builds.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;
use sqlx::{AnyConnection, Connection, Row};

fn generate(out: &Path, reports: u32, seed: u64, extra: &[&str]) -> std::process::Output {
    let out_s = out.display().to_string();
    let reports = reports.to_string();
    let seed = seed.to_string();
    let mut args = vec![
        "demo",
        "--reports",
        reports.as_str(),
        "--seed",
        seed.as_str(),
        "--out",
        out_s.as_str(),
    ];
    args.extend(extra);
    reportpress(&args)
}

fn generated(out: &Path, reports: u32, seed: u64) {
    let result = generate(out, reports, seed, &[]);
    assert!(result.status.success(), "demo failed: {}", stderr(&result));
}

/// Rows of `sql` as (text, integer) pairs.
fn query(path: &Path, sql: &str) -> Vec<(String, i64)> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", path.display());
    runtime().block_on(async {
        let mut conn = AnyConnection::connect(&url).await.expect("open archive");
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&mut conn)
            .await
            .expect("query")
            .iter()
            .map(|row| (row.get::<String, _>(0), row.get::<i64, _>(1)))
            .collect()
    })
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let scratch = Scratch::new("generate-determinism");
    let (a, b, c) = (
        scratch.path("a.sqlite"),
        scratch.path("b.sqlite"),
        scratch.path("c.sqlite"),
    );
    generated(&a, 60, 7);
    generated(&b, 60, 7);
    generated(&c, 60, 8);
    let (a, b, c) = (
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        std::fs::read(&c).unwrap(),
    );
    assert!(a == b, "same seed gave different files");
    assert!(a != c, "another seed gave the same file");
    // Nothing is left beside the file.
    let names: Vec<String> = std::fs::read_dir(&scratch.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn artefact_counts_follow_the_documented_distribution() {
    let scratch = Scratch::new("generate-distribution");
    let db = scratch.path("archive.sqlite");
    generated(&db, 2_000, 3);
    let counts = query(
        &db,
        "SELECT r.id, count(a.id) FROM signals_signalreport r \
         LEFT JOIN signals_signalreportartefact a ON a.report_id = r.id GROUP BY r.id",
    );
    assert_eq!(counts.len(), 2_000);
    let n: Vec<i64> = counts.iter().map(|(_, n)| *n).collect();
    let mean = n.iter().sum::<i64>() as f64 / n.len() as f64;
    assert!((20.0..=30.0).contains(&mean), "mean {mean}");
    // Bounds: 8–400 drawn per report, plus the mirrored `related_to` rows later reports add.
    assert!(n.iter().all(|&c| c >= 8), "a report below 8 entries");
    assert!(n.iter().all(|&c| c <= 420), "a report above 420 entries");
    let share =
        |lo: i64, hi: i64| n.iter().filter(|&&c| c >= lo && c <= hi).count() as f64 / 2_000.0;
    let small = share(8, 40);
    let long = share(150, 420);
    assert!((0.82..=0.94).contains(&small), "8–40: {small}");
    assert!((0.005..=0.035).contains(&long), "150–400: {long}");
}

#[test]
fn two_hundred_reports_every_type_readable_and_built() {
    let scratch = Scratch::new("generate-build");
    let db = scratch.path("archive.sqlite");
    generated(&db, 200, 1);

    let reports = query(
        &db,
        "SELECT status, count(*) FROM signals_signalreport GROUP BY status",
    );
    let total: i64 = reports.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 200);
    let statuses: BTreeMap<String, i64> = reports.into_iter().collect();
    for status in [
        "potential",
        "candidate",
        "in_progress",
        "ready",
        "resolved",
        "suppressed",
        "deleted",
    ] {
        assert!(
            statuses.contains_key(status),
            "no {status} report: {statuses:?}"
        );
    }

    let types: BTreeMap<String, i64> = query(
        &db,
        "SELECT type, count(*) FROM signals_signalreportartefact GROUP BY type",
    )
    .into_iter()
    .collect();
    // Every type of the current schema (the first 29), and the legacy code_diff.
    for ty in TYPES[..29].iter().chain(["code_diff"].iter()) {
        assert!(types.contains_key(*ty), "no {ty} entry: {types:?}");
    }

    // Attribution: people, agents, tasks and the system all write.
    let kinds: BTreeMap<String, i64> = query(
        &db,
        "SELECT coalesce(actor_kind, '(legacy)'), count(*) FROM signals_signalreportartefact GROUP BY 1",
    )
    .into_iter()
    .collect();
    for kind in ["user", "agent", "task", "system", "(legacy)"] {
        assert!(kinds.contains_key(kind), "no {kind} entries: {kinds:?}");
    }
    let people = query(&db, "SELECT 'users', count(*) FROM posthog_user");
    assert!(people[0].1 >= 24, "{people:?}");
    let edited = query(
        &db,
        "SELECT 'edited', count(*) FROM signals_signalreportartefact WHERE updated_at > created_at",
    );
    assert!(edited[0].1 > 0);
    let prs = query(
        &db,
        "SELECT 'prs', count(*) FROM posthog_task_run WHERE output LIKE '%pr_url%'",
    );
    assert!(prs[0].1 > 0);
    // related_to is written on both sides.
    let one_sided = query(
        &db,
        "SELECT a.id, 1 FROM signals_signalreportartefact a WHERE a.type = 'related_to' AND NOT EXISTS \
         (SELECT 1 FROM signals_signalreportartefact b WHERE b.type = 'related_to' \
          AND b.report_id = json_extract(a.content, '$.report_id') \
          AND json_extract(b.content, '$.report_id') = a.report_id)",
    );
    assert!(one_sided.is_empty(), "{one_sided:?}");

    let out = scratch.path("exports");
    let database = format!("sqlite:{}", db.display());
    let result = build(Some(&database), &out, &["--include-deleted"]);
    assert!(
        stderr(&result).contains("200 reports ("),
        "{}",
        stderr(&result)
    );
    let mut pages = 0;
    for (path, bytes) in tree(&out) {
        if !(path.ends_with(".html") || path.ends_with(".md")) {
            continue;
        }
        pages += 1;
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("could not be read"),
            "{path}: a degraded entry"
        );
        assert!(
            !text.contains("Unknown entry type"),
            "{path}: an unknown type"
        );
    }
    assert!(pages > 400, "{pages} pages");
}

#[test]
fn refuses_to_overwrite_without_force() {
    let scratch = Scratch::new("generate-force");
    let db = scratch.path("archive.sqlite");
    std::fs::write(&db, b"keep me").unwrap();
    let result = generate(&db, 5, 1, &[]);
    assert_eq!(result.status.code(), Some(2));
    let err = stderr(&result);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), b"keep me");

    let result = generate(&db, 5, 1, &["--force"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(
        std::fs::read(&db)
            .unwrap()
            .starts_with(b"SQLite format 3\0")
    );
}

#[test]
fn zero_reports_and_bad_paths_are_clear_errors() {
    let scratch = Scratch::new("generate-errors");
    let db = scratch.path("archive.sqlite");
    let result = generate(&db, 0, 1, &[]);
    assert_eq!(result.status.code(), Some(2));
    assert!(stderr(&result).contains("--reports"), "{}", stderr(&result));
    assert!(!db.exists());

    let missing = scratch.path("no/such/folder/archive.sqlite");
    let result = generate(&missing, 3, 1, &[]);
    assert_eq!(result.status.code(), Some(2));
    let err = stderr(&result);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("does not exist"), "{err}");

    let result = generate(&scratch.0, 3, 1, &["--force"]);
    assert_eq!(result.status.code(), Some(2));
    let err = stderr(&result);
    assert!(err.contains("is a directory"), "{err}");
}
