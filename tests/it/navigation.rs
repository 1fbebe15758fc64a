//! Older/newer links at the foot of every report page, HTML and Markdown:
//!
//! - the reports in creation order (`created_at`, then id): the oldest links only to a newer
//!   report, the newest only to an older one, every other to both; every link resolves, and
//!   walking "newer" from the oldest (or "older" from the newest) visits every report once, in
//!   that order — in the HTML pages and in the Markdown documents alike;
//! - an export (HTML, Markdown, PR comment; with and without `--base-url`) has no such links;
//! - a neighbour's hostile title is shown as text: no element, attribute or link of its own in
//!   HTML, no link, emphasis or raw HTML in Markdown (read by comrak, as GitHub reads it);
//! - incremental builds: a report added between two others, or a retitled one, renders its
//!   neighbours again and the result is byte for byte a full build's; a no-op rebuild renders
//!   nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common::*;
use comrak::nodes::{AstNode, NodeValue};
use reportpress::model::Timestamp;
use scraper::{Html, Selector};

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("selector")
}

/// The live reports of `fixture` in creation order: (id, title).
fn creation_order(fixture: &str) -> Vec<(String, String)> {
    let mut reports: Vec<(Option<Timestamp>, String, String)> =
        fixture_rows(fixture, "signals_signalreport")
            .iter()
            .filter(|r| str_of(r, "status") != "deleted")
            .map(|r| {
                (
                    Timestamp::parse(str_of(r, "created_at")),
                    str_of(r, "id").to_string(),
                    str_of(r, "title").to_string(),
                )
            })
            .collect();
    reports.sort();
    reports
        .into_iter()
        .map(|(_, id, title)| (id, title))
        .collect()
}

/// The id of a report page's file (`reports/<id>.html` → `<id>`).
fn id_of(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .expect("a report file")
        .to_string()
}

/// A link of a report page resolved against the page's folder: the file must be there.
fn resolve(page: &Path, href: &str) -> PathBuf {
    assert!(
        !href.contains(':') && !href.starts_with('/') && !href.contains('#'),
        "{}: {href} is not a relative link to a page",
        page.display()
    );
    let target = page.parent().expect("folder").join(href);
    assert!(target.is_file(), "{}: {href} leads nowhere", page.display());
    target
}

/// One side of a report's older/newer links: the target file and the text shown.
#[derive(Debug)]
struct Side {
    target: PathBuf,
    text: String,
}

/// A page's older and newer links.
#[derive(Debug, Default)]
struct Neighbours {
    older: Option<Side>,
    newer: Option<Side>,
}

/// The older/newer links of an HTML report page, checked: one `nav.prevnext` at most, inside
/// `main`, its links `rel=prev` / `rel=next` with the full title in `title=`.
fn html_neighbours(page: &Path) -> Neighbours {
    let doc = Html::parse_document(&read(page));
    let navs: Vec<_> = doc.select(&sel("nav.prevnext")).collect();
    assert!(navs.len() <= 1, "{}: {} navs", page.display(), navs.len());
    assert_eq!(
        doc.select(&sel("main nav.prevnext")).count(),
        navs.len(),
        "{}: the links are in main",
        page.display()
    );
    let mut found = Neighbours::default();
    let Some(nav) = navs.first() else {
        return found;
    };
    assert_eq!(
        nav.value().attr("aria-label"),
        Some("Previous and next report")
    );
    assert_eq!(
        doc.select(&sel("a[rel~=prev], a[rel~=next]")).count(),
        nav.select(&sel("a")).count(),
        "{}: every link of the nav is prev or next, and no other is",
        page.display()
    );
    for (rel, slot) in [("prev", &mut found.older), ("next", &mut found.newer)] {
        let links: Vec<_> = nav.select(&sel(&format!("a[rel={rel}]"))).collect();
        assert!(
            links.len() <= 1,
            "{}: {} {rel} links",
            page.display(),
            links.len()
        );
        if let Some(a) = links.first() {
            let href = a.value().attr("href").expect("href");
            let text: String = a.text().collect();
            let title = a.value().attr("title").expect("a title attribute");
            let shown: String = a
                .select(&sel(".t"))
                .next()
                .expect("the title's span")
                .text()
                .collect();
            assert_eq!(
                shown,
                title,
                "{}: the whole title, in title=",
                page.display()
            );
            *slot = Some(Side {
                target: resolve(page, href),
                text,
            });
        }
    }
    found
}

/// A Markdown link: its destination and its text.
#[derive(Debug)]
struct MdLink {
    url: String,
    text: String,
}

