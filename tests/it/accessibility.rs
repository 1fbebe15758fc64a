//! Accessibility and layout, checked in headless Chromium from `file://`, and the state colours,
//! computed from the stylesheet:
//!
//! - axe-core (npm `axe-core`, installed into `target/npm` on first use) with the WCAG 2 A and AA
//!   rules finds no serious or critical violation on the index, the richest report, a task page,
//!   a person page and the self-contained HTML export, in light and in dark, at a 390 px phone
//!   width and at 1280 px;
//! - none of those pages scrolls sideways at 390 px;
//! - every state family (report statuses, priorities, check outcomes, PR states) has one colour
//!   per value, and each colour's text meets 4.5:1 on its background, light and dark.
//!
//! Headless Chromium will not make a window narrower than 500 px, so each page is opened in an
//! `<iframe>` of the width wanted (its media queries see the frame's width), from a harness page
//! that loads axe-core into the frame once it has loaded and writes what it found into the DOM
//! Chromium dumps. The light/dark preference is Chromium's (`--blink-settings`), and the test
//! checks that the frame saw the scheme it asked for.

use std::path::{Path, PathBuf};

use crate::common::*;
use reportpress::model::PrState;
use reportpress::render::classify::Tone;
use scraper::{Html, Selector};

const PHONE: u32 = 390;
const DESKTOP: u32 = 1280;

// ---- axe-core ----------------------------------------------------------------------------------

/// `target/npm/node_modules/axe-core/axe.min.js`, installed with npm when missing. `None` (the
/// test skips) only when neither the file nor npm is there and Chromium is not required.
fn axe_core(test: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/npm");
    let script = root.join("node_modules/axe-core/axe.min.js");
    if script.is_file() {
        return Some(script);
    }
    std::fs::create_dir_all(&root).expect("target/npm");
    let installed = std::process::Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
        .arg(&root)
        .arg("axe-core@4")
        .status()
        .is_ok_and(|s| s.success());
    if installed && script.is_file() {
        return Some(script);
    }
    let required = std::env::var(REQUIRE_ENV).is_ok_and(|v| !v.trim().is_empty());
    assert!(
        !required,
        "{REQUIRE_ENV} is set but axe-core could not be installed: run `npm install --prefix \
         target/npm axe-core@4` (needs npm and the npm registry)"
    );
    eprintln!("skipped {test}: axe-core is not installed and npm could not install it");
    None
}

fn file_url(path: &Path) -> String {
    url::Url::from_file_path(path)
        .expect("absolute path")
        .to_string()
}

/// The harness: every page in a frame per width (one Chromium start per theme, not per page);
/// axe-core loaded into each frame and run with the WCAG 2 A/AA tags; the results, the page, the
/// scheme the frame saw and its widths written as JSON into `<pre id="result">`.
fn harness(pages: &[(&str, PathBuf)], axe: &Path) -> String {
    let frames: String = pages
        .iter()
        .flat_map(|(what, page)| [PHONE, DESKTOP].map(|w| (what, page, w)))
        .map(|(what, page, w)| {
            format!(
                r#"<iframe data-what="{what}" data-width="{w}" src="{}" style="width:{w}px;height:900px;border:0"></iframe>"#,
                file_url(page)
            )
        })
        .collect();
    format!(
        r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>axe</title></head><body>{frames}
<script>
var AXE = {axe:?};
function check(frame) {{
  return new Promise(function (done) {{
    var w = frame.contentWindow, d = frame.contentDocument;
    var s = d.createElement("script");
    s.src = AXE;
    s.onerror = function () {{ done({{ what: frame.dataset.what, width: +frame.dataset.width, error: "axe-core did not load" }}); }};
    s.onload = function () {{
      var root = d.documentElement;
      // What sticks out on the right, for the failure message.
      var wide = Array.prototype.slice.call(d.querySelectorAll("body *")).filter(function (e) {{
        return e.getBoundingClientRect().right > root.clientWidth + 1;
      }}).slice(0, 8).map(function (e) {{
        return e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
          (e.className && e.className.baseVal === undefined ? "." + String(e.className).split(" ").join(".") : "") +
          " (" + Math.round(e.getBoundingClientRect().right) + "px)";
      }});
      var seen = {{
        what: frame.dataset.what,
        width: +frame.dataset.width,
        dark: w.matchMedia("(prefers-color-scheme: dark)").matches,
        scrollWidth: root.scrollWidth,
        clientWidth: root.clientWidth,
        wide: wide
      }};
      w.axe.run({{ include: [d], exclude: [] }}, {{
          runOnly: {{ type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }},
          rules: {{ "color-contrast": {{ enabled: true }} }},
          resultTypes: ["violations"] }}).then(function (r) {{
        seen.violations = r.violations.filter(function (v) {{
          return (v.impact === "serious" || v.impact === "critical") && v.nodes.length;
        }}).map(function (v) {{
          return {{ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map(function (n) {{
            return n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\s+/g, " ");
          }}) }};
        }});
        done(seen);
      }}, function (e) {{ seen.error = String(e); done(seen); }});
    }};
    d.head.appendChild(s);
  }});
}}
window.addEventListener("load", function () {{
  var frames = Array.prototype.slice.call(document.querySelectorAll("iframe"));
  Promise.all(frames.map(check)).then(function (all) {{
    var pre = document.createElement("pre");
    pre.id = "result";
    pre.textContent = JSON.stringify(all);
    document.body.appendChild(pre);
  }});
}});
</script></body></html>"##,
        axe = file_url(axe),
    )
}

