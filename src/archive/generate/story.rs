//! The report's story: a report's status, size and time, then its log in time order — a
//! research task with its findings and first judgments, then entries drawn by weight
//! ([`FILLERS`]), each written by someone plausible (the current task, a person, an agent or the
//! system). What each entry holds is in `content`.

use serde_json::{Value, json};

use super::GenerateOptions;
use super::people::{AGENTS, User, Who, people};
use super::prose::{sentence, slug, summary, title};
use super::rng::{Rng, artefact_count, mix};
use super::rows::{Artefact, Link, ReportRow, ReportRows, Run, Task};
use super::time::{DAY, EPOCH_2025, MINUTE, SECOND, gap, uuid4, uuid7};
use super::vocab::{REPORT_STATUSES, REPOS};

/// The state shared by every report: the team's people and the reports written so far (for
/// `related_to` and `report_link` entries).
pub(super) struct Generator {
    pub(super) seed: u64,
    pub(super) reports: usize,
    pub(super) users: Vec<User>,
    /// The first report's day; reports spread over the 365 days from here.
    pub(super) start: i64,
    /// Earlier reports: (id, created).
    pub(super) earlier: Vec<(String, i64)>,
}

impl Generator {
    pub(super) fn new(options: &GenerateOptions) -> Generator {
        let mut rng = Rng::new(mix(options.seed, u64::MAX));
        let start = EPOCH_2025 + rng.below(180) as i64 * DAY;
        let users = people(&mut rng, start);
        Generator {
            seed: options.seed,
            reports: options.reports as usize,
            users,
            start,
            earlier: Vec::new(),
        }
    }

    pub(super) fn report(&mut self, index: usize) -> ReportRows {
        let mut rng = Rng::new(mix(self.seed, index as u64));
        let slot = (365 * DAY / self.reports.max(1) as i64).max(1);
        let created = self.start + index as i64 * slot + rng.below(slot as u64) as i64;
        let id = uuid7(created, &mut rng);
        // Reports of the first 15% of the year predate the newest columns and shapes.
        let legacy = index * 100 < self.reports * 15;
        let status = REPORT_STATUSES[rng.weighted(&REPORT_STATUSES.map(|(_, w)| w))].0;
        let target = artefact_count(&mut rng);
        let first = created + rng.range(5, 60) as i64 * SECOND;
        let mut g = ReportGen {
            rng,
            users: &self.users,
            earlier: &self.earlier,
            report_id: id.clone(),
            legacy,
            now: first,
            repo: "",
            arts: Vec::with_capacity(target + 4),
            mirrors: Vec::new(),
            tasks: Vec::new(),
            runs: Vec::new(),
            links: Vec::new(),
            research: None,
            implementation: None,
            signals: Vec::new(),
            title: String::new(),
            summary: String::new(),
            claimed: false,
            checks: Vec::new(),
            decision: None,
            replacement: None,
            pr_urls: Vec::new(),
            runs_started: 0,
        };
        g.repo = g.rng.pick(&REPOS);
        g.title = title(&mut g.rng);
        g.summary = summary(&mut g.rng, &g.title);
        g.run(target, status);

        let last = g.arts.iter().map(|a| a.created).max().unwrap_or(created);
        let rng = &mut g.rng;
        let report = ReportRow {
            id: id.clone(),
            status,
            status_before_suppression: (status == "suppressed")
                .then(|| rng.pick(&["ready", "potential", "pending_input"])),
            total_weight: (rng.range(100, 9_999) as f64) / 100.0,
            signal_count: rng.range(1, 5_000) as i64,
            run_count: g.runs_started.max(1),
            title: g.title.clone(),
            summary: g.summary.clone(),
            error: (status == "failed").then(|| {
                rng.pick(&[
                    "Research run failed: the sandbox timed out after 3600 s",
                    "Research run failed: repository selection found no repository",
                    "Summarisation failed: the model returned invalid JSON three times",
                ])
                .to_string()
            }),
            created,
            updated: last,
            promoted: (!matches!(status, "potential" | "candidate")).then_some(created + MINUTE),
            last_run: Some(created + 5 * SECOND),
        };
        let mut artefacts = g.mirrors;
        artefacts.append(&mut g.arts);
        let rows = ReportRows {
            report,
            artefacts,
            tasks: g.tasks,
            runs: g.runs,
            links: g.links,
        };
        self.earlier.push((id, created));
        rows
    }
}
pub(super) const STATUS_KINDS: [&str; 5] = [
    "priority_judgment",
    "actionability_judgment",
    "safety_judgment",
    "repo_selection",
    "suggested_reviewers",
];

