//! The build's progress bar, drawn on standard error when it is a terminal (reports done, time
//! left, entries, unchanged reports, rate); nothing otherwise, where the build's summary line
//! says it all. The line fits the terminal's width (the message is cut, never wrapped), and the
//! time left is estimated from entries, not reports: reports range from 8 to 400 entries, and
//! the time before the first report is done (reading, starting the workers) is left out.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reportpress::site::{Progress, Quiet};

struct Bar {
    bar: ProgressBar,
    /// Updated with the message under one lock, so the figures shown never go backwards.
    counts: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    reports: usize,
    entries: usize,
    unchanged: usize,
    /// When the first report was done, and the entries done then: the rate is measured from
    /// there, past the start-up.
    first: Option<(Instant, usize)>,
}

impl Counts {
    /// The time left: the reports to go times the entries per report so far, at the rate
    /// entries have been done since the first report; `None` until that rate means something.
    fn time_left(&self, total: usize, now: Instant) -> Option<Duration> {
        let (since, entries_then) = self.first?;
        let elapsed = now.duration_since(since).as_secs_f64();
        let entries = self.entries.saturating_sub(entries_then);
        if elapsed < 0.5 || entries == 0 || self.reports < 2 {
            return None;
        }
        let per_report = self.entries as f64 / self.reports as f64;
        let to_go = total.saturating_sub(self.reports) as f64 * per_report;
        Some(Duration::from_secs_f64(to_go / (entries as f64 / elapsed)))
    }
}

/// A progress bar when standard error is a terminal, silence otherwise.
pub fn for_stderr() -> Arc<dyn Progress> {
    if !std::io::stderr().is_terminal() {
        return Arc::new(Quiet);
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8));
    // `wide_msg` takes the width the rest leaves and cuts the message to it: the line never
    // wraps, whatever the terminal's width.
    let style = ProgressStyle::with_template("[{bar:12}] {pos}/{len} reports · {wide_msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message("ETA …");
    Arc::new(Bar {
        bar,
        counts: Mutex::new(Counts::default()),
    })
}

impl Progress for Bar {
    fn start(&self, reports: usize) {
        self.bar.set_length(reports as u64);
        self.bar.enable_steady_tick(Duration::from_millis(250));
    }

    fn report(&self, entries: usize, rendered: bool) {
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        let now = Instant::now();
        counts.reports += 1;
        counts.entries += entries;
        counts.unchanged += usize::from(!rendered);
        if counts.first.is_none() {
            counts.first = Some((now, counts.entries));
        }
        self.bar.inc(1);
        let total = self.bar.length().unwrap_or_default() as usize;
        let left = counts
            .time_left(total, now)
            .map_or_else(|| "…".to_string(), duration);
        let rate = counts.entries as f64 / self.bar.elapsed().as_secs_f64().max(0.001);
        // Most telling first: the message is cut at the terminal's edge.
        self.bar.set_message(format!(
            "ETA {left} · {} entries · {rate:.0}/s · {} unchanged",
            counts.entries, counts.unchanged
        ));
    }

    fn finishing(&self) {
        self.bar
            .set_message("writing the index, people and task pages");
    }
}

/// `45s`, `6m 05s`, `1h 02m`.
fn duration(left: Duration) -> String {
    let secs = left.as_secs();
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m {:02}s", secs / 60, secs % 60),
        _ => format!("{}h {:02}m", secs / 3600, secs % 3600 / 60),
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        // The summary line takes its place.
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The estimate is the entries to go (reports to go times entries per report so far) at
    /// the rate entries were done since the first report: the time before it is not counted.
    #[test]
    fn time_left_is_estimated_from_entries_since_the_first_report() {
        let start = Instant::now();
        let counts = |reports, entries| Counts {
            reports,
            entries,
            unchanged: 0,
            first: Some((start, 10)),
        };
        let now = start + Duration::from_secs(2);
        // 110 entries in 10 reports (11 each); 100 entries in 2 s since the first: 50/s.
        // 10 reports to go, about 110 entries: 2.2 s.
        let left = counts(10, 110).time_left(20, now).unwrap();
        assert_eq!(left.as_millis(), 2200);
        // 210 entries (21 each), 200 of them in 2 s: about 210 to go at 100/s.
        let left = counts(10, 210).time_left(20, now).unwrap();
        assert_eq!(left.as_millis(), 2100);
        // Too early to tell: nothing.
        assert_eq!(counts(1, 10).time_left(20, now), None);
        assert_eq!(
            counts(10, 110).time_left(20, start + Duration::from_millis(100)),
            None
        );
    }

    #[test]
    fn durations_are_short() {
        assert_eq!(duration(Duration::from_secs(45)), "45s");
        assert_eq!(duration(Duration::from_secs(365)), "6m 05s");
        assert_eq!(duration(Duration::from_secs(3720)), "1h 02m");
    }
}
