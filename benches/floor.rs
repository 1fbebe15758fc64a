//! The floor of a full build: the time syntect alone takes to highlight exactly the code and
//! diff lines the build highlights, on a pool of the same number of threads.
//!
//!     cargo bench --bench floor -- ARCHIVE [--jobs N] [--runs N] [--extra-runs N]
//!     FLOOR_ARCHIVE=a.sqlite FLOOR_JOBS=2 FLOOR_RUNS=5 cargo bench --bench floor
//!
//! ARCHIVE is what `reportpress build --database` takes (a SQLite archive's path, `sqlite:PATH`
//! or a PostgreSQL URL). Jobs default to every core, runs of the floor to 5, runs of the two
//! reference measurements (`--extra-runs`, `FLOOR_EXTRA_RUNS`) to as many as the floor's.
//!
//! First, untimed as far as the floor goes, every report is read through the library
//! (`Source::open`, `resolve_teams`, `reports`, `report_rows`, `Report::from_rows`; the only
//! team, deleted reports left out, as `reportpress build` does by default) and each
//! entry's blocks are taken from the same view the HTML renderer uses (`render::view::blocks`):
//! a code block is one stream of lines, a diff is parsed with `render::diff::parse` and each
//! file is one stream of its lines in order (context, removed and added), highlighted as the
//! build highlights them: a context line is written once, by the new side; the old side writes
//! removed lines, takes the new side's state where a change begins while the two are equal,
//! and parses context lines (parse-only) while they differ (issue 13). A file one side of
//! which has no syntax gives a stream per side. Lines are counted once each: a context line is
//! one line, not two. The build's guards apply: a stream whose
//! path has no syntax is not highlighted, a file over `MAX_FILE_BYTES` is not rendered, a
//! binary file or a malformed hunk is shown as written, a line over `MAX_HIGHLIGHT_LINE`
//! characters is shown plain (and not fed to the parser), and a code block or a diff's file
//! over the highlighting work budget (`render::highlight::Budget`) is shown plain whole.
//!
//! Then the streams are highlighted on a rayon pool of `--jobs` threads, four ways:
//! - `floor`: syntect's `ParseState::parse_line` and `ScopeStack`, written as HTML with
//!   `s-`-prefixed class names (each thread caches a scope's class text, as the build does,
//!   since syntect's own lookup takes a global lock). This is the floor.
//! - `floor_unique`: the floor over distinct streams only (the same syntax and lines met once):
//!   what a build that memoizes highlighted snippets has left to highlight, for reference.
//! - `syntect_html`: syntect's own `ClassedHTMLGenerator` (same class style), for reference;
//!   a diff's file is one parser over all its lines in order.
//! - `parse_only`: `parse_line` and the scope stack, no output: the grammar's share (a diff's
//!   file likewise).
//!
//! The first `floor` run is reported apart as `cold_s`: it compiles the grammars' regexes,
//! which the later runs find compiled. The last line is machine-readable:
//! `FLOOR_JSON {...}` with medians in seconds.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

use rayon::prelude::*;
use reportpress::model::Report;
use reportpress::render::code::{MAX_FILE_BYTES, too_costly_to_highlight};
use reportpress::render::diff::{self, LineKind};
use reportpress::render::highlight::{Budget, MAX_HIGHLIGHT_LINE, syntax_for_path, syntax_set};
use reportpress::render::text::escape_html_into;
use reportpress::render::view::{self, Block};
use reportpress::source::Source;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{BasicScopeStackOp, ParseState, Scope, ScopeStack, SyntaxReference};

const PREFIX: &str = "s-";

/// One highlighter's input: a syntax and the lines fed to it in order, each ending in `\n`.
/// A diff's file is one stream of its lines in order, each with its role (`roles`, one byte a
/// line: `c` context, `a` added, `r` removed), highlighted as the build does it: the new side
/// writes context and added lines, the old side removed lines, and parses context lines only
/// while its state differs from the new side's (`old_syntax`).
struct Stream {
    syntax: &'static SyntaxReference,
    old_syntax: Option<&'static SyntaxReference>,
    roles: Vec<u8>,
    text: String,
    lines: usize,
}

