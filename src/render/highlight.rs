//! Syntax highlighting at build time with syntect and bat's syntax collection (two-face), as
//! CSS classes, so one stylesheet serves the light and the dark theme. The syntax set is loaded
//! once per process from its pre-built dump. Output is per line with balanced spans, so lines
//! can carry line numbers, diff markers and intra-line marks of their own.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, css_for_theme_with_class_style};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};

use super::text::escape_html_into;

/// Lines longer than this are shown plain and not fed to the parser (GitHub's and diff2html's
/// guard against pathological highlighting time). It does not bound the time by itself: see
/// [`Budget`].
pub const MAX_HIGHLIGHT_LINE: usize = 2_000;

/// The work a snippet may spend on highlighting, in [`line_work`] units: this much…
pub const WORK_BASE: u64 = 1 << 24;
/// …plus this much per byte of the lines it highlights. Together with [`WORK_BASE`] this keeps
/// every snippet of ordinary code (lines of up to about a thousand characters, indentation
/// and aligned columns) highlighted, and bounds the time of the worst one.
pub const WORK_PER_BYTE: u64 = 1 << 15;
/// Weight of a line's squared length in [`line_work`]: on long lines of ordinary text the
/// slowest grammars (Less, log files) take time quadratic in the length, about this many
/// times a run's cubic unit.
const QUADRATIC: u64 = 32;

/// What makes a line costly to highlight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// A run of `len` bytes of one kind of character (`what`: "spaces", "tabs", "whitespace
    /// characters", "word characters" or one character, quoted).
    Run { len: usize, what: String },
    /// The line's length in bytes.
    Length(usize),
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cause::Run { len, what } => write!(f, "has a run of {} {what}", thousands(*len)),
            Cause::Length(len) => write!(f, "is {} characters long", thousands(*len)),
        }
    }
}

/// `1999` → `1,999`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A deterministic estimate of the work of highlighting one line (its text, without its
/// newline), and what dominates it.
///
/// Why these terms: syntect tries each pattern of a grammar at each position of a line, and
/// Oniguruma backtracks. Patterns such as INI's `^(\s*(["']?)(.+?)(\2)\s*(=))?\s*…` or
/// SystemVerilog's `\s*(?=(\s*\[.*?\]\s*)*…)` try every way to split a run of characters
/// that two or three of their quantifiers accept (whitespace, word characters, one repeated
/// punctuation character): the time grows with the cube of the run's length (1,999 spaces and
/// an `x`: 11 s as INI, 17 s as SystemVerilog). So each run counts `r³`. Some grammars are also
/// quadratic in the length of a line of ordinary text, hence [`QUADRATIC`]` × L²`. Measured on
/// every grammar of the set, one unit is about 2 ns at worst.
pub fn line_work(line: &str) -> (u64, Cause) {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Kind {
        Space,
        Word,
        Other(char),
    }
    let kind = |c: char| {
        if c.is_whitespace() {
            Kind::Space
        } else if c.is_alphanumeric() || c == '_' {
            Kind::Word
        } else {
            Kind::Other(c)
        }
    };
    let len = line.len() as u64 + 1;
    let mut runs: u64 = 0;
    // The longest run: (start, end, kind).
    let mut longest: Option<(usize, usize, Kind)> = None;
    let mut current: Option<(usize, Kind)> = None;
    let mut close = |start: usize, end: usize, k: Kind| {
        let r = (end - start) as u64;
        runs = runs.saturating_add(r.saturating_mul(r).saturating_mul(r));
        if longest.is_none_or(|(s, e, _)| end - start > e - s) {
            longest = Some((start, end, k));
        }
    };
    for (i, c) in line.char_indices() {
        let k = kind(c);
        match current {
            Some((_, open)) if open == k => {}
            Some((start, open)) => {
                close(start, i, open);
                current = Some((i, k));
            }
            None => current = Some((i, k)),
        }
    }
    if let Some((start, open)) = current {
        close(start, line.len(), open);
    }
    let quadratic = QUADRATIC.saturating_mul(len).saturating_mul(len);
    let cause = match longest {
        Some((start, end, k)) if runs > quadratic => {
            let run = &line[start..end];
            let what = match k {
                Kind::Space if run.bytes().all(|b| b == b' ') => "spaces".to_string(),
                Kind::Space if run.bytes().all(|b| b == b'\t') => "tabs".to_string(),
                Kind::Space => "whitespace characters".to_string(),
                Kind::Word => "word characters".to_string(),
                Kind::Other(c) => format!("{c:?} characters"),
            };
            Cause::Run {
                len: end - start,
                what,
            }
        }
        _ => Cause::Length(line.len()),
    };
    (quadratic.saturating_add(runs), cause)
}