/// Filler kinds and their weights, in one table.
const FILLERS: [(&str, u32); 28] = [
    ("note", 170),
    ("code_reference", 190),
    ("status", 150),
    ("signal_finding", 45),
    ("commit", 70),
    ("code_diff", 30),
    ("task_run", 40),
    ("dismissal", 15),
    ("related_to", 15),
    ("report_link", 15),
    ("title_change", 15),
    ("summary_change", 10),
    ("code_review", 15),
    ("work_claim", 15),
    ("work_release", 10),
    ("pull_request", 15),
    ("check_scheduled", 15),
    ("check_result", 20),
    ("check_expired", 6),
    ("check_cancelled", 6),
    ("channel_assignment", 10),
    ("implementation_decision", 10),
    ("implementation_dispatch", 10),
    ("implementation_replacement", 5),
    ("implementation_handover", 5),
    ("video_segment", 15),
    ("line_reference", 7),
    ("pushed_branch", 5),
];

pub(super) struct ReportGen<'a> {
    pub(super) rng: Rng,
    pub(super) users: &'a [User],
    pub(super) earlier: &'a [(String, i64)],
    pub(super) report_id: String,
    pub(super) legacy: bool,
    pub(super) now: i64,
    pub(super) repo: &'static str,
    pub(super) arts: Vec<Artefact>,
    /// `related_to` rows written on earlier reports (the symmetric half).
    pub(super) mirrors: Vec<Artefact>,
    pub(super) tasks: Vec<Task>,
    pub(super) runs: Vec<Run>,
    pub(super) links: Vec<Link>,
    pub(super) research: Option<String>,
    pub(super) implementation: Option<String>,
    pub(super) signals: Vec<String>,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) claimed: bool,
    /// Scheduled checks: (check_id, kind, title).
    pub(super) checks: Vec<(String, &'static str, String)>,
    pub(super) decision: Option<(String, Value)>,
    pub(super) replacement: Option<String>,
    pub(super) pr_urls: Vec<String>,
    pub(super) runs_started: i64,
}