fn node_text<'a>(node: &'a AstNode<'a>) -> String {
    let mut out = String::new();
    for n in node.descendants() {
        match &n.data.borrow().value {
            NodeValue::Text(t) => out.push_str(t),
            NodeValue::Code(c) => out.push_str(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => out.push(' '),
            _ => {}
        }
    }
    out
}

/// What comrak reads in the last paragraph of a Markdown document: its text, its links, and
/// the names of any other inline nodes (emphasis, raw HTML, …) in it.
struct LastParagraph {
    text: String,
    links: Vec<MdLink>,
    other: Vec<String>,
}

fn last_paragraph(markdown: &str) -> Option<LastParagraph> {
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, markdown, &gfm_options());
    let last = root.children().last()?;
    if !matches!(last.data.borrow().value, NodeValue::Paragraph) {
        return None;
    }
    let mut links = Vec::new();
    let mut other = Vec::new();
    for n in last.descendants().skip(1) {
        match &n.data.borrow().value {
            NodeValue::Link(link) => links.push(MdLink {
                url: link.url.clone(),
                text: node_text(n),
            }),
            NodeValue::Text(_) => {}
            value => other.push(format!("{value:?}")),
        }
    }
    Some(LastParagraph {
        text: node_text(last),
        links,
        other,
    })
}

/// The older/newer links at the end of a Markdown report document: a last paragraph
/// `← Older: [title](…) · Newer: [title](…) →` (either side alone at the ends), after a rule.
fn md_neighbours(page: &Path) -> Neighbours {
    let markdown = read(page);
    let mut found = Neighbours::default();
    let Some(last) = last_paragraph(&markdown) else {
        return found;
    };
    let older_first = last.text.starts_with("← Older: ");
    if !older_first && !last.text.starts_with("Newer: ") {
        return found;
    }
    assert!(
        markdown.contains("\n\n---\n\n"),
        "{}: a rule above the links",
        page.display()
    );
    assert!(
        last.other.is_empty(),
        "{}: nothing but text and links in {:?}: {:?}",
        page.display(),
        last.text,
        last.other
    );
    let newer_last = last.text.ends_with(" →");
    assert_eq!(
        last.links.len(),
        usize::from(older_first) + usize::from(newer_last),
        "{}: {:?}",
        page.display(),
        last.text
    );
    let mut links = last.links.into_iter();
    let mut side = |link: MdLink| Side {
        target: resolve(page, &link.url),
        text: link.text,
    };
    if older_first {
        found.older = links.next().map(&mut side);
    }
    if newer_last {
        found.newer = links.next().map(&mut side);
    }
    found
}

/// Checks every report page of `out` in `ext` against the creation order of `expected`:
/// the ends link one way, the others both, each link to the neighbour with its title; then
/// walks the links both ways.
fn check_order(out: &Path, ext: &str, expected: &[(String, String)]) {
    let reports = out.join("reports");
    let pages: BTreeMap<String, Neighbours> = std::fs::read_dir(&reports)
        .expect("reports folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .map(|p| {
            let links = if ext == "html" {
                html_neighbours(&p)
            } else {
                md_neighbours(&p)
            };
            (id_of(&p), links)
        })
        .collect();
    let ids: BTreeSet<&str> = expected.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        pages.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        ids,
        "{ext}: one page per report"
    );
    assert!(expected.len() >= 3, "a first, a middle and a last report");
    let titles: BTreeMap<&str, &str> = expected
        .iter()
        .map(|(id, title)| (id.as_str(), title.as_str()))
        .collect();
    for (i, (id, _)) in expected.iter().enumerate() {
        let links = &pages[id];
        let at = format!("{ext} page of {id} ({} of {})", i + 1, expected.len());
        assert_eq!(links.older.is_some(), i > 0, "{at}: older link");
        assert_eq!(
            links.newer.is_some(),
            i + 1 < expected.len(),
            "{at}: newer link"
        );
        for (side, want, word) in [
            (&links.older, i.checked_sub(1), "Older"),
            (&links.newer, Some(i + 1), "Newer"),
        ] {
            let (Some(side), Some(want)) = (side, want) else {
                continue;
            };
            let want_id = expected[want].0.as_str();
            assert_eq!(id_of(&side.target), want_id, "{at}: {word} link target");
            assert!(
                side.text.contains(titles[want_id]),
                "{at}: {word} link says {:?}, not the title {:?}",
                side.text,
                titles[want_id]
            );
            if ext == "html" {
                assert!(
                    side.text.contains(&format!("{word}: ")),
                    "{at}: {:?}",
                    side.text
                );
            }
        }
    }
    // Walking the links visits every report once, in creation order, both ways.
    let walk = |start: &str, next: &dyn Fn(&Neighbours) -> Option<&Side>| {
        let mut seen = vec![start.to_string()];
        let mut at = start.to_string();
        while let Some(side) = next(&pages[&at]) {
            at = id_of(&side.target);
            assert!(!seen.contains(&at), "{ext}: {at} visited twice: {seen:?}");
            seen.push(at.clone());
        }
        seen
    };
    let order: Vec<String> = expected.iter().map(|(id, _)| id.clone()).collect();
    let forward = walk(&order[0], &|n| n.newer.as_ref());
    assert_eq!(forward, order, "{ext}: newer from the oldest");
    let mut backward = walk(order.last().expect("a report"), &|n| n.older.as_ref());
    backward.reverse();
    assert_eq!(backward, order, "{ext}: older from the newest");
}

