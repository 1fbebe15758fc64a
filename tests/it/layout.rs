//! The source tree's layout: which sibling modules use each other. Read from the files, as a
//! reviewer reads them: a use of `super::NAME` (or `crate::FOLDER::NAME`) in a folder's file is
//! an edge to its sibling NAME; at the top, `crate::NAME` anywhere in a folder is an edge to the
//! folder NAME. No folder has a cycle, and the top-level folders follow the pipeline's direction.

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

/// The folders of `src/` that hold modules, `src` itself (as "") first, then each folder below.
fn folders() -> Vec<String> {
    fn walk(root: &Path, rel: &str, out: &mut Vec<String>) {
        out.push(rel.to_string());
        let mut entries: Vec<_> = std::fs::read_dir(root.join(rel))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_str().unwrap();
            let child = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            walk(root, &child, out);
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        "",
        &mut out,
    );
    out
}

/// Every `.rs` file under `dir`, at any depth.
fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The sibling modules each module of `src/FOLDER` uses (`mod.rs` or `lib.rs`, the parent, left
/// out). A module's own file (`NAME.rs` or `NAME/mod.rs`) names a sibling as `super::NAME`; any
/// file of the module, at any depth, names it as `crate::FOLDER::NAME` (`crate::NAME` at the top).
fn graph(folder: &str) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let dir = src.join(folder);
    let modules: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            let name = path.file_stem()?.to_str()?.to_string();
            let module =
                path.extension().is_some_and(|x| x == "rs") || path.join("mod.rs").exists();
            (module && !["mod", "lib", "main"].contains(&name.as_str())).then_some(name)
        })
        .collect();
    let absolute = if folder.is_empty() {
        "crate::".to_string()
    } else {
        format!("crate::{}::", folder.replace('/', "::"))
    };
    let mut graph = BTreeMap::new();
    for module in &modules {
        let own = [
            dir.join(format!("{module}.rs")),
            dir.join(module).join("mod.rs"),
        ];
        let mut used = BTreeSet::new();
        if !folder.is_empty() {
            for file in &own {
                if let Ok(text) = std::fs::read_to_string(file) {
                    used.extend(names_after(&code(&text), "super::"));
                }
            }
        }
        let mut files: Vec<_> = own.into_iter().filter(|f| f.exists()).collect();
        files.extend(rust_files(&dir.join(module)));
        for file in files {
            let text = code(&std::fs::read_to_string(&file).unwrap());
            used.extend(names_after(&text, &absolute));
        }
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

/// No folder of `src/` (nor `src` itself) has modules that use each other in a cycle: a module
/// that needs a sibling's piece and is needed by it holds two ideas, or the piece belongs lower.
#[test]
fn no_folder_has_a_cycle() {
    let mut found = Vec::new();
    for folder in folders() {
        let graph = graph(&folder);
        let mut seen = BTreeSet::new();
        for module in graph.keys() {
            for cycle in cycles_through(&graph, module) {
                let mut members: Vec<_> = cycle[1..].to_vec();
                members.sort();
                if seen.insert(members) {
                    found.push(format!("src/{folder}: {}", cycle.join(" -> ")));
                }
            }
        }
    }
    assert!(found.is_empty(), "cycles:\n{}", found.join("\n"));
}

/// The library's folders run one way, as the pipeline does: `source` reads the database into
/// `model`'s types, `redact` rewrites a model, `render` turns a model into pages, `site` writes
/// them; `archive` and `commands` are the programme's other work and may use anything below them.
/// Each folder lists every folder it may use (`crate::NAME` anywhere in it); a use not listed
/// fails, and so does a folder of `src/` missing from the list.
const MAY_USE: [(&str, &[&str]); 7] = [
    ("model", &[]),
    ("source", &["model"]),
    ("redact", &["model"]),
    // `render` uses no `source` (not even `source::git`) nor `site`.
    ("render", &["model", "redact"]),
    ("site", &["model", "source", "redact", "render"]),
    ("archive", &["model", "source", "redact", "render", "site"]),
    ("commands", &["model", "source", "redact", "render", "site"]),
];

/// The one use against the pipeline's direction, and why it stays: redaction must search the text
/// exactly as the pages show it, and whether a stored text is parsed as Markdown at all (or shown
/// as plain text, being too long or too deeply marked) is render's decision, made by its limits.
/// Redact asks render for that one answer (`render::text::renders_as_markdown`) rather than keep a
/// copy of the limits that could drift from them.
const AGAINST_THE_PIPELINE: [(&str, &str); 1] = [("redact", "render")];

#[test]
fn the_folders_use_each_other_in_the_pipelines_direction() {
    let graph = graph("");
    assert!(
        graph["source"].contains("model") && graph["site"].contains("render"),
        "{graph:?}"
    );
    let mut wrong = Vec::new();
    for (module, used) in &graph {
        if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join(format!("{module}.rs"))
            .exists()
        {
            // The binary's own files (cli, config, progress) sit above the library.
            continue;
        }
        let Some((_, allowed)) = MAY_USE.iter().find(|(name, _)| name == module) else {
            wrong.push(format!("src/{module} has no place in MAY_USE"));
            continue;
        };
        for other in used {
            if !allowed.contains(&other.as_str())
                && !AGAINST_THE_PIPELINE.contains(&(module.as_str(), other.as_str()))
            {
                wrong.push(format!("{module} uses {other}"));
            }
        }
    }
    for (module, other) in AGAINST_THE_PIPELINE {
        assert!(
            graph[module].contains(other),
            "the exception {module} -> {other} is no longer used: remove it"
        );
    }
    assert!(wrong.is_empty(), "{}\n{graph:?}", wrong.join("\n"));
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
