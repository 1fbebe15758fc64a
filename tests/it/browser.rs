//! The archive in a real browser: headless Chromium opens the built demo from `file://` (no server,
//! no network) and the DOM it dumps after the scripts ran is checked against the demo fixture.
//!
//! - search finds a report by a word of its title, of a note and of a code reference path, and the
//!   search index is loaded only once the search is used;
//! - `?status=…&priority=…&repository=…` filters and `?sort=…&dir=…` sorting (the state the index
//!   reads from its address) show exactly the right rows in the right order;
//! - with JavaScript disabled the index, a report page and a people page are complete.
//!
//! The pages a test opens with scripts on load together, each in a frame of one page, in one
//! Chromium start (`Loaded`); the pages without JavaScript load one start each.
//!
//! Without Chromium (looked for when the tests are built, by `build.rs`) the tests are ignored,
//! with the reason; with `REPORTPRESS_REQUIRE_CHROMIUM` set (as CI and `scripts/browser-check` do)
//! a missing browser fails them instead. `CHROMIUM=/path` picks the browser.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common::*;
use chrono::{DateTime, FixedOffset};
use reportpress::render::text::escape_html;
use scraper::{ElementRef, Html, Selector};

// ---- Chromium --------------------------------------------------------------------------------

/// `file://` URL of `path` with `query` pairs (form-encoded, as `URLSearchParams` reads them).
fn file_url(path: &Path, query: &[(&str, &str)]) -> String {
    let mut url = url::Url::from_file_path(path).expect("absolute path");
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    url.to_string()
}

/// Pages loaded with scripts on, all in one Chromium start, then looked up by URL: one start
/// (about 0.6 s of CPU and a new profile of ~190 files) instead of one per page. Each page
/// opens in a frame of a harness page, sees its own address (`location.search`) as it would in
/// a tab, and loads what it loads lazily; once every frame has loaded and its scripts have
/// settled, the harness copies each frame's DOM into a `<textarea>` of the page Chromium dumps.
struct Loaded {
    doms: BTreeMap<String, String>,
}

impl Loaded {
    fn new(browser: &Path, urls: &[String]) -> Loaded {
        let urls: Vec<&String> = urls.iter().collect::<BTreeSet<_>>().into_iter().collect();
        let scratch = Scratch::new("chromium-frames");
        let frames: String = urls
            .iter()
            .map(|url| {
                let src = escape_html(url);
                format!("<iframe src=\"{src}\" style=\"width:1280px;height:900px\"></iframe>\n")
            })
            .collect();
        // Virtual time (`--virtual-time-budget`) stands still while a file is loading, so the
        // wait after `load` ends only once the frames' lazy scripts have run.
        let harness = format!(
            r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>frames</title></head><body>
{frames}<script>
window.addEventListener("load", function () {{
  setTimeout(function () {{
    Array.prototype.forEach.call(document.querySelectorAll("iframe"), function (f, i) {{
      var t = document.createElement("textarea");
      t.id = "dom-" + i;
      t.textContent = f.contentDocument ? f.contentDocument.documentElement.outerHTML : "";
      document.body.appendChild(t);
    }});
  }}, 2000);
}});
</script></body></html>"#
        );
        let page = scratch.path("frames.html");
        std::fs::write(&page, harness).expect("harness page");
        let dom = chromium_dump(
            browser,
            &file_url(&page, &[]),
            &scratch.path("profile"),
            &["--allow-file-access-from-files".to_string()],
        );
        let doc = Html::parse_document(&dom);
        let doms = urls
            .iter()
            .enumerate()
            .map(|(i, url)| {
                let area = doc
                    .select(&sel(&format!("textarea#dom-{i}")))
                    .next()
                    .unwrap_or_else(|| panic!("the harness copied no DOM for {url}"));
                let html: String = area.text().collect();
                assert!(
                    html.ends_with("</html>"),
                    "{url}: the frame was not readable"
                );
                (url.to_string(), format!("<!DOCTYPE html>{html}"))
            })
            .collect();
        Loaded { doms }
    }

    /// The DOM of `url`, which must be among the pages loaded.
    fn dom(&self, url: &str) -> &str {
        self.doms
            .get(url)
            .unwrap_or_else(|| panic!("{url} was not among the pages loaded"))
    }
}

/// The DOM Chromium holds after loading `url` with JavaScript off, serialised. Each run has a
/// fresh profile; no network is touched (the pages are all `file://`). Pages with scripts on
/// load together, through [`Loaded`].
fn dump_dom_without_js(browser: &Path, url: &str) -> String {
    let scratch = Scratch::new("chromium");
    let profile = scratch.path("profile");
    // JavaScript off as a reader turns it off: the profile's content setting. (The switch
    // `--blink-settings=scriptEnabled=false` also stops `--dump-dom` itself: it dumps nothing.)
    let default = profile.join("Default");
    std::fs::create_dir_all(&default).expect("profile dir");
    std::fs::write(
        default.join("Preferences"),
        r#"{"profile":{"default_content_setting_values":{"javascript":2}}}"#,
    )
    .expect("profile preferences");
    chromium_dump(browser, url, &profile, &[])
}

