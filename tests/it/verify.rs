//! `reportpress verify DIR` and the manifest it checks: a SHA-256 per file, the hash of the
//! source rows per report; verify passes on a fresh or incremental build and names every file
//! that changed, went missing or was added.

use std::path::Path;

use crate::common::*;
use sha2::{Digest, Sha256};

fn verify(dir: &Path) -> std::process::Output {
    reportpress(&["verify", &dir.display().to_string()])
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&read(&dir.join("manifest.json"))).expect("manifest.json parses")
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn is_sha256(value: &serde_json::Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn assert_passes(dir: &Path) -> String {
    let result = verify(dir);
    let text = stdout(&result);
    assert_eq!(
        result.status.code(),
        Some(0),
        "verify failed: {text}{}",
        stderr(&result)
    );
    assert!(text.ends_with("files verified: all match\n"), "{text}");
    text
}

#[test]
fn verify_passes_on_a_fresh_build_and_names_a_page_with_one_byte_changed() {
    let scratch = Scratch::new("verify-byte");
    let out = scratch.path("out");
    build(None, &out, &[]);
    let text = assert_passes(&out);
    let listed = manifest(&out)["files"].as_object().unwrap().len();
    assert_eq!(text, format!("{listed} files verified: all match\n"));

    // One byte of one report page.
    let page = "reports/019a0000-0000-7000-8000-000000000003.html";
    let mut bytes = std::fs::read(out.join(page)).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(out.join(page), &bytes).unwrap();

    let result = verify(&out);
    let text = stdout(&result);
    assert_eq!(result.status.code(), Some(1), "{text}");
    assert_eq!(
        text,
        format!("changed: {page}\n{listed} files verified: 1 changed, 0 missing, 0 unlisted\n")
    );
}

#[test]
fn verify_names_missing_and_unlisted_files_and_ignores_hidden_ones() {
    let scratch = Scratch::new("verify-missing");
    let out = scratch.path("out");
    build(None, &out, &[]);
    std::fs::remove_file(out.join("assets/style.css")).unwrap();
    std::fs::write(out.join("stray.txt"), "not ours").unwrap();
    std::fs::create_dir_all(out.join("reports/extra")).unwrap();
    std::fs::write(out.join("reports/extra/page.html"), "<p>").unwrap();
    std::fs::write(out.join(".gitignore"), "*\n").unwrap();
    std::fs::create_dir_all(out.join(".git")).unwrap();
    std::fs::write(out.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();

    let result = verify(&out);
    let text = stdout(&result);
    assert_eq!(result.status.code(), Some(1), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "missing: assets/style.css",
            "unlisted: reports/extra/page.html",
            "unlisted: stray.txt",
        ],
        "{text}"
    );
    assert!(
        lines[3].ends_with("files verified: 0 changed, 1 missing, 2 unlisted"),
        "{text}"
    );
    assert_eq!(lines.len(), 4, "{text}");

    // A rebuild writes the missing file again; the stray files stay (they are not ours) and
    // stay unlisted.
    build(None, &out, &[]);
    let result = verify(&out);
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stdout(&result).ends_with("0 changed, 0 missing, 2 unlisted\n"),
        "{}",
        stdout(&result)
    );
    std::fs::remove_file(out.join("stray.txt")).unwrap();
    std::fs::remove_dir_all(out.join("reports/extra")).unwrap();
    assert_passes(&out);
}

