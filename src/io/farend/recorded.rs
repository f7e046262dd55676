//! Records both directions of a call around any far end: what came in from
//! the other side on the left channel, what this side sent on the right.

use super::{FarEnd, Note, OpusPacket};
use crate::core::audio::{Decoder, frame_len};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Both directions, mono each, at the far end's rate; shared so the
/// recording outlives the loop. For the bridge, `incoming` is the caller
/// and `outgoing` the far end.
#[derive(Debug)]
pub struct Recording {
    pub incoming: Vec<i16>,
    pub outgoing: Vec<i16>,
    /// Samples a second, each side.
    pub rate: u32,
}

impl Recording {
    pub fn at(rate: u32) -> Recording {
        Recording {
            incoming: Vec::new(),
            outgoing: Vec::new(),
            rate,
        }
    }

    /// Ten minutes per direction: enough for a test call, bounded for a long one.
    fn max_samples(&self) -> usize {
        self.rate as usize * 600
    }

    fn append_incoming(&mut self, samples: &[i16]) {
        if self.incoming.len() + samples.len() <= self.max_samples() {
            self.incoming.extend_from_slice(samples);
        }
    }

    fn append_outgoing(&mut self, samples: &[i16]) {
        if self.outgoing.len() + samples.len() <= self.max_samples() {
            self.outgoing.extend_from_slice(samples);
        }
    }

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

pub struct Recorded<F: FarEnd> {
    pub inner: F,
    pub recording: Arc<Mutex<Recording>>,
    /// Decoders for audio that passes through as Opus, when it is recorded too.
    opus: Option<OpusTaps>,
}

/// A far end that forwards Opus is never decoded by the media loop; to
/// record it, each direction is decoded here, on the side.
struct OpusTaps {
    heard: Decoder,
    spoken: Decoder,
    /// The caller's SSRC and last sequence number: a gap is concealed, so
    /// the recording keeps the call's time; a new SSRC starts afresh.
    last_heard: Option<(u32, u16)>,
    scratch: Vec<i16>,
}

impl<F: FarEnd> Recorded<F> {
    /// Records the PCM that goes through `hear` and `speak`.
    pub fn new(inner: F) -> Recorded<F> {
        Recorded {
            recording: Arc::new(Mutex::new(Recording::at(inner.rate()))),
            inner,
            opus: None,
        }
    }

    /// Also records Opus that passes through undecoded, decoding it (the
    /// bridge's `--record` with `echo:opus` or the OpenAI WebRTC transport).
    pub fn decoding_opus(inner: F) -> Recorded<F> {
        // libopus fails to make a decoder only when out of memory; the call
        // matters more than its recording then.
        let rate = inner.rate();
        let taps = || -> Result<OpusTaps, crate::core::audio::OpusError> {
            Ok(OpusTaps {
                heard: Decoder::at_rate(rate)?,
                spoken: Decoder::at_rate(rate)?,
                last_heard: None,
                scratch: Vec::with_capacity(6 * frame_len(rate)),
            })
        };
        Recorded {
            opus: taps().ok(),
            ..Recorded::new(inner)
        }
    }

    fn record_heard(&mut self, packet: &OpusPacket) {
        let Some(t) = self.opus.as_mut() else { return };
        t.scratch.clear();
        let gap = match t.last_heard {
            Some((ssrc, last)) if ssrc == packet.ssrc => {
                packet.sequence.wrapping_sub(last).wrapping_sub(1)
            }
            _ => 0,
        };
        if gap >= 0x8000 {
            return; // late or repeated: its time is already in the recording
        }
        for _ in 0..gap.min(50) {
            let _ = t.heard.conceal(None, &mut t.scratch);
        }
        t.last_heard = Some((packet.ssrc, packet.sequence));
        let _ = t.heard.decode(&packet.payload, &mut t.scratch);
        self.recording.lock().unwrap().append_incoming(&t.scratch);
    }

    fn record_spoken(&mut self, packet: Option<&bytes::Bytes>) {
        let Some(t) = self.opus.as_mut() else { return };
        t.scratch.clear();
        match packet {
            Some(p) => {
                let _ = t.spoken.decode(p, &mut t.scratch);
            }
            // The media loop sends silence when the far end has nothing.
            None => t.scratch.resize(frame_len(self.inner.rate()), 0),
        }
        self.recording.lock().unwrap().append_outgoing(&t.scratch);
    }
}

impl<F: FarEnd> FarEnd for Recorded<F> {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn rate(&self) -> u32 {
        self.inner.rate()
    }

