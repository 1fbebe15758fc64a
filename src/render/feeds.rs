//! Publishing outputs for an archive served at a known URL (`--base-url`): `sitemap.xml` and an
//! Atom feed of report activity. Without a base URL the archive stays fully relative and has
//! neither.

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

/// Text for XML 1.0 (element content and attribute values): `& < > " '` escaped, tab, line
/// feed and carriage return as character references, and the characters XML 1.0 does not allow
/// at all (the other C0 controls, U+FFFE and U+FFFF; a Rust string holds no lone surrogate)
/// replaced by U+FFFD, so no stored string makes the document ill-formed. Every string the
/// feed and the sitemap write goes through it.
pub fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // As references, so an attribute value keeps them too (a parser turns them into
            // spaces there when they are written as they are).
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// `sitemap.xml`: every page, reports with their last activity.
pub fn sitemap(base: &str, rows: &[IndexRow], other_pages: &[String]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let url = |path: &str, lastmod: Option<String>| {
        let lastmod = lastmod
            .map(|d| format!("<lastmod>{}</lastmod>", xml_text(&d)))
            .unwrap_or_default();
        format!(
            "  <url><loc>{}</loc>{lastmod}</url>\n",
            xml_text(&format!("{base}{path}"))
        )
    };
    out.push_str(&url(&links::index_path(Format::Html), None));
    let mut reports: Vec<&IndexRow> = rows.iter().collect();
    reports.sort_by_key(|r| r.id);
    for r in reports {
        out.push_str(&url(
            &links::report_path(r.id, Format::Html),
            r.last_activity.map(|t| t.day()),
        ));
    }
    for path in other_pages {
        out.push_str(&url(path, None));
    }
    out.push_str("</urlset>\n");
    out
}

/// `feed.xml`: an Atom feed, one entry per report, the most recently active first.
pub fn atom(base: &str, rows: &[IndexRow]) -> String {
    let mut recent: Vec<&IndexRow> = rows.iter().collect();
    recent.sort_by(|a, b| (b.last_activity, a.id).cmp(&(a.last_activity, b.id)));
    recent.truncate(FEED_ENTRIES);
    let updated = recent
        .first()
        .and_then(|r| r.last_activity)
        .map(|t| t.iso())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>Signals reports</title>\n  <id>{}</id>\n  <link rel=\"self\" href=\"{}\"/>\n  <link href=\"{}\"/>\n  <updated>{}</updated>\n  <author><name>reportpress</name></author>\n",
        xml_text(&format!("{base}{}", links::FEED)),
        xml_text(&format!("{base}{}", links::FEED)),
        xml_text(base),
        xml_text(&updated),
    );
    for r in recent {
        let when = r
            .last_activity
            .or(r.created)
            .map(|t| t.iso())
            .unwrap_or_else(|| updated.clone());
        let mut summary = format!("{} · {} entries", r.status, r.entries);
        if let Some(p) = &r.priority {
            summary.push_str(&format!(" · {p}"));
        }
        if let Some(repo) = &r.repository {
            summary.push_str(&format!(" · {repo}"));
        }
        out.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>urn:uuid:{}</id>\n    <link href=\"{}\"/>\n    <updated>{}</updated>\n    <summary>{}</summary>\n  </entry>\n",
            xml_text(&r.title),
            xml_text(&r.id.to_string()),
            xml_text(&format!("{base}{}", links::report_path(r.id, Format::Html))),
            xml_text(&when),
            xml_text(&summary),
        ));
    }
    out.push_str("</feed>\n");
    out
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
