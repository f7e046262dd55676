//! One manual-mode call from a simulated caller who says tones to a far
//! end, and telling which tone came back (shared by the OpenAI far-end
//! tests of both transports).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use wacall::core::audio::{FRAME, Tone, level_dbfs};
use wacall::core::bridge::BridgeReport;
use wacall::io::answerer::AnswererConfig;
use wacall::io::bridge::{self, BridgeConfig, Event, FarEndSetup, Signalling};
use wacall::io::farend::Note;
use wacall::io::media::Source;
use wacall::io::sim::peer::{PeerConfig, WhatsAppPeer};

/// What a call left: the bridge's report, what WhatsApp's side heard, and
/// the far end's notes in order.
pub struct Call {
    pub report: BridgeReport,
    pub heard: Vec<i16>,
    pub notes: Vec<Note>,
}

/// One manual-mode call of `seconds` from `caller` to `far`, on loopback.
pub async fn call(caller: Source, far: FarEndSetup, seconds: u64) -> Call {
    let mut peer = WhatsAppPeer::new(PeerConfig::loopback(caller))
        .await
        .unwrap();
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
    let mut notes = Vec::new();
    while let Some(e) = rx.recv().await {
        match e {
            Event::Answer { sdp, .. } => {
                peer.apply_answer(&sdp).await.unwrap();
                peer.accept();
            }
            Event::Note { note, .. } => notes.push(note),
            _ => {}
        }
    }
    let report = task.await.unwrap();
    let heard = peer.recording();
    peer.close().await;
    Call {
        report,
        heard,
        notes,
    }
}

/// A caller who says `hz` for `talk_ms` and then is quiet, once per entry.
pub fn script(turns: &[(f64, u64, u64)]) -> Source {
    let mut data = Vec::new();
    for &(hz, talk_ms, quiet_ms) in turns {
        let mut t = Tone::new(hz, 0.3);
        for _ in 0..talk_ms / 20 {
            data.extend_from_slice(&t.frame());
        }
        data.extend(std::iter::repeat_n(0i16, quiet_ms as usize * 48));
    }
    // A long quiet tail so the script does not loop within a test.
    data.extend(std::iter::repeat_n(0i16, 48_000 * 30));
    Source::Samples {
        data: Arc::new(data),
        pos: 0,
    }
}

/// Share of a frame's power at `hz` (a one-bin DFT).
pub fn share_at(f: &[i16], hz: f64) -> f64 {
    let (mut re, mut im, mut total) = (0.0, 0.0, 0.0);
    for (i, &s) in f.iter().enumerate() {
        let x = f64::from(s);
        let w = std::f64::consts::TAU * hz * i as f64 / 48_000.0;
        re += x * w.cos();
        im += x * w.sin();
        total += x * x;
    }
    if total == 0.0 {
        return 0.0;
    }
    2.0 * (re * re + im * im) / (f.len() as f64 * total)
}

/// 20 ms frames of `heard` that are mostly a tone at `hz`.
pub fn frames_at(heard: &[i16], hz: f64) -> usize {
    heard
        .chunks(FRAME)
        .filter(|f| level_dbfs(f) > -35.0 && share_at(f, hz) > 0.5)
        .count()
}

/// Every frame the stand-in captured, checked against OpenAI's published
/// types (the `openai` package in the test venv, `interop/realtime_conformance.py`).
/// Returns what the bridge sent (`client <type>`, `session <type>`) and the
/// checker's report; panics when a frame does not validate.
pub fn conformance(
    conns: Vec<wacall::io::openai::standin_server::Connection>,
) -> (std::collections::BTreeSet<String>, String) {
    use wacall::io::openai::standin_server::Dir;
    let python =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/interop-venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/bootstrap",
        python.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frames.jsonl");
    let mut lines = String::new();
    let mut sent = std::collections::BTreeSet::new();
    for conn in conns {
        for (d, frame) in conn.frames {
            let who = match d {
                Dir::FromClient => "client",
                Dir::ToClient => "server",
                Dir::Session => "session",
            };
            if d != Dir::ToClient {
                let v: serde_json::Value = serde_json::from_str(&frame).unwrap();
                sent.insert(format!("{who} {}", v["type"].as_str().unwrap()));
            }
            lines.push_str(&serde_json::json!({"dir": who, "frame": frame}).to_string());
            lines.push('\n');
        }
    }
    std::fs::write(&path, lines).unwrap();
    let check = std::process::Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/interop/realtime_conformance.py"
        ))
        .arg(&path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&check.stdout).to_string();
    assert!(
        check.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    (sent, report)
}
