//! A report as one GitHub pull-request comment: a summary table first, then the timeline with
//! long parts folded in `<details>`, within GitHub's limits (65,536 code points and 262,144
//! bytes, or `--max-chars`). What does not fit is trimmed deterministically — the largest
//! detail first (the oldest on ties), then whole entries, oldest first, never the summary — and
//! a visible line says so. Text from the database can neither mention anyone, reference an
//! issue nor change the comment's structure.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::markdown::{block, cell, external, inline};
use super::page::{Archive, Entry, ReportView};
use super::text::escape_markdown;
use super::view::Block;

pub const MAX_CHARS: usize = 65_536;
pub const MAX_BYTES: usize = 262_144;
/// Markdown blocks (notes, reasoning) longer than this many lines are folded.
const FOLD_LINES: usize = 12;

/// The comment's first line: a hidden marker a bot can find its comment by.
pub fn marker(view: &ReportView) -> String {
    format!("<!-- reportpress:report={} -->", view.id)
}

fn lines(text: &str) -> usize {
    text.lines().count()
}

/// A block folded in `<details>` when it is long (code, diffs, long Markdown).
fn folded(b: &Block, archive: &Archive) -> (String, Option<String>) {
    let body = block(b, archive);
    let summary = match b {
        Block::Code { path, text, .. } => Some(format!(
            "{} ({} lines)",
            path.as_deref().unwrap_or("code"),
            lines(text)
        )),
        Block::Diff { text, .. } => Some(format!("diff ({} lines)", lines(text))),
        Block::Markdown(md) if lines(md) > FOLD_LINES => {
            Some(format!("text ({} lines)", lines(md)))
        }
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

/// An entry in full and shortened (its folded parts replaced by one line each).
struct Rendered {
    full: String,
    short: String,
}

fn entry(e: &Entry, archive: &Archive) -> Rendered {
    let mut head = format!(
        "#### {}\n\n{} · {}",
        escape_markdown(&e.label),
        escape_markdown(&format!("by {}", e.actor)),
        super::page::time_pair(e.when).1
    );
    if let Some(edited) = e.edited {
        head.push_str(&format!(" · edited {}", edited.display()));
    }
    if e.superseded_by.is_some() {
        head.push_str(" · superseded");
    }
    head.push_str("\n\n");
    for notice in &e.notices {
        head.push_str(&format!("> **Notice:** {}\n\n", escape_markdown(notice)));
    }
    let (mut full, mut short) = (head.clone(), head);
    for b in &e.blocks {
        let (text, summary) = folded(b, archive);
        full.push_str(&text);
        full.push('\n');
        match summary {
            Some(summary) => short.push_str(&format!(
                "_{} shortened to fit the comment._\n\n",
                escape_markdown(&summary)
            )),
            None => {
                short.push_str(&text);
                short.push('\n');
            }
        }
    }
    Rendered { full, short }
}

fn size(text: &str) -> (usize, usize) {
    (text.chars().count(), text.len())
}

/// The comment, within `max_chars` code points (and GitHub's byte limit).
pub fn comment(
    view: &ReportView,
    archive: &Archive,
    max_chars: usize,
    full_url: Option<&str>,
) -> String {
    let max_bytes = MAX_BYTES.min(max_chars.saturating_mul(4));
    let first_row = |label: &str| {
        view.status_rows
            .iter()
            .find(|r| r.label == label)
            .map(|r| cell(inline(&r.value, archive)))
            .unwrap_or_else(|| "—".into())
    };
    let pr = view
        .prs
        .first()
        .map(|u| cell(external(u, u)))
        .unwrap_or_else(|| "—".into());
    let mut summary = format!(
        "{}\n\n## {}\n\n| Status | Priority | Actionability | Repository | Pull request | Entries |\n| --- | --- | --- | --- | --- | --- |\n| {} | {} | {} | {} | {} | {} |\n\n",
        marker(view),
        escape_markdown(&view.title),
        cell(escape_markdown(&view.status)),
        first_row("Priority"),
        first_row("Actionability"),
        first_row("Repository"),
        pr,
        view.days.iter().map(|d| d.entries.len()).sum::<usize>(),
    );
    if let Some(s) = &view.summary {
        let (text, _) = folded(&Block::Markdown(s.clone()), archive);
        summary.push_str(&text);
        summary.push('\n');
    }
    let entries: Vec<(&Entry, Rendered)> = view
        .days
        .iter()
        .flat_map(|d| d.entries.iter())
        .map(|e| (e, entry(e, archive)))
        .collect();

    // Shortening order: the largest saving first, the oldest on ties; omission: oldest first.
    let mut by_saving: Vec<usize> = (0..entries.len()).collect();
    by_saving.sort_by_key(|&i| {
        let saving =
            entries[i].1.full.len() - entries[i].1.short.len().min(entries[i].1.full.len());
        (
            std::cmp::Reverse(saving),
            entries[i].0.when,
            entries[i].0.id,
        )
    });
    let mut shortened = vec![false; entries.len()];
    let mut omitted = vec![false; entries.len()];
    let heading = "### Timeline\n\n";
    let notice_budget = 400 + full_url.map_or(0, |u| u.len() * 2);
    let assemble = |shortened: &[bool], omitted: &[bool], notice: &str| -> String {
        let mut out = summary.clone();
        out.push_str(notice);
        out.push_str(heading);
        for (i, (_, r)) in entries.iter().enumerate() {
            if omitted[i] {
                continue;
            }
            out.push_str(if shortened[i] { &r.short } else { &r.full });
        }
        out
    };
    let fits = |text: &str, reserve: usize| {
        let (chars, bytes) = size(text);
        chars + reserve <= max_chars && bytes + reserve <= max_bytes
    };
    let mut text = assemble(&shortened, &omitted, "");
    if !fits(&text, 0) {
        for &i in &by_saving {
            if fits(&text, notice_budget) {
                break;
            }
            shortened[i] = true;
            text = assemble(&shortened, &omitted, "");
        }
        for i in 0..entries.len() {
            if fits(&text, notice_budget) {
                break;
            }
            omitted[i] = true;
            text = assemble(&shortened, &omitted, "");
        }
        let n_short = (0..entries.len())
            .filter(|&i| shortened[i] && !omitted[i])
            .count();
        let n_omit = omitted.iter().filter(|&&o| o).count();
        let mut notice = format!(
            "> **Trimmed to fit a GitHub comment:** {n_short} entries shortened, {n_omit} omitted."
        );
        match full_url {
            Some(url) => notice.push_str(&format!(" Full export: {}", external(url, url))),
            None => notice.push_str(
                " Export the report with `--format html` or `--format md` for all of it.",
            ),
        }
        notice.push_str("\n\n");
        text = assemble(&shortened, &omitted, &notice);
        // The summary alone may exceed a tiny --max-chars: it is never trimmed.
    }
    neutralize(&text)
}

/// Makes `@mentions` and `#123` issue references in text inert with a zero-width space after
/// the sign, leaving code, link destinations and HTML tags as they are.
pub fn neutralize(markdown: &str) -> String {
    let mut cuts: Vec<usize> = Vec::new();
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
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
        let source = &markdown[range.clone()];
        let mut in_tag = false;
        let bytes = source.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if text_only {
                match b {
                    b'<' => in_tag = true,
                    b'>' => {
                        in_tag = false;
                        continue;
                    }
                    _ => {}
                }
                if in_tag {
                    continue;
                }
            }
            let next = bytes.get(i + 1).copied();
            let mention = b == b'@'
                && next.is_some_and(|n| n.is_ascii_alphanumeric() || n == b'_' || n == b'-');
            let issue = b == b'#' && next.is_some_and(|n| n.is_ascii_digit());
            if mention || issue {
                cuts.push(range.start + i + 1);
            }
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

#[cfg(test)]
mod tests {
    use super::neutralize;

    #[test]
    fn mentions_and_issue_refs_are_inert_outside_code() {
        let out = neutralize("hi @alice and #12, `@bob #3`\n\n```\n@carol\n```\n");
        assert!(out.contains("@\u{200B}alice"), "{out}");
        assert!(out.contains("#\u{200B}12"), "{out}");
        assert!(out.contains("`@bob #3`"), "{out}");
        assert!(out.contains("\n@carol\n"), "{out}");
        let html = neutralize("<details><summary>@dave</summary>\n\nx\n</details>\n");
        assert!(html.contains("<summary>@\u{200B}dave</summary>"), "{html}");
        assert!(
            neutralize("<!-- reportpress:report=1 -->").contains("<!-- reportpress:report=1 -->")
        );
    }
}