#[derive(Default)]
struct Collected {
    streams: Vec<Stream>,
    reports: usize,
    entries: usize,
    code_blocks: usize,
    diff_files: usize,
    /// Lines shown plain by the guards (too long, no syntax, file too large, malformed hunk,
    /// over the work budget).
    plain_lines: usize,
}

impl Collected {
    /// Lines of one highlighter; long lines are skipped as the build skips them.
    fn push<'a>(
        &mut self,
        syntax: Option<&'static SyntaxReference>,
        lines: impl Iterator<Item = &'a str>,
    ) {
        let Some(syntax) = syntax else {
            self.plain_lines += lines.count();
            return;
        };
        let mut text = String::new();
        let mut count = 0;
        for line in lines {
            if line.len() > MAX_HIGHLIGHT_LINE {
                self.plain_lines += 1;
                continue;
            }
            text.push_str(line);
            text.push('\n');
            count += 1;
        }
        if count > 0 {
            self.streams.push(Stream {
                syntax,
                old_syntax: None,
                roles: Vec::new(),
                text,
                lines: count,
            });
        }
    }

    /// A diff's file: its lines in order with their roles (see [`Stream`]).
    fn diff_file<'a>(
        &mut self,
        old: Option<&'static SyntaxReference>,
        new: Option<&'static SyntaxReference>,
        lines: impl Iterator<Item = (u8, &'a str)>,
    ) {
        let (Some(old), Some(new)) = (old, new) else {
            // One side without a syntax: each side is a stream of its own, as before.
            let lines: Vec<(u8, &str)> = lines.collect();
            let side = |keep: u8| {
                lines
                    .iter()
                    .filter(move |(role, _)| *role == b'c' || *role == keep)
                    .map(|(_, text)| *text)
            };
            self.push(old, side(b'r'));
            self.push(new, side(b'a'));
            return;
        };
        let (mut text, mut roles) = (String::new(), Vec::new());
        for (role, line) in lines {
            if line.len() > MAX_HIGHLIGHT_LINE {
                self.plain_lines += 1;
                continue;
            }
            text.push_str(line);
            text.push('\n');
            roles.push(role);
        }
        if !roles.is_empty() {
            self.streams.push(Stream {
                syntax: new,
                old_syntax: Some(old),
                lines: roles.len(),
                roles,
                text,
            });
        }
    }

    fn code(&mut self, path: Option<&str>, text: &str) {
        self.code_blocks += 1;
        let lines = text
            .strip_suffix('\n')
            .unwrap_or(text)
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l));
        let mut budget = Budget::new();
        for line in lines.clone() {
            budget.add(line, ());
        }
        if budget.over().is_some() {
            self.plain_lines += lines.count();
            return;
        }
        self.push(syntax_for_path(path.unwrap_or("")), lines);
    }

    fn diff(&mut self, text: &str) {
        let patch = diff::parse(text);
        for file in &patch.files {
            self.diff_files += 1;
            let lines = file.hunks.iter().map(|h| h.lines.len()).sum::<usize>();
            if file.bytes > MAX_FILE_BYTES || too_costly_to_highlight(file) {
                self.plain_lines += lines;
                continue;
            }
            let readable = || file.hunks.iter().filter(|h| h.malformed.is_none());
            self.plain_lines += file
                .hunks
                .iter()
                .filter(|h| h.malformed.is_some())
                .map(|h| h.lines.len())
                .sum::<usize>();
            let lines: Vec<(u8, &str)> = readable()
                .flat_map(|h| h.lines.iter())
                .filter_map(|l| {
                    let role = match l.kind {
                        LineKind::Context => b'c',
                        LineKind::Added => b'a',
                        LineKind::Removed => b'r',
                        LineKind::NoNewline | LineKind::Raw => return None,
                    };
                    Some((role, l.text.as_str()))
                })
                .collect();
            let old_path = file.old_path.as_deref().unwrap_or(file.path());
            self.diff_file(
                syntax_for_path(old_path),
                syntax_for_path(file.path()),
                lines.into_iter(),
            );
        }
    }
}

