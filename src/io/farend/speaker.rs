//! The local speaker and microphone as the far end (`--to speaker`,
//! `wacall listen`): the caller is heard on the speaker and the microphone
//! goes to the caller.
//!
//! Network jitter is the media loop's jitter buffer's job (this far end
//! asks for one); here the two device queues are held at small margins by
//! resamplers whose ratio follows the queue level, so a device clock that
//! is off by a fraction of a percent neither grows the delay nor clicks.
//! A margin that runs dry (a busy machine's late threads) grows by 10 ms.

use super::FarEnd;
use crate::core::audio::{Capture, JitterConfig, LevelControl, RATE, Resampler, level_dbfs};
use crate::io::audio::{DeviceSpec, LocalAudio};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// What the speaker queue aims to hold at its low point: two device periods.
const SPEAKER_TARGET_MS: usize = 10;
/// What the microphone side holds at 48 kHz beyond the frame being sent.
const MIC_TARGET_MS: usize = 10;
/// The most either margin grows to after running dry.
const MAX_MARGIN_MS: usize = 60;
/// Playing starts (and restarts after running dry) this far above the
/// margin, so the level begins there instead of being dragged up by pitch.
const PREFILL_MS: usize = 20;

pub struct Speaker {
    audio: LocalAudio,
    mute: bool,
    to_device: Resampler,
    speaker_level: LevelControl,
    /// Speaker underruns already answered by a wider margin.
    underruns_seen: u64,
    mic: Capture,
    scratch: Vec<i16>,
    /// The speaker's drift controller's last ratio, for the report.
    speaker_ratio: f64,
    heard_dbfs: f64,
    said_dbfs: f64,
}

impl Speaker {
    pub fn open(spec: &DeviceSpec, mute: bool) -> anyhow::Result<Speaker> {
        let audio = LocalAudio::open(spec)?;
        let out_rate = audio.output.rate;
        let per_ms = out_rate as usize / 1000;
        audio
            .speaker
            .set_prefill(per_ms * (SPEAKER_TARGET_MS + PREFILL_MS));
        Ok(Speaker {
            to_device: Resampler::drifting(RATE, out_rate, 240)?,
            speaker_level: LevelControl::new(
                per_ms * SPEAKER_TARGET_MS,
                per_ms * MAX_MARGIN_MS,
                out_rate,
            ),
            underruns_seen: 0,
            mic: Capture::new(audio.input.rate, MIC_TARGET_MS, MAX_MARGIN_MS)?,
            audio,
            mute,
            scratch: Vec::new(),
            speaker_ratio: 1.0,
            heard_dbfs: f64::NEG_INFINITY,
            said_dbfs: f64::NEG_INFINITY,
        })
    }
}

impl FarEnd for Speaker {
    fn name(&self) -> String {
        format!("speaker:{}", self.audio.output.name)
    }

    fn jitter_buffer(&self) -> Option<JitterConfig> {
        Some(JitterConfig::default())
    }

    fn hear(&mut self, samples: &[i16], _at: Instant) {
        self.heard_dbfs = level_dbfs(samples);
        let underruns = self.audio.speaker.underruns.load(Ordering::Relaxed);
        if underruns > self.underruns_seen {
            self.underruns_seen = underruns;
            self.speaker_level.ran_dry();
            let per_ms = self.audio.output.rate as usize / 1000;
            self.audio
                .speaker
                .set_prefill(self.speaker_level.target() + per_ms * PREFILL_MS);
        }
        let level = self.audio.speaker.len();
        self.speaker_ratio = self.speaker_level.ratio(level);
        self.to_device.set_ratio(self.speaker_ratio);
        self.scratch.clear();
        self.to_device.push(samples, &mut self.scratch);
        // Never more than 60 ms over the margin, whatever happens upstream:
        // the oldest goes, so the delay cannot stay.
        let cap = self.speaker_level.target() + self.audio.output.rate as usize * 60 / 1000;
        self.audio.speaker.push(&self.scratch, cap);
    }

    fn speak(&mut self, out: &mut [i16]) {
        self.scratch.clear();
        self.audio.mic.take_all(&mut self.scratch);
        self.mic.push(&self.scratch);
        let frame = self.mic.frame();
        if !self.mute {
            out.copy_from_slice(&frame);
        }
        self.said_dbfs = level_dbfs(out);
    }

    fn skipped(&mut self, frames: u64) {
        self.mic.skip(frames);
    }

    fn summary(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!({
            "output": self.audio.output,
            "input": self.audio.input,
            "muted": self.mute,
            "speaker_underruns": self.audio.speaker.underruns.load(Ordering::Relaxed),
            "speaker_overflows": self.audio.speaker.overflows.load(Ordering::Relaxed),
            "speaker_margin_ms": self.speaker_level.target_ms(),
            "mic_overflows": self.audio.mic.overflows.load(Ordering::Relaxed),
            "mic_short_frames": self.mic.short_frames,
            "mic_skipped_frames": self.mic.skipped_frames,
            "mic_margin_ms": self.mic.margin_ms(),
            "device_errors": self.audio.errors.load(Ordering::Relaxed),
            "speaker_ratio": self.speaker_ratio,
            "mic_ratio": self.mic.ratio(),
            "last_heard_dbfs": finite(self.heard_dbfs),
            "last_said_dbfs": finite(self.said_dbfs),
        }))
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some((x * 10.0).round() / 10.0)
}
