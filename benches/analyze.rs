//! Cost of analysing what a simulated caller heard: 2 s (a light caller,
//! `sim --light`, one 2^16-point window) and 10 s (five windows), 440 Hz.
//! The simulator does this once per call as it ends, on its runtime's
//! threads, so at 1000 calls it competes with every other call's packets.
//!
//! Run: `cargo bench --bench analyze`.

use std::time::Instant;
use wacall::core::audio::{Tone, analyze};

fn main() {
    let mut tone = Tone::new(440.0, 0.3);
    let ten: Vec<i16> = (0..500).flat_map(|_| tone.frame().to_vec()).collect();
    println!("{:<8} {:>12} {:>10}", "heard", "per call", "Hz");
    for seconds in [2usize, 10] {
        let samples = &ten[..seconds * 48_000];
        let rounds = 40;
        let start = Instant::now();
        let mut hz = None;
        for _ in 0..rounds {
            hz = std::hint::black_box(analyze(samples)).dominant_hz;
        }
        let ms = start.elapsed().as_secs_f64() * 1e3 / rounds as f64;
        let hz = hz.map_or("none".into(), |h| format!("{h:.2}"));
        println!("{:<8} {ms:>9.2} ms {hz:>10}", format!("{seconds} s"));
    }
}
