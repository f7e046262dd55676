//! Keeping a device's buffer at its target level when two clocks disagree.
//!
//! An audio device runs on its own crystal; the network's 20 ms does not.
//! 0.1 % apart, a buffer between them gains or loses 3.6 s an hour: delay
//! that grows, or clicks when it runs dry. This controller reads the
//! buffer's level and returns a resampling ratio a hair above or below 1,
//! so the producer writes exactly as fast as the device reads, without a
//! dropped or repeated sample. Pure: levels come in as numbers.

/// The most the ratio moves from 1: 0.5 %, inaudible, ten times the
/// worst drift of consumer audio clocks.
const MAX_ADJUST: f64 = 0.005;
/// Blocks of 20 ms the low point is taken over: one second.
const WINDOW: usize = 50;

/// How far the target rises each time the buffer runs dry: 10 ms.
const RAISE_MS: f64 = 10.0;

#[derive(Debug, Clone)]
pub struct LevelControl {
    target: f64,
    /// The highest the target may rise to, in samples.
    max_target: f64,
    /// Samples per millisecond: errors are judged in time, not in samples
    /// or as a share of the target, so one device period more or less (a
    /// burst from a busy device) moves the pitch by a hair, not 0.5 %.
    per_ms: f64,
    /// The last second of levels. Devices deliver and take audio in lumps
    /// (one period, or several when busy), so the level saw-tooths; its
    /// low point is the margin against running dry, and that is what is
    /// held at the target.
    recent: std::collections::VecDeque<f64>,
    /// The integral term: the drift it has learnt.
    integral: f64,
    /// The low point [`Self::ratio`] last found.
    low: f64,
}

impl LevelControl {
    /// `target` is the low point to hold the level at, in samples at `rate`.
    /// Running dry raises it by 10 ms at a time, up to `max_target`.
    pub fn new(target: usize, max_target: usize, rate: u32) -> LevelControl {
        LevelControl {
            target: target as f64,
            max_target: max_target.max(target) as f64,
            per_ms: f64::from(rate) / 1000.0,
            recent: std::collections::VecDeque::with_capacity(WINDOW),
            integral: 0.0,
            low: 0.0,
        }
    }

    pub fn target(&self) -> usize {
        self.target as usize
    }

    pub fn target_ms(&self) -> f64 {
        self.target / self.per_ms
    }

    /// The buffer ran dry: the margin was too thin for how late this
    /// machine's threads come (a busy laptop, a loaded CI runner), so it
    /// grows by 10 ms, up to the maximum. It does not shrink back within a
    /// call: one more click to win back 10 ms of delay is a bad trade.
    pub fn ran_dry(&mut self) {
        self.target = (self.target + RAISE_MS * self.per_ms).min(self.max_target);
    }

    /// The lowest level of the last second, once a whole second is known.
    pub fn low(&self) -> Option<f64> {
        (self.recent.len() == WINDOW).then_some(self.low)
    }

    /// `n` samples were cut from the buffer at once: the levels remembered
    /// drop with it, so the cut is not taken for a second error.
    pub fn cut(&mut self, n: usize) {
        for level in &mut self.recent {
            *level = (*level - n as f64).max(0.0);
        }
        self.low = (self.low - n as f64).max(0.0);
    }

