//! Syntax highlighting at build time with syntect and bat's syntax collection (two-face), as
//! CSS classes, so one stylesheet serves the light and the dark theme. The syntax set is loaded
//! once per process from its pre-built dump. Each token's scope stack is mapped to one short
//! class of a small palette ([`Class`]); runs of one class share one span and unstyled text is
//! bare. Output is per line with balanced spans, so lines can carry line numbers, diff markers
//! and intra-line marks of their own.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use syntect::parsing::{
    BasicScopeStackOp, ParseState, Scope, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet,
};

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
    /// The first line over [`MAX_HIGHLIGHT_LINE`], and how many there are.
    long: Option<(T, usize)>,
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
            long: None,
        }
    }

    /// Counts one line that a highlighter will be fed. Lines over [`MAX_HIGHLIGHT_LINE`] are
    /// not fed to the parser: they cost nothing and buy nothing.
    pub fn add(&mut self, line: &str, label: T) {
        if line.len() > MAX_HIGHLIGHT_LINE {
            match &mut self.long {
                Some((_, n)) => *n += 1,
                None => self.long = Some((label, 1)),
            }
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

impl<T: Clone + std::fmt::Display> Budget<T> {
    /// The notice for lines over [`MAX_HIGHLIGHT_LINE`], when there are any: each is shown
    /// plain, and the highlighter starts afresh after it ([`LineHighlighter::line_into`]), so
    /// the lines after one may be coloured as if a string or comment it opened or closed were
    /// not there.
    pub fn long_line(&self) -> Option<String> {
        let (first, n) = self.long.as_ref()?;
        let more = match n {
            1 => String::new(),
            2 => " and 1 more".to_string(),
            n => format!(" and {} more", thousands(n - 1)),
        };
        Some(format!(
            "Line {first}{more} over {} characters: shown without syntax highlighting, which starts afresh after it.",
            thousands(MAX_HIGHLIGHT_LINE)
        ))
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

/// The palette: every highlighted token gets one of these classes, chosen at build time from
/// its scope stack (GitHub's `pl-*` classes are the model: about fifteen, one colour each).
/// Text no class covers (identifiers, operators, punctuation) is written bare. The colours
/// are in `static/style.css`, next to the code and diff rules, for the light and dark themes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    Keyword,
    String,
    Comment,
    Constant,
    /// Names being defined or called: functions, classes, methods.
    Function,
    /// Parameters and language variables (`self`, `this`).
    Variable,
    /// Types: built-in and named.
    Type,
    /// Library functions and names the grammar knows (`support.*`).
    Support,
    Invalid,
    /// Markup tags (`div`, `span`).
    Tag,
    Attribute,
    Regex,
    Heading,
    Bold,
    Italic,
    Inserted,
    Deleted,
    Link,
}

impl Class {
    pub const ALL: [Class; 18] = [
        Class::Keyword,
        Class::String,
        Class::Comment,
        Class::Constant,
        Class::Function,
        Class::Variable,
        Class::Type,
        Class::Support,
        Class::Invalid,
        Class::Tag,
        Class::Attribute,
        Class::Regex,
        Class::Heading,
        Class::Bold,
        Class::Italic,
        Class::Inserted,
        Class::Deleted,
        Class::Link,
    ];

    /// The class attribute's value. None is a class the rest of the stylesheet uses, and the
    /// rules are scoped to highlighted code (`.hl`), so nothing else can collide with them.
    pub fn name(self) -> &'static str {
        match self {
            Class::Keyword => "k",
            Class::String => "s",
            Class::Comment => "c",
            Class::Constant => "n",
            Class::Function => "f",
            Class::Variable => "v",
            Class::Type => "t",
            Class::Support => "u",
            Class::Invalid => "x",
            Class::Tag => "g",
            Class::Attribute => "a",
            Class::Regex => "r",
            Class::Heading => "mh",
            Class::Bold => "mb",
            Class::Italic => "mi",
            Class::Inserted => "mn",
            Class::Deleted => "md",
            Class::Link => "ml",
        }
    }
}

/// What a scope does to the class of the text inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    /// Its text takes this class (the innermost scope with a rule decides).
    Class(Class),
    /// Its text is bare, whatever encloses it (code embedded in a string or a document).
    Plain,
    /// No rule: the class of the enclosing scope.
    Inherit,
}

/// Scope selectors (a prefix of atoms, TextMate style) and their rule; the longest prefix that
/// matches a scope wins. Built from the scope names of GitHub's `pl-*` mapping (the
/// `prettylights` syntax theme): keyword and storage as keywords, entity names as functions,
/// `support` as constants unless they name a function or a type.
const RULES: &[(&str, Rule)] = &[
    ("comment", Rule::Class(Class::Comment)),
    ("string", Rule::Class(Class::String)),
    ("string.regexp", Rule::Class(Class::Regex)),
    ("constant", Rule::Class(Class::Constant)),
    ("constant.other.placeholder", Rule::Class(Class::Constant)),
    ("keyword", Rule::Class(Class::Keyword)),
    ("storage", Rule::Class(Class::Keyword)),
    ("storage.type", Rule::Class(Class::Keyword)),
    ("entity", Rule::Class(Class::Function)),
    ("entity.name", Rule::Class(Class::Function)),
    ("entity.name.type", Rule::Class(Class::Type)),
    ("entity.name.tag", Rule::Class(Class::Tag)),
    ("entity.name.section", Rule::Class(Class::Heading)),
    ("entity.other.attribute-name", Rule::Class(Class::Attribute)),
    ("entity.other.inherited-class", Rule::Class(Class::Type)),
    ("variable", Rule::Inherit),
    ("variable.parameter", Rule::Class(Class::Variable)),
    ("variable.language", Rule::Class(Class::Variable)),
    ("variable.other.constant", Rule::Class(Class::Constant)),
    ("variable.function", Rule::Class(Class::Function)),
    ("support", Rule::Class(Class::Support)),
    ("support.type", Rule::Class(Class::Type)),
    ("support.class", Rule::Class(Class::Type)),
    ("support.constant", Rule::Class(Class::Constant)),
    ("support.function", Rule::Class(Class::Support)),
    ("invalid", Rule::Class(Class::Invalid)),
    ("markup.heading", Rule::Class(Class::Heading)),
    ("markup.bold", Rule::Class(Class::Bold)),
    ("markup.italic", Rule::Class(Class::Italic)),
    ("markup.inserted", Rule::Class(Class::Inserted)),
    ("markup.deleted", Rule::Class(Class::Deleted)),
    ("markup.changed", Rule::Class(Class::Constant)),
    ("markup.underline.link", Rule::Class(Class::Link)),
    ("markup.raw", Rule::Class(Class::String)),
    ("markup.quote", Rule::Class(Class::Comment)),
    ("meta.embedded", Rule::Plain),
    ("meta.interpolation", Rule::Plain),
    ("source", Rule::Plain),
    ("text", Rule::Plain),
];

/// The rule of one scope: the longest selector of [`RULES`] that is a prefix of its atoms.
fn rule_of(name: &str) -> Rule {
    let mut best: Option<(usize, Rule)> = None;
    for &(selector, rule) in RULES {
        let matches = name
            .strip_prefix(selector)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'));
        if matches && best.is_none_or(|(len, _)| selector.len() > len) {
            best = Some((selector.len(), rule));
        }
    }
    best.map_or(Rule::Inherit, |(_, rule)| rule)
}

/// The class of text inside `scope`, when the text outside it has class `outer`.
fn class_inside(scope: Scope, outer: Option<Class>) -> Option<Class> {
    let rule = RULE_CACHE.with(|cache| {
        *cache
            .borrow_mut()
            .entry(scope)
            .or_insert_with(|| rule_of(&scope.build_string()))
    });
    match rule {
        Rule::Class(class) => Some(class),
        Rule::Plain => None,
        Rule::Inherit => outer,
    }
}

/// A multiply-and-rotate hash for [`Scope`] keys (two machine words): the default SipHash
/// showed in the build's profile, and the keys are not chosen by anyone.
#[derive(Default)]
struct ScopeHasher(u64);

impl std::hash::Hasher for ScopeHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u128(&mut self, n: u128) {
        self.write_u64(n as u64);
        self.write_u64((n >> 64) as u64);
    }
}