// ---- Pages -----------------------------------------------------------------------------------

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("selector")
}

fn text(e: ElementRef) -> String {
    e.text().collect::<String>().trim().to_string()
}

/// One row of the index table as the DOM holds it, in DOM order.
#[derive(Clone, Debug)]
struct Row {
    id: String,
    href: String,
    title: String,
    hidden: bool,
    status: String,
    priority: String,
    repository: String,
    cells: Vec<String>,
    sort: Vec<Option<String>>,
}

fn index_rows(dom: &str) -> Vec<Row> {
    let doc = Html::parse_document(dom);
    let (td, link) = (sel("td"), sel("td a"));
    doc.select(&sel("#reports tbody tr"))
        .map(|tr| {
            let a = tr.select(&link).next().expect("row link");
            let href = a.value().attr("href").expect("href").to_string();
            let id = href
                .strip_prefix("reports/")
                .and_then(|h| h.strip_suffix(".html"))
                .unwrap_or_else(|| panic!("row link {href}"))
                .to_string();
            let attr = |n: &str| tr.value().attr(n).unwrap_or_default().to_string();
            Row {
                id,
                href: href.clone(),
                title: text(a),
                hidden: tr.value().attr("hidden").is_some(),
                status: attr("data-status"),
                priority: attr("data-priority"),
                repository: attr("data-repository"),
                cells: tr.select(&td).map(text).collect(),
                sort: tr
                    .select(&td)
                    .map(|c| c.value().attr("data-sort").map(str::to_string))
                    .collect(),
            }
        })
        .collect()
}

/// The index column whose header has `data-key="key"`.
fn column(dom: &str, key: &str) -> usize {
    let doc = Html::parse_document(dom);
    doc.select(&sel("#reports thead th"))
        .position(|th| th.value().attr("data-key") == Some(key))
        .unwrap_or_else(|| panic!("no column {key}"))
}

fn attr_of(dom: &str, css: &str, name: &str) -> Option<String> {
    let doc = Html::parse_document(dom);
    let e = doc
        .select(&sel(css))
        .next()
        .unwrap_or_else(|| panic!("no {css}"));
    e.value().attr(name).map(str::to_string)
}

fn text_of(dom: &str, css: &str) -> String {
    let doc = Html::parse_document(dom);
    doc.select(&sel(css)).next().map(text).unwrap_or_default()
}

fn script_srcs(dom: &str) -> Vec<String> {
    let doc = Html::parse_document(dom);
    doc.select(&sel("script[src]"))
        .filter_map(|s| s.value().attr("src").map(str::to_string))
        .collect()
}

/// `#results` items: (link href, item text).
fn results(dom: &str) -> Vec<(Option<String>, String)> {
    let doc = Html::parse_document(dom);
    let a = sel("a");
    doc.select(&sel("#results li"))
        .map(|li| {
            let href = li
                .select(&a)
                .next()
                .and_then(|a| a.value().attr("href").map(str::to_string));
            (href, text(li))
        })
        .collect()
}

fn visible(rows: &[Row]) -> BTreeSet<String> {
    rows.iter()
        .filter(|r| !r.hidden)
        .map(|r| r.id.clone())
        .collect()
}

fn ids(rows: &[Row]) -> Vec<String> {
    rows.iter().map(|r| r.id.clone()).collect()
}

fn time(iso: &Option<String>) -> Option<DateTime<FixedOffset>> {
    iso.as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}")))
}

// ---- The fixture -----------------------------------------------------------------------------

/// What the fixture says about one report: everything search may look at.
#[derive(Debug, Default)]
struct Fixture {
    id: String,
    status: String,
    title: String,
    /// Current and former titles and summaries.
    headings: Vec<String>,
    /// (entry id, note text).
    notes: Vec<(String, String)>,
    /// (entry id, artefact type, file path).
    paths: Vec<(String, String, String)>,
}

impl Fixture {
    /// Everything of this report search looks at, lower-cased, except the entry `skip`.
    fn text_except(&self, skip: &str) -> String {
        let mut all = self.headings.join("\n");
        for (id, note) in &self.notes {
            if id != skip {
                all.push('\n');
                all.push_str(note);
            }
        }
        for (id, _, path) in &self.paths {
            if id != skip {
                all.push('\n');
                all.push_str(path);
            }
        }
        all.to_lowercase()
    }
}

/// An artefact's content, from a TOML table or from `content_raw` JSON.
fn content(row: &toml::Table) -> serde_json::Value {
    match (row.get("content"), row.get("content_raw")) {
        (Some(c), _) => serde_json::to_value(c).unwrap_or_default(),
        (None, Some(toml::Value::String(raw))) => serde_json::from_str(raw).unwrap_or_default(),
        _ => serde_json::Value::Null,
    }
}

