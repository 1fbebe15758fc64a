//! Rendering: pure functions from the model to text. Nothing here reads a database or writes
//! a file.

pub mod code;
pub mod diff;
pub mod feeds;
pub mod highlight;
pub mod html;
pub mod ledger;
pub mod links;
pub mod markdown;
pub mod page;
pub mod pr;
pub mod text;
pub mod view;

pub use ledger::{Ledger, ReportLedger};
pub use links::Format;
pub use page::{Archive, IndexRow, ReportView};

use askama::Template;

#[derive(Debug, thiserror::Error)]
#[error("rendering {what}: {source}")]
pub struct RenderError {
    pub what: String,
    #[source]
    pub source: askama::Error,
}

const STYLESHEET: &str = include_str!("../../static/style.css");

const INDEX_SCRIPT: &str = include_str!("../../static/index.js");

/// The archive's one stylesheet: the page styles and the syntax-highlighting themes.
pub fn stylesheet() -> String {
    format!("{STYLESHEET}\n{}", highlight::stylesheet())
}

/// A rendered report: its HTML page and Markdown document (when rendered), and what it
/// contributes to the index, people, task and search pages.
pub struct RenderedReport {
    /// The pages, when asked for (an incremental build skips unchanged ones).
    pub pages: Option<(String, String)>,
    pub row: IndexRow,
    pub ledger: ReportLedger,
}

/// A report's index row and ledger, and (with `pages`) its HTML page and Markdown document.
pub fn report(
    report: &crate::model::Report,
    archive: &Archive,
    pages: bool,
) -> Result<RenderedReport, RenderError> {
    let view = ReportView::new(report);
    let err = |source| RenderError {
        what: format!("report {}", report.id),
        source,
    };
    let pages = if pages {
        Some((
            html::report_page(&view, archive).render().map_err(err)?,
            markdown::report_doc(&view, archive).render().map_err(err)?,
        ))
    } else {
        None
    };
    Ok(RenderedReport {
        pages,
        row: IndexRow::new(report),
        ledger: ReportLedger::new(report, &view),
    })
}

/// Every archive-wide page: the index (HTML and Markdown; `rows` in display order), the
/// people and task pages, the stylesheet, the index script and the search index, as
/// (path relative to the archive root, content). With `base_url` (already checked by
/// [`feeds::base_url`]), also `sitemap.xml` and `feed.xml`.
pub fn archive_pages(
    rows: &[IndexRow],
    ledger: &Ledger,
    base_url: Option<&str>,
) -> Result<Vec<(String, String)>, RenderError> {
    let err = |what: &str| {
        let what = what.to_string();
        move |source| RenderError { what, source }
    };
    let mut pages = vec![
        (
            links::index_path(Format::Html),
            html::index_page(rows, ledger.people())
                .render()
                .map_err(err("the index"))?,
        ),
        (
            links::index_path(Format::Markdown),
            markdown::index_doc(rows)
                .render()
                .map_err(err("the index"))?,
        ),
        (links::stylesheet_path(), stylesheet()),
        (
            links::asset_path(links::INDEX_SCRIPT),
            INDEX_SCRIPT.to_string(),
        ),
        (
            links::asset_path(links::SEARCH_INDEX),
            ledger.search_script(),
        ),
    ];
    for (path, page) in ledger.person_pages() {
        pages.push((path.clone(), page.render().map_err(err(&path))?));
    }
    for (path, page) in ledger.task_pages() {
        pages.push((path.clone(), page.render().map_err(err(&path))?));
    }
    if let Some(base) = base_url {
        let others: Vec<String> = pages
            .iter()
            .map(|(path, _)| path.clone())
            .filter(|p| p.starts_with(links::PEOPLE_DIR) || p.starts_with(links::TASKS_DIR))
            .collect();
        pages.push((
            links::SITEMAP.to_string(),
            feeds::sitemap(base, rows, &others),
        ));
        pages.push((links::FEED.to_string(), feeds::atom(base, rows)));
    }
    Ok(pages)
}
