//! HTML for code: highlighted code references with line numbers, and unified diffs (per file:
//! header with counts, old and new line numbers, highlighted code, changed words marked),
//! guarded the way GitHub guards large diffs.
//!
//! The markup per line is as small as it can be while each line keeps its numbers: a line
//! starts with an empty `<i>` whose `data-o`/`data-n` attributes the stylesheet shows (GitHub's
//! `data-line-number` and `::before`), so numbers and `+`/`-` markers are visible but are not
//! text (not selected, not copied). A diff line is one element: `<ins>` added, `<del>` removed,
//! `<span>` context. Everything is written in place into one `String`.

use std::fmt::Write as _;
use std::ops::Range;

use rayon::prelude::*;

use super::diff::{self, FileDiff, FileStatus, LineKind};
use super::highlight::{Budget, LineHighlighter, syntax_for_path};
use super::links;
use super::text::{escape_html_into, human_size, is_web_url};

/// A file's diff starts collapsed above this many lines…
pub const COLLAPSE_LINES: usize = 400;
/// …or this many bytes (GitHub's auto-load limits).
pub const COLLAPSE_BYTES: usize = 20 * 1024;
/// A file's diff above this size is not rendered at all (GitHub's per-file limit).
pub const MAX_FILE_BYTES: usize = 500 * 1024;
/// Changed lines longer than this get no word-level marks (the comparison is quadratic-ish).
const MAX_INTRALINE: usize = 500;

