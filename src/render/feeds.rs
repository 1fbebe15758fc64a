//! Publishing outputs for an archive served at a known URL (`--base-url`): `sitemap.xml` and an
//! Atom feed of report activity. Without a base URL the archive stays fully relative and has
//! neither.

use askama::Template;

use super::links::{self, Format};
use super::page::IndexRow;
use super::text::is_web_url;

/// Reports in the feed: the most recently active ones.
pub const FEED_ENTRIES: usize = 50;

/// A base URL for absolute links: `http(s)://…`, always ending in `/`.
pub fn base_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if !is_web_url(raw) || raw.contains(['?', '#']) {
        return Err(format!(
            "{raw:?} is not an http(s) URL without query or fragment"
        ));
    }
    Ok(if raw.ends_with('/') {
        raw.to_string()
    } else {
        format!("{raw}/")
    })
}

/// An absolute http(s) URL (for `--full-url`).
pub fn web_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if is_web_url(raw) {
        Ok(raw.to_string())
    } else {
        Err(format!("{raw:?} is not an http(s) URL"))
    }
}

/// The character XML 1.0 text (element content and attribute values) needs instead of `c`, if
/// any: `& < > " '` escaped; tab, line feed and carriage return as character references (so an
/// attribute value keeps them: a parser turns them into spaces there when written as they
/// are); the characters XML 1.0 does not allow at all (the other C0 controls, U+FFFE and
/// U+FFFF; a Rust string holds no lone surrogate) replaced by U+FFFD, so no stored string makes
/// the document ill-formed.
fn xml_escape(c: char) -> Option<&'static str> {
    Some(match c {
        '&' => "&amp;",
        '<' => "&lt;",
        '>' => "&gt;",
        '"' => "&quot;",
        '\'' => "&#39;",
        '\t' => "&#9;",
        '\n' => "&#10;",
        '\r' => "&#13;",
        '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => "\u{FFFD}",
        _ => return None,
    })
}

/// Writes `text` escaped for XML 1.0 ([`xml_escape`]), the runs that need nothing as whole
/// slices.
fn write_xml(mut out: impl std::fmt::Write, text: &str) -> std::fmt::Result {
    let mut from = 0;
    for (i, c) in text.char_indices() {
        if let Some(escaped) = xml_escape(c) {
            out.write_str(&text[from..i])?;
            out.write_str(escaped)?;
            from = i + c.len_utf8();
        }
    }
    out.write_str(&text[from..])
}

/// `text` escaped for XML 1.0, as the `.xml` templates write every value.
pub fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let _ = write_xml(&mut out, text);
    out
}

/// The escaper of the `.xml` templates (configured in `askama.toml`): askama's own HTML
/// escaper, its default for `.xml`, lets through the control characters XML forbids.
#[derive(Clone, Copy, Debug, Default)]
pub struct Xml;

impl askama::filters::Escaper for Xml {
    fn write_escaped_str<W: std::fmt::Write>(&self, dest: W, string: &str) -> std::fmt::Result {
        write_xml(dest, string)
    }
}

/// The sitemap protocol's limit of URLs in one file (<https://www.sitemaps.org/protocol.html>):
/// past it, `sitemap.xml` is an index of `sitemap-1.xml`, `sitemap-2.xml`, ….
pub const SITEMAP_URLS: usize = 50_000;

/// One file of the sitemap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SitemapFile {
    /// `sitemap.xml` holding every URL: they fit in one file.
    Whole,
    /// `sitemap.xml` as an index of this many parts.
    Index(usize),
    /// `sitemap-N.xml`, N from 1: the N-th run of URLs.
    Part(usize),
}

impl SitemapFile {
    /// The file's path, relative to the archive root.
    pub fn path(self) -> String {
        match self {
            SitemapFile::Whole | SitemapFile::Index(_) => links::SITEMAP.to_string(),
            SitemapFile::Part(n) => links::sitemap_part(n),
        }
    }
}

/// The files of a sitemap of `urls` URLs, at most `limit` per file: `sitemap.xml` alone when
/// they fit, else the index and its parts.
pub fn sitemap_files(urls: usize, limit: usize) -> Vec<SitemapFile> {
    let limit = limit.max(1);
    if urls <= limit {
        return vec![SitemapFile::Whole];
    }
    let parts = urls.div_ceil(limit);
    std::iter::once(SitemapFile::Index(parts))
        .chain((1..=parts).map(SitemapFile::Part))
        .collect()
}

/// The number of URLs of the sitemap of `reports` reports and `other_pages` other pages (the
/// index comes first).
pub fn sitemap_url_count(reports: usize, other_pages: usize) -> usize {
    1 + reports + other_pages
}

pub struct SitemapUrl {
    pub loc: String,
    /// The day of the page's last change, when known.
    pub lastmod: Option<String>,
}

#[derive(Template)]
#[template(path = "sitemap.xml")]
pub struct Sitemap {
    pub urls: Vec<SitemapUrl>,
}

#[derive(Template)]
#[template(path = "sitemap-index.xml")]
pub struct SitemapIndex {
    /// The parts' absolute URLs.
    pub sitemaps: Vec<String>,
}

