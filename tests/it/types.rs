//! Every artefact type of PostHog's schema (current, legacy, and one this version does not
//! know), read the way a reader sees it: each test finds one entry in the HTML page
//! (`article#a-<uuid>`) and in the Markdown document (`<a id="a-<uuid>"></a>` up to the next
//! anchor) and checks the rendered text — the type label, the values, the links, the code.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::common::*;
use scraper::{ElementRef, Html, Selector};

const FIXTURE: &str = include_str!("../fixtures/types.toml");
/// The report holding one entry per type; it has a repo_selection (`posthog/posthog`).
const R1: &str = "03000000-0000-7000-8000-000000000001";
/// A report in the archive that entries of R1 link to.
const R2: &str = "03000000-0000-7000-8000-000000000002";
/// A report without a repo_selection.
const R3: &str = "03000000-0000-7000-8000-000000000003";
/// A report id that is in no archive.
const ABSENT: &str = "03000000-0000-7000-8000-0000000000ff";
const GITHUB: &str = "https://github.com/posthog/posthog";

/// The archive's text files (path → text), built once for every test of this file.
fn site() -> &'static BTreeMap<String, String> {
    static SITE: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    SITE.get_or_init(|| {
        let scratch = Scratch::new("types");
        let db = sqlite_archive(&scratch.path("a.sqlite"), FIXTURE);
        let out = scratch.path("out");
        build(Some(&db), &out, &[]);
        tree(&out)
            .into_iter()
            .map(|(path, bytes)| (path, String::from_utf8(bytes).expect("UTF-8 output")))
            .collect()
    })
}

fn page(report: &str, ext: &str) -> &'static str {
    let path = format!("reports/{report}.{ext}");
    site()
        .get(&path)
        .unwrap_or_else(|| panic!("{path} not written"))
}

/// Entry ids of the fixture: `03000000-0000-7000-8000-000000000NNN`.
fn id(n: u32) -> String {
    format!("03000000-0000-7000-8000-{n:012x}")
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e:?}"))
}

fn text(e: ElementRef) -> String {
    e.text().collect::<String>().trim().to_string()
}

/// One entry as a reader sees it: its HTML article and its Markdown section.
struct Entry {
    id: String,
    html: Html,
    md: String,
}

fn entry(n: u32) -> Entry {
    entry_in(R1, n)
}

fn entry_in(report: &str, n: u32) -> Entry {
    let id = id(n);
    let doc = Html::parse_document(page(report, "html"));
    let article = doc
        .select(&sel(&format!("article#a-{id}")))
        .next()
        .unwrap_or_else(|| panic!("no article#a-{id} in {report}.html"))
        .html();
    let md = page(report, "md");
    let anchor = format!("<a id=\"a-{id}\"></a>\n");
    let start = md
        .find(&anchor)
        .unwrap_or_else(|| panic!("no anchor a-{id} in {report}.md"))
        + anchor.len();
    let rest = &md[start..];
    let end = rest.find("<a id=\"a-").unwrap_or(rest.len());
    Entry {
        id,
        html: Html::parse_fragment(&article),
        md: rest[..end].to_string(),
    }
}

impl Entry {
    fn all(&self, css: &str) -> Vec<String> {
        self.html.select(&sel(css)).map(text).collect()
    }

    fn one(&self, css: &str) -> String {
        let all = self.all(css);
        assert_eq!(all.len(), 1, "{css} in {}: {all:?}", self.id);
        all.into_iter().next().unwrap()
    }

    fn count(&self, css: &str) -> usize {
        self.html.select(&sel(css)).count()
    }

    /// The type label: the HTML header's anchor and the Markdown heading agree.
    fn assert_label(&self, label: &str) {
        assert_eq!(self.one("article > header a.anchor"), label);
        let heading = self.md.lines().find_map(|l| l.strip_prefix("#### "));
        assert_eq!(heading, Some(label), "{}", self.md);
    }

    /// Label/value pairs in HTML (`dl.fields`), as text.
    fn html_fields(&self) -> Vec<(String, String)> {
        let labels = self.all("dl.fields > dt");
        let values = self.all("dl.fields > dd");
        assert_eq!(labels.len(), values.len());
        labels.into_iter().zip(values).collect()
    }

    /// Label/value pairs in Markdown (`- **Label:** value`), values as written.
    fn md_fields(&self) -> Vec<(String, String)> {
        self.md
            .lines()
            .filter_map(|l| l.strip_prefix("- **")?.split_once(":** "))
            .map(|(label, value)| (label.to_string(), value.to_string()))
            .collect()
    }

    /// Every field, in order: (label, HTML text, Markdown source).
    fn assert_fields(&self, expected: &[(&str, &str, &str)]) {
        let html: Vec<(String, String)> = expected
            .iter()
            .map(|(l, h, _)| (l.to_string(), h.to_string()))
            .collect();
        let md: Vec<(String, String)> = expected
            .iter()
            .map(|(l, _, m)| (l.to_string(), m.to_string()))
            .collect();
        assert_eq!(self.html_fields(), html, "HTML fields of {}", self.id);
        assert_eq!(
            self.md_fields(),
            md,
            "Markdown fields of {}:\n{}",
            self.id,
            self.md
        );
    }

    /// Badges: `span.badge` in HTML, `**text**` lines in Markdown.
    fn assert_badges(&self, badges: &[&str]) {
        assert_eq!(self.all("span.badge"), badges, "HTML badges of {}", self.id);
        let line = badges
            .iter()
            .map(|b| format!("**{b}**"))
            .collect::<Vec<_>>()
            .join(", ");
        assert!(
            self.md.lines().any(|l| l == line),
            "Markdown badge line {line:?} in:\n{}",
            self.md
        );
    }

    /// Untrusted Markdown from the database (explanations, notes): rendered in HTML with its
    /// emphasis, quoted in the Markdown document. `bold` is the `**…**` part of `plain`.
    fn assert_prose(&self, plain: &str, bold: &str) {
        assert!(
            self.all("div.md").iter().any(|t| t == plain),
            "HTML prose {plain:?} of {}: {:?}",
            self.id,
            self.all("div.md")
        );
        let quoted = if bold.is_empty() {
            format!("> {plain}")
        } else {
            assert!(
                self.all("div.md strong").iter().any(|t| t == bold),
                "{bold:?} is bold"
            );
            format!("> {}", plain.replacen(bold, &format!("**{bold}**"), 1))
        };
        assert!(
            self.md.lines().any(|l| l == quoted),
            "Markdown {quoted:?} in:\n{}",
            self.md
        );
    }

    /// Links in the body (not the header's anchor): (text, href).
    fn html_links(&self) -> Vec<(String, String)> {
        self.html
            .select(&sel("article > :not(header) a"))
            .map(|a| (text(a), a.value().attr("href").unwrap_or("").to_string()))
            .collect()
    }

    fn assert_html_link(&self, text: &str, href: &str) {
        let links = self.html_links();
        assert!(
            links.iter().any(|(t, h)| t == text && h == href),
            "HTML link {text:?} → {href} in {}: {links:?}",
            self.id
        );
    }

    /// `[text](<url>)` in the Markdown; `text` as written (code spans keep their backticks).
    fn assert_md_link(&self, text: &str, url: &str) {
        let link = format!("[{text}](<{url}>)");
        assert!(self.md.contains(&link), "{link} in:\n{}", self.md);
    }

    fn assert_md(&self, needle: &str) {
        assert!(self.md.contains(needle), "{needle:?} in:\n{}", self.md);
    }

    /// The line numbers of a code block (the gutter's `data-n`, which the stylesheet shows).
    fn code_numbers(&self) -> Vec<String> {
        self.html
            .select(&sel("figure.code pre i"))
            .map(|i| i.value().attr("data-n").unwrap_or("").to_string())
            .collect()
    }

    /// The code lines as shown (the numbers are not text).
    fn code_lines(&self) -> Vec<String> {
        let pre = self
            .html
            .select(&sel("figure.code pre"))
            .next()
            .expect("pre");
        let full: String = pre.text().collect();
        full.strip_suffix('\n')
            .unwrap_or(&full)
            .split('\n')
            .map(str::to_string)
            .collect()
    }

