//! `manifest.json`: what a build wrote, sorted, with no timestamps, so that identical rows
//! give an identical manifest.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Seek;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::walk::{Hidden, walk};
use crate::model::Report;
use crate::model::digest::hex;

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: String,
    pub teams: Vec<i64>,
    pub reports: Vec<ManifestReport>,
    /// Every file of the archive but `manifest.json` itself, by `/`-separated path, with the
    /// SHA-256 (lowercase hex) of its bytes: what `reportpress verify` checks.
    pub files: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ManifestReport {
    pub id: String,
    pub status: String,
    pub entries: usize,
    pub html: String,
    pub markdown: String,
    /// SHA-256 of everything the report's two pages are made from: the tool and its templates,
    /// the report's rows, and the titles of the reports it refers to.
    pub fingerprint: String,
    /// SHA-256 of the source rows the pages were rendered from (the report and its entries as
    /// read and parsed — see [`report_digest`]): the same rows give the same value whether they
    /// came from PostgreSQL or SQLite, so an auditor can tell which database state a page shows.
    pub source_rows: String,
}

impl Manifest {
    pub fn to_json(&self) -> String {
        // Serialising plain strings and numbers cannot fail.
        let mut json = serde_json::to_string_pretty(self).unwrap_or_default();
        json.push('\n');
        json
    }
}

/// What a build needs from the previous build in the same folder.
#[derive(Debug, Default)]
pub struct Previous {
    /// Its teams.
    pub teams: Vec<i64>,
    /// Its reports by id: fingerprints, source digests, entries.
    pub reports: BTreeMap<String, ManifestReport>,
    /// File hashes by path, carried over for the pages of reports not rendered again.
    pub files: BTreeMap<String, String>,
}

impl Manifest {
    /// The previous build in `root`: empty when there is no readable manifest or it was written
    /// by another version (whose pages may differ) or in an older format.
    pub fn previous(root: &Path) -> Previous {
        let Ok(text) = std::fs::read_to_string(root.join(crate::render::links::MANIFEST)) else {
            return Previous::default();
        };
        match serde_json::from_str::<Manifest>(&text) {
            Ok(m) if m.generator == generator() => Previous {
                teams: m.teams,
                reports: m.reports.into_iter().map(|r| (r.id.clone(), r)).collect(),
                files: m.files,
            },
            _ => Previous::default(),
        }
    }
}

/// The files the manifest in `root` lists, whichever version of reportpress wrote it (a list of
/// paths or a map of path to hash), keeping only plain relative paths: the files a rebuild may
/// remove. Empty when there is no reportpress manifest.
pub fn listed(root: &Path) -> BTreeSet<String> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Files {
        Paths(Vec<String>),
        Hashes(BTreeMap<String, serde::de::IgnoredAny>),
    }
    #[derive(Deserialize)]
    struct Listing {
        generator: String,
        files: Files,
    }
    let Some(listing) = std::fs::read(root.join(crate::render::links::MANIFEST))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Listing>(&bytes).ok())
        .filter(|l| l.generator.starts_with("reportpress"))
    else {
        return BTreeSet::new();
    };
    let paths: Vec<String> = match listing.files {
        Files::Paths(paths) => paths,
        Files::Hashes(map) => map.into_keys().collect(),
    };
    paths.into_iter().filter(|p| is_plain_path(p)).collect()
}

/// The regular files under `root` (the previous build's archive), as `/`-separated relative
/// paths ([`walk`](super::walk::walk) follows no symbolic link, so that a page reached through a
/// link counts as missing and is written again; a name that is not UTF-8 is no page of ours). A
/// rebuild asks it once, beside the database's query, instead of asking the file system about
/// each page in turn (at 10,000 reports, 63,000 `statx` calls on the build's critical path).
/// Empty when the folder cannot be walked: every page then counts as missing, and the build
/// that mirrors the folder next says why it cannot be read.
pub fn files_present(root: &Path) -> HashSet<String> {
    walk(root, Hidden::Include)
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f.exact && f.kind.is_file())
        .map(|f| f.path)
        .collect()
}

/// A `/`-separated relative path that stays inside the folder it is relative to: no root, no
/// `..`, no `.`, no empty part, no backslash.
pub fn is_plain_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains(':'))
}

/// Whether `root` holds a `manifest.json` written by any version of reportpress.
pub fn is_archive(root: &Path) -> bool {
    #[derive(Deserialize)]
    struct Head {
        generator: String,
    }
    std::fs::read(root.join(crate::render::links::MANIFEST))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Head>(&bytes).ok())
        .is_some_and(|head| head.generator.starts_with("reportpress"))
}