    /// Call once per 20 ms block written, with the level just before
    /// writing it. Returns the factor to scale the block's length by (above
    /// 1 when the buffer runs low: write more; below 1 when it fills up).
    pub fn ratio(&mut self, level: usize) -> f64 {
        if self.recent.len() == WINDOW {
            self.recent.pop_front();
        }
        self.recent.push_back(level as f64);
        self.low = self.recent.iter().copied().fold(f64::MAX, f64::min);
        let error_ms = (self.target - self.low) / self.per_ms;
        // Critically damped: per 20 ms block the proportional term closes
        // 0.4 % of the error (25 ms off moves the ratio 0.5 %), and the
        // integral gain is a quarter of its square, so a step settles in
        // about ten seconds without swinging past, and a steady 0.1 % drift
        // is learnt. (A tenth of this damping rang for minutes.)
        self.integral = (self.integral + error_ms * 2e-7).clamp(-MAX_ADJUST, MAX_ADJUST);
        1.0 + (error_ms * 2e-4 + self.integral).clamp(-MAX_ADJUST, MAX_ADJUST)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A producer writes 960 samples per 20 ms, scaled by the controller;
    /// a device 0.1 % fast or slow reads in 441-sample callbacks. Ten
    /// simulated minutes: the level settles at the target, never runs dry
    /// after the start, never grows.
    #[test]
    fn a_device_clock_off_by_a_tenth_of_a_percent_is_absorbed() {
        for device_speed in [1.001, 0.999] {
            let mut ctl = LevelControl::new(2880, 2880, 48_000);
            let mut level = 2880.0f64;
            let mut wrote = 0.0f64;
            let mut read = 0.0f64;
            let (mut min, mut max) = (f64::MAX, 0.0f64);
            let mut underruns = 0;
            let step_ms = 20.0;
            for block in 0..30_000u64 {
                let r = ctl.ratio(level as usize);
                let n = 960.0 * r;
                level += n;
                wrote += n;
                // What the device took in those 20 ms of our clock.
                let due = (block + 1) as f64 * step_ms * 48.0 * device_speed;
                while read + 441.0 <= due {
                    if level < 441.0 {
                        underruns += 1;
                    }
                    level = (level - 441.0).max(0.0);
                    read += 441.0;
                }
                if block > 3000 {
                    min = min.min(level);
                    max = max.max(level);
                }
            }
            assert_eq!(underruns, 0, "speed {device_speed}");
            assert!(
                min > 1000.0 && max < 5000.0,
                "speed {device_speed}: {min}..{max}"
            );
            let learnt = wrote / (960.0 * 30_000.0);
            assert!(
                (learnt - device_speed).abs() < 0.0002,
                "{learnt} vs {device_speed}"
            );
        }
    }

    #[test]
    fn the_ratio_is_bounded() {
        let mut ctl = LevelControl::new(1000, 1000, 48_000);
        for _ in 0..10_000 {
            let r = ctl.ratio(0);
            assert!((r - 1.0).abs() <= MAX_ADJUST + 1e-12);
        }
        let mut ctl = LevelControl::new(1000, 1000, 48_000);
        assert!(ctl.ratio(100_000) < 1.0);
    }

    /// The level starts 20 ms above the target (what was held when the call
    /// began). It comes down and stays, without swinging past the target and
    /// back: a controller that rings moves the pitch by tenths of a percent
    /// for minutes (the first tuning here did, 20 s a swing, ±0.3 %).
    #[test]
    fn a_step_settles_without_ringing() {
        let mut ctl = LevelControl::new(480, 480, 48_000);
        let mut level = 480.0 + 960.0;
        let mut lowest = f64::MAX;
        let mut late_ratios = Vec::new();
        for block in 0..3000 {
            let r = ctl.ratio(level as usize);
            level += 960.0 * r - 960.0;
            lowest = lowest.min(level);
            if block >= 1500 {
                late_ratios.push(r);
            }
        }
        assert!(lowest > 480.0 - 48.0 * 3.0, "swung to {lowest}");
        assert!((level - 480.0).abs() < 48.0, "ended at {level}");
        for r in late_ratios {
            assert!((r - 1.0).abs() < 0.0003, "{r}");
        }
    }

    #[test]
    fn the_margin_stops_at_its_maximum() {
        let mut ctl = LevelControl::new(480, 1920, 48_000);
        for _ in 0..10 {
            ctl.ran_dry();
        }
        assert_eq!(ctl.target(), 1920);
        assert_eq!(ctl.target_ms(), 40.0);
    }
}
