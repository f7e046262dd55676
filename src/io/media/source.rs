//! What a side says when no far end speaks for it: a tone, a file, silence,
//! or audio encoded once and looped (`sim --light`).

use crate::core::audio::{Encoder, FRAME, Tone};
use bytes::Bytes;
use std::sync::Arc;

/// What a side sends when it has nothing of its own.
#[derive(Debug, Clone)]
pub enum Source {
    Tone(Tone),
    /// 48 kHz mono samples, looped.
    Samples {
        data: Arc<Vec<i16>>,
        pos: usize,
    },
    /// Opus packets made once and looped (`sim --light`), so one machine
    /// can play many callers without encoding for each.
    Encoded {
        packets: Arc<Vec<Bytes>>,
        pos: usize,
    },
    Silence,
}

impl Source {
    pub fn frame(&mut self) -> [i16; FRAME] {
        match self {
            Source::Tone(t) => t.frame(),
            Source::Samples { data, pos } => {
                let mut out = [0i16; FRAME];
                if !data.is_empty() {
                    for s in out.iter_mut() {
                        *s = data[*pos];
                        *pos = (*pos + 1) % data.len();
                    }
                }
                out
            }
            Source::Encoded { .. } | Source::Silence => [0; FRAME],
        }
    }

    /// `frames` 20 ms frames of this source, encoded once, to be looped,
    /// no wider than `capture_hz` when given.
    pub fn pre_encoded(
        mut self,
        frames: usize,
        bitrate: i32,
        capture_hz: Option<u32>,
    ) -> anyhow::Result<Source> {
        let mut enc = Encoder::new(bitrate)?;
        if let Some(hz) = capture_hz {
            enc.limit_to_playback_rate(hz)?;
        }
        let packets = (0..frames.max(1))
            .map(|_| enc.encode(&self.frame()).map(Bytes::from))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Source::Encoded {
            packets: Arc::new(packets),
            pos: 0,
        })
    }

    /// How many 20 ms frames to encode for a looped light source: a file
    /// whole (up to a minute, so turns and pauses survive), anything else one second.
    pub fn loop_frames(&self) -> usize {
        match self {
            Source::Samples { data, .. } => data.len().div_ceil(FRAME).clamp(1, 3000),
            _ => 50,
        }
    }

    pub fn is_pre_encoded(&self) -> bool {
        matches!(self, Source::Encoded { .. })
    }

    /// The next looped packet, for a pre-encoded source.
    pub fn next_packet(&mut self) -> Option<Bytes> {
        match self {
            Source::Encoded { packets, pos } if !packets.is_empty() => {
                let p = packets[*pos].clone();
                *pos = (*pos + 1) % packets.len();
                Some(p)
            }
            _ => None,
        }
    }
}
