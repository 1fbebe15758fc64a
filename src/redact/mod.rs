//! `--redact people`: the rows a report is made from are rewritten before anything is rendered,
//! so no page, Markdown document, search index, feed or export can show a person's name or email.
//!
//! - Every `posthog_user` row gets a pseudonym derived from its stable identity (the uuid, else
//!   the user id): `Person NNNNNN`, the last digits of the SHA-256 of a fixed tag and that
//!   identity, with more digits for the people whose digits would otherwise be the same. So the
//!   same person has the same pseudonym in every build of the same archive, two people never
//!   share one, and a pseudonym (digits only) can never spell a name. Their email becomes
//!   `person-NNNNNN@redacted.invalid`.
//! - The author joined to each entry (`created_by`) becomes its pseudonym.
//! - Every text (report titles, summaries and errors, entry content, task titles, run output and
//!   errors, branch and repository names, agent names, earlier versions) is searched, ignoring
//!   case, for every person's email, full name, first and last name and each of their words of
//!   three characters or more, and an email's local part when it looks like a handle
//!   (`t.nakamura`): whole words only (`Ann` is replaced, `Annual` is not), the longest match
//!   first. A name is replaced by its person's pseudonym, an email by the pseudonymous email; a
//!   name two people share becomes "Someone".
//! - Entry content is JSON: it is searched as stored and, where an escape sequence (`\u00e9`,
//!   `\n`) hid a name from that, as parsed. Replacements never add a quote or a backslash, so
//!   the content stays valid JSON. A suggested reviewer who is a known person (by `user_uuid`,
//!   or by a `github_name`/`github_login` made of one person's names) is shown under their
//!   pseudonym without their GitHub login.
//!
//! What cannot be found this way stays: a nickname, a GitHub login that is not made of the
//! person's names, a name spelled differently from `posthog_user`.

mod visible;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::model::record::{
    ArtefactRecord, AssignmentRecord, LinkRecord, PullRequestRecord, ReportRecord, ReportRows,
    RunRecord, TaskRecord, UserRecord, VersionRecord,
};

/// Hashed before a person's identity: changing it changes every pseudonym.
const TAG: &[u8] = b"reportpress redact people v1\0";
/// Digits of a pseudonym, at least.
const MIN_DIGITS: usize = 6;
/// A `u128` in decimal.
const MAX_DIGITS: usize = 39;
/// A name or word shorter than this is replaced only as part of a longer name.
const MIN_NAME_CHARS: usize = 3;
/// What a name two people share becomes.
pub const AMBIGUOUS: &str = "Someone";
/// The domain of pseudonymous emails (`.invalid` is reserved: it never resolves).
pub const EMAIL_DOMAIN: &str = "redacted.invalid";

/// What a person is shown as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pseudonym {
    /// `Person 123456`.
    pub name: String,
    /// `person-123456@redacted.invalid`.
    pub email: String,
}

impl Pseudonym {
    fn new(code: &str) -> Pseudonym {
        Pseudonym {
            name: format!("Person {code}"),
            email: format!("person-{code}@{EMAIL_DOMAIN}"),
        }
    }
}

/// What a found name or email is replaced with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Name(usize),
    Email(usize),
    Ambiguous,
}

impl Target {
    fn person(self) -> Option<usize> {
        match self {
            Target::Name(i) | Target::Email(i) => Some(i),
            Target::Ambiguous => None,
        }
    }
}

/// The people of one archive and how to hide them. Built once per build or export.
pub struct Redactor {
    pseudonyms: Vec<Pseudonym>,
    by_id: HashMap<i64, usize>,
    by_uuid: HashMap<String, usize>,
    /// `None` when nobody has a name or email to look for.
    matcher: Option<AhoCorasick>,
    /// Per pattern of `matcher`.
    targets: Vec<Target>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("people", &self.pseudonyms.len())
            .field("patterns", &self.targets.len())
            .finish()
    }
}

