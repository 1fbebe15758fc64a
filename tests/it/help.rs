//! `--help`: every subcommand shows two or three examples and the exit codes, and every flag
//! says what it does (and its limits, where it has some).

use crate::common::*;

const SUBCOMMANDS: [&str; 9] = [
    "build",
    "export",
    "list",
    "demo",
    "verify",
    "snapshot",
    "init",
    "completions",
    "man",
];

fn help(args: &[&str]) -> String {
    let out = reportpress(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// The lines of the block that `heading` opens, up to the first blank line.
fn block<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|line| *line != heading)
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .collect()
}

#[test]
fn every_subcommand_shows_examples_and_exit_codes() {
    for sub in SUBCOMMANDS
        .iter()
        .map(|s| vec![*s, "--help"])
        .chain([vec!["--help"]])
    {
        let text = help(&sub);
        let examples = block(&text, "Examples:");
        assert!(
            (2..=3).contains(&examples.len()),
            "{sub:?}: two or three examples: {examples:?}"
        );
        for example in &examples {
            assert!(example.contains("reportpress "), "{sub:?}: {example}");
            if let Some(name) = sub.first().filter(|s| **s != "--help") {
                assert!(
                    example.contains(&format!("reportpress {name}"))
                        || example.contains(&format!("{name} ")),
                    "{sub:?}: an example of {name}: {example}"
                );
            }
        }
        let codes = block(&text, "Exit codes:");
        for code in ["0", "1", "2"] {
            assert!(
                codes
                    .iter()
                    .any(|line| line.trim_start().starts_with(&format!("{code} "))),
                "{sub:?}: exit code {code}: {codes:?}"
            );
        }
    }
}

/// Every option and argument has a description under it in `--help`.
#[test]
fn every_flag_says_what_it_does() {
    for sub in SUBCOMMANDS {
        let text = help(&[sub, "--help"]);
        let lines: Vec<&str> = text.lines().collect();
        let mut flags = 0;
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            if !(2..=6).contains(&indent) || !(trimmed.starts_with('-') || trimmed.starts_with('<'))
            {
                continue;
            }
            flags += 1;
            // `--flag <V>  What it does` on one line, or the description on the lines below.
            let same_line = trimmed
                .split_once("  ")
                .map(|(_, description)| description.trim())
                .filter(|description| !description.is_empty());
            let below = lines
                .get(i + 1)
                .filter(|next| next.len() - next.trim_start().len() > indent)
                .map(|next| next.trim());
            let description = same_line.or(below).unwrap_or_default();
            assert!(
                description.len() > 5,
                "{sub}: {trimmed} has no description: {description:?}"
            );
        }
        assert!(flags >= 1, "{sub}: no flags found in {text}");
    }
}

#[test]
fn flags_state_their_limits_and_each_command_speaks_of_itself() {
    let export = help(&["export", "--help"]);
    for format in ["- pr:", "- md:", "- html:"] {
        let line = export
            .lines()
            .find(|line| line.trim_start().starts_with(format))
            .unwrap_or_else(|| panic!("{format} is not described: {export}"));
        assert!(line.len() > 30, "{line}");
    }
    let max_chars = block(&export, "      --max-chars <N>").join(" ");
    assert!(max_chars.contains("at least 1000"), "{max_chars}");
    let build = help(&["build", "--help"]);
    assert!(
        !build
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| word.eq_ignore_ascii_case("export")),
        "{build}"
    );
    assert!(build.contains("at least 1"), "--jobs: {build}");
    let demo = help(&["demo", "--help"]);
    assert!(demo.contains("1 to 10,000,000"), "--reports: {demo}");
}
