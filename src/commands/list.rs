//! `reportpress list`: the reports a build would render — id, status, priority, last activity,
//! entries, title — read from the same sources under the same team rules as `build`, as a table
//! for people, or as JSON or TSV for scripts (finding a report to `export`).

use serde::Serialize;

use crate::model::Report;
use crate::model::ids::ReportIds;
use crate::redact::Redactor;
use crate::render::IndexRow;
use crate::source::{Source, SourceError};

#[derive(Clone, Debug, Default)]
pub struct ListOptions {
    pub teams: Vec<i64>,
    pub include_deleted: bool,
    /// Only reports with one of these statuses (all when empty).
    pub statuses: Vec<String>,
    pub redact_people: bool,
}

/// One report, as listed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Listed {
    pub id: String,
    pub status: String,
    pub priority: Option<String>,
    /// RFC 3339, UTC.
    pub last_activity: Option<String>,
    pub entries: usize,
    pub title: String,
}

/// The reports of `options.teams`, most recent activity first (as the index orders them).
pub async fn list(source: &mut Source, options: &ListOptions) -> Result<Vec<Listed>, SourceError> {
    let teams = source.resolve_teams(&options.teams).await?;
    let records = source.reports(&teams, options.include_deleted).await?;
    let redactor = if options.redact_people {
        Some(Redactor::new(&source.people().await?))
    } else {
        None
    };
    let ids = ReportIds::assign(records.iter().map(|r| r.id.as_str()));
    let mut rows = Vec::new();
    for record in records {
        let wanted = options.statuses.is_empty()
            || options
                .statuses
                .iter()
                .any(|s| s.trim().eq_ignore_ascii_case(record.status.trim()));
        if !wanted {
            continue;
        }
        let raw = record.id.clone();
        let mut report_rows = source.report_rows(record).await?;
        if let Some(redactor) = &redactor {
            redactor.rows(&mut report_rows);
        }
        let mut report = Report::from_rows(report_rows);
        if let Some((id, _)) = ids.get(&raw) {
            report.id = *id;
        }
        rows.push(IndexRow::new(&report));
    }
    rows.sort_by(|a, b| (b.last_activity, a.id).cmp(&(a.last_activity, b.id)));
    Ok(rows
        .into_iter()
        .map(|r| Listed {
            id: r.id.to_string(),
            status: r.status_code,
            priority: r.priority,
            last_activity: r.last_activity.map(|t| t.iso()),
            entries: r.entries,
            title: r.title,
        })
        .collect())
}

/// Text from the database made safe for one line of a terminal: control characters (escape
/// sequences, tabs, line breaks) each become U+FFFD, so a title can neither break the line nor
/// steer the terminal.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// A table for people: aligned columns, a header line.
pub fn table(rows: &[Listed]) -> String {
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.id.clone(),
                one_line(&r.status),
                r.priority.as_deref().map(one_line).unwrap_or_default(),
                r.last_activity.clone().unwrap_or_default(),
                r.entries.to_string(),
                one_line(&r.title),
            ]
        })
        .collect();
    let header = [
        "ID",
        "STATUS",
        "PRIORITY",
        "LAST ACTIVITY",
        "ENTRIES",
        "TITLE",
    ]
    .map(str::to_string);
    let width = |i: usize| {
        std::iter::once(&header)
            .chain(&cells)
            .map(|row| row[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..5).map(width).collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&cells) {
        for (i, cell) in row.iter().enumerate().take(5) {
            let pad = widths[i] - cell.chars().count();
            if i == 4 {
                out.push_str(&" ".repeat(pad)); // numbers right-aligned
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            }
            out.push_str("  ");
        }
        out.push_str(&row[5]);
        out.push('\n');
    }
    out
}

/// Tab-separated values with a header line; fields hold no tab or line break.
pub fn tsv(rows: &[Listed]) -> String {
    let mut out = String::from("id\tstatus\tpriority\tlast_activity\tentries\ttitle\n");
    for r in rows {
        let fields = [
            r.id.clone(),
            one_line(&r.status),
            r.priority.as_deref().map(one_line).unwrap_or_default(),
            r.last_activity.clone().unwrap_or_default(),
            r.entries.to_string(),
            one_line(&r.title),
        ];
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}

/// A JSON array of the rows.
pub fn json(rows: &[Listed]) -> String {
    // Serialising plain strings and numbers cannot fail.
    serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".into()) + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_cannot_break_lines_or_steer_a_terminal() {
        let rows = [Listed {
            id: "019a0000-0000-7000-8000-000000000001".into(),
            status: "ready".into(),
            priority: Some("P1".into()),
            last_activity: None,
            entries: 12,
            title: "a\tb\nc\u{1b}[31mred".into(),
        }];
        let t = tsv(&rows);
        assert_eq!(t.lines().count(), 2);
        assert_eq!(t.lines().nth(1).unwrap().split('\t').count(), 6);
        assert!(!table(&rows).contains('\u{1b}'));
        assert_eq!(table(&rows).lines().count(), 2);
        let parsed: serde_json::Value = serde_json::from_str(&json(&rows)).unwrap();
        assert_eq!(parsed[0]["entries"], 12);
    }
}
