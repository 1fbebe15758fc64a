//! A report as one GitHub pull-request comment, shaped like the bots people like (Codecov,
//! Vercel, Sentry): the title, a compact state table, the summary, the current judgments with
//! their reasons, the pull requests with their states, then ONE `<details>` holding the
//! timeline (code and diffs folded again inside it), within GitHub's limits (65,536 code points
//! and 262,144 bytes, or `--max-chars`). What does not fit is trimmed deterministically —
//! entries are shortened, the largest saving first (the oldest on ties), then whole entries
//! omitted, oldest first, then the report's summary text, then the judgments, never the marker,
//! title and state table — and a visible line says so. Every entry has a short form of bounded size (its folded parts as a
//! line each, a part too long to keep whole as an excerpt), so one huge entry is shortened
//! rather than crowding the others out. Sizes are measured after mentions are neutralised, so
//! the limits hold for the text as posted. Text from the database can neither mention anyone,
//! reference an issue nor change the comment's structure.

use std::borrow::Cow;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::markdown::{block, cell, external, inline, link_or_text};
use super::page::{Archive, Entry, PrRow, ReportView};
use super::text::{code_fence, escape_markdown, markdown_excerpt};
use super::view::Block;

pub const MAX_CHARS: usize = 65_536;
pub const MAX_BYTES: usize = 262_144;
/// Stored content shown verbatim (degraded rows) longer than this many lines is folded.
const FOLD_LINES: usize = 12;
/// Characters of a judgment's reasoning shown beside it.
const REASON_CHARS: usize = 200;

/// The comment's first line: a hidden marker a bot can find its comment by.
pub fn marker(view: &ReportView) -> String {
    format!("<!-- reportpress:report={} -->", view.id)
}

fn lines(text: &str) -> usize {
    text.lines().count()
}

/// A block folded in `<details>` when it is code, a diff or long stored content. Text (notes,
/// reasoning) is never folded: the whole timeline is folded already, and a note folded apart
/// from its author would leave the author's line dangling.
fn folded(b: &Block, archive: &Archive) -> (String, Option<String>) {
    let body = block(b, archive);
    let summary = match b {
        Block::Code { path, text, .. } => Some(format!(
            "{} ({} lines)",
            path.as_deref().unwrap_or("code"),
            lines(text)
        )),
        Block::Diff { text, .. } => Some(format!("diff ({} lines)", lines(text))),
        Block::Raw(raw) if lines(raw) > FOLD_LINES => {
            Some(format!("stored content ({} lines)", lines(raw)))
        }
        _ => None,
    };
    match summary {
        // `<summary>` is HTML: its text is escaped as HTML, on one line.
        Some(summary) => (
            format!(
                "<details><summary>{}</summary>\n\n{}\n</details>\n",
                super::text::escape_html_line(&summary),
                body.trim_end()
            ),
            Some(summary),
        ),
        None => (body, None),
    }
}

/// An entry in full and shortened. The short form is bounded whatever the entry holds: its
/// folded parts become one line each, a part too long to keep whole (a one-line note of
/// megabytes, a degraded row's stored content) becomes the start of its text with a count of
/// the rest, and the heading's stored strings are cut.
struct Rendered {
    full: String,
    short: String,
}

/// A part of an entry's short form that is at most this many characters stays whole.
const SHORT_KEEP: usize = 1_000;
/// Characters of text an excerpt of a longer part keeps.
const EXCERPT_CHARS: usize = 500;
/// Characters of the label and the actor a short form keeps, and of each notice.
const SHORT_HEAD_CHARS: usize = 200;
const SHORT_NOTICE_CHARS: usize = 300;
/// Notices a short form keeps; the rest are counted.
const SHORT_NOTICES: usize = 3;
/// The parts of a short form stop past this many characters; the rest are counted.
const SHORT_BODY_CHARS: usize = 4_000;
/// Ends the line that stands for a shortened part (the tests count shortened entries by it).
const SHORTENED: &str = "shortened to fit the comment._\n\n";

/// The first `max` characters of `text` (cut on a character boundary) and how many are left.
fn cut(text: &str, max: usize) -> (&str, usize) {
    match text.char_indices().nth(max) {
        Some((at, _)) => (&text[..at], text[at..].chars().count()),
        None => (text, 0),
    }
}