    /// The classes of the highlighted spans whose text, trimmed, is exactly `token`.
    fn token_classes(&self, token: &str) -> Vec<String> {
        self.html
            .select(&sel("figure.code pre span"))
            .filter(|s| {
                let text = s.text().collect::<String>();
                text.trim() == token || text.split_whitespace().any(|w| w == token)
            })
            .filter_map(|s| s.value().attr("class").map(str::to_string))
            .collect()
    }

    fn assert_token(&self, token: &str, classes: &[&str]) {
        let found = self.token_classes(token);
        assert!(
            found.iter().any(|c| {
                let c: Vec<&str> = c.split(' ').collect();
                classes.iter().all(|want| c.contains(want))
            }),
            "{token:?} with {classes:?} in {}: {found:?}",
            self.id
        );
    }

    /// A Markdown fence: (language, body), the first one.
    fn md_fence(&self) -> (String, String) {
        let mut lines = self.md.lines();
        let open = lines
            .find(|l| l.starts_with("```"))
            .unwrap_or_else(|| panic!("no fence in:\n{}", self.md));
        let ticks = open.len() - open.trim_start_matches('`').len();
        let fence = "`".repeat(ticks);
        let body: Vec<&str> = lines.take_while(|l| *l != fence).collect();
        (open[ticks..].to_string(), body.join("\n"))
    }

    /// Diff rows of the `file`th file: (class, old number, new number, marker, code).
    fn diff_rows(&self, file: usize) -> Vec<(String, String, String, String, String)> {
        let files: Vec<ElementRef> = self.html.select(&sel("details.file")).collect();
        files[file]
            .select(&sel("pre.diff > code > *"))
            .filter(|l| !l.value().classes().any(|c| c == "hunk"))
            .map(|l| {
                // A row is `<ins>` (added), `<del>` (removed) or `<span>` (context), starting
                // with an empty `<i data-o=old data-n=new>` that the stylesheet shows with the
                // row's marker, followed by the code.
                let gutter = l.select(&sel("i")).next();
                let number = |name: &str| {
                    gutter
                        .and_then(|i| i.value().attr(name))
                        .unwrap_or("")
                        .to_string()
                };
                let (class, marker) = match (l.value().name(), l.value().classes().next()) {
                    ("ins", _) => ("add", "+"),
                    ("del", _) => ("del", "-"),
                    (_, Some(class)) => (class, ""),
                    _ => ("ctx", ""),
                };
                let code: String = l.text().collect();
                (
                    class.to_string(),
                    number("data-o"),
                    number("data-n"),
                    marker.to_string(),
                    code,
                )
            })
            .collect()
    }
}

fn row(
    class: &str,
    old: &str,
    new: &str,
    marker: &str,
    code: &str,
) -> (String, String, String, String, String) {
    (
        class.into(),
        old.into(),
        new.into(),
        marker.into(),
        code.into(),
    )
}

fn blob(path: &str, lines: &str) -> String {
    format!("{GITHUB}/blob/HEAD/{path}#{lines}")
}

// --- status types

#[test]
fn repo_selection() {
    let e = entry(0x101);
    e.assert_label("Repo selected");
    e.assert_fields(&[
        ("Repository", "posthog/posthog", "`posthog/posthog`"),
        ("Autostart eligible", "no", "no"),
        (
            "Task",
            "Research the flag bound",
            "[Research the flag bound](<../tasks/7c000000-0000-4000-8000-000000000002.html>)",
        ),
    ]);
    e.assert_prose("Where the flag code lives", "flag");
}

#[test]
fn video_segment() {
    let e = entry(0x102);
    e.assert_label("Video segment");
    // Permissive content: every top-level field, labelled, none of it as raw JSON.
    e.assert_fields(&[
        (
            "Content",
            "User rage-clicks the flag toggle",
            "User rage-clicks the flag toggle",
        ),
        ("Distance to centroid", "0.25", "`0.25`"),
        ("Distinct id", "user-9", "user-9"),
        ("End time", "00:01:40", "00:01:40"),
        ("Session id", "sess-1", "sess-1"),
        ("Start time", "00:01:05", "00:01:05"),
    ]);
    assert_eq!(e.count("p.notice"), 0);
}

#[test]
fn safety_judgment() {
    let safe = entry(0x103);
    safe.assert_label("Safety assessed");
    safe.assert_badges(&["Safe to act on"]);
    assert_eq!(safe.count("div.md"), 0, "no explanation was given");
    // The later judgment supersedes it, in both outputs.
    let later = format!("#a-{}", id(0x104));
    assert_eq!(
        safe.html
            .select(&sel("header a.superseded"))
            .next()
            .and_then(|a| a.value().attr("href")),
        Some(later.as_str())
    );
    safe.assert_md_link("superseded", &later);

    let unsafe_ = entry(0x104);
    unsafe_.assert_label("Safety assessed");
    unsafe_.assert_badges(&["Unsafe"]);
    unsafe_.assert_prose("The fix touches billing code.", "billing");
    assert_eq!(unsafe_.count("header a.superseded"), 0);
}

#[test]
fn actionability_judgment() {
    let e = entry(0x105);
    e.assert_label("Actionability assessed");
    e.assert_badges(&["Actionable", "Already addressed"]);
    e.assert_prose("A one-character fix", "");
}

#[test]
fn actionability_judgment_legacy_choice_shape() {
    let e = entry(0x106);
    e.assert_label("Actionability assessed");
    assert_eq!(
        e.count("p.notice"),
        0,
        "the legacy shape is read, not degraded"
    );
    e.assert_badges(&["Needs input"]);
    e.assert_prose("Needs a product decision", "");
    e.assert_md_link("superseded", &format!("#a-{}", id(0x105)));
}

#[test]
fn priority_judgment() {
    let e = entry(0x107);
    e.assert_label("Priority assessed");
    e.assert_badges(&["P1"]);
    e.assert_fields(&[("Dollar value", "$1,250.50", "$1,250.50")]);
    e.assert_prose("Core flow broken for EU users", "broken");
}

#[test]
fn suggested_reviewers() {
    let e = entry(0x108);
    e.assert_label("Reviewers suggested");
    let commit = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    assert_eq!(
        e.all("ul > li"),
        [
            "Alice Adams, @alice, Skill owner, Top recent author on the affected surface, \
             a1b2c3d4e5f6 — Wrote the bound check",
            "bob-b, @bob-b",
        ]
    );
    assert_eq!(e.all("li code"), ["@alice", "@bob-b"]);
    e.assert_html_link(
        "a1b2c3d4e5f6 — Wrote the bound check",
        &format!("{GITHUB}/commit/{commit}"),
    );
    e.assert_md(
        "- Alice Adams, `@alice`, **Skill owner**, Top recent author on the affected surface, ",
    );
    e.assert_md_link(
        "a1b2c3d4e5f6 — Wrote the bound check",
        &format!("{GITHUB}/commit/{commit}"),
    );
    e.assert_md("\n- bob-b, `@bob-b`\n");
}

#[test]
fn channel_assignment() {
    let e = entry(0x109);
    e.assert_label("Channel assigned");
    e.assert_fields(&[(
        "Channel",
        "0c000000-0000-4000-8000-00000000c4a1",
        "`0c000000-0000-4000-8000-00000000c4a1`",
    )]);
}

#[test]
fn implementation_decision() {
    let e = entry(0x10a);
    // PostHog's title for a decision on one PR (`prActivityTitle`).
    e.assert_label("PR #4242 assessed");
    // PostHog's words for the verdict (`ArtefactLogList.tsx`).
    assert_eq!(
        e.all("span.badge"),
        ["Replacement recommended", "Status unavailable"]
    );
    e.assert_md("**Replacement recommended**\n");
    e.assert_fields(&[("Research runs", "2", "2"), ("Content revisions", "1", "1")]);
    e.assert_prose("The root cause moved to the evaluator", "moved");
    let pr = format!("{GITHUB}/pull/4242");
    // A PR is named (`owner/repo#42`), never shown as its URL.
    let name = "posthog/posthog#4242";
    assert_eq!(
        e.all("ul > li"),
        // The target's automation entry (`automation_artefact_id`) is linked.
        [format!(
            "{name}, Status unavailable, 0123456789ab, Fix the flag bound, automation, Commit pushed (5 Oct 2026, 09:15 UTC)"
        )]
    );
    e.assert_html_link(name, &pr);
    e.assert_md(&format!(
        "- [{name}](<{pr}>), **Status unavailable**, `0123456789ab`, [Fix the flag bound](<../tasks/7c000000-0000-4000-8000-000000000001.html>)"
    ));
}

