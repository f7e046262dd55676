//! Sample-rate conversion between WhatsApp's 48 kHz and OpenAI's 24 kHz
//! (a half-band filter, `halfband.rs`) and between any other rates, or a
//! drifting device clock and ours.
//!
//! rubato's sinc resampler with a 64-tap filter, chosen over its FFT one
//! for latency: about 1 ms of delay instead of half a chunk (10 ms), which
//! would be most of the bridge's 5 ms budget per direction. The output is
//! aligned with the input (the filter's delay is trimmed at the start and
//! pushed out by `flush`), so sample N out is sample N in, rescaled: that
//! is what makes `audio_end_ms` on a barge-in exact.

use super::halfband::HalfBand;
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Adjustable, Async, FixedAsync, Resampler as _, SincInterpolationParameters,
    SincInterpolationType, WindowFunction,
};

#[derive(Debug, thiserror::Error)]
#[error("resampler: {0}")]
pub struct ResampleError(String);

const OVERSAMPLING: usize = 128;

/// Whether every output time is a multiple of 1/OVERSAMPLING input samples.
fn on_table_points(from: u32, to: u32) -> bool {
    from > 0
        && to > 0
        && (from.is_multiple_of(to)
            || (to.is_multiple_of(from) && OVERSAMPLING.is_multiple_of((to / from) as usize)))
}

pub struct Resampler {
    engine: Engine,
}

enum Engine {
    Half(HalfBand),
    Sinc(Box<Sinc>),
}

struct Sinc {
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
    /// A fixed ratio. `chunk` is the input block in samples for the sinc
    /// resampler; smaller blocks wait less for input. Halving and doubling
    /// (48 and 24 kHz) take the half-band filter, which needs no blocks
    /// (resampling was 8-10 % of `serve`'s CPU with 100 Realtime calls).
    /// Between other rates where one divides the other every output sample
    /// falls on a point of the sinc table, so the nearest point is exact and
    /// a quarter of the work of cubic interpolation between four.
    pub fn new(from: u32, to: u32, chunk: usize) -> Result<Resampler, ResampleError> {
        if from == 2 * to || to == 2 * from {
            return Ok(Resampler {
                engine: Engine::Half(HalfBand::new(from > to)),
            });
        }
        let interpolation = if on_table_points(from, to) {
            SincInterpolationType::Nearest
        } else {
            SincInterpolationType::Cubic
        };
        Resampler::sinc(from, to, chunk, interpolation)
    }

    /// A ratio that [`set_ratio`](Self::set_ratio) will nudge (a device's
    /// clock drift): output samples fall between table points.
    pub fn drifting(from: u32, to: u32, chunk: usize) -> Result<Resampler, ResampleError> {
        Resampler::sinc(from, to, chunk, SincInterpolationType::Cubic)
    }

    fn sinc(
        from: u32,
        to: u32,
        chunk: usize,
        interpolation: SincInterpolationType,
    ) -> Result<Resampler, ResampleError> {
        Ok(Resampler {
            engine: Engine::Sinc(Box::new(Sinc::new(from, to, chunk, interpolation)?)),
        })
    }

    /// Resamples `input`, appending what is ready to `out`.
    pub fn push(&mut self, input: &[i16], out: &mut Vec<i16>) {
        match &mut self.engine {
            Engine::Half(h) => h.push(input, out),
            Engine::Sinc(s) => s.push(input, out),
        }
    }

    /// Pushes out everything still held (zero padded), then starts afresh.
    pub fn flush(&mut self, out: &mut Vec<i16>) {
        match &mut self.engine {
            Engine::Half(h) => h.flush(out),
            Engine::Sinc(s) => s.flush(out),
        }
    }

    /// Scales the conversion ratio by `relative` (1.0 is nominal; 0.99 to
    /// 1.01), ramped over the next chunk so the pitch does not step. Only a
    /// [`drifting`](Self::drifting) resampler (or one between rates that are
    /// not 2:1) moves; a half-band one keeps its exact ratio.
    pub fn set_ratio(&mut self, relative: f64) {
        if let Engine::Sinc(s) = &mut self.engine {
            s.set_ratio(relative);
        }
    }

    /// Drops everything held, as after a barge-in.
    pub fn reset(&mut self) {
        match &mut self.engine {
            Engine::Half(h) => h.reset(),
            Engine::Sinc(s) => s.reset(),
        }
    }
}

impl Sinc {
    fn new(
        from: u32,
        to: u32,
        chunk: usize,
        interpolation: SincInterpolationType,
    ) -> Result<Sinc, ResampleError> {
        let mut params = SincInterpolationParameters::new(64, WindowFunction::BlackmanHarris2);
        params.oversampling_factor = OVERSAMPLING;
        params.interpolation = interpolation;
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
        Ok(Sinc {
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

    fn push(&mut self, input: &[i16], out: &mut Vec<i16>) {
        self.taken_in += input.len() as u64;
        for &s in input {
            self.pending.push(f32::from(s) / 32768.0);
            if self.pending.len() == self.chunk {
                self.run_chunk(out, u64::MAX);
            }
        }
    }

    fn flush(&mut self, out: &mut Vec<i16>) {
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

    fn set_ratio(&mut self, relative: f64) {
        let _ = self
            .inner
            .set_resample_ratio_relative(relative.clamp(0.99, 1.01), true);
    }

    fn reset(&mut self) {
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
    fn the_nearest_table_point_is_exact_between_rates_that_divide() {
        assert!(on_table_points(48_000, 24_000) && on_table_points(24_000, 48_000));
        assert!(on_table_points(48_000, 48_000) && on_table_points(48_000, 16_000));
        assert!(!on_table_points(44_100, 48_000) && !on_table_points(48_000, 44_100));
        assert!(
            !on_table_points(16_000, 48_000),
            "a third of a sample is off the table"
        );
        // What the cheap interpolation gives is what the general one gives.
        let input = tone(1234.0, 48_000, 9600);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let mut fast = Resampler::new(48_000, 16_000, 960).unwrap();
        let mut general = Resampler::drifting(48_000, 16_000, 960).unwrap();
        assert!(matches!(fast.engine, Engine::Sinc(_)));
        for c in input.chunks(960) {
            fast.push(c, &mut a);
            general.push(c, &mut b);
        }
        assert_eq!(a.len(), b.len());
        let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).max().unwrap();
        assert!(worst <= 1, "differs by {worst}");
    }

    #[test]
    fn halving_and_doubling_take_the_half_band_and_agree_with_the_sinc() {
        for (from, to, chunk) in [(48_000, 24_000, 960), (24_000, 48_000, 120)] {
            let input = tone(1234.0, from, from as usize / 5);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let mut half = Resampler::new(from, to, chunk).unwrap();
            assert!(matches!(half.engine, Engine::Half(_)));
            let mut general = Resampler::drifting(from, to, chunk).unwrap();
            for c in input.chunks(chunk) {
                half.push(c, &mut a);
                general.push(c, &mut b);
            }
            half.flush(&mut a);
            general.flush(&mut b);
            assert_eq!(a.len(), b.len());
            // Two different filters, the same audio: within 0.3 % of the
            // tone's amplitude (about -50 dB), away from the edges. rubato's
            // trimmed delay is one output sample short, so its audio is one
            // sample early; the half-band's is exact (see halfband.rs).
            let edge = a.len() / 10;
            let worst = a[edge + 1..a.len() - edge]
                .iter()
                .zip(&b[edge..b.len() - edge - 1])
                .map(|(x, y)| (x - y).abs())
                .max()
                .unwrap();
            assert!(worst <= 30, "{from}->{to}: differs by {worst}");
        }
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