type ScopeMap<V> = HashMap<Scope, V, std::hash::BuildHasherDefault<ScopeHasher>>;

thread_local! {
    /// The rule per scope: a scope's name is behind syntect's global lock, so each render
    /// thread keeps its own copy of the answer.
    static RULE_CACHE: RefCell<ScopeMap<Rule>> = RefCell::new(ScopeMap::default());
}

#[cfg(test)]
thread_local! {
    /// Lines given to the parser on this thread (tests count them).
    pub(crate) static PARSED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The parser's state between lines: syntect's, the scope stack, and the class of the text at
/// each depth of the stack (so a token's class is known without walking the stack).
#[derive(Clone)]
struct State {
    syntax: &'static SyntaxReference,
    parse: ParseState,
    stack: ScopeStack,
    classes: Vec<Option<Class>>,
}

impl State {
    fn new(syntax: &'static SyntaxReference) -> State {
        State {
            syntax,
            parse: ParseState::new(syntax),
            stack: ScopeStack::new(),
            classes: Vec::new(),
        }
    }

    fn class(&self) -> Option<Class> {
        self.classes.last().copied().flatten()
    }

    /// Applies one scope operation; `false` when the stack cannot take it.
    fn apply(&mut self, op: &ScopeStackOp) -> bool {
        let classes = &mut self.classes;
        self.stack
            .apply_with_hook(op, |basic, _| match basic {
                BasicScopeStackOp::Push(scope) => {
                    let outer = classes.last().copied().flatten();
                    classes.push(class_inside(scope, outer));
                }
                BasicScopeStackOp::Pop => {
                    classes.pop();
                }
            })
            .is_ok()
    }
}

/// Highlights one file's lines in order, keeping the parser state between lines.
pub struct LineHighlighter {
    state: Option<State>,
    /// The line being parsed, with its newline (the grammars expect one); reused.
    buf: String,
}

impl LineHighlighter {
    /// `None` syntax: every line comes out plain (escaped).
    pub fn new(syntax: Option<&'static SyntaxReference>) -> LineHighlighter {
        LineHighlighter {
            state: syntax.map(State::new),
            buf: String::new(),
        }
    }

    pub fn for_path(path: &str) -> LineHighlighter {
        LineHighlighter::new(syntax_for_path(path))
    }

    /// Whether the next line would come out the same from `self` and from `other`: both
    /// parse with the same grammar from the same state (or both are plain).
    pub fn same_state(&self, other: &LineHighlighter) -> bool {
        match (&self.state, &other.state) {
            (Some(a), Some(b)) => {
                std::ptr::eq(a.syntax, b.syntax) && a.stack == b.stack && a.parse == b.parse
            }
            (None, None) => true,
            _ => false,
        }
    }

    /// Takes `other`'s state, as if it had been fed the same lines.
    pub fn copy_state_from(&mut self, other: &LineHighlighter) {
        self.state.clone_from(&other.state);
    }

    /// Parses one line, for its effect on the state, without writing it (the old side of a
    /// context line whose HTML the new side already wrote).
    pub fn advance(&mut self, text: &str) {
        self.parse(text, |_, _| {});
    }

    /// One line (without its newline) as HTML; see [`LineHighlighter::line_into`].
    pub fn line(&mut self, text: &str, marks: &[Range<usize>]) -> String {
        let mut out = String::with_capacity(text.len() * 2);
        self.line_into(&mut out, text, marks);
        out
    }

    /// Appends one line (without its newline) to `out` as HTML: each run of text of one
    /// [`Class`] in one `<span class=…>` (unquoted: the names are letters), whitespace joining
    /// the run around it, unstyled text bare; `marks` are byte ranges (changed words of a
    /// changed line) wrapped in `<mark>` inside the spans.
    ///
    /// A line over [`MAX_HIGHLIGHT_LINE`] is written plain and not parsed; the parser starts
    /// afresh after it, from the grammar's first state (callers say so: [`Budget::long_line`]).
    pub fn line_into(&mut self, out: &mut String, text: &str, marks: &[Range<usize>]) {
        let mut writer = Writer {
            out,
            text,
            marks,
            next_mark: 0,
            open: None,
            in_mark: false,
        };
        self.parse(text, |range, class| writer.piece(range, class));
        writer.finish();
    }

    /// Parses one line and hands each run of one class to `emit`, in order, covering the line.
    fn parse(&mut self, text: &str, mut emit: impl FnMut(Range<usize>, Option<Class>)) {
        let whole = 0..text.len();
        let Some(state) = self.state.as_mut() else {
            emit(whole, None);
            return;
        };
        if text.len() > MAX_HIGHLIGHT_LINE {
            // Not parsed (see `Budget`): the state after it is unknown, so start afresh rather
            // than carry one that is wrong (a string opened before it would never close).
            *state = State::new(state.syntax);
            emit(whole, None);
            return;
        }
        self.buf.clear();
        self.buf.push_str(text);
        self.buf.push('\n');
        #[cfg(test)]
        PARSED.with(|n| n.set(n.get() + 1));
        let Ok(ops) = state.parse.parse_line(&self.buf, syntax_set()) else {
            // The grammar failed on this input: plain text from here on.
            self.state = None;
            emit(whole, None);
            return;
        };
        let mut pos = 0;
        for (at, op) in &ops {
            let at = (*at).min(text.len());
            if at > pos {
                emit(pos..at, state.class());
                pos = at;
            }
            if !state.apply(op) {
                break;
            }
        }
        if pos < text.len() {
            emit(pos..text.len(), state.class());
        }
    }
}

/// Writes one line: a `<span class=…>` per run of one class, and `<mark>` around marked
/// ranges inside the spans (a mark that crosses a span boundary is closed and reopened, so
/// nothing overlaps and no span is written twice).
struct Writer<'a> {
    out: &'a mut String,
    text: &'a str,
    /// Sorted, non-overlapping byte ranges.
    marks: &'a [Range<usize>],
    /// The first mark that does not end before the text written so far.
    next_mark: usize,
    open: Option<Class>,
    in_mark: bool,
}

