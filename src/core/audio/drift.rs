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

#[derive(Debug, Clone)]
pub struct LevelControl {
    target: f64,
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
}

impl LevelControl {
    /// `target` is the low point to hold the level at, in samples at `rate`.
    pub fn new(target: usize, rate: u32) -> LevelControl {
        LevelControl {
            target: target as f64,
            per_ms: f64::from(rate) / 1000.0,
            recent: std::collections::VecDeque::with_capacity(WINDOW),
            integral: 0.0,
        }
    }

    pub fn target(&self) -> usize {
        self.target as usize
    }

    /// Call once per 20 ms block written, with the level just before
    /// writing it. Returns the factor to scale the block's length by (above
    /// 1 when the buffer runs low: write more; below 1 when it fills up).
    pub fn ratio(&mut self, level: usize) -> f64 {
        if self.recent.len() == WINDOW {
            self.recent.pop_front();
        }
        self.recent.push_back(level as f64);
        let low = self.recent.iter().copied().fold(f64::MAX, f64::min);
        let error_ms = (self.target - low) / self.per_ms;
        // 100 ms off moves the ratio 0.5 %; a steady 0.1 % drift is learnt
        // by the integral within a few seconds.
        self.integral = (self.integral + error_ms * 2e-6).clamp(-MAX_ADJUST, MAX_ADJUST);
        1.0 + (error_ms * 5e-5 + self.integral).clamp(-MAX_ADJUST, MAX_ADJUST)
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
            let mut ctl = LevelControl::new(2880, 48_000);
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
        let mut ctl = LevelControl::new(1000, 48_000);
        for _ in 0..10_000 {
            let r = ctl.ratio(0);
            assert!((r - 1.0).abs() <= MAX_ADJUST + 1e-12);
        }
        let mut ctl = LevelControl::new(1000, 48_000);
        assert!(ctl.ratio(100_000) < 1.0);
    }
}
