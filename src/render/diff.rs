//! A unified-diff parser: `git diff`/`git show` output (several files, renames, copies, new and
//! deleted files, mode changes, binary files) and plain `diff -u` output. It never fails: what it
//! cannot read is kept as raw lines with a notice, so a renderer can always show everything.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    /// Lines before the first file (a commit message, a mail header…), kept as they are.
    pub preamble: Vec<String>,
    pub files: Vec<FileDiff>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileStatus {
    Modified,
    Added,
    Deleted,
    Renamed,
    Copied,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDiff {
    /// `None` for `/dev/null` (an added file) or when no path was given.
    pub old_path: Option<String>,
    pub new_path: Option<String>,
    pub status: FileStatus,
    pub binary: bool,
    /// Extended header lines (`index …`, `new file mode …`, `similarity index …`).
    pub header: Vec<String>,
    pub hunks: Vec<Hunk>,
    pub additions: usize,
    pub deletions: usize,
    /// The size of this file's part of the diff text, in bytes.
    pub bytes: usize,
    /// Lines of this file's part of the diff.
    pub lines: usize,
}

impl FileDiff {
    /// The path to show: the new one, else the old one.
    pub fn path(&self) -> &str {
        self.new_path
            .as_deref()
            .or(self.old_path.as_deref())
            .unwrap_or("(unnamed file)")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hunk {
    /// The `@@ … @@` line as written.
    pub header: String,
    pub old_start: u64,
    pub new_start: u64,
    pub lines: Vec<Line>,
    /// Why this hunk could not be read as declared; its lines are then shown raw.
    pub malformed: Option<String>,
    /// Lines that follow a well-formed hunk's declared counts (up to the next hunk or file) are
    /// kept at its end as `Raw` lines, as written. When any of them looks like a diff line
    /// (`+`, `-`, ` `), this says so: the header does not count every line the text holds.
    pub extra: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Context,
    Added,
    Removed,
    /// `\ No newline at end of file`, about the line before it.
    NoNewline,
    /// A line of a malformed hunk, or one past a hunk's declared counts, as written.
    Raw,
}

impl LineKind {
    /// The prefix the line has in unified-diff text.
    pub fn marker(self) -> &'static str {
        match self {
            LineKind::Added => "+",
            LineKind::Removed => "-",
            LineKind::Context => " ",
            LineKind::NoNewline => "\\",
            LineKind::Raw => "",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    /// The line without its `+`/`-`/` `/`\` marker (the whole line for `Raw`): the marker and
    /// the text give back the line as written.
    pub text: String,
    pub old_no: Option<u64>,
    pub new_no: Option<u64>,
}

/// `@@ -a[,b] +c[,d] @@ section` → (a, b, c, d).
fn hunk_header(line: &str) -> Option<(u64, u64, u64, u64)> {
    let rest = line.strip_prefix("@@ -")?;
    let end = rest.find(" @@")?;
    let (old, new) = rest[..end].split_once(" +")?;
    let range = |r: &str| -> Option<(u64, u64)> {
        match r.split_once(',') {
            Some((start, len)) => Some((start.parse().ok()?, len.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    let (a, b) = range(old)?;
    let (c, d) = range(new)?;
    Some((a, b, c, d))
}

/// A path from a `---`/`+++` line: drops the `a/`/`b/` prefix, a trailing tab-separated
/// timestamp, and surrounding quotes; `/dev/null` is `None`.
fn header_path(raw: &str) -> Option<String> {
    let raw = raw.split('\t').next().unwrap_or(raw).trim_end();
    let raw = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    if raw == "/dev/null" {
        return None;
    }
    let path = raw
        .strip_prefix("a/")
        .or_else(|| raw.strip_prefix("b/"))
        .unwrap_or(raw);
    (!path.is_empty()).then(|| path.to_string())
}

/// Paths of `diff --git a/X b/Y` (best effort: exact when both sides are equal or unquoted).
fn git_paths(rest: &str) -> (Option<String>, Option<String>) {
    let rest = rest.trim_end();
    if let Some(stripped) = rest.strip_prefix("a/") {
        // Unambiguous split when old == new: "a/X b/X".
        let half = (stripped.len().saturating_sub(3)) / 2;
        if stripped.is_char_boundary(half)
            && stripped[half..].starts_with(" b/")
            && stripped[..half] == stripped[half + 3..]
        {
            let p = stripped[..half].to_string();
            return (Some(p.clone()), Some(p));
        }
        if let Some((a, b)) = stripped.split_once(" b/") {
            return (Some(a.to_string()), Some(b.to_string()));
        }
    }
    (None, None)
}

impl FileDiff {
    fn new(old_path: Option<String>, new_path: Option<String>) -> FileDiff {
        FileDiff {
            old_path,
            new_path,
            status: FileStatus::Modified,
            binary: false,
            header: Vec::new(),
            hunks: Vec::new(),
            additions: 0,
            deletions: 0,
            bytes: 0,
            lines: 0,
        }
    }
}

struct OpenHunk {
    hunk: Hunk,
    /// The counts its header declares.
    old_len: u64,
    new_len: u64,
    old_left: u64,
    new_left: u64,
    old_no: u64,
    new_no: u64,
    /// Lines past the declared counts that look like diff lines.
    extra: u64,
}

impl OpenHunk {
    fn new(header: &str) -> OpenHunk {
        let (old_start, old_len, new_start, new_len, malformed) = match hunk_header(header) {
            Some((a, b, c, d)) => (a, b, c, d, None),
            None => (
                0,
                0,
                0,
                0,
                Some("the hunk header cannot be read".to_string()),
            ),
        };
        OpenHunk {
            hunk: Hunk {
                header: header.to_string(),
                old_start,
                new_start,
                lines: Vec::new(),
                malformed,
                extra: None,
            },
            old_len,
            new_len,
            old_left: old_len,
            new_left: new_len,
            old_no: old_start,
            new_no: new_start,
            extra: 0,
        }
    }

    fn raw(&mut self, line: &str) {
        self.hunk.lines.push(Line {
            kind: LineKind::Raw,
            text: line.to_string(),
            old_no: None,
            new_no: None,
        });
    }
}

/// Whether a line past a hunk's counts reads as part of a diff: a `+`, `-` or ` ` line. The
/// mail signature separator `-- ` (`git format-patch`) and blank lines do not.
fn looks_like_diff_line(line: &str) -> bool {
    line != "-- " && line.starts_with(['+', '-', ' '])
}

/// Parses unified-diff text. Never fails; CRLF line ends are accepted.
///
/// Lossless: every line of the text is kept, in order, in exactly one place: the preamble, a
/// file's `header` (the lines before its first hunk), a hunk's `header`, or a hunk's `lines`
/// (up to the next hunk or file, so text after a hunk's declared counts stays with it, see
/// [`Hunk::extra`]). Only a line's end (`\n`, `\r\n`) is dropped.
pub fn parse(text: &str) -> Patch {
    let mut patch = Patch {
        preamble: Vec::new(),
        files: Vec::new(),
    };
    let mut file: Option<FileDiff> = None;
    let mut hunk: Option<OpenHunk> = None;
    // After `diff --git`, the `---`/`+++` lines belong to the same file.
    let mut in_git_header = false;

    fn close_hunk(file: &mut Option<FileDiff>, hunk: &mut Option<OpenHunk>) {
        if let Some(mut open) = hunk.take() {
            if open.hunk.malformed.is_none() && (open.old_left > 0 || open.new_left > 0) {
                open.hunk.malformed = Some(format!(
                    "the hunk ends {} old and {} new lines short of what its header declares",
                    open.old_left, open.new_left
                ));
            }
            if open.hunk.malformed.is_none() && open.extra > 0 {
                open.hunk.extra = Some(format!(
                    "its header declares {} old and {} new lines, and {} more diff line{} follow{}",
                    open.old_len,
                    open.new_len,
                    open.extra,
                    if open.extra == 1 { "" } else { "s" },
                    if open.extra == 1 { "s" } else { "" },
                ));
            }
            let f = file.get_or_insert_with(|| FileDiff::new(None, None));
            if open.hunk.malformed.is_some() {
                // Shown as written, so not counted as changes (the lines read before the hunk
                // turned out not to match its header were).
                let count = |kind| open.hunk.lines.iter().filter(|l| l.kind == kind).count();
                f.additions = f.additions.saturating_sub(count(LineKind::Added));
                f.deletions = f.deletions.saturating_sub(count(LineKind::Removed));
            }
            f.hunks.push(open.hunk);
        }
    }
    fn close_file(patch: &mut Patch, file: &mut Option<FileDiff>, hunk: &mut Option<OpenHunk>) {
        close_hunk(file, hunk);
        if let Some(f) = file.take() {
            patch.files.push(f);
        }
    }

    for raw_line in text.split_inclusive('\n') {
        let size = raw_line.len();
        let line = raw_line.strip_suffix('\n').unwrap_or(raw_line);
        let line = line.strip_suffix('\r').unwrap_or(line);

        // Inside a well-formed hunk: take lines while its counts last.
        if let Some(open) = hunk.as_mut().filter(|h| h.hunk.malformed.is_none()) {
            let (marker, body) = match line.chars().next() {
                Some(c) => (Some(c), &line[c.len_utf8()..]),
                None => (None, ""),
            };
            let taken = match marker {
                Some('+') if open.new_left > 0 => {
                    open.hunk.lines.push(Line {
                        kind: LineKind::Added,
                        text: body.to_string(),
                        old_no: None,
                        new_no: Some(open.new_no),
                    });
                    open.new_no += 1;
                    open.new_left -= 1;
                    if let Some(f) = file.as_mut() {
                        f.additions += 1;
                    }
                    true
                }
                Some('-') if open.old_left > 0 => {
                    open.hunk.lines.push(Line {
                        kind: LineKind::Removed,
                        text: body.to_string(),
                        old_no: Some(open.old_no),
                        new_no: None,
                    });
                    open.old_no += 1;
                    open.old_left -= 1;
                    if let Some(f) = file.as_mut() {
                        f.deletions += 1;
                    }
                    true
                }
                // A context line; an empty line is context whose space was stripped.
                Some(' ') | None if open.old_left > 0 && open.new_left > 0 => {
                    open.hunk.lines.push(Line {
                        kind: LineKind::Context,
                        text: body.to_string(),
                        old_no: Some(open.old_no),
                        new_no: Some(open.new_no),
                    });
                    open.old_no += 1;
                    open.new_no += 1;
                    open.old_left -= 1;
                    open.new_left -= 1;
                    true
                }
                Some('\\') => {
                    open.hunk.lines.push(Line {
                        kind: LineKind::NoNewline,
                        text: body.to_string(),
                        old_no: None,
                        new_no: None,
                    });
                    true
                }
                _ => false,
            };
            let exhausted = open.old_left == 0 && open.new_left == 0;
            let next = line.starts_with("@@") || line.starts_with("diff --git ");
            if !taken && exhausted && !next && !line.starts_with("--- ") {
                // Past the declared counts, before the next hunk or file: kept here, as written.
                if looks_like_diff_line(line) {
                    open.extra += 1;
                }
                open.raw(line);
            }
            if taken || (exhausted && !next && !line.starts_with("--- ")) {
                if let Some(f) = file.as_mut() {
                    f.bytes += size;
                    f.lines += 1;
                }
                continue;
            }
            if exhausted {
                close_hunk(&mut file, &mut hunk);
            } else if !next {
                // A line that fits no count: the rest of this hunk is shown as written.
                open.hunk.malformed = Some(format!(
                    "line {:?} does not fit the hunk's declared counts",
                    line.chars().take(60).collect::<String>()
                ));
            }
        }

        if let Some(rest) = line.strip_prefix("diff --git ") {
            close_file(&mut patch, &mut file, &mut hunk);
            let (old, new) = git_paths(rest);
            let mut f = FileDiff::new(old, new);
            f.header.push(line.to_string());
            f.bytes += size;
            f.lines += 1;
            file = Some(f);
            in_git_header = true;
            continue;
        }
        if line.starts_with("@@") {
            close_hunk(&mut file, &mut hunk);
            in_git_header = false;
            let f = file.get_or_insert_with(|| FileDiff::new(None, None));
            f.bytes += size;
            f.lines += 1;
            hunk = Some(OpenHunk::new(line));
            continue;
        }
        if let Some(open) = hunk.as_mut().filter(|h| h.hunk.malformed.is_some()) {
            // Lines of a malformed hunk, until the next hunk or file.
            if !line.starts_with("--- ") {
                open.raw(line);
                if let Some(f) = file.as_mut() {
                    f.bytes += size;
                    f.lines += 1;
                }
                continue;
            }
        }
        if let Some(rest) = line.strip_prefix("--- ") {
            // Starts a new file unless it follows this file's `diff --git` header, or the file
            // has nothing yet but text that named no path.
            let continuing = in_git_header
                || (hunk.is_none()
                    && file.as_ref().is_some_and(|f| {
                        f.hunks.is_empty()
                            && !f.binary
                            && f.new_path.is_none()
                            && f.old_path.is_none()
                    }));
            if !continuing {
                close_file(&mut patch, &mut file, &mut hunk);
            }
            close_hunk(&mut file, &mut hunk);
            let f = file.get_or_insert_with(|| FileDiff::new(None, None));
            f.old_path = header_path(rest);
            if f.old_path.is_none() && rest.trim_start().starts_with("/dev/null") {
                f.status = FileStatus::Added;
            }
            f.header.push(line.to_string());
            f.bytes += size;
            f.lines += 1;
            in_git_header = true;
            continue;
        }
        match file.as_mut() {
            // Past a file's hunks (only when no hunk is open, which the branches above rule out):
            // kept at the end of its last hunk, so that the file's lines stay in order.
            Some(f) if !f.hunks.is_empty() => {
                if let Some(last) = f.hunks.last_mut() {
                    last.lines.push(Line {
                        kind: LineKind::Raw,
                        text: line.to_string(),
                        old_no: None,
                        new_no: None,
                    });
                }
                f.bytes += size;
                f.lines += 1;
            }
            Some(f) => {
                let header = |prefix: &str| line.strip_prefix(prefix).map(str::to_string);
                if let Some(rest) = line.strip_prefix("+++ ") {
                    f.new_path = header_path(rest);
                    if f.new_path.is_none() && rest.trim_start().starts_with("/dev/null") {
                        f.status = FileStatus::Deleted;
                    }
                } else if line.starts_with("new file mode") {
                    f.status = FileStatus::Added;
                } else if line.starts_with("deleted file mode") {
                    f.status = FileStatus::Deleted;
                } else if let Some(p) = header("rename from ") {
                    f.status = FileStatus::Renamed;
                    f.old_path = Some(p);
                } else if let Some(p) = header("rename to ") {
                    f.status = FileStatus::Renamed;
                    f.new_path = Some(p);
                } else if let Some(p) = header("copy from ") {
                    f.status = FileStatus::Copied;
                    f.old_path = Some(p);
                } else if let Some(p) = header("copy to ") {
                    f.status = FileStatus::Copied;
                    f.new_path = Some(p);
                } else if line.starts_with("Binary files ") || line.starts_with("GIT binary patch")
                {
                    f.binary = true;
                }
                f.header.push(line.to_string());
                f.bytes += size;
                f.lines += 1;
            }
            None => patch.preamble.push(line.to_string()),
        }
    }
    close_file(&mut patch, &mut file, &mut hunk);
    for f in &mut patch.files {
        if f.status == FileStatus::Modified
            && f.old_path.is_none()
            && f.new_path.is_some()
            && f.header.iter().any(|h| h.starts_with("--- /dev/null"))
        {
            f.status = FileStatus::Added;
        }
    }
    patch
}

impl FileDiff {
    /// What a reader should be told about this file's hunks, one sentence each: a hunk that
    /// could not be read (shown as written), and lines past a hunk's declared counts.
    pub fn notices(&self) -> Vec<String> {
        self.hunks
            .iter()
            .filter_map(|h| match (&h.malformed, &h.extra) {
                (Some(reason), _) => Some(format!(
                    "The hunk `{}` could not be read ({reason}); it is shown as written.",
                    h.header
                )),
                (None, Some(extra)) => Some(format!(
                    "The hunk `{}` does not count every line: {extra}; they are shown as written, not counted as changes.",
                    h.header
                )),
                (None, None) => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTI: &str = "\
diff --git a/src/a.rs b/src/a.rs
index 1111111..2222222 100644
--- a/src/a.rs
+++ b/src/a.rs
@@ -1,3 +1,4 @@ fn main() {
 fn main() {
-    println!(\"old\");
+    println!(\"new\");
+    println!(\"more\");
 }
diff --git a/old name.py b/new name.py
similarity index 90%
rename from old name.py
rename to new name.py
index 3333333..4444444 100644
--- a/old name.py
+++ b/new name.py
@@ -10,2 +10,2 @@
-x = 1
+x = 2
 y = 3
diff --git a/added.toml b/added.toml
new file mode 100644
index 0000000..5555555
--- /dev/null
+++ b/added.toml
@@ -0,0 +1,2 @@
+[package]
+name = \"x\"
\\ No newline at end of file
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
index 6666666..0000000
--- a/gone.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git a/logo.png b/logo.png
index 7777777..8888888 100644
Binary files a/logo.png and b/logo.png differ
";

    #[test]
    fn multi_file_git_diff() {
        let p = parse(MULTI);
        assert!(p.preamble.is_empty());
        let summary: Vec<_> = p
            .files
            .iter()
            .map(|f| {
                (
                    f.old_path.clone(),
                    f.new_path.clone(),
                    f.status,
                    f.binary,
                    f.additions,
                    f.deletions,
                )
            })
            .collect();
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            summary,
            vec![
                (
                    s("src/a.rs"),
                    s("src/a.rs"),
                    FileStatus::Modified,
                    false,
                    2,
                    1
                ),
                (
                    s("old name.py"),
                    s("new name.py"),
                    FileStatus::Renamed,
                    false,
                    1,
                    1
                ),
                (None, s("added.toml"), FileStatus::Added, false, 2, 0),
                (s("gone.txt"), None, FileStatus::Deleted, false, 0, 1),
                (
                    s("logo.png"),
                    s("logo.png"),
                    FileStatus::Modified,
                    true,
                    0,
                    0
                ),
            ]
        );
        let first = &p.files[0].hunks[0];
        assert_eq!(first.header, "@@ -1,3 +1,4 @@ fn main() {");
        let numbers: Vec<_> = first
            .lines
            .iter()
            .map(|l| (l.kind, l.old_no, l.new_no))
            .collect();
        assert_eq!(
            numbers,
            vec![
                (LineKind::Context, Some(1), Some(1)),
                (LineKind::Removed, Some(2), None),
                (LineKind::Added, None, Some(2)),
                (LineKind::Added, None, Some(3)),
                (LineKind::Context, Some(3), Some(4)),
            ]
        );
        assert_eq!(p.files[1].hunks[0].lines[0].old_no, Some(10));
        let added = &p.files[2].hunks[0].lines;
        assert_eq!(added.last().map(|l| l.kind), Some(LineKind::NoNewline));
        assert!(
            p.files
                .iter()
                .all(|f| f.hunks.iter().all(|h| h.malformed.is_none()))
        );
        let total: usize = p.files.iter().map(|f| f.bytes).sum();
        assert_eq!(total, MULTI.len());
    }

    #[test]
    fn crlf_and_plain_unified_diffs() {
        let text = "--- a/x.txt\r\n+++ b/x.txt\r\n@@ -1,2 +1,2 @@\r\n-a\r\n+b\r\n c\r\n--- a/y.txt\n+++ b/y.txt\n@@ -1 +1 @@\n-1\n+2\n";
        let p = parse(text);
        assert_eq!(p.files.len(), 2);
        assert_eq!(p.files[0].hunks[0].lines[1].text, "b");
        assert_eq!(p.files[0].path(), "x.txt");
        assert_eq!(p.files[1].path(), "y.txt");
        assert!(p.files[0].hunks[0].malformed.is_none());
    }

    #[test]
    fn a_hunk_without_headers_is_one_file() {
        let p = parse("@@ -1 +1 @@\n-a\n+b\n");
        assert_eq!(p.files.len(), 1);
        assert_eq!(p.files[0].path(), "(unnamed file)");
        assert_eq!((p.files[0].additions, p.files[0].deletions), (1, 1));
    }

    #[test]
    fn malformed_hunks_are_kept_raw_with_a_reason() {
        let p = parse("--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n-a\n+b\n");
        let h = &p.files[0].hunks[0];
        assert!(h.malformed.as_deref().unwrap().contains("short"), "{h:?}");
        let p = parse("--- a/x\n+++ b/x\n@@ nonsense @@\n-a\n+b\n");
        let h = &p.files[0].hunks[0];
        assert_eq!(
            h.malformed.as_deref(),
            Some("the hunk header cannot be read")
        );
        assert_eq!(h.lines.len(), 2);
        assert!(h.lines.iter().all(|l| l.kind == LineKind::Raw));
        let p = parse("--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n?? what\n+b\n c\n");
        let h = &p.files[0].hunks[0];
        assert!(
            h.malformed.as_deref().unwrap().contains("does not fit"),
            "{h:?}"
        );
        assert!(h.lines.iter().any(|l| l.text == "?? what"));
    }

    #[test]
    fn lines_past_a_hunks_counts_stay_in_it_with_a_notice() {
        // `@@ -1,1 +1,1 @@` followed by four lines, then a `+++ ` line that renames nothing.
        let p =
            parse("--- a/x.py\n+++ b/x.py\n@@ -1,1 +1,1 @@\n-a\n+b\n+hidden\n c\n+++ b/evil.py\n");
        assert_eq!(p.files.len(), 1);
        let f = &p.files[0];
        assert_eq!(f.path(), "x.py");
        assert_eq!((f.additions, f.deletions), (1, 1));
        let h = &f.hunks[0];
        assert_eq!(h.malformed, None);
        let lines: Vec<_> = h.lines.iter().map(|l| (l.kind, l.text.as_str())).collect();
        assert_eq!(
            lines,
            [
                (LineKind::Removed, "a"),
                (LineKind::Added, "b"),
                (LineKind::Raw, "+hidden"),
                (LineKind::Raw, " c"),
                (LineKind::Raw, "+++ b/evil.py"),
            ]
        );
        assert_eq!(
            h.extra.as_deref(),
            Some("its header declares 1 old and 1 new lines, and 3 more diff lines follow")
        );
        assert_eq!(
            f.notices(),
            [
                "The hunk `@@ -1,1 +1,1 @@` does not count every line: its header declares 1 old and 1 new lines, and 3 more diff lines follow; they are shown as written, not counted as changes."
            ]
        );
        // A mail signature (`git format-patch`) and text that is no diff line: kept, no notice.
        let p = parse("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n-- \n2.43.0\n\n");
        let h = &p.files[0].hunks[0];
        assert_eq!(h.extra, None);
        let raw: Vec<_> = h.lines[2..].iter().map(|l| l.text.as_str()).collect();
        assert_eq!(raw, ["-- ", "2.43.0", ""]);
        assert!(p.files[0].notices().is_empty());
        // A short hunk is shown as written: its lines are not counted as changes.
        let p = parse("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-a\n+b\n");
        assert_eq!((p.files[0].additions, p.files[0].deletions), (0, 0));
        assert_eq!(p.files[0].notices().len(), 1);
    }

    #[test]
    fn markers_and_texts_give_back_the_lines() {
        let text =
            "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n\\ No newline at end of file\n c\n\\odd\n";
        let p = parse(text);
        let got: Vec<String> = p.files[0].hunks[0]
            .lines
            .iter()
            .map(|l| format!("{}{}", l.kind.marker(), l.text))
            .collect();
        assert_eq!(
            got,
            ["-a", "+b", "\\ No newline at end of file", " c", "\\odd"]
        );
    }

    #[test]
    fn preamble_is_kept() {
        let p = parse(
            "From abc\nSubject: fix\n\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n",
        );
        assert_eq!(p.preamble, vec!["From abc", "Subject: fix", ""]);
        assert_eq!(p.files.len(), 1);
    }

    #[test]
    fn arbitrary_input_never_panics() {
        // A deterministic generator of diff-shaped noise (xorshift), 20,000 inputs.
        let pieces = [
            "diff --git a/",
            " b/",
            "--- ",
            "+++ ",
            "@@ -",
            ",",
            " +",
            " @@",
            "\n",
            "\r\n",
            "+",
            "-",
            " ",
            "\\ No newline",
            "/dev/null",
            "rename from ",
            "Binary files ",
            "é",
            "1",
            "0",
            "99999999999999999999",
            "a/x",
            "\t",
            "\"",
            "@@",
            "\u{1F600}",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let p = parse(&text);
            let total: usize = p.files.iter().map(|f| f.bytes).sum();
            assert!(total <= text.len(), "{text:?}");
        }
    }
}
