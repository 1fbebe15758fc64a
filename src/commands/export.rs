//! `reportpress export`: one report as a PR comment, a standalone Markdown document or one
//! self-contained HTML file, read from the same sources as a build. Links are absolute (under
//! `--base-url` when the archive is published) or absent: an export has nothing around it.

use askama::Template;
use uuid::Uuid;

use crate::model::{self, Report};
use crate::redact::{self, Redactor};
use crate::render::links::Scope;
use crate::render::{Archive, RenderError, ReportView, html, markdown, pr};
use crate::source::git::LocalRepos;
use crate::source::{Source, SourceError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// GitHub pull-request comment Markdown, within the comment limits.
    Pr,
    /// The report's Markdown document, standalone.
    Md,
    /// One self-contained HTML file.
    Html,
}

#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub report: Uuid,
    /// When given, the report must belong to one of these teams.
    pub teams: Vec<i64>,
    pub format: ExportFormat,
    /// `--format pr`: the code-point budget (GitHub's 65,536 by default).
    pub max_chars: usize,
    /// Where the archive is published (`https://…/`): links to other reports, tasks and people.
    pub base_url: Option<String>,
    /// Where the full export lives, named in the trimming notice of a PR comment.
    pub full_url: Option<String>,
    pub git: LocalRepos,
    /// `--redact people`: names and emails replaced by pseudonyms.
    pub redact_people: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("no report {0} in this database")]
    UnknownReport(Uuid),
    #[error("report {id} belongs to team {team}, not to team {requested}")]
    OtherTeam {
        id: Uuid,
        team: i64,
        requested: String,
    },
    #[error("report {0} is deleted")]
    Deleted(Uuid),
}

pub async fn export(source: &mut Source, options: &ExportOptions) -> Result<String, ExportError> {
    let id = options.report;
    let record = source
        .report(id)
        .await?
        .ok_or(ExportError::UnknownReport(id))?;
    if !options.teams.is_empty() && !options.teams.contains(&record.team_id) {
        return Err(ExportError::OtherTeam {
            id,
            team: record.team_id,
            requested: options
                .teams
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    if record.status == "deleted" {
        return Err(ExportError::Deleted(id));
    }
    let redactor = if options.redact_people {
        Some(Redactor::new(&source.people().await?))
    } else {
        None
    };
    // Titles of the team's reports, so references to them read as titles.
    let titles = source
        .reports(&[record.team_id], false)
        .await?
        .iter()
        .map(|r| {
            let rid = model::row_id(&r.id, &mut Vec::new());
            let title = redact::opt_text(redactor.as_ref(), r.title.as_deref());
            (rid, model::display_title(title.as_deref(), rid))
        })
        .collect();
    let mut rows = source.report_rows(record).await?;
    if let Some(redactor) = &redactor {
        redactor.rows(&mut rows);
    }
    let mut report = Report::from_rows(rows);
    let found: Vec<_> = report
        .commits_without_diff()
        .into_iter()
        .filter_map(|(entry, repo, sha)| Some((entry, options.git.commit_diff(repo, sha)?)))
        .collect();
    report.local_diffs.extend(found);

    let archive = Archive {
        titles,
        scope: Scope::Standalone {
            base_url: options.base_url.clone(),
            fragments: options.format != ExportFormat::Pr,
        },
        // A single file: no older/newer links.
        order: Default::default(),
    };
    let view = ReportView::new(&report);
    let err = |source| RenderError {
        what: format!("report {id}"),
        source,
    };
    Ok(match options.format {
        ExportFormat::Pr => pr::comment(
            &view,
            &archive,
            options.max_chars,
            options.full_url.as_deref(),
        ),
        ExportFormat::Md => markdown::report_doc(&view, &archive)
            .render()
            .map_err(err)?,
        ExportFormat::Html => html::report_page(&view, &archive).render().map_err(err)?,
    })
}
