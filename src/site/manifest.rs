//! `manifest.json`: what a build wrote, sorted, with no timestamps, so that identical rows
//! give an identical manifest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::Report;

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: String,
    pub teams: Vec<i64>,
    pub reports: Vec<ManifestReport>,
    /// Every file of the archive but `manifest.json` itself, by `/`-separated path, with the
    /// SHA-256 (lowercase hex) of its bytes: what `reportpress verify` checks.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ManifestReport {
    pub id: String,
    pub status: String,
    pub entries: usize,
    pub html: String,
    pub markdown: String,
    /// SHA-256 of everything the report's two pages are made from: the tool and its templates,
    /// the report's rows, and the titles of the reports it refers to.
    pub fingerprint: String,
    /// SHA-256 of the source rows the pages were rendered from (the report and its entries as
    /// read and parsed — see [`report_digest`]): the same rows give the same value whether they
    /// came from PostgreSQL or SQLite, so an auditor can tell which database state a page shows.
    pub source_rows: String,
}

impl Manifest {
    pub fn to_json(&self) -> String {
        // Serialising plain strings and numbers cannot fail.
        let mut json = serde_json::to_string_pretty(self).unwrap_or_default();
        json.push('\n');
        json
    }
}

/// What a build needs from the previous build in the same folder.
#[derive(Debug, Default)]
pub struct Previous {
    /// Fingerprints by report id.
    pub fingerprints: BTreeMap<String, String>,
    /// File hashes by path, carried over for the pages of reports not rendered again.
    pub files: BTreeMap<String, String>,
}

impl Manifest {
    /// The previous build in `root`: empty when there is no readable manifest or it was written
    /// by another version (whose pages may differ) or in an older format.
    pub fn previous(root: &Path) -> Previous {
        let Ok(text) = std::fs::read_to_string(root.join(crate::render::links::MANIFEST)) else {
            return Previous::default();
        };
        match serde_json::from_str::<Manifest>(&text) {
            Ok(m) if m.generator == generator() => Previous {
                fingerprints: m
                    .reports
                    .into_iter()
                    .map(|r| (r.id, r.fingerprint))
                    .collect(),
                files: m.files,
            },
            _ => Previous::default(),
        }
    }
}

/// The files the manifest in `root` lists, whichever version of reportpress wrote it (a list of
/// paths or a map of path to hash), keeping only plain relative paths: the files a rebuild may
/// remove. Empty when there is no reportpress manifest.
pub fn listed(root: &Path) -> BTreeSet<String> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Files {
        Paths(Vec<String>),
        Hashes(BTreeMap<String, serde::de::IgnoredAny>),
    }
    #[derive(Deserialize)]
    struct Listing {
        generator: String,
        files: Files,
    }
    let Some(listing) = std::fs::read(root.join(crate::render::links::MANIFEST))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Listing>(&bytes).ok())
        .filter(|l| l.generator.starts_with("reportpress"))
    else {
        return BTreeSet::new();
    };
    let paths: Vec<String> = match listing.files {
        Files::Paths(paths) => paths,
        Files::Hashes(map) => map.into_keys().collect(),
    };
    paths.into_iter().filter(|p| is_plain_path(p)).collect()
}

/// A `/`-separated relative path that stays inside the folder it is relative to: no root, no
/// `..`, no `.`, no empty part, no backslash.
pub fn is_plain_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains(':'))
}

/// Whether `root` holds a `manifest.json` written by any version of reportpress.
pub fn is_archive(root: &Path) -> bool {
    #[derive(Deserialize)]
    struct Head {
        generator: String,
    }
    std::fs::read(root.join(crate::render::links::MANIFEST))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Head>(&bytes).ok())
        .is_some_and(|head| head.generator.starts_with("reportpress"))
}

pub fn generator() -> String {
    format!("reportpress {}", env!("CARGO_PKG_VERSION"))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What every page depends on besides its rows: this very program (its code, templates and
/// assets are all compiled into the executable, so its bytes identify them) and the build's
/// settings that change pages.
pub fn build_salt(settings: &str) -> String {
    let mut h = Sha256::new();
    h.update(generator().as_bytes());
    if let Ok(exe) = std::env::current_exe().and_then(std::fs::read) {
        h.update(&exe);
    }
    h.update(settings.as_bytes());
    hex(&h.finalize())
}

/// A digest of one report as the model holds it: rows parsed, timestamps normalised, entries in
/// log order — so the same rows give the same digest whichever database they came from. The
/// report's `Debug` form is streamed into the hash, never held as one string.
pub fn report_digest(report: &Report) -> String {
    struct Hashing(Sha256);
    impl std::fmt::Write for Hashing {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.update(s.as_bytes());
            Ok(())
        }
    }
    let mut h = Hashing(Sha256::new());
    // Writing into a hasher cannot fail.
    let _ = std::fmt::write(&mut h, format_args!("{report:?}"));
    hex(&h.0.finalize())
}

/// The fingerprint of one report's pages: the build's salt, its rows, and the titles (or
/// absence) of the reports it refers to.
pub fn fingerprint(
    salt: &str,
    report_digest: &str,
    referenced: &[(String, Option<&str>)],
) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(report_digest.as_bytes());
    h.update(format!("{referenced:?}").as_bytes());
    hex(&h.finalize())
}
