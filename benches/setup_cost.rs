//! CPU per call setup on each side of the lean path, piece by piece, in
//! one thread (so wall time is CPU time): the DTLS certificate (ECDSA
//! P-256, one per call), its conversion for dimpl, the simulated
//! WhatsApp's whole offer, and the business's whole answer to it.
//!
//! Run: `cargo bench --bench setup_cost`.

use std::net::IpAddr;
use std::time::Instant;
use wacall::core::audio::Tone;
use wacall::io::answerer::{self, AnswererConfig, MediaStack};
use wacall::io::media::Source;
use wacall::io::sim::peer::{PeerConfig, WhatsAppPeer};

const CALLS: usize = 100;

fn per_call_ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3 / CALLS as f64
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let loopback = IpAddr::from([127, 0, 0, 1]);
    let start = Instant::now();
    let certs: Vec<_> = (0..CALLS)
        .map(|_| answerer::certificate().unwrap())
        .collect();
    println!(
        "{:<44} {:>8.3} ms",
        "certificate (ECDSA P-256)",
        per_call_ms(start)
    );
    let start = Instant::now();
    for c in &certs {
        std::hint::black_box(wacall::io::lean::answer::dimpl_certificate(c).unwrap());
    }
    println!("{:<44} {:>8.3} ms", "  as dimpl's", per_call_ms(start));
    let start = Instant::now();
    let mut peers = Vec::new();
    for _ in 0..CALLS {
        let mut cfg = PeerConfig::loopback(Source::Tone(Tone::new(440.0, 0.3)));
        cfg.stack = MediaStack::Lean;
        peers.push(WhatsAppPeer::new(cfg).await.unwrap());
    }
    println!(
        "{:<44} {:>8.3} ms",
        "simulated WhatsApp's offer (lean)",
        per_call_ms(start)
    );
    let cfg = AnswererConfig {
        stack: MediaStack::Lean,
        bind: vec![loopback],
        ..AnswererConfig::default()
    };
    let start = Instant::now();
    let mut answers = Vec::new();
    for p in &peers {
        answers.push(wacall::io::direct::answer(p.offer(), &cfg).await.unwrap());
    }
    println!(
        "{:<44} {:>8.3} ms",
        "business answer (lean)",
        per_call_ms(start)
    );
    for mut p in peers {
        p.close().await;
    }
}
