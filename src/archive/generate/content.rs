//! Content per type: what each entry type holds, in the newest shapes of PostHog's models
//! (defaults written out), and the entries a type needs before it (a release needs a claim, a
//! check result a scheduled check, a dispatch a decision, a commit an implementation task).

use serde_json::{Value, json};

use super::diff::unified_diff;
use super::people::Who;
use super::prose::{note_markdown, paragraph, sentence, slug, summary, title};
use super::samples::file;
use super::story::{ReportGen, STATUS_KINDS};
use super::time::{DAY, HOUR, MINUTE, SECOND, ts, uuid4, uuid7};
use super::vocab::WORDS;

impl ReportGen<'_> {
    pub(super) fn finding(&mut self, signal: String) {
        let n = self.rng.range(0, 3);
        let paths: Vec<String> = (0..n).map(|_| file(&mut self.rng).path).collect();
        let mut hashes = serde_json::Map::new();
        for _ in 0..self.rng.range(0, 2) {
            let sha = self.rng.hex(7);
            hashes.insert(sha, Value::String(sentence(&mut self.rng)));
        }
        let content = json!({
            "signal_id": signal,
            "relevant_code_paths": paths,
            "relevant_commit_hashes": hashes,
            "data_queried": format!("SELECT count() FROM events WHERE event = '${}' AND timestamp > now() - INTERVAL 7 DAY", self.rng.pick(&WORDS)),
            "verified": self.rng.chance(0.7),
        });
        let who = match &self.research {
            Some(t) => Who::Task(t.clone()),
            None => Who::System,
        };
        self.push("signal_finding", content, who);
    }

    pub(super) fn status(&mut self, kind: &'static str, who: Who) {
        let sentences = self.rng.range(1, 2);
        let explanation = paragraph(&mut self.rng, sentences);
        let content = match kind {
            "priority_judgment" => json!({
                "explanation": explanation,
                "priority": self.rng.pick(&["P0", "P1", "P2", "P2", "P3", "P3", "P4"]),
                "dollar_value": self.rng.chance(0.3).then(|| self.rng.range(100, 250_000) as f64),
            }),
            "actionability_judgment" => {
                let value = self.rng.pick(&[
                    "immediately_actionable",
                    "immediately_actionable",
                    "requires_human_input",
                    "not_actionable",
                ]);
                if self.legacy && self.rng.chance(0.5) {
                    json!({"explanation": explanation, "choice": value})
                } else {
                    json!({
                        "explanation": explanation,
                        "actionability": value,
                        "already_addressed": self.rng.chance(0.1),
                    })
                }
            }
            "safety_judgment" => json!({
                "choice": self.rng.chance(0.95),
                "explanation": self.rng.chance(0.7).then_some(explanation),
            }),
            "repo_selection" => {
                let repository = (!self.rng.chance(0.05)).then_some(self.repo);
                let reason = format!(
                    "The affected code lives in `{}`. {}",
                    file(&mut self.rng).path,
                    sentence(&mut self.rng)
                );
                if self.legacy {
                    if self.rng.chance(0.5) {
                        json!({"repository": repository, "reason": reason})
                    } else {
                        json!({"repository": repository, "reason": reason, "task_id": self.research})
                    }
                } else {
                    json!({
                        "repository": repository,
                        "reason": reason,
                        "task_id": self.research,
                        "autostart_eligible": self.rng.chance(0.8),
                    })
                }
            }
            _ => {
                let n = self.rng.range(1, 3);
                let reviewers: Vec<Value> = (0..n)
                    .map(|_| {
                        let u = self.user();
                        let (login, uuid, name) = (
                            u.login.clone(),
                            u.uuid.clone(),
                            format!("{} {}", u.first, u.last).trim().to_string(),
                        );
                        let commits: Vec<Value> = (0..self.rng.range(0, 2))
                            .map(|_| {
                                let sha = self.sha();
                                json!({
                                    "reason": format!("Last touched {}", file(&mut self.rng).path),
                                    "sha": sha,
                                    "url": format!("https://github.com/{}/commit/{sha}", self.repo),
                                })
                            })
                            .collect();
                        let skill = self.rng.chance(0.1);
                        json!({
                            "github_login": login,
                            "user_uuid": self.rng.chance(0.7).then_some(uuid),
                            "github_name": (!name.is_empty()).then_some(name),
                            "relevant_commits": commits,
                            "reason": self.rng.chance(0.8).then(|| sentence(&mut self.rng)),
                            "is_skill_owner": skill,
                            "source_skill": skill.then_some("signals-reviewers"),
                        })
                    })
                    .collect();
                Value::Array(reviewers)
            }
        };
        self.push(kind, content, who);
    }

    pub(super) fn filler(&mut self, kind: &'static str) {
        match kind {
            "note" => {
                let who = self.anyone();
                let author = match &who {
                    Who::User(_) | Who::Agent(..) if self.rng.chance(0.2) => {
                        Some(self.user().first.to_string())
                    }
                    _ => None,
                };
                let note = note_markdown(&mut self.rng);
                self.push("note", json!({"note": note, "author": author}), who);
            }
            "code_reference" => {
                let f = file(&mut self.rng);
                let len = self.rng.range(5, 20.min(f.lines.len() as u64)) as usize;
                let from = self.rng.below((f.lines.len() - len + 1) as u64) as usize;
                let offset = self.rng.range(0, 400) as usize;
                let start = offset + from + 1;
                let content = json!({
                    "file_path": f.path,
                    "start_line": start,
                    "end_line": start + len - 1,
                    "contents": f.lines[from..from + len].join("\n"),
                    "relevance_note": sentence(&mut self.rng),
                });
                let who = self.anyone();
                self.push("code_reference", content, who);
            }
            "status" => {
                let kind = self.rng.pick(&STATUS_KINDS);
                let who = match self.rng.weighted(&[45, 30, 15, 10]) {
                    0 => self.task_or_system(kind),
                    1 => Who::User(self.user().id),
                    2 => self.person_or_agent(),
                    _ => Who::System,
                };
                self.status(kind, who.clone());
                // Now and then two assessments of one type share a created_at.
                if self.rng.chance(0.1) {
                    self.status(kind, who);
                }
            }
            "signal_finding" => {
                if self.rng.chance(0.4) {
                    self.start_task("research", None);
                    self.tick_small();
                }
                let signal = if self.rng.chance(0.7) && !self.signals.is_empty() {
                    let i = self.rng.below(self.signals.len() as u64) as usize;
                    self.signals[i].clone()
                } else {
                    let s = uuid4(&mut self.rng);
                    self.signals.push(s.clone());
                    s
                };
                self.finding(signal);
            }
            "commit" => {
                let task = match self.implementation.clone() {
                    Some(t) => t,
                    None => {
                        let by = self.rng.chance(0.3).then(|| self.user().id);
                        let t = self.start_task("implementation", by);
                        self.tick_small();
                        t
                    }
                };
                let diff = (!self.legacy && self.rng.chance(0.3)).then(|| {
                    let files = self.rng.range(1, 4) as usize;
                    unified_diff(&mut self.rng, files, true).0
                });
                let sha = if self.rng.chance(0.85) {
                    self.sha()
                } else {
                    self.rng.hex(7)
                };
                let content = json!({
                    "repository": self.repo,
                    "branch": format!("posthog-code/{}", slug(&self.title)),
                    "commit_sha": sha,
                    "message": format!("fix({}): {}", self.rng.pick(&WORDS), sentence(&mut self.rng).trim_end_matches('.').to_lowercase()),
                    "note": self.rng.chance(0.3).then(|| sentence(&mut self.rng)),
                    "diff": diff,
                });
                self.push("commit", content, Who::Task(task));
            }
            "code_diff" => {
                let (diff, paths) = unified_diff(&mut self.rng, 1, false);
                let content = json!({
                    "file_path": paths[0],
                    "diff": diff,
                    "relevance_note": sentence(&mut self.rng),
                });
                let who = match self.current_task() {
                    Some(t) => Who::Task(t),
                    None => Who::System,
                };
                self.push("code_diff", content, who);
            }
            "task_run" => {
                let kind = self.rng.pick(&[
                    "implementation",
                    "implementation",
                    "research",
                    "discussion",
                    "scout",
                    "repo_selection",
                ]);
                let by = self.rng.chance(0.3).then(|| self.user().id);
                self.start_task(kind, by);
                if self.legacy {
                    // No artefact for the link: write a note so the slot is used.
                    let who = self.anyone();
                    let note = note_markdown(&mut self.rng);
                    self.push("note", json!({"note": note, "author": null}), who);
                }
            }
            "dismissal" => self.dismissal(),
            "related_to" => {
                if self.earlier.is_empty() {
                    return self.filler("note");
                }
                let lo = self.earlier.len().saturating_sub(300);
                let j = lo + self.rng.below((self.earlier.len() - lo) as u64) as usize;
                let other = self.earlier[j].0.clone();
                let who = self.person_or_agent();
                self.push("related_to", json!({"report_id": other}), who.clone());
                // Written symmetrically: the other report gets the mirror entry.
                let mirror = self.row(
                    other,
                    "related_to",
                    json!({"report_id": self.report_id}).to_string(),
                    who,
                    self.now,
                );
                self.mirrors.push(mirror);
            }
            "report_link" => {
                if self.earlier.is_empty() {
                    return self.filler("note");
                }
                let lo = self.earlier.len().saturating_sub(300);
                let j = lo + self.rng.below((self.earlier.len() - lo) as u64) as usize;
                let content = json!({
                    "kind": self.rng.pick(&["depends_on", "part_of", "follow_up_of", "duplicate_of", "recurrence_of"]),
                    "report_id": self.earlier[j].0,
                    "reason": self.rng.chance(0.7).then(|| sentence(&mut self.rng)),
                });
                let who = self.anyone();
                self.push("report_link", content, who);
            }
            "title_change" => {
                let new = title(&mut self.rng);
                let old = std::mem::replace(&mut self.title, new.clone());
                let who = self.anyone();
                self.push(
                    "title_change",
                    json!({"old_title": old, "new_title": new}),
                    who,
                );
            }
            "summary_change" => {
                let new = summary(&mut self.rng, &self.title.clone());
                let old = std::mem::replace(&mut self.summary, new.clone());
                let who = self.anyone();
                self.push(
                    "summary_change",
                    json!({"old_summary": old, "new_summary": new}),
                    who,
                );
            }
            "code_review" => {
                let number = self.rng.range(20_000, 45_000);
                let must = self.rng.range(0, 3);
                let content = json!({
                    "review_report_id": uuid4(&mut self.rng),
                    "repository": self.repo,
                    "head_sha": self.sha(),
                    "head_branch": format!("posthog-code/{}", slug(&self.title)),
                    "base_branch": "master",
                    "pr_number": number,
                    "pr_url": format!("https://github.com/{}/pull/{number}", self.repo),
                    "review_url": format!("https://github.com/{}/pull/{number}#pullrequestreview-{}", self.repo, self.rng.range(1_000_000, 9_999_999)),
                    "outcome": self.rng.pick(&["published", "published", "stored", "failed"]),
                    "counts": {"must_fix": must, "should_fix": self.rng.range(0, 6), "consider": self.rng.range(0, 9)},
                });
                let who = match self.current_task() {
                    Some(t) => Who::Task(t),
                    None => Who::System,
                };
                self.push("code_review", content, who);
            }
            "work_claim" => {
                let who = self.person_or_agent();
                let name = match &who {
                    Who::User(id) | Who::Agent(id, _) => {
                        let u = &self.users[(*id - 1) as usize];
                        format!("{} {}", u.first, u.last).trim().to_string()
                    }
                    _ => String::new(),
                };
                self.claimed = true;
                self.push(
                    "work_claim",
                    json!({"display_name": (!name.is_empty()).then_some(name)}),
                    who,
                );
            }
            "work_release" => {
                if !self.claimed {
                    return self.filler("work_claim");
                }
                self.claimed = false;
                let who = self.person_or_agent();
                let reason = self.rng.pick(&["released", "taken_over"]);
                self.push("work_release", json!({ "reason": reason }), who);
            }
            "pull_request" => {
                let url = match self.pr_urls.last() {
                    Some(u) if self.rng.chance(0.7) => u.clone(),
                    _ => format!(
                        "https://github.com/{}/pull/{}",
                        self.repo,
                        self.rng.range(20_000, 45_000)
                    ),
                };
                let who = match self.current_task() {
                    Some(t) if self.rng.chance(0.7) => Who::Task(t),
                    _ => Who::System,
                };
                self.push("pull_request", json!({"url": url}), who);
            }
            "check_scheduled" => {
                let check_id = uuid4(&mut self.rng);
                let kind = self.rng.pick(&[
                    "metric_threshold",
                    "error_rate",
                    "hogql_query",
                    "event_volume",
                ]);
                let title = format!(
                    "{} of `{}` stays below {}",
                    self.rng
                        .pick(&["Error rate", "p95 latency", "Drop count", "Lag"]),
                    self.rng.pick(&WORDS),
                    self.rng.range(1, 500)
                );
                let content = json!({
                    "check_id": check_id,
                    "kind": kind,
                    "title": title,
                    "rationale": sentence(&mut self.rng),
                    "next_run_at": ts(self.now + self.rng.range(HOUR as u64, 3 * DAY as u64) as i64),
                    "arms_on_resolve": self.rng.chance(0.5),
                    "soak_minutes": self.rng.chance(0.5).then(|| self.rng.range(15, 1_440)),
                    "skill_name": self.rng.chance(0.3).then_some("signals-checks"),
                    "runs": self.rng.range(1, 5),
                });
                self.checks.push((check_id, kind, title));
                let who = self.anyone();
                self.push("check_scheduled", content, who);
            }
            "check_result" | "check_expired" | "check_cancelled" => {
                let Some((check_id, ck, title)) = self.checks.last().cloned() else {
                    return self.filler("check_scheduled");
                };
                let content = match kind {
                    "check_result" => json!({
                        "check_id": check_id,
                        "kind": ck,
                        "title": title,
                        "outcome": self.rng.pick(&["passed", "passed", "passed", "failed", "errored"]),
                        "explanation": sentence(&mut self.rng),
                        "observed_value": self.rng.chance(0.8).then(|| self.rng.range(0, 10_000) as f64 / 100.0),
                        "baseline_value": self.rng.chance(0.6).then(|| self.rng.range(0, 10_000) as f64 / 100.0),
                        "threshold": self.rng.chance(0.6).then(|| format!("< {}", self.rng.range(1, 100))),
                        "run_id": self.rng.chance(0.5).then(|| uuid7(self.now, &mut self.rng)),
                    }),
                    "check_expired" => {
                        let never = self.rng.chance(0.4);
                        json!({
                            "check_id": check_id,
                            "kind": ck,
                            "title": title,
                            "expired_at": ts(self.now),
                            "never_ran": never,
                            "last_run_at": (!never).then(|| ts(self.now - self.rng.range(HOUR as u64, 2 * DAY as u64) as i64)),
                        })
                    }
                    _ => json!({
                        "check_id": check_id,
                        "kind": ck,
                        "title": title,
                        "reason": self.rng.pick(&["stopped_by_person", "stopped_by_scout", "replaced_by_research"]),
                    }),
                };
                self.push(kind, content, Who::System);
            }
            "channel_assignment" => {
                let channel = (!self.rng.chance(0.15)).then(|| uuid4(&mut self.rng));
                let who = Who::User(self.user().id);
                let i = self.push("channel_assignment", json!({"channel_id": channel}), who);
                self.arts[i].channel_id = channel;
            }
            "implementation_decision" => {
                let targets: Vec<Value> =
                    match (self.implementation.clone(), self.pr_urls.last().cloned()) {
                        (Some(task), Some(pr)) => {
                            let run = self
                                .runs
                                .iter()
                                .rev()
                                .find(|r| r.task_id == task)
                                .map(|r| r.id.clone())
                                .unwrap_or_default();
                            vec![json!({
                                "task_id": task,
                                "run_id": run,
                                "claim_id": null,
                                "pr_url": pr,
                                "head_sha": self.sha(),
                                "automation_artefact_id": uuid7(self.now, &mut self.rng),
                            })]
                        }
                        _ => Vec::new(),
                    };
                let content = json!({
                    "supersede": !targets.is_empty() && self.rng.chance(0.5),
                    "reason": sentence(&mut self.rng),
                    "targets": targets,
                    "research_run_count": self.runs_started,
                    "research_started_at": ts(self.now - HOUR),
                    "content_revision_count": self.rng.range(0, 3),
                    "blocked_reason": self.rng.chance(0.1).then_some("revision_limit"),
                });
                let i = self.push("implementation_decision", content.clone(), Who::System);
                self.decision = Some((self.arts[i].id.clone(), content));
            }
            "implementation_dispatch" => {
                let Some((decision, _)) = self.decision.clone() else {
                    return self.filler("implementation_decision");
                };
                let status = self.rng.pick(&[
                    "pending",
                    "processing",
                    "retrying",
                    "blocked",
                    "started",
                    "cancelled",
                ]);
                let content = json!({
                    "decision_id": decision,
                    "source_skill": self.rng.chance(0.3).then_some("signals-implement"),
                    "status": status,
                    "attempt": self.rng.range(0, 3),
                    "next_retry_at": (status == "retrying").then(|| ts(self.now + 10 * MINUTE)),
                    "worker_token": (status == "processing").then(|| self.rng.hex(16)),
                    "lease_until": (status == "processing").then(|| ts(self.now + 15 * MINUTE)),
                    "reason": if status == "blocked" { sentence(&mut self.rng) } else { String::new() },
                });
                self.push("implementation_dispatch", content, Who::System);
            }
            "implementation_replacement" => {
                let Some((decision, body)) = self.decision.clone() else {
                    return self.filler("implementation_decision");
                };
                let content = json!({
                    "decision_id": decision,
                    "decision": body,
                    "run_id": uuid7(self.now, &mut self.rng),
                });
                let i = self.push("implementation_replacement", content, Who::System);
                self.replacement = Some(self.arts[i].id.clone());
            }
            "implementation_handover" => {
                let Some(replacement) = self.replacement.clone() else {
                    return self.filler("implementation_replacement");
                };
                let mut results = serde_json::Map::new();
                if let Some(pr) = self.pr_urls.last() {
                    results.insert(
                        pr.clone(),
                        Value::from(self.rng.pick(&["closed", "already_closed", "skipped"])),
                    );
                }
                let content = json!({
                    "replacement_id": replacement,
                    "status": self.rng.pick(&["processing", "completed", "completed", "failed", "cancelled", "needs_attention"]),
                    "results": results,
                    "replacement_pr_urls": [format!("https://github.com/{}/pull/{}", self.repo, self.rng.range(20_000, 45_000))],
                    "explanation": sentence(&mut self.rng),
                    "attempt": self.rng.range(0, 2),
                    "worker_token": null,
                    "lease_until": null,
                });
                self.push("implementation_handover", content, Who::System);
            }
            "video_segment" => {
                let start = self.now - self.rng.range(DAY as u64, 20 * DAY as u64) as i64;
                let content = json!({
                    "session_id": uuid7(start, &mut self.rng),
                    "start_time": ts(start),
                    "end_time": ts(start + self.rng.range(5 * SECOND as u64, 10 * MINUTE as u64) as i64),
                    "distinct_id": self.rng.hex(32),
                    "content": sentence(&mut self.rng),
                    "distance_to_centroid": self.rng.chance(0.8).then(|| self.rng.range(0, 1_000) as f64 / 1_000.0),
                });
                let who = match &self.research {
                    Some(t) => Who::Task(t.clone()),
                    None => Who::System,
                };
                self.push("video_segment", content, who);
            }
            "line_reference" => {
                let f = file(&mut self.rng);
                let i = self.rng.below(f.lines.len() as u64) as usize;
                let content = json!({
                    "file_path": f.path,
                    "line": i + 1 + self.rng.range(0, 300) as usize,
                    "note": sentence(&mut self.rng),
                    "contents": self.rng.chance(0.7).then(|| f.lines[i].clone()),
                });
                let who = self.anyone();
                self.push("line_reference", content, who);
            }
            "pushed_branch" => {
                let content = json!({
                    "repository": self.repo,
                    "branch": format!("posthog-code/{}", slug(&self.title)),
                    "base_branch": self.rng.chance(0.8).then_some("master"),
                    "head_sha": self.rng.chance(0.8).then(|| self.sha()),
                    "note": self.rng.chance(0.5).then(|| sentence(&mut self.rng)),
                });
                let who = match self.current_task() {
                    Some(t) => Who::Task(t),
                    None => Who::System,
                };
                self.push("pushed_branch", content, who);
            }
            _ => self.filler("note"),
        }
    }

    pub(super) fn dismissal(&mut self) {
        let reason = self.rng.pick(&[
            "already_fixed",
            "report_unclear",
            "analysis_wrong",
            "wontfix_intentional",
            "wontfix_irrelevant",
            "other",
            "wrong_repo",
        ]);
        let slack = self.rng.chance(0.25);
        let (who, user_id, user_uuid) = if slack {
            (Who::System, None, None)
        } else {
            let u = self.user();
            let (id, uuid) = (u.id, u.uuid.clone());
            (Who::User(id), Some(id), Some(uuid))
        };
        let content = json!({
            "reason": reason,
            "note": self.rng.chance(0.6).then(|| sentence(&mut self.rng)),
            "selected_repository": self.rng.chance(0.5).then_some(self.repo),
            "corrected_repository": (reason == "wrong_repo").then_some("posthog/posthog-js"),
            "user_id": user_id,
            "user_uuid": user_uuid,
            "slack_user_id": slack.then(|| format!("U0{}", self.rng.hex(8).to_uppercase())),
        });
        self.push("dismissal", content, who);
    }
}
