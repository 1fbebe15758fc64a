//! The model's rules, checked on rendered pages built by the binary from a SQLite archive:
//! latest-wins with ties, one finding per signal, stacked dismissals, attribution kinds,
//! degraded rows with notices, deleted reports, and teams never mixed.

use crate::common::*;
use scraper::{Html, Selector};

const FIXTURE: &str = include_str!("../fixtures/semantics.toml");
const R1: &str = "01000000-0000-7000-8000-000000000001";

struct Built {
    _scratch: Scratch,
    out: std::path::PathBuf,
}

fn built(extra: &[&str]) -> Built {
    let scratch = Scratch::new("semantics");
    let db = sqlite_archive(&scratch.path("a.sqlite"), FIXTURE);
    let out = scratch.path("out");
    build(Some(&db), &out, extra);
    Built {
        _scratch: scratch,
        out,
    }
}

fn page(b: &Built, id: &str) -> Html {
    Html::parse_document(&read(&b.out.join(format!("reports/{id}.html"))))
}

fn text_of(doc: &Html, css: &str) -> String {
    let sel = Selector::parse(css).expect("selector");
    doc.select(&sel)
        .map(|e| e.text().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn entry(doc: &Html, artefact: &str) -> String {
    let text = text_of(doc, &format!("article#a-{artefact}"));
    assert!(!text.is_empty(), "entry {artefact} missing");
    text
}

fn status_row(doc: &Html, label: &str) -> String {
    let sel = Selector::parse("section.status table:not(.prs) tr").expect("selector");
    doc.select(&sel)
        .map(|e| e.text().collect::<Vec<_>>().join("|"))
        .find(|row| row.starts_with(label))
        .unwrap_or_else(|| panic!("no status row {label}"))
}

#[test]
fn latest_wins_and_ties_break_on_id() {
    let b = built(&["--team", "1"]);
    let doc = page(&b, R1);
    let row = status_row(&doc, "Priority");
    // P2 (id …a3) beats P1 (id …a2) at the same created_at; the two values it superseded
    // are listed oldest first.
    assert!(row.contains("P2") && row.ends_with("P3| → |P1"), "{row}");
    // The superseded rows link to their successor; the current one does not.
    let superseded =
        Selector::parse("article#a-01000000-0000-7000-8000-0000000000a2 a.superseded").unwrap();
    let next = doc.select(&superseded).next().expect("a2 is superseded");
    assert_eq!(
        next.value().attr("href"),
        Some("#a-01000000-0000-7000-8000-0000000000a3")
    );
    assert!(!entry(&doc, "01000000-0000-7000-8000-0000000000a3").contains("superseded"));
    // Timeline order: the tie keeps id order (a2 before a3).
    let html = read(&b.out.join(format!("reports/{R1}.html")));
    let a2 = html
        .find(r#"id="a-01000000-0000-7000-8000-0000000000a2""#)
        .unwrap();
    let a3 = html
        .find(r#"id="a-01000000-0000-7000-8000-0000000000a3""#)
        .unwrap();
    assert!(a2 < a3);
}

#[test]
fn one_finding_per_signal_and_dismissals_stack() {
    let b = built(&["--team", "1"]);
    let doc = page(&b, R1);
    // The first sig-a finding is superseded by the later one; sig-b stands alone.
    assert!(entry(&doc, "01000000-0000-7000-8000-0000000000b1").contains("superseded"));
    assert!(!entry(&doc, "01000000-0000-7000-8000-0000000000b2").contains("superseded"));
    assert!(!entry(&doc, "01000000-0000-7000-8000-0000000000b3").contains("superseded"));
    // Every dismissal is shown and none supersedes another.
    for (id, note) in [("c1", "first"), ("c2", "second"), ("c3", "third")] {
        let e = entry(&doc, &format!("01000000-0000-7000-8000-0000000000{id}"));
        assert!(e.contains(&format!("{note} dismissal")), "{e}");
        assert!(!e.contains("superseded"), "{e}");
    }
}

#[test]
fn every_attribution_kind() {
    let b = built(&["--team", "1"]);
    let doc = page(&b, R1);
    let by = |id: &str| {
        text_of(
            &doc,
            &format!("article#a-01000000-0000-7000-8000-0000000000{id} .actor"),
        )
    };
    assert_eq!(by("d1"), "by Ana Ruiz");
    assert_eq!(by("d2"), "by Research the flag evaluation bug");
    assert_eq!(by("d3"), "by cursor (for bo@example.com)");
    assert_eq!(by("d4"), "by system");
    assert_eq!(by("d5"), "by Ana Ruiz", "legacy row: created_by_id → user");
    assert_eq!(
        by("d6"),
        "by Research the flag evaluation bug",
        "legacy row: task_id → task"
    );
    // A task_run row with no attribution columns is the task's own.
    assert!(by("d8").starts_with("by task 7a000000"), "{}", by("d8"));
    let kinds = |id: &str| {
        let sel = Selector::parse(&format!(
            "article#a-01000000-0000-7000-8000-0000000000{id} .actor"
        ))
        .unwrap();
        doc.select(&sel)
            .next()
            .unwrap()
            .value()
            .attr("class")
            .unwrap()
            .to_string()
    };
    assert_eq!(kinds("d1"), "actor user");
    assert_eq!(kinds("d2"), "actor task");
    assert_eq!(kinds("d3"), "actor agent");
    assert_eq!(kinds("d4"), "actor system");
    // Edited rows say so.
    assert!(entry(&doc, "01000000-0000-7000-8000-0000000000d1").contains("edited"));
    assert!(!entry(&doc, "01000000-0000-7000-8000-0000000000d2").contains("edited"));
    // The Markdown document carries the same attribution.
    let md = read(&b.out.join(format!("reports/{R1}.md")));
    assert!(
        md.contains("by [cursor (for bo@example.com)](<../people/agent-cursor.html>)"),
        "{md}"
    );
}

#[test]
fn degraded_rows_are_shown_with_a_notice() {
    let b = built(&["--team", "1"]);
    let doc = page(&b, R1);
    let unknown = entry(&doc, "01000000-0000-7000-8000-0000000000e1");
    assert!(
        unknown.contains("Unknown entry type \"sentiment_probe\""),
        "{unknown}"
    );
    assert!(unknown.contains("UNKNOWN-TYPE-VALUE"), "{unknown}");
    let malformed = entry(&doc, "01000000-0000-7000-8000-0000000000e2");
    assert!(malformed.contains("could not be read"), "{malformed}");
    assert!(
        malformed.contains("TRUNCATED-NOTE"),
        "the raw content is kept: {malformed}"
    );
    let wrong_shape = entry(&doc, "01000000-0000-7000-8000-0000000000e3");
    assert!(wrong_shape.contains("shape"), "{wrong_shape}");
    assert!(wrong_shape.contains("[1,2,3]"), "{wrong_shape}");
    let notices = Selector::parse("article .notice").unwrap();
    assert_eq!(doc.select(&notices).count(), 3);
    let md = read(&b.out.join(format!("reports/{R1}.md")));
    assert_eq!(md.matches("> **Notice:**").count(), 3, "{md}");
}

/// PostHog counts PRs of PR-bearing runs only (`NON_PR_BEARING_TASK_RUN_TYPES` in
/// `implementation_pr.py`): the PR in the output of R1's research task is that task's, not the
/// report's, and the PR of team 2's task that a team-1 row names never leaks.
#[test]
fn research_runs_and_other_teams_give_the_report_no_pr() {
    let b = built(&["--team", "1"]);
    let doc = page(&b, R1);
    let prs = Selector::parse("table.prs").unwrap();
    assert_eq!(doc.select(&prs).count(), 0, "no PR table on R1");
    let html = read(&b.out.join(format!("reports/{R1}.html")));
    assert!(
        !html.contains("pull request"),
        "no PR in the page's meta line"
    );
    assert!(!html.contains("pull/999"), "team 2's PR never leaks");
    // The research task's own page still lists its run's PR.
    let task = read(
        &b.out
            .join("tasks/7a000000-0000-4000-8000-000000000001.html"),
    );
    assert!(
        task.contains("https://github.com/posthog/posthog/pull/101"),
        "{task}"
    );
    assert!(!task.contains("pull/999"));
}

#[test]
fn deleted_reports_are_left_out_unless_asked() {
    let b = built(&["--team", "1"]);
    let files = tree(&b.out);
    assert!(
        !files
            .keys()
            .any(|f| f.contains("01000000-0000-7000-8000-000000000002"))
    );
    assert!(
        !files
            .values()
            .any(|bytes| String::from_utf8_lossy(bytes).contains("DELETED-MARKER"))
    );

    let b = built(&["--team", "1", "--include-deleted"]);
    let page = read(
        &b.out
            .join("reports/01000000-0000-7000-8000-000000000002.html"),
    );
    assert!(page.contains("DELETED-MARKER note"));
}

#[test]
fn teams_are_never_mixed() {
    let b = built(&["--team", "1"]);
    for (path, bytes) in tree(&b.out) {
        let text = String::from_utf8_lossy(&bytes);
        for secret in ["TEAM-TWO", "other/secret", "pull/999"] {
            assert!(!text.contains(secret), "{path} shows team 2's {secret}");
        }
    }
    let b = built(&["--team", "2"]);
    let index = read(&b.out.join("index.html"));
    assert!(index.contains("TEAM-TWO-SECRET"));
    assert!(!index.contains("Flags evaluate twice"));
}

#[test]
fn several_teams_without_team_is_a_usage_error() {
    let scratch = Scratch::new("teams");
    let db = sqlite_archive(&scratch.path("a.sqlite"), FIXTURE);
    let out = scratch.path("out");
    let result = reportpress(&[
        "build",
        "--database",
        &db,
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(result.status.code(), Some(2));
    let err = stderr(&result);
    assert!(err.contains("several teams (1, 2)"), "{err}");
    assert!(err.contains("--team"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!out.exists(), "nothing is written on a usage error");
}

#[test]
fn rows_with_unreadable_ids_and_times_are_shown_with_notices() {
    let b = built(&["--team", "1"]);
    let index = Html::parse_document(&read(&b.out.join("index.html")));
    let link = Selector::parse("table.index a").unwrap();
    let href = index
        .select(&link)
        .find(|a| a.text().collect::<String>() == "NON-UUID-REPORT")
        .and_then(|a| a.value().attr("href"))
        .expect("the report is listed")
        .to_string();
    let doc = Html::parse_document(&read(&b.out.join(&href)));
    let page = text_of(&doc, "main");
    assert!(page.contains("\"legacy-report-7\" is not a uuid"), "{page}");
    let entry = text_of(&doc, "article.entry");
    assert!(entry.contains("NON-UUID-ENTRY"), "{entry}");
    assert!(
        entry.contains("\"legacy-entry-1\" is not a uuid"),
        "{entry}"
    );
    assert!(
        entry.contains("\"not a time\" is not a timestamp"),
        "{entry}"
    );
}

/// Reports whose ids spell one uuid differently (capitals, braces, `urn:uuid:`, no hyphens)
/// each keep their page, title and entries; entries that share an id each keep an anchor.
#[test]
fn ids_spelled_alike_are_kept_apart() {
    let spellings = [
        "019a0000-0000-7000-8000-0000000000f1",
        "019A0000-0000-7000-8000-0000000000F1",
        "{019a0000-0000-7000-8000-0000000000f1}",
        "urn:uuid:019a0000-0000-7000-8000-0000000000f1",
        "019a00000000700080000000000000f1",
    ];
    let mut fixture = String::from("[[posthog_team]]\nid = 1\n");
    for (n, id) in spellings.iter().enumerate() {
        fixture.push_str(&format!(
            "\n[[signals_signalreport]]\nid = \"{id}\"\nteam_id = 1\nstatus = \"ready\"\n\
             title = \"SPELLING-{n}\"\ncreated_at = \"2026-10-0{}T08:00:00Z\"\n\
             \n[[signals_signalreportartefact]]\nid = \"01a00000-0000-7000-8000-0000000000{n}{n}\"\n\
             team_id = 1\nreport_id = \"{id}\"\ntype = \"note\"\ncontent = {{ note = \"NOTE-{n}\" }}\n\
             created_at = \"2026-10-0{}T09:00:00Z\"\n",
            n + 1,
            n + 1
        ));
    }
    let scratch = Scratch::new("ids");
    let path = scratch.path("a.sqlite");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    execute(&url, reportpress::source::ARCHIVE_SCHEMA);
    // A hand-made archive whose artefact ids are not unique.
    execute(
        &url,
        "CREATE TABLE dup AS SELECT * FROM signals_signalreportartefact; \
         DROP TABLE signals_signalreportartefact; \
         ALTER TABLE dup RENAME TO signals_signalreportartefact;",
    );
    seed_url(&url, &fixture);
    execute(
        &url,
        "INSERT INTO signals_signalreportartefact (id, team_id, report_id, type, content, created_at) \
         VALUES ('01a00000-0000-7000-8000-000000000000', 1, '019a0000-0000-7000-8000-0000000000f1', \
         'note', '{\"note\":\"SAME-ID-TWICE\"}', '2026-10-01T10:00:00Z')",
    );
    let out = scratch.path("out");
    let b = build(Some(&format!("sqlite:{}", path.display())), &out, &[]);
    assert!(b.status.success(), "{}", stderr(&b));
    let pages: Vec<String> = files(&out)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.starts_with("reports/") && p.ends_with(".html"))
        .collect();
    assert_eq!(pages.len(), 5, "five reports, five pages: {pages:?}");
    let all: String = pages.iter().map(|p| read(&out.join(p))).collect();
    for n in 0..5 {
        assert!(all.contains(&format!("SPELLING-{n}")), "title {n}");
        assert!(all.contains(&format!("NOTE-{n}")), "entry {n}");
    }
    assert_eq!(all.matches("spells the same uuid as report").count(), 4);
    let index = read(&out.join("index.html"));
    let links: std::collections::BTreeSet<&str> = index
        .match_indices("href=\"reports/")
        .map(|(i, _)| &index[i..i + 60])
        .collect();
    assert_eq!(links.len(), 5, "five index rows, five pages");
    // The two entries sharing one id: two anchors.
    let keeper = read(&out.join("reports/019a0000-0000-7000-8000-0000000000f1.html"));
    let anchors: Vec<&str> = keeper.matches("<article class=\"entry").collect();
    assert_eq!(anchors.len(), 2);
    assert!(keeper.contains("SAME-ID-TWICE") && keeper.contains("NOTE-0"));
    let ids: std::collections::BTreeSet<&str> = keeper
        .match_indices(" id=\"a-")
        .map(|(i, _)| &keeper[i..i + 44])
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(keeper.contains("another entry of this report has the id"));
}

/// Two agent clients never share an attribution page, even when one is named after the
/// other's page (`Cursor` and the slug `Cursor` would get).
#[test]
fn agent_clients_named_alike_keep_their_own_pages() {
    let lookalike = reportpress::render::links::slug("Cursor");
    let mut fixture = String::from(
        "[[posthog_team]]\nid = 1\n\n[[signals_signalreport]]\n\
         id = \"019a0000-0000-7000-8000-0000000000e1\"\nteam_id = 1\nstatus = \"ready\"\n\
         title = \"Agents\"\ncreated_at = \"2026-10-01T08:00:00Z\"\n",
    );
    for (n, client) in ["Cursor", lookalike.as_str()].iter().enumerate() {
        fixture.push_str(&format!(
            "\n[[signals_signalreportartefact]]\nid = \"01a00000-0000-7000-8000-0000000000e{n}\"\n\
             team_id = 1\nreport_id = \"019a0000-0000-7000-8000-0000000000e1\"\ntype = \"note\"\n\
             content = {{ note = \"BY-{n}\" }}\ncreated_at = \"2026-10-01T09:0{n}:00Z\"\n\
             actor_kind = \"agent\"\nactor_agent = \"{client}\"\n"
        ));
    }
    let scratch = Scratch::new("agents");
    let db = sqlite_archive(&scratch.path("a.sqlite"), &fixture);
    let out = scratch.path("out");
    let b = build(Some(&db), &out, &[]);
    assert!(b.status.success(), "{}", stderr(&b));
    let agent_pages: Vec<String> = files(&out)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.starts_with("people/agent-"))
        .collect();
    assert_eq!(agent_pages.len(), 2, "{agent_pages:?}");
    for page in &agent_pages {
        let text = read(&out.join(page));
        assert!(
            text.contains("<td>Note added</td><td>1</td>"),
            "{page}: one entry each"
        );
    }
}