#[test]
fn implementation_dispatch() {
    let e = entry(0x10b);
    e.assert_label("Implementation dispatched");
    let decision = "PR #4242 assessed (5 Oct 2026, 09:10 UTC)";
    let href = format!("#a-{}", id(0x10a));
    e.assert_fields(&[
        ("Decision", decision, &format!("[{decision}](<{href}>)")),
        ("Status", "Retrying", "Retrying"),
        ("Attempt", "2", "2"),
        ("Skill", "implement-fix", "implement-fix"),
        (
            "Next retry",
            "5 Oct 2026, 12:00 UTC",
            "5 Oct 2026, 12:00 UTC",
        ),
    ]);
    e.assert_html_link(decision, &href);
    e.assert_prose("GitHub rate limit", "");
}

// --- keyed and stacked types

#[test]
fn signal_finding() {
    let e = entry(0x10c);
    e.assert_label("Signal investigated");
    e.assert_fields(&[
        ("Signal", "sig-7f3a", "`sig-7f3a`"),
        ("Finding", "Verified", "**Verified**"),
        (
            "Data queried",
            "events where $feature_flag_called",
            "events where $feature\\_flag\\_called",
        ),
        (
            "Code paths",
            "posthog/flags.py, rust/flags/src/eval.rs",
            "`posthog/flags.py`, `rust/flags/src/eval.rs`",
        ),
    ]);
    assert_eq!(
        e.all("ul > li"),
        ["a1b2c3d, introduced the strict comparison"]
    );
    e.assert_md("\n- `a1b2c3d`, introduced the strict comparison\n");
    // The report's summary lists it too.
    let doc = Html::parse_document(page(R1, "html"));
    let summary: Vec<String> = doc.select(&sel("ul.findings li")).map(text).collect();
    assert_eq!(summary, ["Signal sig-7f3a Verified"]);
}

#[test]
fn signal_finding_unverified() {
    // The same row with `verified = false`, in an archive of its own.
    let fixture = FIXTURE.replace("verified = true }", "verified = false }");
    assert_ne!(fixture, FIXTURE);
    let scratch = Scratch::new("types-unverified");
    let db = sqlite_archive(&scratch.path("a.sqlite"), &fixture);
    let out = scratch.path("out");
    build(Some(&db), &out, &[]);
    let html = Html::parse_document(&read(&out.join(format!("reports/{R1}.html"))));
    let badges: Vec<String> = html
        .select(&sel(&format!("article#a-{} span.badge", id(0x10c))))
        .map(text)
        .collect();
    assert_eq!(badges, ["Unverified"]);
    let md = read(&out.join(format!("reports/{R1}.md")));
    assert!(md.contains("- **Finding:** **Unverified**"), "{md}");
}

#[test]
fn dismissal() {
    let e = entry(0x10d);
    e.assert_label("Report dismissed");
    assert_eq!(e.one(".actor"), "by Ana Ruiz");
    e.assert_badges(&["Agent picked the wrong repository"]);
    e.assert_fields(&[
        (
            "Selected repository",
            "posthog/posthog",
            "`posthog/posthog`",
        ),
        (
            "Corrected repository",
            "posthog/posthog-js",
            "`posthog/posthog-js`",
        ),
        // A person by id whose row is not in the database: a person, not a number.
        (
            "Dismissed by",
            "a PostHog user (id 1)",
            "a PostHog user (id 1)",
        ),
    ]);
    e.assert_prose("The evaluator is in posthog-js", "posthog-js");
}

// --- log types

#[test]
fn code_reference() {
    let e = entry(0x10e);
    e.assert_label("Code referenced");
    e.assert_prose("The strict comparison", "strict");
    let link = blob("posthog/flags.py", "L40-L42");
    assert_eq!(e.one("figcaption"), "posthog/flags.py lines 40–42");
    e.assert_html_link("posthog/flags.py", &link);
    assert_eq!(e.code_numbers(), ["40", "41", "42"]);
    assert_eq!(
        e.code_lines(),
        [
            "def evaluate(flag, person):",
            "    # cached per request",
            "    return flag.rollout_percentage > 50",
        ]
    );
    e.assert_token("def", &["k"]);
    e.assert_token("# cached per request", &["c"]);

    e.assert_md(&format!("[`posthog/flags.py`](<{link}>) lines 40–42\n"));
    assert_eq!(
        e.md_fence(),
        (
            "python".to_string(),
            "def evaluate(flag, person):\n    # cached per request\n    return flag.rollout_percentage > 50"
                .to_string()
        )
    );
}

#[test]
fn code_reference_without_a_repository_has_no_link() {
    let e = entry_in(R3, 0x301);
    e.assert_label("Code referenced");
    assert_eq!(e.one("figcaption"), "posthog/flags.py lines 1–2");
    assert_eq!(e.html_links(), []);
    assert_eq!(e.code_numbers(), ["1", "2"]);
    e.assert_md("\n`posthog/flags.py` lines 1–2\n");
    assert!(!e.md.contains("github.com"), "{}", e.md);
    assert_eq!(e.md_fence().0, "python");
}

#[test]
fn commit_with_a_diff() {
    let e = entry(0x10f);
    e.assert_label("Commit pushed");
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let url = format!("{GITHUB}/commit/{sha}");
    e.assert_fields(&[
        (
            "Message",
            "fix(flags): make the rollout bound configurable",
            "fix(flags): make the rollout bound configurable",
        ),
        (
            "Commit",
            "0123456789ab",
            &format!("[0123456789ab](<{url}>)"),
        ),
        (
            "Branch",
            "posthog/posthog@posthog-code/flag-bound",
            "`posthog/posthog@posthog-code/flag-bound`",
        ),
    ]);
    e.assert_prose("Snapshot taken by ReviewHog.", "");
    e.assert_html_link("0123456789ab", &url);
    e.assert_html_link("on GitHub", &url);
    assert_eq!(e.one("p.diffstat"), "2 files changed, +4 −1 · on GitHub");
    assert_eq!(e.count("p.muted"), 0, "no \"Diff not stored\"");

    // One header per file: path, status, counts.
    assert_eq!(
        e.all("details.file > summary"),
        [
            "posthog/flags.py +2 −1",
            "posthog/test_flags.py new file +2 −0"
        ]
    );
    // Old and new line numbers, markers, and the code of each line.
    assert_eq!(
        e.diff_rows(0),
        [
            row("ctx", "10", "10", "", "    value = load(flag)"),
            row("del", "11", "", "-", "    return value > 50"),
            row("add", "", "11", "+", "    return value > limit"),
            row("add", "", "12", "+", "    # limit comes from settings"),
            row("ctx", "12", "13", "", "    # end"),
        ]
    );
    assert_eq!(
        e.diff_rows(1),
        [
            row("add", "", "1", "+", "def test_bound():"),
            row("add", "", "2", "+", "    assert evaluate(FLAG)"),
        ]
    );
    // The changed words, marked on both sides; the code is highlighted.
    assert_eq!(e.all("pre.diff del mark"), ["50"]);
    assert_eq!(e.all("pre.diff ins mark"), ["limit"]);
    assert_eq!(
        e.all("pre.diff .hunk"),
        ["@@ -10,3 +10,4 @@ def evaluate(flag):", "@@ -0,0 +1,2 @@"]
    );
    assert!(
        e.html
            .select(&sel("pre.diff del span"))
            .any(|s| text(s).trim() == "return" && s.value().classes().any(|c| c == "k")),
        "removed lines are highlighted"
    );

    // Markdown: the same files in `diff` fences inside <details>.
    e.assert_md(&format!("2 files changed, +4 −1 · [on GitHub](<{url}>)\n"));
    e.assert_md(
        "<details><summary>posthog/flags.py +2 −1</summary>\n\n```diff\n\
         diff --git a/posthog/flags.py b/posthog/flags.py\nindex 1111111..2222222 100644\n\
         --- a/posthog/flags.py\n+++ b/posthog/flags.py\n\
         @@ -10,3 +10,4 @@ def evaluate(flag):\n     value = load(flag)\n-    return value > 50\n\
         +    return value > limit\n+    # limit comes from settings\n     # end\n```\n\n</details>",
    );
    e.assert_md(
        "<details><summary>posthog/test_flags.py (new file) +2 −0</summary>\n\n```diff\n\
         diff --git a/posthog/test_flags.py b/posthog/test_flags.py\nnew file mode 100644\n\
         index 0000000..3333333\n--- /dev/null\n+++ b/posthog/test_flags.py\n\
         @@ -0,0 +1,2 @@\n+def test_bound():\n+    assert evaluate(FLAG)\n```\n\n</details>",
    );
    assert!(!e.md.contains("Diff not stored"));
}