#[test]
fn verify_passes_after_an_incremental_rebuild() {
    let scratch = Scratch::new("verify-incremental");
    let path = scratch.path("a.sqlite");
    let db = sqlite_archive(&path, DEMO);
    let out = scratch.path("out");
    build(Some(&db), &out, &[]);
    assert_passes(&out);
    let before = manifest(&out);

    execute(
        &format!("sqlite://{}?mode=rwc", path.display()),
        "UPDATE signals_signalreportartefact SET content = '{\"note\":\"Edited upstream\",\"author\":null}', \
             updated_at = '2026-11-21T10:00:00Z' \
         WHERE id = (SELECT id FROM signals_signalreportartefact WHERE type = 'note' ORDER BY id LIMIT 1);",
    );
    let err = stderr(&build(Some(&db), &out, &[]));
    assert!(
        !err.contains(" 0 rendered"),
        "something was rendered: {err}"
    );
    assert_passes(&out);

    // The edited report's source rows (and pages) changed; the others' hashes were carried
    // over, and equal those of a full build.
    let after = manifest(&out);
    let changed: Vec<&str> = before["reports"]
        .as_array()
        .unwrap()
        .iter()
        .zip(after["reports"].as_array().unwrap())
        .filter(|(a, b)| a["source_rows"] != b["source_rows"])
        .map(|(a, _)| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    let full = scratch.path("full");
    build(Some(&db), &full, &["--full"]);
    assert_eq!(
        read(&out.join("manifest.json")),
        read(&full.join("manifest.json"))
    );
}

#[test]
fn verify_without_a_usable_manifest_fails_with_one_line() {
    let scratch = Scratch::new("verify-nomanifest");
    let dir = scratch.path("dir");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<p>").unwrap();

    let cases: [(&str, Option<&str>); 5] = [
        ("no manifest", None),
        ("not JSON", Some("not json")),
        (
            "another tool's",
            Some(r#"{"generator":"other","files":{}}"#),
        ),
        (
            "an older reportpress's, with no hashes",
            Some(r#"{"generator":"reportpress 0.0.1","files":["index.html"]}"#),
        ),
        (
            "a path outside the archive",
            Some(&*format!(
                r#"{{"generator":"reportpress 0.1.0","files":{{"../secret":"{}"}}}}"#,
                "0".repeat(64)
            )),
        ),
    ];
    for (case, manifest) in cases {
        if let Some(text) = manifest {
            std::fs::write(dir.join("manifest.json"), text).unwrap();
        }
        let result = verify(&dir);
        let err = stderr(&result);
        assert_eq!(result.status.code(), Some(1), "{case}: {err}");
        assert_eq!(err.lines().count(), 1, "{case}: one line: {err}");
        assert!(
            err.starts_with("reportpress: cannot verify "),
            "{case}: {err}"
        );
        assert!(err.contains("manifest.json"), "{case}: {err}");
        assert!(stdout(&result).is_empty(), "{case}");
    }
    let result = verify(&scratch.path("nowhere"));
    assert_eq!(result.status.code(), Some(1));
    assert_eq!(stderr(&result).lines().count(), 1);
}

#[test]
fn the_manifest_hashes_every_file_and_the_source_rows_of_every_report() {
    let scratch = Scratch::new("verify-manifest");
    let out = scratch.path("out");
    build(None, &out, &[]);
    let doc = manifest(&out);

    let files = doc["files"].as_object().expect("files is a map");
    let mut on_disk = tree(&out);
    assert!(on_disk.remove("manifest.json").is_some());
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        on_disk.keys().collect::<Vec<_>>(),
        "every file but the manifest, sorted"
    );
    for (path, bytes) in &on_disk {
        assert_eq!(files[path].as_str(), Some(sha256(bytes).as_str()), "{path}");
    }
    let reports = doc["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 15);
    for report in reports {
        assert!(is_sha256(&report["source_rows"]), "{report}");
        assert!(is_sha256(&report["fingerprint"]), "{report}");
        assert_ne!(report["source_rows"], report["fingerprint"]);
    }
    assert!(!read(&out.join("manifest.json")).contains("generated_at"));

    // The same rows give the same manifest, from the demo or from a SQLite archive of them.
    let again = scratch.path("again");
    build(None, &again, &[]);
    assert_eq!(
        read(&out.join("manifest.json")),
        read(&again.join("manifest.json"))
    );
    let db = sqlite_archive(&scratch.path("a.sqlite"), DEMO);
    let sqlite = scratch.path("sqlite");
    build(Some(&db), &sqlite, &[]);
    assert_eq!(
        read(&out.join("manifest.json")),
        read(&sqlite.join("manifest.json"))
    );
}
