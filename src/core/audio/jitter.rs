//! An adaptive jitter buffer for one Opus stream: packets in as they arrive
//! (any order), one 20 ms playout decision out per tick.
//!
//! The target delay follows the measured interarrival jitter (RFC 3550
//! §6.4.1): `20 ms + 4 J`, kept between `min` and `max` (40 and 200 ms by
//! default). A gap becomes a concealed frame, recovered from the next
//! packet's in-band FEC when that packet is already here. When more is held
//! than the target allows (the sender's clock runs fast, or a burst after a
//! stall), one frame is dropped per tick until it fits; when the stream
//! stops (silence suppression, hold), playout pauses and fills up again.
//! Pure: arrival times come in as numbers.

use std::collections::BTreeMap;

/// One 20 ms frame in RTP units at 48 kHz, and in milliseconds.
const FRAME_TS: f64 = 960.0;
const FRAME_MS: f64 = 20.0;
/// Concealed frames in a row with nothing held before playout pauses.
const MAX_EMPTY: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JitterConfig {
    pub min_ms: f64,
    pub max_ms: f64,
}

impl Default for JitterConfig {
    fn default() -> Self {
        JitterConfig {
            min_ms: 40.0,
            max_ms: 200.0,
        }
    }
}

/// What to play for this tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Playout {
    /// Decode this packet.
    Frame(Vec<u8>),
    /// A frame is missing: conceal it, from `fec` (the next packet) if given.
    Conceal { fec: Option<Vec<u8>> },
    /// Nothing to play yet (filling up, or the stream paused).
    Wait,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct JitterStats {
    pub late: u64,
    pub duplicates: u64,
    pub reordered: u64,
    pub concealed: u64,
    pub recovered_by_fec: u64,
    /// Frames dropped to bring the delay back to the target.
    pub dropped: u64,
    /// RFC 3550 interarrival jitter, in ms.
    pub jitter_ms: f64,
    pub target_ms: f64,
}

pub struct JitterBuffer {
    cfg: JitterConfig,
    /// Held packets by extended sequence number.
    held: BTreeMap<u64, Vec<u8>>,
    /// The next sequence number to play; `None` while filling up.
    next: Option<u64>,
    highest: Option<u64>,
    last_transit: Option<f64>,
    empty_run: u32,
    pub stats: JitterStats,
}

impl JitterBuffer {
    pub fn new(cfg: JitterConfig) -> JitterBuffer {
        JitterBuffer {
            cfg,
            held: BTreeMap::new(),
            next: None,
            highest: None,
            last_transit: None,
            empty_run: 0,
            stats: JitterStats {
                target_ms: cfg.min_ms,
                ..JitterStats::default()
            },
        }
    }

    /// The delay playout aims for, in ms.
    pub fn target_ms(&self) -> f64 {
        self.stats.target_ms
    }

    /// Frames held from the next one to play through the newest.
    pub fn depth(&self) -> u64 {
        match (self.held.keys().next(), self.highest) {
            (Some(&low), Some(high)) => high + 1 - self.next.unwrap_or(low).min(low),
            _ => 0,
        }
    }

    /// One packet: `seq` and `timestamp` from its RTP header, `arrival_ms`
    /// on any clock that does not jump.
    pub fn push(&mut self, seq: u16, timestamp: u32, payload: &[u8], arrival_ms: f64) {
        let ext = self.extend(seq);
        if self.next.is_some_and(|n| ext < n) {
            self.stats.late += 1;
            return;
        }
        if self.held.contains_key(&ext) {
            self.stats.duplicates += 1;
            return;
        }
        if self.highest.is_some_and(|h| ext < h) {
            self.stats.reordered += 1;
        }
        self.highest = Some(self.highest.map_or(ext, |h| h.max(ext)));
        self.held.insert(ext, payload.to_vec());
        self.measure(timestamp, arrival_ms);
    }

