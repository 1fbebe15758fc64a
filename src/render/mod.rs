//! Rendering: pure functions from the model to text. Nothing here reads a database or writes
//! a file.

pub mod classify;
pub mod code;
pub mod diff;
pub mod feeds;
pub mod highlight;
pub mod html;
pub mod labels;
pub mod ledger;
pub mod links;
pub mod markdown;
pub mod page;
pub mod pr;
pub mod text;
pub mod view;

pub use ledger::{Ledger, ReportLedger, SearchScript};
pub use links::Format;
pub use page::{Archive, Chronology, IndexRow, ReportView};

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

/// The archive's one stylesheet: the page styles, with the highlighting palette's colours for
/// the light and dark themes (`highlight::Class`).
pub fn stylesheet() -> String {
    STYLESHEET.to_string()
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

/// One archive-wide page: the index (HTML or Markdown), an asset, a person's or a task's
/// page, or (with a base URL) the sitemap or the feed.
#[derive(Clone, Debug, PartialEq)]
pub enum ArchivePage {
    Index(Format),
    Stylesheet,
    IndexScript,
    Person(String),
    Task(uuid::Uuid),
    /// `sitemap.xml`, or (past [`feeds::SITEMAP_URLS`]) the index or one of its parts.
    Sitemap(feeds::SitemapFile),
    Feed,
}

/// Every archive-wide page of `ledger`'s archive, cheap to list; each is rendered on its own by
/// [`archive_page`], so a build can render them in parallel and never hold them all at once.
/// With `base_url` (already checked by [`feeds::base_url`]), also `sitemap.xml` and `feed.xml`.
/// (The search index is made by the build from the entries it kept: [`SearchScript`].)
pub fn archive_page_list(ledger: &Ledger, base_url: Option<&str>) -> Vec<ArchivePage> {
    let mut pages = vec![
        ArchivePage::Index(Format::Html),
        ArchivePage::Index(Format::Markdown),
        ArchivePage::Stylesheet,
        ArchivePage::IndexScript,
    ];
    pages.extend(
        ledger
            .person_paths()
            .into_iter()
            .map(|p| ArchivePage::Person(p.to_string())),
    );
    pages.extend(ledger.task_ids().into_iter().map(ArchivePage::Task));
    if base_url.is_some() {
        let urls = feeds::sitemap_url_count(
            ledger.report_count(),
            ledger.person_paths().len() + ledger.task_ids().len(),
        );
        pages.extend(
            feeds::sitemap_files(urls, feeds::SITEMAP_URLS)
                .into_iter()
                .map(ArchivePage::Sitemap),
        );
        pages.push(ArchivePage::Feed);
    }
    pages
}

/// One page of [`archive_page_list`], made.
pub struct MadePage {
    /// Relative to the archive root.
    pub path: String,
    /// The page's bytes; `None` where the caller's `keep` said the page it has shows this view.
    pub content: Option<String>,
    /// For a person's or a task's page, what it shows: the [`sha256_of`] its view after the
    /// caller's seed. The same binary renders the same view to the same bytes (the templates hold
    /// no logic), so a build that finds the key of the page it has need not render it again.
    /// `None` for the pages made from every report (the index, sitemap, feed: made every time)
    /// and the assets.
    ///
    /// [`sha256_of`]: crate::model::digest::sha256_of
    pub key: Option<String>,
}

/// One page of [`archive_page_list`]; `rows` are the index rows in display order. A person's or
/// a task's page is keyed by its view after `seed` and rendered only where `keep(path, key)` is
/// false.
pub fn archive_page(
    page: &ArchivePage,
    rows: &[IndexRow],
    ledger: &Ledger,
    base_url: Option<&str>,
    seed: &str,
    keep: impl Fn(&str, &str) -> bool,
) -> Result<MadePage, RenderError> {
    let err = |what: &str| {
        let what = what.to_string();
        move |source| RenderError { what, source }
    };
    let (path, content) = match page {
        ArchivePage::Index(Format::Html) => (
            links::index_path(Format::Html),
            html::index_page(rows, ledger.people())
                .render()
                .map_err(err("the index"))?,
        ),
        ArchivePage::Index(Format::Markdown) => (
            links::index_path(Format::Markdown),
            markdown::index_doc(rows)
                .render()
                .map_err(err("the index"))?,
        ),
        ArchivePage::Stylesheet => (links::stylesheet_path(), stylesheet()),
        ArchivePage::IndexScript => (
            links::asset_path(links::INDEX_SCRIPT),
            INDEX_SCRIPT.to_string(),
        ),
        ArchivePage::Person(path) => {
            let view = ledger.person_page(path);
            return keyed(path.clone(), &view, seed, keep, |view| match view {
                Some(page) => page.render().map_err(err(path)),
                None => Ok(String::new()),
            });
        }
        ArchivePage::Task(id) => {
            let path = links::task_path(*id);
            let view = ledger.task_page(*id);
            return keyed(path.clone(), &view, seed, keep, |view| {
                view.render().map_err(err(&path))
            });
        }
        ArchivePage::Sitemap(file) => {
            let others: Vec<String> = ledger
                .person_paths()
                .into_iter()
                .map(str::to_string)
                .chain(ledger.task_ids().into_iter().map(links::task_path))
                .collect();
            let base = base_url.unwrap_or_default();
            (
                file.path(),
                feeds::sitemap(base, rows, &others, *file, feeds::SITEMAP_URLS)
                    .map_err(err("the sitemap"))?,
            )
        }
        ArchivePage::Feed => (
            links::FEED.to_string(),
            feeds::atom(base_url.unwrap_or_default(), rows).map_err(err("the feed"))?,
        ),
    };
    Ok(MadePage {
        path,
        content: Some(content),
        key: None,
    })
}

/// A page of a view that names it: kept where `keep` says so, rendered otherwise.
fn keyed<V: std::hash::Hash>(
    path: String,
    view: &V,
    seed: &str,
    keep: impl Fn(&str, &str) -> bool,
    render: impl FnOnce(&V) -> Result<String, RenderError>,
) -> Result<MadePage, RenderError> {
    let key = crate::model::digest::sha256_of(seed, view);
    let content = if keep(&path, &key) {
        None
    } else {
        Some(render(view)?)
    };
    Ok(MadePage {
        path,
        content,
        key: Some(key),
    })
}