/// The demo's live (not deleted) reports, in fixture order.
fn fixture_reports() -> Vec<Fixture> {
    let mut reports: Vec<Fixture> = fixture_rows(DEMO, "signals_signalreport")
        .iter()
        .filter(|r| str_of(r, "status") != "deleted")
        .map(|r| Fixture {
            id: str_of(r, "id").to_string(),
            // As stored: the index filters by the stored status and shows PostHog's label.
            status: str_of(r, "status").to_string(),
            title: str_of(r, "title").to_string(),
            headings: vec![
                str_of(r, "title").to_string(),
                str_of(r, "summary").to_string(),
            ],
            ..Fixture::default()
        })
        .collect();
    for a in fixture_rows(DEMO, "signals_signalreportartefact") {
        let Some(report) = reports.iter_mut().find(|r| r.id == str_of(&a, "report_id")) else {
            continue;
        };
        let (id, kind, c) = (
            str_of(&a, "id").to_string(),
            str_of(&a, "type"),
            content(&a),
        );
        let field = |k: &str| c.get(k).and_then(|v| v.as_str()).map(str::to_string);
        match kind {
            "note" => report.notes.extend(field("note").map(|n| (id, n))),
            "code_reference" | "line_reference" | "code_diff" => report
                .paths
                .extend(field("file_path").map(|p| (id, kind.to_string(), p))),
            "title_change" | "summary_change" => report.headings.extend(
                ["old_title", "new_title", "old_summary", "new_summary"]
                    .into_iter()
                    .filter_map(field),
            ),
            _ => {}
        }
    }
    reports
}

/// Alphabetic words of at least six letters, lower-cased.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 6 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_lowercase)
        .collect()
}

/// True when no report but `except` has `needle` anywhere search looks.
fn unique_to(reports: &[Fixture], except: &str, needle: &str) -> bool {
    reports
        .iter()
        .filter(|r| r.id != except)
        .all(|r| !r.text_except("").contains(needle))
}

fn build_demo(scratch: &Scratch) -> PathBuf {
    let out = scratch.path("site");
    build(None, &out, &[]);
    out
}

// ---- Search ----------------------------------------------------------------------------------

