//! The OpenAI far end's own latency, each way, on loopback in one process:
//! the simulated WhatsApp caller, the bridge, and the Realtime stand-in.
//!
//! - caller to AI: an RTP packet's arrival at the bridge to its audio
//!   leaving in an `input_audio_buffer.append` (written on the socket);
//! - AI to caller: a `response.output_audio.delta` read off the socket
//!   (arriving when nothing was queued) to its first sample leaving in a
//!   20 ms frame for RTP. This includes the wait for the next 20 ms tick,
//!   0-20 ms by nature: the goal is p99 under 25 ms.
//!
//! The stand-in streams 20 ms deltas every 40 ms, so each arrives to an
//! empty queue and is measured.
//!
//! Then the same call over `--openai-transport webrtc`, where Opus is
//! forwarded: a caller packet's arrival to its write on the OpenAI leg, and
//! an OpenAI packet's arrival to its departure toward the caller (the wait
//! for the next 20 ms tick again).
//!
//! Run: `cargo bench --bench openai_latency` (BENCH_SECONDS, default 30).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use wacall::core::audio::Tone;
use wacall::core::realtime::standin::StandInConfig;
use wacall::core::realtime::{Prices, SessionConfig};
use wacall::io::answerer::AnswererConfig;
use wacall::io::bridge::{self, BridgeConfig, Event, FarEndSetup, Signalling};
use wacall::io::farend::FarEnd;
use wacall::io::media::Source;
use wacall::io::openai::standin_server::{StandInServer, StandInServerConfig};
use wacall::io::openai::webrtc::OpenAiRtc;
use wacall::io::openai::{OpenAi, OpenAiConfig, Transport};
use wacall::io::sim::peer::{PeerConfig, WhatsAppPeer};

async fn run(seconds: u64, transport: Transport) -> serde_json::Value {
    let ai = StandInServer::start(
        "127.0.0.1:0".parse().unwrap(),
        StandInServerConfig {
            standin: StandInConfig {
                pace: 0.5,
                delta_ms: 20,
                ..StandInConfig::default()
            },
            ..StandInServerConfig::default()
        },
    )
    .await
    .unwrap();
    // Turns: 0.6 s of speech, 1.4 s quiet.
    let mut tone = Tone::new(440.0, 0.3);
    let mut data: Vec<i16> = (0..30).flat_map(|_| tone.frame()).collect();
    data.extend(std::iter::repeat_n(0, 48 * 1400));
    let caller = Source::Samples {
        data: Arc::new(data),
        pos: 0,
    };
    let mut peer = WhatsAppPeer::new(PeerConfig::loopback(caller))
        .await
        .unwrap();
    let cfg = OpenAiConfig {
        url: ai.url(),
        key: "bench".into(),
        session: SessionConfig::default(),
        prices: Prices::for_model("gpt-realtime"),
        connect_timeout: Duration::from_secs(5),
        reconnect_for: Duration::from_secs(5),
        transport,
    };
    let far = FarEndSetup {
        name: "openai".into(),
        ready: Box::pin(async move {
            Ok(match transport {
                Transport::WebSocket => Box::new(OpenAi::connect(cfg).await?) as Box<dyn FarEnd>,
                Transport::WebRtc => Box::new(OpenAiRtc::connect(cfg).await?),
            })
        }),
    };
    let bcfg = BridgeConfig {
        answerer: AnswererConfig {
            bind: vec![IpAddr::from([127, 0, 0, 1])],
            ..AnswererConfig::default()
        },
        duration: Some(Duration::from_secs(seconds)),
        connect_timeout: Duration::from_secs(5),
        force: false,
        bitrate: 20_000,
        complexity: wacall::core::audio::COMPLEXITY,
        record: None,
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (_stop, stop_rx) = watch::channel(None);
    let offer = peer.offer().to_string();
    let task = tokio::spawn(async move {
        bridge::run_setup(&offer, far, bcfg, Signalling::Manual, tx, stop_rx).await
    });
    while let Some(e) = rx.recv().await {
        if let Event::Answer { sdp, .. } = e {
            peer.apply_answer(&sdp).await.unwrap();
            peer.accept();
        }
    }
    let report = task.await.unwrap();
    peer.close().await;
    assert!(report.ok, "{}", report.reason);
    report.far_end_summary.expect("a summary")
}

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for (transport, title, ways) in [
        (
            Transport::WebSocket,
            "websocket",
            [
                (
                    "RTP in -> append written (caller to AI)",
                    "rtp_in_to_append_out",
                ),
                (
                    "delta in -> frame out (AI to caller)",
                    "delta_in_to_frame_out",
                ),
            ],
        ),
        (
            Transport::WebRtc,
            "webrtc",
            [
                (
                    "RTP in -> RTP out to OpenAI (caller to AI)",
                    "rtp_in_to_openai_out",
                ),
                (
                    "OpenAI RTP in -> RTP out (AI to caller)",
                    "openai_in_to_rtp_out",
                ),
            ],
        ),
    ] {
        let s = rt.block_on(run(seconds, transport));
        println!(
            "OpenAI far end latency inside the bridge, {title}, {seconds} s call on loopback ({} responses):",
            s["responses"]
        );
        for (name, key) in ways {
            let q = &s["latency"][key];
            println!(
                "  {name:<44} n {:5}  p50 {:6.2} ms  p99 {:6.2} ms  max {:6.2} ms",
                q["count"],
                q["p50_ms"].as_f64().unwrap_or(f64::NAN),
                q["p99_ms"].as_f64().unwrap_or(f64::NAN),
                q["max_ms"].as_f64().unwrap_or(f64::NAN)
            );
        }
    }
}
