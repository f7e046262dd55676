//! `wacall sim` against an answerer that is not built on webrtc-rs (aiortc,
//! in the venv `scripts/bootstrap` creates), as separate processes on
//! loopback: a correct answer gets media both ways with the right tones;
//! each broken answer fails with its layer named; webhooks are signed so
//! that Python's own `hmac` verifies them.

mod aiortc_peer;

use aiortc_peer::{ANSWERER, Bridge, Killed, python};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn read_json(path: &Path, until: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && let Ok(v) = serde_json::from_str::<Value>(&text)
            && until(&v)
        {
            return v;
        }
        assert!(Instant::now() < deadline, "no result in {}", path.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The call reports of a `--json` run.
fn calls(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "call")
        .map(|v| v["data"].clone())
        .collect()
}

/// `wacall sim offer` against `aiortc_answerer.py offer` with a fault (or none).
fn peer_only(fault: Option<&str>) -> (i32, Value, Value) {
    peer_only_with(fault, &[]).0
}

/// As `peer_only`, with extra `wacall sim offer` flags; also returns the offer written.
fn peer_only_with(fault: Option<&str>, extra: &[&str]) -> ((i32, Value, Value), String) {
    let dir = tempfile::tempdir().unwrap();
    let (offer, answer, result) = (
        dir.path().join("offer.sdp"),
        dir.path().join("answer.sdp"),
        dir.path().join("r.json"),
    );
    let mut py = Command::new(python());
    py.arg(ANSWERER)
        .args(["offer", "--seconds", "6", "--tone", "1000"]);
    py.arg("--offer")
        .arg(&offer)
        .arg("--answer-out")
        .arg(&answer)
        .arg("--result")
        .arg(&result);
    if let Some(f) = fault {
        py.args(["--fault", f]);
    }
    let _py = Killed(
        py.stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_wacall"))
        .args([
            "--json",
            "sim",
            "offer",
            "--seconds",
            "2",
            "--no-media-timeout",
            "3",
            "--answer-timeout",
            "30",
            "--tone",
            "440",
        ])
        .arg("--out")
        .arg(&offer)
        .arg("--answer")
        .arg(&answer)
        .args(extra)
        .output()
        .unwrap();
    let reports = calls(&out.stdout);
    assert_eq!(
        reports.len(),
        1,
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let heard = if fault.is_none() {
        read_json(&result, |v| v["heard_hz"].is_number())
    } else {
        Value::Null
    };
    let written = std::fs::read_to_string(&offer).unwrap();
    (
        (out.status.code().unwrap(), reports[0].clone(), heard),
        written,
    )
}

#[test]
fn a_correct_answer_gets_media_both_ways() {
    let (code, r, aiortc) = peer_only(None);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["ok"], true);
    let hz = r["heard"]["dominant_hz"].as_f64().unwrap();
    assert!(
        (hz - 1000.0).abs() < 2.0,
        "the simulator heard {hz} Hz, aiortc sends 1000"
    );
    let theirs = aiortc["heard_hz"].as_f64().unwrap();
    assert!(
        (theirs - 440.0).abs() < 5.0,
        "aiortc heard {theirs} Hz, the simulator sends 440"
    );
    assert!(r["media_in"]["packets"].as_u64().unwrap() > 80, "{r:#}");
    assert!(r["media_out"]["packets"].as_u64().unwrap() > 80, "{r:#}");
    assert!(r["setup"].as_f64().unwrap() > 0.0);
}

/// The simulated WhatsApp on the lean stack (its own ICE-lite, DTLS server
/// with dimpl, SRTP) against aiortc's full agent and DTLS client, an
/// implementation that shares no code with it: media both ways.
#[test]
fn the_lean_whatsapp_side_gets_media_both_ways_with_aiortc() {
    let ((code, r, aiortc), _) = peer_only_with(None, &["--media-stack", "lean"]);
    assert_eq!(code, 0, "{r:#}");
    let hz = r["heard"]["dominant_hz"].as_f64().unwrap();
    assert!(
        (hz - 1000.0).abs() < 2.0,
        "the simulator heard {hz} Hz: {r:#}"
    );
    let theirs = aiortc["heard_hz"].as_f64().unwrap();
    assert!((theirs - 440.0).abs() < 5.0, "aiortc heard {theirs} Hz");
    assert!(r["media_in"]["packets"].as_u64().unwrap() > 80, "{r:#}");
}

fn fails_with(fault: &str, layer: &str, says: &str) {
    let (code, r, _) = peer_only(Some(fault));
    assert_eq!(code, 1, "{fault}: {r:#}");
    assert_eq!(r["ok"], false);
    assert_eq!(r["layer"], layer, "{fault}: {r:#}");
    let reason = r["reason"].as_str().unwrap();
    assert!(reason.contains(says), "{fault}: {reason}");
}

#[test]
fn an_ice_lite_answer_fails_at_ice() {
    fails_with("ice-lite", "ice", "a=ice-lite");
}

#[test]
fn a_passive_answer_fails_at_dtls() {
    fails_with("passive", "dtls", "setup:passive");
}

#[test]
fn a_controlled_agent_fails_at_ice() {
    fails_with("controlled", "ice", "wrong ICE role");
}

#[test]
fn wrong_credentials_fail_at_ice() {
    fails_with("wrong-ufrag", "ice", "wrong credentials");
}

#[test]
fn a_silent_bridge_fails_in_media() {
    fails_with("silent", "media_in", "no RTP");
}

fn aiortc_bridge(graph_port: u16, secret: &str, fault: Option<&str>) -> Bridge {
    aiortc("bridge", graph_port, secret, fault)
}

fn aiortc(mode: &str, graph_port: u16, secret: &str, fault: Option<&str>) -> Bridge {
    aiortc_peer::spawn(mode, graph_port, secret, fault, "100000000000001")
}

fn sim(graph_port: u16, bridge: &Bridge, secret: &str, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wacall"))
        .args([
            "--json",
            "sim",
            "--webhook-url",
            &bridge.url,
            "--app-secret",
            secret,
            "--verify-token",
            "vt",
        ])
        .args([
            "--graph-listen",
            &format!("127.0.0.1:{graph_port}"),
            "--graph-token",
            "gt",
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn graph_mode_with_signed_webhooks_and_concurrent_calls() {
    graph_mode(&[]);
}

/// The same with the simulated WhatsApp on the lean stack: aiortc's bridge
/// sees it as it sees webrtc-rs's, and DTMF the answer left out is refused
/// there too.
#[test]
fn graph_mode_with_the_lean_whatsapp_side() {
    graph_mode(&["--media-stack", "lean"]);
}

fn graph_mode(extra: &[&str]) {
    let port = free_port();
    let bridge = aiortc_bridge(port, "app-secret-1", None);
    let mut flags = vec![
        "--calls",
        "2",
        "--concurrency",
        "2",
        "--seconds",
        "2",
        "--dtmf",
        "7",
    ];
    flags.extend_from_slice(extra);
    let out = sim(port, &bridge, "app-secret-1", &flags);
    let reports = calls(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(reports.len(), 2);
    for r in &reports {
        assert_eq!(r["ok"], true, "{r:#}");
        let actions: Vec<&str> = r["graph_requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["pre_accept", "accept"]);
        assert!((r["heard"]["dominant_hz"].as_f64().unwrap() - 1000.0).abs() < 2.0);
        // aiortc answers without telephone-event, so the key cannot go:
        // the sender refuses all seven packets of the event (five, then two
        // more end packets) instead of sending what was not negotiated.
        assert_eq!(r["media_out"]["dtmf_packets"], 0, "{r:#}");
        assert_eq!(r["media_out"]["write_errors"], 7, "{r:#}");
    }
    // Python's hmac verified every delivery: 2 connect + 2 terminate.
    let seen = read_json(&bridge.result, |v| {
        v["terminated"].as_array().is_some_and(|t| t.len() == 2)
    });
    assert_eq!(seen["signatures_ok"], 4, "{seen:#}");
    assert_eq!(seen["signatures_bad"], 0);
    for t in seen["terminated"].as_array().unwrap() {
        assert_eq!(t["status"], "COMPLETED");
        assert!(
            (t["heard_hz"].as_f64().unwrap() - 440.0).abs() < 5.0,
            "{t:#}"
        );
    }
    let summary: Value = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["type"] == "summary")
        .unwrap();
    assert_eq!(summary["data"]["ok"], 2);
    assert!(summary["data"]["setup_p95_ms"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_silent_bridge_gets_a_138021_terminate() {
    let port = free_port();
    let bridge = aiortc_bridge(port, "s", Some("silent"));
    let out = sim(
        port,
        &bridge,
        "s",
        &["--seconds", "2", "--no-media-timeout", "2"],
    );
    assert_eq!(out.status.code(), Some(1));
    let r = &calls(&out.stdout)[0];
    assert_eq!(r["end"]["kind"], "no_media_at_start");
    assert_eq!(r["error_code"], 138021);
    let seen = read_json(&bridge.result, |v| {
        v["terminated"].as_array().is_some_and(|t| !t.is_empty())
    });
    let t = &seen["terminated"][0];
    assert_eq!(t["status"], "FAILED");
    assert_eq!(t["errors"][0]["code"], 138021);
}

#[test]
fn a_wrong_app_secret_is_refused_by_the_receiver() {
    let port = free_port();
    let bridge = aiortc_bridge(port, "right", None);
    let out = sim(
        port,
        &bridge,
        "wrong",
        &["--seconds", "1", "--webhook-retries", "2"],
    );
    assert_eq!(out.status.code(), Some(1));
    let r = &calls(&out.stdout)[0];
    assert_eq!(r["layer"], "signalling", "{r:#}");
    assert!(r["reason"].as_str().unwrap().contains("HTTP 401"), "{r:#}");
    assert_eq!(r["webhook_attempts"], 2, "retried as Meta does");
    let seen = read_json(&bridge.result, |v| {
        v["signatures_bad"].as_u64().is_some_and(|n| n >= 2)
    });
    assert_eq!(seen["signatures_ok"], 0);
}

#[test]
fn business_initiated_calls_ring_connect_and_accept() {
    let port = free_port();
    let business = aiortc("bic", port, "s", None);
    let out = sim(
        port,
        &business,
        "s",
        &[
            "--business-initiated",
            "--seconds",
            "2",
            "--wait-seconds",
            "20",
            "--ring-seconds",
            "0.2",
        ],
    );
    let log =
        std::fs::read_to_string(business.result.with_file_name("python.log")).unwrap_or_default();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}\npython:\n{log}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let r = &calls(&out.stdout)[0];
    assert_eq!(r["ok"], true, "{r:#}");
    assert!((r["heard"]["dominant_hz"].as_f64().unwrap() - 1000.0).abs() < 2.0);
    let seen = read_json(&business.result, |v| {
        v["terminated"].as_array().is_some_and(|t| !t.is_empty())
    });
    assert_eq!(seen["statuses"], serde_json::json!(["RINGING", "ACCEPTED"]));
    assert_eq!(
        seen["answers"], 1,
        "WhatsApp's answer came in a connect webhook"
    );
    let t = &seen["terminated"][0];
    assert_eq!(t["direction"], "BUSINESS_INITIATED");
    assert!(
        (t["heard_hz"].as_f64().unwrap() - 440.0).abs() < 5.0,
        "{t:#}"
    );
    assert_eq!(seen["signatures_bad"], 0);
}

#[test]
fn no_business_initiated_call_is_a_bounded_wait() {
    let port = free_port();
    let bridge = aiortc_bridge(port, "s", None);
    let started = Instant::now();
    let out = sim(
        port,
        &bridge,
        "s",
        &["--business-initiated", "--wait-seconds", "1"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no business-initiated call arrived"));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn offer_templates_from_captured_offers() {
    for (template, fmtp) in [
        (
            "testdata/corpus/offer-metadocs-uic-sample.sdp",
            "a=fmtp:111 minptime=10;useinbandfec=1\r\n",
        ),
        (
            "testdata/corpus/offer-whatsapp-real-uic-2025-11-05-mehery-web-vue.sdp",
            "a=fmtp:111 maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;sprop-maxcapturerate=16000;useinbandfec=1\r\n",
        ),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(template);
        let ((code, r, _), offer) =
            peer_only_with(None, &["--offer-template", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{template}: {r:#}");
        assert!(
            offer.contains(fmtp),
            "{template}: the template's fmtp\n{offer}"
        );
        assert!(offer.contains("a=ice-lite\r\n") && offer.contains("a=setup:actpass\r\n"));
    }
}

/// `--answer -` takes a Graph API accept body on stdin; `--send` plays a WAV
/// file; `--record` keeps what WhatsApp's side heard.
#[test]
fn stdin_graph_body_wav_source_and_recording() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let (offer, answer, result) = (
        dir.path().join("offer.sdp"),
        dir.path().join("answer.sdp"),
        dir.path().join("r.json"),
    );
    let wav = dir.path().join("voice.wav");
    let mut tone = wacall::core::audio::Tone::new(600.0, 0.3);
    let samples: Vec<i16> = (0..50).flat_map(|_| tone.frame()).collect();
    wacall::io::media::write_wav(&wav, &samples).unwrap();
    let record = dir.path().join("rec");
    let mut sim = Command::new(env!("CARGO_BIN_EXE_wacall"))
        .args([
            "sim",
            "offer",
            "--answer",
            "-",
            "--seconds",
            "2",
            "--answer-timeout",
            "30",
        ])
        .arg("--out")
        .arg(&offer)
        .arg("--send")
        .arg(&wav)
        .arg("--record")
        .arg(&record)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut py = Command::new(python());
    py.arg(ANSWERER)
        .args(["offer", "--seconds", "6", "--tone", "1000"]);
    py.arg("--offer")
        .arg(&offer)
        .arg("--answer-out")
        .arg(&answer)
        .arg("--result")
        .arg(&result);
    let _py = Killed(
        py.stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let sdp = loop {
        if let Ok(s) = std::fs::read_to_string(&answer)
            && !s.is_empty()
        {
            break s;
        }
        assert!(Instant::now() < deadline, "aiortc wrote no answer");
        std::thread::sleep(Duration::from_millis(50));
    };
    let body = serde_json::json!({"messaging_product": "whatsapp", "call_id": "wacid.x", "action": "accept",
                                  "session": {"sdp_type": "answer", "sdp": sdp}});
    let mut stdin = sim.stdin.take().unwrap();
    stdin.write_all(body.to_string().as_bytes()).unwrap();
    drop(stdin);
    let out = sim.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let aiortc = read_json(&result, |v| v["heard_hz"].is_number());
    assert!(
        (aiortc["heard_hz"].as_f64().unwrap() - 600.0).abs() < 6.0,
        "the WAV reached aiortc: {aiortc:#}"
    );
    let heard = wacall::io::media::read_wav(&record.join("call-1.wav")).unwrap();
    let hz = wacall::core::audio::dominant_frequency(&heard).unwrap();
    assert!(
        (hz - 1000.0).abs() < 2.0,
        "the recording holds aiortc's tone: {hz}"
    );
}