#[test]
#[cfg_attr(
    no_chromium,
    ignore = "needs Chromium: apt-get install chromium, or set CHROMIUM=/path/to/chrome"
)]
fn search_finds_reports_by_title_note_and_code_path_from_file_url() {
    let Some(browser) = chromium("search_finds_reports_by_title_note_and_code_path_from_file_url")
    else {
        return;
    };
    let scratch = Scratch::new("browser-search");
    let site = build_demo(&scratch);
    let index = site.join("index.html");
    let search_js = read(&site.join("assets/search-index.js")).to_lowercase();
    let reports = fixture_reports();

    // A word of one report's title that no other report has anywhere.
    let (title_report, title_word) = reports
        .iter()
        .flat_map(|r| words(&r.title).into_iter().map(move |w| (r, w)))
        .find(|(r, w)| unique_to(&reports, &r.id, w))
        .expect("a title word unique to one report");

    // A word of a note (in the excerpt the index keeps) that is nowhere else in its report — not
    // in its title or summary — nor in any other report.
    let (note_report, note_entry, note_word) = reports
        .iter()
        .flat_map(|r| {
            r.notes.iter().flat_map(move |(entry, note)| {
                let head: String = note.chars().take(200).collect();
                words(&head).into_iter().map(move |w| (r, entry, w))
            })
        })
        .find(|(r, entry, w)| {
            !r.text_except(entry).contains(w.as_str())
                && unique_to(&reports, &r.id, w)
                && search_js.contains(w.as_str())
        })
        .expect("a note word found nowhere else");
    assert!(
        !note_report
            .headings
            .join(" ")
            .to_lowercase()
            .contains(&note_word)
    );

    // The file name of a code reference, likewise found nowhere else.
    let (path_report, path_entry, path_fragment) = reports
        .iter()
        .flat_map(|r| {
            r.paths
                .iter()
                .filter(|(_, kind, _)| kind == "code_reference")
                .map(move |(entry, _, path)| {
                    let name = path.rsplit('/').next().unwrap_or(path).to_lowercase();
                    (r, entry, name)
                })
        })
        .find(|(r, entry, name)| {
            name.len() >= 6
                && !r.text_except(entry).contains(name.as_str())
                && unique_to(&reports, &r.id, name)
        })
        .expect("a code reference file name found nowhere else");

    // Lazy loading: the page as shipped has no search index script, and loading the page
    // without a query does not add one.
    let shipped = read(&index);
    assert!(
        !script_srcs(&shipped)
            .iter()
            .any(|s| s.contains("search-index")),
        "index.html loads the search index up front"
    );
    assert_eq!(
        attr_of(&shipped, "#q", "data-index").as_deref(),
        Some("assets/search-index.js")
    );
    // Every page this test opens, loaded at once: the index without a query, then each search.
    let nonsense = "qzxjvwpkq";
    let other = reports
        .iter()
        .map(|r| r.status.as_str())
        .find(|s| *s != title_report.status)
        .expect("another status");
    let address = |q: &str, filters: &[(&str, &str)]| {
        let mut query = vec![("q", q)];
        query.extend_from_slice(filters);
        file_url(&index, &query)
    };
    let both = format!("{title_word} {note_word}");
    let loaded = Loaded::new(
        &browser,
        &[
            file_url(&index, &[]),
            address(&title_word, &[]),
            address(&note_word, &[]),
            address(&path_fragment, &[]),
            address(&both, &[]),
            address(nonsense, &[]),
            address(&title_word, &[("status", &title_report.status)]),
            address(&title_word, &[("status", other)]),
        ],
    );
    let plain = loaded.dom(&file_url(&index, &[]));
    assert!(
        !script_srcs(plain)
            .iter()
            .any(|s| s.contains("search-index")),
        "the search index was loaded without a search"
    );
    assert!(attr_of(plain, "#controls", "hidden").is_none());
    assert!(attr_of(plain, "#results", "hidden").is_some());

    let search_with = |q: &str, filters: &[(&str, &str)]| {
        let dom = loaded.dom(&address(q, filters));
        assert!(
            script_srcs(dom)
                .iter()
                .any(|s| s == "assets/search-index.js"),
            "searching {q:?} did not load assets/search-index.js"
        );
        assert!(attr_of(dom, "#results", "hidden").is_none(), "{q:?}");
        // The count of shown rows follows the search (and the filters).
        let rows = index_rows(dom).iter().filter(|r| !r.hidden).count();
        assert_eq!(
            text_of(dom, "#shown"),
            format!("{rows} of {} reports shown", reports.len()),
            "{q:?}"
        );
        assert_eq!(
            attr_of(dom, "#none", "hidden").is_none(),
            rows == 0,
            "{q:?}: the no-match row"
        );
        (results(dom), text_of(dom, "#results-note"))
    };
    let search = |q: &str| search_with(q, &[]).0;
    let no_match = |q: &str, filters: &[(&str, &str)]| {
        let (found, note) = search_with(q, filters);
        assert!(found.is_empty(), "{q:?} {filters:?}: {found:?}");
        assert!(note.starts_with("No report matches"), "{q:?}: {note:?}");
        note
    };
    let page = |r: &Fixture| format!("reports/{}.html", r.id);

    let found = search(&title_word);
    assert_eq!(
        found.first().map(|(h, t)| (h.clone(), t.clone())),
        Some((Some(page(title_report)), title_report.title.clone())),
        "title word {title_word:?}: {found:?}"
    );
    assert_eq!(found.len(), 1, "title word {title_word:?}: {found:?}");

    let found = search(&note_word);
    let want = format!("{}#a-{note_entry}", page(note_report));
    assert_eq!(found.len(), 1, "note word {note_word:?}: {found:?}");
    assert_eq!(found[0].0.as_deref(), Some(want.as_str()), "{note_word:?}");
    assert!(found[0].1.contains("note:"), "{found:?}");
    assert!(found[0].1.to_lowercase().contains(&note_word), "{found:?}");

    let found = search(&path_fragment);
    let want = format!("{}#a-{path_entry}", page(path_report));
    assert_eq!(found.len(), 1, "file name {path_fragment:?}: {found:?}");
    assert_eq!(
        found[0].0.as_deref(),
        Some(want.as_str()),
        "{path_fragment:?}"
    );
    assert!(found[0].1.contains("file:"), "{found:?}");

    // Every word must match: a title word and a note word of different reports find nothing.
    if title_report.id != note_report.id {
        no_match(&both, &[]);
    }
    assert!(!search_js.contains(nonsense));
    no_match(nonsense, &[]);

    // Search looks only at the reports the filters show: the title word under its report's
    // status finds it, under another status finds nothing (and says the filters hid it).
    let (found, note) = search_with(&title_word, &[("status", &title_report.status)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(note, "1 match.");
    let note = no_match(&title_word, &[("status", other)]);
    assert!(
        note.contains("with these filters (1 without them)"),
        "{note:?}"
    );

    // The anchors the results link to exist on the report pages.
    for (r, entry) in [(note_report, note_entry), (path_report, path_entry)] {
        let html = read(&site.join(page(r)));
        assert!(html.contains(&format!("id=\"a-{entry}\"")), "{entry}");
    }
    eprintln!(
        "searched {title_word:?} (title), {note_word:?} (note), {path_fragment:?} (code reference)"
    );
}

// ---- Filters ---------------------------------------------------------------------------------

#[test]
#[cfg_attr(
    no_chromium,
    ignore = "needs Chromium: apt-get install chromium, or set CHROMIUM=/path/to/chrome"
)]
fn filters_from_the_address_show_exactly_the_matching_rows() {
    let Some(browser) = chromium("filters_from_the_address_show_exactly_the_matching_rows") else {
        return;
    };
    let scratch = Scratch::new("browser-filters");
    let site = build_demo(&scratch);
    let index = site.join("index.html");
    let reports = fixture_reports();
    let total = reports.len();
    let statuses: BTreeMap<&str, &str> = reports
        .iter()
        .map(|r| (r.id.as_str(), r.status.as_str()))
        .collect();
    // Priority and repository are derived from artefacts: take them from the rows as shipped,
    // checked against the cells a reader sees.
    let shipped = index_rows(&read(&index));
    let (priority_col, repository_col) = (
        column(&read(&index), "priority"),
        column(&read(&index), "repository"),
    );
    for r in &shipped {
        assert_eq!(r.cells[priority_col], r.priority, "{}", r.id);
        assert_eq!(r.cells[repository_col], r.repository, "{}", r.id);
    }
    let shown = |n: usize| format!("{n} of {total} reports shown");

    // Status, priority and repository combined: a combination narrower than each alone.
    let matching = |s: &str, p: &str, repo: &str| -> BTreeSet<String> {
        shipped
            .iter()
            .filter(|r| {
                (s.is_empty() || statuses[r.id.as_str()] == s)
                    && (p.is_empty() || r.priority == p)
                    && (repo.is_empty() || r.repository == repo)
            })
            .map(|r| r.id.clone())
            .collect()
    };
    let (s, p, repo) = shipped
        .iter()
        .map(|r| {
            (
                statuses[r.id.as_str()],
                r.priority.as_str(),
                r.repository.as_str(),
            )
        })
        .find(|(s, p, repo)| {
            let all = matching(s, p, repo).len();
            !repo.is_empty()
                && all < matching(s, "", "").len()
                && all < matching("", p, "").len()
                && all < matching("", "", repo).len()
        })
        .expect("a status, priority and repository narrower together than apart");
    // Two values that exist but never together.
    let priorities: BTreeSet<&str> = shipped.iter().map(|r| r.priority.as_str()).collect();
    let empty = statuses
        .values()
        .flat_map(|s| priorities.iter().map(move |p| (*s, *p)))
        .find(|(s, p)| !p.is_empty() && matching(s, p, "").is_empty());

    // Every address this test opens, loaded at once.
    let mut addresses = vec![
        file_url(&index, &[("status", "resolved")]),
        file_url(
            &index,
            &[("status", s), ("priority", p), ("repository", repo)],
        ),
        file_url(&index, &[("priority", p)]),
        file_url(&index, &[("repository", repo)]),
    ];
    addresses.extend(empty.map(|(s, p)| file_url(&index, &[("status", s), ("priority", p)])));
    let loaded = Loaded::new(&browser, &addresses);
    let open = |query: &[(&str, &str)]| {
        let dom = loaded.dom(&file_url(&index, query));
        let rows = index_rows(dom);
        assert_eq!(ids(&rows), ids(&shipped), "filtering reordered rows");
        (visible(&rows), text_of(dom, "#shown"))
    };

    // Status, against the fixture.
    let resolved: BTreeSet<String> = statuses
        .iter()
        .filter(|(_, s)| **s == "resolved")
        .map(|(id, _)| id.to_string())
        .collect();
    assert!(!resolved.is_empty() && resolved.len() < total);
    let (rows, text) = open(&[("status", "resolved")]);
    assert_eq!(rows, resolved);
    assert_eq!(text, shown(resolved.len()));

    let want = matching(s, p, repo);
    let (rows, text) = open(&[("status", s), ("priority", p), ("repository", repo)]);
    assert_eq!(rows, want, "status={s} priority={p} repository={repo}");
    assert_eq!(text, shown(want.len()));

    // Priority and repository alone.
    let (rows, text) = open(&[("priority", p)]);
    assert_eq!(rows, matching("", p, ""), "priority={p}");
    assert_eq!(text, shown(rows.len()));
    let (rows, text) = open(&[("repository", repo)]);
    assert_eq!(rows, matching("", "", repo), "repository={repo}");
    assert_eq!(text, shown(rows.len()));

    // Two values that exist but never together: nothing shown.
    if let Some((s, p)) = empty {
        let (rows, text) = open(&[("status", s), ("priority", p)]);
        assert!(rows.is_empty(), "status={s} priority={p}: {rows:?}");
        assert_eq!(text, shown(0));
        // A message row says so, not a bare header.
        let dom = loaded.dom(&file_url(&index, &[("status", s), ("priority", p)]));
        assert!(attr_of(dom, "#none", "hidden").is_none(), "no message row");
        assert!(text_of(dom, "#none").starts_with("No report matches"));
    }
}

