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

/// Lines longer than this are shown plain (GitHub's and diff2html's guard against pathological
/// highlighting time).
pub const MAX_HIGHLIGHT_LINE: usize = 2_000;

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
    fn long_and_unknown_lines_are_plain() {
        let mut h = LineHighlighter::for_path("a.rs");
        let long = "let x = 1;".repeat(300);
        assert_eq!(h.line(&long, &[]), escape_html(&long));
        let mut plain = LineHighlighter::for_path("a.unknownext");
        assert_eq!(plain.line("<x>", &[]), "&lt;x&gt;");
    }
}
