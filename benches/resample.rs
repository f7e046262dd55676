//! Cost of converting 20 ms of audio between WhatsApp's 48 kHz and the
//! Realtime API's 24 kHz, each way, with the half-band filter the bridge
//! uses and the general (cubic sinc) one a drifting device needs.
//!
//! Run: `cargo bench --bench resample`.

use std::time::Instant;
use wacall::core::audio::{Resampler, Tone};

const FRAMES: usize = 20_000;

fn per_frame(mut r: Resampler, input: &[i16], chunk: usize) -> f64 {
    let mut out = Vec::with_capacity(input.len() * 2);
    let start = Instant::now();
    for _ in 0..FRAMES {
        out.clear();
        for c in input.chunks(chunk) {
            r.push(c, &mut out);
        }
    }
    std::hint::black_box(&out);
    start.elapsed().as_secs_f64() * 1e6 / FRAMES as f64
}

fn main() {
    let mut tone = Tone::new(440.0, 0.3);
    let frame48 = tone.frame().to_vec();
    let frame24: Vec<i16> = frame48.iter().step_by(2).copied().collect();
    println!("{:<12} {:>14} {:>14}", "20 ms", "half-band", "cubic sinc");
    for (name, from, to, input, chunk) in [
        ("48 -> 24 kHz", 48_000, 24_000, &frame48, 960),
        ("24 -> 48 kHz", 24_000, 48_000, &frame24, 120),
    ] {
        let fast = per_frame(Resampler::new(from, to, chunk).unwrap(), input, chunk);
        let cubic = per_frame(Resampler::drifting(from, to, chunk).unwrap(), input, chunk);
        println!("{name:<12} {fast:>11.2} µs {cubic:>11.2} µs");
    }
}