// ---- Sorting ---------------------------------------------------------------------------------

#[test]
#[cfg_attr(
    no_chromium,
    ignore = "needs Chromium: apt-get install chromium, or set CHROMIUM=/path/to/chrome"
)]
fn sorting_from_the_address_orders_rows_by_title_entries_and_time() {
    let Some(browser) = chromium("sorting_from_the_address_orders_rows_by_title_entries_and_time")
    else {
        return;
    };
    let scratch = Scratch::new("browser-sort");
    let site = build_demo(&scratch);
    let index = site.join("index.html");
    let shipped_html = read(&index);
    let shipped = index_rows(&shipped_html);
    let (entries_col, activity_col) = (
        column(&shipped_html, "entries"),
        column(&shipped_html, "activity"),
    );
    let entries = |r: &Row| -> u64 {
        r.cells[entries_col]
            .parse()
            .unwrap_or_else(|e| panic!("entries {:?}: {e}", r.cells[entries_col]))
    };
    let loaded = Loaded::new(
        &browser,
        &[
            file_url(&index, &[("sort", "title")]),
            file_url(&index, &[("sort", "entries"), ("dir", "desc")]),
            file_url(&index, &[("sort", "activity")]),
        ],
    );
    let sorted = |query: &[(&str, &str)]| {
        let dom = loaded.dom(&file_url(&index, query));
        let rows = index_rows(dom);
        assert!(rows.iter().all(|r| !r.hidden), "{query:?} hid rows");
        (rows, dom)
    };

    // Stable sorts of the shipped order: what the page must show.
    let mut by_title = shipped.clone();
    by_title.sort_by_key(|r| r.title.to_lowercase());
    let (rows, dom) = sorted(&[("sort", "title")]);
    assert_eq!(ids(&rows), ids(&by_title), "sort=title");
    assert_eq!(
        attr_of(dom, "#reports th[data-key=title]", "aria-sort").as_deref(),
        Some("ascending")
    );
    // Only the sorted column says so; its header is a real button; the caption follows.
    assert!(attr_of(dom, "#reports th[data-key=activity]", "aria-sort").is_none());
    assert_eq!(
        attr_of(dom, "#reports th[data-key=title] > button", "type").as_deref(),
        Some("button")
    );
    assert_eq!(text_of(dom, "#order"), "sorted by report, ascending");
    assert_eq!(
        text_of(&shipped_html, "#order"),
        "most recent activity first"
    );
    assert_eq!(
        attr_of(&shipped_html, "#reports th[data-key=activity]", "aria-sort").as_deref(),
        Some("descending")
    );

    let mut by_entries = shipped.clone();
    by_entries.sort_by_key(|r| std::cmp::Reverse(entries(r)));
    let (rows, dom) = sorted(&[("sort", "entries"), ("dir", "desc")]);
    assert_eq!(ids(&rows), ids(&by_entries), "sort=entries&dir=desc");
    assert!(rows.windows(2).all(|w| entries(&w[0]) >= entries(&w[1])));
    assert_eq!(
        attr_of(dom, "#reports th[data-key=entries]", "aria-sort").as_deref(),
        Some("descending")
    );

    let mut by_activity = shipped.clone();
    by_activity.sort_by_key(|r| time(&r.sort[activity_col]));
    let (rows, _) = sorted(&[("sort", "activity")]);
    assert_eq!(ids(&rows), ids(&by_activity), "sort=activity");
    assert_ne!(ids(&rows), ids(&shipped));
}

