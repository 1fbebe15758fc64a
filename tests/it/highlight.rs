//! Compact highlighting (issue 13): the demo archive's code and diffs keep every character of
//! their text, every class a highlighted line uses is in the stylesheet, each palette class has
//! a colour in the light and the dark theme readable (WCAG 4.5:1) on every background code sits
//! on, and the parser's state stays true across a line too long to highlight.

use std::collections::{BTreeMap, BTreeSet};

use reportpress::render::highlight::{Class, LineHighlighter, MAX_HIGHLIGHT_LINE};
use reportpress::render::text::escape_html;
use scraper::{ElementRef, Html, Selector};

use crate::common::*;

const STYLESHEET: &str = include_str!("../../static/style.css");

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// The demo archive, built once: (report file name, HTML, Markdown).
fn demo_pages() -> Vec<(String, String, String)> {
    let scratch = Scratch::new("highlight");
    let db = sqlite_archive(&scratch.path("a.sqlite"), DEMO);
    let out = scratch.path("out");
    let result = build(Some(&db), &out, &[]);
    assert!(result.status.success(), "{}", stderr(&result));
    let mut pages = Vec::new();
    for (name, path) in files(&out.join("reports")) {
        if let Some(stem) = name.strip_suffix(".html") {
            let md = read(&path.with_extension("md"));
            pages.push((stem.to_string(), read(&path), md));
        }
    }
    assert!(pages.len() > 10, "the demo's reports");
    pages
}

/// The lines of a diff as its HTML shows them, in unified-diff form: a hunk header as written,
/// then each line with the marker its row's element stands for.
fn diff_lines_shown(pre: ElementRef) -> Vec<String> {
    pre.select(&sel("code > *"))
        .map(|row| {
            let text: String = row.text().collect();
            let classes: Vec<&str> = row.value().classes().collect();
            match row.value().name() {
                "ins" => format!("+{text}"),
                "del" => format!("-{text}"),
                "span" if classes.is_empty() => format!(" {text}"),
                _ => text,
            }
        })
        .collect()
}

/// The lines of every `diff` fence of a Markdown document from each file's first hunk on (the
/// header lines name the file, which the HTML shows in the file's title instead).
fn diff_lines_written(md: &str) -> Vec<Vec<String>> {
    let mut fences = Vec::new();
    let mut lines = md.lines().peekable();
    while let Some(line) = lines.next() {
        if !(line.starts_with("```") && line.trim_start_matches('`') == "diff") {
            continue;
        }
        let fence = &line[..line.len() - "diff".len()];
        let mut body = Vec::new();
        let mut header = true;
        for line in lines.by_ref() {
            if line == fence {
                break;
            }
            if line.starts_with("diff --git ") {
                header = true;
            } else if line.starts_with("@@") {
                header = false;
            }
            if !header {
                body.push(line.to_string());
            }
        }
        fences.push(body);
    }
    fences
}

#[test]
fn highlighted_pages_keep_every_character_and_use_only_defined_classes() {
    let defined = defined_classes();
    let mut used = BTreeSet::new();
    let (mut diffs, mut code_lines) = (0, 0);
    for (name, html, md) in demo_pages() {
        let doc = Html::parse_document(&html);
        // Every diff, row by row, is its Markdown fence's text: nothing added, nothing lost.
        let shown: Vec<Vec<String>> = doc.select(&sel("pre.diff")).map(diff_lines_shown).collect();
        let written = diff_lines_written(&md);
        assert_eq!(shown.len(), written.len(), "{name}: diff files");
        for (shown, written) in shown.iter().zip(&written) {
            assert_eq!(shown, written, "{name}");
            diffs += 1;
        }
        // Code references: the text is the code, the numbers are not text.
        for pre in doc.select(&sel("figure.code pre")) {
            let text: String = pre.text().collect();
            assert!(!text.starts_with(char::is_numeric), "{name}: {text}");
            code_lines += text.lines().count();
        }
        for element in doc.select(&sel("pre.hl span, pre.hl mark, pre.hl i")) {
            used.extend(element.value().classes().map(str::to_string));
        }
    }
    assert!(diffs >= 5, "{diffs} diffs checked");
    assert!(code_lines >= 20, "{code_lines} code lines checked");
    let palette: BTreeSet<String> = used
        .iter()
        .filter(|c| Class::ALL.iter().any(|k| k.name() == c.as_str()))
        .cloned()
        .collect();
    assert!(
        palette.len() >= 8,
        "the demo uses most of the palette: {palette:?}"
    );
    let missing: Vec<&String> = used.iter().filter(|c| !defined.contains(*c)).collect();
    assert!(missing.is_empty(), "classes without a rule: {missing:?}");
}