pub fn generator() -> String {
    format!("reportpress {}", env!("CARGO_PKG_VERSION"))
}

/// What every page depends on besides its rows: this very program (its code, templates and
/// assets are all compiled into the executable, so its bytes identify them) and the build's
/// settings that change pages. The executable's bytes are named by the linker's build ID when
/// it wrote one (a hash of them, `build_id`), else hashed here.
pub fn build_salt(settings: &str) -> String {
    let mut h = Sha256::new();
    h.update(generator().as_bytes());
    if let Ok(mut exe) = std::env::current_exe().and_then(std::fs::File::open) {
        match super::build_id::gnu_build_id(&mut exe) {
            Some(id) => {
                h.update(b"build-id ");
                h.update(&id);
            }
            // Streamed: the executable (tens of MB in a debug build) is never held whole.
            None => {
                let _ = exe.rewind().and_then(|()| hash_reader(&mut h, exe));
            }
        }
    }
    h.update(settings.as_bytes());
    hex(&h.finalize())
}

/// Feeds everything `reader` gives into `h`, through one small buffer.
fn hash_reader(h: &mut Sha256, mut reader: impl std::io::Read) -> std::io::Result<()> {
    let mut buffer = vec![0; 256 * 1024];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => h.update(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
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

/// The build cache, `.reportpress-cache.jsonl` in the archive (hidden: `verify` and publishing
/// tools skip it): for each report, what the next build needs to know it unchanged without
/// reading its rows (its signature and the rows it drew on), and what it adds to the index,
/// people, task and search pages (its index row and ledger), so that those pages can be made
/// again without reading it either. Not in `manifest.json`, because signatures differ by
/// database (an archive built from PostgreSQL and one built from SQLite are byte-identical but
/// for this file). One JSON line per report, sorted by id, after a header line; written whole by
/// every build that changes anything, swapped in with the archive.
pub const CACHE: &str = ".reportpress-cache.jsonl";

/// The build's record of what each person's and task's page shows (see
/// [`crate::render::MadePage::key`]): one `PATH<TAB>KEY` line per page, in path order. Like the
/// cache, a file of the build's own: not listed in the manifest, hidden from `verify`.
pub const VIEWS: &str = ".reportpress-views.tsv";

/// The page keys the previous build in `root` recorded: empty where it recorded none (a line
/// that is not `PATH<TAB>KEY` is skipped: its page is rendered again).
pub fn previous_views(root: &Path) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(root.join(VIEWS)) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(path, key)| (path.to_string(), key.to_string()))
        .collect()
}

/// The text of [`VIEWS`] recording `views`.
pub fn views_text(views: &BTreeMap<String, String>) -> String {
    let mut text = String::with_capacity(views.len() * 110);
    for (path, key) in views {
        text.push_str(path);
        text.push('\t');
        text.push_str(key);
        text.push('\n');
    }
    text
}

/// The first line of the cache.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheHeader {
    pub generator: String,
    /// The `--base-url` the archive-wide pages were made with.
    pub base_url: Option<String>,
}

/// What the plan of a build reads of one cached report (the rest of its line is read only when
/// the report is reused).
#[derive(Debug, Deserialize)]
pub struct CachedHead {
    /// The report id as the source lists it.
    pub id: String,
    /// The report's signature when it was read (see `build::signature`), or `None` when it
    /// could not be trusted (it is then always read again).
    pub signature: Option<String>,
    /// The keys of the rows it drew on by reference (`Signatures::task` …).
    pub deps: Vec<String>,
    /// The reports it refers to (their titles are on its pages).
    pub referenced: Vec<uuid::Uuid>,
}

/// One cached report in full.
#[derive(Debug, Serialize, Deserialize)]
pub struct CachedReport {
    pub id: String,
    pub signature: Option<String>,
    pub deps: Vec<String>,
    pub referenced: Vec<uuid::Uuid>,
    pub row: crate::render::IndexRow,
    pub ledger: crate::render::ReportLedger,
}

impl CachedReport {
    /// One line of the cache.
    pub fn to_line(&self) -> String {
        // Plain data: serialising cannot fail.
        let mut line = serde_json::to_string(self).unwrap_or_default();
        line.push('\n');
        line
    }
}

/// Where a cached report's line is: the byte range of its line in the cache file.
#[derive(Clone, Copy, Debug)]
pub struct Span {
    pub offset: u64,
    pub len: u64,
}