/// A person's stable identity: the canonical uuid, else the user id.
fn identity(user: &UserRecord) -> String {
    match user
        .uuid
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        Some(u) => match uuid::Uuid::parse_str(u) {
            Ok(parsed) => format!("uuid:{parsed}"),
            Err(_) => format!("uuid:{}", u.to_lowercase()),
        },
        None => format!("id:{}", user.id),
    }
}

/// `MAX_DIGITS` decimal digits from the SHA-256 of the tag and `identity`.
fn digits(identity: &str) -> String {
    let mut h = Sha256::new();
    h.update(TAG);
    h.update(identity.as_bytes());
    let hash = h.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&hash[..16]);
    format!("{:0width$}", u128::from_be_bytes(first), width = MAX_DIGITS)
}

/// Each person's code: the last `MIN_DIGITS` of their digits, one more for each round in which
/// it equals another person's code; `-<id>` is appended when even all the digits are equal (two
/// rows with the same uuid).
fn codes(digits: &[String], ids: &[i64]) -> Vec<String> {
    let mut len = vec![MIN_DIGITS; digits.len()];
    let code = |i: usize, len: &[usize]| digits[i][MAX_DIGITS - len[i]..].to_string();
    loop {
        let current: Vec<String> = (0..digits.len()).map(|i| code(i, &len)).collect();
        let mut count: HashMap<&str, usize> = HashMap::new();
        for c in &current {
            *count.entry(c.as_str()).or_default() += 1;
        }
        let grow: Vec<usize> = (0..digits.len())
            .filter(|&i| count[current[i].as_str()] > 1 && len[i] < MAX_DIGITS)
            .collect();
        if grow.is_empty() {
            return current
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if count[c.as_str()] > 1 {
                        format!("{c}-{}", ids[i])
                    } else {
                        c.clone()
                    }
                })
                .collect();
        }
        for i in grow {
            len[i] += 1;
        }
    }
}

/// Whitespace runs as one space, trimmed.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An email's local part that reads as a handle (`t.nakamura`, `jonas_b`, `ana2`): one that
/// has something besides letters. A local part of letters only is usually a first name (found
/// as such) or a word.
fn handle(email: &str) -> Option<&str> {
    let (local, _) = email.rsplit_once('@')?;
    (local.chars().count() >= MIN_NAME_CHARS && local.chars().any(|c| !c.is_alphabetic()))
        .then_some(local)
}

/// The spellings searched for `text` besides ASCII case: as stored, lower, upper, capitalised.
fn spellings(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    out.insert(text.to_string());
    out.insert(text.to_lowercase());
    out.insert(text.to_uppercase());
    let mut chars = text.chars();
    if let Some(first) = chars.next() {
        out.insert(first.to_uppercase().chain(chars).collect());
    }
    out
}

/// Whether `start..end` of `text` is a whole word: no letter touches it on either side.
fn whole_word(text: &str, start: usize, end: usize) -> bool {
    text.is_char_boundary(start)
        && text.is_char_boundary(end)
        && !text[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphabetic)
        && !text[end..].chars().next().is_some_and(char::is_alphabetic)
}

