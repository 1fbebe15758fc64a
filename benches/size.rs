//! Archive size against the number of reports: builds archives of about 100, 1,000 and 5,000
//! reports (the demo archive's 15 live reports, copied with fresh ids) and prints the bytes per
//! report of each part. The archive should grow linearly: no page repeats the whole archive's
//! navigation, so bytes per report stay flat.
//!
//!     cargo bench --bench size            # all three sizes
//!     cargo bench --bench size -- 100 1000

#[path = "../tests/it/common/mod.rs"]
mod common;

use std::collections::BTreeMap;

use common::*;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if args.is_empty() {
        vec![100, 1_000, 5_000]
    } else {
        args
    };
    let live = fixture_rows(DEMO, "signals_signalreport")
        .iter()
        .filter(|r| str_of(r, "status") != "deleted")
        .count();
    println!(
        "{:>8} {:>10} {:>12} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "reports",
        "total MB",
        "bytes/report",
        "reports/",
        "index",
        "people/",
        "tasks/",
        "search",
        "build s"
    );
    for target in sizes {
        let copies = target.div_ceil(live);
        let scratch = Scratch::new("size");
        let db = sqlite_archive(&scratch.path("a.sqlite"), &multiply_fixture(DEMO, copies));
        let out = scratch.path("out");
        let started = std::time::Instant::now();
        build(Some(&db), &out, &[]);
        let seconds = started.elapsed().as_secs_f64();
        let mut parts: BTreeMap<&str, u64> = BTreeMap::new();
        let mut total = 0u64;
        for entry in walkdir::WalkDir::new(&out)
            .into_iter()
            .filter_map(Result::ok)
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            total += size;
            let rel = entry.path().strip_prefix(&out).unwrap_or(entry.path());
            let part = match rel.to_string_lossy() {
                p if p.starts_with("reports/") => "reports",
                p if p.starts_with("people/") => "people",
                p if p.starts_with("tasks/") => "tasks",
                p if p.ends_with("search-index.js") => "search",
                p if p.starts_with("index.") => "index",
                _ => "other",
            };
            *parts.entry(part).or_default() += size;
        }
        let reports = (copies * live) as u64;
        let per = |part: &str| parts.get(part).copied().unwrap_or(0) / reports;
        println!(
            "{:>8} {:>10.1} {:>12} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8.1}",
            reports,
            total as f64 / 1e6,
            total / reports,
            per("reports"),
            per("index"),
            per("people"),
            per("tasks"),
            per("search"),
            seconds
        );
    }
}
