//! Exact 2:1 and 1:2 conversion (48 <-> 24 kHz, the Realtime API's rate)
//! with one half-band FIR: every other tap of a half-band filter is zero,
//! so halving the rate computes only the kept outputs and doubling it
//! copies the even outputs and filters only the odd ones: less arithmetic
//! than a general sinc resampler at the same ratio, and exact alignment:
//! output sample N is input sample N, rescaled in time, with no start-up
//! delay to trim.

/// Taps on each side at odd offsets (1, 3, ... 2K-1): a 63-tap filter,
/// within 0.05 dB through the speech band and, at 48 kHz, aliases and
/// images of 20-21 kHz below -75 dB (both tested).
const K: usize = 16;
/// Kaiser window shape for about 80 dB of stopband (0.1102 * (80 - 8.7)).
const BETA: f64 = 7.86;
/// Samples already consumed are dropped in blocks, not one by one.
const COMPACT: usize = 4096;

pub(super) struct HalfBand {
    down: bool,
    /// The filter's nonzero side taps as one symmetric row over the 2K
    /// samples at odd distance from the output's instant (for halving; the
    /// odd outputs of doubling use twice each), so each output is one
    /// contiguous dot product.
    row: [f32; 2 * K],
    /// Halving: input at even indices in `a`, odd ones in `b`, pair p
    /// (samples 2p and 2p+1) at `p - first`. Doubling: all input in `a`,
    /// sample n at `n - first`. Negative indices are the zeros before the
    /// first sample.
    a: Vec<f32>,
    b: Vec<f32>,
    first: i64,
    taken: u64,
    made: u64,
}