async fn collect(url: &str) -> Result<Collected, Box<dyn std::error::Error>> {
    let mut source = Source::open(url).await?;
    let teams = source.resolve_teams(&[]).await?;
    let records = source.reports(&teams, false).await?;
    let mut out = Collected::default();
    for record in records {
        let report = Report::from_rows(source.report_rows(record).await?);
        out.reports += 1;
        for artefact in &report.artefacts {
            out.entries += 1;
            for block in view::blocks(artefact, &report) {
                match block {
                    Block::Code { path, text, .. } => out.code(path.as_deref(), &text),
                    Block::Diff { text, .. } => out.diff(&text),
                    _ => {}
                }
            }
        }
    }
    Ok(out)
}

thread_local! {
    static CLASSES: RefCell<HashMap<Scope, String>> = RefCell::new(HashMap::new());
}

fn push_classes(out: &mut String, scope: Scope) {
    CLASSES.with(|cache| {
        let mut cache = cache.borrow_mut();
        let class = cache.entry(scope).or_insert_with(|| {
            scope
                .build_string()
                .split('.')
                .map(|atom| format!("{PREFIX}{atom}"))
                .collect::<Vec<_>>()
                .join(" ")
        });
        out.push_str(class);
    })
}

/// One side's parser: syntect's state and scope stack.
#[derive(Clone, PartialEq)]
struct Side {
    state: ParseState,
    stack: ScopeStack,
}

/// The floor: parse each line and write it as HTML with class names. Returns bytes written.
/// A diff's file ([`Stream::roles`]) is parsed as the build parses it: each context line once
/// while both sides' states are equal, the old side taking the new side's state when a change
/// begins, and fed context lines parse-only while the states differ.
fn floor(stream: &Stream) -> usize {
    let Some(old_syntax) = stream.old_syntax else {
        let mut side = Side {
            state: ParseState::new(stream.syntax),
            stack: ScopeStack::new(),
        };
        let mut html = String::with_capacity(stream.text.len() * 3);
        for line in stream.text.split_inclusive('\n') {
            if !write_line(&mut side, line, &mut html) {
                break; // the build shows the rest plain
            }
        }
        for _ in 0..side.stack.len() {
            html.push_str("</span>");
        }
        return html.len();
    };
    let side = |syntax| Side {
        state: ParseState::new(syntax),
        stack: ScopeStack::new(),
    };
    let (mut old, mut new) = (side(old_syntax), side(stream.syntax));
    let mut shared = std::ptr::eq(old_syntax, stream.syntax);
    let mut html = String::with_capacity(stream.text.len() * 3);
    for (line, role) in stream.text.split_inclusive('\n').zip(&stream.roles) {
        match role {
            b'c' => {
                if !shared && old == new {
                    shared = true;
                }
                write_line(&mut new, line, &mut html);
                if !shared {
                    parse_line(&mut old, line);
                }
            }
            b'a' | b'r' => {
                if shared {
                    old.clone_from(&new);
                    shared = false;
                }
                let side = if *role == b'a' { &mut new } else { &mut old };
                write_line(side, line, &mut html);
            }
            _ => {}
        }
    }
    html.len()
}

/// Parses one line without writing it; `false` when the grammar fails.
fn parse_line(side: &mut Side, line: &str) -> bool {
    let Ok(ops) = side.state.parse_line(line, syntax_set()) else {
        return false;
    };
    for (_, op) in ops {
        if side.stack.apply(&op).is_err() {
            break;
        }
    }
    true
}

