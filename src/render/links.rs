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

/// The anchor of a day of a report's timeline (`d-2026-09-08`, or `d-undated`).
pub fn day_anchor(day: Option<&str>) -> String {
    let day = day.unwrap_or("undated");
    let safe: String = day
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("d-{safe}")
}

/// What tells the diffs of one page apart in their files' anchors: a digest of the diff's text.
pub fn diff_digest(diff: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(diff.as_bytes());
    crate::model::digest::hex(&hash[..5])
}

/// The anchor of the `n`th file (from 1) of the diff with [`diff_digest`] `digest`, linked
/// from the diff's file list.
pub fn diff_file_anchor(digest: &str, n: usize) -> String {
    format!("f-{digest}-{n}")
}

/// A link to an entry on the same page.
pub fn entry(id: Uuid) -> String {
    format!("#{}", anchor(id))
}

/// A link to an entry on another report's page.
pub fn report_entry(report_id: Uuid, entry_id: Uuid, format: Format, from: Depth) -> String {
    format!("{}{}", report(report_id, format, from), entry(entry_id))
}

pub const PEOPLE_DIR: &str = "people";
pub const TASKS_DIR: &str = "tasks";
pub const SEARCH_INDEX: &str = "search-index.js";
pub const INDEX_SCRIPT: &str = "index.js";
pub const SITEMAP: &str = "sitemap.xml";
pub const FEED: &str = "feed.xml";

/// `sitemap-N.xml`, the N-th part of a sitemap too long for one file, relative to the archive
/// root.
pub fn sitemap_part(n: usize) -> String {
    format!("sitemap-{n}.xml")
}

/// `tasks/<uuid>.html`, relative to the archive root.
pub fn task_path(id: Uuid) -> String {
    format!("{TASKS_DIR}/{id}.html")
}

/// `people/<slug>.html`, relative to the archive root.
pub fn person_path(slug: &str) -> String {
    format!("{PEOPLE_DIR}/{slug}.html")
}

pub fn asset_path(name: &str) -> String {
    format!("{ASSETS_DIR}/{name}")
}

/// A root-relative path (`tasks/…`, `people/…`, `reports/…`) as a link from a page at `from`.
pub fn from(depth: Depth, path: &str) -> String {
    format!("{}{path}", depth.up())
}

/// The attribution page of an actor: a person's by their user id (stable, and not their email),
/// an agent client's by its name, the system's, and a task's own page.
pub fn actor_path(actor: &crate::model::Actor) -> String {
    use crate::model::Actor;
    match actor {
        Actor::User(p) => person_path(&format!("user-{}", p.id)),
        Actor::Agent { client, .. } => person_path(&format!("agent-{}", slug(client))),
        Actor::System => person_path("system"),
        Actor::Unattributed { kind } => person_path(&format!("deleted-{}", slug(kind))),
        Actor::Task(t) => task_path(t.id),
    }
}

/// A file-name-safe slug: lowercase ASCII letters, digits and single `-`s. A name that is such a
/// slug already is its own slug; any other name gets its cleaned form, `--` (which no slug of the
/// first kind holds) and a hash of the name, so two different names never share a page, however
/// one of them was chosen (`Cursor` is `cursor--…`, never the name `cursor-1a2b3c4d`).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(40).collect();
    let out = out.trim_end_matches('-');
    if out == name && !out.is_empty() {
        return out.to_string();
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(name.as_bytes());
    let hash = crate::model::digest::hex(&digest[..6]);
    format!("{out}--{hash}")
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_stable_safe_and_distinct() {
        assert_eq!(slug("claude-code"), "claude-code");
        assert_eq!(slug("cursor"), "cursor");
        assert_ne!(slug("Claude Code"), slug("claude code"));
        assert_ne!(slug("Claude-Code"), slug("claude-code"));
        assert_ne!(slug("../../etc"), slug("etc"));
        assert!(
            slug("<script>")
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        );
        assert!(!slug("").is_empty());
        assert_eq!(slug("Claude Code"), slug("Claude Code"));
        // A name chosen to be another name's slug still gets a page of its own.
        assert_ne!(slug("Cursor"), slug(&slug("Cursor")));
        assert_ne!(slug("cursor-b09f0dcf"), slug("Cursor"));
        assert_eq!(slug("cursor-b09f0dcf"), "cursor-b09f0dcf");
        assert_ne!(slug("<<<"), slug(&slug("<<<")));
    }
}

/// Where a report's pages link to: the archive around them (relative links), or nothing around
/// them — an export — with absolute links under the archive's published URL when one is given,
/// and no link at all otherwise.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    #[default]
    Archive,
    Standalone {
        /// `https://…/`, as checked by `feeds::base_url`.
        base_url: Option<String>,
        /// Whether `#a-<uuid>` links within the document are kept (not in a PR comment, where
        /// GitHub rewrites ids).
        fragments: bool,
    },
}

impl Scope {
    /// A page of the archive (`tasks/…`, `people/…`, root-relative), as linked from a report.
    pub fn page(&self, path: &str) -> Option<String> {
        match self {
            Scope::Archive => Some(from(Depth::Folder, path)),
            Scope::Standalone { base_url, .. } => base_url.as_ref().map(|b| format!("{b}{path}")),
        }
    }

    /// Another report's page (or this report's twin in `format`), as linked from a report.
    pub fn report(&self, id: Uuid, format: Format) -> Option<String> {
        match self {
            Scope::Archive => Some(report(id, format, Depth::Folder)),
            Scope::Standalone { .. } => self.page(&report_path(id, Format::Html)),
        }
    }

    /// The index, as linked from a report.
    pub fn index(&self, format: Format) -> Option<String> {
        match self {
            Scope::Archive => Some(index(format, Depth::Folder)),
            Scope::Standalone { .. } => self.page(&index_path(Format::Html)),
        }
    }

    /// An entry of the same document.
    pub fn entry(&self, id: Uuid) -> Option<String> {
        match self {
            Scope::Standalone {
                fragments: false, ..
            } => None,
            _ => Some(entry(id)),
        }
    }
}