#[derive(Debug, serde::Deserialize)]
struct Seen {
    what: String,
    width: u32,
    #[serde(default)]
    dark: bool,
    #[serde(default, rename = "scrollWidth")]
    scroll_width: u32,
    #[serde(default, rename = "clientWidth")]
    client_width: u32,
    #[serde(default)]
    wide: Vec<String>,
    #[serde(default)]
    violations: Vec<serde_json::Value>,
    #[serde(default)]
    error: Option<String>,
}

fn run(browser: &Path, harness: &Path, dark: bool) -> Vec<Seen> {
    let scratch = Scratch::new("axe-profile");
    let scheme = if dark { 0 } else { 1 };
    let dom = chromium_dump(
        browser,
        &file_url(harness),
        &scratch.path("profile"),
        &[
            "--allow-file-access-from-files".to_string(),
            // Phones draw scrollbars over the page, not beside it.
            "--hide-scrollbars".to_string(),
            format!("--blink-settings=preferredColorScheme={scheme}"),
            "--virtual-time-budget=30000".to_string(),
        ],
    );
    let doc = Html::parse_document(&dom);
    let pre = doc
        .select(&Selector::parse("pre#result").expect("selector"))
        .next()
        .unwrap_or_else(|| panic!("{}: axe-core wrote no result", harness.display()));
    let json: String = pre.text().collect();
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

/// The largest `.html` file of a folder (the page with the most on it), by name when equal.
fn largest(dir: &Path) -> PathBuf {
    let mut pages: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
        .expect("folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| (std::fs::metadata(&p).map_or(0, |m| m.len()), p))
        .collect();
    pages.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    pages.into_iter().next().expect("a page").1
}

#[test]
#[cfg_attr(
    no_chromium,
    ignore = "needs Chromium: apt-get install chromium, or set CHROMIUM=/path/to/chrome"
)]
fn pages_pass_axe_core_light_and_dark_and_never_scroll_sideways_on_a_phone() {
    let test = "pages_pass_axe_core_light_and_dark_and_never_scroll_sideways_on_a_phone";
    let Some(browser) = chromium(test) else {
        return;
    };
    let Some(axe) = axe_core(test) else {
        return;
    };
    let scratch = Scratch::new("axe");
    let site = scratch.path("site");
    build(None, &site, &[]);
    let report = largest(&site.join("reports"));
    let id = report
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("report id")
        .to_string();
    let export = scratch.path("export.html");
    let out = reportpress(&["export", &id, "--format", "html"]);
    assert!(out.status.success(), "export: {}", stderr(&out));
    std::fs::write(&export, &out.stdout).expect("export file");
    let pages = [
        ("index", site.join("index.html")),
        ("report", report),
        ("task", largest(&site.join("tasks"))),
        ("person", largest(&site.join("people"))),
        ("export", export),
    ];

    let wrapper = site.join("axe-harness.html");
    std::fs::write(&wrapper, harness(&pages, &axe)).expect("harness");
    let mut failures = Vec::new();
    for dark in [false, true] {
        let theme = if dark { "dark" } else { "light" };
        let seen = run(&browser, &wrapper, dark);
        assert_eq!(seen.len(), 2 * pages.len(), "{theme}: {seen:?}");
        for s in seen {
            let page = &pages
                .iter()
                .find(|(what, _)| *what == s.what)
                .expect("a page")
                .1;
            let at = format!("{} ({}), {theme}, {} px", s.what, page.display(), s.width);
            if let Some(e) = &s.error {
                failures.push(format!("{at}: {e}"));
                continue;
            }
            assert_eq!(
                s.dark, dark,
                "{at}: the frame did not see the {theme} scheme"
            );
            assert_eq!(s.client_width, s.width, "{at}: frame width");
            if s.width == PHONE && s.scroll_width > s.client_width {
                failures.push(format!(
                    "{at}: scrolls sideways ({} px wide): {:?}",
                    s.scroll_width, s.wide
                ));
            }
            for v in &s.violations {
                failures.push(format!("{at}: {v}"));
            }
        }
        eprintln!("axe-core: {theme}, every page at {PHONE} and {DESKTOP} px");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- State colours -------------------------------------------------------------------------------

/// `--name: #rrggbb` declarations of the stylesheet's light `:root` and of its dark one.
fn themes() -> [Vec<(String, String)>; 2] {
    let css = include_str!("../../static/style.css");
    let decls = |block: &str| -> Vec<(String, String)> {
        // Without comments (they may hold colons and semicolons).
        let mut text = String::new();
        let mut rest = block;
        while let Some(start) = rest.find("/*") {
            text.push_str(&rest[..start]);
            rest = rest[start..]
                .find("*/")
                .map_or("", |end| &rest[start + end + 2..]);
        }
        text.push_str(rest);
        text.split(';')
            .filter_map(|d| {
                let (name, value) = d.split_once(':')?;
                let name = name
                    .trim()
                    .rsplit(|c: char| c.is_whitespace() || c == '{')
                    .next()?;
                let value = value.trim();
                (name.starts_with("--") && value.starts_with('#'))
                    .then(|| (name.to_string(), value.to_string()))
            })
            .collect::<Vec<_>>()
    };
    let block_after = |at: usize| -> &str {
        let open = css[at..].find('{').expect("{") + at;
        let close = css[open..].find('}').expect("}") + open;
        &css[open + 1..close]
    };
    let light = block_after(css.find(":root").expect(":root"));
    let dark_at = css
        .find("@media (prefers-color-scheme: dark)")
        .expect("a dark theme");
    let dark = block_after(css[dark_at..].find(":root").expect("dark :root") + dark_at);
    [decls(light), decls(dark)]
}

fn rgb(hex: &str) -> [f64; 3] {
    let hex = hex.trim_start_matches('#');
    assert_eq!(hex.len(), 6, "#{hex}");
    let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex") as f64 / 255.0;
    [c(0), c(2), c(4)]
}

/// WCAG 2's contrast ratio.
fn contrast(a: &str, b: &str) -> f64 {
    let lum = |hex: &str| {
        let [r, g, b] = rgb(hex).map(|c| {
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        });
        0.2126 * r + 0.7152 * g + 0.0722 * b
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn statuses_priorities_checks_and_pr_states_have_distinct_colours_meeting_4_5_to_1() {
    let css = include_str!("../../static/style.css");
    let families: [(&str, Vec<(&str, Tone)>); 4] = [
        (
            "report status",
            [
                "potential",
                "candidate",
                "in_progress",
                "pending_input",
                "ready",
                "resolved",
                "failed",
                "suppressed",
            ]
            .map(|s| (s, Tone::report_status(s)))
            .to_vec(),
        ),
        (
            "priority",
            ["P0", "P1", "P2", "P3", "P4"]
                .map(|p| (p, Tone::priority(p)))
                .to_vec(),
        ),
        (
            "check result",
            ["passed", "failed", "errored"]
                .map(|c| (c, Tone::check(c)))
                .to_vec(),
        ),
        (
            "pull request",
            [
                ("open", PrState::Open),
                ("merged", PrState::Merged),
                ("closed", PrState::Closed),
                ("draft", PrState::Draft),
            ]
            .map(|(n, s)| (n, Tone::pr(s)))
            .to_vec(),
        ),
    ];
    for (theme, vars) in ["light", "dark"].iter().zip(themes()) {
        let var = |name: &str| -> &str {
            vars.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("{theme}: no {name} in static/style.css"))
        };
        for tone in Tone::ALL {
            let class = tone.class();
            assert!(
                css.contains(&format!(
                    ".{class} {{ color: var(--{class}); background: var(--{class}-bg);"
                )),
                "static/style.css: .{class} does not use --{class} and --{class}-bg"
            );
            let (fg, bg) = (var(&format!("--{class}")), var(&format!("--{class}-bg")));
            let ratio = contrast(fg, bg);
            assert!(
                ratio >= 4.5,
                "{theme}: {class} {fg} on {bg} is {ratio:.2}:1"
            );
            // The badge sits on the page and on panels: its background must differ from both,
            // or its text from the page's.
            assert!(
                contrast(fg, var("--bg")) >= 4.5,
                "{theme}: {class} on the page"
            );
        }
        for (family, values) in &families {
            let mut seen: Vec<(&str, (&str, &str))> = Vec::new();
            for (value, tone) in values {
                let class = tone.class();
                let colours = (var(&format!("--{class}")), var(&format!("--{class}-bg")));
                if let Some((other, _)) = seen.iter().find(|(_, c)| *c == colours) {
                    panic!("{theme}: {family} {value} has the colours of {other}: {colours:?}");
                }
                seen.push((value, colours));
            }
        }
    }
}

// ---- What a page answers at once -------------------------------------------------------------

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).expect("selector"))
        .collect()
}

