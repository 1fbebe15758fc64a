//! Timestamps as the databases give them (RFC 3339 text, or PostgreSQL's and SQLite's
//! own text forms), normalised to UTC so that both sources render identically.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

/// As RFC 3339 text to the nanosecond (the build cache keeps index rows and ledgers): read back
/// exactly.
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_rfc3339_opts(SecondsFormat::Nanos, true))
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| Timestamp(t.with_timezone(&Utc)))
            .map_err(serde::de::Error::custom)
    }
}

impl Timestamp {
    /// Seconds since 1970 and the nanoseconds past them: the instant as two numbers, read back
    /// exactly by [`Timestamp::from_parts`] (the build cache's packed credits).
    pub fn to_parts(&self) -> (i64, u32) {
        (self.0.timestamp(), self.0.timestamp_subsec_nanos())
    }

    /// The instant of [`Timestamp::to_parts`]; `None` for parts no instant has.
    pub fn from_parts(seconds: i64, nanos: u32) -> Option<Self> {
        DateTime::from_timestamp(seconds, nanos).map(Timestamp)
    }

    /// Parses `2026-10-03T09:14:22Z`, `2026-10-03 09:14:22.48+00`, `2026-10-03 09:14:22` (taken as UTC)
    /// and the other RFC 3339 / ISO 8601 variants databases print.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Some(Self(t.with_timezone(&Utc)));
        }
        let mut t = text.replacen(' ', "T", 1);
        // PostgreSQL prints offsets as `+00`; RFC 3339 wants `+00:00`.
        if let Some(pos) = t.rfind(['+', '-'])
            && pos > 10
            && t.len() - pos == 3
        {
            t.push_str(":00");
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(&t) {
            return Some(Self(t.with_timezone(&Utc)));
        }
        for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(&t, format) {
                return Some(Self(naive.and_utc()));
            }
        }
        None
    }

    /// Machine form for `datetime=` attributes and manifests: `2026-10-03T09:14:22Z`
    /// (fractional seconds only when present).
    pub fn iso(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }

    /// Human form, the one every page uses: `3 Oct 2026, 09:14 UTC`.
    pub fn display(&self) -> String {
        self.0.format("%-d %b %Y, %H:%M UTC").to_string()
    }

    /// A stored text that is a timestamp, in the human form; any other text as it is.
    pub fn humanize(text: &str) -> String {
        match Self::parse(text) {
            Some(t) => t.display(),
            None => text.to_string(),
        }
    }

    /// Whether `self` is more than `tolerance` after `earlier`.
    pub fn later_than(&self, earlier: Timestamp, tolerance: chrono::TimeDelta) -> bool {
        self.0 - earlier.0 > tolerance
    }

    /// The calendar day, `2026-10-03` (machine form: sitemaps, grouping).
    pub fn day(&self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }

    /// The calendar day in the human form: `3 Oct 2026`.
    pub fn date_label(&self) -> String {
        self.0.format("%-d %b %Y").to_string()
    }

    /// The calendar day as a heading reads it: `Saturday, 3 Oct 2026`.
    pub fn day_label(&self) -> String {
        self.0.format("%A, %-d %b %Y").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    #[test]
    fn database_forms_agree() {
        let forms = [
            "2026-10-03T09:14:22Z",
            "2026-10-03T09:14:22.000000Z",
            "2026-10-03 09:14:22+00",
            "2026-10-03 09:14:22+00:00",
            "2026-10-03 11:14:22+02:00",
            "2026-10-03 09:14:22",
        ];
        let first = Timestamp::parse(forms[0]).unwrap();
        for form in forms {
            assert_eq!(Timestamp::parse(form), Some(first), "{form}");
        }
        assert_eq!(first.iso(), "2026-10-03T09:14:22Z");
        assert_eq!(first.display(), "3 Oct 2026, 09:14 UTC");
        assert_eq!(first.day_label(), "Saturday, 3 Oct 2026");
        assert_eq!(
            Timestamp::humanize("2026-10-03 09:14:22+00"),
            "3 Oct 2026, 09:14 UTC"
        );
        assert_eq!(Timestamp::humanize("soon"), "soon");
    }

    #[test]
    fn later_than_needs_more_than_the_tolerance() {
        let a = Timestamp::parse("2026-10-03T09:14:22.000000Z").unwrap();
        let b = Timestamp::parse("2026-10-03T09:14:22.000017Z").unwrap();
        let c = Timestamp::parse("2026-10-03T09:14:23.500000Z").unwrap();
        let second = chrono::TimeDelta::seconds(1);
        assert!(!b.later_than(a, second));
        assert!(c.later_than(a, second));
        assert!(!a.later_than(c, second));
    }

    #[test]
    fn fractions_are_kept_and_garbage_refused() {
        let t = Timestamp::parse("2026-10-03T09:14:22.481Z").unwrap();
        assert_eq!(t.iso(), "2026-10-03T09:14:22.481Z");
        assert!(Timestamp::parse("yesterday").is_none());
        assert!(Timestamp::parse("").is_none());
    }
}