/// The modified Bessel function I0, by its power series.
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term) = (1.0, 1.0);
    for k in 1..50 {
        term *= (x / 2.0) / k as f64;
        sum += term * term;
        if term * term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// The Kaiser-windowed half-band taps at odd offsets 1, 3, ... 2K-1,
/// scaled for unity gain at DC with the centre tap of 0.5.
fn side_taps() -> [f64; K] {
    let half = (2 * K - 1) as f64;
    let mut h = [0.0f64; K];
    for (i, c) in h.iter_mut().enumerate() {
        let k = (2 * i + 1) as f64;
        let sinc = (std::f64::consts::FRAC_PI_2 * k).sin() / (std::f64::consts::FRAC_PI_2 * k);
        let r = k / (half + 1.0);
        let window = bessel_i0(BETA * (1.0 - r * r).sqrt()) / bessel_i0(BETA);
        *c = 0.5 * sinc * window;
    }
    let side: f64 = h.iter().sum::<f64>() * 2.0;
    h.map(|c| c * 0.5 / side)
}

/// A dot product of the row with 2K samples, in lanes of four that the
/// compiler keeps in vector registers (a single running sum would fix the
/// order of additions and stay scalar).
#[inline(always)]
fn dot(row: &[f32; 2 * K], x: &[f32]) -> f32 {
    let x: &[f32; 2 * K] = x.try_into().expect("2K samples");
    let mut lanes = [[0.0f32; 4]; 4];
    for (r, v) in row.chunks_exact(16).zip(x.chunks_exact(16)) {
        for q in 0..4 {
            for l in 0..4 {
                lanes[q][l] += r[4 * q + l] * v[4 * q + l];
            }
        }
    }
    let mut sum = [0.0f32; 4];
    for q in lanes {
        for l in 0..4 {
            sum[l] += q[l];
        }
    }
    (sum[0] + sum[1]) + (sum[2] + sum[3])
}

/// Rounds half away from zero as `f32::round` does, without its libm call
/// (x86-64's baseline has no rounding instruction).
#[inline(always)]
fn to_i16(v: f32) -> i16 {
    let y = v * 32768.0;
    let r = if y >= 0.0 { y + 0.5 } else { y - 0.5 };
    // `as` truncates toward zero and saturates.
    r.clamp(-32768.0, 32767.0) as i16
}

impl HalfBand {
    /// `down`: 2:1 (48 to 24 kHz); otherwise 1:2.
    pub(super) fn new(down: bool) -> HalfBand {
        let h = side_taps();
        let scale = if down { 1.0 } else { 2.0 };
        let mut row = [0.0f32; 2 * K];
        for i in 0..K {
            row[K - 1 - i] = (h[i] * scale) as f32;
            row[K + i] = (h[i] * scale) as f32;
        }
        HalfBand {
            down,
            row,
            a: vec![0.0; K],
            b: if down { vec![0.0; K] } else { Vec::new() },
            first: -(K as i64),
            taken: 0,
            made: 0,
        }
    }

    /// Output samples the input so far is worth.
    fn owed(&self) -> u64 {
        if self.down {
            self.taken / 2
        } else {
            self.taken * 2
        }
    }

    fn take(&mut self, samples: impl Iterator<Item = f32>) {
        if !self.down {
            self.a.extend(samples);
            return;
        }
        // The parity of the next sample: the buffers start on a pair.
        let mut odd = self.a.len() > self.b.len();
        for v in samples {
            if odd {
                self.b.push(v)
            } else {
                self.a.push(v)
            }
            odd = !odd;
        }
    }

    pub(super) fn push(&mut self, input: &[i16], out: &mut Vec<i16>) {
        self.take(input.iter().map(|&s| f32::from(s) / 32768.0));
        self.taken += input.len() as u64;
        self.produce(out, self.taken as i64, u64::MAX);
    }

    /// Pushes out what the input is still owed (as if zeros followed),
    /// then starts afresh.
    pub(super) fn flush(&mut self, out: &mut Vec<i16>) {
        self.take(std::iter::repeat_n(0.0, 2 * K));
        let owed = self.owed();
        self.produce(out, self.taken as i64 + 2 * K as i64, owed);
        self.reset();
    }

    pub(super) fn reset(&mut self) {
        *self = HalfBand::new(self.down);
    }

    /// Makes every output whose inputs are known (indices below `known`).
    fn produce(&mut self, out: &mut Vec<i16>, known: i64, limit: u64) {
        let k = K as i64;
        // How many outputs the known input completes: halving needs input
        // 2n+2K-1 for output n; doubling, input m+K for output 2m+1 (and
        // input m for output 2m).
        let ready = if self.down {
            (known - 2 * k).div_euclid(2) + 1
        } else {
            2 * (known - k)
        };
        let end = ready.max(0).min(limit.min(i64::MAX as u64) as i64) as u64;
        if end <= self.made {
            return;
        }
        out.reserve((end - self.made) as usize);
        if self.down {
            for n in self.made as i64..end as i64 {
                // Output n is input instant 2n: its centre sample, and the
                // odd samples 2n-2K+1 .. 2n+2K-1 (pairs n-K .. n+K-1).
                let p = (n - self.first) as usize;
                out.push(to_i16(
                    0.5 * self.a[p] + dot(&self.row, &self.b[p - K..p + K]),
                ));
            }
        } else {
            for n in self.made as i64..end as i64 {
                let m = n / 2;
                let p = (m - self.first) as usize;
                out.push(to_i16(if n % 2 == 0 {
                    self.a[p]
                } else {
                    // Between inputs m and m+1: inputs m-K+1 .. m+K.
                    dot(&self.row, &self.a[p + 1 - K..p + 1 + K])
                }));
            }
        }
        self.made = end;
        self.compact();
    }

    /// Drops input no later output looks back to.
    fn compact(&mut self) {
        // The oldest entry (pair or sample) the next output reads.
        let oldest = if self.down {
            self.made as i64 - K as i64
        } else {
            self.made as i64 / 2 + 1 - K as i64
        };
        let done = (oldest - self.first).max(0) as usize;
        if done >= COMPACT {
            self.a.drain(..done);
            if self.down {
                self.b.drain(..done);
            }
            self.first += done as i64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: f64, rate: f64, n: usize) -> Vec<i16> {
        (0..n)
            .map(|i| (0.5 * 32767.0 * (std::f64::consts::TAU * hz * i as f64 / rate).sin()) as i16)
            .collect()
    }

    /// The amplitude of `hz` in `s` (Goertzel), relative to full scale.
    fn amplitude(s: &[i16], hz: f64, rate: f64) -> f64 {
        let w = std::f64::consts::TAU * hz / rate;
        let (mut s1, mut s2) = (0.0, 0.0);
        for &v in s {
            let s0 = f64::from(v) / 32768.0 + 2.0 * w.cos() * s1 - s2;
            (s2, s1) = (s1, s0);
        }
        (s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2).sqrt() * 2.0 / s.len() as f64
    }

    fn db(x: f64) -> f64 {
        20.0 * x.max(1e-12).log10()
    }

    fn run(down: bool, input: &[i16]) -> Vec<i16> {
        let mut f = HalfBand::new(down);
        let mut out = Vec::new();
        for c in input.chunks(333) {
            f.push(c, &mut out);
        }
        f.flush(&mut out);
        out
    }

    #[test]
    fn speech_band_passes_at_unit_gain() {
        for hz in [100.0, 440.0, 3000.0, 7900.0] {
            let down = run(true, &tone(hz, 48_000.0, 48_000));
            assert_eq!(down.len(), 24_000);
            let a = amplitude(&down[2000..22_000], hz, 24_000.0);
            assert!(db(a / 0.5).abs() < 0.05, "{hz} Hz down: {} dB", db(a / 0.5));
            let up = run(false, &tone(hz, 24_000.0, 24_000));
            assert_eq!(up.len(), 48_000);
            let a = amplitude(&up[4000..44_000], hz, 48_000.0);
            assert!(db(a / 0.5).abs() < 0.05, "{hz} Hz up: {} dB", db(a / 0.5));
        }
    }

    #[test]
    fn halving_does_not_fold_the_top_octave_into_speech() {
        // 20 kHz at 48 kHz would alias to 4 kHz at 24 kHz.
        let down = run(true, &tone(20_000.0, 48_000.0, 48_000));
        let a = amplitude(&down[2000..22_000], 4_000.0, 24_000.0);
        assert!(db(a / 0.5) < -75.0, "alias at {} dB", db(a / 0.5));
    }

    #[test]
    fn doubling_leaves_no_image_above_the_old_band() {
        // 3 kHz at 24 kHz, doubled: its image would sit at 21 kHz.
        let up = run(false, &tone(3_000.0, 24_000.0, 24_000));
        let a = amplitude(&up[4000..44_000], 21_000.0, 48_000.0);
        assert!(db(a / 0.5) < -75.0, "image at {} dB", db(a / 0.5));
    }

    #[test]
    fn an_impulse_keeps_its_time_and_nothing_is_held_long() {
        let mut input = vec![0i16; 9600];
        input[4800] = 30_000;
        let down = run(true, &input);
        let peak = |s: &[i16]| (0..s.len()).max_by_key(|&i| s[i].unsigned_abs()).unwrap();
        assert_eq!(peak(&down), 2400);
        let up = run(false, &input);
        assert_eq!(peak(&up), 9600);
        // Without a flush, at most the filter's reach is still inside.
        let mut f = HalfBand::new(false);
        let mut out = Vec::new();
        f.push(&input, &mut out);
        assert!(out.len() >= 2 * 9600 - 2 * K - 1, "{}", out.len());
        let mut f = HalfBand::new(true);
        out.clear();
        f.push(&input, &mut out);
        assert!(out.len() >= 4800 - K, "{}", out.len());
    }

    #[test]
    fn a_long_stream_is_compacted_and_stays_exact() {
        let input = tone(440.0, 48_000.0, 10 * 48_000);
        let mut f = HalfBand::new(true);
        let mut out = Vec::new();
        for c in input.chunks(960) {
            f.push(c, &mut out);
            assert!(f.a.len() < COMPACT + 960 + 2 * K, "{}", f.a.len());
        }
        f.flush(&mut out);
        assert_eq!(out.len(), input.len() / 2);
        // Same as one pass over the whole input at once.
        let mut g = HalfBand::new(true);
        let mut whole = Vec::new();
        g.push(&input, &mut whole);
        g.flush(&mut whole);
        assert_eq!(out, whole);
    }

    #[test]
    fn sample_by_sample_is_the_same_as_all_at_once() {
        let input = tone(1000.0, 48_000.0, 3000);
        for down in [true, false] {
            let (mut one, mut all) = (HalfBand::new(down), HalfBand::new(down));
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for (i, s) in input.iter().enumerate() {
                one.push(std::slice::from_ref(s), &mut a);
                // Nothing is made before the samples it needs have come.
                let needed = if down {
                    i as i64 + 1 - 2 * K as i64
                } else {
                    2 * (i as i64 + 1 - K as i64)
                };
                let made = if down {
                    needed.div_euclid(2) + 1
                } else {
                    needed
                };
                assert_eq!(
                    a.len() as i64,
                    made.max(0),
                    "down {down}, after {} samples",
                    i + 1
                );
            }
            one.flush(&mut a);
            all.push(&input, &mut b);
            all.flush(&mut b);
            assert_eq!(a, b, "down {down}");
        }
    }
}
