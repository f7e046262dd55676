//! The local speaker and microphone as the far end (`--to speaker`,
//! `wacall listen`): the caller is heard on the speaker and the microphone
//! goes to the caller.
//!
//! Network jitter is the media loop's jitter buffer's job (this far end
//! asks for one); here the two device queues are held at small targets by
//! resamplers whose ratio follows the queue level, so a device clock that
//! is off by a fraction of a percent neither grows the delay nor clicks.

use super::FarEnd;
use crate::core::audio::{FRAME, JitterConfig, LevelControl, RATE, Resampler, level_dbfs};
use crate::io::audio::{DeviceSpec, LocalAudio};
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// What the speaker queue aims to hold: two device periods.
const SPEAKER_TARGET_MS: usize = 10;
/// What the microphone side holds at 48 kHz before a frame is sent.
const MIC_TARGET_MS: usize = 10;

pub struct Speaker {
    audio: LocalAudio,
    mute: bool,
    to_device: Resampler,
    from_device: Resampler,
    speaker_level: LevelControl,
    mic_level: LevelControl,
    /// Microphone audio at 48 kHz, waiting to be sent.
    mic: VecDeque<i16>,
    scratch: Vec<i16>,
    scratch2: Vec<i16>,
    mic_short: u64,
    /// The microphone side sends once its target is held (and again after
    /// running dry), like the speaker queue.
    mic_flowing: bool,
    /// The drift controllers' last ratios, for the report.
    speaker_ratio: f64,
    mic_ratio: f64,
    heard_dbfs: f64,
    said_dbfs: f64,
}

impl Speaker {
    pub fn open(spec: &DeviceSpec, mute: bool) -> anyhow::Result<Speaker> {
        let audio = LocalAudio::open(spec)?;
        audio
            .speaker
            .set_prefill(audio.output.rate as usize * (SPEAKER_TARGET_MS + 20) / 1000);
        let out_rate = audio.output.rate;
        let in_rate = audio.input.rate;
        Ok(Speaker {
            to_device: Resampler::drifting(RATE, out_rate, 240)?,
            from_device: Resampler::drifting(in_rate, RATE, (in_rate / 200) as usize)?,
            speaker_level: LevelControl::new(
                out_rate as usize * SPEAKER_TARGET_MS / 1000,
                out_rate,
            ),
            mic_level: LevelControl::new(RATE as usize * MIC_TARGET_MS / 1000, RATE),
            audio,
            mute,
            mic: VecDeque::new(),
            scratch: Vec::new(),
            scratch2: Vec::new(),
            mic_short: 0,
            mic_flowing: false,
            speaker_ratio: 1.0,
            mic_ratio: 1.0,
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
        let level = self.audio.speaker.len();
        self.speaker_ratio = self.speaker_level.ratio(level);
        self.to_device.set_ratio(self.speaker_ratio);
        self.scratch.clear();
        self.to_device.push(samples, &mut self.scratch);
        // Never more than 60 ms over the target, whatever happens upstream:
        // the oldest goes, so the delay cannot stay.
        let cap = self.audio.output.rate as usize * (SPEAKER_TARGET_MS + 60) / 1000;
        self.audio.speaker.push(&self.scratch, cap);
    }

    fn speak(&mut self) -> [i16; FRAME] {
        self.scratch2.clear();
        self.audio.mic.take_all(&mut self.scratch2);
        if !self.scratch2.is_empty() {
            self.mic_ratio = self.mic_level.ratio(self.mic.len());
            self.from_device.set_ratio(self.mic_ratio);
            self.scratch.clear();
            self.from_device.push(&self.scratch2, &mut self.scratch);
            self.mic.extend(self.scratch.iter().copied());
            // Far more than the target (what the device captured before the
            // call began, or a burst after a stall): jump back to the target
            // now rather than drag the pitch for seconds to get there.
            let target = self.mic_level.target();
            if self.mic.len() > target + 3 * FRAME {
                let extra = self.mic.len() - target - FRAME;
                self.mic.drain(..extra);
            }
        }
        let mut frame = [0i16; FRAME];
        if !self.mic_flowing && self.mic.len() >= self.mic_level.target() + FRAME {
            self.mic_flowing = true;
        }
        if self.mic_flowing {
            if self.mic.len() >= FRAME {
                for (o, s) in frame.iter_mut().zip(self.mic.drain(..FRAME)) {
                    *o = s;
                }
            } else {
                self.mic_short += 1;
                self.mic_flowing = false;
            }
        }
        if self.mute {
            frame = [0; FRAME];
        }
        self.said_dbfs = level_dbfs(&frame);
        frame
    }

    fn summary(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!({
            "output": self.audio.output,
            "input": self.audio.input,
            "muted": self.mute,
            "speaker_underruns": self.audio.speaker.xruns.load(Ordering::Relaxed),
            "mic_overflows": self.audio.mic.xruns.load(Ordering::Relaxed),
            "mic_short_frames": self.mic_short,
            "device_errors": self.audio.errors.load(Ordering::Relaxed),
            "speaker_ratio": self.speaker_ratio,
            "mic_ratio": self.mic_ratio,
            "last_heard_dbfs": finite(self.heard_dbfs),
            "last_said_dbfs": finite(self.said_dbfs),
        }))
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some((x * 10.0).round() / 10.0)
}
