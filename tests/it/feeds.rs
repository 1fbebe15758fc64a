//! The sitemap and the Atom feed (`--base-url`), rendered from the `.xml` templates and read
//! back with a strict XML parser: past its limit of URLs a file, `sitemap.xml` becomes an index
//! of parts that together name every URL once; below it, one file.

use std::collections::BTreeSet;

use reportpress::model::Timestamp;
use reportpress::render::IndexRow;
use reportpress::render::feeds::{SITEMAP_URLS, SitemapFile, sitemap, sitemap_files};

use crate::common::*;

/// A base URL XML must escape (`&`), as `--base-url` accepts it.
const BASE: &str = "https://r.example/a&b/";

fn row(n: u32, title: &str) -> IndexRow {
    IndexRow {
        id: uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + u128::from(n)),
        title: title.to_string(),
        status: "Ready".into(),
        status_code: "ready".into(),
        priority: None,
        actionability: None,
        repository: None,
        created: None,
        last_activity: Timestamp::parse(&format!("2026-10-{:02}T09:00:00Z", 1 + n % 28)),
        entries: 3,
        prs: Vec::new(),
    }
}

/// The `<loc>`s of a sitemap or sitemap index, checked to be well-formed XML with the expected
/// root element, and each `<url>`'s `<lastmod>` when it has one.
fn locs(xml: &str, root: &str) -> Vec<(String, Option<String>)> {
    let doc = roxmltree::Document::parse(xml)
        .unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{xml}"));
    assert_eq!(doc.root_element().tag_name().name(), root, "{xml}");
    assert_eq!(
        doc.root_element().tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    doc.root_element()
        .children()
        .filter(|n| n.is_element())
        .map(|entry| {
            let text = |name: &str| {
                entry
                    .children()
                    .find(|c| c.has_tag_name(name))
                    .and_then(|c| c.text())
                    .map(str::to_string)
            };
            (
                text("loc").expect("every entry has a <loc>"),
                text("lastmod"),
            )
        })
        .collect()
}

/// Every URL of the sitemap of `rows` and `others`, across all its files at `limit` URLs a file;
/// asserts the files' shape on the way.
fn all_urls(rows: &[IndexRow], others: &[String], limit: usize) -> Vec<(String, Option<String>)> {
    let files = sitemap_files(1 + rows.len() + others.len(), limit);
    let mut urls = Vec::new();
    for file in &files {
        let xml = sitemap(BASE, rows, others, *file, limit).expect("renders");
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            "{xml}"
        );
        assert!(xml.ends_with(">\n"), "{xml}");
        match file {
            SitemapFile::Whole => urls.extend(locs(&xml, "urlset")),
            SitemapFile::Index(parts) => {
                let listed: Vec<String> = locs(&xml, "sitemapindex")
                    .into_iter()
                    .map(|(loc, _)| loc)
                    .collect();
                let expected: Vec<String> = (1..=*parts)
                    .map(|n| format!("{BASE}sitemap-{n}.xml"))
                    .collect();
                assert_eq!(listed, expected, "the index lists every part, in order");
            }
            SitemapFile::Part(n) => {
                assert_eq!(file.path(), format!("sitemap-{n}.xml"));
                let part = locs(&xml, "urlset");
                assert!(
                    !part.is_empty() && part.len() <= limit,
                    "part {n}: {part:?}"
                );
                urls.extend(part);
            }
        }
    }
    urls
}

#[test]
fn a_sitemap_past_its_limit_is_an_index_whose_parts_name_every_url_once() {
    let rows: Vec<IndexRow> = (0..7).map(|n| row(n, &format!("report {n}"))).collect();
    let others: Vec<String> = ["people/user-1.html", "people/system.html", "tasks/t.html"]
        .map(String::from)
        .to_vec();
    // 1 index + 7 reports + 3 other pages = 11 URLs: 4 parts of at most 3.
    let files = sitemap_files(11, 3);
    assert_eq!(files[0], SitemapFile::Index(4));
    assert_eq!(files[0].path(), "sitemap.xml");
    assert_eq!(files.len(), 5);
    let split = all_urls(&rows, &others, 3);
    let whole = all_urls(&rows, &others, SITEMAP_URLS);
    assert_eq!(
        split, whole,
        "split or not, the same URLs in the same order"
    );
    let unique: BTreeSet<&String> = split.iter().map(|(loc, _)| loc).collect();
    assert_eq!(unique.len(), 11, "every URL once: {split:?}");
    assert_eq!(split[0], (format!("{BASE}index.html"), None));
    for (loc, lastmod) in &split[1..8] {
        assert!(loc.starts_with(&format!("{BASE}reports/")), "{loc}");
        assert!(
            lastmod.is_some(),
            "a report's URL carries its last activity"
        );
    }
    let tail: Vec<String> = others.iter().map(|p| format!("{BASE}{p}")).collect();
    let got: Vec<String> = split[8..].iter().map(|(loc, _)| loc.clone()).collect();
    assert_eq!(got, tail);
}

#[test]
fn a_sitemap_within_its_limit_is_one_file() {
    assert_eq!(sitemap_files(3, 3), [SitemapFile::Whole]);
    assert_eq!(
        sitemap_files(4, 3),
        [
            SitemapFile::Index(2),
            SitemapFile::Part(1),
            SitemapFile::Part(2)
        ]
    );
    assert_eq!(
        sitemap_files(SITEMAP_URLS, SITEMAP_URLS),
        [SitemapFile::Whole]
    );
    assert_eq!(sitemap_files(SITEMAP_URLS + 1, SITEMAP_URLS).len(), 3);
    let rows = [row(1, "one"), row(2, "two")];
    let urls = all_urls(&rows, &[], 3);
    assert_eq!(urls.len(), 3);
}

/// Every string a template writes goes through the XML escaper: a title with XML's syntax and
/// the control characters XML 1.0 forbids leaves the feed well-formed, and reads back as the
/// title with those characters replaced.
#[test]
fn the_feed_template_escapes_every_value() {
    let hostile = "<b>&amp;\"quoted\" 'it'\u{1}\u{1B}\u{FFFE}]]></title><x/>";
    let rows = [row(1, hostile), row(2, "plain")];
    let feed = reportpress::render::feeds::atom(BASE, &rows).expect("renders");
    let doc = roxmltree::Document::parse(&feed)
        .unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{feed}"));
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(|e| e.children().find(|c| c.has_tag_name("title"))?.text())
        .collect();
    assert!(
        titles.contains(&"<b>&amp;\"quoted\" 'it'\u{FFFD}\u{FFFD}\u{FFFD}]]></title><x/>"),
        "{titles:?}"
    );
    let links: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("link"))
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert!(links.contains(&BASE), "{links:?}");
    assert!(
        links.contains(&format!("{BASE}feed.xml").as_str()),
        "{links:?}"
    );
    assert!(feed.ends_with("</feed>\n"));
}

/// A build with `--base-url` writes `sitemap.xml` as one file (the demo is far below the
/// limit) and no parts.
#[test]
fn a_build_below_the_limit_writes_one_sitemap() {
    let scratch = Scratch::new("feeds-one-sitemap");
    let out = scratch.path("site");
    let result = build(None, &out, &["--base-url", BASE]);
    assert!(result.status.success(), "{}", stderr(&result));
    let xml = read(&out.join("sitemap.xml"));
    let urls = locs(&xml, "urlset");
    assert!(urls.len() > 16, "{}", urls.len());
    let parts: Vec<String> = names(&out)
        .into_iter()
        .filter(|n| n.starts_with("sitemap-"))
        .collect();
    assert!(parts.is_empty(), "{parts:?}");
}
