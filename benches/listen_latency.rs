//! Latency and CPU of a call through `wacall listen` on a private
//! PulseAudio daemon: `cargo bench --bench listen_latency`.
//!
//! WhatsApp's side (`wacall sim offer`) sends a 40 ms 1 kHz burst every
//! 500 ms; `wacall listen --offer` plays the caller on the null-sink
//! speaker, whose monitor is its microphone, so every burst comes back to
//! WhatsApp's side through both devices. Round trip per burst = where it
//! is heard in the simulator's recording minus when it was sent (both on
//! the simulator's media clock; they start together to within one 20 ms
//! tick). The same with `--to echo` (no devices) is the network and
//! media-loop baseline; the difference is what the audio engine adds.
//! CPU is the listen process's user+system time over the call.

#[path = "../tests/pulse/mod.rs"]
mod pulse;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WACALL: &str = env!("CARGO_BIN_EXE_wacall");
const PERIOD_MS: usize = 500;
const BURST_MS: usize = 40;
const SECONDS: usize = 12;

fn bursts(path: &std::path::Path) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..SECONDS * 48_000 {
        let in_burst = i % (PERIOD_MS * 48) < BURST_MS * 48;
        let s = if in_burst {
            (0.3 * (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / 48_000.0).sin() * 32767.0)
                as i16
        } else {
            0
        };
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

struct Run {
    round_trips_ms: Vec<f64>,
    cpu_percent: f64,
}

fn call(pulse: &pulse::Pulse, far: &str, dir: &std::path::Path) -> Run {
    let (offer, answer, rec) = (
        dir.join(format!("{far}.offer")),
        dir.join(format!("{far}.answer")),
        dir.join(far),
    );
    std::fs::create_dir_all(&rec).unwrap();
    let sim = Command::new(WACALL)
        .args([
            "--json",
            "sim",
            "offer",
            "--seconds",
            &(SECONDS - 2).to_string(),
            "--answer-timeout",
            "20",
        ])
        .arg("--send")
        .arg(dir.join("bursts.wav"))
        .arg("--record")
        .arg(&rec)
        .arg("--out")
        .arg(&offer)
        .arg("--answer")
        .arg(&answer)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::metadata(&offer).is_ok_and(|m| m.len() > 0) {
        assert!(Instant::now() < deadline, "no offer");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut listen = pulse
        .cmd(WACALL)
        .args([
            "listen",
            "--to",
            far,
            "--bind",
            "127.0.0.1",
            "--duration",
            &SECONDS.to_string(),
        ])
        .args([
            "--input-device",
            "vspeaker.monitor",
            "--output-device",
            "vspeaker",
        ])
        .arg("--offer")
        .arg(&offer)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = listen.stdout.take().unwrap();
    let mut sdp = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&sdp).contains("a=end-of-candidates") {
        let n = out.read(&mut buf).unwrap();
        assert!(n > 0, "no answer");
        sdp.extend_from_slice(&buf[..n]);
    }
    std::fs::write(&answer, &sdp).unwrap();
    let pid = listen.id();
    let (t0, c0) = (Instant::now(), cpu_ticks(pid).unwrap_or(0));
    let mut last = (t0, c0);
    while listen.try_wait().unwrap().is_none() {
        if let Some(c) = cpu_ticks(pid) {
            last = (Instant::now(), c);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = sim.wait_with_output();
    let hz = 100.0; // USER_HZ on Linux
    let cpu_percent = (last.1 - c0) as f64 / hz / last.0.duration_since(t0).as_secs_f64() * 100.0;
    let heard: Vec<i16> = hound::WavReader::open(rec.join("call-1.wav"))
        .unwrap()
        .into_samples::<i16>()
        .map(Result::unwrap)
        .collect();
    let mut round_trips_ms = Vec::new();
    for k in 1..(SECONDS - 3) * 1000 / PERIOD_MS {
        let sent = k * PERIOD_MS * 48;
        let window = heard
            .get(sent..(sent + 400 * 48).min(heard.len()))
            .unwrap_or(&[]);
        if let Some(i) = window.iter().position(|s| s.unsigned_abs() > 2000) {
            round_trips_ms.push(i as f64 / 48.0);
        }
    }
    Run {
        round_trips_ms,
        cpu_percent,
    }
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let pulse = pulse::Pulse::start();
    let dir = tempfile::tempdir().unwrap();
    bursts(&dir.path().join("bursts.wav"));
    println!(
        "listen_latency: {BURST_MS} ms bursts every {PERIOD_MS} ms, {SECONDS} s calls, PulseAudio null sinks"
    );
    let mut results = Vec::new();
    for far in ["echo", "speaker"] {
        let mut r = call(&pulse, far, dir.path());
        assert!(
            r.round_trips_ms.len() >= 10,
            "{far}: only {} bursts came back",
            r.round_trips_ms.len()
        );
        let n = r.round_trips_ms.len();
        let (p50, p90) = (
            pct(&mut r.round_trips_ms, 0.5),
            pct(&mut r.round_trips_ms, 0.9),
        );
        println!(
            "  --to {far:<8} round trip p50 {p50:6.1} ms  p90 {p90:6.1} ms  ({n} bursts)  listen CPU {:.1} % of one core",
            r.cpu_percent
        );
        results.push(p50);
    }
    println!(
        "  the audio engine adds {:.1} ms (p50) for speaker out + microphone in, jitter buffer included",
        results[1] - results[0]
    );
}
