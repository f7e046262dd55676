//! RTP forwarded from one leg of a call to another, re-originated: the
//! forwarder is the source on the outgoing leg, so packets carry its own
//! SSRC and its own sequence numbers and timestamps (offsets from the
//! incoming stream preserved, so loss and timing survive), the outgoing
//! leg's payload type, and none of the incoming leg's header extensions
//! (their ids were negotiated on the other leg). Pure.

/// Sequence numbers and timestamps for one outgoing leg.
#[derive(Debug, Clone)]
pub struct Reorigin {
    pub ssrc: u32,
    /// Incoming SSRC and the (sequence, timestamp) offsets onto ours.
    anchor: Option<(u32, u16, u32)>,
    last: (u16, u32),
}

/// 20 ms at 48 kHz: the step assumed after a source change.
const STEP: u32 = 960;

impl Reorigin {
    /// Random starting values, as RFC 3550 §5.1 asks, come from the caller.
    pub fn new(ssrc: u32, first_sequence: u16, first_timestamp: u32) -> Reorigin {
        Reorigin {
            ssrc,
            anchor: None,
            last: (
                first_sequence.wrapping_sub(1),
                first_timestamp.wrapping_sub(STEP),
            ),
        }
    }

    /// Our (sequence, timestamp) for an incoming packet. A new incoming
    /// SSRC (the source restarted) continues right after our last packet.
    pub fn map(&mut self, ssrc: u32, sequence: u16, timestamp: u32) -> (u16, u32) {
        let (_, dseq, dts) = match self.anchor {
            Some(a) if a.0 == ssrc => a,
            _ => {
                let a = (
                    ssrc,
                    self.last.0.wrapping_add(1).wrapping_sub(sequence),
                    self.last.1.wrapping_add(STEP).wrapping_sub(timestamp),
                );
                self.anchor = Some(a);
                a
            }
        };
        let out = (sequence.wrapping_add(dseq), timestamp.wrapping_add(dts));
        // Only moving forward counts as the last packet (reordering is kept as is).
        if out.0.wrapping_sub(self.last.0) < 0x8000 {
            self.last = out;
        }
        out
    }
}

/// Packets from a far end waiting for the next 20 ms tick toward the
/// caller: bounded (oldest dropped past `hold`), and a queue that stands
/// (more than one packet at every tick for `standing_ticks`) is trimmed by
/// one packet, since a standing queue is latency for the rest of the call.
#[derive(Debug)]
pub struct TickQueue<T> {
    queue: std::collections::VecDeque<T>,
    hold: usize,
    standing_ticks: u32,
    standing: u32,
    pub dropped: u64,
    pub trimmed: u64,
}

impl<T> TickQueue<T> {
    pub fn new(hold: usize, standing_ticks: u32) -> TickQueue<T> {
        TickQueue {
            queue: std::collections::VecDeque::new(),
            hold,
            standing_ticks,
            standing: 0,
            dropped: 0,
            trimmed: 0,
        }
    }

    pub fn push(&mut self, item: T) {
        self.queue.push_back(item);
        while self.queue.len() > self.hold {
            self.queue.pop_front();
            self.dropped += 1;
        }
    }

    /// One tick's packet, if any.
    pub fn pop(&mut self) -> Option<T> {
        self.standing = if self.queue.len() > 1 {
            self.standing + 1
        } else {
            0
        };
        if self.standing >= self.standing_ticks {
            self.queue.pop_front();
            self.trimmed += 1;
            self.standing = 0;
        }
        self.queue.pop_front()
    }