#[test]
fn commit_without_a_diff() {
    let e = entry(0x110);
    e.assert_label("Commit pushed");
    let sha = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";
    let url = format!("{GITHUB}/commit/{sha}");
    e.assert_fields(&[
        (
            "Message",
            "fix(flags): include the bound",
            "fix(flags): include the bound",
        ),
        (
            "Commit",
            "9f8e7d6c5b4a",
            &format!("[9f8e7d6c5b4a](<{url}>)"),
        ),
        (
            "Branch",
            "posthog/posthog@posthog-code/flag-bound",
            "`posthog/posthog@posthog-code/flag-bound`",
        ),
    ]);
    assert_eq!(
        e.one("p.muted"),
        "Diff not stored · view the commit on GitHub."
    );
    e.assert_html_link("view the commit on GitHub", &url);
    assert_eq!(e.count("div.diff"), 0);
    e.assert_md(&format!(
        "_Diff not stored._ [View the commit on GitHub](<{url}>)\n"
    ));
    assert!(!e.md.contains("```"), "{}", e.md);
}

#[test]
fn task_run_with_a_run_and_a_pull_request() {
    let e = entry(0x111);
    e.assert_label("Task run");
    assert_eq!(e.one(".actor"), "by Fix the flag bound");
    let pr = format!("{GITHUB}/pull/4242");
    // The run the entry names (completed, with the PR), not the task's later run.
    e.assert_fields(&[
        (
            "Task",
            "Fix the flag bound",
            "[Fix the flag bound](<../tasks/7c000000-0000-4000-8000-000000000001.html>)",
        ),
        ("Kind", "Implementation", "Implementation"),
        ("Product", "signals", "signals"),
        (
            "Branch",
            "posthog-code/flag-bound",
            "`posthog-code/flag-bound`",
        ),
        ("Repository", "posthog/posthog", "`posthog/posthog`"),
        ("Run status", "Completed (build)", "**Completed (build)**"),
        (
            "Pull request",
            "posthog/posthog#4242, Status unavailable",
            &format!("[posthog/posthog#4242](<{pr}>), **Status unavailable**"),
        ),
    ]);
    e.assert_html_link("posthog/posthog#4242", &pr);
}

#[test]
fn task_run_early_relationship_shape() {
    let e = entry(0x112);
    e.assert_label("Task run");
    assert_eq!(
        e.count("p.notice"),
        0,
        "the early shape is read, not degraded"
    );
    e.assert_fields(&[
        (
            "Task",
            "Research the flag bound",
            "[Research the flag bound](<../tasks/7c000000-0000-4000-8000-000000000002.html>)",
        ),
        ("Kind", "Signals research", "Signals research"),
        ("Repository", "posthog/posthog", "`posthog/posthog`"),
    ]);
    // The task has no run, so no PR: the only link is the task's page.
    assert_eq!(
        e.html_links(),
        [(
            "Research the flag bound".to_string(),
            "../tasks/7c000000-0000-4000-8000-000000000002.html".to_string()
        )]
    );
}

#[test]
fn note() {
    let e = entry(0x113);
    e.assert_label("Note added");
    e.assert_prose("Checked the EU cluster too.", "EU");
    assert_eq!(e.all("article > p"), ["— Ana"]);
    e.assert_md("\n— Ana\n");
}

#[test]
fn title_change() {
    let e = entry(0x114);
    e.assert_label("Title edited");
    assert_eq!(e.all("dl.change > dt"), ["Before", "After"]);
    assert_eq!(
        e.all("dl.change > dd"),
        ["Flags misbehave at 50%", "Flag bound is exclusive"]
    );
    e.assert_md(
        "**Before:**\n\n> Flags misbehave at 50%\n\n**After:**\n\n> Flag bound is exclusive\n",
    );
}

#[test]
fn summary_change() {
    let e = entry(0x115);
    e.assert_label("Summary edited");
    assert_eq!(
        e.all("dl.change > dd"),
        ["none", "Flags at exactly 50% roll out to nobody."]
    );
    assert_eq!(e.all("dl.change strong"), ["nobody"]);
    e.assert_md(
        "**Before:**\n\n_none_\n\n**After:**\n\n> Flags at exactly 50% roll out to **nobody**.\n",
    );
}

#[test]
fn code_review() {
    let e = entry(0x116);
    e.assert_label("Code review");
    let pr = format!("{GITHUB}/pull/4242");
    let review = format!("{pr}#pullrequestreview-1");
    e.assert_fields(&[
        (
            "Review report",
            "Rollout percentages drift",
            &format!("[Rollout percentages drift](<{R2}.md>)"),
        ),
        ("Outcome", "Published on GitHub", "Published on GitHub"),
        ("Repository", "posthog/posthog", "`posthog/posthog`"),
        (
            "Branches",
            "posthog-code/flag-bound → master",
            "`posthog-code/flag-bound → master`",
        ),
        ("Head", "0123456789abcdef", "`0123456789abcdef`"),
        ("PR number", "#4242", "\\#4242"),
        (
            "Pull request",
            "posthog/posthog#4242",
            &format!("[posthog/posthog#4242](<{pr}>)"),
        ),
        (
            "Review",
            "View review",
            &format!("[View review](<{review}>)"),
        ),
        (
            "Findings",
            "1 must fix, 2 should fix, 3 to consider",
            "1 must fix, 2 should fix, 3 to consider",
        ),
    ]);
    e.assert_html_link("Rollout percentages drift", &format!("{R2}.html"));
}

#[test]
fn related_to() {
    let e = entry(0x117);
    e.assert_label("Related report");
    e.assert_fields(&[(
        "Related to",
        "Rollout percentages drift",
        &format!("[Rollout percentages drift](<{R2}.md>)"),
    )]);
    e.assert_html_link("Rollout percentages drift", &format!("{R2}.html"));
}

#[test]
fn report_link_to_a_report_in_the_archive() {
    let e = entry(0x118);
    e.assert_label("Report linked");
    e.assert_fields(&[(
        "Depends on",
        "Rollout percentages drift",
        &format!("[Rollout percentages drift](<{R2}.md>)"),
    )]);
    e.assert_html_link("Rollout percentages drift", &format!("{R2}.html"));
    e.assert_prose("Same evaluator", "evaluator");
    assert!(site().contains_key(&format!("reports/{R2}.html")));
}

#[test]
fn report_link_to_a_report_not_in_the_archive() {
    let e = entry(0x119);
    e.assert_label("Report linked");
    e.assert_fields(&[(
        "Duplicate of",
        &format!("report {ABSENT} (not in this archive)"),
        &format!("report `{ABSENT}` (not in this archive)"),
    )]);
    assert_eq!(e.html_links(), [], "no link to a page that does not exist");
    // The only Markdown link is the attribution's.
    assert!(
        e.md_fields().iter().all(|(_, v)| !v.contains("](")),
        "{}",
        e.md
    );
    assert!(!site().contains_key(&format!("reports/{ABSENT}.html")));
}

#[test]
fn work_claim() {
    let e = entry(0x11a);
    e.assert_label("Work claimed");
    e.assert_fields(&[("Claimed by", "Ana Ruiz", "Ana Ruiz")]);
}

#[test]
fn work_release() {
    let e = entry(0x11b);
    e.assert_label("Work released");
    e.assert_fields(&[("Reason", "Taken over", "Taken over")]);
}

