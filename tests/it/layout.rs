//! The source tree's layout: which sibling modules use each other. Read from the files, as a
//! reviewer reads them: a use of `super::NAME` (or `crate::FOLDER::NAME`) in a folder's file is
//! an edge to its sibling NAME.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `text` without its `//` comments (the doc comments name modules freely).
fn code(text: &str) -> String {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The names a path continues with after `prefix`: `prefix::name` or each top-level name of
/// `prefix::{a, b::c, d::{e}}`.
fn names_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (at, _) in text.match_indices(prefix) {
        let rest = &text[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let (mut depth, mut item_start) = (0, true);
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_ascii_alphanumeric() || c == '_') => {
                        names.insert(ident_at(&group[i..]).to_string());
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            names.insert(ident_at(rest).to_string());
        }
    }
    names
}

/// The sibling modules each file of `src/FOLDER` uses (`mod.rs`, the parent, left out).
fn graph(folder: &str) -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(folder);
    let modules: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            let name = path.file_stem()?.to_str()?.to_string();
            let module =
                path.extension().is_some_and(|x| x == "rs") || path.join("mod.rs").exists();
            (module && name != "mod").then_some(name)
        })
        .collect();
    let mut graph = BTreeMap::new();
    for module in &modules {
        let file = dir.join(format!("{module}.rs"));
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let text = code(&text);
        let mut used = names_after(&text, "super::");
        used.extend(names_after(
            &text,
            &format!("crate::{}::", folder.replace('/', "::")),
        ));
        used.retain(|name| name != module && modules.contains(name));
        graph.insert(module.clone(), used);
    }
    graph
}

/// Every cycle of `graph` through `start`, as the path that closes it.
fn cycles_through(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut stack = vec![vec![start.to_string()]];
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap();
        for next in graph.get(last).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(next.clone());
                found.push(cycle);
            } else if !path.contains(next) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    found
}

#[test]
fn the_reader_of_the_layout_finds_uses() {
    let text = code(
        "use super::html::{Head, external};\nuse super::{a, b::{c, d}, e};\n// super::f\nx = crate::render::links::from(y);",
    );
    assert_eq!(
        names_after(&text, "super::"),
        ["a", "b", "e", "html"].map(String::from).into()
    );
    assert_eq!(
        names_after(&text, "crate::render::"),
        ["links"].map(String::from).into()
    );
}

/// The pages of people and tasks (ledger) are HTML pages and use html's pieces; html uses
/// nothing of ledger: what the index shows of people is a page view (`page::PersonLink`).
#[test]
fn html_and_ledger_do_not_use_each_other_in_a_cycle() {
    let graph = graph("render");
    assert!(graph["ledger"].contains("html"), "{graph:?}");
    for module in ["html", "ledger"] {
        let cycles = cycles_through(&graph, module);
        assert!(cycles.is_empty(), "{module} is in a cycle: {cycles:?}");
    }
}

/// The generator's modules form layers: `mod.rs` drives the story and writes the rows; content
/// adds to the story's report, from prose, samples, diffs, people and time; none is used back.
#[test]
fn the_generator_has_no_cycle() {
    let graph = graph("archive/generate");
    assert!(graph.len() >= 10, "{graph:?}");
    for module in graph.keys() {
        let cycles = cycles_through(&graph, module);
        assert!(cycles.is_empty(), "{module} is in a cycle: {cycles:?}");
    }
}

/// The README's Development map stays true: every entry of `src/` (a folder or a file) is named
/// in it, and every `src/…` path it names exists.
#[test]
fn the_readmes_development_map_names_every_module_of_src() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let map = readme
        .split("## Development")
        .nth(1)
        .and_then(|rest| rest.split("```").nth(1))
        .expect("a Development section with a map in a code block");
    let named: BTreeSet<String> = map
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| w.starts_with("src/"))
        .map(|w| w.trim_end_matches('/').to_string())
        .collect();
    for path in &named {
        assert!(
            root.join(path).exists(),
            "the map names {path}, which does not exist"
        );
    }
    for entry in std::fs::read_dir(root.join("src")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let path = format!("src/{name}");
        let mentioned = named.contains(&path)
            || map
                .split(|c: char| !(c.is_alphanumeric() || "._-/".contains(c)))
                .any(|w| w == name);
        assert!(
            mentioned,
            "{path} is missing from the README's Development map"
        );
    }
}