/// Parses one line and writes it as HTML; `false` when the grammar fails.
fn write_line(side: &mut Side, line: &str, html: &mut String) -> bool {
    let set = syntax_set();
    let Side { state, stack } = side;
    {
        let Ok(ops) = state.parse_line(line, set) else {
            return false;
        };
        let mut pos = 0;
        for (at, op) in ops {
            let at = at.min(line.len());
            if at > pos {
                escape_html_into(html, &line[pos..at]);
                pos = at;
            }
            let applied = stack.apply_with_hook(&op, |basic, _| match basic {
                BasicScopeStackOp::Push(scope) => {
                    html.push_str("<span class=\"");
                    push_classes(html, scope);
                    html.push_str("\">");
                }
                BasicScopeStackOp::Pop => html.push_str("</span>"),
            });
            if applied.is_err() {
                break;
            }
        }
        escape_html_into(html, &line[pos..]);
    }
    true
}

/// syntect's own classed HTML writer.
fn syntect_html(stream: &Stream) -> usize {
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        stream.syntax,
        syntax_set(),
        ClassStyle::SpacedPrefixed { prefix: PREFIX },
    );
    for line in stream.text.split_inclusive('\n') {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            break;
        }
    }
    generator.finalize().len()
}

/// The grammar alone: parse and track scopes, write nothing.
fn parse_only(stream: &Stream) -> usize {
    let set = syntax_set();
    let mut state = ParseState::new(stream.syntax);
    let mut stack = ScopeStack::new();
    let mut ops_count = 0;
    for line in stream.text.split_inclusive('\n') {
        let Ok(ops) = state.parse_line(line, set) else {
            break;
        };
        ops_count += ops.len();
        for (_, op) in ops {
            if stack.apply(&op).is_err() {
                break;
            }
        }
    }
    ops_count + stack.len()
}

