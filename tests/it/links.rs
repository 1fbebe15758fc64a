//! The link checker: every `href` and `src` of every HTML page of a built archive, every link
//! and image of every Markdown document, and every link the index script builds from the
//! search index must resolve — to a file inside the archive and, for a `#fragment`, to an
//! element with that `id` (`<a id>` anchors for Markdown documents). Links are resolved the
//! way a browser resolves them from `file://` (WHATWG URL joining against the page's own URL).
//! External links are not followed, but must be well-formed `http(s)` or `mailto` URLs.
//!
//! Checked on the demo, on a demo multiplied twenty times (≈300 reports, built with two
//! workers), on the semantics fixture (with and without deleted reports) and on the hostile
//! fixture.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::common::*;
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};
use scraper::{Html, Selector};
use url::Url;

const SEMANTICS: &str = include_str!("../fixtures/semantics.toml");
const HOSTILE: &str = include_str!("../fixtures/hostile.toml");

/// What one archive's check found.
#[derive(Default)]
struct Report {
    html_pages: usize,
    md_pages: usize,
    /// Links to files of the archive (with or without a fragment).
    local: usize,
    /// Of those, links with a fragment.
    fragments: usize,
    external: usize,
    /// Links built by the index script from `assets/search-index.js`.
    search: usize,
    broken: Vec<String>,
}

impl Report {
    fn summary(&self, name: &str) -> String {
        format!(
            "{name}: {} HTML pages, {} Markdown documents; {} local links ({} with a fragment), \
             {} search-result links, {} external links; {} broken",
            self.html_pages,
            self.md_pages,
            self.local,
            self.fragments,
            self.search,
            self.external,
            self.broken.len()
        )
    }
}

/// The ids a target page offers to fragments: `id` attributes of an HTML page, `id`s of the
/// raw HTML (`<a id>` anchors) of a Markdown document.
#[derive(Default)]
struct Targets {
    ids: HashMap<PathBuf, BTreeSet<String>>,
}

impl Targets {
    fn ids(&mut self, path: &Path) -> &BTreeSet<String> {
        self.ids.entry(path.to_path_buf()).or_insert_with(|| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            match path.extension().and_then(|e| e.to_str()) {
                Some("html") => html_ids(&Html::parse_document(&text)),
                Some("md") => markdown(&text).ids,
                _ => BTreeSet::new(),
            }
        })
    }
}

fn html_ids(doc: &Html) -> BTreeSet<String> {
    let any_id = Selector::parse("[id]").expect("selector");
    doc.select(&any_id)
        .filter_map(|e| e.value().attr("id"))
        .map(str::to_string)
        .collect()
}

/// Duplicate `id`s of an HTML page: a fragment to one of them is ambiguous.
fn duplicate_ids(doc: &Html) -> Vec<String> {
    let any_id = Selector::parse("[id]").expect("selector");
    let mut seen = BTreeMap::<&str, usize>::new();
    for e in doc.select(&any_id) {
        *seen
            .entry(e.value().attr("id").unwrap_or_default())
            .or_default() += 1;
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(id, n)| format!("{id} ×{n}"))
        .collect()
}

/// A Markdown document's links (and images) and the ids of its raw HTML, as GitHub-flavoured
/// Markdown reads it.
#[derive(Default)]
struct MarkdownRefs {
    /// (link type, destination)
    links: Vec<(LinkType, String)>,
    ids: BTreeSet<String>,
    /// `href`/`src` of raw HTML.
    html_refs: Vec<String>,
}