/// The URLs of the sitemap whose place in the whole list (the index, reports by id, then
/// `other_pages` in their order) is in `range`.
fn sitemap_urls(
    base: &str,
    rows: &[IndexRow],
    other_pages: &[String],
    range: std::ops::Range<usize>,
) -> Vec<SitemapUrl> {
    let url = |path: &str, lastmod: Option<String>| SitemapUrl {
        loc: format!("{base}{path}"),
        lastmod,
    };
    // The part of `range` within `within`, as offsets into `within`.
    let overlap = |within: std::ops::Range<usize>| {
        let (from, to) = (range.start.max(within.start), range.end.min(within.end));
        (from < to).then(|| from - within.start..to - within.start)
    };
    let mut urls = Vec::with_capacity(
        range
            .len()
            .min(sitemap_url_count(rows.len(), other_pages.len())),
    );
    if overlap(0..1).is_some() {
        urls.push(url(&links::index_path(Format::Html), None));
    }
    if let Some(wanted) = overlap(1..1 + rows.len()) {
        let mut sorted: Vec<&IndexRow> = rows.iter().collect();
        sorted.sort_unstable_by_key(|r| r.id);
        for r in &sorted[wanted] {
            urls.push(url(
                &links::report_path(r.id, Format::Html),
                r.last_activity.map(|t| t.day()),
            ));
        }
    }
    if let Some(wanted) = overlap(1 + rows.len()..1 + rows.len() + other_pages.len()) {
        for path in &other_pages[wanted] {
            urls.push(url(path, None));
        }
    }
    urls
}

/// One file of the sitemap (see [`sitemap_files`]): every page, reports with their last
/// activity, at most `limit` URLs a file.
pub fn sitemap(
    base: &str,
    rows: &[IndexRow],
    other_pages: &[String],
    file: SitemapFile,
    limit: usize,
) -> Result<String, askama::Error> {
    let limit = limit.max(1);
    let total = sitemap_url_count(rows.len(), other_pages.len());
    match file {
        SitemapFile::Whole => Sitemap {
            urls: sitemap_urls(base, rows, other_pages, 0..total),
        }
        .render(),
        SitemapFile::Index(parts) => SitemapIndex {
            sitemaps: (1..=parts)
                .map(|n| format!("{base}{}", links::sitemap_part(n)))
                .collect(),
        }
        .render(),
        SitemapFile::Part(n) => {
            let start = (n.max(1) - 1).saturating_mul(limit);
            Sitemap {
                urls: sitemap_urls(base, rows, other_pages, start..start.saturating_add(limit)),
            }
            .render()
        }
    }
}

pub struct FeedEntry {
    pub title: String,
    /// The report's uuid.
    pub id: String,
    pub link: String,
    pub updated: String,
    /// `status · N entries · priority · repository`.
    pub summary: String,
}

#[derive(Template)]
#[template(path = "feed.xml")]
pub struct Feed {
    /// The feed's own URL, also its id.
    pub self_url: String,
    /// The archive's URL.
    pub home: String,
    pub updated: String,
    pub entries: Vec<FeedEntry>,
}

/// `feed.xml`: an Atom feed, one entry per report, the most recently active first.
pub fn atom(base: &str, rows: &[IndexRow]) -> Result<String, askama::Error> {
    let mut recent: Vec<&IndexRow> = rows.iter().collect();
    recent.sort_by(|a, b| (b.last_activity, a.id).cmp(&(a.last_activity, b.id)));
    recent.truncate(FEED_ENTRIES);
    let updated = recent
        .first()
        .and_then(|r| r.last_activity)
        .map(|t| t.iso())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let entries = recent
        .into_iter()
        .map(|r| {
            let mut summary = format!("{} · {} entries", r.status, r.entries);
            for extra in [&r.priority, &r.repository].into_iter().flatten() {
                summary.push_str(" · ");
                summary.push_str(extra);
            }
            FeedEntry {
                title: r.title.clone(),
                id: r.id.to_string(),
                link: format!("{base}{}", links::report_path(r.id, Format::Html)),
                updated: r
                    .last_activity
                    .or(r.created)
                    .map(|t| t.iso())
                    .unwrap_or_else(|| updated.clone()),
                summary,
            }
        })
        .collect();
    Feed {
        self_url: format!("{base}{}", links::FEED),
        home: base.to_string(),
        updated,
        entries,
    }
    .render()
}

#[cfg(test)]
mod tests {
    use super::{base_url, xml_text};

    #[test]
    fn xml_text_escapes_and_replaces_what_xml_forbids() {
        assert_eq!(
            xml_text("a&b<c>\"d'\u{0}\u{1}\u{1B}\u{1F}\u{7F}\u{FFFE}\u{FFFF}\t\n\r\u{FFFD}é😀"),
            "a&amp;b&lt;c&gt;&quot;d&#39;\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{7F}\u{FFFD}\u{FFFD}&#9;&#10;&#13;\u{FFFD}é😀"
        );
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            base_url("https://r.example/archive").unwrap(),
            "https://r.example/archive/"
        );
        assert_eq!(
            base_url("https://r.example/").unwrap(),
            "https://r.example/"
        );
        assert!(base_url("javascript:alert(1)").is_err());
        assert!(base_url("reports/").is_err());
        assert!(base_url("https://r.example/?x=1").is_err());
    }
}