/// Highlighting work of one snippet (a code reference, or one file of a diff), counted line
/// by line before anything is highlighted: the snippet is highlighted only when the total
/// stays within [`WORK_BASE`] + [`WORK_PER_BYTE`] × its bytes, and is otherwise shown plain
/// with [`Costly`] saying why. A pure function of the text, so the same rows give the same
/// pages on any machine, however fast. `T` labels lines for the notice (a line number).
pub struct Budget<T> {
    work: u64,
    bytes: u64,
    /// The costliest line so far: its work, label and cause.
    worst: Option<(u64, T, Cause)>,
}

/// Why a snippet is shown plain: its costliest line (by label) and what makes it costly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Costly<T> {
    pub line: T,
    pub cause: Cause,
}

impl<T: Clone> Budget<T> {
    pub fn new() -> Budget<T> {
        Budget {
            work: 0,
            bytes: 0,
            worst: None,
        }
    }

    /// Counts one line that a highlighter will be fed. Lines over [`MAX_HIGHLIGHT_LINE`] are
    /// not fed to the parser: they cost nothing and buy nothing.
    pub fn add(&mut self, line: &str, label: T) {
        if line.len() > MAX_HIGHLIGHT_LINE {
            return;
        }
        let (work, cause) = line_work(line);
        self.work = self.work.saturating_add(work);
        self.bytes += line.len() as u64 + 1;
        if self.worst.as_ref().is_none_or(|(w, _, _)| work > *w) {
            self.worst = Some((work, label, cause));
        }
    }

    /// `None` when the lines counted so far may be highlighted.
    pub fn over(&self) -> Option<Costly<T>> {
        let allowed = WORK_BASE.saturating_add(WORK_PER_BYTE.saturating_mul(self.bytes));
        if self.work <= allowed {
            return None;
        }
        self.worst.as_ref().map(|(_, line, cause)| Costly {
            line: line.clone(),
            cause: cause.clone(),
        })
    }
}

impl<T: Clone> Default for Budget<T> {
    fn default() -> Self {
        Budget::new()
    }
}

impl<T: std::fmt::Display> Costly<T> {
    /// The notice shown above the snippet.
    pub fn notice(&self) -> String {
        format!(
            "Shown without syntax highlighting: too costly to highlight (line {} {}).",
            self.line, self.cause
        )
    }
}

const PREFIX: &str = "s-";
const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: PREFIX };

pub fn syntax_set() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// The syntax for a file path: by file name (`Dockerfile`, `Makefile`), then by extension.
pub fn syntax_for_path(path: &str) -> Option<&'static SyntaxReference> {
    let set = syntax_set();
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    if name.is_empty() {
        return None;
    }
    set.find_syntax_by_extension(name)
        .or_else(|| {
            let (_, ext) = name.rsplit_once('.')?;
            set.find_syntax_by_extension(ext)
        })
        .filter(|s| s.name != "Plain Text")
}

/// The stylesheet for highlighted code: a light theme, and a dark one under
/// `prefers-color-scheme: dark`. Each theme sits in its own media block, so no rule of one
/// leaks into the other (a light theme's dark text on the dark background).
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let css = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|theme| css_for_theme_with_class_style(theme, STYLE).ok())
            .unwrap_or_default()
    };
    format!(
        "/* Syntax highlighting (syntect): InspiredGitHub, and base16-ocean.dark in dark mode. */\n@media not all and (prefers-color-scheme: dark) {{\n{}}}\n@media (prefers-color-scheme: dark) {{\n{}}}\n",
        css("InspiredGitHub"),
        css("base16-ocean.dark")
    )
}

