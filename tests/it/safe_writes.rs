//! Safe writes: a build works in a staging folder beside `--out` and swaps it in at the end, so
//! a killed or failed build leaves the previous archive as it was; a folder holding anything
//! but a reportpress archive (hidden files aside) is refused unless `--force`, and what is not
//! the build's own is never removed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// `.<name>.reportpress-staging` beside `out`.
fn staging(out: &Path) -> PathBuf {
    let parent = std::fs::canonicalize(out.parent().unwrap()).unwrap();
    parent.join(format!(
        ".{}.reportpress-staging",
        out.file_name().unwrap().to_string_lossy()
    ))
}

fn previous(out: &Path) -> PathBuf {
    let parent = std::fs::canonicalize(out.parent().unwrap()).unwrap();
    parent.join(format!(
        ".{}.reportpress-previous",
        out.file_name().unwrap().to_string_lossy()
    ))
}

fn verify_passes(dir: &Path) {
    let result = reportpress(&["verify", &dir.display().to_string()]);
    assert!(
        result.status.success(),
        "verify failed: {}{}",
        String::from_utf8_lossy(&result.stdout),
        stderr(&result)
    );
}

/// A generated SQLite archive of `reports` reports.
fn generated(path: &Path, reports: u32, seed: u64) -> String {
    let path_s = path.display().to_string();
    let (n, s) = (reports.to_string(), seed.to_string());
    let result = reportpress(&["demo", "--reports", &n, "--seed", &s, "--out", &path_s]);
    assert!(result.status.success(), "demo failed: {}", stderr(&result));
    path_s
}