impl Writer<'_> {
    fn piece(&mut self, range: Range<usize>, class: Option<Class>) {
        let mut start = range.start;
        while start < range.end {
            while self
                .marks
                .get(self.next_mark)
                .is_some_and(|m| m.end <= start)
            {
                self.next_mark += 1;
            }
            let (marked, mut end) = match self.marks.get(self.next_mark) {
                Some(m) if m.start <= start => (true, m.end.min(range.end)),
                Some(m) => (false, m.start.min(range.end)),
                None => (false, range.end),
            };
            while !self.text.is_char_boundary(end) {
                end += 1;
            }
            self.write(&self.text[start..end], class, marked);
            start = end;
        }
    }

    fn write(&mut self, text: &str, class: Option<Class>, marked: bool) {
        // Whitespace has no colour: it stays in the open span rather than close and reopen it.
        let blank = text.bytes().all(|b| b == b' ' || b == b'\t');
        let class = if blank && self.open.is_some() {
            self.open
        } else {
            class
        };
        if class != self.open {
            self.close_mark();
            if self.open.is_some() {
                self.out.push_str("</span>");
            }
            if let Some(class) = class {
                self.out.push_str("<span class=");
                self.out.push_str(class.name());
                self.out.push('>');
            }
            self.open = class;
        }
        if marked != self.in_mark {
            self.out.push_str(if marked { "<mark>" } else { "</mark>" });
            self.in_mark = marked;
        }
        escape_html_into(self.out, text);
    }

    fn close_mark(&mut self) {
        if self.in_mark {
            self.out.push_str("</mark>");
            self.in_mark = false;
        }
    }

    fn finish(mut self) {
        self.close_mark();
        if self.open.is_some() {
            self.out.push_str("</span>");
        }
    }
}

