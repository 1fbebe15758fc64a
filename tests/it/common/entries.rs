//! A report's entries as PostHog shows them, worked out from fixture rows independently of the
//! tool: every artefact row, then one `task_run` entry per legacy `signals_signalreporttask`
//! row whose task no `task_run` row already names (PostHog's
//! `SignalReport.synthetic_legacy_task_run_artefacts`), oldest link first.

use super::{fixture_rows, str_of};

/// A legacy link row shown as an entry: its id (the entry's anchor) and its task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegacyEntry {
    pub id: String,
    pub task_id: String,
    pub relationship: Option<String>,
}

/// The link rows of `report` that PostHog shows as `task_run` entries.
pub fn legacy_entries(fixture: &str, report: &str) -> Vec<LegacyEntry> {
    let named: Vec<String> = fixture_rows(fixture, "signals_signalreportartefact")
        .iter()
        .filter(|a| str_of(a, "report_id") == report && str_of(a, "type") == "task_run")
        .filter_map(|a| {
            let content = match a.get("content_raw").and_then(|r| r.as_str()) {
                Some(raw) => serde_json::from_str::<serde_json::Value>(raw).ok()?,
                None => serde_json::to_value(a.get("content")?).ok()?,
            };
            Some(content.get("task_id")?.as_str()?.trim().to_lowercase())
        })
        .collect();
    let mut links: Vec<toml::Table> = fixture_rows(fixture, "signals_signalreporttask")
        .into_iter()
        .filter(|l| str_of(l, "report_id") == report)
        .collect();
    links.sort_by(|a, b| {
        (str_of(a, "created_at"), str_of(a, "id")).cmp(&(str_of(b, "created_at"), str_of(b, "id")))
    });
    let mut seen = named;
    let mut out = Vec::new();
    for link in links {
        let task = str_of(&link, "task_id").trim().to_lowercase();
        if seen.contains(&task) {
            continue;
        }
        seen.push(task.clone());
        out.push(LegacyEntry {
            id: str_of(&link, "id").to_string(),
            task_id: task,
            relationship: link
                .get("relationship")
                .and_then(|r| r.as_str())
                .map(str::to_string),
        });
    }
    out
}

/// The ids of every entry of `report`: its artefact rows, then its legacy link entries.
pub fn entry_ids(fixture: &str, report: &str) -> Vec<String> {
    let mut ids: Vec<String> = fixture_rows(fixture, "signals_signalreportartefact")
        .iter()
        .filter(|a| str_of(a, "report_id") == report)
        .map(|a| str_of(a, "id").to_string())
        .collect();
    ids.extend(legacy_entries(fixture, report).into_iter().map(|l| l.id));
    ids
}
