//! Records both directions of a call around any far end: what came in from
//! the other side on the left channel, what this side sent on the right.

use super::{FarEnd, Note};
use crate::core::audio::FRAME;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Both directions, 48 kHz mono each; shared so the recording outlives the
/// loop. For the bridge, `incoming` is the caller and `outgoing` the far end.
#[derive(Debug, Default)]
pub struct Recording {
    pub incoming: Vec<i16>,
    pub outgoing: Vec<i16>,
}

impl Recording {
    /// Stereo samples, incoming left, outgoing right, the shorter padded with silence.
    pub fn interleaved(&self) -> Vec<i16> {
        let n = self.incoming.len().max(self.outgoing.len());
        (0..n)
            .flat_map(|i| {
                [
                    *self.incoming.get(i).unwrap_or(&0),
                    *self.outgoing.get(i).unwrap_or(&0),
                ]
            })
            .collect()
    }
}

/// Ten minutes per direction: enough for a test call, bounded for a long one.
const MAX_SAMPLES: usize = 48_000 * 600;

pub struct Recorded<F: FarEnd> {
    pub inner: F,
    pub recording: Arc<Mutex<Recording>>,
}

impl<F: FarEnd> Recorded<F> {
    pub fn new(inner: F) -> Recorded<F> {
        Recorded {
            inner,
            recording: Arc::default(),
        }
    }
}

impl<F: FarEnd> FarEnd for Recorded<F> {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn hear(&mut self, samples: &[i16], at: Instant) {
        {
            let mut r = self.recording.lock().unwrap();
            if r.incoming.len() + samples.len() <= MAX_SAMPLES {
                r.incoming.extend_from_slice(samples);
            }
        }
        self.inner.hear(samples, at);
    }

    fn speak(&mut self) -> [i16; FRAME] {
        let f = self.inner.speak();
        let mut r = self.recording.lock().unwrap();
        if r.outgoing.len() + FRAME <= MAX_SAMPLES {
            r.outgoing.extend_from_slice(&f);
        }
        f
    }

    fn key(&mut self, key: char) {
        self.inner.key(key);
    }

    fn start(&mut self) {
        self.inner.start();
    }

    fn notes(&mut self) -> Vec<Note> {
        self.inner.notes()
    }

    fn failure(&mut self) -> Option<String> {
        self.inner.failure()
    }

    fn summary(&self) -> Option<serde_json::Value> {
        self.inner.summary()
    }
    fn jitter_buffer(&self) -> Option<crate::core::audio::JitterConfig> {
        self.inner.jitter_buffer()
    }
    // Passthrough audio is never decoded, so there is nothing to record.
    fn passthrough(&self) -> bool {
        self.inner.passthrough()
    }
    fn sends_opus(&self) -> bool {
        self.inner.sends_opus()
    }
    fn hear_opus(&mut self, packet: super::OpusPacket) {
        self.inner.hear_opus(packet)
    }
    fn speak_opus(&mut self) -> Option<bytes::Bytes> {
        self.inner.speak_opus()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Echo;
    use super::*;

    #[test]
    fn records_both_sides_interleaved() {
        let mut r = Recorded::new(Echo::new());
        r.hear(&[3; FRAME], Instant::now());
        assert_eq!(r.speak(), [3; FRAME]);
        r.speak();
        let rec = r.recording.lock().unwrap();
        assert_eq!((rec.incoming.len(), rec.outgoing.len()), (FRAME, 2 * FRAME));
        let st = rec.interleaved();
        assert_eq!(&st[..4], &[3, 3, 3, 3]);
        assert_eq!(st.len(), 4 * FRAME, "two channels of the longer side");
        assert!(
            st[2 * FRAME..].iter().step_by(2).all(|&s| s == 0),
            "caller padded with silence"
        );
    }
}
