//! Untrusted text made safe for each output: HTML escaping, Markdown rendered to HTML with raw
//! HTML and unsafe links neutralised, Markdown re-emitted for the `.md` output the same way,
//! inline Markdown escaping and code fences that nothing inside can close.

use std::borrow::Cow;

use pulldown_cmark::{
    Alignment, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};

/// Escapes `& < > " '` for HTML text and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_html_into(&mut out, text);
    out
}

/// [`escape_html`], appended to `out` (no allocation of its own: the highlighter's hot path).
pub fn escape_html_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Escapes text for raw HTML that a Markdown document carries on one line (a `<details>`
/// summary): as [`escape_html`], and line endings (`\n`, `\r`) become spaces. A Markdown reader
/// ends an HTML block at a blank line and reads what follows as Markdown again, so one line
/// ending in the text would let it add a heading, a list or a link to the document.
pub fn escape_html_line(text: &str) -> String {
    escape_html(&text.replace(['\n', '\r'], " "))
}

/// Whether a link target from the database may be linked: `http`, `https`, `mailto`, or a
/// relative reference (no scheme). Everything else (`javascript:`, `data:`, `vbscript:`, …) is not.
pub fn is_safe_url(url: &str) -> bool {
    let url = url.trim();
    if url.chars().any(|c| c.is_control()) {
        return false;
    }
    match url.find(':') {
        None => true,
        Some(colon) => {
            let scheme = &url[..colon];
            // A colon after a `/`, `?` or `#` is not a scheme separator (`a/b:c` is relative).
            if scheme.contains(['/', '?', '#']) {
                return true;
            }
            let scheme = scheme.to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
    }
}

/// Whether a link written in stored Markdown is kept: absolute `http`, `https` or `mailto` only.
/// A relative link was written against somewhere else (PostHog's app, a repository) and would
/// resolve to nothing in an archive or an export, so it is shown as text.
pub fn is_content_url(url: &str) -> bool {
    is_web_url(url) || (url.trim().to_ascii_lowercase().starts_with("mailto:") && is_safe_url(url))
}

/// Whether a URL is absolute `http(s)` (for links that must work outside the archive).
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")) && is_safe_url(url)
}

/// GFM without footnotes: footnote labels are page-wide ids (HTML) and document-wide
/// definitions (Markdown), so two notes on one page would capture each other's `[^1]`.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
}

/// How far headings of untrusted Markdown are pushed down: the pages' own outline is the title
/// (level 1), its sections (level 2) and, in the Markdown documents, the entries (level 3).
const HEADING_SHIFT: usize = 4;

/// A heading level of untrusted Markdown moved below the pages' own levels (at most `h6`).
fn demoted(level: HeadingLevel) -> HeadingLevel {
    HeadingLevel::try_from((level as usize + HEADING_SHIFT).min(6)).unwrap_or(HeadingLevel::H6)
}

/// Untrusted Markdown with CommonMark's line endings (`\r\n`, and a lone `\r`) made `\n`.
/// pulldown-cmark does not always end a line at a lone `\r` (inside a fenced code block, for
/// one) while every Markdown reader does, so without this a code block's text could carry a
/// line that the blockquote around it does not prefix, and that a reader finds outside it.
fn line_ends(source: &str) -> Cow<'_, str> {
    if source.contains('\r') {
        Cow::Owned(source.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(source)
    }
}