/// The previous build's cache, as its plan needs it.
#[derive(Debug, Default)]
pub struct PreviousCache {
    pub header: CacheHeader,
    /// By report id as listed.
    pub reports: BTreeMap<String, (CachedHead, Span)>,
}

impl PreviousCache {
    /// The cache in `root`: empty when there is none, or it is unreadable or written by another
    /// version (a line that does not parse empties it all: it is only ever written whole).
    pub fn load(root: &Path) -> PreviousCache {
        Self::read(root).unwrap_or_default()
    }

    fn read(root: &Path) -> Option<PreviousCache> {
        use std::io::BufRead;
        let file = std::fs::File::open(root.join(CACHE)).ok()?;
        let mut lines = std::io::BufReader::with_capacity(1 << 20, file);
        let mut line = String::new();
        lines.read_line(&mut line).ok()?;
        let header: CacheHeader = serde_json::from_str(&line).ok()?;
        if header.generator != generator() {
            return None;
        }
        let mut offset = line.len() as u64;
        let mut reports = BTreeMap::new();
        loop {
            line.clear();
            let len = lines.read_line(&mut line).ok()? as u64;
            if len == 0 {
                break;
            }
            let head: CachedHead = serde_json::from_str(&line).ok()?;
            reports.insert(head.id.clone(), (head, Span { offset, len }));
            offset += len;
        }
        Some(PreviousCache { header, reports })
    }
}

/// Reads cached lines back by their [`Span`].
pub struct CacheReader(std::sync::Mutex<std::fs::File>);

impl CacheReader {
    pub fn open(path: &Path) -> std::io::Result<CacheReader> {
        Ok(CacheReader(std::sync::Mutex::new(std::fs::File::open(
            path,
        )?)))
    }

    pub fn bytes(&self, span: Span) -> std::io::Result<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = self.0.lock().unwrap_or_else(|e| e.into_inner());
        file.seek(SeekFrom::Start(span.offset))?;
        let mut bytes = vec![0; span.len as usize];
        file.read_exact(&mut bytes)?;
        Ok(bytes)
    }

    pub fn report(&self, span: Span) -> std::io::Result<CachedReport> {
        serde_json::from_slice(&self.bytes(span)?).map_err(std::io::Error::other)
    }
}

/// The cache lines of the reports rendered by this build, spooled to a file as the workers make
/// them (in whatever order they finish), so that none is held in memory until the cache is
/// written in id order.
pub struct Spool {
    path: std::path::PathBuf,
    file: std::sync::Mutex<(std::fs::File, u64)>,
}

impl Spool {
    pub fn create(path: &Path) -> std::io::Result<Spool> {
        let file = std::fs::File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        Ok(Spool {
            path: path.to_path_buf(),
            file: std::sync::Mutex::new((file, 0)),
        })
    }

    /// Appends `line`; where it is.
    pub fn push(&self, line: &str) -> std::io::Result<Span> {
        Ok(self.push_all(line, &[line.len()])?[0])
    }

    /// Appends `lines`, which are pieces of the lengths `lengths` one after the other; where
    /// each piece is.
    pub fn push_all(&self, lines: &str, lengths: &[usize]) -> std::io::Result<Vec<Span>> {
        use std::io::Write;
        let mut guard = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let (file, end) = &mut *guard;
        file.write_all(lines.as_bytes())?;
        let spans = lengths
            .iter()
            .map(|&len| {
                let span = Span {
                    offset: *end,
                    len: len as u64,
                };
                *end += span.len;
                span
            })
            .collect();
        Ok(spans)
    }

    pub fn reader(&self) -> std::io::Result<CacheReader> {
        CacheReader::open(&self.path)
    }

    /// Where the spool's file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the spool's file (it stays open until dropped).
    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives its bytes a few at a time, interrupted before each piece.
    struct Stuttering<'a>(&'a [u8], bool);

    impl std::io::Read for Stuttering<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1 = !self.1;
            if self.1 {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = self.0.len().min(buf.len()).min(7);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_streamed_hash_is_the_hash_of_the_whole() {
        let bytes: Vec<u8> = (0..600_000u32).map(|i| (i * 31 % 251) as u8).collect();
        let mut streamed = Sha256::new();
        hash_reader(&mut streamed, bytes.as_slice()).unwrap();
        assert_eq!(streamed.finalize(), Sha256::digest(&bytes));
        let mut stuttered = Sha256::new();
        hash_reader(&mut stuttered, Stuttering(&bytes[..1000], false)).unwrap();
        assert_eq!(stuttered.finalize(), Sha256::digest(&bytes[..1000]));
    }
}