/// Highlighted HTML kept for the rest of the process, so that a snippet met again (the same
/// code quoted by several reports, the same diff as a commit and as a `code_diff`) is
/// highlighted once per build. Keyed by SHA-256 of everything that shapes the HTML; bounded:
/// once [`MEMO_BYTES`] are kept, new snippets are rendered without being kept.
pub fn memoized(parts: &[&str], render: impl FnOnce() -> String) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    let key: [u8; 32] = h.finalize().into();
    if let Some(html) = memo().lock().ok().and_then(|m| m.kept.get(&key).cloned()) {
        return html.to_string();
    }
    let html = render();
    if let Ok(mut m) = memo().lock()
        && m.bytes + html.len() <= MEMO_BYTES
    {
        m.bytes += html.len();
        m.kept.insert(key, std::sync::Arc::from(html.as_str()));
    }
    html
}

/// Frees what [`memoized`] keeps, once no more snippets will be highlighted (the build's
/// reports are rendered): up to [`MEMO_BYTES`] less for the rest of the build.
pub fn forget_memoized() {
    if let Ok(mut m) = memo().lock() {
        *m = Memo::default();
    }
}

#[derive(Default)]
struct Memo {
    kept: std::collections::HashMap<[u8; 32], std::sync::Arc<str>>,
    bytes: usize,
}

