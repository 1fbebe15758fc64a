//! Untrusted text made safe for each output: HTML escaping, Markdown rendered to HTML with raw
//! HTML and unsafe links neutralised, Markdown re-emitted for the `.md` output the same way,
//! inline Markdown escaping and code fences that nothing inside can close; and a byte size as
//! people read it ([`human_size`]), which the notices about over-long text and code give.
//!
//! Both renderings of untrusted Markdown take one bounded path (issue 12), so that no text can
//! cost more than a fixed multiple of its size in work, memory or output:
//! - before parsing: a text over [`MAX_MARKDOWN_BYTES`], or with a line that opens more than
//!   [`MAX_LINE_MARKERS`] quotes or lists, is shown as plain text;
//! - while parsing: quotes and lists nested deeper than [`MAX_NESTING`] are shown as written
//!   (their Markdown source, in a code block) at that depth, and a text of more than
//!   [`EVENT_FACTOR`] parser events per byte is shown as plain text;
//! - while writing: output over [`OUTPUT_FACTOR`] × the text's size + [`OUTPUT_SLACK`] bytes
//!   stops the writer, and the text is shown as plain text.
//!
//! Each case says so in a visible notice, no character of the text is lost, and the same text
//! always gives the same output.

use std::borrow::Cow;
use std::fmt;

use pulldown_cmark::{
    Alignment, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};

/// `12.3 KB`.
pub fn human_size(bytes: usize) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// Escapes `& < > " '` for HTML text and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_html_into(&mut out, text);
    out
}

/// [`escape_html`], appended to `out` (no allocation of its own: the highlighter's hot path).
/// Text between the characters that need escaping is copied as whole slices (rustdoc's
/// `Escape`): the five are ASCII, so a byte scan finds them and never splits a character.
pub fn escape_html_into(out: &mut String, text: &str) {
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(entity);
        last = i + 1;
    }
    out.push_str(&text[last..]);
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

/// The largest Markdown text rendered with its formatting: 256 KiB, as much as GitHub takes
/// in one comment (262,144 bytes). A longer text is shown whole as plain text, with a notice:
/// parsing costs memory and time in proportion to the text (pulldown-cmark's tree and events,
/// hundreds of bytes per byte at worst), and no note a person or an agent writes is this long.
pub const MAX_MARKDOWN_BYTES: usize = 256 * 1024;

/// The deepest block quotes and lists (together) nest in rendered Markdown. A quote or list
/// deeper than this is shown as its Markdown source, in a code block at this depth, with a
/// notice (every character stays): re-emitting Markdown repeats every level's prefix on every
/// line, so output and work grow with the square of the depth (`>` × 20,000 made a 600 MB
/// document).
pub const MAX_NESTING: usize = 16;

/// The most quote and list markers one line may open (`>`, `*`, `-`, `+`, `1.`). The parser
/// walks every container open on a line for each line after it, so a line of 60,000 markers
/// followed by short lines costs it minutes; a text with a line of more is shown as plain text,
/// with a notice, before it is parsed.
pub const MAX_LINE_MARKERS: usize = 4 * MAX_NESTING;

/// The rendered form of a text (its HTML, or its re-emitted Markdown) is at most
/// `OUTPUT_FACTOR` × the text's size + [`OUTPUT_SLACK`] bytes. Formatting that would need more
/// (a table of one header row a thousand columns wide, whose short rows GFM pads to full
/// width) is shown as plain text, with a notice. Ordinary Markdown renders to at most about six
/// times its size (`"` is `&quot;` in HTML; a list of one-letter items).
pub const OUTPUT_FACTOR: usize = 10;
/// See [`OUTPUT_FACTOR`]: room for a short text's markup and a notice.
pub const OUTPUT_SLACK: usize = 4096;

/// Parser events per byte of text beyond which the text is shown as plain text: Markdown makes
/// at most about two per byte (`* * * x`), table padding makes dozens. Bounds the events held.
pub const EVENT_FACTOR: usize = 4;
const EVENT_SLACK: usize = 1024;

/// The most bytes a text of `len` bytes may render to (see [`OUTPUT_FACTOR`]).
pub fn output_limit(len: usize) -> usize {
    len.saturating_mul(OUTPUT_FACTOR)
        .saturating_add(OUTPUT_SLACK)
}