    /// The playout decision for one 20 ms tick.
    pub fn pop(&mut self) -> Playout {
        let next = match self.next {
            Some(n) => n,
            None => {
                if (self.depth() as f64) * FRAME_MS < self.stats.target_ms {
                    return Playout::Wait;
                }
                *self.held.keys().next().expect("depth > 0")
            }
        };
        let mut next = next;
        // Too much held: drop one frame per tick, the oldest, until it fits.
        let over = (self.depth() as f64) * FRAME_MS > self.stats.target_ms + 3.0 * FRAME_MS;
        if over {
            self.held.remove(&next);
            self.stats.dropped += 1;
            next += 1;
        }
        if let Some(p) = self.held.remove(&next) {
            self.next = Some(next + 1);
            self.empty_run = 0;
            return Playout::Frame(p);
        }
        if self.held.is_empty() {
            // Nothing later is here either: the packet may just be late (or
            // the sender's clock slow). Conceal without moving on, so it still
            // plays when it comes; the delay grows by a frame.
            self.empty_run += 1;
            self.next = Some(next);
            if self.empty_run > MAX_EMPTY {
                // The stream paused: wait for it to fill up again.
                self.next = None;
                self.empty_run = 0;
                return Playout::Wait;
            }
            self.stats.concealed += 1;
            return Playout::Conceal { fec: None };
        }
        self.next = Some(next + 1);
        self.stats.concealed += 1;
        let fec = self.held.get(&(next + 1)).cloned();
        self.stats.recovered_by_fec += u64::from(fec.is_some());
        Playout::Conceal { fec }
    }

    /// The 16-bit sequence number on a 64-bit line, nearest the newest.
    fn extend(&self, seq: u16) -> u64 {
        let Some(h) = self.highest else {
            return u64::from(seq) + (1 << 16);
        };
        let delta = seq.wrapping_sub(h as u16) as i16;
        (h as i64 + i64::from(delta)).max(0) as u64
    }

