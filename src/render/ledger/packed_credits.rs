//! A report's credits as the build cache keeps them (`#[serde(with)]` on
//! [`ReportLedger`](super::ReportLedger)'s credits and mentions): each actor, report
//! and label written once in a table, each credit a row of numbers into them, its entry id and
//! its time as two numbers. Written whole, a credit repeated its actor's page and name (a
//! task's whole title), its report's id and its label: two thirds of a cache line, 13.3 KB a
//! report at 10,000 reports, read back and copied for every unchanged report on every rebuild
//! with a change (BENCHMARKS.md, "Signatures hashed inside SQLite").

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use super::{Credit, actor_kind_named};
use crate::model::Timestamp;

/// An actor as a credit names it: page, name, kind, on-behalf name.
type Actor = (String, String, String, Option<String>);
/// A credit: its actor, report and label by number, its entry, its time's parts.
type Row = (u32, u32, u32, Uuid, Option<(i64, u32)>);

#[derive(Default, Serialize, Deserialize)]
struct Packed {
    actors: Vec<Actor>,
    reports: Vec<Uuid>,
    labels: Vec<String>,
    rows: Vec<Row>,
}

/// The number of the value in `table` that `is` picks, `make` added at the end when there is
/// none (a report's credits have a few actors and labels: a scan is as quick as a map).
fn number<T>(table: &mut Vec<T>, is: impl Fn(&T) -> bool, make: impl FnOnce() -> T) -> u32 {
    let n = table.iter().position(is).unwrap_or_else(|| {
        table.push(make());
        table.len() - 1
    });
    u32::try_from(n).expect("fewer than 2^32 actors, reports or labels in one report")
}

pub fn serialize<S: Serializer>(credits: &[Credit], serializer: S) -> Result<S::Ok, S::Error> {
    let mut packed = Packed::default();
    for c in credits {
        let actor = number(
            &mut packed.actors,
            |(page, name, kind, on_behalf)| {
                *page == c.page && *name == c.name && kind == c.kind && *on_behalf == c.on_behalf
            },
            || {
                let kind = c.kind.to_string();
                (c.page.clone(), c.name.clone(), kind, c.on_behalf.clone())
            },
        );
        // The ledger's own report, every time: one entry, kept as a table like the others.
        let report = number(&mut packed.reports, |r| *r == c.report, || c.report);
        let label = number(&mut packed.labels, |l| *l == c.label, || c.label.clone());
        packed
            .rows
            .push((actor, report, label, c.entry, c.when.map(|t| t.to_parts())));
    }
    packed.serialize(serializer)
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Credit>, D::Error> {
    let packed = Packed::deserialize(deserializer)?;
    let kinds = packed
        .actors
        .iter()
        .map(|(_, _, kind, _)| {
            actor_kind_named(kind)
                .ok_or_else(|| D::Error::custom(format!("unknown actor kind {kind:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let missing = |what: &str, n: u32| D::Error::custom(format!("no {what} numbered {n}"));
    packed
        .rows
        .iter()
        .map(|&(actor, report, label, entry, when)| {
            let (page, name, _, on_behalf) = packed
                .actors
                .get(actor as usize)
                .ok_or_else(|| missing("actor", actor))?;
            let when = match when {
                Some((seconds, nanos)) => Some(
                    Timestamp::from_parts(seconds, nanos)
                        .ok_or_else(|| D::Error::custom("a time no instant has"))?,
                ),
                None => None,
            };
            Ok(Credit {
                page: page.clone(),
                name: name.clone(),
                kind: kinds[actor as usize],
                on_behalf: on_behalf.clone(),
                report: *packed
                    .reports
                    .get(report as usize)
                    .ok_or_else(|| missing("report", report))?,
                entry,
                label: packed
                    .labels
                    .get(label as usize)
                    .ok_or_else(|| missing("label", label))?
                    .clone(),
                when,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Holder(#[serde(with = "super")] Vec<Credit>);

    fn credit(page: &str, name: &str, kind: &'static str, label: &str, n: u128) -> Credit {
        Credit {
            page: page.into(),
            name: name.into(),
            kind,
            on_behalf: (kind == "agent").then(|| "Ada".to_string()),
            report: Uuid::from_u128(7),
            entry: Uuid::from_u128(n),
            label: label.into(),
            when: Timestamp::parse(&format!("2026-10-0{n}T09:14:22.123456789Z")),
        }
    }

    #[test]
    fn credits_read_back_exactly_and_smaller_than_written_whole() {
        let credits = vec![
            credit("people/user-1.html", "Ada", "user", "Note", 1),
            credit("tasks/t.html", "A long task title", "task", "Task run", 2),
            credit("people/user-1.html", "Ada", "user", "Note", 3),
            credit("people/agent-x.html", "x", "agent", "Note", 4),
            Credit {
                when: None,
                ..credit("people/system.html", "System", "system", "Priority", 5)
            },
        ];
        let packed = serde_json::to_string(&Holder(credits.clone())).unwrap();
        let back: Holder = serde_json::from_str(&packed).unwrap();
        assert_eq!(format!("{:?}", back.0), format!("{credits:?}"));
        let whole = serde_json::to_string(&credits).unwrap();
        assert!(
            packed.len() * 3 < whole.len() * 2,
            "{packed} against {whole}"
        );
    }

    #[test]
    fn a_number_with_nothing_behind_it_is_an_error_not_a_panic() {
        for line in [
            r#"{"actors":[],"reports":[],"labels":[],"rows":[[0,0,0,"00000000-0000-0000-0000-000000000001",null]]}"#,
            r#"{"actors":[["p","n","robot",null]],"reports":[],"labels":[],"rows":[]}"#,
            r#"{"actors":[["p","n","user",null]],"reports":["00000000-0000-0000-0000-000000000007"],"labels":["x"],"rows":[[0,0,0,"00000000-0000-0000-0000-000000000001",[0,4000000000]]]}"#,
        ] {
            assert!(serde_json::from_str::<Holder>(line).is_err(), "{line}");
        }
    }
}