/// Parses untrusted Markdown into events with raw HTML turned into text, images turned into
/// links (nothing is loaded from elsewhere), links with unsafe targets unlinked, and headings
/// demoted below the page's own, so that no note can add a title or a section to the page.
fn safe_events(source: &str) -> Vec<Event<'_>> {
    let mut events = Vec::new();
    // Depth of links being dropped: their text stays, their start/end events go.
    let mut dropped: Vec<bool> = Vec::new();
    let mut in_html_block = false;
    for event in Parser::new_ext(source, options()) {
        match event {
            // An HTML block becomes a paragraph of its text, line by line: a Markdown writer
            // copies whatever is inside an HTML block verbatim, so the block must not survive.
            Event::Start(Tag::HtmlBlock) => {
                in_html_block = true;
                events.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::HtmlBlock) => {
                in_html_block = false;
                while matches!(events.last(), Some(Event::SoftBreak)) {
                    events.pop();
                }
                events.push(Event::End(TagEnd::Paragraph));
            }
            Event::Html(html) if in_html_block => {
                for (n, line) in html.split('\n').enumerate() {
                    if n > 0 {
                        events.push(Event::SoftBreak);
                    }
                    if !line.is_empty() {
                        events.push(Event::Text(CowStr::from(line.to_string())));
                    }
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => events.push(Event::Text(html)),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                // An email autolink's destination is the bare address; as an inline link it
                // needs its scheme, or it would be a relative link to a file.
                let dest_url = match link_type {
                    LinkType::Email => CowStr::from(format!("mailto:{dest_url}")),
                    _ => dest_url,
                };
                let safe = is_content_url(&dest_url);
                dropped.push(!safe);
                if safe {
                    events.push(Event::Start(Tag::Link {
                        link_type: normal_link_type(link_type),
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let safe = is_content_url(&dest_url);
                dropped.push(!safe);
                if safe {
                    events.push(Event::Start(Tag::Link {
                        link_type: LinkType::Inline,
                        dest_url,
                        title,
                        id: CowStr::Borrowed(""),
                    }));
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if dropped.pop() == Some(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            // GitHub alerts (`> [!NOTE]`) from stored text become plain quotes: they would
            // restyle a PR comment, and cannot nest inside the quote the text is shown in.
            Event::Start(Tag::BlockQuote(Some(_))) => {
                events.push(Event::Start(Tag::BlockQuote(None)))
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                events.push(Event::End(TagEnd::BlockQuote(None)))
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => events.push(Event::Start(Tag::Heading {
                level: demoted(level),
                id,
                classes,
                attrs,
            })),
            Event::End(TagEnd::Heading(level)) => {
                events.push(Event::End(TagEnd::Heading(demoted(level))))
            }
            other => events.push(other),
        }
    }
    events
}

/// Autolinks and email links are re-emitted as ordinary inline links.
fn normal_link_type(_: LinkType) -> LinkType {
    // Reference-style links are re-emitted inline too: a reference definition is document-wide
    // in the Markdown output, so one note's `[x]: url` would capture another note's `[x]`.
    LinkType::Inline
}

/// Untrusted Markdown → HTML that carries no element, attribute or URL the text did not earn.
/// Table column alignment is dropped: pulldown-cmark writes it as a `style` attribute.
pub fn markdown_to_html(source: &str) -> String {
    let source = line_ends(source);
    let events = safe_events(&source).into_iter().map(|event| match event {
        Event::Start(Tag::Table(alignments)) => {
            Event::Start(Tag::Table(vec![Alignment::None; alignments.len()]))
        }
        other => other,
    });
    let mut out = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// Untrusted Markdown → normalised Markdown for the `.md` output: the same neutralisation as
/// [`markdown_to_html`], re-emitted so that it cannot close or open structure around it.
pub fn markdown_to_markdown(source: &str) -> String {
    let source = line_ends(source);
    let mut out = String::with_capacity(source.len() + 16);
    if pulldown_cmark_to_cmark::cmark(safe_events(&source), &mut out, options()).is_err() {
        // The writer only fails on fmt errors from a String, which do not happen; stay safe.
        return code_fence(&source, "text");
    }
    out
}

/// The text of untrusted Markdown without its markup, on one line, cut at `max` characters
/// (with `…`): for table cells and list lines.
pub fn markdown_excerpt(source: &str, max: usize) -> String {
    let source = line_ends(source);
    let mut text = String::new();
    for event in Parser::new_ext(&source, options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
            _ => {}
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let line = words.join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let mut cut: String = line.chars().take(max).collect();
    cut.push('…');
    cut
}

/// Escapes text for a single line of Markdown (headings, table cells, list items): inline
/// Markdown punctuation is backslash-escaped, `<` and `&` become entities, newlines become
/// spaces, surrounding spaces are dropped (indentation would hide a block marker, or start a
/// code block), and a leading character that could start a block (`-`, `+`, `#`, `1.`) is
/// escaped.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '>' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    let mut out = out.trim_matches(' ').to_string();
    // A heading would take a trailing run of `#` after a space as its closing sequence.
    let hashes = out.len() - out.trim_end_matches('#').len();
    if hashes > 0 && out[..out.len() - hashes].ends_with(' ') {
        out.insert(out.len() - hashes, '\\');
    }
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    let block_start = matches!(out.chars().next(), Some('-' | '+' | '#' | '='))
        || (digits > 0 && matches!(out[digits..].chars().next(), Some('.' | ')')));
    if block_start {
        let at = if digits > 0 { digits } else { 0 };
        out.insert(at, '\\');
    }
    out
}

/// Inline code for Markdown: a backtick run longer than any inside, padded when needed.
pub fn markdown_code_span(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.trim().is_empty() {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// A fenced code block whose fence is longer than any backtick run inside, so the content can
/// never close it.
pub fn code_fence(text: &str, lang: &str) -> String {
    let fence = "`".repeat((longest_run(text, '`') + 1).max(3));
    let lang: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '_' | '#'))
        .collect();
    let body = text.strip_suffix('\n').unwrap_or(text);
    format!("{fence}{lang}\n{body}\n{fence}\n")
}

fn longest_run(text: &str, ch: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == ch {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for ok in [
            "https://x.io/a",
            "HTTP://x",
            "mailto:a@b.c",
            "../reports/a.html",
            "#a-1",
            "a/b:c",
        ] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "java\tscript:x",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn html_is_neutralised() {
        let html = markdown_to_html(
            "hi <script>alert(1)</script> [x](javascript:alert(1)) ![i](https://e.vil/p.png)\n\n<img src=x onerror=alert(1)>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.contains(r#"<a href="https://e.vil/p.png">i</a>"#),
            "{html}"
        );
    }

    #[test]
    fn markdown_output_is_neutralised() {
        let md = markdown_to_markdown("<details><summary>x</summary>\n\n[y](javascript:z)");
        // The tags stay as text (escaped), never as HTML a Markdown renderer would pass on.
        let raw_html = Parser::new_ext(&md, options())
            .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)));
        assert!(!raw_html, "{md}");
        assert!(md.contains(r"\<details>\<summary>x\</summary>"), "{md}");
        assert!(!md.contains("javascript:"), "{md}");
    }

    #[test]
    fn no_style_no_footnote_ids_no_shared_references() {
        let html = markdown_to_html("| a | b |\n|--:|:-:|\n| 1 | 2 |\n\nsee [^1]\n\n[^1]: note");
        assert!(html.contains("<table>"), "{html}");
        assert!(!html.contains("style"), "{html}");
        assert!(!html.contains(" id="), "{html}");
        // A reference link is written inline, so its definition cannot leak to other notes.
        let md = markdown_to_markdown("[x][r]\n\n[r]: https://a.example/");
        assert!(md.contains("](https://a.example/)"), "{md}");
        assert!(!md.contains("[r]:"), "{md}");
    }

    #[test]
    fn carriage_returns_end_lines_everywhere() {
        // A lone `\r` ends a line for a Markdown reader: none is left for one to find inside
        // quoted code, where the quote's `> ` prefixes only follow `\n`.
        let md = markdown_to_markdown("```\ncode\r# heading\r```\r\rafter");
        assert!(!md.contains('\r'), "{md:?}");
        assert!(md.contains("after"), "{md:?}");
        assert_eq!(markdown_excerpt("a\r\rb\r\nc", 10), "a b c");
        // Raw HTML in a Markdown document stays on its line.
        assert_eq!(escape_html_line("a\r\r# b\n<c>"), "a  # b &lt;c&gt;");
    }

    #[test]
    fn fences_outlast_content() {
        let fenced = code_fence("a\n````\nb", "rust");
        assert!(fenced.starts_with("`````rust\n"), "{fenced}");
        assert!(fenced.ends_with("\n`````\n"));
        assert_eq!(markdown_code_span("a`b"), "``a`b``");
        assert_eq!(markdown_code_span("`x"), "`` `x ``");
    }

    #[test]
    fn inline_escaping() {
        assert_eq!(escape_markdown("# [a](b) <i>"), r"\# \[a\](b) &lt;i\>");
        assert_eq!(escape_markdown("a|b\nc"), r"a\|b c");
        assert_eq!(escape_markdown("12. x"), r"12\. x");
        assert_eq!(escape_markdown("posthog-js 1.2"), "posthog-js 1.2");
        assert_eq!(escape_markdown("  # x\n"), r"\# x");
        assert_eq!(escape_markdown("\n    - x"), r"\- x");
        assert_eq!(escape_markdown("Issue ##"), r"Issue \##");
        assert_eq!(escape_markdown("C#"), "C#");
    }
}
