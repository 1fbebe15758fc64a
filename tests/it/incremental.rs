//! Incremental rebuilds: a rebuild renders only reports whose fingerprint changed, removes the
//! pages of reports that are gone, writes no unchanged file, and gives exactly the bytes of a
//! full build.

use std::collections::BTreeMap;
use std::path::Path;
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
    let full = scratch.path("full");
    build(Some(&db), &full, &["--full"]);

    let (incremental, complete) = (tree(&out), tree(&full));
    assert_eq!(
        incremental.keys().collect::<Vec<_>>(),
        complete.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &complete {
        assert!(
            incremental[path] == *bytes,
            "{path} differs from a full build"
        );
    }
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
    // to it, and the new one — not all 14.
    let rendered: usize = err
        .split(" rendered,")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {err}"));
    assert!((3..=6).contains(&rendered), "{rendered} rendered: {err}");
}