fn markdown(text: &str) -> MarkdownRefs {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    options.insert(Options::ENABLE_GFM);
    let mut out = MarkdownRefs::default();
    let any = Selector::parse("[id], [href], [src]").expect("selector");
    for event in Parser::new_ext(text, options) {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) => out.links.push((link_type, dest_url.to_string())),
            Event::Html(html) | Event::InlineHtml(html) => {
                let fragment = Html::parse_fragment(&html);
                for e in fragment.select(&any) {
                    if let Some(id) = e.value().attr("id") {
                        out.ids.insert(id.to_string());
                    }
                    for attr in ["href", "src"] {
                        if let Some(url) = e.value().attr(attr) {
                            out.html_refs.push(url.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

struct Checker {
    root: PathBuf,
    targets: Targets,
    report: Report,
}

impl Checker {
    fn new(root: &Path) -> Checker {
        Checker {
            root: root.canonicalize().expect("archive root"),
            targets: Targets::default(),
            report: Report::default(),
        }
    }

    fn broken(&mut self, page: &str, url: &str, why: impl std::fmt::Display) {
        self.report.broken.push(format!("{page}: {url:?}: {why}"));
    }

    /// An absolute link: not followed, but it must be a well-formed web or mail link.
    fn external(&mut self, page: &str, raw: &str, url: &Url) {
        self.report.external += 1;
        if raw != raw.trim() || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return self.broken(page, raw, "whitespace in an external URL");
        }
        match url.scheme() {
            "http" | "https" => {
                if url.host_str().is_none_or(str::is_empty) {
                    self.broken(page, raw, "web link without a host");
                }
            }
            "mailto" => {
                if url.path().trim().is_empty() {
                    self.broken(page, raw, "mailto link without an address");
                }
            }
            other => self.broken(page, raw, format!("scheme {other:?} is not a link we make")),
        }
    }

    /// Checks one link of the page at `page` (relative to the root).
    fn link(&mut self, page: &str, raw: &str) {
        if raw.trim().is_empty() {
            return self.broken(page, raw, "empty link");
        }
        match Url::parse(raw) {
            Ok(url) => return self.external(page, raw, &url),
            Err(url::ParseError::RelativeUrlWithoutBase) => {}
            Err(e) => return self.broken(page, raw, format!("not a URL: {e}")),
        }
        if raw.starts_with("//") {
            return self.broken(page, raw, "scheme-relative link (leaves the archive)");
        }
        let base = Url::from_file_path(self.root.join(page)).expect("page URL");
        let url = match base.join(raw) {
            Ok(url) => url,
            Err(e) => return self.broken(page, raw, format!("does not resolve: {e}")),
        };
        self.report.local += 1;
        if url.query().is_some() {
            return self.broken(page, raw, "query string on a link to a file");
        }
        let Ok(target) = url.to_file_path() else {
            return self.broken(page, raw, "not a file path");
        };
        let Ok(inside) = target.strip_prefix(&self.root) else {
            return self.broken(page, raw, "leaves the archive");
        };
        if inside.as_os_str().is_empty() || !target.is_file() {
            return self.broken(page, raw, format!("no file {}", inside.display()));
        }
        if let Some(fragment) = url.fragment() {
            self.report.fragments += 1;
            let fragment = percent_decode(fragment);
            let ext = target.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(ext, "html" | "md") {
                return self.broken(page, raw, "fragment into a file that is not a page");
            }
            if !self.targets.ids(&target).contains(&fragment) {
                self.broken(
                    page,
                    raw,
                    format!("{} has no element with id {fragment:?}", inside.display()),
                );
            }
        }
    }

    fn html_page(&mut self, page: &str, text: &str) {
        self.report.html_pages += 1;
        let doc = Html::parse_document(text);
        let base = Selector::parse("base").expect("selector");
        if doc.select(&base).next().is_some() {
            self.broken(
                page,
                "<base>",
                "a <base> element changes how every link resolves",
            );
        }
        let dups = duplicate_ids(&doc);
        if !dups.is_empty() {
            self.broken(page, "#", format!("duplicate ids: {}", dups.join(", ")));
        }
        let refs = Selector::parse("[href], [src], [data-index]").expect("selector");
        let urls: Vec<String> = doc
            .select(&refs)
            .flat_map(|e| {
                ["href", "src", "data-index"]
                    .into_iter()
                    .filter_map(|a| e.value().attr(a).map(str::to_string))
                    .collect::<Vec<_>>()
            })
            .collect();
        for url in urls {
            self.link(page, &url);
        }
        // The page's own ids, kept for fragments into it.
        self.targets
            .ids
            .insert(self.root.join(page), html_ids(&doc));
    }

    fn markdown_page(&mut self, page: &str, text: &str) {
        self.report.md_pages += 1;
        let refs = markdown(text);
        for (kind, url) in &refs.links {
            match kind {
                // `<someone@example.com>`: pulldown-cmark gives the address without `mailto:`.
                LinkType::Email => {
                    let mailto = format!("mailto:{url}");
                    match Url::parse(&mailto) {
                        Ok(u) => self.external(page, &mailto, &u),
                        Err(e) => self.broken(page, url, format!("not an address: {e}")),
                    }
                }
                _ => self.link(page, url),
            }
        }
        for url in &refs.html_refs {
            self.link(page, url);
        }
        self.targets.ids.insert(self.root.join(page), refs.ids);
    }

    /// The links the index script builds from the search index: `u` (a report, from the
    /// index) and `u#a-<entry>` for notes and file paths.
    fn search_index(&mut self) {
        let path = self.root.join("assets/search-index.js");
        let Ok(script) = std::fs::read_to_string(&path) else {
            return self.broken("assets/search-index.js", "", "missing");
        };
        let json = script
            .trim()
            .trim_start_matches("window.reportpressSearch =")
            .trim_end_matches(';');
        let entries: Vec<serde_json::Value> =
            serde_json::from_str(json.trim()).expect("the search index is JSON");
        for entry in entries {
            let u = entry["u"].as_str().unwrap_or_default().to_string();
            self.report.search += 1;
            self.link("index.html", &u);
            for field in ["n", "p"] {
                for hit in entry[field].as_array().into_iter().flatten() {
                    let id = hit[0].as_str().unwrap_or_default();
                    self.report.search += 1;
                    self.link("index.html", &format!("{u}#a-{id}"));
                }
            }
        }
    }

    fn run(mut self) -> Report {
        let files = tree(&self.root);
        assert!(files.contains_key("index.html"), "no index.html");
        for (page, bytes) in &files {
            let text = String::from_utf8_lossy(bytes);
            if page.ends_with(".html") {
                self.html_page(page, &text);
            } else if page.ends_with(".md") {
                self.markdown_page(page, &text);
            }
        }
        self.search_index();
        self.report
    }
}

/// Checks the archive at `out`; fails with every broken link.
fn check(name: &str, out: &Path) -> Report {
    let report = Checker::new(out).run();
    eprintln!("{}", report.summary(name));
    assert!(
        report.broken.is_empty(),
        "{}:\n{}",
        report.summary(name),
        report.broken.join("\n")
    );
    report
}

fn build_fixture(tag: &str, fixture: &str, extra: &[&str]) -> (Scratch, PathBuf) {
    let scratch = Scratch::new(tag);
    let db = sqlite_archive(&scratch.path("a.sqlite"), fixture);
    let out = scratch.path("out");
    build(Some(&db), &out, extra);
    (scratch, out)
}

#[test]
fn demo_archive_has_no_broken_link() {
    let scratch = Scratch::new("links-demo");
    let out = scratch.path("out");
    build(None, &out, &[]);
    let report = check("demo", &out);
    // Every kind of page was walked, and the fragments were exercised.
    let files = tree(&out);
    let count = |prefix: &str, ext: &str| {
        files
            .keys()
            .filter(|f| f.starts_with(prefix) && f.ends_with(ext))
            .count()
    };
    assert!(count("people/", ".html") > 0 && count("tasks/", ".html") > 0);
    assert_eq!(
        report.html_pages,
        count("", ".html"),
        "every HTML page was checked"
    );
    assert_eq!(report.md_pages, count("", ".md"));
    assert!(report.fragments > 500, "{}", report.fragments);
    assert!(report.external > 0);
}

#[test]
fn multiplied_demo_archive_has_no_broken_link() {
    let fixture = multiply_fixture(DEMO, 20);
    let reports = fixture_rows(&fixture, "signals_signalreport").len();
    assert_eq!(
        reports,
        20 * fixture_rows(DEMO, "signals_signalreport").len()
    );
    let (_scratch, out) = build_fixture("links-many", &fixture, &["--jobs", "2"]);
    let report = check("demo × 20", &out);
    let files = tree(&out);
    let pages = files
        .keys()
        .filter(|f| f.starts_with("reports/") && f.ends_with(".html"))
        .count();
    // Every copy's non-deleted reports are there, each under its own id.
    assert_eq!(
        pages,
        20 * (fixture_rows(DEMO, "signals_signalreport").len() - 1)
    );
    assert!(report.html_pages > pages);
    // References stayed within their copy: each copy links what the demo links, and shows
    // as missing only what the demo shows as missing.
    let missing = |files: &BTreeMap<String, Vec<u8>>| {
        files
            .values()
            .map(|b| {
                String::from_utf8_lossy(b)
                    .matches(r#"class="missing""#)
                    .count()
            })
            .sum::<usize>()
    };
    let demo = Scratch::new("links-demo-once");
    build(None, &demo.path("out"), &[]);
    let once = missing(&tree(&demo.path("out")));
    assert!(once > 0);
    assert_eq!(missing(&files), 20 * once);
}

#[test]
fn multiplied_fixtures_are_deterministic_and_keep_shared_rows_once() {
    let twice = multiply_fixture(DEMO, 2);
    assert_eq!(twice, multiply_fixture(DEMO, 2), "deterministic");
    let once = fixture_rows(DEMO, "signals_signalreportartefact");
    let rows = fixture_rows(&twice, "signals_signalreportartefact");
    assert_eq!(rows.len(), 2 * once.len());
    let ids: BTreeSet<&str> = rows.iter().map(|r| str_of(r, "id")).collect();
    assert_eq!(ids.len(), rows.len(), "every copy has its own ids");
    assert!(once.iter().all(|r| !ids.contains(str_of(r, "id"))));
    for table in ["posthog_team", "posthog_user"] {
        assert_eq!(fixture_rows(&twice, table), fixture_rows(DEMO, table));
    }
    // A copy's content names that copy's rows: uuid v5 of the original and the copy number.
    let task = "e4e616ce-fd11-4796-b67c-8fdd7fb47aa4";
    let copy1 = uuid::Uuid::new_v5(&uuid::Uuid::parse_str(task).unwrap(), b"1").to_string();
    assert!(
        fixture_rows(&twice, "posthog_task")
            .iter()
            .any(|t| str_of(t, "id") == copy1)
    );
    assert!(
        rows.iter().any(|r| {
            str_of(r, "task_id") == copy1 && str_of(r, "content_raw").contains(&copy1)
        })
    );
    // Users stay shared, and so does a reviewer's user_uuid.
    assert!(twice.contains("01a05c02-74e0-7d09-8772-f1df7ad8250a"));
    let reviewer = |rows: &[toml::Table]| {
        rows.iter()
            .map(|r| {
                str_of(r, "content_raw")
                    .matches(r#""user_uuid":"01a05c02-74e0-7d09-8772-f1df7ad8250a""#)
                    .count()
            })
            .sum::<usize>()
    };
    assert!(reviewer(&once) > 0);
    assert_eq!(reviewer(&rows), 2 * reviewer(&once));
}

#[test]
fn semantics_archive_has_no_broken_link() {
    let (_scratch, out) = build_fixture("links-semantics", SEMANTICS, &["--team", "1"]);
    check("semantics", &out);
    let (_scratch, out) = build_fixture(
        "links-semantics-deleted",
        SEMANTICS,
        &["--team", "1", "--include-deleted"],
    );
    check("semantics --include-deleted", &out);
}

#[test]
fn hostile_archive_has_no_broken_link() {
    let (_scratch, out) = build_fixture("links-hostile", HOSTILE, &["--team", "1"]);
    check("hostile", &out);
}

/// With `--base-url` the pages stay relative (and pass the same check), the sitemap names
/// every HTML page once, and every link of the Atom feed is a page of the archive.
#[test]
fn published_archive_links_resolve_under_the_base_url() {
    const BASE: &str = "https://example.com/signals/archive/";
    let scratch = Scratch::new("links-published");
    let out = scratch.path("out");
    build(None, &out, &["--base-url", BASE.trim_end_matches('/')]);
    check("demo --base-url", &out);
    let files = tree(&out);
    let under_base = |url: &str| -> String {
        let url = url.replace("&amp;", "&");
        let path = url
            .strip_prefix(BASE)
            .unwrap_or_else(|| panic!("{url} is not under {BASE}"));
        let file = if path.is_empty() { "index.html" } else { path };
        assert!(files.contains_key(file), "{url}: no file {file}");
        file.to_string()
    };
    let values = |text: &str, open: &str, close: &str| -> Vec<String> {
        text.split(open)
            .skip(1)
            .filter_map(|rest| rest.split_once(close).map(|(v, _)| v.to_string()))
            .collect()
    };
    let sitemap = read(&out.join("sitemap.xml"));
    let locs: Vec<String> = values(&sitemap, "<loc>", "</loc>")
        .iter()
        .map(|u| under_base(u))
        .collect();
    let unique: BTreeSet<&String> = locs.iter().collect();
    assert_eq!(unique.len(), locs.len(), "the sitemap names each page once");
    let pages: BTreeSet<&String> = files.keys().filter(|f| f.ends_with(".html")).collect();
    assert_eq!(unique, pages, "the sitemap names every HTML page");
    let feed = read(&out.join("feed.xml"));
    let links = values(&feed, "href=\"", "\"");
    assert!(links.len() > 2, "{feed}");
    for link in links {
        under_base(&link);
    }
    eprintln!(
        "demo --base-url: {} sitemap URLs and the feed's links resolve",
        locs.len()
    );
}

/// The checker itself finds what it must: a missing file, a missing fragment, a link out of
/// the archive, a query string, an unexpected scheme and a malformed web link.
#[test]
fn the_checker_finds_broken_links() {
    let scratch = Scratch::new("links-self");
    let root = scratch.path("site");
    std::fs::create_dir_all(root.join("reports")).unwrap();
    std::fs::write(
        root.join("index.html"),
        r##"<!DOCTYPE html><html><head><title>t</title></head><body id="top">
<a href="reports/a.html#here">ok</a> <a href="reports/a.md#a-1">ok</a> <a href="#top">ok</a>
<a href="reports/b.html">missing file</a> <a href="reports/a.html#nowhere">missing id</a>
<a href="../outside.html">outside</a> <a href="reports/a.html?x=1">query</a>
<a href="javascript:alert(1)">script</a> <a href="https://">no host</a>
<a href="reports/">folder</a> <a href="">empty</a> <img src="assets/x.png">
</body></html>"##,
    )
    .unwrap();
    std::fs::write(
        root.join("reports/a.html"),
        r#"<!DOCTYPE html><html><head><title>a</title></head><body><p id="here">x</p><a href="../index.html#top">up</a></body></html>"#,
    )
    .unwrap();
    std::fs::write(
        root.join("reports/a.md"),
        "<a id=\"a-1\"></a>\n# A\n\n[up](../index.html) [self](#a-1) [gone](#a-2) [web](<https://example.com/x y>)\n",
    )
    .unwrap();
    std::fs::write(scratch.path("outside.html"), "").unwrap();
    let report = Checker::new(&root).run();
    let broken = report.broken.join("\n");
    for expected in [
        "reports/b.html",
        "#nowhere",
        "../outside.html",
        "?x=1",
        "javascript:",
        "\"https://\"",
        "\"reports/\"",
        "\"\"",
        "assets/x.png",
        "#a-2",
        "x y",
        "assets/search-index.js",
    ] {
        assert!(
            broken.contains(expected),
            "{expected} not reported:\n{broken}"
        );
    }
    assert_eq!(report.broken.len(), 12, "{broken}");
}
