//! Level and dominant frequency of a recording.

use super::RATE;
use realfft::{RealFftPlanner, RealToComplex};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

/// RMS level in dBFS (0 is a full-scale square wave; a full-scale sine is -3).
/// Digital silence reads as -120.
pub fn level_dbfs(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return -120.0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    let rms = (sum / samples.len() as f64).sqrt() / f64::from(i16::MAX);
    if rms <= 1e-6 {
        -120.0
    } else {
        20.0 * rms.log10()
    }
}

/// The strongest frequency in `samples` (48 kHz), from a Hann-windowed FFT
/// with parabolic interpolation; `None` for silence or too little audio.
pub fn dominant_frequency(samples: &[i16]) -> Option<f64> {
    dominant_frequency_at(samples, RATE)
}

/// [`dominant_frequency`] of samples taken `rate` times a second.
pub fn dominant_frequency_at(samples: &[i16], rate: u32) -> Option<f64> {
    if samples.len() < 2048 || level_dbfs(samples) < -70.0 {
        return None;
    }
    // The largest power of two that fits, at most 2^16 (1.4 s, 0.7 Hz bins).
    let n = (1usize << (usize::BITS - 1 - samples.len().leading_zeros())).min(1 << 16);
    let start = (samples.len() - n) / 2;
    let mag = magnitudes(&samples[start..start + n]);
    // Skip DC and the lowest bins (below ~20 Hz).
    let lowest = (20 * n) / rate as usize + 1;
    let (k, _) = mag
        .iter()
        .enumerate()
        .skip(lowest)
        .max_by(|a, b| a.1.total_cmp(b.1))?;
    let (a, b, c) = (mag[k - 1], mag[k], *mag.get(k + 1).unwrap_or(&0.0));
    let denom = a - 2.0 * b + c;
    let offset = if denom.abs() > f64::EPSILON {
        0.5 * (a - c) / denom
    } else {
        0.0
    };
    Some((k as f64 + offset) * f64::from(rate) / n as f64)
}

/// A plan for one transform length, and its Hann window.
struct Plan {
    fft: Arc<dyn RealToComplex<f64>>,
    window: Vec<f64>,
}

thread_local! {
    /// Plans by length, kept: the simulator analyses every call it ends,
    /// and a hand-written complex FFT of 2^16 points with its window's
    /// cosines computed afresh was 16 % of its CPU at 1000 calls.
    static PLANS: RefCell<Plans> = RefCell::new((RealFftPlanner::new(), HashMap::new()));
}

/// The planner (it keeps its own twiddles) and the plans made so far.
type Plans = (RealFftPlanner<f64>, HashMap<usize, Rc<Plan>>);

fn plan(n: usize) -> Rc<Plan> {
    PLANS.with(|p| {
        let (planner, plans) = &mut *p.borrow_mut();
        plans
            .entry(n)
            .or_insert_with(|| {
                let window = (0..n)
                    .map(|i| 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos())
                    .collect();
                Rc::new(Plan {
                    fft: planner.plan_fft_forward(n),
                    window,
                })
            })
            .clone()
    })
}

/// Magnitudes of the Hann-windowed spectrum of `samples` (a power of two
/// long), bins 0 to n/2 - 1.
fn magnitudes(samples: &[i16]) -> Vec<f64> {
    let n = samples.len();
    let plan = plan(n);
    let mut input: Vec<f64> = samples
        .iter()
        .zip(&plan.window)
        .map(|(&s, w)| f64::from(s) * w)
        .collect();
    let mut spectrum = plan.fft.make_output_vec();
    // Lengths match by construction: the plan is for `n`.
    plan.fft
        .process(&mut input, &mut spectrum)
        .expect("buffers sized by the plan");
    // Not `norm()`: its overflow-safe `hypot` was a fifth of the analysis.
    spectrum[..n / 2]
        .iter()
        .map(|c| (c.re * c.re + c.im * c.im).sqrt())
        .collect()
}

/// What a recording sounded like.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Analysis {
    pub seconds: f64,
    pub level_dbfs: f64,
    pub dominant_hz: Option<f64>,
}

pub fn analyze(samples: &[i16]) -> Analysis {
    Analysis {
        seconds: samples.len() as f64 / f64::from(RATE),
        level_dbfs: level_dbfs(samples),
        dominant_hz: steady_frequency(samples),
    }
}

