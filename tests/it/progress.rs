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

/// What `reportpress build` drew on a terminal `columns` wide (`script` from util-linux runs it
/// on a pseudo-terminal of that size), or `None` without `script`.
fn drawn_at(columns: u16) -> Option<String> {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipping: `script` (util-linux) is not installed, so no terminal to test on");
        return None;
    }
    let scratch = Scratch::new("progress-tty");
    let out = scratch.path("site");
    let record = scratch.path("typescript");
    let command = format!(
        "stty cols {columns} rows 24; exec {} build --out {}",
        env!("CARGO_BIN_EXE_reportpress"),
        out.display()
    );
    let status = Command::new("script")
        .args(["-qec", &command])
        .arg(&record)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run script");
    assert!(status.status.success(), "{}", stderr(&status));
    Some(String::from_utf8_lossy(&std::fs::read(&record).expect("typescript")).into_owned())
}

/// The frames of the bar drawn, escape sequences removed.
fn frames(drawn: &str) -> Vec<String> {
    drawn
        .split(['\r', '\n'])
        .map(|frame| {
            let mut plain = String::new();
            let mut chars = frame.chars();
            while let Some(c) = chars.next() {
                if c == '\u{1b}' {
                    // CSI: ESC [ parameters, then one final byte in @..~.
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) && c != '[' {
                            break;
                        }
                    }
                } else {
                    plain.push(c);
                }
            }
            plain
        })
        .filter(|frame| frame.contains(" reports · "))
        .collect()
}

#[test]
fn on_a_terminal_the_build_draws_a_progress_bar() {
    let Some(drawn) = drawn_at(160) else {
        return;
    };
    let frames = frames(&drawn);
    let last_bar = frames
        .iter()
        .rev()
        .find(|f| f.contains("/15 reports"))
        .unwrap_or_else(|| panic!("no progress bar drawn: {drawn:?}"));
    assert!(last_bar.contains("15/15 reports"), "{last_bar:?}");
    assert!(
        frames
            .iter()
            .any(|f| f.contains("ETA") && f.contains("entries") && f.contains("/s")),
        "no time left, entries or rate shown: {drawn:?}"
    );
    // The summary line still closes the run.
    assert!(
        drawn.contains("15 reports (") && drawn.contains("rendered"),
        "{drawn:?}"
    );
}

/// The bar fits the terminal's width: on 60 columns, no frame is wider (a wider one would
/// wrap, and every redraw would leave a line behind).
#[test]
fn the_bar_fits_the_terminal_width() {
    for columns in [60, 80] {
        let Some(drawn) = drawn_at(columns) else {
            return;
        };
        let frames = frames(&drawn);
        assert!(frames.len() > 3, "{drawn:?}");
        for frame in &frames {
            assert!(
                frame.trim_end().chars().count() <= usize::from(columns),
                "wider than {columns} columns: {frame:?}"
            );
        }
        assert!(frames.iter().any(|f| f.contains("ETA")), "{frames:?}");
    }
}
