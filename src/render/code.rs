//! HTML for code: highlighted code references with line numbers, and unified diffs (per file:
//! header with counts, old and new line numbers, highlighted code, changed words marked),
//! guarded the way GitHub guards large diffs.

use std::ops::Range;

use super::diff::{self, FileDiff, FileStatus, LineKind};
use super::highlight::{Budget, LineHighlighter, syntax_for_path};
use super::text::{escape_html, is_web_url};

/// A file's diff starts collapsed above this many lines…
pub const COLLAPSE_LINES: usize = 400;
/// …or this many bytes (GitHub's auto-load limits).
pub const COLLAPSE_BYTES: usize = 20 * 1024;
/// A file's diff above this size is not rendered at all (GitHub's per-file limit).
pub const MAX_FILE_BYTES: usize = 500 * 1024;
/// Changed lines longer than this get no word-level marks (the comparison is quadratic-ish).
const MAX_INTRALINE: usize = 500;

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

fn link_or_code(text: &str, url: Option<&str>) -> String {
    match url.filter(|u| is_web_url(u)) {
        Some(url) => format!(
            r#"<a href="{}" rel="nofollow noopener noreferrer"><code>{}</code></a>"#,
            escape_html(url),
            escape_html(text)
        ),
        None => format!("<code>{}</code>", escape_html(text)),
    }
}

/// A code reference: caption (path, line range, GitHub link) and numbered, highlighted lines.
pub fn code_html(path: Option<&str>, start_line: i64, text: &str, link: Option<&str>) -> String {
    let start = start_line.to_string();
    let parts = [
        "code",
        if path.is_some() { "path" } else { "no path" },
        path.unwrap_or_default(),
        &start,
        text,
        if link.is_some() { "link" } else { "no link" },
        link.unwrap_or_default(),
    ];
    super::highlight::memoized(&parts, || code_html_uncached(path, start_line, text, link))
}

fn code_html_uncached(
    path: Option<&str>,
    start_line: i64,
    text: &str,
    link: Option<&str>,
) -> String {
    let lines: Vec<&str> = text
        .strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let syntax = syntax_for_path(path.unwrap_or(""));
    // Highlighted whole or not at all: a snippet too costly to highlight is shown plain.
    let costly = syntax.and_then(|_| {
        let mut budget = Budget::new();
        for (n, line) in lines.iter().enumerate() {
            budget.add(line, start_line.saturating_add(n as i64));
        }
        budget.over()
    });
    let mut highlighter = LineHighlighter::new(syntax.filter(|_| costly.is_none()));
    let mut out = String::with_capacity(text.len() * 4 + 200);
    out.push_str(r#"<figure class="code">"#);
    if let Some(path) = path {
        let end = start_line.saturating_add(lines.len() as i64 - 1);
        let range = if end > start_line {
            format!("lines {start_line}–{end}")
        } else {
            format!("line {start_line}")
        };
        out.push_str(&format!(
            "<figcaption>{} {range}</figcaption>",
            link_or_code(path, link)
        ));
    }
    if let Some(costly) = &costly {
        out.push_str(&format!(
            r#"<p class="notice">{}</p>"#,
            escape_html(&costly.notice())
        ));
    }
    out.push_str(r#"<pre class="s-code"><code>"#);
    for (n, line) in lines.iter().enumerate() {
        out.push_str(&format!(
            r#"<span class="ln">{}</span>{}"#,
            start_line.saturating_add(n as i64),
            highlighter.line(line, &[])
        ));
        out.push('\n');
    }
    out.push_str("</code></pre></figure>");
    out
}

/// Byte ranges of a line to mark as changed.
type Marks = Vec<Range<usize>>;

/// Tokens for the word-level comparison: runs of word characters, runs of spaces, and each
/// other character on its own (so `f(a)` → `f`, `(`, `a`, `)`). Returns token byte ranges.
fn tokens(line: &str) -> Vec<Range<usize>> {
    #[derive(PartialEq)]
    enum Class {
        Word,
        Space,
        Other,
    }
    let class = |c: char| {
        if c.is_alphanumeric() || c == '_' {
            Class::Word
        } else if c.is_whitespace() {
            Class::Space
        } else {
            Class::Other
        }
    };
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut last: Option<Class> = None;
    for (i, c) in line.char_indices() {
        let k = class(c);
        match (out.last_mut(), &last) {
            (Some(range), Some(prev)) if *prev == k && k != Class::Other => {
                range.end = i + c.len_utf8()
            }
            _ => out.push(i..i + c.len_utf8()),
        }
        last = Some(k);
    }
    out
}

/// Byte ranges of the tokens that differ between a removed line and the added line that
/// replaces it; `None` when the lines are too long or share too little to be worth marking.
fn changed_words(old: &str, new: &str) -> Option<(Marks, Marks)> {
    if old.len() > MAX_INTRALINE || new.len() > MAX_INTRALINE {
        return None;
    }
    let (old_tokens, new_tokens) = (tokens(old), tokens(new));
    let old_words: Vec<&str> = old_tokens.iter().map(|r| &old[r.clone()]).collect();
    let new_words: Vec<&str> = new_tokens.iter().map(|r| &new[r.clone()]).collect();
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &old_words, &new_words);
    let span = |tokens: &[Range<usize>], range: Range<usize>| -> Option<Range<usize>> {
        if range.is_empty() {
            return None;
        }
        Some(tokens.get(range.start)?.start..tokens.get(range.end.checked_sub(1)?)?.end)
    };
    let (mut old_marks, mut new_marks, mut same) = (Vec::new(), Vec::new(), 0);
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            same += span(&old_tokens, old_range).map_or(0, |r| r.len());
            continue;
        }
        old_marks.extend(span(&old_tokens, old_range));
        new_marks.extend(span(&new_tokens, new_range));
    }
    // Mostly rewritten lines read better without marks (delta's max-line-distance idea).
    let longest = old.trim().len().max(new.trim().len()).max(1);
    (same * 10 >= longest * 4).then_some((old_marks, new_marks))
}