#[test]
fn pull_request() {
    let e = entry(0x11c);
    // PostHog's title: "PR #41 linked".
    e.assert_label("PR #4250 linked");
    let pr = format!("{GITHUB}/pull/4250");
    e.assert_fields(&[
        (
            "Pull request",
            "posthog/posthog#4250",
            &format!("[posthog/posthog#4250](<{pr}>)"),
        ),
        ("State", "Status unavailable", "**Status unavailable**"),
    ]);
    e.assert_html_link("posthog/posthog#4250", &pr);
}

#[test]
fn check_result() {
    let e = entry(0x11d);
    e.assert_label("Follow-up check");
    e.assert_badges(&["No longer holds"]);
    e.assert_fields(&[
        (
            "Check",
            "Flag errors after deploy",
            "Flag errors after deploy",
        ),
        ("Kind", "Error rate", "Error rate"),
        ("Check id", "chk-1", "`chk-1`"),
        ("Observed", "12.5", "12\\.5"),
        ("Baseline", "3", "3"),
        ("Threshold", "<= 5", "&lt;= 5"),
        ("Run", "run-77", "`run-77`"),
    ]);
    e.assert_prose("Errors doubled", "doubled");
}

#[test]
fn check_scheduled() {
    let e = entry(0x11e);
    e.assert_label("Follow-up check scheduled");
    e.assert_fields(&[
        ("Check", "Watch flag errors", "Watch flag errors"),
        ("Kind", "Error rate", "Error rate"),
        ("Check id", "chk-2", "`chk-2`"),
        ("Next run", "6 Oct 2026, 09:30 UTC", "6 Oct 2026, 09:30 UTC"),
        ("Arms on resolve", "yes", "yes"),
        ("Soak", "30 minutes", "30 minutes"),
        ("Runs", "3", "3"),
        ("Skill", "watch-errors", "watch-errors"),
    ]);
    e.assert_prose("Confirm the fix holds", "fix");
}

#[test]
fn check_expired() {
    let e = entry(0x11f);
    e.assert_label("Follow-up check expired");
    e.assert_fields(&[
        ("Check", "Watch p95 latency", "Watch p95 latency"),
        ("Kind", "Latency", "Latency"),
        ("Check id", "chk-3", "`chk-3`"),
        (
            "Expired at",
            "5 Oct 2026, 09:31 UTC",
            "5 Oct 2026, 09:31 UTC",
        ),
        ("Never ran", "no", "no"),
        ("Last run", "5 Oct 2026, 08:00 UTC", "5 Oct 2026, 08:00 UTC"),
    ]);
}

#[test]
fn check_cancelled() {
    let e = entry(0x120);
    e.assert_label("Follow-up check cancelled");
    e.assert_fields(&[
        ("Check", "Watch rollout", "Watch rollout"),
        ("Kind", "Error rate", "Error rate"),
        ("Check id", "chk-4", "`chk-4`"),
        (
            "Reason",
            "Stopped from the report before it could settle",
            "Stopped from the report before it could settle",
        ),
    ]);
}

#[test]
fn implementation_replacement() {
    let e = entry(0x121);
    e.assert_label("PR replacement started");
    let decision = "PR #4242 assessed (5 Oct 2026, 09:10 UTC)";
    let href = format!("#a-{}", id(0x10a));
    e.assert_fields(&[
        ("Decision", decision, &format!("[{decision}](<{href}>)")),
        (
            "Run",
            "7d000000-0000-4000-8000-000000000003",
            "`7d000000-0000-4000-8000-000000000003`",
        ),
    ]);
    e.assert_html_link(decision, &href);
    // The embedded decision.
    e.assert_badges(&["Still the right fix"]);
    e.assert_prose("Keep the open PR", "");
}

#[test]
fn implementation_handover() {
    let e = entry(0x122);
    e.assert_label("PR replacement needs attention");
    let replacement = "PR replacement started (5 Oct 2026, 09:33 UTC)";
    let href = format!("#a-{}", id(0x121));
    e.assert_fields(&[
        (
            "Replacement",
            replacement,
            &format!("[{replacement}](<{href}>)"),
        ),
        ("Status", "Needs attention", "**Needs attention**"),
        ("Attempt", "1", "1"),
    ]);
    e.assert_html_link(replacement, &href);
    let (old, new) = (format!("{GITHUB}/pull/4242"), format!("{GITHUB}/pull/4250"));
    assert_eq!(
        e.all("ul > li"),
        [
            "Replacement PR, posthog/posthog#4250, Status unavailable".to_string(),
            "Previous PR, posthog/posthog#4242, Status unavailable, Already closed at replacement"
                .to_string(),
        ]
    );
    e.assert_html_link("posthog/posthog#4242", &old);
    e.assert_html_link("posthog/posthog#4250", &new);
    e.assert_md(&format!(
        "- Previous PR, [posthog/posthog#4242](<{old}>), **Status unavailable**, **Already closed at replacement**\n"
    ));
    e.assert_md(&format!(
        "- Replacement PR, [posthog/posthog#4250](<{new}>), **Status unavailable**\n"
    ));
    e.assert_prose("The old PR was already closed", "already");
}

// --- legacy types

#[test]
fn code_diff() {
    let e = entry(0x123);
    e.assert_label("Code diff");
    e.assert_prose("Where the bound was added", "bound");
    // The file is named once, by the diff's own title (no "File" field, header lines folded).
    e.assert_fields(&[]);
    assert_eq!(e.count("details.header[open]"), 0);
    assert_eq!(e.one("p.diffstat"), "1 file changed, +1 −1");
    assert_eq!(
        e.all("details.file > summary"),
        ["posthog/api/flags.py +1 −1"]
    );
    assert_eq!(
        e.diff_rows(0),
        [
            row("ctx", "7", "7", "", "def bound():"),
            row("del", "8", "", "-", "    return 50"),
            row("add", "", "8", "+", "    return 49"),
        ]
    );
    assert_eq!(e.all("pre.diff del mark"), ["50"]);
    assert_eq!(e.all("pre.diff ins mark"), ["49"]);
    e.assert_md(
        "<details><summary>posthog/api/flags.py +1 −1</summary>\n\n```diff\n\
         --- a/posthog/api/flags.py\n+++ b/posthog/api/flags.py\n@@ -7,2 +7,2 @@\n def bound():\n-    return 50\n+    return 49\n```\n\n</details>",
    );
}

#[test]
fn line_reference_with_contents() {
    let e = entry(0x124);
    e.assert_label("Line highlighted");
    e.assert_prose("The Rust twin", "Rust");
    let link = blob("rust/flags/src/eval.rs", "L88-L89");
    assert_eq!(e.one("figcaption"), "rust/flags/src/eval.rs lines 88–89");
    e.assert_html_link("rust/flags/src/eval.rs", &link);
    assert_eq!(e.code_numbers(), ["88", "89"]);
    assert_eq!(e.code_lines(), ["if pct > 50 {", "    return false;"]);
    e.assert_token("if", &["k"]);
    e.assert_md_link("`rust/flags/src/eval.rs`", &link);
    assert_eq!(
        e.md_fence(),
        (
            "rust".to_string(),
            "if pct > 50 {\n    return false;".to_string()
        )
    );
}

#[test]
fn line_reference_without_contents() {
    let e = entry(0x125);
    e.assert_label("Line highlighted");
    e.assert_prose("look here", "");
    let link = blob("a.py", "L10");
    e.assert_fields(&[("Line", "a.py:10", &format!("[a.py:10](<{link}>)"))]);
    e.assert_html_link("a.py:10", &link);
    assert_eq!(e.count("figure.code"), 0);
    assert!(!e.md.contains("```"), "{}", e.md);
}

#[test]
fn pushed_branch() {
    let e = entry(0x126);
    e.assert_label("Branch pushed");
    e.assert_fields(&[
        ("Repository", "PostHog/posthog", "`PostHog/posthog`"),
        ("Branch", "fix/foo", "`fix/foo`"),
        ("Base", "master", "`master`"),
        ("Head", "abc123f", "`abc123f`"),
    ]);
    e.assert_prose("Pushed without a PR", "PR");
}

