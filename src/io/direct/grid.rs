//! The process's 20 ms grid. Every call's media ticks fall on it, and in a
//! call the core's timers are rounded up to it, so one wake-up of the
//! runtime serves every call whose time it is. Spread over their own
//! phases, a thousand calls woke a worker every 20 µs, and on a virtual
//! machine each wake-up from idle costs more than the packet it serves.
//!
//! The grid has [`LANES`] lanes, 5 ms apart, and calls take them in turn:
//! a thousand calls on one instant made a burst of a thousand packets out,
//! whose last ones left more than a frame late (skipped) on a busy
//! machine, while the rest of the 20 ms sat idle.

use crate::io::media::FRAME_TIME;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::time::{Interval, MissedTickBehavior};

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Lanes of the grid.
pub const LANES: u32 = 4;

/// One lane of the grid: its points are the grid's, moved by a fixed
/// fraction of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lane {
    offset: Duration,
}

impl Lane {
    /// The lane for a new call: each in turn.
    pub fn next() -> Lane {
        static TURN: AtomicUsize = AtomicUsize::new(0);
        Lane::nth(TURN.fetch_add(1, Ordering::Relaxed))
    }

    /// The lane of the `turn`th call.
    fn nth(turn: usize) -> Lane {
        Lane {
            offset: FRAME_TIME / LANES * (turn % LANES as usize) as u32,
        }
    }

    /// The lane's point at or before `t`.
    pub fn floor(self, t: Instant) -> Instant {
        floor_from(epoch() + self.offset, t)
    }

    /// The lane's point at or after `t`.
    pub fn ceil(self, t: Instant) -> Instant {
        let f = self.floor(t);
        if f == t { t } else { f + FRAME_TIME }
    }
}

/// The point of the grid that starts at `epoch` at or before `t` (the one
/// before `epoch` for a `t` before it).
fn floor_from(epoch: Instant, t: Instant) -> Instant {
    if t < epoch {
        return epoch.checked_sub(FRAME_TIME).unwrap_or(t);
    }
    let n = (t - epoch).as_nanos() / FRAME_TIME.as_nanos();
    epoch + FRAME_TIME * n as u32
}

/// Ticks every 20 ms from `began` (a lane's point), the first at once when
/// `began` has passed; a late tick skips to the next grid point.
pub fn ticker(began: Instant) -> Interval {
    let mut t = tokio::time::interval_at(began.into(), FRAME_TIME);
    t.set_missed_tick_behavior(MissedTickBehavior::Skip);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_fall_to_the_grid_point_before_and_rise_to_the_one_after() {
        let e = Instant::now();
        let ms = Duration::from_millis;
        assert_eq!(floor_from(e, e), e);
        assert_eq!(floor_from(e, e + ms(19)), e);
        assert_eq!(floor_from(e, e + ms(20)), e + ms(20));
        assert_eq!(floor_from(e, e + ms(47)), e + ms(40));
        assert_eq!(floor_from(e + ms(5), e), e - ms(15));
        for n in 0..LANES as usize {
            let lane = Lane::nth(n);
            let t = Instant::now() + ms(5);
            let (f, c) = (lane.floor(t), lane.ceil(t));
            assert!(f <= t && t - f < FRAME_TIME && lane.floor(f) == f);
            assert!(c >= t && c - t < FRAME_TIME && lane.floor(c) == c);
            assert_eq!(lane.ceil(c), c);
        }
    }

    /// Calls take the lanes in turn, and the lanes' points are a quarter
    /// of a frame apart.
    #[test]
    fn calls_take_the_lanes_in_turn_a_quarter_frame_apart() {
        let offsets: Vec<Duration> = (0..6).map(|turn| Lane::nth(turn).offset).collect();
        let ms = Duration::from_millis;
        assert_eq!(offsets, [ms(0), ms(5), ms(10), ms(15), ms(0), ms(5)]);
        let t = Instant::now();
        let (a, b) = (Lane::nth(0).floor(t), Lane::nth(1).floor(t));
        let apart = if b > a { b - a } else { a - b };
        assert!(
            apart == FRAME_TIME / LANES || apart == FRAME_TIME - FRAME_TIME / LANES,
            "{apart:?}"
        );
    }

    /// Two calls in one lane started 7 ms apart tick at the same instants:
    /// one wake-up serves both.
    #[tokio::test]
    async fn tickers_of_calls_begun_apart_tick_together() {
        let lane = Lane::nth(2);
        let now = Instant::now();
        let mut a = ticker(lane.floor(now));
        tokio::time::sleep(Duration::from_millis(7)).await;
        let mut b = ticker(lane.floor(Instant::now()));
        a.tick().await;
        b.tick().await;
        let (ta, tb) = (a.tick().await, b.tick().await);
        assert_eq!(lane.floor(ta.into_std()), ta.into_std());
        assert_eq!(lane.floor(tb.into_std()), tb.into_std());
        let apart = ta.into_std().max(tb.into_std()) - ta.into_std().min(tb.into_std());
        assert_eq!(apart.as_nanos() % FRAME_TIME.as_nanos(), 0, "{apart:?}");
    }
}
