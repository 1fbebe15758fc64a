//! One canonical form for every id. PostHog's ids are uuids, but a SQLite archive made by hand
//! (or by an attacker) can spell one uuid several ways — capitals, braces, `urn:uuid:`, no
//! hyphens — or repeat an id outright. Pages and anchors are named by the canonical uuid, so two
//! rows that spell one uuid would write to one page or one anchor and hide each other. They are
//! kept apart instead: the first keeps the uuid, every other gets a stand-in id derived from it,
//! with a notice saying so. A stored id that is no uuid at all gets a stand-in too ([`row_id`]).

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

/// The id each report row of a build is shown under, by its id as stored.
#[derive(Clone, Debug, Default)]
pub struct ReportIds {
    by_raw: BTreeMap<String, (Uuid, Option<String>)>,
}

impl ReportIds {
    /// Assigns ids to the report rows whose stored ids are `raw`. Of the rows that spell one uuid,
    /// the one spelled canonically (else the first in byte order) keeps it.
    pub fn assign<'a>(raw: impl IntoIterator<Item = &'a str>) -> ReportIds {
        let mut spellings: BTreeMap<Uuid, Vec<&str>> = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for raw in raw {
            if seen.insert(raw) {
                spellings
                    .entry(row_id(raw, &mut Vec::new()))
                    .or_default()
                    .push(raw);
            }
        }
        let taken: BTreeSet<Uuid> = spellings.keys().copied().collect();
        let mut by_raw = BTreeMap::new();
        for (id, mut raws) in spellings {
            let canonical = id.to_string();
            raws.sort_by_key(|r| (*r != canonical, *r));
            let keeper = raws[0];
            by_raw.insert(keeper.to_string(), (id, None));
            for other in &raws[1..] {
                let stand_in = stand_in(other, |c| taken.contains(c));
                let notice = format!(
                    "this report's id {other:?} spells the same uuid as report {keeper:?}: it is \
                     shown under a stand-in id so that neither hides the other"
                );
                by_raw.insert(other.to_string(), (stand_in, Some(notice)));
            }
        }
        ReportIds { by_raw }
    }

    /// The id a report row stored as `raw` is shown under, and why when it is a stand-in.
    pub fn get(&self, raw: &str) -> Option<&(Uuid, Option<String>)> {
        self.by_raw.get(raw)
    }
}

/// A stand-in for a row whose id another row already has: derived from its stored id (so it is
/// stable across builds), and never one of the ids `taken`.
fn stand_in(raw: &str, taken: impl Fn(&Uuid) -> bool) -> Uuid {
    let mut n = 0u32;
    loop {
        let id = Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("{raw}#{n}").as_bytes());
        if !taken(&id) {
            return id;
        }
        n += 1;
    }
}

/// Gives every entry but the first of each id a stand-in id, with a notice: `ids` are the log's
/// ids in log order; returns the new id (and the notice) of each entry that needs one.
pub fn distinct_entries(ids: &[Uuid]) -> Vec<(usize, Uuid, String)> {
    let all: BTreeSet<Uuid> = ids.iter().copied().collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (index, id) in ids.iter().enumerate() {
        if seen.insert(*id) {
            continue;
        }
        let stand_in = stand_in(&id.to_string(), |c| all.contains(c) || seen.contains(c));
        seen.insert(stand_in);
        out.push((
            index,
            stand_in,
            format!(
                "another entry of this report has the id {id}: this one is shown under a \
                 stand-in id so that each keeps its own anchor"
            ),
        ));
    }
    out
}

/// A row's uuid. A value that is not one (possible in a hand-made SQLite archive) gets a
/// stand-in derived from it, with a notice, so the row is still shown and linkable.
pub fn row_id(raw: &str, notices: &mut Vec<String>) -> Uuid {
    match Uuid::parse_str(raw.trim()) {
        Ok(id) => id,
        Err(_) => {
            notices.push(format!(
                "the row's id {raw:?} is not a uuid; a stand-in id derived from it is used"
            ));
            Uuid::new_v5(&Uuid::NAMESPACE_OID, raw.as_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_uuid_are_kept_apart() {
        let canonical = "019a0000-0000-7000-8000-000000000001";
        let spellings = [
            "019A0000-0000-7000-8000-000000000001",
            "{019a0000-0000-7000-8000-000000000001}",
            "urn:uuid:019a0000-0000-7000-8000-000000000001",
            "019a0000000070008000000000000001",
            canonical,
        ];
        let ids = ReportIds::assign(spellings);
        let (kept, notice) = ids.get(canonical).unwrap();
        assert_eq!(kept.to_string(), canonical);
        assert!(notice.is_none());
        let all: BTreeSet<Uuid> = spellings.iter().map(|s| ids.get(s).unwrap().0).collect();
        assert_eq!(all.len(), 5, "five rows, five pages");
        for s in &spellings[..4] {
            assert!(
                ids.get(s)
                    .unwrap()
                    .1
                    .as_deref()
                    .unwrap()
                    .contains("stand-in")
            );
        }
        // Stable: the same rows give the same ids.
        assert_eq!(
            ReportIds::assign(spellings).get(spellings[0]).unwrap().0,
            ids.get(spellings[0]).unwrap().0
        );
    }

    #[test]
    fn duplicate_entry_ids_get_their_own() {
        let a = Uuid::parse_str("019a0000-0000-7000-8000-00000000000a").unwrap();
        let b = Uuid::parse_str("019a0000-0000-7000-8000-00000000000b").unwrap();
        let fixes = distinct_entries(&[a, b, a, a]);
        assert_eq!(fixes.len(), 2);
        assert_eq!(fixes[0].0, 2);
        assert_eq!(fixes[1].0, 3);
        assert_ne!(fixes[0].1, fixes[1].1);
        assert!(![a, b].contains(&fixes[0].1));
    }
}