/// Why a text is shown as plain text instead of rendered.
#[derive(Clone, Copy)]
enum Plain {
    /// Over [`MAX_MARKDOWN_BYTES`] (its size).
    Size(usize),
    /// A line opens more than [`MAX_LINE_MARKERS`] quotes or lists.
    Markers,
    /// Its rendering would be over [`output_limit`], or take too many events.
    Output,
    /// The Markdown writer could not represent it.
    Unwritable,
}

impl Plain {
    fn notice(self) -> String {
        match self {
            Plain::Size(len) => format!(
                "This text is {}, more than the {} shown with formatting: it is shown as plain text.",
                human_size(len),
                human_size(MAX_MARKDOWN_BYTES)
            ),
            Plain::Markers => format!(
                "This text opens more than {MAX_LINE_MARKERS} quotes or lists on one line: it is \
                 shown as plain text."
            ),
            Plain::Output => format!(
                "This text's formatting would take more than {OUTPUT_FACTOR} times its size to \
                 show: it is shown as plain text."
            ),
            Plain::Unwritable => {
                "This text's formatting could not be written as Markdown: it is shown as plain text."
                    .to_string()
            }
        }
    }
}

fn nesting_notice() -> String {
    format!(
        "This text nests quotes or lists more than {MAX_NESTING} levels deep: what is deeper is \
         shown as written, at level {MAX_NESTING}."
    )
}

/// Whether `source` is rendered as Markdown at all (else it is shown as plain text: too long, or
/// too many markers on one line to parse in bounded time). Whoever parses stored text for what a
/// reader will see (redaction) asks this first.
pub fn renders_as_markdown(source: &str) -> bool {
    unparsed(source).is_none()
}

/// Why a text is not parsed at all, if it is not: too long, or too many markers on a line.
fn unparsed(source: &str) -> Option<Plain> {
    if source.len() > MAX_MARKDOWN_BYTES {
        Some(Plain::Size(source.len()))
    } else if source
        .split('\n')
        .any(|line| line_markers(line) > MAX_LINE_MARKERS)
    {
        Some(Plain::Markers)
    } else {
        None
    }
}

/// Quote and list markers at the start of a line (spaces and tabs between them), counted up to
/// one more than [`MAX_LINE_MARKERS`]. A list marker is followed by a space, a tab or the end.
fn line_markers(line: &str) -> usize {
    let b = line.as_bytes();
    let spaced = |at: usize| b.get(at).is_none_or(|c| matches!(c, b' ' | b'\t'));
    let (mut at, mut markers) = (0, 0);
    while markers <= MAX_LINE_MARKERS {
        while at < b.len() && matches!(b[at], b' ' | b'\t') {
            at += 1;
        }
        let Some(&c) = b.get(at) else { break };
        let digits = b[at..].iter().take_while(|c| c.is_ascii_digit()).count();
        if c == b'>' || (matches!(c, b'*' | b'-' | b'+') && spaced(at + 1)) {
            at += 1;
        } else if (1..=9).contains(&digits)
            && matches!(b.get(at + digits), Some(b'.' | b')'))
            && spaced(at + digits + 1)
        {
            at += digits + 1;
        } else {
            break;
        }
        markers += 1;
    }
    markers
}

/// Output that refuses to grow past its limit: the renderer stops at the first write over it.
struct Budget {
    out: String,
    limit: usize,
}

impl Budget {
    fn new(len: usize) -> Budget {
        let limit = output_limit(len);
        Budget {
            out: String::with_capacity((len + len / 2).min(limit)),
            limit,
        }
    }
}