#[test]
fn autostart_skip() {
    let e = entry(0x128);
    // PostHog's header and reason label (`artefactTypes.ts`).
    e.assert_label("Work not started");
    e.assert_badges(&["Waiting on a dependency"]);
    e.assert_fields(&[(
        "Related report",
        "Rollout percentages drift",
        "[Rollout percentages drift](<03000000-0000-7000-8000-000000000002.md>)",
    )]);
    e.assert_prose("Waits for the schema change.", "schema");
}

#[test]
fn ranking_score() {
    let e = entry(0x129);
    e.assert_label("Ranking scored");
    e.assert_fields(&[
        ("Served model", "rank-v3", "`rank-v3`"),
        ("Scored", "5 Oct 2026, 09:41 UTC", "5 Oct 2026, 09:41 UTC"),
        ("Manifest version", "3", "`3`"),
    ]);
    // Each model's result: served first by key order, heads by lift.
    assert_eq!(
        e.all("ul > li"),
        [
            "rank-v2, Skipped, ranker@2, roles: challenger, skipped: no embedding",
            "rank-v3, Served, Scored, ranker@3, roles: served, urgent 0.2 (lift 2), actionable 0.5 (lift 1.25)",
        ]
    );
}

#[test]
fn impact_measurement_plan() {
    let e = entry(0x12a);
    e.assert_label("Impact measurement plan");
    assert_eq!(e.count("p.notice"), 0, "typed, not generic");
    e.assert_fields(&[
        ("Metric", "Flag errors per day", "Flag errors per day"),
        ("Metric id", "m-1", "`m-1`"),
        ("Kind", "Trend", "Trend"),
        ("Goal", "at most 5 per interval", "at most 5 per interval"),
        ("Decision window", "14 days", "14 days"),
        ("Activated", "yes", "yes"),
        (
            "Query",
            r#"{"kind":"TrendsQuery"}"#,
            r#"`{"kind":"TrendsQuery"}`"#,
        ),
    ]);
    // PostHog deleted these (migration 0162): shown, muted, with why.
    assert!(e.one("p.muted").contains("migration 0162"));
}

#[test]
fn unknown_type() {
    let e = entry(0x127);
    e.assert_label("Dreaming briefing");
    assert_eq!(
        e.one("p.notice"),
        "Unknown entry type \"dreaming_briefing\": shown generically."
    );
    e.assert_md("> **Notice:** Unknown entry type \"dreaming\\_briefing\": shown generically.\n");
    e.assert_fields(&[
        ("Headline", "Nightly briefing", "Nightly briefing"),
        ("Items", "[1,2]", "`[1,2]`"),
    ]);
}

// --- highlighting

#[test]
fn code_is_highlighted_per_language_with_its_line_numbers() {
    type Case<'a> = (
        u32,
        &'a str,
        i64,
        i64,
        &'a str,
        &'a [(&'a str, &'a [&'a str])],
    );
    let cases: [Case; 5] = [
        (
            0x10e,
            "posthog/flags.py",
            40,
            42,
            "python",
            &[("def", &["k"]), ("return", &["k"]), ("50", &["n"])],
        ),
        (
            0x130,
            "rust/flags/src/eval.rs",
            7,
            9,
            "rust",
            &[
                ("pub", &["k"]),
                ("fn", &["k"]),
                ("u32", &["k"]),
                ("// \"sum\"", &["c"]),
            ],
        ),
        (
            0x131,
            "frontend/src/lib/rollout.ts",
            120,
            122,
            "typescript",
            &[("export", &["k"]), ("function", &["k"]), ("number", &["t"])],
        ),
        (
            0x132,
            "frontend/src/Badge.tsx",
            3,
            5,
            "tsx",
            &[("const", &["k"]), ("span", &["g"]), ("className", &["a"])],
        ),
        (
            0x133,
            "rust/Cargo.toml",
            1,
            3,
            "toml",
            &[("package", &["f"]), ("name", &["g"]), ("\"flags\"", &["s"])],
        ),
    ];
    for (n, path, start, end, lang, tokens) in cases {
        let e = entry(n);
        let numbers: Vec<String> = (start..=end).map(|n| n.to_string()).collect();
        assert_eq!(e.code_numbers(), numbers, "{path}");
        assert_eq!(
            e.one("figcaption"),
            format!("{path} lines {start}–{end}"),
            "{path}"
        );
        e.assert_html_link(path, &blob(path, &format!("L{start}-L{end}")));
        for (token, classes) in tokens {
            e.assert_token(token, classes);
        }
        let (fence_lang, body) = e.md_fence();
        assert_eq!(fence_lang, lang, "{path}");
        assert_eq!(body.lines().count() as i64, end - start + 1, "{path}");
        assert_eq!(body.lines().collect::<Vec<_>>(), e.code_lines(), "{path}");
        e.assert_md(&format!("lines {start}–{end}\n"));
    }
}

