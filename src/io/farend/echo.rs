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

    fn speak(&mut self) -> [i16; FRAME] {
        self.frames.pop_front().unwrap_or([0; FRAME])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_in_frames_and_bounds_delay() {
        let mut e = Echo::new();
        assert_eq!(e.speak(), [0; FRAME], "silence when nothing was heard");
        e.hear(&[7; FRAME / 2], Instant::now());
        assert_eq!(e.speak(), [0; FRAME], "half a frame is not a frame yet");
        e.hear(&[7; FRAME / 2], Instant::now());
        assert_eq!(e.speak(), [7; FRAME]);
        for i in 0..(MAX_FRAMES + 5) {
            e.hear(&[i as i16; FRAME], Instant::now());
        }
        assert_eq!(e.dropped_frames, 5);
        assert_eq!(e.speak()[0], 5, "the oldest frames went first");
    }
}
