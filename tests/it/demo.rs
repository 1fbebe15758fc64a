//! The embedded demo: `reportpress build` with no database renders every entry of the fixture.

use std::collections::BTreeSet;

use crate::common::*;

#[test]
fn demo_build_renders_every_entry_in_html_and_markdown() {
    let scratch = Scratch::new("demo");
    let out = scratch.path("exports");
    let result = build(None, &out, &[]);
    assert!(stderr(&result).contains("embedded demo archive"));

    let reports = fixture_rows(DEMO, "signals_signalreport");
    let deleted: BTreeSet<&str> = reports
        .iter()
        .filter(|r| str_of(r, "status") == "deleted")
        .map(|r| str_of(r, "id"))
        .collect();
    assert_eq!(deleted.len(), 1);
    assert!(reports.len() - deleted.len() >= 12);

    let artefacts = fixture_rows(DEMO, "signals_signalreportartefact");
    let mut shown = 0;
    for a in &artefacts {
        let (report, id) = (str_of(a, "report_id"), str_of(a, "id"));
        let html_path = out.join(format!("reports/{report}.html"));
        if deleted.contains(report) {
            assert!(!html_path.exists(), "deleted report {report} rendered");
            continue;
        }
        let html = read(&html_path);
        assert_eq!(
            html.matches(&format!("id=\"a-{id}\"")).count(),
            1,
            "{id} in HTML"
        );
        let md = read(&out.join(format!("reports/{report}.md")));
        assert_eq!(
            md.matches(&format!("<a id=\"a-{id}\"></a>")).count(),
            1,
            "{id} in Markdown"
        );
        shown += 1;
    }
    assert!(shown > 250, "{shown}");

    // The index links every rendered report, in both formats.
    let index = read(&out.join("index.html"));
    let index_md = read(&out.join("index.md"));
    for r in &reports {
        let id = str_of(r, "id");
        let listed = index.contains(&format!("href=\"reports/{id}.html\""));
        let listed_md = index_md.contains(&format!("(<reports/{id}.md>)"));
        assert_eq!(listed, !deleted.contains(id), "{id}");
        assert_eq!(listed_md, !deleted.contains(id), "{id}");
    }
}

#[test]
fn demo_fixture_covers_the_schema() {
    let artefacts = fixture_rows(DEMO, "signals_signalreportartefact");
    let types: BTreeSet<&str> = artefacts.iter().map(|a| str_of(a, "type")).collect();
    for t in TYPES {
        assert!(types.contains(t), "the demo has no {t}");
    }
    assert!(types.iter().any(|t| !TYPES.contains(t)), "an unknown type");
    let kinds: BTreeSet<&str> = artefacts.iter().map(|a| str_of(a, "actor_kind")).collect();
    for k in ["user", "task", "agent", "system", ""] {
        assert!(kinds.contains(k), "attribution {k:?}");
    }
    let edited = artefacts
        .iter()
        .filter(|a| {
            !str_of(a, "updated_at").is_empty() && str_of(a, "updated_at") > str_of(a, "created_at")
        })
        .count();
    assert!(edited > 0);
    let early_task_run = artefacts.iter().any(|a| {
        str_of(a, "type") == "task_run"
            && a.get("content")
                .and_then(|c| c.get("relationship"))
                .is_some()
            || str_of(a, "content_raw").contains("\"relationship\"")
    });
    assert!(early_task_run, "an early task_run shape");
}

#[test]
fn builds_are_deterministic() {
    let scratch = Scratch::new("determinism");
    build(None, &scratch.path("a"), &["--jobs", "1"]);
    build(None, &scratch.path("b"), &["--jobs", "2"]);
    assert!(tree(&scratch.path("a")) == tree(&scratch.path("b")));
}

/// `list`: the reports a build renders (the deleted one left out), most recent activity first,
/// as a table, JSON or TSV; `--status` filters.
#[test]
fn list_names_the_reports_a_build_renders() {
    let live: Vec<toml::Table> = fixture_rows(DEMO, "signals_signalreport")
        .into_iter()
        .filter(|r| str_of(r, "status") != "deleted")
        .collect();
    let json = reportpress(&["list", "--format", "json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(rows.len(), live.len());
    let ids: std::collections::BTreeSet<&str> =
        rows.iter().filter_map(|r| r["id"].as_str()).collect();
    for r in &live {
        assert!(ids.contains(str_of(r, "id")), "{}", str_of(r, "id"));
    }
    let times: Vec<&str> = rows
        .iter()
        .filter_map(|r| r["last_activity"].as_str())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "most recent first: {times:?}"
    );
    // The entries column counts what the page shows (legacy link rows included).
    let first = &rows[0];
    let id = first["id"].as_str().unwrap();
    assert_eq!(
        first["entries"].as_u64().unwrap() as usize,
        entry_ids(DEMO, id).len()
    );

    let tsv = reportpress(&["list", "--status", "ready", "--format", "tsv"]);
    let text = String::from_utf8(tsv.stdout).unwrap();
    let ready = live
        .iter()
        .filter(|r| str_of(r, "status") == "ready")
        .count();
    assert_eq!(text.lines().count(), ready + 1, "{text}");
    assert!(
        text.lines()
            .skip(1)
            .all(|l| l.split('\t').nth(1) == Some("ready"))
    );

    let table = reportpress(&["list"]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.starts_with("ID "), "{text}");
    assert_eq!(text.lines().count(), live.len() + 1);
}
