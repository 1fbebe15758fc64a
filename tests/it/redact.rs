//! `--redact people`, through the binary: with it, no email, first name (three characters or
//! more), last name or full name of any `posthog_user` row appears — as a whole word, in any
//! case, also JSON- or percent-escaped — in any file of the archive (pages, Markdown, search
//! index, feed, sitemap, manifest, assets) nor in an export in any format; without it they do
//! (so the scan can fail). Pseudonyms are stable (two builds give identical trees, exports use
//! the archive's pseudonyms) and never shared. `fixtures/redact.toml` puts names everywhere a
//! report holds text; the demo archive is checked too.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::*;

const FIXTURE: &str = include_str!("../fixtures/redact.toml");
const REPORT: &str = "0d000000-0000-7000-8000-000000000001";
const FOLLOW_UP: &str = "0d000000-0000-7000-8000-000000000002";
const BASE_URL: &str = "https://example.com/";

/// What must not appear: every email, first name of three characters or more, last name, full
/// name, and each word of three or more characters of a name, of every `posthog_user` row.
fn needles(fixture: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for row in fixture_rows(fixture, "posthog_user") {
        let (email, first, last) = (
            str_of(&row, "email").trim(),
            str_of(&row, "first_name").trim(),
            str_of(&row, "last_name").trim(),
        );
        if !email.is_empty() {
            out.insert(email.to_string());
        }
        if !first.is_empty() && !last.is_empty() {
            out.insert(format!("{first} {last}"));
        }
        for name in [first, last] {
            if name.chars().count() >= 3 {
                out.insert(name.to_string());
            }
            out.extend(
                name.split_whitespace()
                    .filter(|w| w.chars().count() >= 3)
                    .map(str::to_string),
            );
        }
    }
    out
}

/// Where `needle` could be written: as is, JSON-escaped beyond ASCII, percent-encoded.
fn spellings(needle: &str) -> Vec<String> {
    let json: String = needle
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                let mut units = [0u16; 2];
                c.encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("\\u{u:04x}"))
                    .collect()
            }
        })
        .collect();
    let percent: String = needle
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"@.-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02x}")
            }
        })
        .collect();
    let mut out = vec![
        needle.to_lowercase(),
        json.to_lowercase(),
        percent.to_lowercase(),
    ];
    out.dedup();
    out
}

/// Whether `needle` occurs in `haystack` as a whole word (no letter either side), any case.
fn contains_word(haystack: &str, needle: &str) -> bool {
    let haystack = haystack.to_lowercase();
    spellings(needle).iter().any(|needle| {
        haystack.match_indices(needle.as_str()).any(|(at, m)| {
            let before = haystack[..at].chars().next_back();
            let after = haystack[at + m.len()..].chars().next();
            !before.is_some_and(char::is_alphabetic) && !after.is_some_and(char::is_alphabetic)
        })
    })
}

/// Every (file, needle) where a needle appears in a file under `root` (read as bytes, any
/// encoding problem replaced, so nothing is skipped).
fn leaks(root: &Path, needles: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    for (rel, path) in files(root) {
        let bytes = std::fs::read(&path).expect("read output");
        let text = String::from_utf8_lossy(&bytes);
        for needle in needles {
            if contains_word(&text, needle) {
                found.push(format!("{rel}: {needle}"));
            }
        }
    }
    found
}

fn text_leaks(what: &str, text: &str, needles: &BTreeSet<String>) -> Vec<String> {
    needles
        .iter()
        .filter(|n| contains_word(text, n))
        .map(|n| format!("{what}: {n}"))
        .collect()
}