/// Class names that some rule of the stylesheet selects (`.name`).
fn defined_classes() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = STYLESHEET.as_bytes();
    for (i, _) in STYLESHEET.match_indices('.') {
        let name: String = STYLESHEET[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let after_word = i > 0 && (bytes[i - 1].is_ascii_digit());
        if !name.is_empty() && !after_word && !name.starts_with(char::is_numeric) {
            out.insert(name);
        }
    }
    out
}

/// `--name: #rrggbb` declarations, for the light theme (outside any dark media block) and
/// the dark one (inside `@media (prefers-color-scheme: dark)`), in stylesheet order.
fn theme_colours() -> [BTreeMap<String, String>; 2] {
    let dark_blocks: Vec<(usize, usize)> = STYLESHEET
        .match_indices("@media (prefers-color-scheme: dark)")
        .map(|(start, _)| {
            let open = start + STYLESHEET[start..].find('{').expect("a block");
            let mut depth = 0;
            let mut end = open;
            for (i, c) in STYLESHEET[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = open + i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            (start, end)
        })
        .collect();
    let mut themes = [BTreeMap::new(), BTreeMap::new()];
    for (at, _) in STYLESHEET.match_indices("--") {
        let rest = &STYLESHEET[at + 2..];
        let Some((name, value)) = rest.split_once(':') else {
            continue;
        };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            continue;
        }
        let value = value.trim_start();
        if !value.starts_with('#') || value.len() < 7 {
            continue;
        }
        let hex = &value[..7];
        let dark = dark_blocks.iter().any(|&(s, e)| s < at && at < e);
        themes[usize::from(dark)].insert(name.to_string(), hex.to_string());
    }
    themes
}

fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

/// WCAG 2 contrast ratio.
fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn every_class_has_a_readable_colour_in_both_themes() {
    assert!((contrast("#ffffff", "#000000") - 21.0).abs() < 0.01);
    assert!((contrast("#777777", "#ffffff") - 4.48).abs() < 0.01);
    let themes = theme_colours();
    // What highlighted code sits on: the code panel, added and removed rows, changed words.
    let backgrounds = ["panel", "add", "del", "mark", "mark-del"];
    for (theme, colours) in ["light", "dark"].iter().zip(&themes) {
        for class in Class::ALL {
            let name = class.name();
            let rule = format!(".hl .{name} {{ color: var(--hl-{name});");
            assert!(STYLESHEET.contains(&rule), "{rule}");
            let colour = colours
                .get(&format!("hl-{name}"))
                .unwrap_or_else(|| panic!("{theme}: no --hl-{name}"));
            for background in backgrounds {
                let bg = colours
                    .get(background)
                    .unwrap_or_else(|| panic!("{theme}: no --{background}"));
                let ratio = contrast(colour, bg);
                assert!(
                    ratio >= 4.5,
                    "{theme}: .{name} {colour} on --{background} {bg}: {ratio:.2}:1"
                );
            }
        }
    }
}

#[test]
fn the_parser_state_stays_true_across_a_line_too_long_to_highlight() {
    let long = format!("{}end\"\"\"", "a".repeat(2_100 - 6));
    assert!(long.len() > MAX_HIGHLIGHT_LINE);
    let mut h = LineHighlighter::for_path("a.py");
    let open = h.line("s = \"\"\"start", &[]);
    assert!(open.contains("<span class=s>"), "{open}");
    assert_eq!(
        h.line(&long, &[]),
        escape_html(&long),
        "the long line is plain"
    );
    let next = h.line("x = 1", &[]);
    assert!(!next.contains("class=s"), "x = 1 is not a string: {next}");
    assert!(next.contains("<span class=n>1</span>"), "{next}");

    // In a page: the same, and a notice says why the long line is plain.
    let html = reportpress::render::code::code_html(
        Some("a.py"),
        1,
        &format!("s = \"\"\"start\n{long}\nx = 1\n"),
        None,
    );
    assert!(
        html.contains("Line 2 over 2,000 characters: shown without syntax highlighting"),
        "{html}"
    );
    let last = html.lines().nth(2).expect("three lines");
    assert!(last.starts_with("<i data-n=3></i>x"), "{last}");
    assert!(!last.contains("class=s"), "{last}");
}