#[test]
fn every_report_links_its_older_and_newer_neighbours_in_creation_order() {
    let scratch = Scratch::new("prevnext");
    let out = scratch.path("out");
    build(None, &out, &[]);
    let expected = creation_order(DEMO);
    check_order(&out, "html", &expected);
    check_order(&out, "md", &expected);

    // Reports without a readable creation time come first, ties go by id, and a deleted report
    // shown with --include-deleted takes its place in the order.
    let path = scratch.path("a.sqlite");
    let db = sqlite_archive(&path, DEMO);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let first = &expected[0].0;
    let last = &expected[expected.len() - 1].0;
    execute(
        &url,
        &format!(
            "UPDATE signals_signalreport SET created_at = '' WHERE id = '{last}'; \
             UPDATE signals_signalreport SET created_at = 'not a time' \
               WHERE id = '019a0000-0000-7000-8000-000000000011'; \
             UPDATE signals_signalreport SET created_at = \
               (SELECT created_at FROM signals_signalreport WHERE id = '{first}') \
               WHERE id = '019a0000-0000-7000-8000-000000000012';"
        ),
    );
    let out = scratch.path("edited");
    build(Some(&db), &out, &["--include-deleted"]);
    let mut reports: Vec<(Option<Timestamp>, String, String)> =
        fixture_rows(DEMO, "signals_signalreport")
            .iter()
            .map(|r| {
                let id = str_of(r, "id").to_string();
                let created = match id.as_str() {
                    i if i == last || i == "019a0000-0000-7000-8000-000000000011" => None,
                    "019a0000-0000-7000-8000-000000000012" => {
                        Timestamp::parse(&expected_created(first))
                    }
                    _ => Timestamp::parse(str_of(r, "created_at")),
                };
                (created, id, str_of(r, "title").to_string())
            })
            .collect();
    reports.sort();
    let order: Vec<(String, String)> = reports
        .into_iter()
        .map(|(_, id, title)| (id, title))
        .collect();
    // The two without a time first (by id), then the oldest and the one given its time.
    assert_eq!(order[0].0, "019a0000-0000-7000-8000-000000000011");
    assert_eq!(order[1].0, *last);
    let tied: BTreeSet<&str> = [order[2].0.as_str(), order[3].0.as_str()].into();
    assert_eq!(
        tied,
        [first.as_str(), "019a0000-0000-7000-8000-000000000012"].into()
    );
    check_order(&out, "html", &order);
    check_order(&out, "md", &order);
}

/// The demo's `created_at` of report `id`.
fn expected_created(id: &str) -> String {
    fixture_rows(DEMO, "signals_signalreport")
        .iter()
        .find(|r| str_of(r, "id") == id)
        .map(|r| str_of(r, "created_at").to_string())
        .expect("the report")
}

#[test]
fn exports_have_no_older_or_newer_links() {
    let order = creation_order(DEMO);
    let middle = &order[order.len() / 2].0;
    for base in [None, Some("https://reports.example.com/signals/")] {
        for format in ["html", "md", "pr"] {
            let mut args = vec!["export", middle.as_str(), "--format", format];
            if let Some(base) = base {
                args.extend(["--base-url", base]);
            }
            let out = reportpress(&args);
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
            let text = String::from_utf8(out.stdout).expect("UTF-8");
            let at = format!("export {format} (base URL {base:?})");
            for neighbour in [&order[order.len() / 2 - 1].0, &order[order.len() / 2 + 1].0] {
                assert!(
                    !text.contains(neighbour.as_str()),
                    "{at}: links {neighbour}"
                );
            }
            assert!(!text.contains("Older:"), "{at}");
            assert!(!text.contains("Newer:"), "{at}");
            if format == "html" {
                let doc = Html::parse_document(&text);
                assert_eq!(doc.select(&sel("nav.prevnext")).count(), 0, "{at}");
                assert_eq!(
                    doc.select(&sel("[rel~=prev], [rel~=next]")).count(),
                    0,
                    "{at}"
                );
            }
        }
    }
}

