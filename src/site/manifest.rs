//! `manifest.json`: what a build wrote, sorted, with no timestamps, so that identical rows
//! give an identical manifest.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub generator: String,
    pub teams: Vec<i64>,
    pub reports: Vec<ManifestReport>,
    pub files: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ManifestReport {
    pub id: String,
    pub status: String,
    pub entries: usize,
    pub html: String,
    pub markdown: String,
}

impl Manifest {
    pub fn to_json(&self) -> String {
        // Serialising plain strings and numbers cannot fail.
        let mut json = serde_json::to_string_pretty(self).unwrap_or_default();
        json.push('\n');
        json
    }
}
