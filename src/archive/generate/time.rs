//! Time and ids: millisecond timestamps from 2025 on, written as PostHog's Django models write
//! them, uuid7 ids that carry their row's time, uuid4 ids, and the gaps between entries.

use chrono::{DateTime, SecondsFormat};

use super::rng::Rng;

pub(super) const SECOND: i64 = 1_000;
pub(super) const MINUTE: i64 = 60 * SECOND;
pub(super) const HOUR: i64 = 60 * MINUTE;
pub(super) const DAY: i64 = 24 * HOUR;
/// 2025-01-01T00:00:00Z in milliseconds.
pub(super) const EPOCH_2025: i64 = 1_735_689_600_000;

pub(super) fn ts(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `updated_at` as Django writes it: `auto_now` is stamped a few microseconds after
/// `auto_now_add` on insert, so a row saved once has `updated_at` 17 µs after `created_at`.
/// A later save (`updated` past `created`) is written as it is.
pub(super) fn updated_stamp(created: i64, updated: i64) -> String {
    if updated > created {
        return ts(updated);
    }
    DateTime::from_timestamp_micros(created * 1_000 + 17)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A uuid7: the millisecond timestamp, then random bits.
pub(super) fn uuid7(ms: i64, rng: &mut Rng) -> String {
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&(ms as u64).to_be_bytes()[2..]);
    b[6..14].copy_from_slice(&rng.next_u64().to_be_bytes());
    b[14..].copy_from_slice(&rng.next_u64().to_be_bytes()[..2]);
    b[6] = 0x70 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    uuid::Uuid::from_bytes(b).to_string()
}

pub(super) fn uuid4(rng: &mut Rng) -> String {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&rng.next_u64().to_be_bytes());
    b[8..].copy_from_slice(&rng.next_u64().to_be_bytes());
    b[6] = 0x40 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    uuid::Uuid::from_bytes(b).to_string()
}

/// A time gap between two entries: mostly minutes, sometimes hours, now and then days.
pub(super) fn gap(rng: &mut Rng) -> i64 {
    let ms = match rng.weighted(&[70, 25, 5]) {
        0 => rng.range(20 * SECOND as u64, 30 * MINUTE as u64),
        1 => rng.range(HOUR as u64, 12 * HOUR as u64),
        _ => rng.range(DAY as u64, 7 * DAY as u64),
    };
    ms as i64
}