const SCRIPT_TITLE: &str = "<script>alert(1)</script>";
const MARKDOWN_TITLE: &str = "[x](javascript:alert(1)) *emph* | pipe";

#[test]
fn a_neighbours_hostile_title_is_shown_as_text() {
    let scratch = Scratch::new("prevnext-hostile");
    let path = scratch.path("a.sqlite");
    let db = sqlite_archive(&path, DEMO);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let order = creation_order(DEMO);
    let k = order.len() / 2;
    let (older, middle, newer) = (&order[k - 1].0, &order[k].0, &order[k + 1].0);
    let set_title = |id: &str, title: &str| {
        execute(
            &url,
            &format!(
                "UPDATE signals_signalreport SET title = '{}' WHERE id = '{id}'",
                title.replace('\'', "''")
            ),
        )
    };
    set_title(older, SCRIPT_TITLE);
    set_title(newer, MARKDOWN_TITLE);
    let out = scratch.path("out");
    build(Some(&db), &out, &[]);

    // HTML: no script anywhere, the titles as text and in title=.
    let page = out.join(format!("reports/{middle}.html"));
    let html = read(&page);
    let doc = Html::parse_document(&html);
    assert_eq!(doc.select(&sel("script")).count(), 0, "no script element");
    assert!(!html.contains(SCRIPT_TITLE), "the title is escaped");
    let nav = doc.select(&sel("nav.prevnext")).next().expect("the nav");
    for (rel, title) in [("prev", SCRIPT_TITLE), ("next", MARKDOWN_TITLE)] {
        let links: Vec<_> = nav.select(&sel(&format!("a[rel={rel}]"))).collect();
        assert_eq!(links.len(), 1, "{rel}");
        let a = links[0];
        assert_eq!(a.value().attr("title"), Some(title), "{rel}");
        assert_eq!(a.children().filter(|c| c.value().is_element()).count(), 3);
        let shown: String = a.select(&sel(".t")).next().expect("title").text().collect();
        assert_eq!(shown, title, "{rel}");
        assert_eq!(a.select(&sel("a, script, [href], [onclick]")).count(), 0);
        let href = a.value().attr("href").expect("href");
        assert!(!href.contains("javascript"), "{rel}: {href}");
    }
    let neighbours = html_neighbours(&page);
    assert_eq!(id_of(&neighbours.older.expect("older").target), *older);
    assert_eq!(id_of(&neighbours.newer.expect("newer").target), *newer);

    // Markdown: the last paragraph is two links to the neighbours, titles as plain text, no
    // emphasis, raw HTML or javascript: link.
    let md_path = out.join(format!("reports/{middle}.md"));
    let md = read(&md_path);
    let last = last_paragraph(&md).expect("a last paragraph");
    assert!(
        last.other.is_empty(),
        "only text and links: {:?}",
        last.other
    );
    assert_eq!(last.links.len(), 2, "{:?}", last.text);
    assert_eq!(last.links[0].text, SCRIPT_TITLE);
    assert_eq!(last.links[1].text, MARKDOWN_TITLE);
    assert_eq!(
        last.text,
        format!("← Older: {SCRIPT_TITLE} · Newer: {MARKDOWN_TITLE} →")
    );
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, &md, &gfm_options());
    for node in root.descendants() {
        match &node.data.borrow().value {
            NodeValue::Link(link) | NodeValue::Image(link) => {
                assert!(
                    !link.url.to_ascii_lowercase().contains("javascript"),
                    "a live javascript: link: {}",
                    link.url
                )
            }
            NodeValue::HtmlInline(raw) => assert!(!raw.contains("script"), "raw HTML {raw}"),
            NodeValue::HtmlBlock(block) => {
                assert!(
                    !block.literal.contains("script"),
                    "raw HTML {}",
                    block.literal
                )
            }
            _ => {}
        }
    }
    let mut rendered = String::new();
    comrak::format_html(root, &gfm_options(), &mut rendered).expect("comrak renders");
    assert!(
        !rendered.contains("<script"),
        "no script in GitHub's rendering"
    );
    let neighbours = md_neighbours(&md_path);
    assert_eq!(id_of(&neighbours.older.expect("older").target), *older);
    assert_eq!(id_of(&neighbours.newer.expect("newer").target), *newer);
}