    fn measure(&mut self, timestamp: u32, arrival_ms: f64) {
        let transit = arrival_ms - f64::from(timestamp) / (FRAME_TS / FRAME_MS);
        if let Some(last) = self.last_transit {
            let d = (transit - last).abs();
            // A timestamp jump (a new talk spurt after a long pause) is not jitter.
            if d < 1000.0 {
                self.stats.jitter_ms += (d - self.stats.jitter_ms) / 16.0;
            }
        }
        self.last_transit = Some(transit);
        let want = FRAME_MS + 4.0 * self.stats.jitter_ms;
        self.stats.target_ms = want.clamp(self.cfg.min_ms, self.cfg.max_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(seq: u16) -> Vec<u8> {
        seq.to_be_bytes().to_vec()
    }

    /// Pushes `seq` as sent at frame `seq` and arriving `delay_ms` later.
    fn push(jb: &mut JitterBuffer, seq: u16, delay_ms: f64) {
        let ts = u32::from(seq).wrapping_mul(960);
        jb.push(seq, ts, &payload(seq), f64::from(seq) * 20.0 + delay_ms);
    }

    fn played(p: &Playout) -> Option<u16> {
        match p {
            Playout::Frame(b) => Some(u16::from_be_bytes([b[0], b[1]])),
            _ => None,
        }
    }

    #[test]
    fn fills_to_the_target_then_plays_in_order() {
        let mut jb = JitterBuffer::new(JitterConfig::default());
        push(&mut jb, 0, 0.0);
        assert_eq!(
            jb.pop(),
            Playout::Wait,
            "20 ms held is under the 40 ms target"
        );
        push(&mut jb, 1, 0.0);
        for want in 0..2 {
            assert_eq!(played(&jb.pop()), Some(want));
        }
    }

    #[test]
    fn reordered_packets_are_played_in_sequence() {
        let mut jb = JitterBuffer::new(JitterConfig {
            min_ms: 120.0,
            max_ms: 200.0,
        });
        for seq in [0u16, 2, 1, 3, 5, 4] {
            push(&mut jb, seq, 0.0);
        }
        let out: Vec<_> = (0..6).map(|_| played(&jb.pop())).collect();
        assert_eq!(out, (0..6).map(Some).collect::<Vec<_>>());
        assert_eq!(jb.stats.reordered, 2);
    }

    #[test]
    fn a_loss_is_concealed_with_the_next_packets_fec() {
        let mut jb = JitterBuffer::new(JitterConfig::default());
        for seq in [0u16, 1, 3, 4] {
            push(&mut jb, seq, 0.0);
        }
        assert_eq!(played(&jb.pop()), Some(0));
        assert_eq!(played(&jb.pop()), Some(1));
        assert_eq!(
            jb.pop(),
            Playout::Conceal {
                fec: Some(payload(3))
            }
        );
        assert_eq!(played(&jb.pop()), Some(3));
        assert_eq!((jb.stats.concealed, jb.stats.recovered_by_fec), (1, 1));
    }

    #[test]
    fn late_and_duplicate_packets_are_dropped() {
        let mut jb = JitterBuffer::new(JitterConfig::default());
        for seq in [0u16, 1, 2] {
            push(&mut jb, seq, 0.0);
        }
        assert_eq!(played(&jb.pop()), Some(0));
        push(&mut jb, 0, 0.0);
        push(&mut jb, 2, 0.0);
        assert_eq!((jb.stats.late, jb.stats.duplicates), (1, 1));
        assert_eq!(played(&jb.pop()), Some(1));
        assert_eq!(played(&jb.pop()), Some(2));
    }

    #[test]
    fn the_target_grows_with_jitter_and_stays_within_bounds() {
        let mut jb = JitterBuffer::new(JitterConfig::default());
        for seq in 0..200u16 {
            push(&mut jb, seq, 0.0);
        }
        assert_eq!(jb.target_ms(), 40.0, "no jitter: the minimum");
        let mut jb = JitterBuffer::new(JitterConfig::default());
        for seq in 0..200u16 {
            // Alternating 0 and 30 ms of network delay: J converges near 30 ms.
            push(&mut jb, seq, if seq % 2 == 0 { 0.0 } else { 30.0 });
        }
        assert!(jb.stats.jitter_ms > 20.0, "{:?}", jb.stats);
        assert!(
            jb.target_ms() > 100.0 && jb.target_ms() <= 200.0,
            "{:?}",
            jb.stats
        );
        let mut jb = JitterBuffer::new(JitterConfig::default());
        for seq in 0..200u16 {
            push(&mut jb, seq, if seq % 2 == 0 { 0.0 } else { 500.0 });
        }
        assert_eq!(jb.target_ms(), 200.0, "capped at the maximum");
    }

    #[test]
    fn sequence_numbers_wrap() {
        let mut jb = JitterBuffer::new(JitterConfig::default());
        for seq in [65534u16, 65535, 0, 1] {
            jb.push(seq, 0, &payload(seq), 0.0);
        }
        let out: Vec<_> = (0..4).map(|_| played(&jb.pop())).collect();
        assert_eq!(out, vec![Some(65534), Some(65535), Some(0), Some(1)]);
    }

    /// Ten simulated minutes with the sender's clock 0.1 % fast, then 0.1 %
    /// slow, against our 20 ms ticks: the delay stays near the target.
    #[test]
    fn clock_drift_neither_grows_the_delay_nor_starves_playout() {
        for drift in [1.001, 0.999] {
            let mut jb = JitterBuffer::new(JitterConfig::default());
            let mut seq: u16 = 0;
            let mut sent_at = 0.0;
            let (mut frames, mut worst_depth) = (0u64, 0u64);
            for tick in 0..30_000u64 {
                let now = tick as f64 * 20.0;
                // The sender emits a packet every 20 ms of its own clock.
                while sent_at <= now {
                    jb.push(
                        seq,
                        u32::from(seq).wrapping_mul(960),
                        &payload(seq),
                        sent_at,
                    );
                    seq = seq.wrapping_add(1);
                    sent_at += 20.0 / drift;
                }
                if let Playout::Frame(_) = jb.pop() {
                    frames += 1;
                }
                if tick > 100 {
                    worst_depth = worst_depth.max(jb.depth());
                }
            }
            assert!(
                worst_depth * 20 <= 40 + 80,
                "drift {drift}: depth {worst_depth}"
            );
            assert_eq!(
                jb.stats.late, 0,
                "drift {drift}: nothing sent was thrown away late"
            );
            assert!(
                frames > 29_900,
                "drift {drift}: {frames} frames played; {:?}",
                jb.stats
            );
        }
    }
}