fn text(e: scraper::ElementRef<'_>) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Bookkeeping PostHog's log gives no body of its own (see `render::classify::weight`).
const BOOKKEEPING: [&str; 7] = [
    "channel_assignment",
    "work_claim",
    "work_release",
    "implementation_dispatch",
    "check_scheduled",
    "check_expired",
    "check_cancelled",
];
/// What people and agents wrote for a reader: always a card.
const CARDS: [&str; 6] = [
    "note",
    "signal_finding",
    "code_reference",
    "commit",
    "priority_judgment",
    "title_change",
];

#[test]
fn every_page_has_a_skip_link_a_site_header_and_a_main_landmark() {
    let scratch = Scratch::new("landmarks");
    let site = scratch.path("site");
    build(None, &site, &[]);
    let mut pages = 0;
    for (path, full) in files(&site) {
        if !path.ends_with(".html") {
            continue;
        }
        pages += 1;
        let doc = Html::parse_document(&read(&full));
        let skip = select(&doc, "body > a.skip");
        assert_eq!(skip.len(), 1, "{path}: skip link");
        assert_eq!(skip[0].value().attr("href"), Some("#main"), "{path}");
        assert_eq!(select(&doc, "main#main").len(), 1, "{path}: <main id=main>");
        let home = select(&doc, "header.site > nav a.site-name");
        assert_eq!(home.len(), 1, "{path}: the site's name");
        assert_eq!(text(home[0]), "Signals reports", "{path}");
        let href = home[0].value().attr("href").expect("href");
        let target = full.parent().expect("folder").join(href);
        assert_eq!(
            target.canonicalize().ok(),
            site.join("index.html").canonicalize().ok(),
            "{path}: the site's name links {href}"
        );
        // The page's own headings follow the outline: one h1.
        assert_eq!(select(&doc, "h1").len(), 1, "{path}: <h1>");
    }
    assert!(pages > 20, "{pages} pages");
}

#[test]
fn report_pages_answer_state_urgency_who_pr_check_and_next_and_weigh_their_entries() {
    let scratch = Scratch::new("glance");
    let site = scratch.path("site");
    build(None, &site, &[]);
    let artefacts = fixture_rows(DEMO, "signals_signalreportartefact");
    let mut not_assessed = 0;
    let mut lines = 0;
    for report in fixture_rows(DEMO, "signals_signalreport") {
        let id = str_of(&report, "id");
        if str_of(&report, "status") == "deleted" {
            continue;
        }
        let page = read(&site.join(format!("reports/{id}.html")));
        let doc = Html::parse_document(&page);
        let labels: Vec<String> = select(&doc, ".glance dt").into_iter().map(text).collect();
        assert_eq!(
            labels,
            [
                "State",
                "Priority",
                "Actionability",
                "Safety",
                "Who",
                "Pull request",
                "Latest check",
                "Next"
            ],
            "{id}"
        );
        let answers: Vec<String> = select(&doc, ".glance dd").into_iter().map(text).collect();
        assert!(answers.iter().all(|a| !a.is_empty()), "{id}: {answers:?}");
        // The state, prominent and coloured; the priority as judged, or "Not assessed".
        let state = select(&doc, ".glance dd .badge.state");
        assert_eq!(state.len(), 1, "{id}: the state badge");
        assert!(
            state[0]
                .value()
                .attr("class")
                .is_some_and(|c| c.contains("tone-")),
            "{id}"
        );
        let own: Vec<&toml::Table> = artefacts
            .iter()
            .filter(|a| str_of(a, "report_id") == id)
            .collect();
        // Priority, actionability, safety: as judged, or "Not assessed" (never left out).
        for (answer, kind) in answers[1..4].iter().zip([
            "priority_judgment",
            "actionability_judgment",
            "safety_judgment",
        ]) {
            if own.iter().any(|a| str_of(a, "type") == kind) {
                assert_ne!(answer, "Not assessed", "{id}: {kind}");
            } else {
                assert_eq!(answer, "Not assessed", "{id}: {kind}");
                not_assessed += 1;
            }
        }
        // Bookkeeping is one line, what people and agents wrote a card; each entry has its
        // heading and says who wrote it for the filter, whose counts add up.
        let articles = select(&doc, "article.entry");
        // (Legacy task link rows add entries of their own.)
        assert!(articles.len() >= own.len(), "{id}: entries");
        let mut who = std::collections::BTreeMap::<String, usize>::new();
        for a in &articles {
            let kind = a.value().attr("data-type").unwrap_or_default();
            let line = a
                .value()
                .has_class("line", scraper::CaseSensitivity::CaseSensitive);
            let plain = !a
                .value()
                .has_class("muted-entry", scraper::CaseSensitivity::CaseSensitive)
                && a.value().attr("data-gone").is_none();
            if BOOKKEEPING.contains(&kind) && plain && select_in(a, "p.notice") == 0 {
                assert!(line, "{id}: {kind} is a card");
                lines += 1;
            }
            if CARDS.contains(&kind) {
                assert!(!line, "{id}: {kind} is a line");
            }
            assert_eq!(
                select_in(a, ":scope > header > h4"),
                1,
                "{id}: {kind} heading"
            );
            *who.entry(a.value().attr("data-who").expect("data-who").to_string())
                .or_default() += 1;
        }
        let counts: Vec<(String, usize)> = select(&doc, "fieldset.who label")
            .into_iter()
            .map(|l| {
                let for_ = l.value().attr("for").expect("for").to_string();
                let n = select_text(l, ".count").parse().expect("a count");
                (for_.trim_start_matches("who-").to_string(), n)
            })
            .collect();
        assert_eq!(counts[0], ("all".to_string(), articles.len()), "{id}");
        for (key, n) in &counts[1..] {
            assert_eq!(who.get(key).copied().unwrap_or(0), *n, "{id}: {key}");
        }
        // Contents by day, each link to its day.
        for a in select(&doc, "nav.contents a") {
            let href = a.value().attr("href").expect("href");
            let day = href.trim_start_matches('#');
            assert_eq!(
                select(&doc, &format!("section.day[id='{day}']")).len(),
                1,
                "{href}"
            );
        }
    }
    assert!(not_assessed > 0, "no report of the demo lacks a judgment");
    assert!(lines > 0, "no bookkeeping line in the demo");
}

fn select_in(e: &scraper::ElementRef<'_>, css: &str) -> usize {
    e.select(&Selector::parse(css).expect("selector")).count()
}

fn select_text(e: scraper::ElementRef<'_>, css: &str) -> String {
    e.select(&Selector::parse(css).expect("selector"))
        .next()
        .map(text)
        .unwrap_or_default()
}

#[test]
fn the_html_export_says_where_and_when_it_came_from_in_the_data_s_own_time() {
    let scratch = Scratch::new("provenance");
    let site = scratch.path("site");
    build(None, &site, &[]);
    let id = "019a0000-0000-7000-8000-000000000001";
    let export = |extra: &[&str]| {
        let mut args = vec!["export", id, "--format", "html"];
        args.extend_from_slice(extra);
        let out = reportpress(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let html = export(&[]);
    assert_eq!(html, export(&[]), "two exports differ");
    let doc = Html::parse_document(&html);
    let line = select(&doc, "p.provenance");
    assert_eq!(line.len(), 1);
    // The newest activity, as the archive's page shows it.
    let page = Html::parse_document(&read(&site.join(format!("reports/{id}.html"))));
    let meta = text(select(&page, "main > p.meta")[0]);
    let newest = meta
        .split(" · last activity ")
        .nth(1)
        .and_then(|s| s.split(" · ").next())
        .expect("last activity");
    assert_eq!(
        text(line[0]),
        format!(
            "Exported by reportpress from PostHog Signals, report {id} of team 1; data as of {newest}."
        )
    );
    // Without a published archive the site's name links nowhere; with one, to its index.
    assert_eq!(select(&doc, "header.site span.site-name").len(), 1);
    let published = Html::parse_document(&export(&["--base-url", "https://reports.example.com/"]));
    let home = select(&published, "header.site a.site-name");
    assert_eq!(
        home[0].value().attr("href"),
        Some("https://reports.example.com/index.html")
    );
    let source = select(&published, "p.provenance a");
    assert_eq!(
        source[0].value().attr("href"),
        Some(format!("https://reports.example.com/reports/{id}.html").as_str())
    );
}