fn memo() -> &'static std::sync::Mutex<Memo> {
    static MEMO: OnceLock<std::sync::Mutex<Memo>> = OnceLock::new();
    MEMO.get_or_init(Default::default)
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
        assert!(one.contains("<span class=k>fn </span>"), "{one}");
        assert!(one.contains("&lt;b&gt;"), "{one}");
        // The comment opened on line two is still a comment on line three.
        assert!(
            three.starts_with("<span class=c>still comment */"),
            "{three}"
        );
    }

    /// The tags stripped and the entities decoded: the line's text.
    fn text_of(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn every_character_is_kept_in_one_span_per_run() {
        let samples = [
            (
                "a.py",
                "def f(x, *args):\n    \"\"\"doc <b>\"\"\"\n    return x & 'y' # note\n",
            ),
            (
                "a.rs",
                "pub fn f<'a>(s: &'a str) -> u32 {\n    /* é ü */ 42 // “quoted”\n}\n",
            ),
            (
                "a.tsx",
                "const a = <span className=\"x\">{b}</span>;\nexport default a\n",
            ),
            ("a.md", "# Title\n\n**bold** and _it_ [link](http://x)\n"),
            ("a.diff", "--- a\n+++ b\n-old\n+new\n"),
        ];
        for (path, text) in samples {
            let mut h = LineHighlighter::for_path(path);
            for line in text.lines() {
                let marks = [Range {
                    start: 0,
                    end: line.len().min(3),
                }];
                let html = h.line(line, &marks);
                assert_eq!(text_of(&html), line, "{path}: {html}");
                assert!(!html.contains("</span><span class=k> "), "{html}");
                // No span opens right after one of the same class closes.
                for class in Class::ALL {
                    let seam = format!("</span><span class={}>", class.name());
                    let open = format!("<span class={}>", class.name());
                    if let Some(at) = html.find(&seam) {
                        let before = html[..at].rfind("<span class=").map(|i| &html[i..]);
                        assert!(
                            !before.is_some_and(|b| b.starts_with(&open)),
                            "{path}: {html}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn marks_wrap_changed_ranges_inside_spans() {
        let mut h = LineHighlighter::for_path("a.py");
        let marks = [Range { start: 4, end: 11 }];
        let html = h.line("x = compute(1)", &marks);
        // The mark sits inside the function name's span: no second copy of the span.
        assert_eq!(
            html,
            "x <span class=k>= </span><span class=f><mark>compute</mark></span>(<span class=n>1</span>)"
        );
        // A mark across spans is closed and reopened at their boundary.
        let mut h = LineHighlighter::for_path("a.py");
        let html = h.line("return x", &[Range { start: 0, end: 8 }]);
        assert_eq!(
            html,
            "<span class=k><mark>return </mark></span><mark>x</mark>"
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