    /// Drops everything waiting (a barge-in); returns how many.
    pub fn flush(&mut self) -> usize {
        let n = self.queue.len();
        self.queue.clear();
        n
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

/// Samples at 48 kHz in one Opus packet, from its TOC byte (RFC 6716 §3.1);
/// `None` for an empty or malformed packet.
pub fn opus_samples(packet: &[u8]) -> Option<u32> {
    let toc = *packet.first()?;
    let config = toc >> 3;
    // Frame length in 48 kHz samples per configuration group.
    let frame: u32 = match config {
        0..=11 => [480, 960, 1920, 2880][usize::from(config % 4)],
        12..=15 => [480, 960][usize::from(config % 2)],
        _ => [120, 240, 480, 960][usize::from(config % 4)],
    };
    let frames = match toc & 0x3 {
        0 => 1,
        1 | 2 => 2,
        _ => u32::from(*packet.get(1)? & 0x3f),
    };
    let total = frame * frames;
    // RFC 6716: a packet never holds more than 120 ms.
    (frames > 0 && total <= 5760).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_kept_and_ours_start_where_we_said() {
        let mut r = Reorigin::new(7, 1000, 50_000);
        assert_eq!(r.map(99, 40_000, 123), (1000, 50_000));
        // A lost packet stays a gap; timing follows the source's.
        assert_eq!(r.map(99, 40_002, 123 + 1920), (1002, 50_000 + 1920));
        // A late packet keeps its place.
        assert_eq!(r.map(99, 40_001, 123 + 960), (1001, 50_000 + 960));
        assert_eq!(r.map(99, 40_003, 123 + 2880), (1003, 50_000 + 2880));
    }

    #[test]
    fn wrapping_and_a_new_source_continue_our_stream() {
        let mut r = Reorigin::new(7, 65_535, u32::MAX - 100);
        assert_eq!(r.map(1, 10, 0), (65_535, u32::MAX - 100));
        assert_eq!(r.map(1, 11, 960), (0, 859));
        // The source restarts with a new SSRC and random numbers.
        assert_eq!(r.map(2, 5000, 777), (1, 859 + 960));
        assert_eq!(r.map(2, 5001, 777 + 960), (2, 859 + 1920));
    }

    #[test]
    fn a_standing_queue_is_trimmed_and_a_full_one_bounded() {
        let mut q = TickQueue::new(5, 25);
        // Two packets arrived before the first tick; then one per tick.
        q.push(0);
        q.push(1);
        let mut out = Vec::new();
        for n in 2..40 {
            out.push(q.pop().unwrap());
            q.push(n);
        }
        assert_eq!(q.trimmed, 1);
        assert_eq!(q.len(), 1, "one tick of delay left, not two");
        // The trimmed packet is the only one missing, in order otherwise.
        assert_eq!(out.len(), 38);
        assert!(out.windows(2).all(|w| w[1] > w[0]));
        assert_eq!(out.windows(2).filter(|w| w[1] == w[0] + 2).count(), 1);
        // Packets that come early now and then hold two for one tick only.
        let mut q = TickQueue::new(5, 25);
        let mut n = 0;
        while n < 100 {
            q.push(n);
            if n % 10 == 0 {
                n += 1;
                q.push(n);
                assert_eq!(q.pop(), Some(n - 1));
                assert_eq!(q.pop(), Some(n), "the next tick takes the early one");
            } else {
                assert_eq!(q.pop(), Some(n));
            }
            n += 1;
        }
        assert_eq!(q.trimmed, 0);
        let mut q = TickQueue::new(5, 25);
        for n in 0..8 {
            q.push(n);
        }
        assert_eq!((q.len(), q.dropped), (5, 3));
        assert_eq!(q.pop(), Some(3), "the oldest went");
        assert_eq!(q.flush(), 4);
        assert!(q.is_empty());
    }

    #[test]
    fn opus_durations_from_the_toc() {
        // SILK 20 ms, one frame (config 1, code 0).
        assert_eq!(opus_samples(&[1 << 3]), Some(960));
        // CELT FB 20 ms (config 31), two frames (code 1).
        assert_eq!(opus_samples(&[(31 << 3) | 1]), Some(1920));
        // Hybrid 10 ms (config 12), code 3 with 4 frames.
        assert_eq!(opus_samples(&[(12 << 3) | 3, 4]), Some(1920));
        // CELT 2.5 ms (config 16).
        assert_eq!(opus_samples(&[16 << 3]), Some(120));
        assert_eq!(opus_samples(&[]), None);
        // Code 3 with no frame count byte, or 0 frames, or over 120 ms.
        assert_eq!(opus_samples(&[3]), None);
        assert_eq!(opus_samples(&[3, 0]), None);
        assert_eq!(opus_samples(&[(3 << 3) | 3, 4]), None);
    }
}