/// Sorting edge cases the demo does not have: times of one second written with and without
/// fractions (RFC 3339 with 0, 3, 6 or 9 digits, as the archive writes them), an unknown time,
/// and entry counts of different lengths (9 < 10 < 100, not "10" < "100" < "9").
#[test]
#[cfg_attr(
    no_chromium,
    ignore = "needs Chromium: apt-get install chromium, or set CHROMIUM=/path/to/chrome"
)]
fn sorting_compares_times_and_counts_by_value_not_as_text() {
    let Some(browser) = chromium("sorting_compares_times_and_counts_by_value_not_as_text") else {
        return;
    };
    let scratch = Scratch::new("browser-sort-edge");
    let site = build_demo(&scratch);
    let html = read(&site.join("index.html"));
    let (start, end) = (
        html.find("<tbody>").expect("tbody") + "<tbody>".len(),
        html.find("</tbody>").expect("/tbody"),
    );
    // (id, activity, entries)
    let rows = [
        ("a", "2026-01-01T00:00:00.250Z", "100"),
        ("b", "2026-01-01T00:00:00Z", "9"),
        ("c", "2025-12-31T23:59:59.999Z", "10"),
        ("d", "", "0"),
        ("e", "2026-01-01T00:00:00.000001Z", "25"),
    ];
    let body: String = rows
        .iter()
        .map(|(id, at, n)| {
            format!(
                "<tr data-status=\"ready\" data-priority=\"P1\" data-repository=\"\">\
                 <td><a href=\"reports/{id}.html\">Row {id}</a></td><td>ready</td><td>P1</td>\
                 <td></td><td></td><td data-sort=\"{at}\"></td><td data-sort=\"{at}\"></td>\
                 <td>{n}</td><td></td></tr>\n"
            )
        })
        .collect();
    let page = site.join("edge.html");
    std::fs::write(&page, format!("{}{body}{}", &html[..start], &html[end..])).expect("write");
    let loaded = Loaded::new(
        &browser,
        &[
            file_url(&page, &[("sort", "activity")]),
            file_url(&page, &[("sort", "entries"), ("dir", "desc")]),
        ],
    );
    let order = |query: &[(&str, &str)]| ids(&index_rows(loaded.dom(&file_url(&page, query))));

    assert_eq!(order(&[("sort", "activity")]), ["d", "c", "b", "e", "a"]);
    assert_eq!(
        order(&[("sort", "entries"), ("dir", "desc")]),
        ["a", "e", "c", "b", "d"]
    );
}

