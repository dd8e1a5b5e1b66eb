//! The one clock every time source reads: `loop.time()`, `time.monotonic()`,
//! `time.perf_counter()` and `time.time()`.
//!
//! In virtual mode the clock only moves when the event loop has nothing to run and
//! jumps to the next timer, so a program that sleeps an hour finishes at once and
//! still reports 3600 seconds.

use std::cell::Cell;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub struct Clock {
    virtual_mode: Cell<bool>,
    /// Virtual seconds since start.
    virtual_now: Cell<f64>,
    start: Instant,
    /// Wall-clock time at start, seconds since the epoch.
    epoch_start: f64,
}

impl Clock {
    pub fn new(virtual_mode: bool) -> Clock {
        let epoch_start = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
        Clock { virtual_mode: Cell::new(virtual_mode), virtual_now: Cell::new(0.0), start: Instant::now(), epoch_start }
    }
    pub fn is_virtual(&self) -> bool {
        self.virtual_mode.get()
    }
    pub fn set_virtual(&self, on: bool) {
        self.virtual_mode.set(on);
    }
    /// Monotonic seconds (the loop's time).
    pub fn now(&self) -> f64 {
        if self.virtual_mode.get() {
            // A base like CPython's monotonic clock, so printed loop times look alike.
            10_000.0 + self.virtual_now.get()
        } else {
            self.start.elapsed().as_secs_f64() + 10_000.0
        }
    }
    /// Seconds since the epoch (`time.time()`).
    pub fn wall(&self) -> f64 {
        if self.virtual_mode.get() {
            self.epoch_start + self.virtual_now.get()
        } else {
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
        }
    }
    /// Jump forward to monotonic time `t` (virtual mode only).
    pub fn advance_to(&self, t: f64) {
        let v = t - 10_000.0;
        if v > self.virtual_now.get() {
            self.virtual_now.set(v);
        }
    }
    /// A blocking sleep: real, or a jump of the virtual clock.
    pub fn sleep(&self, secs: f64) {
        if secs <= 0.0 {
            return;
        }
        if self.virtual_mode.get() {
            self.virtual_now.set(self.virtual_now.get() + secs);
        } else {
            std::thread::sleep(std::time::Duration::from_secs_f64(secs.min(1e7)));
        }
    }
}
