//! The build's progress bar, drawn on standard error when it is a terminal (reports done,
//! entries, rate, time left); nothing otherwise, where the build's summary line says it all.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reportpress::site::{Progress, Quiet};

struct Bar {
    bar: ProgressBar,
    /// Entries and unchanged reports so far; updated with the message under one lock, so the
    /// figures shown never go backwards.
    counts: Mutex<(usize, usize)>,
}

/// A progress bar when standard error is a terminal, silence otherwise.
pub fn for_stderr() -> Arc<dyn Progress> {
    if !std::io::stderr().is_terminal() {
        return Arc::new(Quiet);
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8));
    let style = ProgressStyle::with_template("[{bar:20}] {pos}/{len} reports · {msg} · ETA {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    Arc::new(Bar {
        bar,
        counts: Mutex::new((0, 0)),
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
        counts.0 += entries;
        counts.1 += usize::from(!rendered);
        self.bar.inc(1);
        let rate = self.bar.position() as f64 / self.bar.elapsed().as_secs_f64().max(0.001);
        self.bar.set_message(format!(
            "{} entries · {} unchanged · {rate:.0}/s",
            counts.0, counts.1
        ));
    }

    fn finishing(&self) {
        self.bar
            .set_message("writing the index, people and task pages");
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        // The summary line takes its place.
        self.bar.finish_and_clear();
    }
}