#[test]
fn code_with_an_unknown_extension_is_plain_escaped_text() {
    let e = entry(0x134);
    assert_eq!(e.code_numbers(), ["5", "6"]);
    assert_eq!(
        e.code_lines(),
        ["if a < b && c > \"d\" then", "  fn <b>bold</b>"]
    );
    assert_eq!(e.count("figure.code pre span"), 0, "no highlighting spans");
    assert_eq!(e.count("figure.code pre b"), 0, "the code's markup is text");
    let html = page(R1, "html");
    assert!(html.contains(r#"<i data-n=6></i>  fn &lt;b&gt;bold&lt;/b&gt;"#));
    e.assert_html_link("notes/plan.weird", &blob("notes/plan.weird", "L5-L6"));
    assert_eq!(
        e.md_fence(),
        (
            "text".to_string(),
            "if a < b && c > \"d\" then\n  fn <b>bold</b>".to_string()
        )
    );
}

// --- coverage

/// Every type of the schema document (§3 and its legacy list) has an entry in the fixture,
/// and every entry is on the page under its own type.
#[test]
fn the_fixture_covers_every_type_of_the_schema() {
    let rows = fixture_rows(FIXTURE, "signals_signalreportartefact");
    for ty in TYPES {
        assert!(
            rows.iter().any(|r| str_of(r, "type") == ty),
            "no {ty} entry in the fixture"
        );
    }
    for row in &rows {
        let (report, id, ty) = (
            str_of(row, "report_id"),
            str_of(row, "id"),
            str_of(row, "type"),
        );
        let doc = Html::parse_document(page(report, "html"));
        let article = doc
            .select(&sel(&format!("article#a-{id}")))
            .next()
            .unwrap_or_else(|| panic!("{id} is not on {report}.html"));
        assert_eq!(article.value().attr("data-type"), Some(ty));
        assert!(page(report, "md").contains(&format!("<a id=\"a-{id}\"></a>")));
        if TYPES.contains(&ty) {
            assert_eq!(
                article.select(&sel("p.notice")).count(),
                0,
                "{id} ({ty}) is read, not degraded"
            );
        }
    }
}

// =============================================================================================
// Issue 12: highlighting work is bounded per snippet, and a diff is shown whole.
//
// `fixtures/costly.toml` (with runs of 1,999 spaces put in by `costly::site`): a snippet too
// costly to highlight is shown plain under a notice naming its costliest line and why, with
// every character and line number kept, while ordinary code is highlighted as before; the
// build finishes (what was 11 s a line), and nothing here measures time. A hunk followed by
// more lines than its header counts shows them, in order, in the HTML page and the Markdown
// document, with a notice in the page. Then property tests of the diff parser and renderer on
// diff-shaped text: no panic, output within a fixed multiple of the input, every line shown.
// =============================================================================================

mod costly {
    use super::*;

    const FIXTURE: &str = include_str!("../fixtures/costly.toml");
    const REPORT: &str = "0e000000-0000-7000-8000-000000000001";

    fn spaces() -> String {
        " ".repeat(1999)
    }

    /// 1,999 spaces and an `x`: the line of the issue.
    fn costly_line() -> String {
        format!("{}x", spaces())
    }

    fn site() -> &'static BTreeMap<String, String> {
        static SITE: OnceLock<BTreeMap<String, String>> = OnceLock::new();
        SITE.get_or_init(|| {
            let scratch = Scratch::new("types-costly");
            let fixture = FIXTURE.replace("%SPACES%", &spaces());
            let db = sqlite_archive(&scratch.path("a.sqlite"), &fixture);
            let out = scratch.path("out");
            build(Some(&db), &out, &[]);
            tree(&out)
                .into_iter()
                .map(|(path, bytes)| (path, String::from_utf8(bytes).expect("UTF-8 output")))
                .collect()
        })
    }

    fn page(ext: &str) -> &'static str {
        let path = format!("reports/{REPORT}.{ext}");
        site()
            .get(&path)
            .unwrap_or_else(|| panic!("{path} not written"))
    }

    /// Entry `0e000000-0000-7000-8000-000000000NNN`, as in [`super::entry_in`].
    fn entry(n: u32) -> Entry {
        let id = format!("0e000000-0000-7000-8000-{n:012x}");
        let doc = Html::parse_document(page("html"));
        let article = doc
            .select(&sel(&format!("article#a-{id}")))
            .next()
            .unwrap_or_else(|| panic!("no article#a-{id}"))
            .html();
        let md = page("md");
        let anchor = format!("<a id=\"a-{id}\"></a>\n");
        let start = md
            .find(&anchor)
            .unwrap_or_else(|| panic!("no anchor a-{id}"))
            + anchor.len();
        let rest = &md[start..];
        let end = rest.find("<a id=\"a-").unwrap_or(rest.len());
        Entry {
            id,
            html: Html::parse_fragment(&article),
            md: rest[..end].to_string(),
        }
    }

    /// The stored diff of a commit entry, with its runs put in.
    fn stored_diff(n: u32) -> String {
        let id = format!("0e000000-0000-7000-8000-{n:012x}");
        let fixture = FIXTURE.replace("%SPACES%", &spaces());
        let rows = fixture_rows(&fixture, "signals_signalreportartefact");
        let row = rows
            .iter()
            .find(|r| str_of(r, "id") == id)
            .unwrap_or_else(|| panic!("no row {id}"));
        row.get("content")
            .and_then(|c| c.get("diff"))
            .and_then(|d| d.as_str())
            .unwrap_or_else(|| panic!("no diff in {id}"))
            .to_string()
    }

    /// Each of `lines` is found in `text` after the one before it.
    fn assert_in_order(text: &str, lines: &[&str], context: &str) {
        let mut at = 0;
        for line in lines {
            match text[at..].find(line) {
                Some(i) => at += i + line.len(),
                None => panic!("{context}: {line:?} missing or out of order in:\n{text}"),
            }
        }
    }

    #[test]
    fn a_line_of_1999_spaces_is_shown_plain_with_a_notice_as_ini_and_systemverilog() {
        for (n, path) in [(0x101, "conf/settings.ini"), (0x102, "rtl/core.sv")] {
            let e = entry(n);
            assert_eq!(e.one("figcaption"), format!("{path} line 1"));
            assert_eq!(
                e.one("figure.code p.notice"),
                "Shown without syntax highlighting: too costly to highlight (line 1 has a run of 1,999 spaces).",
                "{path}"
            );
            assert_eq!(
                e.count("figure.code pre span"),
                0,
                "{path}: no highlighting spans"
            );
            assert_eq!(e.code_numbers(), ["1"], "{path}");
            assert_eq!(e.code_lines(), [costly_line()], "{path}: every space kept");
            assert_eq!(e.md_fence().1, costly_line(), "{path}");
        }
    }

    #[test]
    fn five_costly_lines_make_the_snippet_plain_with_every_line_kept() {
        let e = entry(0x103);
        assert_eq!(
            e.one("figure.code p.notice"),
            "Shown without syntax highlighting: too costly to highlight (line 11 has a run of 1,999 spaces)."
        );
        assert_eq!(e.count("figure.code pre span"), 0);
        assert_eq!(e.code_numbers(), ["10", "11", "12", "13", "14", "15", "16"]);
        let mut lines = vec!["[section] ; <b>first</b>".to_string()];
        lines.extend(std::iter::repeat_n(costly_line(), 5));
        lines.push("key = \"value\"".to_string());
        assert_eq!(e.code_lines(), lines);
        assert_eq!(e.count("figure.code pre b"), 0, "the code's markup is text");
        assert_eq!(e.md_fence().1, lines.join("\n"));
    }

    #[test]
    fn ordinary_ini_is_highlighted_without_a_notice() {
        let e = entry(0x104);
        assert_eq!(e.count("p.notice"), 0);
        assert!(
            e.count("figure.code pre span[class]") > 0,
            "highlighted: {:?}",
            e.code_lines()
        );
        assert_eq!(
            e.code_lines(),
            ["[flags]", "; rollout bound", "rollout_percentage = 50"]
        );
    }

    #[test]
    fn a_diff_file_too_costly_to_highlight_is_plain_and_the_next_one_is_not() {
        let e = entry(0x106);
        let files: Vec<ElementRef> = e.html.select(&sel("details.file")).collect();
        assert_eq!(files.len(), 2);
        let notices: Vec<String> = files[0].select(&sel("p.notice")).map(text).collect();
        assert_eq!(
            notices,
            [
                "Shown without syntax highlighting: too costly to highlight (line 2 of the old file has a run of 1,999 spaces)."
            ]
        );
        assert_eq!(
            files[0]
                .select(&sel("pre.diff code > * span[class]"))
                .count(),
            0
        );
        assert_eq!(
            e.diff_rows(0),
            [
                row("ctx", "1", "1", "", "[flags]"),
                row("del", "2", "", "-", &costly_line()),
                row("add", "", "2", "+", &format!("{}y", spaces())),
            ]
        );
        assert_eq!(files[1].select(&sel("p.notice")).count(), 0);
        assert!(files[1].select(&sel("pre.diff span[class]")).count() > 0);
        assert_in_order(
            &e.md,
            &[
                "@@ -1,2 +1,2 @@\n [flags]\n",
                &format!("-{}\n+{}y\n", costly_line(), spaces()),
            ],
            "Markdown",
        );
    }

    #[test]
    fn lines_past_a_hunks_counts_are_shown_with_a_notice() {
        let e = entry(0x105);
        // What the header counts, and only that, is counted as changes.
        assert_eq!(e.one("p.diffstat"), "2 files changed, +2 −2 · on GitHub");
        assert_eq!(
            e.diff_rows(0),
            [
                row("del", "1", "", "-", "limit = 50"),
                row("add", "", "1", "+", "limit = 49"),
                row(
                    "notice",
                    "",
                    "",
                    "",
                    "This hunk's header does not count every line: its header declares 1 old and 1 new lines, and 2 more diff lines follow; they are shown as written, not counted as changes."
                ),
                row("raw", "", "", "", "+hidden = \"<script>\"  # zqHIDDEN"),
                row("raw", "", "", "", " kept_as_context  # zqCONTEXT"),
            ]
        );
        assert_eq!(e.count("script"), 0, "the hidden line is text");
        // Text after a hunk that is not a diff line is kept as written, without a notice.
        assert_eq!(
            e.diff_rows(1),
            [
                row("del", "1", "", "-", "a = 1"),
                row("add", "", "1", "+", "a = 2"),
                row("raw", "", "", "", "Trailing words zqTRAILING"),
            ]
        );
        // The files' header lines as written.
        assert_eq!(
            e.all("details.file > details.header > pre.meta"),
            [
                "diff --git a/posthog/flags.py b/posthog/flags.py\nindex 1111111..2222222 100644\n--- a/posthog/flags.py\n+++ b/posthog/flags.py",
                "diff --git a/posthog/other.py b/posthog/other.py\nindex 3333333..4444444 100644\n--- a/posthog/other.py\n+++ b/posthog/other.py",
            ]
        );
        // Every stored line is on the page, in order.
        let diff = stored_diff(0x105);
        let lines: Vec<&str> = diff.lines().collect();
        // The page's text, each diff row with the marker its element stands for.
        let page_text: String = e
            .html
            .select(&sel("div.diff pre.meta, div.diff pre.diff > code > *"))
            .map(|el| {
                let marker = match el.value().name() {
                    "ins" => "+",
                    "del" => "-",
                    "span" if el.value().classes().next().is_none() => " ",
                    _ => "",
                };
                format!("{marker}{}\n", el.text().collect::<String>())
            })
            .collect();
        assert_in_order(&page_text, &lines, "HTML");
        // Every line of every hunk is in the Markdown document, in order.
        let hunk_lines: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| !l.starts_with("diff --git") && !l.starts_with("index "))
            .filter(|l| !l.starts_with("--- ") && !l.starts_with("+++ "))
            .collect();
        let with_ends: Vec<String> = hunk_lines.iter().map(|l| format!("{l}\n")).collect();
        let with_ends: Vec<&str> = with_ends.iter().map(String::as_str).collect();
        assert_in_order(&e.md, &with_ends, "Markdown");
    }

    /// The Markdown document says what the page says about a hunk's extra lines, and shows the
    /// files' header lines. Needs `render/markdown.rs` to print `FileDiff::notices()` and
    /// `FileDiff::header` (not this section's file).
    #[test]
    fn markdown_names_lines_past_a_hunks_counts_and_keeps_header_lines() {
        let e = entry(0x105);
        e.assert_md(
            "**Notice:** The hunk \\`@@ -1,1 +1,1 @@\\` does not count every line: its header declares 1 old and 1 new lines, and 2 more diff lines follow",
        );
        let diff = stored_diff(0x105);
        let lines: Vec<String> = diff.lines().map(|l| format!("{l}\n")).collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        assert_in_order(&e.md, &lines, "Markdown");
    }
}