impl ReportGen<'_> {
    pub(super) fn run(&mut self, target: usize, status: &str) {
        // Research: the task that investigates the report and writes the first judgments.
        self.start_task("research", None);
        let k = (1 + self.rng.below(3) as usize).min(target.saturating_sub(6).max(1));
        for _ in 0..k {
            self.tick_small();
            let signal = uuid4(&mut self.rng);
            self.signals.push(signal.clone());
            self.finding(signal);
        }
        self.tick_small();
        let same = self.now;
        for kind in STATUS_KINDS {
            // The research run writes its judgments within seconds, some in the same millisecond.
            if self.rng.chance(0.5) {
                self.now = same;
            } else {
                self.now += self.rng.range(50, 4_000) as i64;
            }
            let who = self.task_or_system(kind);
            self.status(kind, who);
        }
        let weights: Vec<u32> = FILLERS.iter().map(|(_, w)| *w).collect();
        while self.arts.len() < target {
            let remaining = target - self.arts.len();
            // A filler writes at most two rows: a suppressed report ends dismissed.
            if remaining <= 2 && status == "suppressed" && !self.dismissed() {
                self.advance();
                self.dismissal();
                continue;
            }
            let kind = FILLERS[self.rng.weighted(&weights)].0;
            self.advance();
            self.filler(kind);
        }
        if status == "suppressed" && !self.dismissed() {
            self.advance();
            self.dismissal();
        }
    }

    pub(super) fn dismissed(&self) -> bool {
        self.arts.iter().any(|a| a.kind == "dismissal")
    }

    pub(super) fn advance(&mut self) {
        self.now += gap(&mut self.rng);
    }

    pub(super) fn tick_small(&mut self) {
        self.now += self.rng.range(200, 90_000) as i64;
    }

    pub(super) fn user(&mut self) -> &User {
        // A few people write most entries.
        let i = if self.rng.chance(0.6) {
            self.rng.below(8)
        } else {
            self.rng.below(self.users.len() as u64)
        };
        &self.users[i as usize]
    }

    pub(super) fn person_or_agent(&mut self) -> Who {
        let id = self.user().id;
        if !self.legacy && self.rng.chance(0.25) {
            Who::Agent(id, self.rng.pick(&AGENTS))
        } else {
            Who::User(id)
        }
    }

    pub(super) fn current_task(&self) -> Option<String> {
        self.implementation
            .clone()
            .or_else(|| self.research.clone())
    }

    pub(super) fn task_or_system(&mut self, kind: &str) -> Who {
        if kind == "safety_judgment" && self.rng.chance(0.3) {
            return Who::System;
        }
        match &self.research {
            Some(t) => Who::Task(t.clone()),
            None => Who::System,
        }
    }

    /// Someone plausible for a log entry: the current task, a person, an agent or the system.
    pub(super) fn anyone(&mut self) -> Who {
        match self.rng.weighted(&[45, 40, 15]) {
            0 => match self.current_task() {
                Some(t) => Who::Task(t),
                None => self.person_or_agent(),
            },
            1 => self.person_or_agent(),
            _ => {
                let id = self.user().id;
                if self.legacy {
                    Who::User(id)
                } else {
                    Who::Agent(id, self.rng.pick(&AGENTS))
                }
            }
        }
    }

    pub(super) fn push(&mut self, kind: &'static str, content: Value, who: Who) -> usize {
        let created = self.now;
        let art = self.row(
            self.report_id.clone(),
            kind,
            content.to_string(),
            who,
            created,
        );
        self.arts.push(art);
        self.arts.len() - 1
    }

    pub(super) fn row(
        &mut self,
        report_id: String,
        kind: &'static str,
        content: String,
        who: Who,
        created: i64,
    ) -> Artefact {
        let (by, task, actor_kind, agent) = match who {
            Who::User(id) => (Some(id), None, "user", None),
            Who::Task(t) => (None, Some(t), "task", None),
            Who::Agent(id, a) => (Some(id), None, "agent", Some(a)),
            Who::System => (None, None, "system", None),
        };
        let legacy = self.legacy;
        let updated = if legacy && self.rng.chance(0.6) {
            None
        } else if kind != "task_run" && self.rng.chance(0.05) {
            // Edited in place (PATCH): updated_at later than created_at.
            Some(created + gap(&mut self.rng))
        } else {
            Some(created)
        };
        Artefact {
            id: uuid7(created, &mut self.rng),
            report_id,
            kind,
            content,
            created,
            updated,
            created_by_id: by,
            task_id: task,
            channel_id: None,
            actor_kind: (!legacy).then_some(actor_kind),
            actor_agent: if legacy { None } else { agent },
        }
    }

    pub(super) fn sha(&mut self) -> String {
        self.rng.hex(40)
    }

    // ---- tasks

    pub(super) fn start_task(&mut self, kind: &'static str, by: Option<i64>) -> String {
        let created = self.now;
        let id = uuid4(&mut self.rng);
        let title = match kind {
            "research" => format!("Research: {}", self.title),
            "implementation" => format!("Fix: {}", self.title),
            "repo_selection" => format!("Select a repository for \"{}\"", self.title),
            "discussion" => format!("Discuss: {}", self.title),
            _ => format!("Scout: {}", self.title),
        };
        self.tasks.push(Task {
            id: id.clone(),
            created_by_id: by,
            title,
            description: format!(
                "Signals {kind} task for report \"{}\".",
                self.title.replace('"', "'")
            ),
            repository: self.repo.to_string(),
            created,
        });
        let branch = (kind == "implementation")
            .then(|| format!("posthog-code/{}-{}", slug(&self.title), self.rng.hex(4)));
        let mut first_run = None;
        let attempts = if self.rng.chance(0.15) { 2 } else { 1 };
        let mut t = created + SECOND;
        for attempt in 0..attempts {
            let last = attempt + 1 == attempts;
            let status = if !last {
                "failed"
            } else {
                [
                    "completed",
                    "completed",
                    "completed",
                    "completed",
                    "failed",
                    "in_progress",
                    "cancelled",
                ][self.rng.below(7) as usize]
            };
            let run_id = uuid7(t, &mut self.rng);
            let duration = self.rng.range(2 * MINUTE as u64, 90 * MINUTE as u64) as i64;
            let output = match (kind, status) {
                ("implementation", "completed") => {
                    let number = self.rng.range(20_000, 45_000);
                    let url = format!("https://github.com/{}/pull/{number}", self.repo);
                    self.pr_urls.push(url.clone());
                    Some(
                        json!({
                            "pr_url": url,
                            "head_branches": [branch.clone()],
                            "commit_sha": self.sha(),
                        })
                        .to_string(),
                    )
                }
                ("research", "completed") => {
                    Some(json!({"summary": sentence(&mut self.rng)}).to_string())
                }
                _ => None,
            };
            self.runs.push(Run {
                id: run_id.clone(),
                task_id: id.clone(),
                branch: branch.clone(),
                stage: match kind {
                    "implementation" => "pull_request",
                    "research" => "research",
                    _ => "build",
                },
                status,
                error: (status == "failed").then(|| {
                    self.rng
                        .pick(&[
                            "Sandbox exited with code 137 (out of memory)",
                            "Agent exceeded the 60 minute time limit",
                            "git push rejected: branch protection",
                        ])
                        .to_string()
                }),
                output,
                created: t,
                completed: (status != "in_progress").then_some(t + duration),
            });
            first_run.get_or_insert(run_id);
            t += duration + MINUTE;
        }
        self.runs_started += 1;
        let run_id = first_run.unwrap_or_default();
        if self.legacy {
            // Before task_run artefacts, tasks were tied to reports by signals_signalreporttask.
            let link_id = uuid4(&mut self.rng);
            self.links.push(Link {
                id: link_id,
                report_id: self.report_id.clone(),
                task_id: id.clone(),
                relationship: (!self.rng.chance(0.2)).then_some(match kind {
                    "implementation" => "implementation",
                    "repo_selection" => "repo_selection",
                    _ => "research",
                }),
                created,
            });
        } else {
            let content = json!({
                "task_id": id,
                "run_id": run_id,
                "automation_branch": branch,
                "product": "signals",
                "type": kind,
            });
            self.now = created + SECOND / 2;
            self.push("task_run", content, Who::Task(id.clone()));
        }
        match kind {
            "research" => self.research = Some(id.clone()),
            "implementation" => self.implementation = Some(id.clone()),
            _ => {}
        }
        id
    }
}