fn link_or_code(out: &mut String, text: &str, url: Option<&str>) {
    match url.filter(|u| is_web_url(u)) {
        Some(url) => {
            out.push_str(r#"<a href=""#);
            escape_html_into(out, url);
            out.push_str(r#"" rel="nofollow noopener noreferrer"><code>"#);
            escape_html_into(out, text);
            out.push_str("</code></a>");
        }
        None => {
            out.push_str("<code>");
            escape_html_into(out, text);
            out.push_str("</code>");
        }
    }
}

/// A visible notice above a snippet.
fn notice(out: &mut String, text: &str) {
    out.push_str(r#"<p class="notice">"#);
    escape_html_into(out, text);
    out.push_str("</p>");
}

/// The start of a numbered line: an empty `<i>` carrying the old and the new line number.
fn gutter(out: &mut String, old: Option<u64>, new: Option<i64>) {
    out.push_str("<i");
    if let Some(n) = old {
        let _ = write!(out, " data-o={n}");
    }
    if let Some(n) = new {
        let _ = write!(out, " data-n={n}");
    }
    out.push_str("></i>");
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
    let budget = syntax.map(|_| {
        let mut budget = Budget::new();
        for (n, line) in lines.iter().enumerate() {
            budget.add(line, start_line.saturating_add(n as i64));
        }
        budget
    });
    let costly = budget.as_ref().and_then(Budget::over);
    let mut highlighter = LineHighlighter::new(syntax.filter(|_| costly.is_none()));
    let mut out = String::with_capacity(text.len() * 2 + 200);
    out.push_str(r#"<figure class="code">"#);
    if let Some(path) = path {
        let end = start_line.saturating_add(lines.len() as i64 - 1);
        out.push_str("<figcaption>");
        link_or_code(&mut out, path, link);
        let _ = if end > start_line {
            write!(out, " lines {start_line}–{end}</figcaption>")
        } else {
            write!(out, " line {start_line}</figcaption>")
        };
    }
    match (&costly, &budget) {
        (Some(costly), _) => notice(&mut out, &costly.notice()),
        (None, Some(budget)) => {
            if let Some(long) = budget.long_line() {
                notice(&mut out, &long);
            }
        }
        (None, None) => {}
    }
    out.push_str(r#"<pre tabindex="0" class="hl"><code>"#);
    for (n, line) in lines.iter().enumerate() {
        gutter(&mut out, None, Some(start_line.saturating_add(n as i64)));
        highlighter.line_into(&mut out, line, &[]);
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

fn counts(out: &mut String, additions: usize, deletions: usize) {
    let _ = write!(
        out,
        r#"<span class="plus">+{additions}</span> <span class="minus">−{deletions}</span>"#
    );
}

fn file_title(out: &mut String, file: &FileDiff) {
    out.push_str("<code>");
    escape_html_into(out, file.path());
    out.push_str("</code>");
    match file.status {
        FileStatus::Renamed | FileStatus::Copied => {
            let verb = if file.status == FileStatus::Renamed {
                "renamed"
            } else {
                "copied"
            };
            if let Some(old) = &file.old_path {
                let _ = write!(out, r#" <span class="muted">{verb} from <code>"#);
                escape_html_into(out, old);
                out.push_str("</code></span>");
            }
        }
        FileStatus::Added => out.push_str(r#" <span class="badge">new file</span>"#),
        FileStatus::Deleted => out.push_str(r#" <span class="badge">deleted</span>"#),
        FileStatus::Modified => {}
    }
    if file.binary {
        out.push_str(r#" <span class="badge">binary</span>"#);
    }
    out.push(' ');
    counts(out, file.additions, file.deletions);
}

/// Whether a header line only repeats what the file's title says (its path): `diff --git a/P
/// b/P`, `--- a/P`, `+++ b/P` and `/dev/null` for an added or deleted file, written exactly so.
/// Every other header line (`index`, modes, renames, timestamps) is shown as written.
fn repeats_title(line: &str, file: &FileDiff) -> bool {
    let side = |rest: &str, path: &Option<String>, prefix: &str| match path {
        Some(p) => rest.strip_prefix(prefix).unwrap_or(rest) == p,
        None => rest == "/dev/null",
    };
    if let Some(rest) = line.strip_prefix("--- ") {
        side(rest, &file.old_path, "a/")
    } else if let Some(rest) = line.strip_prefix("+++ ") {
        side(rest, &file.new_path, "b/")
    } else if let Some(rest) = line.strip_prefix("diff --git ") {
        match (&file.old_path, &file.new_path) {
            (Some(old), Some(new)) => rest == format!("a/{old} b/{new}"),
            (Some(p), None) | (None, Some(p)) => rest == format!("a/{p} b/{p}"),
            (None, None) => false,
        }
    } else {
        false
    }
}

/// Whether a diff is exactly one file at `path`, whose title then names it (a card showing
/// the diff need not name the file again).
pub fn names_only(text: &str, path: &str) -> bool {
    let patch = diff::parse(text);
    matches!(patch.files.as_slice(), [file] if file.path() == path)
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
/// side's highlighter is fed the context lines and its own changed lines. Also the notice for
/// lines over the highlighter's length guard, when there are some ([`Budget::long_line`]).
fn diff_costly(file: &FileDiff) -> (Option<super::highlight::Costly<DiffLine>>, Option<String>) {
    let old_syntax = syntax_for_path(file.old_path.as_deref().unwrap_or(file.path()));
    let new_syntax = syntax_for_path(file.path());
    if old_syntax.is_none() && new_syntax.is_none() {
        return (None, None);
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
    (budget.over(), budget.long_line())
}

/// Whether a file's diff is shown plain because highlighting it would cost more than the
/// budget ([`Budget`]), as [`diff_html`] decides it.
pub fn too_costly_to_highlight(file: &FileDiff) -> bool {
    diff_costly(file).0.is_some()
}

fn file_html(file: &FileDiff, id: &str, out: &mut String) {
    let collapsed = file.lines > COLLAPSE_LINES || file.bytes > COLLAPSE_BYTES;
    out.push_str(r#"<details class="file" id=""#);
    out.push_str(id);
    out.push_str(if collapsed { r#"">"# } else { r#"" open>"# });
    out.push_str("<summary>");
    file_title(out, file);
    out.push_str("</summary>");
    if file.bytes > MAX_FILE_BYTES {
        let _ = write!(
            out,
            r#"<p class="notice">This file's diff is {} ({} lines): too large to render (limit {}).</p></details>"#,
            human_size(file.bytes),
            file.lines,
            human_size(MAX_FILE_BYTES)
        );
        return;
    }
    // The file's header lines as written (`diff --git`, `index`, modes, `---`/`+++`), folded:
    // the summary shows what they say (the file is named once), this what they are. Open when
    // a line says more than the path (an index, a mode, a rename).
    let header = |out: &mut String| {
        if let Some((first, rest)) = file.header.split_first() {
            let open = file.header.iter().any(|l| !repeats_title(l, file));
            out.push_str(if open {
                r#"<details class="header" open>"#
            } else {
                r#"<details class="header">"#
            });
            out.push_str(r#"<summary>Header lines</summary><pre tabindex="0" class="meta">"#);
            escape_html_into(out, first);
            for line in rest {
                out.push('\n');
                escape_html_into(out, line);
            }
            out.push_str("</pre></details>");
        }
    };
    if file.binary && file.hunks.is_empty() {
        out.push_str(r#"<p class="muted">Binary file: no text diff.</p>"#);
        header(out);
        out.push_str("</details>");
        return;
    }
    if collapsed {
        let _ = write!(
            out,
            r#"<p class="muted">Large diff ({}, {} lines): collapsed.</p>"#,
            human_size(file.bytes),
            file.lines
        );
    }
    let (costly, long) = diff_costly(file);
    if let Some(costly) = &costly {
        notice(out, &costly.notice());
    } else if let Some(long) = &long {
        notice(out, long);
    }
    header(out);
    // Each line is a block-level element (see the stylesheet), so no newline goes between
    // them. Two highlighters: the old file's lines (context and removed) and the new file's
    // (context and added), so each side keeps a correct parser state. A context line is
    // highlighted once, by the new side: while both sides are known to be in the same state
    // (`shared`) the old one is not fed at all and takes the new one's state when a change
    // begins; otherwise it is fed the line parse-only, and the two are compared again.
    let highlighter =
        |path: &str| LineHighlighter::new(syntax_for_path(path).filter(|_| costly.is_none()));
    let mut old_hl = highlighter(file.old_path.as_deref().unwrap_or(file.path()));
    let mut new_hl = highlighter(file.path());
    let mut shared = old_hl.same_state(&new_hl);
    out.push_str(r#"<pre tabindex="0" class="diff hl"><code>"#);
    for hunk in &file.hunks {
        out.push_str("<span class=hunk>");
        escape_html_into(out, &hunk.header);
        out.push_str("</span>");
        if let Some(reason) = &hunk.malformed {
            out.push_str(r#"<span class="notice">This hunk could not be read ("#);
            escape_html_into(out, reason);
            out.push_str("); it is shown as written.</span>");
            for line in &hunk.lines {
                out.push_str("<span class=raw><i></i>");
                out.push_str(line.kind.marker());
                escape_html_into(out, &line.text);
                out.push_str("</span>");
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
                out.push_str(
                    r#"<span class="notice">This hunk's header does not count every line: "#,
                );
                escape_html_into(out, reason);
                out.push_str("; they are shown as written, not counted as changes.</span>");
            }
            let new_no = line.new_no.map(|n| n as i64);
            match line.kind {
                LineKind::Context => {
                    if !shared && old_hl.same_state(&new_hl) {
                        shared = true;
                    }
                    out.push_str("<span>");
                    gutter(out, line.old_no, new_no);
                    new_hl.line_into(out, &line.text, &[]);
                    if !shared {
                        old_hl.advance(&line.text);
                    }
                    out.push_str("</span>");
                }
                LineKind::Added | LineKind::Removed => {
                    if shared {
                        old_hl.copy_state_from(&new_hl);
                        shared = false;
                    }
                    let (tag, close, hl) = if line.kind == LineKind::Added {
                        ("<ins>", "</ins>", &mut new_hl)
                    } else {
                        ("<del>", "</del>", &mut old_hl)
                    };
                    out.push_str(tag);
                    gutter(out, line.old_no, new_no);
                    hl.line_into(out, &line.text, marks);
                    out.push_str(close);
                }
                LineKind::NoNewline => {
                    out.push_str("<span class=meta><i></i>\\");
                    escape_html_into(out, &line.text);
                    out.push_str("</span>");
                }
                LineKind::Raw => {
                    out.push_str("<span class=raw><i></i>");
                    escape_html_into(out, &line.text);
                    out.push_str("</span>");
                }
            }
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
    let mut out = String::with_capacity(text.len() * 2 + 200);
    out.push_str(r#"<div class="diff">"#);
    let additions: usize = patch.files.iter().map(|f| f.additions).sum();
    let deletions: usize = patch.files.iter().map(|f| f.deletions).sum();
    let _ = write!(
        out,
        r#"<p class="diffstat">{} file{} changed, "#,
        patch.files.len(),
        if patch.files.len() == 1 { "" } else { "s" },
    );
    counts(&mut out, additions, deletions);
    if let Some(url) = link.filter(|l| is_web_url(l)) {
        out.push_str(r#" · <a href=""#);
        escape_html_into(&mut out, url);
        out.push_str(r#"" rel="nofollow noopener noreferrer">on GitHub</a>"#);
    }
    out.push_str("</p>");
    // Files are told apart on a page by a digest of the diff's text (the same diff shown twice
    // on one page is the same content under the same anchors).
    let digest = links::diff_digest(text);
    let ids: Vec<String> = (1..=patch.files.len())
        .map(|n| links::diff_file_anchor(&digest, n))
        .collect();
    if patch.files.len() > 1 {
        out.push_str(r#"<ul class="files">"#);
        for (file, id) in patch.files.iter().zip(&ids) {
            out.push_str(r##"<li><a href="#"##);
            out.push_str(id);
            out.push_str(r#""><code>"#);
            escape_html_into(&mut out, file.path());
            out.push_str("</code></a> ");
            counts(&mut out, file.additions, file.deletions);
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    if !patch.preamble.iter().all(|l| l.trim().is_empty()) {
        out.push_str(r#"<pre tabindex="0" class="preamble">"#);
        escape_html_into(&mut out, &patch.preamble.join("\n"));
        out.push_str("</pre>");
    }
    // Files in parallel: one large diff uses every core of the pool it runs on.
    let files: Vec<String> = patch
        .files
        .par_iter()
        .zip(ids.par_iter())
        .map(|(file, id)| {
            let mut html = String::with_capacity(file.bytes * 2 + 200);
            file_html(file, id, &mut html);
            html
        })
        .collect();
    for html in files {
        out.push_str(&html);
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
        assert!(html.contains(r#"<details class="file" id="#), "{html}");
        assert!(!html.contains(" open>"), "collapsed");
        assert!(html.contains("collapsed"));
        let small = diff_html("--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-a\n+b\n", None);
        assert!(small.contains(r#"" open><summary>"#));

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
        let lines: Vec<&str> = html.split("<ins>").collect();
        let long_line = lines.iter().find(|l| l.contains("aaaa")).unwrap();
        assert!(!long_line.contains("<span"), "the long line is plain");
        let short_line = lines.iter().find(|l| l.contains(" y ")).unwrap();
        assert!(
            short_line.contains("<span class=k>let</span>"),
            "the short line is highlighted: {short_line}"
        );
        assert!(
            html.contains("Line 1 of the new file over 2,000 characters"),
            "{html}"
        );
    }

    fn parsed() -> usize {
        super::super::highlight::PARSED.with(|n| n.get())
    }

    #[test]
    fn a_context_line_is_highlighted_once() {
        let diff = "--- a/x.py\n+++ b/x.py\n@@ -1,6 +1,6 @@\n a = 1\n b = 2\n-c = 3\n+c = 4\n d = 5\n e = 6\n f = 7\n";
        let before = parsed();
        let html = diff_html_uncached(diff, None);
        // Seven lines shown: five context, one removed, one added; each parsed once.
        assert_eq!(parsed() - before, 7, "{html}");
        assert_eq!(html.matches("<span class=n>").count(), 7, "{html}");

        // Where the sides' states differ (a string opened on one side only), the old side is
        // fed the context lines parse-only until the states meet again, and each line is
        // shown as the new side reads it.
        let diff = "--- a/x.py\n+++ b/x.py\n@@ -1,4 +1,4 @@\n-s = \"\"\"\n+s = 1\n x = 2\n y = 3\n z = 4\n";
        let before = parsed();
        let html = diff_html_uncached(diff, None);
        assert_eq!(parsed() - before, 2 + 3 * 2, "{html}");
        assert!(html.contains("<span><i data-o=2 data-n=2></i>x <span class=k>= </span><span class=n>2</span></span>"), "{html}");
    }

    #[test]
    fn a_multi_file_diff_lists_its_files_and_names_each_once() {
        let diff = "diff --git a/a.py b/a.py\nindex 1..2 100644\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x\n+y\ndiff --git a/b.rs b/b.rs\n--- a/b.rs\n+++ b/b.rs\n@@ -1 +1,2 @@\n z\n+w\n";
        let html = diff_html_uncached(diff, None);
        let digest = links::diff_digest(diff);
        for (n, path, counts) in [
            (1, "a.py", "+1</span> <span class=\"minus\">−1"),
            (2, "b.rs", "+1</span> <span class=\"minus\">−0"),
        ] {
            let id = links::diff_file_anchor(&digest, n);
            assert!(
                html.contains(&format!(
                    "<li><a href=\"#{id}\"><code>{path}</code></a> <span class=\"plus\">{counts}"
                )),
                "{html}"
            );
            assert!(
                html.contains(&format!("<details class=\"file\" id=\"{id}\" open>")),
                "{html}"
            );
        }
        // The header lines are folded, and open only where they say more than the path.
        assert!(html.contains("<details class=\"header\" open><summary>Header lines</summary><pre tabindex=\"0\" class=\"meta\">diff --git a/a.py b/a.py\nindex 1..2 100644\n"), "{html}");
        assert!(html.contains("<details class=\"header\"><summary>Header lines</summary><pre tabindex=\"0\" class=\"meta\">diff --git a/b.rs b/b.rs\n--- a/b.rs\n+++ b/b.rs</pre>"), "{html}");
        assert!(names_only(
            "--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x\n+y\n",
            "a.py"
        ));
        assert!(!names_only(diff, "a.py"));
    }
}
