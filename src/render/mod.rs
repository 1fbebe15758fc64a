//! Rendering: pure functions from the model to text. Nothing here reads a database or writes
//! a file.

pub mod code;
pub mod diff;
pub mod highlight;
pub mod html;
pub mod links;
pub mod markdown;
pub mod page;
pub mod text;
pub mod view;

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

/// The archive's one stylesheet: the page styles and the syntax-highlighting themes.
pub fn stylesheet() -> String {
    format!("{STYLESHEET}\n{}", highlight::stylesheet())
}

/// A report's HTML page and Markdown document.
pub fn report(
    report: &crate::model::Report,
    archive: &Archive,
) -> Result<(String, String), RenderError> {
    let view = ReportView::new(report);
    let err = |source| RenderError {
        what: format!("report {}", report.id),
        source,
    };
    let html = html::report_page(&view, archive).render().map_err(err)?;
    let md = markdown::report_doc(&view, archive).render().map_err(err)?;
    Ok((html, md))
}

/// The index as HTML and Markdown; `rows` in display order.
pub fn index(rows: &[IndexRow]) -> Result<(String, String), RenderError> {
    let err = |source| RenderError {
        what: "the index".into(),
        source,
    };
    let html = html::index_page(rows).render().map_err(err)?;
    let md = markdown::index_doc(rows).render().map_err(err)?;
    Ok((html, md))
}
