//! Call setup against the simulated WhatsApp, on loopback, in one process:
//! offer to answer ready, and answer to first RTP in each direction, for
//! BENCH_CALLS calls (default 25), with an ICE check interval of
//! BENCH_ICE_INTERVAL_MS (default wacall's 10 ms; webrtc-rs's own is 200).
//! Run: `cargo bench --bench call_setup`.

use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use wacall::core::audio::Tone;
use wacall::core::sim::report::quantile;
use wacall::io::answerer::AnswererConfig;
use wacall::io::bridge::{self, BridgeConfig, Event, Signalling};
use wacall::io::farend::Echo;
use wacall::io::media::Source;
use wacall::io::sim::peer::{PeerConfig, WhatsAppPeer};

struct Sample {
    answer_ready: f64,
    rtp_out: f64,
    rtp_in: f64,
    whatsapp_rtp_in: f64,
}

async fn one_call(interval: Duration) -> Option<Sample> {
    let mut peer = WhatsAppPeer::new(PeerConfig::loopback(Source::Tone(Tone::new(440.0, 0.3))))
        .await
        .ok()?;
    let cfg = BridgeConfig {
        answerer: AnswererConfig {
            bind: vec![IpAddr::from([127, 0, 0, 1])],
            check_interval: interval,
            ..AnswererConfig::default()
        },
        duration: Some(Duration::from_millis(500)),
        connect_timeout: Duration::from_secs(5),
        force: false,
        bitrate: 20_000,
        complexity: wacall::core::audio::COMPLEXITY,
        record: None,
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (_stop, stop_rx) = watch::channel(None);
    let offer = peer.offer().to_string();
    let call = tokio::spawn(async move {
        bridge::run(
            &offer,
            Box::new(Echo::new()),
            cfg,
            Signalling::Manual,
            tx,
            stop_rx,
        )
        .await
    });
    let mut answered_at = None;
    while let Some(e) = rx.recv().await {
        if let Event::Answer { sdp, .. } = e {
            // What Meta does on pre_accept and accept, at once.
            peer.apply_answer(&sdp).await.ok()?;
            answered_at = Some(peer.elapsed());
            peer.accept();
        }
    }
    let report = call.await.ok()?;
    let st = peer.state();
    peer.close().await;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Some(Sample {
        answer_ready: ms(report.answer_in?),
        rtp_out: ms(report.first_rtp_out_after_answer?),
        rtp_in: ms(report.first_rtp_in_after_answer?),
        whatsapp_rtp_in: ms(st.seen.first_rtp_in?.saturating_sub(answered_at?)),
    })
}

fn main() {
    let calls: usize = std::env::var("BENCH_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25);
    let interval = Duration::from_millis(
        std::env::var("BENCH_ICE_INTERVAL_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut samples = Vec::new();
    let mut failed = 0;
    for _ in 0..calls {
        match rt.block_on(one_call(interval)) {
            Some(s) => samples.push(s),
            None => failed += 1,
        }
    }
    println!(
        "call setup against the simulated WhatsApp on loopback, ICE check interval {} ms: {calls} calls, {failed} failed",
        interval.as_millis()
    );
    let show = |name: &str, f: &dyn Fn(&Sample) -> f64| {
        let mut v: Vec<f64> = samples.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        println!(
            "  {name:<40} p50 {:7.1} ms  p95 {:7.1} ms  max {:7.1} ms",
            quantile(&v, 0.5).unwrap_or(f64::NAN),
            quantile(&v, 0.95).unwrap_or(f64::NAN),
            v.last().copied().unwrap_or(f64::NAN)
        );
    };
    show("offer -> answer ready", &|s| s.answer_ready);
    show("answer -> first RTP out (bridge)", &|s| s.rtp_out);
    show("answer -> first RTP in (bridge)", &|s| s.rtp_in);
    show("answer -> business RTP at WhatsApp", &|s| s.whatsapp_rtp_in);
}