thread_local! {
    /// Class attribute text per scope (`s-keyword s-control s-rust`): syntect looks scope names
    /// up behind a global lock, so each render thread keeps its own copy.
    static CLASSES: RefCell<HashMap<Scope, Rc<str>>> = RefCell::new(HashMap::new());
}

fn classes(scope: Scope) -> Rc<str> {
    CLASSES.with(|cache| {
        cache
            .borrow_mut()
            .entry(scope)
            .or_insert_with(|| {
                let name = scope.build_string();
                let mut out = String::with_capacity(name.len() + 8);
                for (i, atom) in name.split('.').enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(PREFIX);
                    out.push_str(atom);
                }
                Rc::from(out)
            })
            .clone()
    })
}

/// Highlights one file's lines in order, keeping the parser state between lines.
pub struct LineHighlighter {
    state: Option<(ParseState, ScopeStack)>,
}

impl LineHighlighter {
    /// `None` syntax: every line comes out plain (escaped).
    pub fn new(syntax: Option<&SyntaxReference>) -> LineHighlighter {
        LineHighlighter {
            state: syntax.map(|s| (ParseState::new(s), ScopeStack::new())),
        }
    }

    pub fn for_path(path: &str) -> LineHighlighter {
        LineHighlighter::new(syntax_for_path(path))
    }

    /// One line (without its newline) as HTML with balanced spans; `marks` are byte ranges to
    /// wrap in `<mark>` (changed words of a changed line).
    pub fn line(&mut self, text: &str, marks: &[Range<usize>]) -> String {
        let mut out = Writer::new(text, marks);
        let Some((state, stack)) = self
            .state
            .as_mut()
            .filter(|_| text.len() <= MAX_HIGHLIGHT_LINE)
        else {
            out.chunk(0..text.len(), &[]);
            return out.finish();
        };
        let line = format!("{text}\n");
        let ops = match state.parse_line(&line, syntax_set()) {
            Ok(ops) => ops,
            Err(_) => {
                // The grammar failed on this input: plain text from here on.
                self.state = None;
                out.chunk(0..text.len(), &[]);
                return out.finish();
            }
        };
        let mut pos = 0;
        let mut current: Vec<Rc<str>> = stack.as_slice().iter().map(|s| classes(*s)).collect();
        for (at, op) in ops {
            let at = at.min(text.len());
            if at > pos {
                out.chunk(pos..at, &current);
                pos = at;
            }
            if stack.apply(&op).is_err() {
                break;
            }
            current = stack.as_slice().iter().map(|s| classes(*s)).collect();
        }
        if pos < text.len() {
            out.chunk(pos..text.len(), &current);
        }
        out.finish()
    }
}

/// Writes one line: nested `<span class>` per scope, reopened only where the scope stack
/// changes, and `<mark>` around marked ranges (outside the spans, so nothing overlaps).
struct Writer<'a> {
    text: &'a str,
    marks: &'a [Range<usize>],
    html: String,
    open: Vec<Rc<str>>,
    in_mark: bool,
}