impl Redactor {
    /// The redactor of `people` (every `posthog_user` row; see [`crate::source::Source::people`]).
    pub fn new(people: &[UserRecord]) -> Redactor {
        let mut seen_ids = BTreeSet::new();
        let people: Vec<&UserRecord> = people.iter().filter(|p| seen_ids.insert(p.id)).collect();
        let all_digits: Vec<String> = people.iter().map(|p| digits(&identity(p))).collect();
        let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
        let pseudonyms: Vec<Pseudonym> = codes(&all_digits, &ids)
            .iter()
            .map(|c| Pseudonym::new(c))
            .collect();
        let by_id = people.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        let mut by_uuid = HashMap::new();
        for (i, p) in people.iter().enumerate() {
            if let Some(u) = p.uuid.as_deref() {
                by_uuid.entry(canonical_uuid(u)).or_insert(i);
            }
        }

        // What to look for, by its lowercase form: one person's, or several people's.
        let mut wanted: BTreeMap<String, (Target, String)> = BTreeMap::new();
        let mut want = |text: &str, target: Target| {
            let text = squeeze(text);
            if text.chars().count() < MIN_NAME_CHARS {
                return;
            }
            let key = text.to_lowercase();
            match wanted.get_mut(&key) {
                None => {
                    wanted.insert(key, (target, text));
                }
                Some((existing, _)) if existing.person() != target.person() => {
                    *existing = Target::Ambiguous;
                }
                Some(_) => {}
            }
        };
        for (i, p) in people.iter().enumerate() {
            let email = p.email.as_deref().map(str::trim).unwrap_or_default();
            if !email.is_empty() {
                want(email, Target::Email(i));
                if let Some(local) = handle(email) {
                    want(local, Target::Name(i));
                }
            }
            let first = squeeze(p.first_name.as_deref().unwrap_or_default());
            let last = squeeze(p.last_name.as_deref().unwrap_or_default());
            if !first.is_empty() && !last.is_empty() {
                want(&format!("{first} {last}"), Target::Name(i));
            }
            for name in [&first, &last] {
                want(name, Target::Name(i));
                for word in name.split(|c: char| c.is_whitespace() || c == '-') {
                    want(word, Target::Name(i));
                }
            }
        }
        let mut patterns = Vec::new();
        let mut targets = Vec::new();
        let mut taken = BTreeSet::new();
        for (target, text) in wanted.values() {
            for spelling in spellings(text) {
                if taken.insert(spelling.clone()) {
                    patterns.push(spelling);
                    targets.push(*target);
                }
            }
        }
        let matcher = (!patterns.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&patterns)
                // Only a pattern set beyond the automaton's size limits fails to build.
                .expect("the people's names and emails make a matcher")
        });
        Redactor {
            pseudonyms,
            by_id,
            by_uuid,
            matcher,
            targets,
        }
    }

    /// How many people it knows.
    pub fn len(&self) -> usize {
        self.pseudonyms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pseudonyms.is_empty()
    }

    /// The pseudonym of the person with user id `id`.
    pub fn pseudonym(&self, id: i64) -> Option<&Pseudonym> {
        self.by_id.get(&id).map(|&i| &self.pseudonyms[i])
    }

    fn replacement(&self, target: Target) -> &str {
        match target {
            Target::Name(i) => &self.pseudonyms[i].name,
            Target::Email(i) => &self.pseudonyms[i].email,
            Target::Ambiguous => AMBIGUOUS,
        }
    }

    /// The names and emails found in `text`: whole words, leftmost first, the longest of those
    /// starting at the same place, none overlapping.
    ///
    /// Names are looked for in the text as stored and as a reader sees it (character references
    /// decoded, markup and invisible characters between letters ignored: see [`visible`]); a name
    /// found only by the reader's eye replaces all the stored bytes it is spelled with.
    fn find(&self, text: &str) -> Vec<(usize, usize, Target)> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        let mut found: Vec<(usize, usize, Target)> = matcher
            .find_overlapping_iter(text)
            .filter(|m| whole_word(text, m.start(), m.end()))
            .map(|m| (m.start(), m.end(), self.targets[m.pattern().as_usize()]))
            .collect();
        // Only text that could hide a name from the plain search needs the reader's view.
        if text.contains(['&', '*', '_', '`', '\\', '~', '<'])
            || text.chars().any(visible::invisible)
        {
            let seen = visible::Visible::of(text);
            found.extend(
                matcher
                    .find_overlapping_iter(&seen.text)
                    .filter(|m| whole_word(&seen.text, m.start(), m.end()))
                    .filter_map(|m| {
                        let (start, end) = seen.source_range(m.start(), m.end())?;
                        Some((start, end, self.targets[m.pattern().as_usize()]))
                    }),
            );
        }
        found.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
        let mut kept = Vec::with_capacity(found.len());
        let mut free_from = 0;
        for (start, end, target) in found {
            if start >= free_from {
                kept.push((start, end, target));
                free_from = end;
            }
        }
        kept
    }

    /// `text` with every person's names and emails replaced.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let found = self.find(text);
        if found.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (start, end, target) in found {
            out.push_str(&text[last..start]);
            out.push_str(self.replacement(target));
            last = end;
        }
        out.push_str(&text[last..]);
        Cow::Owned(out)
    }

    /// The one person `text` names (every name or email found in it is theirs), if any.
    fn person_named(&self, text: &str) -> Option<usize> {
        let found = self.find(text);
        let first = found.first()?.2.person()?;
        found
            .iter()
            .all(|(_, _, t)| t.person() == Some(first))
            .then_some(first)
    }

    fn person_of(&self, user: &UserRecord) -> Pseudonym {
        self.by_id
            .get(&user.id)
            .or_else(|| {
                user.uuid
                    .as_deref()
                    .and_then(|u| self.by_uuid.get(&canonical_uuid(u)))
            })
            .map(|&i| self.pseudonyms[i].clone())
            // A user the people list lacks (it is read in the same transaction, so only a
            // database changing under a non-transactional reader): more digits, no collision.
            .unwrap_or_else(|| Pseudonym::new(&digits(&identity(user))[MAX_DIGITS - 12..]))
    }

    fn opt(&self, text: &mut Option<String>) {
        if let Some(t) = text
            && let Cow::Owned(replaced) = self.text(t)
        {
            *t = replaced;
        }
    }

    /// A user joined to a row: shown as their pseudonym, with no other name or email.
    pub fn user(&self, user: &mut UserRecord) {
        let p = self.person_of(user);
        user.first_name = Some(p.name);
        user.last_name = Some(String::new());
        user.email = Some(p.email);
    }

    /// Every string inside a JSON value (keys too); whether anything changed.
    fn value(&self, value: &mut Value) -> bool {
        match value {
            Value::String(s) => match self.text(s) {
                Cow::Owned(replaced) => {
                    *s = replaced;
                    true
                }
                Cow::Borrowed(_) => false,
            },
            Value::Array(items) => items
                .iter_mut()
                .fold(false, |changed, v| self.value(v) | changed),
            Value::Object(map) => {
                let mut changed = map
                    .values_mut()
                    .fold(false, |changed, v| self.value(v) | changed);
                if map.keys().any(|k| matches!(self.text(k), Cow::Owned(_))) {
                    let old = std::mem::take(map);
                    for (k, v) in old {
                        map.insert(self.text(&k).into_owned(), v);
                    }
                    changed = true;
                }
                changed
            }
            _ => false,
        }
    }

    /// `suggested_reviewers`: a reviewer who is a known person is shown as their pseudonym,
    /// without their GitHub login (a made-up login could be somebody's real account).
    fn reviewers(&self, value: &mut Value) -> bool {
        let Value::Array(items) = value else {
            return false;
        };
        let mut changed = false;
        for item in items {
            let Value::Object(entry) = item else { continue };
            let field = |key: &str| entry.get(key).and_then(Value::as_str);
            let person = field("user_uuid")
                .and_then(|u| self.by_uuid.get(&canonical_uuid(u)).copied())
                .or_else(|| {
                    let id = entry.get("user")?.get("id")?.as_i64()?;
                    self.by_id.get(&id).copied()
                })
                .or_else(|| field("github_name").and_then(|n| self.person_named(n)))
                .or_else(|| field("github_login").and_then(|l| self.person_named(l)));
            let Some(i) = person else { continue };
            entry.insert(
                "github_name".into(),
                Value::String(self.pseudonyms[i].name.clone()),
            );
            if entry.contains_key("github_login") {
                entry.insert("github_login".into(), Value::Null);
            }
            changed = true;
        }
        changed
    }

    /// Stored JSON `content` of an entry of type `kind` (or a run's output): names replaced
    /// where stored, then, if parsing shows a name an escape hid (or a reviewer to hide), the
    /// parsed value rewritten and written out again. Content that is not JSON is text.
    fn json(&self, content: &mut String, kind: &str) {
        if kind == "suggested_reviewers"
            && let Ok(mut value) = serde_json::from_str::<Value>(content)
        {
            // Reviewers are told by their names before those are replaced.
            if self.reviewers(&mut value) | self.value(&mut value) {
                *content = value.to_string();
            }
            return;
        }
        let stored = self.text(content);
        let (mut value, mut changed) = match serde_json::from_str::<Value>(&stored) {
            Ok(value) => (value, false),
            // Cannot happen (a replacement has no quote or backslash), but if it did: rewrite
            // the parsed original instead.
            Err(_) => match serde_json::from_str::<Value>(content) {
                Ok(value) => (value, true),
                Err(_) => {
                    if let Cow::Owned(replaced) = stored {
                        *content = replaced;
                    }
                    return;
                }
            },
        };
        changed |= self.value(&mut value);
        if changed {
            *content = value.to_string();
        } else if let Cow::Owned(replaced) = stored {
            *content = replaced;
        }
    }

    fn json_opt(&self, content: &mut Option<String>, kind: &str) {
        if let Some(c) = content {
            self.json(c, kind);
        }
    }

    /// Rewrites one report's rows in place. Every field is named here, so a field added to the
    /// records does not compile until it is decided whether it can hold a name.
    pub fn rows(&self, rows: &mut ReportRows) {
        let ReportRows {
            report,
            artefacts,
            tasks,
            runs,
            links,
            pull_requests,
            assignments,
            people,
            seen: _, // ids and timestamps
            versions,
            notices: _, // tables, columns and row ids
        } = rows;
        self.report(report);
        let mut kinds: HashMap<String, String> = HashMap::new();
        for artefact in artefacts.iter_mut() {
            let ArtefactRecord {
                id,
                kind,
                content,
                created_at: _,
                updated_at: _,
                created_by_id: _,
                created_by,
                task_id: _,
                channel_id: _,
                actor_kind: _,
                actor_agent,
                claim_id: _,
                pull_request_id: _,
            } = artefact;
            self.json_opt(content, kind);
            if let Some(user) = created_by {
                self.user(user);
            }
            self.opt(actor_agent);
            kinds.insert(id.clone(), kind.clone());
        }
        for task in tasks {
            let TaskRecord {
                id: _,
                title,
                repository,
                origin_product: _,
                created_at: _,
            } = task;
            self.opt(title);
            self.opt(repository);
        }
        for run in runs {
            let RunRecord {
                id: _,
                task_id: _,
                status: _,
                stage,
                branch,
                output,
                error_message,
                created_at: _,
                completed_at: _,
            } = run;
            self.opt(stage);
            self.opt(branch);
            self.json_opt(output, "");
            self.opt(error_message);
        }
        for link in links {
            let LinkRecord {
                id: _,
                task_id: _,
                relationship,
                created_at: _,
            } = link;
            self.opt(relationship);
        }
        for pr in pull_requests {
            let PullRequestRecord {
                id: _,
                repository,
                number: _,
                url,
                state: _,
                checked_at: _,
                merged_at: _,
                created_at: _,
                updated_at: _,
            } = pr;
            self.opt(repository);
            self.opt(url);
        }
        for assignment in assignments {
            let AssignmentRecord {
                id: _,
                actor_kind: _,
                actor_user_id: _,
                actor_user,
                actor_task_id: _,
                actor_agent,
                claimed_at: _,
                pr_url,
                repository,
                pr_number: _,
                pr_state: _,
                pr_merged: _,
                created_at: _,
                updated_at: _,
            } = assignment;
            if let Some(user) = actor_user {
                self.user(user);
            }
            self.opt(actor_agent);
            self.opt(pr_url);
            self.opt(repository);
        }
        for person in people {
            self.user(person);
        }
        for version in versions {
            let VersionRecord {
                kind,
                id,
                version: _,
                content,
                updated_at: _,
                first_seen: _,
                last_seen: _,
            } = version;
            let of = match kind.as_str() {
                "artefact" => kinds.get(id.as_str()).map_or("", String::as_str),
                _ => "",
            };
            self.json_opt(content, of);
        }
    }

    /// A report row: its title, summary and error.
    pub fn report(&self, report: &mut ReportRecord) {
        let ReportRecord {
            id: _,
            team_id: _,
            status: _,
            title,
            summary,
            error,
            signal_count: _,
            created_at: _,
            updated_at: _,
            run_count: _,
            corroboration_count: _,
            content_revision_count: _,
            implemented_at_run_count: _,
            implemented_at_revision_count: _,
        } = report;
        self.opt(title);
        self.opt(summary);
        self.opt(error);
    }
}

