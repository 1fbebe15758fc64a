//! The progress bar: drawn on a terminal (reports done, entries, rate, time left), absent when
//! standard error is a pipe, where the build prints its one summary line.

use std::process::Command;

use crate::common::{Scratch, build, stderr};

#[test]
fn not_on_a_terminal_the_build_prints_one_summary_line() {
    let scratch = Scratch::new("progress-pipe");
    let out = scratch.path("site");
    let result = build(None, &out, &[]);
    let text = stderr(&result);
    let lines: Vec<&str> = text.lines().collect();
    // The demo notice, then the summary: no bar, no carriage returns, no escape sequences.
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains("embedded demo"), "{text}");
    assert!(
        lines[1].contains("15 reports") && lines[1].contains(" in "),
        "{text}"
    );
    assert!(!text.contains('\r') && !text.contains('\u{1b}'), "{text:?}");
}

#[test]
fn on_a_terminal_the_build_draws_a_progress_bar() {
    // `script` (util-linux) runs the build on a pseudo-terminal and records what it drew.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipping: `script` (util-linux) is not installed, so no terminal to test on");
        return;
    }
    let scratch = Scratch::new("progress-tty");
    let out = scratch.path("site");
    let record = scratch.path("typescript");
    let command = format!(
        "{} build --out {}",
        env!("CARGO_BIN_EXE_reportpress"),
        out.display()
    );
    let status = Command::new("script")
        .args(["-qec", &command])
        .arg(&record)
        .env_remove("DATABASE_URL")
        .env("COLUMNS", "160")
        .output()
        .expect("run script");
    assert!(status.status.success(), "{}", stderr(&status));
    let drawn = String::from_utf8_lossy(&std::fs::read(&record).expect("typescript")).into_owned();
    let frames: Vec<&str> = drawn.split(['\r', '\n']).collect();
    let last_bar = frames
        .iter()
        .rev()
        .find(|f| f.contains("/15 reports"))
        .unwrap_or_else(|| panic!("no progress bar drawn: {drawn:?}"));
    assert!(last_bar.contains("15/15 reports"), "{last_bar:?}");
    assert!(
        frames
            .iter()
            .any(|f| f.contains("entries") && f.contains("/s")),
        "no entries or rate shown: {drawn:?}"
    );
    assert!(frames.iter().any(|f| f.contains("ETA")), "{drawn:?}");
    // The summary line still closes the run.
    assert!(
        drawn.contains("15 reports (") && drawn.contains("rendered"),
        "{drawn:?}"
    );
}
