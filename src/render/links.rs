//! The one place that knows the archive's layout: output paths and the relative URLs between
//! pages. Every link is relative, so the archive works from `file://` and from any base URL.

use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "md",
        }
    }
}

/// Where a page sits: at the archive root (`index.*`) or one folder down (`reports/…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    Root,
    Folder,
}

impl Depth {
    fn up(self) -> &'static str {
        match self {
            Depth::Root => "",
            Depth::Folder => "../",
        }
    }
}

pub const REPORTS_DIR: &str = "reports";
pub const ASSETS_DIR: &str = "assets";
pub const STYLESHEET: &str = "style.css";
pub const MANIFEST: &str = "manifest.json";

/// `reports/<uuid>.html` or `.md`, relative to the archive root.
pub fn report_path(id: Uuid, format: Format) -> String {
    format!("{REPORTS_DIR}/{id}.{}", format.ext())
}

/// `index.html` or `index.md`, relative to the archive root.
pub fn index_path(format: Format) -> String {
    format!("index.{}", format.ext())
}

pub fn stylesheet_path() -> String {
    format!("{ASSETS_DIR}/{STYLESHEET}")
}

/// A link to a report's page from a page at `from`.
pub fn report(id: Uuid, format: Format, from: Depth) -> String {
    match from {
        Depth::Root => report_path(id, format),
        Depth::Folder => format!("{id}.{}", format.ext()),
    }
}

pub fn index(format: Format, from: Depth) -> String {
    format!("{}{}", from.up(), index_path(format))
}

pub fn stylesheet(from: Depth) -> String {
    format!("{}{}", from.up(), stylesheet_path())
}

/// The stable anchor of an entry, in both HTML (`id=`) and Markdown (`<a id=…>`).
pub fn anchor(id: Uuid) -> String {
    format!("a-{id}")
}

/// A link to an entry on the same page.
pub fn entry(id: Uuid) -> String {
    format!("#{}", anchor(id))
}

/// A link to an entry on another report's page.
pub fn report_entry(report_id: Uuid, entry_id: Uuid, format: Format, from: Depth) -> String {
    format!("{}{}", report(report_id, format, from), entry(entry_id))
}
