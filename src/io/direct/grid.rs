//! The process's 20 ms grid. Every call's media ticks fall on it, and in a
//! call the core's timers are rounded up to it, so one wake-up of the
//! runtime serves every call whose time it is. Spread over their own
//! phases, a thousand calls woke a worker every 20 µs, and on a virtual
//! machine each wake-up from idle costs more than the packet it serves.

use crate::io::media::FRAME_TIME;
use std::sync::OnceLock;
use std::time::Instant;
use tokio::time::{Interval, MissedTickBehavior};

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// The grid point at or before `t`.
pub fn floor(t: Instant) -> Instant {
    floor_from(epoch(), t)
}

/// The grid point at or after `t`.
pub fn ceil(t: Instant) -> Instant {
    let f = floor(t);
    if f == t { t } else { f + FRAME_TIME }
}

fn floor_from(epoch: Instant, t: Instant) -> Instant {
    let since = t.saturating_duration_since(epoch);
    let n = since.as_nanos() / FRAME_TIME.as_nanos();
    epoch + FRAME_TIME * n as u32
}

/// Ticks every 20 ms from `began` (a grid point), the first at once when
/// `began` has passed; a late tick skips to the next grid point.
pub fn ticker(began: Instant) -> Interval {
    let mut t = tokio::time::interval_at(began.into(), FRAME_TIME);
    t.set_missed_tick_behavior(MissedTickBehavior::Skip);
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn instants_fall_to_the_grid_point_before_and_rise_to_the_one_after() {
        let e = Instant::now();
        let ms = Duration::from_millis;
        assert_eq!(floor_from(e, e), e);
        assert_eq!(floor_from(e, e + ms(19)), e);
        assert_eq!(floor_from(e, e + ms(20)), e + ms(20));
        assert_eq!(floor_from(e, e + ms(47)), e + ms(40));
        let t = Instant::now() + ms(5);
        let (f, c) = (floor(t), ceil(t));
        assert!(f <= t && t - f < FRAME_TIME && floor(f) == f);
        assert!(c >= t && c - t < FRAME_TIME && floor(c) == c);
        assert_eq!(ceil(c), c);
    }

    /// Two calls started 7 ms apart tick at the same instants: one wake-up
    /// serves both.
    #[tokio::test]
    async fn tickers_of_calls_begun_apart_tick_together() {
        let now = Instant::now();
        let mut a = ticker(floor(now));
        tokio::time::sleep(Duration::from_millis(7)).await;
        let mut b = ticker(floor(Instant::now()));
        a.tick().await;
        b.tick().await;
        let (ta, tb) = (a.tick().await, b.tick().await);
        assert_eq!(floor(ta.into_std()), ta.into_std());
        assert_eq!(floor(tb.into_std()), tb.into_std());
        let apart = ta.into_std().max(tb.into_std()) - ta.into_std().min(tb.into_std());
        assert_eq!(apart.as_nanos() % FRAME_TIME.as_nanos(), 0, "{apart:?}");
    }
}
