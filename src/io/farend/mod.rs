//! The far end of a call: whoever the caller talks to. One trait for all of
//! them (echo, tone, file, silence; the OpenAI Realtime API and the local
//! speaker and microphone later), driven frame by frame by the media loop.
//!
//! The trait is synchronous on purpose: the media loop runs on a 20 ms
//! cadence and must never wait. A far end that does I/O (a WebSocket, an
//! audio device) runs its own task and meets the loop through queues.

mod echo;
mod recorded;
mod speaker;

pub use echo::{Echo, OpusEcho};
pub use recorded::{Recorded, Recording};
pub use speaker::Speaker;

use crate::core::audio::{JitterConfig, RATE};
use crate::io::media::Source;
use std::time::Instant;

/// One Opus packet from the caller, as received (for passthrough far ends).
#[derive(Debug, Clone)]
pub struct OpusPacket {
    pub ssrc: u32,
    pub sequence: u16,
    pub timestamp: u32,
    pub payload: bytes::Bytes,
    pub at: Instant,
}

/// Something a far end wants shown (a transcript line, usage, an error).
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub kind: &'static str,
    pub text: String,
}

pub trait FarEnd: Send {
    /// For the live view and reports: `echo`, `tone:440`, `play:file.wav`...
    fn name(&self) -> String;
    /// The sample rate of `hear` and `speak`. The call's Opus decoder and
    /// encoder run at it, so a far end that works at 24 kHz (the Realtime
    /// API) needs no resampler: libopus converts on the way, for less CPU
    /// than decoding to 48 kHz and halving (`cargo bench --bench opus_rates`).
    fn rate(&self) -> u32 {
        RATE
    }
    /// What the caller said: mono samples at [`FarEnd::rate`], in order,
    /// concealed losses included; `at` is when their packet arrived (for
    /// latency probes).
    fn hear(&mut self, samples: &[i16], at: Instant);
    /// The next 20 ms for the caller into `out` (20 ms at [`FarEnd::rate`]),
    /// which comes zeroed: a far end with nothing to say leaves it.
    fn speak(&mut self, out: &mut [i16]);
    /// The call's clock moved on `frames` frames without asking for them (a
    /// tick came late on a busy machine). A live source (a microphone) lets
    /// their audio go, so the delay stays what it was; the rest carry on
    /// where they were.
    fn skipped(&mut self, _frames: u64) {}
    /// The caller pressed a key (RFC 4733).
    fn key(&mut self, _key: char) {}
    /// Media is up: a far end that greets the caller starts now.
    fn start(&mut self) {}
    /// Notes since the last call, for the live view.
    fn notes(&mut self) -> Vec<Note> {
        Vec::new()
    }
    /// Why this far end can no longer carry the call, if it cannot.
    fn failure(&mut self) -> Option<String> {
        None
    }
    /// What it has to report at the end (usage, cost, latency), as JSON.
    fn summary(&self) -> Option<serde_json::Value> {
        None
    }
    /// A far end that plays in real time (a speaker) wants the caller's
    /// packets smoothed by a jitter buffer first; the rest want them now.
    fn jitter_buffer(&self) -> Option<JitterConfig> {
        None
    }
    /// Opus passthrough (OpenAI over WebRTC): the caller's Opus packets go
    /// to `hear_opus` as received and the caller gets what `speak_opus`
    /// gives, with no decoding at all; `hear` and `speak` are not called.
    fn passthrough(&self) -> bool {
        false
    }
    fn hear_opus(&mut self, _packet: OpusPacket) {}
    /// Whether `speak_opus` gives the packets to send (a passthrough far end,
    /// or a pre-encoded source that still hears decoded audio).
    fn sends_opus(&self) -> bool {
        self.passthrough()
    }
    /// The next Opus packet for the caller; `None` sends silence.
    fn speak_opus(&mut self) -> Option<bytes::Bytes> {
        None
    }
}

/// Tone, file and silence are far ends that do not listen.
impl FarEnd for Source {
    fn name(&self) -> String {
        match self {
            Source::Tone(t) => format!("tone:{}", t.hz()),
            Source::Samples { .. } => "play".into(),
            Source::Encoded { .. } => "pre-encoded".into(),
            Source::Silence => "silence".into(),
        }
    }

    fn hear(&mut self, _samples: &[i16], _at: Instant) {}

    fn speak(&mut self, out: &mut [i16]) {
        out.copy_from_slice(&self.frame());
    }

    fn sends_opus(&self) -> bool {
        self.is_pre_encoded()
    }

    fn speak_opus(&mut self) -> Option<bytes::Bytes> {
        self.next_packet()
    }
}

/// A boxed far end is a far end, so wrappers like [`Recorded`] take any.
impl FarEnd for Box<dyn FarEnd> {
    fn name(&self) -> String {
        (**self).name()
    }
    fn rate(&self) -> u32 {
        (**self).rate()
    }
    fn hear(&mut self, samples: &[i16], at: Instant) {
        (**self).hear(samples, at)
    }
    fn speak(&mut self, out: &mut [i16]) {
        (**self).speak(out)
    }
    fn skipped(&mut self, frames: u64) {
        (**self).skipped(frames)
    }
    fn key(&mut self, key: char) {
        (**self).key(key)
    }
    fn start(&mut self) {
        (**self).start()
    }
    fn notes(&mut self) -> Vec<Note> {
        (**self).notes()
    }
    fn failure(&mut self) -> Option<String> {
        (**self).failure()
    }
    fn summary(&self) -> Option<serde_json::Value> {
        (**self).summary()
    }
    fn jitter_buffer(&self) -> Option<JitterConfig> {
        (**self).jitter_buffer()
    }
    fn passthrough(&self) -> bool {
        (**self).passthrough()
    }
    fn sends_opus(&self) -> bool {
        (**self).sends_opus()
    }
    fn hear_opus(&mut self, packet: OpusPacket) {
        (**self).hear_opus(packet)
    }
    fn speak_opus(&mut self) -> Option<bytes::Bytes> {
        (**self).speak_opus()
    }
}
