//! Unified diffs over the code samples: multi-file `git diff` text for commits, a single-file
//! `diff -u` for `code_diff` entries, with hunk headers that add up.

use super::rng::Rng;
use super::samples::{File, Fill, file};

/// One file's hunks, about `target` lines long (headers included); returns the text and
/// the number of lines written.
fn diff_file(rng: &mut Rng, f: &File, target: usize, git: bool, out: &mut String) -> usize {
    let mut written = 0;
    let new_file = git && rng.chance(0.08);
    if git {
        out.push_str(&format!("diff --git a/{p} b/{p}\n", p = f.path));
        written += 1;
        if new_file {
            out.push_str("new file mode 100644\n");
            out.push_str(&format!("index 0000000..{}\n", rng.hex(7)));
            written += 2;
        } else {
            out.push_str(&format!("index {}..{} 100644\n", rng.hex(7), rng.hex(7)));
            written += 1;
        }
    }
    if new_file {
        out.push_str(&format!("--- /dev/null\n+++ b/{}\n", f.path));
        let n = target.saturating_sub(written + 3).max(1);
        out.push_str(&format!("@@ -0,0 +1,{n} @@\n"));
        for i in 0..n {
            out.push('+');
            out.push_str(&f.lines[i % f.lines.len()]);
            out.push('\n');
        }
        return written + 3 + n;
    }
    out.push_str(&format!("--- a/{p}\n+++ b/{p}\n", p = f.path));
    written += 2;
    let mut old_line = rng.range(1, 120);
    let mut delta: i64 = 0;
    let mut cursor = rng.below(f.lines.len() as u64) as usize;
    let alt = Fill::new(rng);
    // Hunks of 3 context lines either side; the last one is sized so the file's part of the
    // diff is exactly `target` lines.
    loop {
        let remaining = target.saturating_sub(written);
        if remaining < 8 {
            break;
        }
        let pre = 3;
        let post = 3;
        let mut removed = rng.below(6) as usize;
        let mut added = rng.range(if removed == 0 { 1 } else { 0 }, 8) as usize;
        let size = 1 + pre + post + removed + added;
        if size > remaining {
            removed = 0;
            added = remaining - 7;
        } else if remaining - size < 8 {
            added += remaining - size;
        }
        let old_len = pre + removed + post;
        let new_len = pre + added + post;
        let new_start = (old_line as i64 + delta) as u64;
        out.push_str(&format!(
            "@@ -{old_line},{old_len} +{new_start},{new_len} @@\n"
        ));
        let line = |out: &mut String, marker: char, text: &str| {
            out.push(marker);
            out.push_str(text);
            out.push('\n');
        };
        for _ in 0..pre {
            line(out, ' ', &f.lines[cursor % f.lines.len()]);
            cursor += 1;
        }
        let changed_from = cursor;
        for _ in 0..removed {
            line(out, '-', &f.lines[cursor % f.lines.len()]);
            cursor += 1;
        }
        for k in 0..added {
            let at = (changed_from + k) % f.lines.len();
            let text = alt.apply(f.raw[at]);
            let text = if text == f.lines[at] {
                f.lines[(at + 7) % f.lines.len()].clone()
            } else {
                text
            };
            line(out, '+', &text);
        }
        for _ in 0..post {
            line(out, ' ', &f.lines[cursor % f.lines.len()]);
            cursor += 1;
        }
        written += 1 + pre + removed + added + post;
        delta += added as i64 - removed as i64;
        old_line += old_len as u64 + rng.range(4, 60);
    }
    written
}

/// A multi-file git diff (commits) or a single-file `diff -u` (code_diff), 20–400 lines.
fn diff_lines_target(rng: &mut Rng) -> usize {
    let v = rng.unit();
    20 + (381.0 * v * v * v) as usize
}

pub(super) fn unified_diff(rng: &mut Rng, files: usize, git: bool) -> (String, Vec<String>) {
    let total = diff_lines_target(rng);
    // Every file needs its headers and one hunk: at most one file per 14 lines.
    let files = files.min(total / 14).max(1);
    let mut out = String::new();
    let mut paths = Vec::new();
    let mut written = 0;
    for i in 0..files {
        let f = file(rng);
        let target = if i + 1 == files {
            total - written
        } else {
            total / files
        };
        written += diff_file(rng, &f, target, git, &mut out);
        paths.push(f.path);
    }
    (out, paths)
}
