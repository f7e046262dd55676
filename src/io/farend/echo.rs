//! The caller hears themselves: the simplest far end that proves audio
//! flows both ways, and the one `wacall demo` uses.

use super::FarEnd;
use crate::core::audio::FRAME;
use std::collections::VecDeque;
use std::time::Instant;

/// Holds at most this much (a second); older audio is dropped, never delayed further.
const MAX_FRAMES: usize = 50;

#[derive(Debug, Default)]
pub struct Echo {
    pending: Vec<i16>,
    frames: VecDeque<[i16; FRAME]>,
    pub dropped_frames: u64,
}

impl Echo {
    pub fn new() -> Echo {
        Echo::default()
    }
}

impl FarEnd for Echo {
    fn name(&self) -> String {
        "echo".into()
    }

    fn hear(&mut self, samples: &[i16], _at: Instant) {
        self.pending.extend_from_slice(samples);
        while self.pending.len() >= FRAME {
            let mut f = [0i16; FRAME];
            f.copy_from_slice(&self.pending[..FRAME]);
            self.pending.drain(..FRAME);
            if self.frames.len() == MAX_FRAMES {
                self.frames.pop_front();
                self.dropped_frames += 1;
            }
            self.frames.push_back(f);
        }
    }

    fn speak(&mut self, out: &mut [i16]) {
        if let Some(f) = self.frames.pop_front() {
            out.copy_from_slice(&f);
        }
    }

    /// Frames the call's clock skipped were due to be echoed then; kept,
    /// each would add 20 ms to the echo's delay for the rest of the call.
    fn skipped(&mut self, frames: u64) {
        let n = (frames as usize).min(self.frames.len());
        self.frames.drain(..n);
        self.dropped_frames += n as u64;
    }
}

/// `echo:opus`: the caller's own Opus packets back, re-originated by the
/// media loop, nothing decoded or encoded. The cheapest far end that still
/// carries real media both ways, for load tests of many calls.
#[derive(Debug)]
pub struct OpusEcho {
    queue: crate::core::relay::TickQueue<bytes::Bytes>,
}

impl Default for OpusEcho {
    fn default() -> Self {
        OpusEcho {
            queue: crate::core::relay::TickQueue::new(MAX_FRAMES, 25),
        }
    }
}

impl FarEnd for OpusEcho {
    fn name(&self) -> String {
        "echo:opus".into()
    }
    fn hear(&mut self, _samples: &[i16], _at: Instant) {}
    fn speak(&mut self, _out: &mut [i16]) {}
    fn passthrough(&self) -> bool {
        true
    }
    fn hear_opus(&mut self, packet: super::OpusPacket) {
        self.queue.push(packet.payload);
    }
    fn speak_opus(&mut self) -> Option<bytes::Bytes> {
        self.queue.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    trait Spoken {
        fn spoken(&mut self) -> [i16; FRAME];
    }

    impl Spoken for Echo {
        fn spoken(&mut self) -> [i16; FRAME] {
            let mut f = [0; FRAME];
            self.speak(&mut f);
            f
        }
    }

    /// A late tick skipped two frames: the two that were due go, so the
    /// echo's delay stays what it was.
    #[test]
    fn skipped_frames_do_not_add_delay() {
        let mut e = Echo::new();
        for i in 1..=3 {
            e.hear(&[i; FRAME], Instant::now());
        }
        e.skipped(2);
        assert_eq!(e.spoken(), [3; FRAME]);
        assert_eq!(e.dropped_frames, 2);
        e.skipped(5);
        assert_eq!(e.spoken(), [0; FRAME], "nothing held, nothing to skip");
    }

    #[test]
    fn echoes_in_frames_and_bounds_delay() {
        let mut e = Echo::new();
        assert_eq!(e.spoken(), [0; FRAME], "silence when nothing was heard");
        e.hear(&[7; FRAME / 2], Instant::now());
        assert_eq!(e.spoken(), [0; FRAME], "half a frame is not a frame yet");
        e.hear(&[7; FRAME / 2], Instant::now());
        assert_eq!(e.spoken(), [7; FRAME]);
        for i in 0..(MAX_FRAMES + 5) {
            e.hear(&[i as i16; FRAME], Instant::now());
        }
        assert_eq!(e.dropped_frames, 5);
        assert_eq!(e.spoken()[0], 5, "the oldest frames went first");
    }
}

#[cfg(test)]
mod opus_tests {
    use super::*;
    use crate::io::farend::OpusPacket;

    #[test]
    fn opus_echo_gives_the_packets_back_in_order() {
        let mut e = OpusEcho::default();
        assert!(e.passthrough());
        assert_eq!(e.speak_opus(), None, "silence until something came");
        for n in 0..3u8 {
            e.hear_opus(OpusPacket {
                ssrc: 1,
                sequence: u16::from(n),
                timestamp: u32::from(n) * 960,
                payload: bytes::Bytes::from(vec![n; 3]),
                at: Instant::now(),
            });
        }
        let back: Vec<u8> = std::iter::from_fn(|| e.speak_opus())
            .map(|p| p[0])
            .collect();
        assert_eq!(back, [0, 1, 2]);
    }
}