#[test]
fn a_killed_build_leaves_the_previous_archive_intact() {
    let scratch = Scratch::new("safe-killed");
    let first = generated(&scratch.path("first.sqlite"), 30, 1);
    let second = generated(&scratch.path("second.sqlite"), 300, 2);
    let out = scratch.path("out");
    build(Some(&first), &out, &[]);
    let before = tree(&out);

    // A build of other rows (every page different), one worker so it takes a while; killed
    // once its staging folder holds pages of its own.
    let mut child = Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(["build", "--jobs", "1", "--database", &second, "--out"])
        .arg(&out)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the build");
    let staged = staging(&out);
    let started = Instant::now();
    let new_pages = loop {
        let new_pages = walkdir::WalkDir::new(staged.join("reports"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter(|e| {
                let name = e.file_name().to_string_lossy();
                !before.contains_key(&format!("reports/{name}")) && !name.contains(".tmp-")
            })
            .count();
        if new_pages >= 10 {
            break new_pages;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before it could be killed"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no staging folder with new pages appeared"
        );
        std::thread::sleep(Duration::from_millis(5));
    };

    // Meanwhile, a second build into the same folder is refused, not let loose on the first
    // one's staging folder.
    let concurrent = reportpress(&[
        "build",
        "--database",
        &second,
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(concurrent.status.code(), Some(1), "{}", stderr(&concurrent));
    assert!(
        stderr(&concurrent).contains("another build is writing into"),
        "{}",
        stderr(&concurrent)
    );

    assert!(
        child.try_wait().unwrap().is_none(),
        "the build ended before it could be killed"
    );
    child.kill().expect("kill the build");
    child.wait().unwrap();

    assert!(new_pages >= 10);
    assert!(staged.is_dir(), "the killed build's staging folder is left");
    assert!(
        tree(&out) == before,
        "the previous archive is byte-identical"
    );
    verify_passes(&out);

    // The next build removes the leftover and succeeds.
    let err = stderr(&build(Some(&second), &out, &[]));
    assert!(err.contains("stale pages removed"), "{err}");
    assert!(!staged.exists(), "staging folder removed");
    assert!(!previous(&out).exists(), "previous archive removed");
    assert_eq!(names(&scratch.0), ["first.sqlite", "out", "second.sqlite"]);
    verify_passes(&out);
    assert!(tree(&out) != before);
}

#[test]
fn a_failed_build_leaves_the_previous_archive_intact() {
    let scratch = Scratch::new("safe-failed");
    let out = scratch.path("out");
    build(None, &out, &[]);
    // A folder where the index goes: the build fails when it writes the index, after every
    // report page.
    std::fs::remove_file(out.join("index.md")).unwrap();
    std::fs::create_dir_all(out.join("index.md/blocked")).unwrap();
    std::fs::write(out.join("index.md/blocked/x"), "x").unwrap();
    // And the rows changed since, so the failed build had rewritten pages.
    let db = sqlite_archive(&scratch.path("a.sqlite"), DEMO);
    execute(
        &format!("sqlite://{}?mode=rwc", scratch.path("a.sqlite").display()),
        "UPDATE signals_signalreport SET title = 'Renamed' \
         WHERE id = '019a0000-0000-7000-8000-000000000005';",
    );
    let before = tree(&out);

    let result = reportpress(&[
        "build",
        "--database",
        &db,
        "--out",
        &out.display().to_string(),
    ]);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert!(err.contains("index.md"), "{err}");
    assert!(tree(&out) == before, "the archive is as it was");
    assert!(!staging(&out).exists(), "the staging folder is removed");
    assert_eq!(names(&scratch.0), ["a.sqlite", "out"]);

    std::fs::remove_dir_all(out.join("index.md")).unwrap();
    build(Some(&db), &out, &[]);
    verify_passes(&out);
}

#[cfg(unix)]
#[test]
fn a_rebuild_replaces_files_and_keeps_unchanged_ones() {
    use std::os::unix::fs::MetadataExt;
    let scratch = Scratch::new("safe-links");
    let path = scratch.path("a.sqlite");
    let db = sqlite_archive(&path, DEMO);
    let out = scratch.path("out");
    build(Some(&db), &out, &[]);
    let renamed = "reports/019a0000-0000-7000-8000-000000000005.html";
    let untouched = "reports/019a0000-0000-7000-8000-000000000001.md";
    // A reader holding the old page (another link to the same file) keeps reading it.
    std::fs::hard_link(out.join(renamed), scratch.path("held.html")).unwrap();
    let old_page = std::fs::read(out.join(renamed)).unwrap();
    let inode = |rel: &str| std::fs::metadata(out.join(rel)).unwrap().ino();
    let untouched_inode = inode(untouched);
    let untouched_mtime = std::fs::metadata(out.join(untouched))
        .unwrap()
        .modified()
        .unwrap();

    execute(
        &format!("sqlite://{}?mode=rwc", path.display()),
        "UPDATE signals_signalreport SET title = 'Renamed' \
         WHERE id = '019a0000-0000-7000-8000-000000000005';",
    );
    build(Some(&db), &out, &[]);

    assert_ne!(std::fs::read(out.join(renamed)).unwrap(), old_page);
    assert_eq!(std::fs::read(scratch.path("held.html")).unwrap(), old_page);
    assert_eq!(
        inode(untouched),
        untouched_inode,
        "an unchanged page is kept"
    );
    assert_eq!(
        std::fs::metadata(out.join(untouched))
            .unwrap()
            .modified()
            .unwrap(),
        untouched_mtime
    );
    assert!(!staging(&out).exists() && !previous(&out).exists());
    verify_passes(&out);
}

#[test]
fn a_folder_holding_other_files_is_refused_unless_forced() {
    let scratch = Scratch::new("safe-refused");
    let out = scratch.path("notes");
    std::fs::create_dir_all(out.join("people")).unwrap();
    std::fs::write(out.join("notes.txt"), "my notes\n").unwrap();
    std::fs::write(out.join("people/about.html"), "<p>about us</p>").unwrap();
    std::fs::write(out.join("sitemap.xml"), "<urlset/>").unwrap();
    let before = tree(&out);
    let out_s = out.display().to_string();

    let result = reportpress(&["build", "--out", &out_s]);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(2), "{err}");
    let line = err.lines().last().unwrap();
    assert_eq!(
        line,
        format!(
            "reportpress: --out: {out_s} holds files that are not a reportpress archive (e.g. notes.txt): \
             pass --force to build into it anyway"
        )
    );
    assert!(tree(&out) == before, "nothing written");
    assert_eq!(names(&scratch.0), ["notes"], "nothing beside it either");

    // --force builds into it and keeps its files, now and on the next builds (which remove
    // only pages they wrote).
    build(None, &out, &["--force"]);
    for (path, bytes) in &before {
        assert!(std::fs::read(out.join(path)).unwrap() == *bytes, "{path}");
    }
    assert!(out.join("index.html").is_file());
    let db = sqlite_archive(&scratch.path("a.sqlite"), DEMO);
    execute(
        &format!("sqlite://{}?mode=rwc", scratch.path("a.sqlite").display()),
        "DELETE FROM signals_signalreportartefact WHERE report_id = '019a0000-0000-7000-8000-000000000015'; \
         DELETE FROM signals_signalreport WHERE id = '019a0000-0000-7000-8000-000000000015';",
    );
    let err = stderr(&build(Some(&db), &out, &[]));
    assert!(err.contains("stale pages removed"), "{err}");
    assert!(
        !out.join("reports/019a0000-0000-7000-8000-000000000015.html")
            .exists()
    );
    for (path, bytes) in &before {
        assert!(std::fs::read(out.join(path)).unwrap() == *bytes, "{path}");
    }
}

#[test]
fn hidden_files_alone_do_not_make_a_folder_foreign() {
    let scratch = Scratch::new("safe-hidden");
    let out = scratch.path("site");
    std::fs::create_dir_all(out.join(".git")).unwrap();
    std::fs::write(out.join(".gitignore"), "*.tmp\n").unwrap();
    std::fs::write(out.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();

    build(None, &out, &[]);
    assert_eq!(read(&out.join(".gitignore")), "*.tmp\n");
    assert_eq!(read(&out.join(".git/HEAD")), "ref: refs/heads/main\n");
    assert!(out.join("index.html").is_file());
    verify_passes(&out);

    // An empty folder is fine too.
    let empty = scratch.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    build(None, &empty, &[]);
    verify_passes(&empty);
}

#[test]
fn out_naming_a_file_is_refused() {
    let scratch = Scratch::new("safe-file");
    let file = scratch.path("archive.html");
    std::fs::write(&file, "<p>").unwrap();
    let result = reportpress(&["build", "--out", &file.display().to_string()]);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(2), "{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .ends_with("archive.html: is a file, not a folder"),
        "{err}"
    );
    assert_eq!(read(&file), "<p>");
    assert_eq!(names(&scratch.0), ["archive.html"]);
}

/// A symbolic link planted in the archive (`out/reports -> ../elsewhere`, a page linked to a
/// file outside) is never written or pruned through: the rebuild replaces the link with its own
/// folder or file, and what the links point to stays exactly as it was.
#[test]
fn links_planted_in_the_archive_are_never_followed() {
    let scratch = Scratch::new("safe-symlinks");
    let path = scratch.path("a.sqlite");
    let db = sqlite_archive(&path, DEMO);
    let out = scratch.path("out");
    assert!(build(Some(&db), &out, &[]).status.success());

    // Elsewhere: a folder holding a file named like a page, and a file a page will point to.
    let elsewhere = scratch.path("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let gone = "019a0000-0000-7000-8000-000000000009.html"; // a deleted report's page name
    std::fs::write(elsewhere.join(gone), "KEEP ME").unwrap();
    std::fs::write(
        elsewhere.join("019a0000-0000-7000-8000-000000000001.html"),
        "MINE",
    )
    .unwrap();
    let victim = scratch.path("victim.txt");
    std::fs::write(&victim, "VICTIM").unwrap();

    // reports/ becomes a link to elsewhere (its pages moved there), a task page a link to victim.
    let reports = out.join("reports");
    for entry in std::fs::read_dir(&reports).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if !elsewhere.join(&name).exists() {
            std::fs::rename(entry.path(), elsewhere.join(&name)).unwrap();
        }
    }
    std::fs::remove_dir_all(&reports).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &reports).unwrap();
    let task = std::fs::read_dir(out.join("tasks"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(&task).unwrap();
    std::os::unix::fs::symlink(&victim, &task).unwrap();
    // The previous manifest lists the deleted report's page, so pruning would remove it.
    let manifest = out.join("manifest.json");
    let listed = std::fs::read_to_string(&manifest).unwrap().replacen(
        "\"files\": {",
        &format!("\"files\": {{\n    \"reports/{gone}\": \"00\","),
        1,
    );
    std::fs::write(&manifest, listed).unwrap();

    let rebuilt = build(Some(&db), &out, &["--full"]);
    assert!(rebuilt.status.success(), "{}", stderr(&rebuilt));
    assert_eq!(
        std::fs::read_to_string(elsewhere.join(gone)).unwrap(),
        "KEEP ME"
    );
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("019a0000-0000-7000-8000-000000000001.html"))
            .unwrap(),
        "MINE"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "VICTIM");
    // The archive's own folder and file are back, real, and verify.
    assert!(
        !std::fs::symlink_metadata(&reports)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        !std::fs::symlink_metadata(&task)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    verify_passes(&out);
}

/// Ctrl-C (SIGINT) during a build: it stops between reports, removes its staging folder, says
/// so in one line and exits 130; the previous archive is as it was.
#[test]
fn an_interrupted_build_cleans_up_and_says_so() {
    let scratch = Scratch::new("safe-interrupted");
    let first = generated(&scratch.path("first.sqlite"), 60, 1);
    let second = generated(&scratch.path("second.sqlite"), 300, 2);
    let out = scratch.path("out");
    build(Some(&first), &out, &[]);
    let before = tree(&out);

    let child = Command::new(env!("CARGO_BIN_EXE_reportpress"))
        .args(["build", "--jobs", "1", "--database", &second, "--out"])
        .arg(&out)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the build");
    let staged = staging(&out);
    let started = Instant::now();
    while !staged.join("reports").is_dir() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no staging folder appeared"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let pid = child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success());
    let result = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(130), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("interrupted") && err.contains("left as it was"),
        "{err}"
    );
    assert!(!staged.exists(), "the staging folder is removed");
    assert!(
        tree(&out) == before,
        "the previous archive is byte-identical"
    );
    verify_passes(&out);
}
