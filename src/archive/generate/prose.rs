//! Prose: sentences, paragraphs and Markdown notes built from the vocabulary, report titles and
//! summaries, and branch-name slugs.

use super::rng::Rng;
use super::samples::{Fill, file};
use super::vocab::{CONDITIONS, FEATURES, PROBLEMS};

const SENTENCES: [&str; 24] = [
    "Reproduced on a test project: after the change, `/§a` kept serving the old value for about §n seconds.",
    "The `§a_§b` cache is keyed by team only, so an edit to one §b does not invalidate it.",
    "Most affected teams send more than §n events per minute; smaller teams never hit this.",
    "The §a worker logs `§b_dropped` when its queue is full, and the counter matches the missing rows.",
    "Rolling back the last deploy did not change the error rate, so this predates it.",
    "`§A§B.flush()` is only called on `beforeunload`, which mobile browsers do not fire reliably.",
    "Three customers reported it in support tickets this week; one is on the enterprise plan.",
    "The query plan shows a full scan of `§a_§b_daily` instead of the partition it needs.",
    "I checked the last §n runs: every failure happened while the §a service was restarting.",
    "A retry with backoff would hide the symptom but not fix the ordering problem underneath.",
    "The fix is small: pass `team_id` through to `invalidate_§b_cache` and add a test.",
    "There is an older report about the same code path, but it was closed as not reproducible.",
    "Sampling §n sessions, the gap appears only when the tab is backgrounded first.",
    "The numbers match ClickHouse exactly once the timezone is applied before bucketing.",
    "`§a_§b` and `§c` disagree for about §n% of users after a merge.",
    "This affects only projects that enabled the new §a pipeline.",
    "Confirmed with the owning team that the behaviour is not intentional.",
    "The alert fired §n times overnight and auto-resolved each time.",
    "Upgrading the client library to the latest version does not help.",
    "We can verify the fix by watching the `§a_§b_lag_seconds` metric drop below 5.",
    "Nothing in the logs points at the database; the time goes into serialisation.",
    "The regression came in with the refactor of the §a module two weeks ago.",
    "The same happens in the EU region, so it is not a regional infrastructure issue.",
    "Reading through the handler, the early return skips the `§c` update entirely.",
];
const HEADINGS: [&str; 6] = [
    "Findings",
    "Next steps",
    "Reproduction",
    "Root cause",
    "Open questions",
    "Impact",
];
const LINKS: [(&str, &str); 5] = [
    ("the PR", "https://github.com/PostHog/posthog/pull/§n§n"),
    (
        "this insight",
        "https://us.posthog.com/project/2/insights/§A§B§n",
    ),
    ("the docs", "https://posthog.com/docs/§a/§b"),
    ("Grafana", "https://grafana.example.com/d/§a-§b?orgId=1"),
    (
        "the Slack thread",
        "https://posthog.slack.com/archives/C0§n/p17§n§n",
    ),
];

pub(super) fn sentence(rng: &mut Rng) -> String {
    Fill::new(rng).apply(rng.pick(&SENTENCES))
}

pub(super) fn paragraph(rng: &mut Rng, sentences: u64) -> String {
    (0..sentences)
        .map(|_| sentence(rng))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A Markdown note: paragraphs, lists, code spans, links, a heading now and then.
pub(super) fn note_markdown(rng: &mut Rng) -> String {
    let mut out = String::new();
    if rng.chance(0.15) {
        out.push_str(&format!("### {}\n\n", rng.pick(&HEADINGS)));
    }
    let n = rng.range(1, 3);
    out.push_str(&paragraph(rng, n));
    if rng.chance(0.35) {
        let fill = Fill::new(rng);
        let (text, url) = rng.pick(&LINKS);
        out.push_str(&format!(" See [{text}]({}).", fill.apply(url)));
    }
    if rng.chance(0.4) {
        out.push_str("\n\n");
        let items = rng.range(2, 5);
        let numbered = rng.chance(0.3);
        let task = !numbered && rng.chance(0.3);
        for i in 0..items {
            let marker = if numbered {
                format!("{}. ", i + 1)
            } else if task {
                if rng.chance(0.5) { "- [x] " } else { "- [ ] " }.to_string()
            } else {
                "- ".to_string()
            };
            out.push_str(&marker);
            out.push_str(&sentence(rng));
            out.push('\n');
        }
        while out.ends_with('\n') {
            out.pop();
        }
    }
    if rng.chance(0.08) {
        let f = file(rng);
        let start = rng.below(f.lines.len().saturating_sub(4) as u64) as usize;
        out.push_str("\n\n```\n");
        for l in &f.lines[start..start + 4] {
            out.push_str(l);
            out.push('\n');
        }
        out.push_str("```");
    }
    if rng.chance(0.2) {
        out.push_str(&format!("\n\n{}", paragraph(rng, 1)));
    }
    out
}

pub(super) fn title(rng: &mut Rng) -> String {
    format!(
        "{} {} {}",
        rng.pick(&FEATURES),
        rng.pick(&PROBLEMS),
        rng.pick(&CONDITIONS)
    )
}

pub(super) fn summary(rng: &mut Rng, title: &str) -> String {
    let mut s = format!("{title}. {}\n\n{}", paragraph(rng, 2), {
        let n = rng.range(1, 2);
        paragraph(rng, n)
    });
    if rng.chance(0.3) {
        s.push_str(&format!("\n\n- {}\n- {}", sentence(rng), sentence(rng)));
    }
    s
}

pub(super) fn slug(text: &str) -> String {
    let mut s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    s.trim_matches('-')
        .chars()
        .take(40)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}
