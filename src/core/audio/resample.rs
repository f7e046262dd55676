//! Sample-rate conversion between WhatsApp's 48 kHz and OpenAI's 24 kHz.
//!
//! rubato's sinc resampler with a 64-tap filter, chosen over its FFT one
//! for latency: about 1 ms of delay instead of half a chunk (10 ms), which
//! would be most of the bridge's 5 ms budget per direction. The output is
//! aligned with the input (the filter's delay is trimmed at the start and
//! pushed out by `flush`), so sample N out is sample N in, rescaled: that
//! is what makes `audio_end_ms` on a barge-in exact.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Adjustable, Async, FixedAsync, Resampler as _, SincInterpolationParameters,
    SincInterpolationType, WindowFunction,
};

#[derive(Debug, thiserror::Error)]
#[error("resampler: {0}")]
pub struct ResampleError(String);

pub struct Resampler {
    inner: Async<f32>,
    from: u32,
    to: u32,
    chunk: usize,
    pending: Vec<f32>,
    scratch: Vec<f32>,
    /// Output samples still to drop: the filter's delay after a reset.
    trim: usize,
    taken_in: u64,
    given_out: u64,
}

impl Resampler {
    /// `chunk` is the input block in samples; smaller blocks wait less for input.
    pub fn new(from: u32, to: u32, chunk: usize) -> Result<Resampler, ResampleError> {
        let mut params = SincInterpolationParameters::new(64, WindowFunction::BlackmanHarris2);
        params.oversampling_factor = 128;
        params.interpolation = SincInterpolationType::Cubic;
        let inner = Async::<f32>::new_sinc(
            f64::from(to) / f64::from(from),
            // Room for drift control (`set_ratio`); far beyond any real drift.
            1.01,
            &params,
            chunk,
            1,
            FixedAsync::Input,
        )
        .map_err(|e| ResampleError(e.to_string()))?;
        let scratch = vec![0.0; inner.output_frames_max()];
        let trim = inner.output_delay();
        Ok(Resampler {
            inner,
            from,
            to,
            chunk,
            pending: Vec::with_capacity(chunk),
            scratch,
            trim,
            taken_in: 0,
            given_out: 0,
        })
    }

    /// Output samples the input so far is worth.
    fn owed(&self) -> u64 {
        self.taken_in * u64::from(self.to) / u64::from(self.from)
    }

    /// Resamples `input`, appending what is ready to `out`.
    pub fn push(&mut self, input: &[i16], out: &mut Vec<i16>) {
        self.taken_in += input.len() as u64;
        for &s in input {
            self.pending.push(f32::from(s) / 32768.0);
            if self.pending.len() == self.chunk {
                self.run_chunk(out, u64::MAX);
            }
        }
    }

    /// Pushes out everything still held (zero padded), then starts afresh.
    pub fn flush(&mut self, out: &mut Vec<i16>) {
        let owed = self.owed();
        // Bounded: each zero chunk moves at least chunk * ratio samples out.
        for _ in 0..8 {
            if self.given_out >= owed {
                break;
            }
            self.pending.resize(self.chunk, 0.0);
            self.run_chunk(out, owed);
        }
        self.reset();
    }

    /// Scales the conversion ratio by `relative` (1.0 is nominal; 0.99 to
    /// 1.01), ramped over the next chunk so the pitch does not step.
    pub fn set_ratio(&mut self, relative: f64) {
        let _ = self
            .inner
            .set_resample_ratio_relative(relative.clamp(0.99, 1.01), true);
    }

    /// Drops everything held, as after a barge-in.
    pub fn reset(&mut self) {
        self.inner.reset();
        self.pending.clear();
        self.trim = self.inner.output_delay();
        self.taken_in = 0;
        self.given_out = 0;
    }

    fn run_chunk(&mut self, out: &mut Vec<i16>, limit: u64) {
        let cap = self.scratch.len();
        let written = match (
            InterleavedSlice::new(&self.pending[..], 1, self.chunk),
            InterleavedSlice::new_mut(&mut self.scratch[..], 1, cap),
        ) {
            (Ok(input), Ok(mut output)) => self
                .inner
                .process_into_buffer(&input, &mut output, None)
                .map(|(_, w)| w)
                .unwrap_or(0),
            _ => 0,
        };
        self.pending.clear();
        let skip = self.trim.min(written);
        self.trim -= skip;
        for &v in &self.scratch[skip..written] {
            if self.given_out >= limit {
                break;
            }
            out.push((v * 32768.0).round().clamp(-32768.0, 32767.0) as i16);
            self.given_out += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::audio::{Tone, dominant_frequency};

    fn tone(hz: f64, rate: u32, n: usize) -> Vec<i16> {
        (0..n)
            .map(|i| {
                (0.3 * 32767.0
                    * (2.0 * std::f64::consts::PI * hz * i as f64 / f64::from(rate)).sin())
                    as i16
            })
            .collect()
    }

    #[test]
    fn down_and_up_keep_length_and_pitch() {
        let mut down = Resampler::new(48_000, 24_000, 960).unwrap();
        let mut up = Resampler::new(24_000, 48_000, 120).unwrap();
        let mut t = Tone::new(440.0, 0.3);
        let input: Vec<i16> = (0..50).flat_map(|_| t.frame()).collect();
        let mut mid = Vec::new();
        for f in input.chunks(960) {
            down.push(f, &mut mid);
        }
        down.flush(&mut mid);
        assert_eq!(mid.len(), input.len() / 2);
        let mut back = Vec::new();
        for c in mid.chunks(333) {
            up.push(c, &mut back);
        }
        up.flush(&mut back);
        assert_eq!(back.len(), input.len());
        let hz = dominant_frequency(&back).unwrap();
        assert!((hz - 440.0).abs() < 2.0, "{hz}");
    }

    #[test]
    fn output_is_aligned_with_input() {
        // An impulse at sample 4800 (100 ms at 48 kHz) comes out at 2400.
        let mut down = Resampler::new(48_000, 24_000, 960).unwrap();
        let mut input = vec![0i16; 9600];
        input[4800] = 30000;
        let mut out = Vec::new();
        down.push(&input, &mut out);
        down.flush(&mut out);
        let peak = out
            .iter()
            .enumerate()
            .max_by_key(|(_, v)| v.unsigned_abs())
            .unwrap()
            .0;
        assert!((peak as i64 - 2400).abs() <= 1, "peak at {peak}");
    }

    #[test]
    fn delay_is_small_and_reset_drops_held_audio() {
        let mut up = Resampler::new(24_000, 48_000, 120).unwrap();
        let mut out = Vec::new();
        up.push(&tone(300.0, 24_000, 1200), &mut out);
        // At most a couple of ms (out of 100) is held back in the filter.
        assert!(out.len() >= 2400 - 2 * 96, "{}", out.len());
        up.reset();
        let mut after = Vec::new();
        up.flush(&mut after);
        assert!(after.is_empty());
    }
}