    fn hear(&mut self, samples: &[i16], at: Instant) {
        self.recording.lock().unwrap().append_incoming(samples);
        self.inner.hear(samples, at);
    }

    fn speak(&mut self, out: &mut [i16]) {
        self.inner.speak(out);
        self.recording.lock().unwrap().append_outgoing(out);
    }

    fn skipped(&mut self, frames: u64) {
        self.inner.skipped(frames);
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
    fn passthrough(&self) -> bool {
        self.inner.passthrough()
    }
    fn sends_opus(&self) -> bool {
        self.inner.sends_opus()
    }
    fn hear_opus(&mut self, packet: OpusPacket) {
        self.record_heard(&packet);
        self.inner.hear_opus(packet)
    }
    fn speak_opus(&mut self) -> Option<bytes::Bytes> {
        let p = self.inner.speak_opus();
        self.record_spoken(p.as_ref());
        p
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Echo, OpusEcho};
    use super::*;
    use crate::core::audio::{Encoder, FRAME, Tone, dominant_frequency};

    fn packet(enc: &mut Encoder, tone: &mut Tone, sequence: u16) -> OpusPacket {
        OpusPacket {
            ssrc: 1,
            sequence,
            timestamp: u32::from(sequence) * FRAME as u32,
            payload: enc.encode(&tone.frame()).unwrap().into(),
            at: Instant::now(),
        }
    }

    #[test]
    fn opus_passing_through_is_decoded_into_the_recording() {
        let mut r = Recorded::decoding_opus(OpusEcho::default());
        let (mut enc, mut tone) = (Encoder::new(20_000).unwrap(), Tone::new(440.0, 0.3));
        for seq in 0..50 {
            r.hear_opus(packet(&mut enc, &mut tone, seq));
            assert!(r.speak_opus().is_some(), "echo:opus sends what it heard");
        }
        let rec = r.recording.lock().unwrap();
        assert_eq!(
            (rec.incoming.len(), rec.outgoing.len()),
            (50 * FRAME, 50 * FRAME)
        );
        for side in [&rec.incoming, &rec.outgoing] {
            let hz = dominant_frequency(&side[10 * FRAME..]).unwrap();
            assert!((hz - 440.0).abs() < 5.0, "{hz}");
        }
    }

    #[test]
    fn a_gap_is_concealed_and_a_late_packet_adds_no_time() {
        let mut r = Recorded::decoding_opus(OpusEcho::default());
        let (mut enc, mut tone) = (Encoder::new(20_000).unwrap(), Tone::new(440.0, 0.3));
        let p: Vec<OpusPacket> = (0..6).map(|s| packet(&mut enc, &mut tone, s)).collect();
        r.hear_opus(p[0].clone());
        r.hear_opus(p[1].clone());
        r.hear_opus(p[4].clone()); // 2 and 3 lost: 20 ms each concealed
        r.hear_opus(p[3].clone()); // late
        r.hear_opus(p[5].clone());
        assert_eq!(r.recording.lock().unwrap().incoming.len(), 6 * FRAME);
        // A new source far back in sequence space is not "late": it goes on.
        let mut other = p[0].clone();
        (other.ssrc, other.sequence) = (2, 40_000);
        r.hear_opus(other);
        assert_eq!(r.recording.lock().unwrap().incoming.len(), 7 * FRAME);
    }

    #[test]
    fn nothing_to_send_is_recorded_as_the_silence_that_is_sent() {
        let mut r = Recorded::decoding_opus(OpusEcho::default());
        assert!(r.speak_opus().is_none());
        assert_eq!(r.recording.lock().unwrap().outgoing, vec![0; FRAME]);
        // Without the taps (the simulator's own light caller), Opus is not decoded.
        let mut plain = Recorded::new(OpusEcho::default());
        plain.speak_opus();
        assert!(plain.recording.lock().unwrap().outgoing.is_empty());
    }

    #[test]
    fn records_both_sides_interleaved() {
        let mut r = Recorded::new(Echo::new());
        r.hear(&[3; FRAME], Instant::now());
        let mut f = [0; FRAME];
        r.speak(&mut f);
        assert_eq!(f, [3; FRAME]);
        r.speak(&mut [0; FRAME]);
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
