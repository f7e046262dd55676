//! Lint throughput over the corpus: every SDP in `testdata/corpus` and
//! `testdata/answers`, each linted alone and the real offer with each answer,
//! as `lint-sdp` does it (input detection, tokenizing, every rule).
//!
//! Run: `cargo bench --bench lint`. Prints the median of 15 rounds.

use std::hint::black_box;
use std::time::{Duration, Instant};
use wacall::core::input::{self, CallDirection};
use wacall::core::lint;

fn main() {
    let mut files: Vec<Vec<u8>> = Vec::new();
    for dir in ["testdata/corpus", "testdata/answers"] {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for p in paths {
            let bytes = std::fs::read(&p).unwrap();
            if input::detect(&bytes).is_ok() {
                files.push(bytes);
            }
        }
    }
    let offer =
        std::fs::read("testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp").unwrap();
    let bytes_per_round: usize = files.iter().map(|f| f.len() + offer.len() + f.len()).sum();
    let lints_per_round = files.len() * 2;

    let round = || {
        for f in &files {
            let one = input::detect(black_box(f)).unwrap();
            black_box(lint::check(Some(&one), None, CallDirection::UserInitiated));
            let o = input::detect(black_box(&offer)).unwrap();
            black_box(lint::check(
                Some(&o),
                Some(&one),
                CallDirection::UserInitiated,
            ));
        }
    };
    // Warm up, then size rounds to ~50 ms each.
    let start = Instant::now();
    let mut reps = 0u32;
    while start.elapsed() < Duration::from_millis(200) {
        round();
        reps += 1;
    }
    let per = start.elapsed() / reps;
    let inner = ((Duration::from_millis(50).as_nanos() / per.as_nanos().max(1)) as u32).max(1);
    let mut times: Vec<Duration> = (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..inner {
                round();
            }
            t.elapsed() / inner
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    let secs = median.as_secs_f64();
    println!(
        "lint-sdp corpus: {} inputs, {} lints/round, {:.1} KiB/round",
        files.len(),
        lints_per_round,
        bytes_per_round as f64 / 1024.0
    );
    println!(
        "median round {:.1} µs (min {:.1}, max {:.1}): {:.0} lints/s, {:.1} MiB/s, {:.1} µs per lint",
        secs * 1e6,
        times[0].as_secs_f64() * 1e6,
        times[times.len() - 1].as_secs_f64() * 1e6,
        lints_per_round as f64 / secs,
        bytes_per_round as f64 / secs / (1024.0 * 1024.0),
        secs * 1e6 / lints_per_round as f64
    );
}