impl fmt::Write for Budget {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.out.len().saturating_add(s.len()) > self.limit {
            return Err(fmt::Error);
        }
        self.out.push_str(s);
        Ok(())
    }
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
/// demoted below the page's own, so that no note can add a title or a section to the page;
/// quotes and lists nested deeper than [`MAX_NESTING`] shown as source (see [`Clamp`]).
/// `None` when the text makes more than [`EVENT_FACTOR`] parser events per byte.
fn safe_events(source: &str) -> Option<SafeEvents<'_>> {
    let mut events = Vec::new();
    let mut parser = Clamp {
        source,
        parser: Parser::new_ext(source, options()).into_offset_iter(),
        depth: 0,
        skip: 0,
        queue: Vec::new(),
        clamped: false,
        events: 0,
        max_events: source
            .len()
            .saturating_mul(EVENT_FACTOR)
            .saturating_add(EVENT_SLACK),
        over: false,
    };
    // Depth of links being dropped: their text stays, their start/end events go.
    let mut dropped: Vec<bool> = Vec::new();
    let mut in_html_block = false;
    for event in parser.by_ref() {
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
    if parser.over {
        return None;
    }
    Some(SafeEvents {
        events,
        clamped: parser.clamped,
    })
}

struct SafeEvents<'a> {
    events: Vec<Event<'a>>,
    /// Something nested too deep is shown as source.
    clamped: bool,
}

/// Parser events with block quotes and lists nested deeper than [`MAX_NESTING`] flattened: a
/// quote or list that would open one level too deep is replaced by a code block of its
/// Markdown source, as written (its lines whole), at the deepest level kept. Every character
/// of it stays, and the work and output it causes grow with its length, not with the square of
/// its depth. Counts the parser's events, and ends early when there are more than `max_events`.
struct Clamp<'a, I> {
    source: &'a str,
    parser: I,
    /// Quotes and lists open.
    depth: usize,
    /// Inside a quote or list shown as source: its tags still open.
    skip: usize,
    /// Events to give before reading on, last first.
    queue: Vec<Event<'a>>,
    clamped: bool,
    events: usize,
    max_events: usize,
    over: bool,
}

impl<'a, I: Iterator<Item = (Event<'a>, std::ops::Range<usize>)>> Iterator for Clamp<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.queue.pop() {
            return Some(event);
        }
        loop {
            let (event, range) = self.parser.next()?;
            self.events += 1;
            if self.events > self.max_events {
                self.over = true;
                return None;
            }
            if self.skip > 0 {
                match event {
                    Event::Start(_) => self.skip += 1,
                    Event::End(_) => self.skip -= 1,
                    _ => {}
                }
                continue;
            }
            match event {
                Event::Start(Tag::BlockQuote(_) | Tag::List(_)) if self.depth >= MAX_NESTING => {
                    self.clamped = true;
                    self.skip = 1;
                    // Whole lines: the markers before it on its first line are the outer
                    // levels' (as the lines after it carry theirs).
                    let start = self.source[..range.start].rfind('\n').map_or(0, |n| n + 1);
                    let written = self.source.get(start..range.end).unwrap_or_default();
                    let text = if written.ends_with('\n') {
                        CowStr::Borrowed(written)
                    } else {
                        CowStr::from(format!("{written}\n"))
                    };
                    self.queue = vec![Event::End(TagEnd::CodeBlock), Event::Text(text)];
                    return Some(Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(
                        CowStr::Borrowed("markdown"),
                    ))));
                }
                Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => self.depth += 1,
                Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => {
                    self.depth = self.depth.saturating_sub(1)
                }
                _ => {}
            }
            return Some(event);
        }
    }
}

/// Autolinks and email links are re-emitted as ordinary inline links.
fn normal_link_type(_: LinkType) -> LinkType {
    // Reference-style links are re-emitted inline too: a reference definition is document-wide
    // in the Markdown output, so one note's `[x]: url` would capture another note's `[x]`.
    LinkType::Inline
}

/// Untrusted Markdown → HTML that carries no element, attribute or URL the text did not earn.
/// Table column alignment is dropped: pulldown-cmark writes it as a `style` attribute.
/// Bounded as the module says: at most [`output_limit`] bytes, whatever the text.
pub fn markdown_to_html(source: &str) -> String {
    bounded(&line_ends(source), Output::Html)
}

/// Untrusted Markdown → normalised Markdown for the `.md` output: the same neutralisation as
/// [`markdown_to_html`], re-emitted so that it cannot close or open structure around it.
/// Bounded the same way.
pub fn markdown_to_markdown(source: &str) -> String {
    bounded(&line_ends(source), Output::Markdown)
}

