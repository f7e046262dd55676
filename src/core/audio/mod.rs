//! Audio as numbers: 20 ms frames at 48 kHz, test tones, levels, and the
//! dominant frequency of what was heard, so a test can say "the caller heard
//! 440 Hz at -12 dBFS" instead of "some packets arrived".

mod analyze;
mod capture;
mod drift;
mod halfband;
mod jitter;
mod opus;
mod receive;
mod resample;

pub use analyze::{Analysis, analyze, dominant_frequency, dominant_frequency_at, level_dbfs};
pub use capture::Capture;
pub use drift::LevelControl;
pub use jitter::{JitterBuffer, JitterConfig, JitterStats, Playout};
pub use opus::{COMPLEXITY, Decoder, Encoder, OpusError};
pub use receive::AudioIn;
pub use resample::{ResampleError, Resampler};

/// The RTP clock and sample rate of Opus in WebRTC.
pub const RATE: u32 = 48_000;
/// Samples in one 20 ms frame at 48 kHz: WhatsApp's packet time.
pub const FRAME: usize = 960;

/// Samples in one 20 ms frame at `rate`.
pub const fn frame_len(rate: u32) -> usize {
    rate as usize / 50
}

/// A sine tone that continues across frames without clicks.
#[derive(Debug, Clone)]
pub struct Tone {
    hz: f64,
    amplitude: f64,
    phase: f64,
}

impl Tone {
    /// `amplitude` is a fraction of full scale (0.0-1.0).
    pub fn new(hz: f64, amplitude: f64) -> Tone {
        Tone {
            hz,
            amplitude: amplitude.clamp(0.0, 1.0),
            phase: 0.0,
        }
    }

    pub fn hz(&self) -> f64 {
        self.hz
    }

    /// The next 20 ms.
    pub fn frame(&mut self) -> [i16; FRAME] {
        let mut out = [0i16; FRAME];
        self.fill(&mut out, RATE);
        out
    }

    /// The next `out.len()` samples at `rate`.
    pub fn fill(&mut self, out: &mut [i16], rate: u32) {
        let step = std::f64::consts::TAU * self.hz / f64::from(rate);
        for s in out.iter_mut() {
            *s = (self.phase.sin() * self.amplitude * f64::from(i16::MAX)) as i16;
            self.phase = (self.phase + step) % std::f64::consts::TAU;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_is_continuous_across_frames() {
        let mut t = Tone::new(1000.0, 0.5);
        let a = t.frame();
        let b = t.frame();
        // The first sample of b continues the slope of a's last two.
        let step = i32::from(a[FRAME - 1]) - i32::from(a[FRAME - 2]);
        let jump = i32::from(b[0]) - i32::from(a[FRAME - 1]);
        assert!((jump - step).abs() < 200, "{jump} vs {step}");
    }
}