// ---- Without JavaScript ----------------------------------------------------------------------

#[test]
#[cfg_attr(
    no_chromium,
    ignore = "needs Chromium: apt-get install chromium, or set CHROMIUM=/path/to/chrome"
)]
fn index_report_and_people_pages_are_complete_without_javascript() {
    let Some(browser) = chromium("index_report_and_people_pages_are_complete_without_javascript")
    else {
        return;
    };
    let scratch = Scratch::new("browser-nojs");
    let site = build_demo(&scratch);
    let reports = fixture_reports();

    // The index: every live report, with its link, status and title, in last-activity order;
    // the controls (useless without the script) stay hidden. The address asks for a filter, and
    // only the script could apply it (or unhide the controls): this also proves it did not run.
    let index = site.join("index.html");
    let dom = dump_dom_without_js(&browser, &file_url(&index, &[("status", "resolved")]));
    let rows = index_rows(&dom);
    let want: BTreeSet<String> = reports.iter().map(|r| r.id.clone()).collect();
    assert_eq!(rows.len(), reports.len());
    assert_eq!(
        visible(&rows),
        want,
        "rows hidden or missing without JavaScript"
    );
    for row in &rows {
        let fixture = reports.iter().find(|r| r.id == row.id).expect("in fixture");
        assert_eq!(row.status, fixture.status, "{}", row.id);
        assert_eq!(row.title, fixture.title, "{}", row.id);
        assert!(site.join(&row.href).is_file(), "{}", row.href);
    }
    let activity = column(&dom, "activity");
    let times: Vec<_> = rows.iter().map(|r| time(&r.sort[activity])).collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "not most recent activity first: {times:?}"
    );
    assert!(
        attr_of(&dom, "#controls", "hidden").is_some(),
        "controls shown without JavaScript"
    );
    assert!(attr_of(&dom, "#results", "hidden").is_some());
    assert_eq!(text_of(&dom, "#shown"), "");
    assert!(!script_srcs(&dom).iter().any(|s| s.contains("search-index")));
    let doc = Html::parse_document(&dom);
    let people: Vec<(String, String)> = doc
        .select(&sel("ul.people li"))
        .map(|li| {
            let a = li.select(&sel("a")).next().expect("person link");
            (a.value().attr("href").expect("href").to_string(), text(li))
        })
        .collect();
    assert!(!people.is_empty(), "no people listed on the index");

    // A report page: its title and every entry of the fixture, each at its anchor.
    let report = reports
        .iter()
        .max_by_key(|r| r.notes.len() + r.paths.len())
        .expect("a report");
    let artefacts: Vec<String> = fixture_rows(DEMO, "signals_signalreportartefact")
        .iter()
        .filter(|a| str_of(a, "report_id") == report.id)
        .map(|a| str_of(a, "id").to_string())
        .collect();
    let dom = dump_dom_without_js(
        &browser,
        &file_url(&site.join(format!("reports/{}.html", report.id)), &[]),
    );
    let doc = Html::parse_document(&dom);
    assert_eq!(
        doc.select(&sel("main h1")).next().map(text).as_deref(),
        Some(report.title.as_str())
    );
    for id in &artefacts {
        assert!(
            doc.select(&sel(&format!("main [id=\"a-{id}\"]")))
                .next()
                .is_some(),
            "entry {id} missing from {} without JavaScript",
            report.id
        );
    }

    // A people page: as many entries as the index credits to them, each linking to its anchor.
    let (href, line) = &people[0];
    let count: usize = line
        .rsplit(", ")
        .next()
        .and_then(|s| s.strip_suffix(" entries"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("entry count in {line:?}"));
    let dom = dump_dom_without_js(&browser, &file_url(&site.join(href), &[]));
    let doc = Html::parse_document(&dom);
    assert!(
        doc.select(&sel("main h1")).next().is_some(),
        "{href}: no heading"
    );
    let entries: Vec<String> = doc
        .select(&sel("main table.ledger tbody tr td:nth-child(2) a"))
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert_eq!(entries.len(), count, "{href}: {line}");
    assert!(
        entries.iter().all(|h| h.contains(".html#a-")),
        "{entries:?}"
    );
}

// ---- The index, used ---------------------------------------------------------------------------

