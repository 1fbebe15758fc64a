//! What changed, as the database says it: the signatures of [`super::Source::signatures`], by
//! report and by row a report draws on, gathered from the query's rows (PostgreSQL) or from
//! the lines it packs them into (SQLite: see `query::signatures`).

use std::collections::HashMap;

use crate::model::digest::sha256_hex;

/// What [`super::Source::signatures`] found: SHA-256 (hex) signatures that change when the rows
/// do.
#[derive(Debug, Default)]
pub struct Signatures {
    /// By report id, as [`super::Source::reports`] lists it.
    pub reports: HashMap<String, String>,
    /// Rows a report draws on by reference, by [`Signatures::task`], [`Signatures::runs`],
    /// [`Signatures::pull_request`], [`Signatures::user`] and [`Signatures::user_uuid`] keys.
    pub rows: HashMap<String, String>,
}

impl Signatures {
    pub fn task(team: i64, id: &str) -> String {
        format!("task:{team}:{id}")
    }
    pub fn runs(team: i64, task: &str) -> String {
        format!("runs:{team}:{task}")
    }
    pub fn pull_request(team: i64, id: &str) -> String {
        format!("pr:{team}:{id}")
    }
    /// A user's id, as a number or as the query's text.
    pub fn user(id: impl std::fmt::Display) -> String {
        format!("user:{id}")
    }
    pub fn user_uuid(uuid: &str) -> String {
        format!("uuid:{uuid}")
    }
}

/// The signatures as the query gives them, by kind and key. Two rows under one key (possible
/// where nothing enforces unique ids): both count.
#[derive(Default)]
pub(super) struct Found(HashMap<(&'static str, String), Vec<String>>);

impl Found {
    /// One row of the query: its `kind` (`report`, `task`, `runs`, `pr`, `user`), `key` and
    /// signature.
    pub(super) fn add(&mut self, kind: &str, key: String, sig: String) {
        let mut add = |kind, key| self.0.entry((kind, key)).or_default().push(sig.clone());
        match kind {
            "report" => add("report", key),
            "user" => {
                let (id, uuid) = key.split_once(' ').unwrap_or((key.as_str(), ""));
                add("row", Signatures::user(id));
                add("row", Signatures::user_uuid(uuid));
            }
            _ => add("row", format!("{kind}:{key}")),
        }
    }

    /// The rows SQLite packs into one text, a line each: `KIND HEX-OF-KEY SIG`. The key is hex
    /// because an id may hold any byte, a space or a line break included; it is read as the
    /// reader reads text (bytes that are not UTF-8 replaced). A line that is not of that form
    /// is skipped: its report then has no signature and is read, never taken as unchanged.
    pub(super) fn add_packed(&mut self, packed: &str) {
        for line in packed.lines() {
            let mut fields = line.splitn(3, ' ');
            let (Some(kind), Some(key), Some(sig)) = (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let Some(key) = unhex(key) else { continue };
            self.add(
                kind,
                String::from_utf8_lossy(&key).into_owned(),
                sig.to_string(),
            );
        }
    }

    pub(super) fn signatures(self) -> Signatures {
        let mut signatures = Signatures::default();
        for ((kind, key), mut sigs) in self.0 {
            sigs.sort();
            let hash = match sigs.as_slice() {
                [one] => one.clone(),
                _ => sha256_hex(sigs.join("\n").as_bytes()),
            };
            if kind == "report" {
                signatures.reports.insert(key, hash);
            } else {
                signatures.rows.insert(key, hash);
            }
        }
        signatures
    }
}

/// The bytes of hex digits (either case); `None` for anything else, an empty text included (a
/// key SQLite's `hex()` made of NULL).
fn unhex(hex: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| (b as char).to_digit(16);
    let hex = hex.as_bytes();
    if hex.is_empty() || !hex.len().is_multiple_of(2) {
        return None;
    }
    hex.chunks(2)
        .map(|pair| Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unhex_reads_pairs_of_digits_and_refuses_anything_else() {
        assert_eq!(unhex("00fF0a"), Some(vec![0, 255, 10]));
        assert_eq!(unhex(""), None);
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("+1"), None);
    }

    #[test]
    fn two_rows_under_one_key_both_count_in_any_order() {
        let mut one = Found::default();
        one.add("report", "r".into(), "a".into());
        one.add("user", "7 u-7".into(), "b".into());
        let both = |first: &str, second: &str| {
            let mut found = Found::default();
            found.add("report", "r".into(), first.into());
            found.add("report", "r".into(), second.into());
            found.signatures().reports["r"].clone()
        };
        let one = one.signatures();
        assert_eq!(one.reports["r"], "a");
        assert_eq!(both("c", "a"), sha256_hex(b"a\nc"));
        assert_eq!(both("a", "c"), both("c", "a"));
        assert_eq!(one.rows["user:7"], "b");
        assert_eq!(one.rows["uuid:u-7"], "b");
    }

    #[test]
    fn packed_lines_keep_keys_of_any_byte_and_skip_what_is_not_a_line_of_the_form() {
        let mut found = Found::default();
        // "a b\nc" (a space and a line break), bytes that are not UTF-8, a user's "ID UUID".
        found.add_packed(
            "report 6120620a63 s1\nreport 61ff s2\nuser 3720752d37 s3\n\
             report  s4\nreport zz s5\nreport 61\ntask 74 s6",
        );
        let found = found.signatures();
        assert_eq!(found.reports["a b\nc"], "s1");
        assert_eq!(found.reports["a\u{fffd}"], "s2");
        assert_eq!(found.rows["user:7"], "s3");
        assert_eq!(found.rows["uuid:u-7"], "s3");
        assert_eq!(found.rows["task:t"], "s6");
        // The NULL key (empty hex), the key that is not hex, the line without a signature.
        assert_eq!(found.reports.len(), 2, "{:?}", found.reports);
    }
}
