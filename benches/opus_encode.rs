//! The Opus encoder's cost per 20 ms frame of speech-like audio at each
//! complexity, with the bridge's settings (VoIP, 20 kb/s, in-band FEC),
//! coding full band and only what a 16 kHz player renders (WhatsApp's
//! `maxplaybackrate`).
//!
//! Run: `cargo bench --bench opus_encode`.

use std::time::Instant;
use wacall::core::audio::{Decoder, Encoder, FRAME, level_dbfs};

const FRAMES: usize = 5_000;

/// A voice-like signal: a 140 Hz pulse train through a decaying resonance,
/// its pitch and loudness moving, so SILK has real work to do.
fn speech(n: usize) -> Vec<[i16; FRAME]> {
    let (mut y1, mut y2, mut phase) = (0.0f64, 0.0f64, 0.0f64);
    let mut out = Vec::with_capacity(n);
    for f in 0..n {
        let mut frame = [0i16; FRAME];
        let pitch = 120.0 + 40.0 * ((f as f64) * 0.05).sin();
        let gain = 0.5 + 0.5 * ((f as f64) * 0.13).sin().abs();
        for s in frame.iter_mut() {
            phase += pitch / 48_000.0;
            let pulse = if phase >= 1.0 {
                phase -= 1.0;
                1.0
            } else {
                0.0
            };
            let y = pulse + 1.9 * y1 * (2.0 * std::f64::consts::PI * 700.0 / 48_000.0).cos()
                - 0.95 * y2;
            (y2, y1) = (y1, y);
            *s = (y * 2000.0 * gain).clamp(-32768.0, 32767.0) as i16;
        }
        out.push(frame);
    }
    out
}

fn main() {
    let input = speech(FRAMES);
    println!("playback    complexity  µs per 20 ms  level error (dB)");
    for (playback, complexity) in [
        (48_000, 3),
        (48_000, 5),
        (48_000, 7),
        (48_000, 10),
        (16_000, 1),
        (16_000, 2),
        (16_000, 3),
        (16_000, 4),
        (16_000, 5),
        (16_000, 6),
        (16_000, 7),
        (16_000, 10),
    ] {
        let mut enc = Encoder::new(20_000).unwrap();
        enc.set_complexity(complexity).unwrap();
        enc.limit_to_playback_rate(playback).unwrap();
        let start = Instant::now();
        let packets: Vec<Vec<u8>> = input.iter().map(|f| enc.encode(f).unwrap()).collect();
        let us = start.elapsed().as_secs_f64() * 1e6 / FRAMES as f64;
        // A crude fidelity check: the decoded level against the input's.
        let mut dec = Decoder::new().unwrap();
        let mut pcm = Vec::new();
        for p in &packets {
            dec.decode(p, &mut pcm).unwrap();
        }
        let flat: Vec<i16> = input.iter().flatten().copied().collect();
        let err = level_dbfs(&pcm) - level_dbfs(&flat);
        println!("{playback:>8}  {complexity:>10}  {us:>12.1}  {err:>16.2}");
    }
}