/// A harness page that opens `index` in a frame, types `query` into the search, waits for the
/// results, then picks `status` in the filter, and writes what the frame shows at each step.
fn index_session(index: &Path, query: &str, status: &str) -> String {
    let url = url::Url::from_file_path(index).expect("absolute path");
    format!(
        r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>session</title></head><body>
<iframe id="f" src="{url}" style="width:1280px;height:900px"></iframe>
<script>
var f = document.getElementById("f"), steps = [];
function look(d, w) {{
  return {{
    note: d.getElementById("results-note").textContent,
    items: d.querySelectorAll("#result-list li").length,
    shown: d.getElementById("shown").textContent,
    rows: Array.prototype.filter.call(d.querySelectorAll("#reports tbody tr"), function (r) {{ return !r.hidden; }}).length,
    search: w.location.search
  }};
}}
f.onload = function () {{
  var w = f.contentWindow, d = f.contentDocument, q = d.getElementById("q");
  q.value = {query:?};
  q.dispatchEvent(new Event("input"));
  var wait = setInterval(function () {{
    if (!w.reportpressSearch) return;
    clearInterval(wait);
    steps.push(look(d, w));
    var s = d.getElementById("f-status");
    s.value = {status:?};
    s.dispatchEvent(new Event("change"));
    steps.push(look(d, w));
    var pre = document.createElement("pre");
    pre.id = "result";
    pre.textContent = JSON.stringify(steps);
    document.body.appendChild(pre);
  }}, 20);
}};
</script></body></html>"##
    )
}

#[test]
#[cfg_attr(
    no_chromium,
    ignore = "needs Chromium: apt-get install chromium, or set CHROMIUM=/path/to/chrome"
)]
fn search_says_when_results_pass_the_cap_and_the_address_keeps_the_view() {
    let Some(browser) =
        chromium("search_says_when_results_pass_the_cap_and_the_address_keeps_the_view")
    else {
        return;
    };
    let scratch = Scratch::new("browser-cap");
    let db = scratch.path("generated.sqlite");
    let db_s = db.display().to_string();
    let out = reportpress(&["demo", "--reports", "150", "--out", &db_s]);
    assert!(out.status.success(), "demo: {}", stderr(&out));
    let site = scratch.path("site");
    build(Some(&db_s), &site, &[]);
    let index = site.join("index.html");
    // The word most reports have somewhere search looks (titles, summaries, notes, paths).
    let rows = index_rows(&read(&index));
    let js = read(&site.join("assets/search-index.js"));
    let json = js
        .trim()
        .trim_start_matches("window.reportpressSearch = ")
        .trim_end_matches(';');
    let entries: Vec<serde_json::Value> = serde_json::from_str(json).expect("search index");
    let mut counts = BTreeMap::<String, usize>::new();
    for e in &entries {
        let mut all = format!(
            "{} {}",
            e["t"].as_str().unwrap_or(""),
            e["s"].as_str().unwrap_or("")
        );
        for list in ["n", "p"] {
            for item in e[list].as_array().into_iter().flatten() {
                all.push(' ');
                all.push_str(item[1].as_str().unwrap_or(""));
            }
        }
        let unique: BTreeSet<String> = words(&all).into_iter().collect();
        for w in unique {
            *counts.entry(w).or_default() += 1;
        }
    }
    let (word, titled) = counts
        .into_iter()
        .filter(|(_, n)| *n < rows.len())
        .max_by_key(|(w, n)| (*n, std::cmp::Reverse(w.clone())))
        .expect("a word");
    assert!(
        titled > 50,
        "no word in more than 50 of {} reports",
        rows.len()
    );
    // The status most reports have: it narrows the matches without emptying them.
    let mut statuses = BTreeMap::<String, usize>::new();
    for r in &rows {
        *statuses.entry(r.status.clone()).or_default() += 1;
    }
    let status = statuses
        .into_iter()
        .max_by_key(|(s, n)| (*n, std::cmp::Reverse(s.clone())))
        .map(|(s, _)| s)
        .expect("a status");

    let harness = site.join("session.html");
    std::fs::write(&harness, index_session(&index, &word, &status)).expect("harness");
    let profile = scratch.path("profile");
    let dom = chromium_dump(
        &browser,
        &file_url(&harness, &[]),
        &profile,
        &["--allow-file-access-from-files".to_string()],
    );
    let json = text_of(&dom, "pre#result");
    let steps: Vec<serde_json::Value> =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json:?}: {e}"));
    let at = |i: usize, k: &str| steps[i][k].clone();
    let total = rows.len();

    // Past the cap: 50 shown, and the note says how many matched.
    let matched = at(0, "rows").as_u64().expect("rows") as usize;
    assert_eq!(matched, titled, "{steps:?}");
    assert_eq!(at(0, "items"), 50, "{steps:?}");
    assert_eq!(
        at(0, "note"),
        format!("Showing 50 of {matched} matches — refine the search.").as_str()
    );
    assert_eq!(
        at(0, "shown"),
        format!("{matched} of {total} reports shown").as_str()
    );
    assert_eq!(at(0, "search"), format!("?q={word}").as_str());

    // A status filter narrows the search too, and the address says both.
    let narrowed = at(1, "rows").as_u64().expect("rows") as usize;
    assert!(narrowed > 0 && narrowed < matched, "{steps:?}");
    assert_eq!(
        at(1, "shown"),
        format!("{narrowed} of {total} reports shown").as_str()
    );
    assert_eq!(
        at(1, "items").as_u64(),
        Some(narrowed.min(50) as u64),
        "{steps:?}"
    );
    assert_eq!(
        at(1, "search"),
        format!("?status={status}&q={word}").as_str(),
        "{steps:?}"
    );
}