#[derive(Clone, Copy)]
enum Output {
    Html,
    Markdown,
}

/// The one path both renderings take: the text rendered within the bounds, or shown as plain
/// text with a notice saying which bound it passed.
fn bounded(source: &str, output: Output) -> String {
    let why = if let Some(why) = unparsed(source) {
        why
    } else {
        match safe_events(source) {
            None => Plain::Output,
            Some(safe) => match render(source.len(), safe, output) {
                Ok(out) => return out,
                Err(why) => why,
            },
        }
    };
    plain(source, output, why)
}

fn render(len: usize, safe: SafeEvents<'_>, output: Output) -> Result<String, Plain> {
    use fmt::Write as _;
    let mut out = Budget::new(len);
    if safe.clamped {
        let notice = nesting_notice();
        let written = match output {
            Output::Html => writeln!(out, "<p class=\"notice\">{}</p>", escape_html(&notice)),
            Output::Markdown => write!(out, "**Notice:** {}\n\n", escape_markdown(&notice)),
        };
        written.map_err(|_| Plain::Output)?;
    }
    match output {
        Output::Html => {
            let events = safe.events.into_iter().map(|event| match event {
                Event::Start(Tag::Table(alignments)) => {
                    Event::Start(Tag::Table(vec![Alignment::None; alignments.len()]))
                }
                other => other,
            });
            pulldown_cmark::html::write_html_fmt(&mut out, events).map_err(|_| Plain::Output)?;
        }
        Output::Markdown => {
            if let Err(e) =
                pulldown_cmark_to_cmark::cmark(writable(safe.events), &mut out, options())
            {
                return Err(match e {
                    pulldown_cmark_to_cmark::Error::FormatFailed(_) => Plain::Output,
                    _ => Plain::Unwritable,
                });
            }
        }
    }
    Ok(out.out)
}

/// Events the Markdown writer writes back as they were read. It closes a fence only after a
/// line end, so a code block's text gets one; it writes a heading with a line break in it as
/// a setext heading (`---` underneath: level 2, whatever level it was demoted to), so a
/// heading's line breaks become spaces; and it writes a fence's info string right after the
/// fence, so an info string that starts with a tilde or a backtick (a tab between the fence and
/// it is not kept) would lengthen the opening fence past its closing one: it gets a space first.
fn writable(events: Vec<Event<'_>>) -> impl Iterator<Item = Event<'_>> {
    let mut in_heading = false;
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                out.push(event);
            }
            Event::End(TagEnd::Heading(_)) => {
                in_heading = false;
                out.push(event);
            }
            Event::SoftBreak | Event::HardBreak if in_heading => {
                out.push(Event::Text(CowStr::Borrowed(" ")));
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.starts_with(['~', '`']) =>
            {
                out.push(Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(
                    CowStr::from(format!(" {info}")),
                ))));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(Event::Text(text)) = out.last_mut()
                    && !text.ends_with('\n')
                {
                    *text = CowStr::from(format!("{text}\n"));
                }
                out.push(event);
            }
            other => out.push(other),
        }
    }
    out.into_iter()
}

/// A text shown whole as plain text, after a notice saying why: escaped in a `pre` (HTML), in a
/// fence it cannot close (Markdown).
fn plain(source: &str, output: Output, why: Plain) -> String {
    let notice = why.notice();
    // One buffer, sized once: the text may be tens of megabytes.
    let mut out = String::with_capacity(source.len() + source.len() / 8 + 256);
    match output {
        Output::Html => {
            out.push_str(r#"<p class="notice">"#);
            escape_html_into(&mut out, &notice);
            out.push_str("</p>\n<pre class=\"raw\"><code>");
            escape_html_into(&mut out, source);
            out.push_str("</code></pre>\n");
        }
        Output::Markdown => {
            out.push_str("**Notice:** ");
            out.push_str(&escape_markdown(&notice));
            out.push_str("\n\n");
            code_fence_into(&mut out, source, "text");
        }
    }
    out
}

/// The text of untrusted Markdown without its markup, on one line, cut at `max` characters
/// (with `…`): for table cells and list lines. Reading stops once the line is long enough; a
/// text shown as plain text because of its size or its markers is read as plain text.
pub fn markdown_excerpt(source: &str, max: usize) -> String {
    let source = line_ends(source);
    let mut line = Excerpt::new(max);
    if unparsed(&source).is_some() {
        line.push(&source);
        return line.finish();
    }
    for event in Parser::new_ext(&source, options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                line.push(&t)
            }
            Event::SoftBreak | Event::HardBreak | Event::End(_) => line.push(" "),
            _ => {}
        }
        if line.full() {
            break;
        }
    }
    line.finish()
}