/// `text` cut to `max` characters, with `…` when something was cut.
fn clip(text: &str, max: usize) -> (String, bool) {
    match cut(text, max) {
        (all, 0) => (all.to_string(), false),
        (start, _) => (format!("{start}…"), true),
    }
}

/// What a part is called in the line that says it was shortened.
fn kind(b: &Block) -> &'static str {
    match b {
        Block::Markdown(_) | Block::Paragraph(_) | Block::NoDiff { .. } => "text",
        Block::Raw(_) => "stored content",
        Block::Fields(_) => "fields",
        Block::Items(_) => "list",
        Block::Change { .. } => "change",
        Block::Code { .. } => "code",
        Block::Diff { .. } => "diff",
    }
}

/// A part too long for a short form: a line that says so, the first [`EXCERPT_CHARS`]
/// characters of its text and how many more there are. Stored content stays verbatim in a
/// fence; anything else is its text on one escaped line (no markup, so nothing it holds can
/// open a structure that the cut would leave unclosed).
fn excerpt(b: &Block, rendered: &str) -> String {
    let text: Cow<str> = match b {
        Block::Raw(raw) => Cow::Borrowed(raw),
        Block::Markdown(md) => Cow::Owned(markdown_excerpt(md, usize::MAX)),
        _ => Cow::Owned(markdown_excerpt(rendered, usize::MAX)),
    };
    let total = text.chars().count();
    let mut out = format!("_{} ({total} characters) {SHORTENED}", kind(b));
    let (start, rest) = cut(&text, EXCERPT_CHARS);
    let more = if rest > 0 {
        format!("… ({rest} more characters; full text in the archive)")
    } else {
        String::new()
    };
    match b {
        Block::Raw(_) => {
            out.push_str(&code_fence(start, "text"));
            if !more.is_empty() {
                out.push('\n');
                out.push_str(&more);
                out.push('\n');
            }
        }
        _ => {
            out.push_str(&escape_markdown(start));
            out.push_str(&more);
            out.push('\n');
        }
    }
    out.push('\n');
    out
}

fn entry(e: &Entry, archive: &Archive) -> Rendered {
    let when = super::page::time_pair(e.when).1;
    let mut meta = String::new();
    if let Some(edited) = e.edited {
        meta.push_str(&format!(" · edited {}", edited.display()));
    }
    if e.superseded_by.is_some() {
        meta.push_str(" · superseded");
    }
    let head = |label: &str, actor: &str| {
        format!(
            "#### {}\n\n{} · {when}{meta}\n\n",
            escape_markdown(label),
            escape_markdown(&format!("by {actor}")),
        )
    };
    let mut full = head(&e.label, &e.actor);
    for notice in &e.notices {
        full.push_str(&format!("> **Notice:** {}\n\n", escape_markdown(notice)));
    }
    let (label, label_cut) = clip(&e.label, SHORT_HEAD_CHARS);
    let (actor, actor_cut) = clip(&e.actor, SHORT_HEAD_CHARS);
    let mut head_cut = label_cut || actor_cut || e.notices.len() > SHORT_NOTICES;
    let mut short = head(&label, &actor);
    for notice in e.notices.iter().take(SHORT_NOTICES) {
        let (notice, notice_cut) = clip(notice, SHORT_NOTICE_CHARS);
        head_cut |= notice_cut;
        short.push_str(&format!("> **Notice:** {}\n\n", escape_markdown(&notice)));
    }
    if e.notices.len() > SHORT_NOTICES {
        short.push_str(&format!(
            "> **Notice:** {} more notices.\n\n",
            e.notices.len() - SHORT_NOTICES
        ));
    }

    // The parts: each in full, and in the short form folded ones as a line, long ones as an
    // excerpt, up to a bound on the whole.
    let (mut body_chars, mut rest, mut any_shortened) = (0, 0, false);
    for b in &e.blocks {
        let (text, summary) = folded(b, archive);
        full.push_str(&text);
        full.push('\n');
        let part = match summary {
            Some(summary) => format!(
                "_{} {SHORTENED}",
                escape_markdown(&clip(&summary, SHORT_HEAD_CHARS).0)
            ),
            None if text.chars().count() <= SHORT_KEEP => format!("{text}\n"),
            None => excerpt(b, &text),
        };
        let chars = part.chars().count();
        if rest > 0 || (body_chars > 0 && body_chars + chars > SHORT_BODY_CHARS) {
            rest += 1;
            continue;
        }
        any_shortened |= part.ends_with(SHORTENED);
        body_chars += chars;
        short.push_str(&part);
    }
    if rest > 0 {
        short.push_str(&format!(
            "_{rest} more part{} {SHORTENED}",
            if rest == 1 { "" } else { "s" }
        ));
    } else if head_cut && !any_shortened {
        short.push_str(&format!("_The heading {SHORTENED}"));
    }
    Rendered { full, short }
}