impl<'a> Writer<'a> {
    fn new(text: &'a str, marks: &'a [Range<usize>]) -> Writer<'a> {
        Writer {
            text,
            marks,
            html: String::with_capacity(text.len() * 3),
            open: Vec::new(),
            in_mark: false,
        }
    }

    fn chunk(&mut self, range: Range<usize>, stack: &[Rc<str>]) {
        // Split at mark boundaries.
        let mut cuts = vec![range.start, range.end];
        for m in self.marks {
            for b in [m.start, m.end] {
                if b > range.start && b < range.end {
                    cuts.push(b);
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for pair in cuts.windows(2) {
            let (start, end) = (pair[0], pair[1]);
            let Some(piece) = self.text.get(start..end) else {
                continue;
            };
            let marked = self.marks.iter().any(|m| m.start <= start && end <= m.end);
            if marked != self.in_mark {
                self.close_spans(0);
                self.html
                    .push_str(if marked { "<mark>" } else { "</mark>" });
                self.in_mark = marked;
            }
            let common = self
                .open
                .iter()
                .zip(stack)
                .take_while(|(a, b)| a == b)
                .count();
            self.close_spans(common);
            for class in &stack[common..] {
                self.html.push_str("<span class=\"");
                self.html.push_str(class);
                self.html.push_str("\">");
                self.open.push(class.clone());
            }
            escape_html_into(&mut self.html, piece);
        }
    }

    fn close_spans(&mut self, keep: usize) {
        while self.open.len() > keep {
            self.open.pop();
            self.html.push_str("</span>");
        }
    }

    fn finish(mut self) -> String {
        self.close_spans(0);
        if self.in_mark {
            self.html.push_str("</mark>");
        }
        self.html
    }
}

/// Highlighted HTML kept for the rest of the process, so that a snippet met again (the same
/// code quoted by several reports, the same diff as a commit and as a `code_diff`) is
/// highlighted once per build. Keyed by SHA-256 of everything that shapes the HTML; bounded:
/// once [`MEMO_BYTES`] are kept, new snippets are rendered without being kept.
pub fn memoized(parts: &[&str], render: impl FnOnce() -> String) -> String {
    use sha2::{Digest, Sha256};
    use std::collections::HashMap;
    use std::sync::Mutex;

    struct Memo {
        kept: HashMap<[u8; 32], std::sync::Arc<str>>,
        bytes: usize,
    }
    static MEMO: OnceLock<Mutex<Memo>> = OnceLock::new();
    let memo = MEMO.get_or_init(|| {
        Mutex::new(Memo {
            kept: HashMap::new(),
            bytes: 0,
        })
    });
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    let key: [u8; 32] = h.finalize().into();
    if let Some(html) = memo.lock().ok().and_then(|m| m.kept.get(&key).cloned()) {
        return html.to_string();
    }
    let html = render();
    if let Ok(mut m) = memo.lock()
        && m.bytes + html.len() <= MEMO_BYTES
    {
        m.bytes += html.len();
        m.kept.insert(key, std::sync::Arc::from(html.as_str()));
    }
    html
}

/// The most highlighted HTML [`memoized`] keeps.
pub const MEMO_BYTES: usize = 16 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::text::escape_html;

    #[test]
    fn languages_are_found_by_path() {
        for (path, name) in [
            ("posthog/models/user.py", "Python"),
            ("src/main.rs", "Rust"),
            ("frontend/src/scene.ts", "TypeScript"),
            ("frontend/src/Scene.tsx", "TypeScriptReact"),
            ("Cargo.toml", "TOML"),
            ("docker/Dockerfile", "Dockerfile"),
            ("query.sql", "SQL"),
            ("main.go", "Go"),
            (".github/workflows/ci.yml", "YAML"),
        ] {
            assert_eq!(
                syntax_for_path(path).map(|s| s.name.as_str()),
                Some(name),
                "{path}"
            );
        }
        assert!(syntax_for_path("notes.unknownext").is_none());
        assert!(syntax_for_path("").is_none());
    }

    #[test]
    fn lines_are_balanced_and_escaped() {
        let mut h = LineHighlighter::for_path("a.rs");
        let one = h.line("fn main() { let s = \"<b>\";", &[]);
        let two = h.line("  /* open comment", &[]);
        let three = h.line("still comment */ }", &[]);
        for line in [&one, &two, &three] {
            assert_eq!(
                line.matches("<span").count(),
                line.matches("</span>").count(),
                "{line}"
            );
        }
        assert!(one.contains("s-keyword"), "{one}");
        assert!(one.contains("&lt;b&gt;"), "{one}");
        // The comment opened on line two is still a comment on line three.
        assert!(three.contains("s-comment"), "{three}");
    }

    #[test]
    fn marks_wrap_changed_ranges_outside_spans() {
        let mut h = LineHighlighter::for_path("a.py");
        let marks = [Range { start: 4, end: 11 }];
        let html = h.line("x = compute(1)", &marks);
        assert_eq!(html.matches("<mark>").count(), 1, "{html}");
        assert_eq!(html.matches("</mark>").count(), 1, "{html}");
        let inside = &html[html.find("<mark>").unwrap()..html.find("</mark>").unwrap()];
        assert_eq!(
            inside.matches("<span").count(),
            inside.matches("</span>").count(),
            "{html}"
        );
    }

    #[test]
    fn identical_snippets_are_highlighted_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let calls = AtomicUsize::new(0);
        let render = || {
            calls.fetch_add(1, Ordering::SeqCst);
            "<span>x</span>".to_string()
        };
        let parts = [
            "test",
            "identical_snippets_are_highlighted_once",
            "let x = 1;",
        ];
        let first = memoized(&parts, render);
        let second = memoized(&parts, render);
        assert_eq!(first, second);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // A different part (even one moved across a boundary) is a different snippet.
        memoized(
            &[
                "test",
                "identical_snippets_are_highlighted_onc",
                "elet x = 1;",
            ],
            render,
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn work_is_estimated_from_the_text_alone() {
        let spaces = format!("{}x", " ".repeat(1999));
        let (work, cause) = line_work(&spaces);
        assert_eq!(work, 32 * 2001 * 2001 + 1999u64.pow(3) + 1);
        assert_eq!(
            cause,
            Cause::Run {
                len: 1999,
                what: "spaces".to_string()
            }
        );
        let cases = [
            (format!("a{}b", "\t".repeat(300)), "has a run of 300 tabs"),
            (
                format!("={}=", " \t".repeat(200)),
                "has a run of 400 whitespace characters",
            ),
            ("ab".repeat(300), "has a run of 600 word characters"),
            ("[".repeat(500), "has a run of 500 '[' characters"),
            ("x = f(a, b); ".repeat(100), "is 1,300 characters long"),
        ];
        for (line, said) in cases {
            assert_eq!(line_work(&line).1.to_string(), said, "{line:?}");
        }
        assert!(line_work("    let x = compute(1);").0 < 32 * 25 * 25 + 1_000);
    }

    #[test]
    fn ordinary_snippets_fit_the_budget_and_long_runs_do_not() {
        // A thousand lines of ordinary code, indented and with aligned comments.
        let mut budget = Budget::new();
        for n in 0..1000 {
            budget.add(
                &format!("        let value_{n} = compute(a, b);            // note {n}"),
                n,
            );
        }
        assert_eq!(budget.over(), None);
        // One line of 1,999 spaces among them: the whole snippet is over, and says which line.
        budget.add(&format!("{}x", " ".repeat(1999)), 1000);
        let costly = budget.over().expect("over the budget");
        assert_eq!(costly.line, 1000);
        assert_eq!(
            costly.notice(),
            "Shown without syntax highlighting: too costly to highlight (line 1000 has a run of 1,999 spaces)."
        );
        // Lines the highlighter is not fed cost nothing and buy nothing.
        let mut budget = Budget::new();
        budget.add(&"y".repeat(MAX_HIGHLIGHT_LINE + 1), 1);
        budget.add(&" ".repeat(400), 2);
        assert_eq!(budget.over().map(|c| c.line), Some(2));
        // The same lines, the same answer: nothing but the text counts.
        let lines = ["a", "  b", &"c".repeat(700)];
        let run = || {
            let mut b = Budget::new();
            for (n, l) in lines.iter().enumerate() {
                b.add(l, n);
            }
            b.over()
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn long_and_unknown_lines_are_plain() {
        let mut h = LineHighlighter::for_path("a.rs");
        let long = "let x = 1;".repeat(300);
        assert_eq!(h.line(&long, &[]), escape_html(&long));
        let mut plain = LineHighlighter::for_path("a.unknownext");
        assert_eq!(plain.line("<x>", &[]), "&lt;x&gt;");
    }
}