fn timed(pool: &rayon::ThreadPool, streams: &[&Stream], f: fn(&Stream) -> usize) -> (f64, usize) {
    let started = Instant::now();
    let bytes = pool.install(|| streams.par_iter().map(|s| f(s)).sum::<usize>());
    (started.elapsed().as_secs_f64(), bytes)
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn usage(message: &str) -> ! {
    eprintln!("floor: {message}");
    eprintln!("usage: cargo bench --bench floor -- ARCHIVE [--jobs N] [--runs N] [--extra-runs N]");
    std::process::exit(2);
}

fn main() {
    let mut archive = std::env::var("FLOOR_ARCHIVE").ok();
    let mut jobs: usize = env_or(
        "FLOOR_JOBS",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
    let mut runs: usize = env_or("FLOOR_RUNS", 5);
    let mut extra_runs: Option<usize> = std::env::var("FLOOR_EXTRA_RUNS")
        .ok()
        .and_then(|v| v.parse().ok());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .filter(|&n: &usize| n > 0)
                .unwrap_or_else(|| usage(&format!("{name} takes a positive number")))
        };
        match arg.as_str() {
            "--bench" => {} // added by `cargo bench`
            "--jobs" => jobs = number("--jobs"),
            "--runs" => runs = number("--runs"),
            "--extra-runs" => extra_runs = Some(number("--extra-runs")),
            a if a.starts_with("--") => usage(&format!("unknown option {a}")),
            a => archive = Some(a.to_string()),
        }
    }
    let Some(archive) = archive else {
        usage("no archive given (an argument or FLOOR_ARCHIVE)")
    };
    let (jobs, runs) = (jobs.max(1), runs.max(1));
    let extra_runs = extra_runs.unwrap_or(runs).clamp(1, runs);

    let started = Instant::now();
    let _ = syntax_set();
    let syntax_load_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let collected = match runtime.block_on(collect(&archive)) {
        Ok(c) => c,
        Err(err) => {
            eprintln!("floor: reading {archive}: {err}");
            std::process::exit(1);
        }
    };
    let read_s = started.elapsed().as_secs_f64();
    let streams: Vec<&Stream> = collected.streams.iter().collect();
    let lines: usize = streams.iter().map(|s| s.lines).sum();
    let bytes: usize = streams.iter().map(|s| s.text.len()).sum();
    // The same lines under the same syntax, met again (a snippet quoted by several reports):
    // a build that memoizes highlighted snippets highlights each of these once.
    let mut seen = HashSet::new();
    let unique: Vec<&Stream> = streams
        .iter()
        .copied()
        .filter(|s| seen.insert((s.syntax.name.as_str(), s.text.as_str())))
        .collect();
    let unique_lines: usize = unique.iter().map(|s| s.lines).sum();
    eprintln!(
        "floor: {archive}: {} reports, {} entries, {} code blocks, {} diff files → {} streams, {lines} lines ({bytes} bytes) to highlight ({} streams, {unique_lines} lines, distinct), {} shown plain; read in {read_s:.2} s",
        collected.reports,
        collected.entries,
        collected.code_blocks,
        collected.diff_files,
        streams.len(),
        unique.len(),
        collected.plain_lines,
    );

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .expect("thread pool");
    let (cold_s, html_bytes) = timed(&pool, &streams, floor);
    eprintln!("floor: cold run (compiles the regexes) {cold_s:.3} s, {html_bytes} bytes of HTML");
    let mut floor_runs = Vec::new();
    let (mut unique_runs, mut html_runs, mut parse_runs) = (Vec::new(), Vec::new(), Vec::new());
    // The reference measurements interleave with the floor's first runs, so they share
    // the machine's state.
    for run in 1..=runs {
        let (f, _) = timed(&pool, &streams, floor);
        floor_runs.push(f);
        if run > extra_runs {
            eprintln!("floor: run {run}/{runs}: floor {f:.3} s");
            continue;
        }
        let (u, _) = timed(&pool, &unique, floor);
        let (h, _) = timed(&pool, &streams, syntect_html);
        let (p, _) = timed(&pool, &streams, parse_only);
        eprintln!(
            "floor: run {run}/{runs}: floor {f:.3} s, distinct snippets only {u:.3} s, syntect_html {h:.3} s, parse_only {p:.3} s"
        );
        unique_runs.push(u);
        html_runs.push(h);
        parse_runs.push(p);
    }
    println!(
        "floor: median {:.3} s on {jobs} threads ({lines} lines, {runs} runs); distinct snippets only {:.3} s; syntect_html {:.3} s; parse_only {:.3} s; cold first run {cold_s:.3} s; syntax set load {syntax_load_s:.3} s",
        median(&floor_runs),
        median(&unique_runs),
        median(&html_runs),
        median(&parse_runs)
    );
    let secs = |v: &[f64]| {
        v.iter()
            .map(|x| (x * 1e4).round() / 1e4)
            .collect::<Vec<_>>()
    };
    let json = serde_json::json!({
        "archive": archive,
        "jobs": jobs,
        "runs": runs,
        "extra_runs": extra_runs,
        "reports": collected.reports,
        "entries": collected.entries,
        "code_blocks": collected.code_blocks,
        "diff_files": collected.diff_files,
        "streams": streams.len(),
        "lines": lines,
        "bytes": bytes,
        "plain_lines": collected.plain_lines,
        "unique_streams": unique.len(),
        "unique_lines": unique_lines,
        "html_bytes": html_bytes,
        "read_s": read_s,
        "syntax_load_s": syntax_load_s,
        "cold_s": cold_s,
        "floor_s": median(&floor_runs),
        "floor_runs": secs(&floor_runs),
        "floor_unique_s": median(&unique_runs),
        "floor_unique_runs": secs(&unique_runs),
        "syntect_html_s": median(&html_runs),
        "syntect_html_runs": secs(&html_runs),
        "parse_only_s": median(&parse_runs),
        "parse_only_runs": secs(&parse_runs),
    });
    println!("FLOOR_JSON {json}");
}