/// `text`, redacted when there is a redactor.
pub fn opt_text<'a>(redactor: Option<&Redactor>, text: Option<&'a str>) -> Option<Cow<'a, str>> {
    match (redactor, text) {
        (Some(redactor), Some(text)) => Some(redactor.text(text)),
        (None, text) => text.map(Cow::Borrowed),
        (_, None) => None,
    }
}

fn canonical_uuid(text: &str) -> String {
    let text = text.trim();
    uuid::Uuid::parse_str(text).map_or_else(|_| text.to_lowercase(), |u| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, email: &str, first: &str, last: &str) -> UserRecord {
        UserRecord {
            id,
            uuid: Some(format!("00000000-0000-4000-8000-{id:012}")),
            email: Some(email.into()),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
        }
    }

    fn people() -> Vec<UserRecord> {
        vec![
            person(1, "ann.whitfield@acme.test", "Ann", "Whitfield"),
            person(2, "bo@acme.test", "Bo", "Lindqvist"),
            person(3, "zoe@acme.test", "Zoë", "Ó Briain"),
            person(4, "dana.k@acme.test", "", ""),
            person(5, "ann.lee@acme.test", "Ann", "Lee"),
        ]
    }

    fn name(r: &Redactor, id: i64) -> String {
        r.pseudonym(id).unwrap().name.clone()
    }

    #[test]
    fn pseudonyms_are_stable_and_distinct() {
        let a = Redactor::new(&people());
        let b = Redactor::new(&people().into_iter().rev().collect::<Vec<_>>());
        let names: BTreeSet<String> = (1..=5).map(|id| name(&a, id)).collect();
        assert_eq!(names.len(), 5);
        for id in 1..=5 {
            assert_eq!(a.pseudonym(id), b.pseudonym(id));
            let p = a.pseudonym(id).unwrap();
            assert!(p.name.starts_with("Person "), "{p:?}");
            assert!(p.email.ends_with("@redacted.invalid"), "{p:?}");
        }
        // Without a uuid, the user id is the identity.
        let mut no_uuid = person(9, "x@acme.test", "Xavier", "Ng");
        no_uuid.uuid = None;
        let r = Redactor::new(&[no_uuid.clone()]);
        assert_eq!(r.pseudonym(9), Redactor::new(&[no_uuid]).pseudonym(9));
    }

    #[test]
    fn colliding_codes_get_longer() {
        let d = |tail: &str| format!("{tail:0>39}");
        let digits = vec![d("1123456"), d("2123456"), d("9999999"), d("2123456")];
        let codes = codes(&digits, &[1, 2, 3, 4]);
        assert_eq!(codes[0], "1123456");
        assert_eq!(codes[2], "999999");
        // Equal in every digit: told apart by the user id.
        assert!(
            codes[1].ends_with("-2") && codes[3].ends_with("-4"),
            "{codes:?}"
        );
        assert_eq!(codes.iter().collect::<BTreeSet<_>>().len(), 4);
    }

    #[test]
    fn names_are_replaced_as_whole_words() {
        let r = Redactor::new(&people());
        let (ann, bo, zoe, dana) = (name(&r, 1), name(&r, 2), name(&r, 3), name(&r, 4));
        let t = |s: &str| r.text(s).into_owned();
        assert_eq!(
            t("Annual review by Ann Whitfield, ann.whitfield@ACME.test."),
            format!("Annual review by {ann}, {}.", r.pseudonym(1).unwrap().email)
        );
        // Ann alone is two people's first name; WHITFIELD alone is one person's.
        assert_eq!(t("ANN and WHITFIELD"), format!("Someone and {ann}"));
        // Two letters: only as part of the full name.
        assert_eq!(
            t("Bo said; bo lindqvist agreed"),
            format!("Bo said; {bo} agreed")
        );
        assert_eq!(t("Lindqvist's"), format!("{bo}'s"));
        // Beyond ASCII, in the spellings names are written in.
        assert_eq!(t("ZOË and Zoë Ó Briain"), format!("{zoe} and {zoe}"));
        assert_eq!(t("cc briain"), format!("cc {zoe}"));
        // A handle-like local part.
        assert_eq!(t("ping dana.k on slack"), format!("ping {dana} on slack"));
        assert_eq!(t("(Whitfield)"), format!("({ann})"));
        assert!(matches!(
            r.text("nothing here: Annabel, whitfields"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn json_stays_json_and_escapes_do_not_hide_names() {
        let r = Redactor::new(&people());
        let ann = name(&r, 1);
        let zoe = name(&r, 3);
        let mut content =
            r#"{"note": "Zo\u00eb and\nWhitfield", "by": "ann.whitfield@acme.test"}"#.to_string();
        r.json(&mut content, "note");
        let v: Value = serde_json::from_str(&content).unwrap();
        assert_eq!(v["note"], format!("{zoe} and\n{ann}"));
        assert_eq!(v["by"], r.pseudonym(1).unwrap().email);

        // Nothing hidden: the stored formatting is kept.
        let mut content = r#"{"note": "by Whitfield",  "author": null}"#.to_string();
        r.json(&mut content, "note");
        assert_eq!(
            content,
            format!(r#"{{"note": "by {ann}",  "author": null}}"#)
        );

        // Not JSON: replaced as text.
        let mut content = "not json, Whitfield".to_string();
        r.json(&mut content, "note");
        assert_eq!(content, format!("not json, {ann}"));
    }

    #[test]
    fn known_reviewers_lose_their_login() {
        let r = Redactor::new(&people());
        let mut content = r#"[{"github_login":"annw","user_uuid":"00000000-0000-4000-8000-000000000001","github_name":"Ann W."},{"github_login":"zoe-briain","user_uuid":null,"github_name":null},{"github_login":"rkeller","github_name":"R. Keller"}]"#.to_string();
        r.json(&mut content, "suggested_reviewers");
        let v: Value = serde_json::from_str(&content).unwrap();
        assert_eq!(v[0]["github_name"], name(&r, 1));
        assert_eq!(v[0]["github_login"], Value::Null);
        assert_eq!(v[1]["github_name"], name(&r, 3));
        assert_eq!(v[1]["github_login"], Value::Null);
        assert_eq!(v[2]["github_login"], "rkeller");
    }

    #[test]
    fn rows_are_rewritten() {
        let r = Redactor::new(&people());
        let mut rows = ReportRows {
            report: ReportRecord {
                title: Some("Found by Whitfield".into()),
                ..Default::default()
            },
            artefacts: vec![ArtefactRecord {
                kind: "note".into(),
                content: Some(r#"{"note":"hi Ann Lee"}"#.into()),
                created_by_id: Some(2),
                created_by: Some(people()[1].clone()),
                ..Default::default()
            }],
            ..Default::default()
        };
        r.rows(&mut rows);
        assert_eq!(rows.report.title, Some(format!("Found by {}", name(&r, 1))));
        let user = rows.artefacts[0].created_by.as_ref().unwrap();
        assert_eq!(user.first_name.as_deref(), Some(name(&r, 2).as_str()));
        assert_eq!(user.last_name.as_deref(), Some(""));
        assert_eq!(user.email, Some(r.pseudonym(2).unwrap().email.clone()));
        assert_eq!(
            rows.artefacts[0].content,
            Some(format!(r#"{{"note":"hi {}"}}"#, name(&r, 5)))
        );
    }

    #[test]
    fn nobody_to_hide() {
        let r = Redactor::new(&[]);
        assert!(r.is_empty());
        assert!(matches!(r.text("Ann"), Cow::Borrowed(_)));
    }
}