fn page(out: &Path, id: &str) -> Vec<u8> {
    std::fs::read(out.join(format!("reports/{id}.html"))).expect("page")
}

fn md(out: &Path, id: &str) -> Vec<u8> {
    std::fs::read(out.join(format!("reports/{id}.md"))).expect("document")
}

#[test]
fn neighbours_that_appear_or_are_retitled_render_a_page_again() {
    let scratch = Scratch::new("prevnext-incremental");
    let path = scratch.path("a.sqlite");
    let db = sqlite_archive(&path, DEMO);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let out = scratch.path("out");
    build(Some(&db), &out, &[]);
    let order = creation_order(DEMO);
    let n = order.len();

    // A no-op rebuild renders and writes nothing.
    let err = stderr(&build(Some(&db), &out, &[]));
    assert!(err.contains(&format!("0 rendered, {n} unchanged")), "{err}");
    assert!(err.contains(", 0 written"), "{err}");

    // A report created between the 3rd and the 4th: it and those two are rendered.
    let (before, after) = (&order[2].0, &order[3].0);
    let (t_before, t_after) = (
        Timestamp::parse(&expected_created(before)).expect("time"),
        Timestamp::parse(&expected_created(after)).expect("time"),
    );
    let between = "2026-09-15T12:00:00Z";
    let t_between = Timestamp::parse(between).expect("time");
    assert!(
        t_before < t_between && t_between < t_after,
        "{before} {after}"
    );
    let new = "019a0000-0000-7000-8000-0000000000bb";
    let others: Vec<(String, Vec<u8>, Vec<u8>)> = order
        .iter()
        .map(|(id, _)| (id.clone(), page(&out, id), md(&out, id)))
        .collect();
    execute(
        &url,
        &format!(
            "INSERT INTO signals_signalreport (id, team_id, status, title, created_at) \
             VALUES ('{new}', 1, 'candidate', 'A report in between', '{between}'); \
             INSERT INTO signals_signalreportartefact (id, team_id, report_id, type, content, created_at) \
             VALUES ('019a0000-0000-7000-8000-0000000001bb', 1, '{new}', 'note', \
                     '{{\"note\":\"First note\",\"author\":null}}', '{between}');"
        ),
    );
    let err = stderr(&build(Some(&db), &out, &[]));
    assert!(
        err.contains(&format!("3 rendered, {} unchanged", n - 2)),
        "{err}"
    );
    assert_same_as_full(&db, &out, &scratch, "full-inserted");
    for (id, html, markdown) in &others {
        let changed = id == before || id == after;
        assert_eq!(page(&out, id) != *html, changed, "{id}: HTML page");
        assert_eq!(md(&out, id) != *markdown, changed, "{id}: Markdown");
    }
    let mut with_new = order.clone();
    with_new.insert(3, (new.to_string(), "A report in between".to_string()));
    check_order(&out, "html", &with_new);
    check_order(&out, "md", &with_new);

    // Retitling a report renders its neighbours again (and what links to it).
    let (retitled, left, right) = (&with_new[6].0, &with_new[5].0, &with_new[7].0);
    let pages: Vec<(String, Vec<u8>)> = [left, right]
        .into_iter()
        .map(|id| (id.clone(), page(&out, id)))
        .collect();
    execute(
        &url,
        &format!(
            "UPDATE signals_signalreport SET title = 'Retitled for the neighbours' \
             WHERE id = '{retitled}'"
        ),
    );
    let err = stderr(&build(Some(&db), &out, &[]));
    assert!(!err.contains(" 0 rendered"), "{err}");
    for (id, html) in &pages {
        let now = page(&out, id);
        assert!(now != *html, "{id}: its neighbour's new title is not shown");
        assert!(
            String::from_utf8_lossy(&now).contains("Retitled for the neighbours"),
            "{id}"
        );
    }
    assert_same_as_full(&db, &out, &scratch, "full-retitled");

    // And a no-op rebuild after all that reuses every page.
    let err = stderr(&build(Some(&db), &out, &[]));
    assert!(
        err.contains(&format!("0 rendered, {} unchanged", n + 1)),
        "{err}"
    );
    assert!(err.contains(", 0 written"), "{err}");
}