mod diff_properties {
    use proptest::prelude::*;
    use proptest::test_runner::Config;
    use reportpress::render::code::diff_html;
    use reportpress::render::diff::{self, LineKind};
    use reportpress::render::text::escape_html;

    /// A diff's HTML is at most this many times its text's size plus [`SLACK`] (the box of an
    /// empty diff and one file): a one-byte line gets a row of fixed markup (about 95 bytes,
    /// 48 times a `+` and its newline), and a highlighted character at most a few nested spans
    /// (81 times for Python's alternating quotes, the most measured).
    const FACTOR: usize = 128;
    const SLACK: usize = 1024;

    /// One line of diff-shaped text: hunk headers (right, wrong and unreadable counts), `+`, `-`
    /// and ` ` lines, `\ No newline`, file headers, and anything else.
    fn line() -> impl Strategy<Value = String> {
        let count = || prop::option::of(0u8..5);
        prop_oneof![
            3 => (0u8..4, count(), 0u8..4, count(), "[a-z (]{0,6}").prop_map(|(a, b, c, d, s)| {
                let range = |start: u8, len: Option<u8>| match len {
                    Some(len) => format!("{start},{len}"),
                    None => start.to_string(),
                };
                format!("@@ -{} +{} @@{s}", range(a, b), range(c, d))
            }),
            8 => ("[-+ ]", "[ -~é\t😀]{0,16}").prop_map(|(m, t)| format!("{m}{t}")),
            1 => Just("\\ No newline at end of file".to_string()),
            1 => ("[a-z]{1,3}", "(rs|py|ini|txt)")
                .prop_map(|(n, e)| format!("diff --git a/{n}.{e} b/{n}.{e}")),
            1 => ("[a-z]{1,3}", "(rs|py|ini|txt)").prop_map(|(n, e)| format!("--- a/{n}.{e}")),
            1 => ("[a-z]{1,3}", "(rs|py|ini|txt)").prop_map(|(n, e)| format!("+++ b/{n}.{e}")),
            2 => prop_oneof![
                Just("--- /dev/null"),
                Just("+++ /dev/null"),
                Just("index 1111111..2222222 100644"),
                Just("new file mode 100644"),
                Just("rename from a b.py"),
                Just("Binary files a/x and b/x differ"),
                Just("-- "),
                Just("@@ nonsense @@"),
                Just(""),
            ]
            .prop_map(str::to_string),
            1 => "\\PC{0,20}",
        ]
    }

    /// Lines ended by `\n` or `\r\n`, the last one with or without.
    fn diff_text() -> impl Strategy<Value = String> {
        diff_text_of(0..48)
    }

    fn diff_text_of(lines: std::ops::Range<usize>) -> impl Strategy<Value = String> {
        (
            prop::collection::vec((line(), any::<bool>()), lines),
            any::<bool>(),
        )
            .prop_map(|(lines, last)| {
                let mut text = String::new();
                let n = lines.len();
                for (i, (line, crlf)) in lines.into_iter().enumerate() {
                    text.push_str(&line);
                    if i + 1 < n || last {
                        text.push_str(if crlf { "\r\n" } else { "\n" });
                    }
                }
                text
            })
    }

    /// The text's lines as the parser reads them: split at `\n`, one `\r` before it dropped.
    fn lines(text: &str) -> Vec<&str> {
        let body = text.strip_suffix('\n').unwrap_or(text);
        if text.is_empty() {
            return Vec::new();
        }
        body.split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect()
    }

    /// HTML without its tags: the text a reader sees, still escaped; a diff row's marker (the
    /// stylesheet shows it from the row's element) as text.
    fn visible(html: &str) -> String {
        let html = html
            .replace("<ins><i", "+<i")
            .replace("<del><i", "-<i")
            .replace("<span><i", " <i");
        let mut out = String::with_capacity(html.len());
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }

    fn check(text: &str) -> Result<(), TestCaseError> {
        // The parse gives back every line, in order, each in one place.
        let patch = diff::parse(text);
        let mut parsed: Vec<String> = patch.preamble.clone();
        for file in &patch.files {
            parsed.extend(file.header.iter().cloned());
            for hunk in &file.hunks {
                parsed.push(hunk.header.clone());
                for line in &hunk.lines {
                    parsed.push(format!("{}{}", line.kind.marker(), line.text));
                }
            }
        }
        let want = lines(text);
        prop_assert_eq!(parsed.len(), want.len(), "{:?}", text);
        for (got, want) in parsed.iter().zip(&want) {
            // An empty line read as context is ` ` plus its (empty) text.
            prop_assert!(
                got == want || (want.is_empty() && got == " "),
                "{got:?} for {want:?}"
            );
        }
        let lines_of = |kind: LineKind| {
            patch
                .files
                .iter()
                .flat_map(|f| &f.hunks)
                .filter(|h| h.malformed.is_none())
                .flat_map(|h| &h.lines)
                .filter(|l| l.kind == kind)
                .count()
        };
        let additions: usize = patch.files.iter().map(|f| f.additions).sum();
        prop_assert_eq!(additions, lines_of(LineKind::Added));

        // The page shows every line, in order, escaped, within the bound.
        let html = diff_html(text, None);
        prop_assert!(
            html.len() <= FACTOR * text.len() + SLACK,
            "{} bytes of HTML for {} of text",
            html.len(),
            text.len()
        );
        let seen = visible(&html);
        let mut at = 0;
        // Lines of whitespace alone show nothing (a preamble of only those is left out).
        for line in want.into_iter().filter(|l| !l.trim().is_empty()) {
            let escaped = escape_html(line);
            match seen[at..].find(&escaped) {
                Some(i) => at += i + escaped.len(),
                None => prop_assert!(false, "{line:?} missing or out of order in {seen:?}"),
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(Config {
            cases: 2000,
            failure_persistence: None,
            ..Config::default()
        })]

        /// Diff-shaped text: parsed losslessly, rendered whole and within the bound.
        #[test]
        fn diff_shaped_text_is_shown_whole(text in diff_text()) {
            check(&text)?;
        }

        /// Any text at all.
        #[test]
        fn any_text_is_shown_whole(text in any::<String>()) {
            check(&text)?;
        }
    }

    proptest! {
        // Thousands of lines: where a cost or size growing faster than the input would show.
        #![proptest_config(Config {
            cases: 40,
            failure_persistence: None,
            ..Config::default()
        })]

        #[test]
        fn long_diff_shaped_text_is_shown_whole(text in diff_text_of(1000..3000)) {
            check(&text)?;
        }
    }

    #[test]
    fn the_issue_s_diff_is_shown_whole() {
        check("--- a/x.py\n+++ b/x.py\n@@ -1,1 +1,1 @@\n-a\n+b\n+hidden\n c\n")
            .expect("shown whole");
    }
}