/// Word marks for every line of a hunk: removed lines pair with the added lines that follow
/// them, in order.
fn hunk_marks(lines: &[diff::Line]) -> Vec<Vec<Range<usize>>> {
    let mut marks = vec![Vec::new(); lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if lines[i].kind != LineKind::Removed {
            i += 1;
            continue;
        }
        let removed_start = i;
        while i < lines.len() && lines[i].kind == LineKind::Removed {
            i += 1;
        }
        let added_start = i;
        while i < lines.len() && lines[i].kind == LineKind::Added {
            i += 1;
        }
        for k in 0..(added_start - removed_start).min(i - added_start) {
            let (old, new) = (removed_start + k, added_start + k);
            if let Some((o, n)) = changed_words(&lines[old].text, &lines[new].text) {
                marks[old] = o;
                marks[new] = n;
            }
        }
    }
    marks
}

fn file_title(file: &FileDiff) -> String {
    let mut title = format!("<code>{}</code>", escape_html(file.path()));
    match file.status {
        FileStatus::Renamed | FileStatus::Copied => {
            let verb = if file.status == FileStatus::Renamed {
                "renamed"
            } else {
                "copied"
            };
            if let Some(old) = &file.old_path {
                title.push_str(&format!(
                    " <span class=\"muted\">{verb} from <code>{}</code></span>",
                    escape_html(old)
                ));
            }
        }
        FileStatus::Added => title.push_str(r#" <span class="badge">new file</span>"#),
        FileStatus::Deleted => title.push_str(r#" <span class="badge">deleted</span>"#),
        FileStatus::Modified => {}
    }
    if file.binary {
        title.push_str(r#" <span class="badge">binary</span>"#);
    }
    title.push_str(&format!(
        r#" <span class="plus">+{}</span> <span class="minus">−{}</span>"#,
        file.additions, file.deletions
    ));
    title
}

fn line_no(n: Option<u64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// A diff line as a notice names it: its number in the new file, or in the old one.
#[derive(Clone, Copy)]
struct DiffLine {
    number: Option<u64>,
    old: bool,
}

impl std::fmt::Display for DiffLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let side = if self.old { "old" } else { "new" };
        match self.number {
            Some(n) => write!(f, "{n} of the {side} file"),
            None => write!(f, "of the {side} file"),
        }
    }
}

/// Why a file's diff is shown plain, when highlighting it would cost more than the budget: each
/// side's highlighter is fed the context lines and its own changed lines.
fn diff_costly(file: &FileDiff) -> Option<super::highlight::Costly<DiffLine>> {
    let old_syntax = syntax_for_path(file.old_path.as_deref().unwrap_or(file.path()));
    let new_syntax = syntax_for_path(file.path());
    if old_syntax.is_none() && new_syntax.is_none() {
        return None;
    }
    let mut budget = Budget::new();
    for hunk in file.hunks.iter().filter(|h| h.malformed.is_none()) {
        for line in &hunk.lines {
            let (old, new) = match line.kind {
                LineKind::Context => (true, true),
                LineKind::Removed => (true, false),
                LineKind::Added => (false, true),
                LineKind::NoNewline | LineKind::Raw => (false, false),
            };
            if old && old_syntax.is_some() {
                budget.add(
                    &line.text,
                    DiffLine {
                        number: line.old_no,
                        old: true,
                    },
                );
            }
            if new && new_syntax.is_some() {
                budget.add(
                    &line.text,
                    DiffLine {
                        number: line.new_no,
                        old: false,
                    },
                );
            }
        }
    }
    budget.over()
}

/// Whether a file's diff is shown plain because highlighting it would cost more than the
/// budget ([`Budget`]), as [`diff_html`] decides it.
pub fn too_costly_to_highlight(file: &FileDiff) -> bool {
    diff_costly(file).is_some()
}

fn file_html(file: &FileDiff, out: &mut String) {
    let collapsed = file.lines > COLLAPSE_LINES || file.bytes > COLLAPSE_BYTES;
    out.push_str(if collapsed {
        r#"<details class="file">"#
    } else {
        r#"<details class="file" open>"#
    });
    out.push_str(&format!("<summary>{}</summary>", file_title(file)));
    if file.bytes > MAX_FILE_BYTES {
        out.push_str(&format!(
            r#"<p class="notice">This file's diff is {} ({} lines): too large to render (limit {}).</p></details>"#,
            human_size(file.bytes),
            file.lines,
            human_size(MAX_FILE_BYTES)
        ));
        return;
    }
    // The file's header lines as written (`diff --git`, `index`, modes, `---`/`+++`): the
    // summary shows what they say, this what they are.
    let header = |out: &mut String| {
        if !file.header.is_empty() {
            out.push_str(r#"<pre class="meta">"#);
            out.push_str(&escape_html(&file.header.join("\n")));
            out.push_str("</pre>");
        }
    };
    if file.binary && file.hunks.is_empty() {
        out.push_str(r#"<p class="muted">Binary file: no text diff.</p>"#);
        header(out);
        out.push_str("</details>");
        return;
    }
    if collapsed {
        out.push_str(&format!(
            r#"<p class="muted">Large diff ({}, {} lines): collapsed.</p>"#,
            human_size(file.bytes),
            file.lines
        ));
    }
    let costly = diff_costly(file);
    if let Some(costly) = &costly {
        out.push_str(&format!(
            r#"<p class="notice">{}</p>"#,
            escape_html(&costly.notice())
        ));
    }
    header(out);
    // Each line is a block-level span (see the stylesheet), so no newline goes between them.
    // Two highlighters: the old file's lines (context and removed) and the new file's
    // (context and added), so each side keeps a correct parser state.
    let highlighter =
        |path: &str| LineHighlighter::new(syntax_for_path(path).filter(|_| costly.is_none()));
    let mut old_hl = highlighter(file.old_path.as_deref().unwrap_or(file.path()));
    let mut new_hl = highlighter(file.path());
    out.push_str(r#"<pre class="diff s-code"><code>"#);
    for hunk in &file.hunks {
        out.push_str(&format!(
            r#"<span class="l hunk">{}</span>"#,
            escape_html(&hunk.header)
        ));
        if let Some(reason) = &hunk.malformed {
            out.push_str(&format!(
                r#"<span class="l notice">This hunk could not be read ({}); it is shown as written.</span>"#,
                escape_html(reason)
            ));
            for line in &hunk.lines {
                let marker = line.kind.marker();
                out.push_str(&format!(
                    r#"<span class="l raw">{}{}</span>"#,
                    marker,
                    escape_html(&line.text)
                ));
            }
            continue;
        }
        let marks = hunk_marks(&hunk.lines);
        let mut extra = hunk.extra.as_deref();
        for (line, marks) in hunk.lines.iter().zip(&marks) {
            // Lines past the declared counts are `Raw` (the only ones in a readable hunk).
            if line.kind == LineKind::Raw
                && let Some(reason) = extra.take()
            {
                out.push_str(&format!(
                    r#"<span class="l notice">This hunk's header does not count every line: {}; they are shown as written, not counted as changes.</span>"#,
                    escape_html(reason)
                ));
            }
            let (class, marker, code) = match line.kind {
                LineKind::Context => {
                    let code = new_hl.line(&line.text, &[]);
                    old_hl.line(&line.text, &[]);
                    ("ctx", " ", code)
                }
                LineKind::Added => ("add", "+", new_hl.line(&line.text, marks)),
                LineKind::Removed => ("del", "-", old_hl.line(&line.text, marks)),
                LineKind::NoNewline => ("meta", "\\", escape_html(&line.text)),
                LineKind::Raw => ("raw", "", escape_html(&line.text)),
            };
            out.push_str(&format!(
                r#"<span class="l {class}"><span class="ln">{}</span><span class="ln">{}</span><span class="mk">{marker}</span>{code}</span>"#,
                line_no(line.old_no),
                line_no(line.new_no),
            ));
        }
    }
    out.push_str("</code></pre></details>");
}

/// A unified diff, file by file. `link` is the commit on GitHub, when known.
pub fn diff_html(text: &str, link: Option<&str>) -> String {
    let parts = [
        "diff",
        text,
        if link.is_some() { "link" } else { "no link" },
        link.unwrap_or_default(),
    ];
    super::highlight::memoized(&parts, || diff_html_uncached(text, link))
}

fn diff_html_uncached(text: &str, link: Option<&str>) -> String {
    let patch = diff::parse(text);
    let mut out = String::with_capacity(text.len() * 4 + 200);
    out.push_str(r#"<div class="diff">"#);
    let additions: usize = patch.files.iter().map(|f| f.additions).sum();
    let deletions: usize = patch.files.iter().map(|f| f.deletions).sum();
    out.push_str(&format!(
        r#"<p class="diffstat">{} file{} changed, <span class="plus">+{additions}</span> <span class="minus">−{deletions}</span>{}</p>"#,
        patch.files.len(),
        if patch.files.len() == 1 { "" } else { "s" },
        match link.filter(|l| is_web_url(l)) {
            Some(url) => format!(
                r#" · <a href="{}" rel="nofollow noopener noreferrer">on GitHub</a>"#,
                escape_html(url)
            ),
            None => String::new(),
        }
    ));
    if !patch.preamble.iter().all(|l| l.trim().is_empty()) {
        out.push_str(r#"<pre class="preamble">"#);
        out.push_str(&escape_html(&patch.preamble.join("\n")));
        out.push_str("</pre>");
    }
    for file in &patch.files {
        file_html(file, &mut out);
    }
    out.push_str("</div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_words_are_marked_on_both_sides() {
        let (old, new) = changed_words("let x = compute(1);", "let x = compute(2);").unwrap();
        assert_eq!(old, vec![16..17]);
        assert_eq!(new, vec![16..17]);
        let (old, new) = changed_words(
            "    lambda: delay(instance.team_id)",
            "    lambda: delay(instance.team_id, include_payloads=True)",
        )
        .unwrap();
        assert!(old.is_empty());
        assert_eq!(new, vec![34..57]); // ", include_payloads=True"
        assert!(changed_words("alpha beta gamma", "one two three").is_none());
    }

    #[test]
    fn large_files_collapse_and_huge_ones_are_not_rendered() {
        let body: String = (0..450).map(|i| format!("+line {i}\n")).collect();
        let big = format!("--- a/x.txt\n+++ b/x.txt\n@@ -0,0 +1,450 @@\n{body}");
        let html = diff_html(&big, None);
        assert!(html.contains(r#"<details class="file">"#), "collapsed");
        assert!(html.contains("collapsed"));
        let small = diff_html("--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-a\n+b\n", None);
        assert!(small.contains(r#"<details class="file" open>"#));

        let line = "x".repeat(1000);
        let huge_body: String = (0..600).map(|_| format!("+{line}\n")).collect();
        let huge = format!("--- a/x.txt\n+++ b/x.txt\n@@ -0,0 +1,600 @@\n{huge_body}");
        let html = diff_html(&huge, None);
        assert!(html.contains("too large to render"), "{}", &html[..400]);
        assert!(
            !html.contains(&line),
            "the huge file's lines are not in the page"
        );
    }

    #[test]
    fn long_lines_are_not_highlighted() {
        let long = format!("let s = \"{}\";", "a".repeat(2_100));
        let html = diff_html(
            &format!("--- a/x.rs\n+++ b/x.rs\n@@ -0,0 +1,2 @@\n+{long}\n+let y = 1;\n"),
            None,
        );
        let lines: Vec<&str> = html.split(r#"<span class="l "#).collect();
        let long_line = lines.iter().find(|l| l.contains("aaaa")).unwrap();
        assert!(!long_line.contains("s-keyword"), "the long line is plain");
        let short_line = lines
            .iter()
            .find(|l| l.contains("y</span>") || l.contains(" y "))
            .unwrap();
        assert!(
            short_line.contains("s-"),
            "the short line is highlighted: {short_line}"
        );
    }
}
