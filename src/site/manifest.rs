//! `manifest.json`: what a build wrote, sorted, with no timestamps, so that identical rows
//! give an identical manifest.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::Report;

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: String,
    pub teams: Vec<i64>,
    pub reports: Vec<ManifestReport>,
    pub files: Vec<String>,
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
}

impl Manifest {
    pub fn to_json(&self) -> String {
        // Serialising plain strings and numbers cannot fail.
        let mut json = serde_json::to_string_pretty(self).unwrap_or_default();
        json.push('\n');
        json
    }
}

impl Manifest {
    /// The fingerprints of the previous build in `root`, by report id: empty when there is no
    /// readable manifest or it was written by another version (whose pages may differ).
    pub fn previous(root: &Path) -> BTreeMap<String, String> {
        let Ok(text) = std::fs::read_to_string(root.join(crate::render::links::MANIFEST)) else {
            return BTreeMap::new();
        };
        match serde_json::from_str::<Manifest>(&text) {
            Ok(m) if m.generator == generator() => m
                .reports
                .into_iter()
                .map(|r| (r.id, r.fingerprint))
                .collect(),
            _ => BTreeMap::new(),
        }
    }
}

pub fn generator() -> String {
    format!("reportpress {}", env!("CARGO_PKG_VERSION"))
}

fn hex(bytes: &[u8]) -> String {
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