/// Words of text joined by single spaces, up to one character over a limit.
struct Excerpt {
    line: String,
    chars: usize,
    max: usize,
    space: bool,
}

impl Excerpt {
    fn new(max: usize) -> Excerpt {
        Excerpt {
            line: String::new(),
            chars: 0,
            max,
            space: false,
        }
    }

    fn full(&self) -> bool {
        self.chars > self.max
    }

    fn push(&mut self, text: &str) {
        for c in text.chars() {
            if self.full() {
                return;
            }
            if c.is_whitespace() {
                self.space = !self.line.is_empty();
                continue;
            }
            if self.space {
                self.line.push(' ');
                self.chars += 1;
                self.space = false;
            }
            self.line.push(c);
            self.chars += 1;
        }
    }

    fn finish(self) -> String {
        if !self.full() {
            return self.line;
        }
        let mut cut: String = self.line.chars().take(self.max).collect();
        cut.push('…');
        cut
    }
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
    let mut out = String::with_capacity(text.len() + 16);
    code_fence_into(&mut out, text, lang);
    out
}

/// [`code_fence`], appended to `out`.
fn code_fence_into(out: &mut String, text: &str, lang: &str) {
    let fence = "`".repeat((longest_run(text, '`') + 1).max(3));
    out.push_str(&fence);
    out.extend(
        lang.chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '_' | '#')),
    );
    out.push('\n');
    out.push_str(text.strip_suffix('\n').unwrap_or(text));
    out.push('\n');
    out.push_str(&fence);
    out.push('\n');
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
    /// Found by the PR trimmer's property test: a fence the writer did not close, and a heading
    /// written back as a level-2 setext heading (`---`) whatever level it was demoted to.
    #[test]
    fn escaping_copies_runs_and_replaces_the_five() {
        assert_eq!(
            escape_html("a<b>&\"c'd é\u{1F600}"),
            "a&lt;b&gt;&amp;&quot;c&#39;d é\u{1F600}"
        );
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("plain"), "plain");
        assert_eq!(escape_html("<<"), "&lt;&lt;");
    }

    #[test]
    fn written_back_markdown_keeps_its_structure() {
        let md = markdown_to_markdown("```\ncode");
        assert_eq!(md.matches("````").count(), 2, "{md:?}");
        for source in ["a\\\nb\n---\n", "a\n\\\n---\n", "para\n---\n"] {
            let md = markdown_to_markdown(source);
            assert!(md.starts_with("###### "), "{source:?} => {md:?}");
            assert!(!md.contains("\n---"), "{source:?} => {md:?}");
        }
    }

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

    /// The fenced code blocks of `markdown`: (info string, text).
    fn fenced_blocks(markdown: &str) -> Vec<(String, String)> {
        let mut blocks = Vec::new();
        let mut open: Option<(String, String)> = None;
        for event in Parser::new(markdown) {
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                    open = Some((info.to_string(), String::new()))
                }
                Event::Text(t) => {
                    if let Some((_, text)) = open.as_mut() {
                        text.push_str(&t);
                    }
                }
                Event::End(TagEnd::CodeBlock) => blocks.extend(open.take()),
                _ => {}
            }
        }
        blocks
    }

    /// A fence whose info string starts with the fence's own character or a backtick, written
    /// back, still opens a block its closing fence closes (found by the PR trimmer's property).
    #[test]
    fn a_fence_info_string_never_lengthens_the_fence() {
        for source in ["~~~\t~~~`\n", "~~~ ~x\ncode\n~~~\n", "~~~ `a\nb\n"] {
            let written = markdown_to_markdown(source);
            assert_eq!(
                fenced_blocks(&written),
                fenced_blocks(source),
                "{source:?} written as {written:?}"
            );
            // Closed: what was written ends with the closing fence.
            let last = written.trim_end().lines().last().unwrap_or_default();
            assert!(last.chars().all(|c| c == '~' || c == '`'), "{written:?}");
        }
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

    /// The most quotes and lists open at once in `markdown`.
    fn deepest(markdown: &str) -> usize {
        let (mut depth, mut deepest) = (0usize, 0usize);
        for event in Parser::new_ext(markdown, options()) {
            match event {
                Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => depth -= 1,
                _ => {}
            }
        }
        deepest
    }

    #[test]
    fn deep_nesting_is_shown_as_written_at_the_deepest_level() {
        let quotes = format!("{}deep text", ">".repeat(40));
        let html = markdown_to_html(&quotes);
        assert_eq!(html.matches("<blockquote>").count(), MAX_NESTING, "{html}");
        assert!(
            html.starts_with(r#"<p class="notice">This text nests"#),
            "{html}"
        );
        // The whole line, as written, in a code block at the deepest level.
        assert!(
            html.contains(&format!("{}deep text", "&gt;".repeat(40))),
            "{html}"
        );
        let md = markdown_to_markdown(&quotes);
        assert!(md.starts_with("**Notice:** This text nests"), "{md}");
        assert_eq!(deepest(&md), MAX_NESTING, "{md}");
        assert!(md.contains(&quotes), "{md}");

        // Items of lists too deep stay in their order, each on its line.
        let items: String = (0..24)
            .map(|d| format!("{0}* a{d}\n{0}* b{d}\n", "  ".repeat(d)))
            .collect();
        let html = markdown_to_html(&items);
        assert_eq!(html.matches("<ul>").count(), MAX_NESTING, "{html}");
        let md = markdown_to_markdown(&items);
        assert_eq!(deepest(&md), MAX_NESTING, "{md}");
        for d in 0..24 {
            for out in [&html, &md] {
                assert!(out.contains(&format!("* a{d}\n")) || out.contains(&format!(">a{d}<")));
            }
        }
        // Up to the limit nothing changes, and no notice.
        let fine = format!("{}fine", "> ".repeat(MAX_NESTING));
        assert!(!markdown_to_html(&fine).contains("notice"));
        assert_eq!(deepest(&markdown_to_markdown(&fine)), MAX_NESTING);
    }

    #[test]
    fn over_the_bounds_text_is_shown_plain_and_whole() {
        // Too long to render with formatting.
        let long = format!("# Title <b>\n\n{}", "word `code` *emph*\n".repeat(16_000));
        assert!(long.len() > MAX_MARKDOWN_BYTES);
        let html = markdown_to_html(&long);
        assert!(
            html.starts_with(r#"<p class="notice">This text is 296.9 KB, more than the 256.0 KB"#),
            "{}",
            &html[..200]
        );
        assert!(html.contains(&escape_html(&long)));
        let md = markdown_to_markdown(&long);
        assert!(md.contains(&code_fence(&long, "text")));
        // Output over the bound: a table padded a thousand columns wide.
        let wide = format!(
            "{}|\n{}|\n{}",
            "|a".repeat(1000),
            "|-".repeat(1000),
            "x\n".repeat(100)
        );
        for out in [markdown_to_html(&wide), markdown_to_markdown(&wide)] {
            assert!(out.len() <= output_limit(wide.len()), "{}", out.len());
            assert!(out.contains("times its size to show: it is shown as plain text."));
            assert!(out.contains(&wide) || out.contains(&escape_html(&wide)));
        }
    }

    #[test]
    fn excerpts_stop_early_and_match_the_whole_text() {
        assert_eq!(markdown_excerpt("  a **b**\n\n- c  d ", 100), "a b c d");
        assert_eq!(markdown_excerpt("abc def", 3), "abc…");
        assert_eq!(markdown_excerpt("abc def", 4), "abc …");
        assert_eq!(markdown_excerpt("abc def", 7), "abc def");
        let huge = "x ".repeat(MAX_MARKDOWN_BYTES);
        assert_eq!(markdown_excerpt(&huge, 5), "x x x…");
    }
}