/// Windows [`steady_frequency`] takes across a long recording.
const WINDOWS: usize = 5;
/// Each window: 2^16 samples (1.4 s at 48 kHz, 0.7 Hz bins).
const WINDOW: usize = 1 << 16;

/// The dominant frequency that holds across a recording: the median of
/// [`WINDOWS`] windows spread over it, where one window from the middle
/// looked at 1.4 s of a call. A stall's gap and phase jump there moved that
/// estimate by a hertz or more; now it moves one window, not the answer,
/// while a pitch that is off for most of the call still shows.
pub fn steady_frequency(samples: &[i16]) -> Option<f64> {
    if samples.len() < 2 * WINDOW {
        return dominant_frequency(samples);
    }
    let step = (samples.len() - WINDOW) / (WINDOWS - 1);
    let mut found: Vec<f64> = (0..WINDOWS)
        .filter_map(|i| dominant_frequency(&samples[i * step..i * step + WINDOW]))
        .collect();
    if found.is_empty() {
        return None;
    }
    found.sort_by(f64::total_cmp);
    Some(found[found.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::super::Tone;
    use super::*;

    /// 10 s of 1000 Hz with `glitch` (a gap and a phase jump) at 5 s, and
    /// `flat` seconds at the end played 0.4 % low.
    fn call_with(glitch: bool, flat: f64) -> Vec<i16> {
        let (mut v, mut phase) = (Vec::new(), 0.0f64);
        for i in 0..480_000usize {
            if glitch && (240_000..243_840).contains(&i) {
                v.push(0);
                continue;
            }
            if glitch && i == 243_840 {
                phase += 3.1;
            }
            let hz = if i as f64 >= (10.0 - flat) * 48_000.0 {
                996.0
            } else {
                1000.0
            };
            phase += std::f64::consts::TAU * hz / 48_000.0;
            v.push((phase.sin() * 8000.0) as i16);
        }
        v
    }

    #[test]
    fn one_glitch_does_not_move_the_steady_frequency_but_a_long_drift_does() {
        let hz = steady_frequency(&call_with(true, 0.0)).unwrap();
        assert!((hz - 1000.0).abs() < 0.2, "{hz}");
        // The middle window alone is what the glitch moves.
        let middle = dominant_frequency(&call_with(true, 0.0)).unwrap();
        assert!((middle - 1000.0).abs() > 0.5, "{middle}");
        let drifted = steady_frequency(&call_with(false, 7.0)).unwrap();
        assert!((drifted - 996.0).abs() < 0.5, "{drifted}");
    }

    fn seconds_of(hz: f64, amplitude: f64, secs: f64) -> Vec<i16> {
        let mut t = Tone::new(hz, amplitude);
        (0..(secs * 50.0) as usize)
            .flat_map(|_| t.frame())
            .collect()
    }

    #[test]
    fn finds_tones_to_a_hertz() {
        for hz in [300.0, 440.0, 1000.0, 1234.5, 3400.0] {
            let f = dominant_frequency(&seconds_of(hz, 0.3, 1.5)).unwrap();
            assert!((f - hz).abs() < 1.0, "{hz}: {f}");
        }
    }

    #[test]
    fn levels() {
        assert!((level_dbfs(&seconds_of(440.0, 1.0, 0.2)) + 3.01).abs() < 0.1);
        assert!((level_dbfs(&seconds_of(440.0, 0.1, 0.2)) + 23.01).abs() < 0.1);
        assert_eq!(level_dbfs(&[0; 960]), -120.0);
        assert_eq!(dominant_frequency(&[0; 48000]), None);
        assert_eq!(dominant_frequency(&[100; 100]), None);
    }

    #[test]
    fn louder_tone_wins_over_quieter() {
        let a = seconds_of(440.0, 0.4, 1.0);
        let b = seconds_of(1000.0, 0.1, 1.0);
        let mix: Vec<i16> = a
            .iter()
            .zip(&b)
            .map(|(x, y)| x.saturating_add(*y))
            .collect();
        assert!((dominant_frequency(&mix).unwrap() - 440.0).abs() < 1.0);
    }
}