/// Code points and bytes of a piece of the comment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Size {
    chars: usize,
    bytes: usize,
}

impl Size {
    fn of(text: &str) -> Size {
        Size {
            chars: text.chars().count(),
            bytes: text.len(),
        }
    }
}

impl std::ops::Add for Size {
    type Output = Size;
    fn add(self, other: Size) -> Size {
        Size {
            chars: self.chars + other.chars,
            bytes: self.bytes + other.bytes,
        }
    }
}

impl std::ops::Sub for Size {
    type Output = Size;
    fn sub(self, other: Size) -> Size {
        Size {
            chars: self.chars - other.chars,
            bytes: self.bytes - other.bytes,
        }
    }
}

/// A part of the comment that trimming may replace by a shorter form. Both forms are
/// neutralised already, so their sizes are what they add to the comment: the zero-width spaces
/// that make mentions inert count against the limits too.
struct Part {
    full: String,
    short: String,
    full_size: Size,
    short_size: Size,
}

impl Part {
    fn new(full: &str, short: &str) -> Part {
        let (full, short) = (neutralize(full), neutralize(short));
        Part {
            full_size: Size::of(&full),
            short_size: Size::of(&short),
            full,
            short,
        }
    }

    /// Whether the short form is shorter at all (it is not when nothing is folded or long).
    fn shortens(&self) -> bool {
        self.short_size.chars < self.full_size.chars && self.short_size.bytes < self.full_size.bytes
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Trim {
    Full,
    Short,
    Omitted,
}

/// PRs listed in the comment's state table and in its list; the rest are counted.
const HEAD_PRS: usize = 5;

/// The status kinds shown as judgments (with their reasons) above the timeline; the channel
/// and the dispatch are bookkeeping.
const JUDGMENTS: &[&str] = &[
    "Priority",
    "Actionability",
    "Safety",
    "Repository",
    "Reviewers",
    "Implementation decision",
];

/// A PR's link text: `owner/repo#42` (never the whole URL), or `pull request` for a link that
/// is not a GitHub pull request.
fn pr_text(pr: &PrRow) -> String {
    match pr.reference.rsplit_once('#') {
        Some((_, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            pr.reference.clone()
        }
        _ => "pull request".into(),
    }
}

/// The current judgments, each with its value, an excerpt of its reasoning, who set it and
/// when; then the pull requests with their states. Empty when the report has neither.
fn overview(view: &ReportView, archive: &Archive) -> String {
    let mut out = String::new();
    let rows: Vec<_> = view
        .status_rows
        .iter()
        .filter(|r| JUDGMENTS.contains(&r.label))
        .collect();
    if !rows.is_empty() {
        out.push_str("### Judgments\n\n");
        for row in rows {
            out.push_str(&format!(
                "- **{}:** {}",
                escape_markdown(row.label),
                inline(&row.value, archive)
            ));
            if let Some(why) = &row.explanation {
                out.push_str(" — ");
                out.push_str(&escape_markdown(&markdown_excerpt(why, REASON_CHARS)));
            }
            out.push_str(&format!(
                " · {}, {}\n",
                link_or_text(&row.actor, archive.scope.page(&row.actor_page)),
                super::page::time_pair(row.when).1
            ));
        }
        out.push('\n');
    }
    if !view.prs.is_empty() {
        out.push_str("### Pull requests\n\n");
        for pr in view.prs.iter().take(HEAD_PRS) {
            out.push_str(&format!(
                "- {} **{}**",
                external(&pr_text(pr), &pr.url),
                escape_markdown(&pr.state_text())
            ));
            if let Some(task) = &pr.task {
                out.push_str(&format!(" · opened by {}", inline(task, archive)));
            }
            out.push('\n');
        }
        if view.prs.len() > HEAD_PRS {
            out.push_str(&format!("- and {} more\n", view.prs.len() - HEAD_PRS));
        }
        out.push('\n');
    }
    out
}

/// The `<details>` line that opens the timeline: what it holds and the days it spans.
fn timeline_open(view: &ReportView, entries: usize) -> String {
    let times: Vec<_> = view
        .days
        .iter()
        .flat_map(|d| d.entries.iter())
        .filter_map(|e| e.when)
        .collect();
    let span = match (times.iter().min(), times.iter().max()) {
        (Some(first), Some(last)) if first.day() != last.day() => {
            format!(", {} – {}", first.date_label(), last.date_label())
        }
        (Some(first), _) => format!(", {}", first.date_label()),
        _ => String::new(),
    };
    let summary = format!(
        "Timeline: {entries} entr{}{span}",
        if entries == 1 { "y" } else { "ies" }
    );
    // `<summary>` is HTML: its text is escaped as HTML, on one line.
    format!(
        "<details><summary>{}</summary>\n\n",
        super::text::escape_html_line(&summary)
    )
}

/// Closes the timeline's `<details>`.
const TIMELINE_CLOSE: &str = "</details>\n";

/// The comment, within `max_chars` code points (and GitHub's byte limit).
pub fn comment(
    view: &ReportView,
    archive: &Archive,
    max_chars: usize,
    full_url: Option<&str>,
) -> String {
    let max_bytes = MAX_BYTES.min(max_chars.saturating_mul(4));
    let fits = |size: Size| size.chars <= max_chars && size.bytes <= max_bytes;
    let first_row = |label: &str| {
        view.status_rows
            .iter()
            .find(|r| r.label == label)
            .map(|r| cell(inline(&r.value, archive)))
            .unwrap_or_else(|| "—".into())
    };
    // Every PR with its state, up to a few (the head is never trimmed).
    let mut pr = view
        .prs
        .iter()
        .take(HEAD_PRS)
        .map(|p| {
            format!(
                "{} {}",
                external(&pr_text(p), &p.url),
                escape_markdown(p.state.label())
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    if view.prs.len() > HEAD_PRS {
        pr.push_str(&format!(" and {} more", view.prs.len() - HEAD_PRS));
    }
    let pr = if pr.is_empty() {
        "—".into()
    } else {
        cell(pr)
    };
    // The head is never trimmed: the marker, the title and the state table.
    let head = neutralize(&format!(
        "{}\n\n## {}\n\n| Status | Priority | Actionability | Repository | Pull request | Entries |\n| --- | --- | --- | --- | --- | --- |\n| {} | {} | {} | {} | {} | {} |\n\n",
        marker(view),
        escape_markdown(&view.title),
        cell(escape_markdown(&view.status)),
        first_row("Priority"),
        first_row("Actionability"),
        first_row("Repository"),
        pr,
        view.days.iter().map(|d| d.entries.len()).sum::<usize>(),
    ));
    // The report's summary text, then the judgments and PRs: shortened last, in that order,
    // when every entry is gone and the comment still does not fit (a small `--max-chars`).
    let summary = view.summary.as_ref().map(|s| {
        Part::new(
            &format!("{}\n", block(&Block::Markdown(s.clone()), archive)),
            &format!(
                "_The summary ({} lines) shortened to fit the comment._\n\n",
                lines(s)
            ),
        )
    });
    let overview = Some(overview(view, archive))
        .filter(|o| !o.is_empty())
        .map(|o| {
            Part::new(
                &o,
                &format!(
                    "_The judgments ({}) and pull requests ({}) shortened to fit the comment._\n\n",
                    view.status_rows
                        .iter()
                        .filter(|r| JUDGMENTS.contains(&r.label))
                        .count(),
                    view.prs.len()
                ),
            )
        });
    let extras: Vec<&Part> = summary.iter().chain(overview.iter()).collect();
    let entries: Vec<(&Entry, Part)> = view
        .days
        .iter()
        .flat_map(|d| d.entries.iter())
        .map(|e| {
            let r = entry(e, archive);
            (e, Part::new(&r.full, &r.short))
        })
        .collect();
    let open = neutralize(&timeline_open(view, entries.len()));

    let mut trim = vec![Trim::Full; entries.len()];
    let mut extras_short = vec![false; extras.len()];
    let assemble = |trim: &[Trim], extras_short: &[bool], notice: &str| -> String {
        let mut out = head.clone();
        for (part, &short) in extras.iter().zip(extras_short) {
            out.push_str(if short { &part.short } else { &part.full });
        }
        out.push_str(notice);
        out.push_str(&open);
        for (t, (_, part)) in trim.iter().zip(&entries) {
            match t {
                Trim::Full => out.push_str(&part.full),
                Trim::Short => out.push_str(&part.short),
                Trim::Omitted => {}
            }
        }
        out.push_str(TIMELINE_CLOSE);
        out
    };
    let mut total = entries.iter().fold(
        Size::of(&head)
            + Size::of(&open)
            + Size::of(TIMELINE_CLOSE)
            + extras
                .iter()
                .fold(Size::default(), |sum, part| sum + part.full_size),
        |sum, (_, part)| sum + part.full_size,
    );
    if fits(total) {
        let text = assemble(&trim, &extras_short, "");
        debug_assert_eq!(neutralize(&text), text);
        return text;
    }

    let summary_shortened = |extras_short: &[bool]| summary.is_some() && extras_short[0];
    let overview_shortened =
        |extras_short: &[bool]| overview.is_some() && extras_short[extras.len() - 1];
    let notice = |shortened: usize, omitted: usize, extras_short: &[bool]| {
        let mut also = String::new();
        if summary_shortened(extras_short) {
            also.push_str(", the summary shortened");
        }
        if overview_shortened(extras_short) {
            also.push_str(", the judgments shortened");
        }
        let mut notice = format!(
            "> **Trimmed to fit a GitHub comment:** {shortened} entries shortened, {omitted} omitted{also}."
        );
        match full_url {
            Some(url) => notice.push_str(&format!(" Full export: {}", external(url, url))),
            None => notice.push_str(
                " Export the report with `--format html` or `--format md` for all of it.",
            ),
        }
        notice.push_str("\n\n");
        neutralize(&notice)
    };
    // Room for the notice at its longest: its counts only get smaller.
    let reserve = Size::of(&notice(
        entries.len(),
        entries.len(),
        &vec![true; extras.len()],
    ));

    // Shortening order: the largest saving first, the oldest on ties; omission: oldest first,
    // and only once every entry that can be is shortened. Every entry's short form is bounded,
    // so one entry of megabytes is shortened, not a reason to omit the others. An entry whose
    // short form is no shorter (nothing folded, nothing long) is never counted as shortened.
    let mut by_saving: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].1.shortens())
        .collect();
    by_saving.sort_by_key(|&i| {
        let part = &entries[i].1;
        (
            std::cmp::Reverse(part.full_size.chars - part.short_size.chars),
            std::cmp::Reverse(part.full_size.bytes - part.short_size.bytes),
            entries[i].0.when,
            entries[i].0.id,
        )
    });
    for &i in &by_saving {
        if fits(total + reserve) {
            break;
        }
        let part = &entries[i].1;
        total = total - part.full_size + part.short_size;
        trim[i] = Trim::Short;
    }
    let size = |t: Trim, part: &Part| match t {
        Trim::Full => part.full_size,
        Trim::Short => part.short_size,
        Trim::Omitted => Size::default(),
    };
    let before_omission = trim.clone();
    for (i, (_, part)) in entries.iter().enumerate() {
        if fits(total + reserve) {
            break;
        }
        total = total - size(trim[i], part);
        trim[i] = Trim::Omitted;
    }
    // Then the summary's text, then the judgments; each time, the room left brings the newest
    // of the omitted entries back.
    for (k, part) in extras.iter().enumerate() {
        if !part.shortens() || fits(total + reserve) {
            continue;
        }
        extras_short[k] = true;
        total = total - part.full_size + part.short_size;
        for i in (0..entries.len()).rev() {
            if trim[i] != Trim::Omitted {
                continue;
            }
            let back = total + size(before_omission[i], &entries[i].1);
            if !fits(back + reserve) {
                break;
            }
            total = back;
            trim[i] = before_omission[i];
        }
    }
    let shortened = trim.iter().filter(|&&t| t == Trim::Short).count();
    let omitted = trim.iter().filter(|&&t| t == Trim::Omitted).count();
    let text = assemble(
        &trim,
        &extras_short,
        &notice(shortened, omitted, &extras_short),
    );
    debug_assert_eq!(neutralize(&text), text);
    if fits(Size::of(&text)) {
        text
    } else {
        too_large(view, max_chars, max_bytes, full_url)
    }
}

/// When even the marker, the title and the summary table exceed the budget (a title or a table
/// value of thousands of characters): the marker, as much of the title as fits and a line that
/// says why the rest is missing.
fn too_large(
    view: &ReportView,
    max_chars: usize,
    max_bytes: usize,
    full_url: Option<&str>,
) -> String {
    let fits = |text: &str| {
        let size = Size::of(text);
        size.chars <= max_chars && size.bytes <= max_bytes
    };
    let title: Vec<char> = view.title.chars().collect();
    let render = |n: usize, url: Option<&str>| {
        let mut cut: String = title[..n].iter().collect();
        if n < title.len() {
            cut.push('…');
        }
        let mut text = format!(
            "{}\n\n## {}\n\n> **Too large for a GitHub comment:** the report's title and summary table alone exceed the limit.",
            marker(view),
            escape_markdown(&cut)
        );
        match url {
            Some(url) => text.push_str(&format!(" Full export: {}", external(url, url))),
            None => text.push_str(" Export the report with `--format html` or `--format md`."),
        }
        text.push('\n');
        neutralize(&text)
    };
    let url = full_url.filter(|&u| fits(&render(0, Some(u))));
    // The longest prefix of the title that fits (a longer prefix is never shorter).
    let (mut lo, mut hi) = (0, title.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(&render(mid, url)) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    render(lo, url)
}

/// Makes `@mentions` and `#123`/`GH-123` issue references in text inert with a zero-width space
/// after the sign, leaving code, link destinations and HTML tags as they are.
pub fn neutralize(markdown: &str) -> String {
    let mut cuts: Vec<usize> = Vec::new();
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    let all = markdown.as_bytes();
    let mut in_code = false;
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        let text_only = match event {
            Event::Start(Tag::CodeBlock(_)) => {
                in_code = true;
                continue;
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                continue;
            }
            // GitHub links nothing inside code.
            Event::Text(_) if in_code => continue,
            Event::Text(_) => false,
            Event::Html(_) | Event::InlineHtml(_) => true,
            _ => continue,
        };
        let mut in_tag = false;
        let mut k = range.start;
        while k < range.end {
            let b = all[k];
            if text_only && (in_tag || b == b'<') {
                in_tag = b != b'>';
                k += 1;
                continue;
            }
            // A character reference is one character: never cut inside it (`&#39;` from
            // escaped HTML), and what it stands for (`&#64;` is `@`) counts as that character.
            let (c, end) = char_at(all, k, range.end);
            let next = (end < all.len()).then(|| char_at(all, end, all.len()).0);
            let mention = c == b'@'
                && next.is_some_and(|n| n.is_ascii_alphanumeric() || n == b'_' || n == b'-');
            let issue = c == b'#' && next.is_some_and(|n| n.is_ascii_digit());
            // `GH-123` is GitHub's other issue reference (any case, not inside a word).
            let gh_issue = c == b'-'
                && next.is_some_and(|n| n.is_ascii_digit())
                && k >= range.start + 2
                && all[k - 2..k].eq_ignore_ascii_case(b"gh")
                && (k == range.start + 2 || !all[k - 3].is_ascii_alphanumeric());
            if mention || issue || gh_issue {
                cuts.push(end);
            }
            k = end;
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = String::with_capacity(markdown.len() + cuts.len() * 3);
    let mut last = 0;
    for cut in cuts {
        out.push_str(&markdown[last..cut]);
        out.push('\u{200B}');
        last = cut;
    }
    out.push_str(&markdown[last..]);
    out
}

/// The character at `at` (a byte; a character reference that ends before `end` counts as the
/// ASCII character it stands for, or as 0 when that is not ASCII) and where the next begins.
fn char_at(bytes: &[u8], at: usize, end: usize) -> (u8, usize) {
    let b = bytes[at];
    if b != b'&' {
        return (b, at + 1);
    }
    let rest = &bytes[at + 1..end.min(bytes.len())];
    let Some(semi) = rest.iter().take(33).position(|&c| c == b';') else {
        return (b, at + 1);
    };
    let name = &rest[..semi];
    let code = match name {
        [b'#', b'x' | b'X', hex @ ..] if (1..=6).contains(&hex.len()) => std::str::from_utf8(hex)
            .ok()
            .and_then(|h| u32::from_str_radix(h, 16).ok()),
        [b'#', dec @ ..] if (1..=7).contains(&dec.len()) => std::str::from_utf8(dec)
            .ok()
            .and_then(|d| d.parse::<u32>().ok()),
        [first, more @ ..]
            if first.is_ascii_alphabetic() && more.iter().all(u8::is_ascii_alphanumeric) =>
        {
            Some(match name {
                b"commat" => u32::from(b'@'),
                b"num" => u32::from(b'#'),
                _ => 0,
            })
        }
        _ => None,
    };
    match code {
        Some(code) => (
            u8::try_from(code).ok().filter(u8::is_ascii).unwrap_or(0),
            at + 2 + semi,
        ),
        None => (b, at + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::{clip, cut, neutralize};

    #[test]
    fn cuts_fall_on_character_boundaries() {
        assert_eq!(cut("héllo😀wörld", 6), ("héllo😀", 5));
        assert_eq!(cut("abc", 3), ("abc", 0));
        assert_eq!(cut("abc", 10), ("abc", 0));
        assert_eq!(cut("", 0), ("", 0));
        assert_eq!(clip("漢字漢字", 2), ("漢字…".to_string(), true));
        assert_eq!(clip("漢字", 2), ("漢字".to_string(), false));
    }

    #[test]
    fn mentions_and_issue_refs_are_inert_outside_code() {
        let out = neutralize("hi @alice and #12, `@bob #3`\n\n```\n@carol\n```\n");
        assert!(out.contains("@\u{200B}alice"), "{out}");
        assert!(out.contains("#\u{200B}12"), "{out}");
        assert!(out.contains("`@bob #3`"), "{out}");
        assert!(out.contains("\n@carol\n"), "{out}");
        let gh = neutralize("GH-7, gh-8 and `GH-9`, not UGH-1\n");
        assert!(
            gh.contains("GH-\u{200B}7") && gh.contains("gh-\u{200B}8"),
            "{gh}"
        );
        assert!(gh.contains("`GH-9`") && gh.contains("UGH-1"), "{gh}");
        // Character references stay whole; those that stand for a sign are neutralised after.
        let refs = neutralize(
            "<details><summary>it&#39;s &amp; &#x27;</summary>\n\n</details>\n\n&#64;erin &num;4 &#35;&#53; &#38;#1\n",
        );
        assert!(refs.contains("it&#39;s &amp; &#x27;</summary>"), "{refs}");
        assert!(
            refs.contains("&#64;\u{200B}erin &num;\u{200B}4 &#35;\u{200B}&#53;"),
            "{refs}"
        );
        assert!(refs.contains("&#38;#\u{200B}1"), "{refs}");
        let html = neutralize("<details><summary>@dave</summary>\n\nx\n</details>\n");
        assert!(html.contains("<summary>@\u{200B}dave</summary>"), "{html}");
        assert!(
            neutralize("<!-- reportpress:report=1 -->").contains("<!-- reportpress:report=1 -->")
        );
    }
}