/// The whole archive as one text.
fn archive_text(root: &Path) -> String {
    files(root)
        .iter()
        .map(|(_, path)| String::from_utf8_lossy(&std::fs::read(path).expect("read")).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `<title>` of a people page.
fn page_title(root: &Path, page: &str) -> String {
    let html = read(&root.join(page));
    let start = html.find("<title>").expect("a title") + "<title>".len();
    let end = start + html[start..].find("</title>").expect("title ends");
    html[start..end].trim().to_string()
}

fn export_ok(args: &[&str]) -> String {
    let mut all = vec!["export"];
    all.extend(args);
    let out = reportpress(&all);
    assert!(out.status.success(), "export {args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn needles_cover_the_fixture() {
    // The scan itself: whole words, any case, escapes; "Annual" is not "Ann".
    assert!(contains_word("by ANN WHITFIELD.", "Ann Whitfield"));
    assert!(contains_word("x \"Zo\\u00EB\" y", "Zoë"));
    assert!(!contains_word("Annual", "Ann"));
    assert!(!contains_word("Person 123456", "Ann"));
    let needles = needles(FIXTURE);
    for n in [
        "Ann",
        "Whitfield",
        "Lindqvist",
        "Bo Lindqvist",
        "Zoë",
        "Briain",
        "dana.k@acme.test",
    ] {
        assert!(needles.contains(n), "{n} missing from {needles:?}");
    }
    assert!(
        !needles.contains("Bo"),
        "two-letter names are not scanned for alone"
    );
}

#[test]
fn a_redacted_archive_names_nobody_and_is_stable() {
    let scratch = Scratch::new("redact");
    let db = sqlite_archive(&scratch.path("people.sqlite"), FIXTURE);
    let needles = needles(FIXTURE);
    let args = ["--redact", "people", "--base-url", BASE_URL];

    // Without redaction every name and email is in the archive: the scan can fail.
    let plain = scratch.path("plain");
    build(Some(&db), &plain, &["--base-url", BASE_URL]);
    let text = archive_text(&plain);
    let missing: Vec<&String> = needles
        .iter()
        .filter(|n| !contains_word(&text, n))
        .collect();
    assert!(missing.is_empty(), "not in the plain archive: {missing:?}");

    let first = scratch.path("first");
    build(Some(&db), &first, &args);
    for file in [
        "sitemap.xml",
        "feed.xml",
        "assets/search-index.js",
        "index.md",
    ] {
        assert!(first.join(file).is_file(), "{file} missing");
    }
    let found = leaks(&first, &needles);
    assert!(
        found.is_empty(),
        "names left in the redacted archive:\n{}",
        found.join("\n")
    );

    // Ordinary words stay; so does what is nobody's name.
    let report = read(&first.join(format!("reports/{REPORT}.md")));
    assert!(report.contains("Annual billing"), "{report}");
    assert!(report.contains("Bo is away"), "{report}");
    assert!(report.contains("rkeller"), "{report}");
    let follow_up = read(&first.join(format!("reports/{FOLLOW_UP}.md")));
    assert!(
        follow_up.contains("Someone should both look"),
        "{follow_up}"
    );

    // Every person who wrote something has a page under a pseudonym of their own.
    let titles: Vec<String> = [1, 2, 3, 4, 5, 6]
        .iter()
        .map(|id| page_title(&first, &format!("people/user-{id}.html")))
        .collect();
    for title in &titles {
        let digits = title.strip_prefix("Person ").unwrap_or_default();
        assert!(
            digits.len() >= 6 && digits.chars().all(|c| c.is_ascii_digit()),
            "{title}"
        );
    }
    assert_eq!(
        titles.iter().collect::<BTreeSet<_>>().len(),
        titles.len(),
        "{titles:?}"
    );
    // The attributions use them: an agent acting for Bo Lindqvist, Ann Whitfield's note.
    assert!(
        report.contains(&format!("claude-code (for {})", titles[1])),
        "{report}"
    );
    assert!(report.contains(&titles[0]), "{report}");

    // Stable: a second build into another folder is the same, byte for byte.
    let second = scratch.path("second");
    build(Some(&db), &second, &args);
    assert!(tree(&first) == tree(&second), "two redacted builds differ");

    // Switching redaction on over a plain archive re-renders every report.
    build(Some(&db), &plain, &args);
    let found = leaks(&plain, &needles);
    assert!(
        found.is_empty(),
        "an incremental build kept names:\n{}",
        found.join("\n")
    );
    assert!(
        tree(&plain) == tree(&first),
        "redacting over a plain archive differs"
    );

    // Exports in every format, with the archive's pseudonyms.
    for format in ["pr", "md", "html"] {
        let plain = export_ok(&[REPORT, "--database", &db, "--format", format]);
        assert!(
            contains_word(&plain, "Whitfield"),
            "{format} export without --redact"
        );
        let redacted = export_ok(&[
            REPORT,
            "--database",
            &db,
            "--format",
            format,
            "--redact",
            "people",
            "--base-url",
            BASE_URL,
        ]);
        let found = text_leaks(format, &redacted, &needles);
        assert!(
            found.is_empty(),
            "names left in the export:\n{}",
            found.join("\n")
        );
        assert!(redacted.contains(&titles[0]), "{format}: {redacted}");
    }
}

#[test]
fn the_demo_redacted_names_nobody() {
    let scratch = Scratch::new("redact-demo");
    let needles = needles(DEMO);
    assert!(needles.contains("Marta Oliveira") && needles.contains("sam@example.com"));

    let plain = scratch.path("plain");
    build(None, &plain, &[]);
    assert!(contains_word(&archive_text(&plain), "Marta Oliveira"));

    let out = scratch.path("out");
    build(None, &out, &["--redact", "people", "--base-url", BASE_URL]);
    let found = leaks(&out, &needles);
    assert!(
        found.is_empty(),
        "names left in the demo:\n{}",
        found.join("\n")
    );

    let report = "019a0000-0000-7000-8000-000000000001";
    for format in ["pr", "md", "html"] {
        let text = export_ok(&[report, "--format", format, "--redact", "people"]);
        let found = text_leaks(format, &text, &needles);
        assert!(
            found.is_empty(),
            "names left in the export:\n{}",
            found.join("\n")
        );
    }
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "needs PostgreSQL: set REPORTPRESS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test in CI)"
)]
fn postgres_and_sqlite_give_the_same_pseudonyms() {
    let Some(admin) = postgres("postgres_and_sqlite_give_the_same_pseudonyms") else {
        return;
    };
    let scratch = Scratch::new("redact-pg");
    let sqlite = sqlite_archive(&scratch.path("people.sqlite"), FIXTURE);
    let pg = PgDb::create(&admin, POSTHOG_PG);
    pg.seed(FIXTURE);
    let (a, b) = (scratch.path("sqlite"), scratch.path("pg"));
    build(Some(&sqlite), &a, &["--redact", "people"]);
    build(Some(&pg.url), &b, &["--redact", "people"]);
    assert!(
        tree(&a) == tree(&b),
        "PostgreSQL and SQLite redact differently"
    );
}

/// A name spelled so that a plain search misses it but a reader sees it — a Markdown character
/// reference, a zero-width space, emphasis or a code span splitting it — is replaced too: in the
/// page, the search index and the HTML export.
#[test]
fn names_hidden_from_a_plain_search_are_still_redacted() {
    let spellings = [
        "Whitfi&#101;ld",
        "Whit&#x66;ield",
        "Whit\u{200b}field",
        "Whit\u{00ad}field",
        "Whit**f**ield",
        "Whit*f*ield",
        "Whit`f`ield",
        "Lindq&#118;ist",
    ];
    let mut fixture = FIXTURE.to_string();
    for (n, spelled) in spellings.iter().enumerate() {
        let note =
            serde_json::to_string(&serde_json::json!({ "note": format!("Ping {spelled} now") }))
                .unwrap();
        fixture.push_str(&format!(
            "\n[[signals_signalreportartefact]]\nid = \"0d000000-0000-7000-8000-0000000009{n:02}\"\n\
             team_id = 1\nreport_id = \"{REPORT}\"\ntype = \"note\"\ncontent_raw = '''{note}'''\n\
             created_at = \"2026-11-03T0{}:00:00Z\"\n",
            n % 10
        ));
    }
    let scratch = Scratch::new("redact-hidden");
    let db = sqlite_archive(&scratch.path("people.sqlite"), &fixture);
    let out = scratch.path("out");
    let b = build(Some(&db), &out, &["--redact", "people"]);
    assert!(b.status.success(), "{}", stderr(&b));
    let html = read(&out.join(format!("reports/{REPORT}.html")));
    let export = export_ok(&[
        "--database",
        &db,
        REPORT,
        "--format",
        "html",
        "--redact",
        "people",
    ]);
    let search = read(&out.join("assets/search-index.js"));
    // What a reader sees: the pages' text, invisible characters left out.
    let seen = |markup: &str| -> String {
        let doc = scraper::Html::parse_document(markup);
        doc.root_element()
            .text()
            .collect::<String>()
            .chars()
            .filter(|c| !matches!(c, '\u{200b}' | '\u{00ad}'))
            .collect()
    };
    for (what, text) in [
        ("page", seen(&html)),
        ("export", seen(&export)),
        ("search index", search.replace(['\u{200b}', '\u{00ad}'], "")),
    ] {
        for name in ["Whitfield", "Lindqvist"] {
            assert!(
                !text.to_lowercase().contains(&name.to_lowercase()),
                "{what} shows {name}"
            );
        }
    }
    assert_eq!(
        html.matches("Ping Person ").count(),
        spellings.len(),
        "{html}"
    );
}
