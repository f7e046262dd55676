//! The AI's audio on its way to the caller: queued at 24 kHz as it
//! arrives (faster than real time), taken out 20 ms per tick, and counted
//! per item, so a barge-in can say exactly how much the caller heard.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Samples per millisecond at the API's 24 kHz.
const PER_MS: u64 = super::RATE as u64 / 1000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemRef {
    pub item_id: String,
    pub content_index: u32,
}

struct Segment {
    item: ItemRef,
    samples: VecDeque<i16>,
    /// When it arrived, if the queue was idle then: its wait is the bridge's own latency.
    idle_arrival: Option<Instant>,
    started: bool,
}

/// How much of an item the caller heard when playout stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub item: ItemRef,
    pub audio_end_ms: u64,
    /// Audio that was queued and will never be played.
    pub dropped_ms: u64,
}

#[derive(Default)]
pub struct Playout {
    queue: VecDeque<Segment>,
    /// Samples played per item, in first-played order (a call has few items).
    played: Vec<(ItemRef, u64)>,
    /// Arrival (on an idle queue) to the first sample leaving, per segment.
    pub latencies: Vec<Duration>,
}

impl Playout {
    pub fn push(&mut self, item: &ItemRef, samples: &[i16], at: Instant) {
        if samples.is_empty() {
            return;
        }
        let idle = self.queue.is_empty();
        match self.queue.back_mut() {
            Some(s) if s.item == *item => s.samples.extend(samples),
            _ => self.queue.push_back(Segment {
                item: item.clone(),
                samples: samples.iter().copied().collect(),
                idle_arrival: None,
                started: false,
            }),
        }
        if idle && let Some(s) = self.queue.back_mut() {
            s.idle_arrival = Some(at);
        }
    }

    /// Queued audio, in milliseconds.
    pub fn queued_ms(&self) -> u64 {
        self.queue
            .iter()
            .map(|s| s.samples.len() as u64)
            .sum::<u64>()
            / PER_MS
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    fn count(&mut self, item: &ItemRef, n: u64) {
        match self.played.iter_mut().find(|(i, _)| i == item) {
            Some((_, p)) => *p += n,
            None => self.played.push((item.clone(), n)),
        }
    }

    /// Milliseconds of `item` the caller has been sent.
    pub fn played_ms(&self, item: &ItemRef) -> u64 {
        self.played
            .iter()
            .find(|(i, _)| i == item)
            .map_or(0, |(_, n)| n / PER_MS)
    }

    /// Fills `out` with the next samples for the caller; where nothing is
    /// queued it is left as it came (silence).
    pub fn pop_frame(&mut self, now: Instant, out: &mut [i16]) {
        let mut filled = 0;
        while filled < out.len() {
            let Some(seg) = self.queue.front_mut() else {
                break;
            };
            if !seg.started {
                seg.started = true;
                if let Some(at) = seg.idle_arrival {
                    self.latencies.push(now.saturating_duration_since(at));
                }
            }
            let n = (out.len() - filled).min(seg.samples.len());
            for (o, s) in out[filled..filled + n]
                .iter_mut()
                .zip(seg.samples.drain(..n))
            {
                *o = s;
            }
            filled += n;
            let item = seg.item.clone();
            if seg.samples.is_empty() {
                self.queue.pop_front();
            }
            self.count(&item, n as u64);
        }
    }

    /// Stops at once: everything queued is dropped. Returns, for each item
    /// that lost audio, how much of it was played.
    pub fn flush(&mut self) -> Vec<Cut> {
        let mut cuts: Vec<Cut> = Vec::new();
        for seg in self.queue.drain(..) {
            let dropped = seg.samples.len() as u64 / PER_MS;
            match cuts.iter_mut().find(|c| c.item == seg.item) {
                Some(c) => c.dropped_ms += dropped,
                None => cuts.push(Cut {
                    item: seg.item.clone(),
                    audio_end_ms: 0,
                    dropped_ms: dropped,
                }),
            }
        }
        for c in &mut cuts {
            c.audio_end_ms = self.played_ms(&c.item);
        }
        cuts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 20 ms at 24 kHz.
    const FRAME: usize = 480;

    fn pop(p: &mut Playout, now: Instant) -> [i16; FRAME] {
        let mut f = [0; FRAME];
        p.pop_frame(now, &mut f);
        f
    }

    fn item(id: &str) -> ItemRef {
        ItemRef {
            item_id: id.into(),
            content_index: 0,
        }
    }

    #[test]
    fn frames_come_out_in_order_and_are_counted_per_item() {
        let t = Instant::now();
        let mut p = Playout::default();
        p.push(&item("a"), &[1; 750], t);
        p.push(&item("b"), &[2; 300], t);
        let f = pop(&mut p, t);
        assert!(f.iter().all(|&s| s == 1));
        let f = pop(&mut p, t);
        assert_eq!(f[269], 1);
        assert_eq!(f[270], 2);
        assert_eq!(p.played_ms(&item("a")), 31);
        assert_eq!(p.played_ms(&item("b")), 8);
        // Starved: silence, not a stall.
        let f = pop(&mut p, t);
        assert_eq!(f[89], 2);
        assert_eq!(f[90], 0);
        assert_eq!(p.played_ms(&item("b")), 12);
    }

    #[test]
    fn flush_reports_what_was_heard() {
        let t = Instant::now();
        let mut p = Playout::default();
        p.push(&item("a"), &[7; 24 * 1000], t);
        for _ in 0..17 {
            pop(&mut p, t);
        }
        let cuts = p.flush();
        assert_eq!(
            cuts,
            vec![Cut {
                item: item("a"),
                audio_end_ms: 340,
                dropped_ms: 660
            }]
        );
        assert!(p.is_empty());
        assert_eq!(pop(&mut p, t), [0; FRAME]);
        // Nothing queued, nothing to cut.
        assert!(p.flush().is_empty());
    }

    #[test]
    fn latency_is_measured_from_idle_arrivals_only() {
        let t = Instant::now();
        let mut p = Playout::default();
        p.push(&item("a"), &[1; FRAME], t);
        p.push(&item("a"), &[1; FRAME], t + Duration::from_millis(5));
        pop(&mut p, t + Duration::from_millis(12));
        pop(&mut p, t + Duration::from_millis(32));
        assert_eq!(p.latencies, vec![Duration::from_millis(12)]);
    }
}
