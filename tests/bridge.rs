//! `wacall bridge` against `wacall sim`, as processes on loopback: manual
//! and Graph signalling, both real offer shapes, echo checked by the
//! frequency WhatsApp's side hears, Ctrl-C ending the call with terminate,
//! Graph errors retried or explained, a bad answer refused, bad input refused.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const WACALL: &str = env!("CARGO_BIN_EXE_wacall");

fn lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn of_type(out: &[u8], t: &str) -> Vec<Value> {
    lines(out)
        .into_iter()
        .filter(|v| v["type"] == t)
        .map(|v| v["data"].clone())
        .collect()
}

fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `wacall sim offer` and `wacall bridge --offer` meeting through files.
fn manual(sim_extra: &[&str], bridge_extra: &[&str]) -> (Output, Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (offer, answer) = (dir.path().join("offer.sdp"), dir.path().join("answer.sdp"));
    // A test that names its own call length gets it; others talk 2 s into a 4 s bridge.
    let seconds = if sim_extra.contains(&"--seconds") {
        &[][..]
    } else {
        &["--seconds", "2"][..]
    };
    let duration = if bridge_extra.contains(&"--duration") {
        &[][..]
    } else {
        &["--duration", "4"][..]
    };
    let tone = if sim_extra.contains(&"--tone") {
        &[][..]
    } else {
        &["--tone", "440"][..]
    };
    let sim = Command::new(WACALL)
        .args(["--json", "sim", "offer"])
        .args(seconds)
        .args(tone)
        .args(["--answer-timeout", "20"])
        .arg("--out")
        .arg(&offer)
        .arg("--answer")
        .arg(&answer)
        .args(sim_extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&offer);
    let bridge = Command::new(WACALL)
        .args(["--json", "bridge", "--bind", "127.0.0.1"])
        .args(duration)
        .arg("--offer")
        .arg(&offer)
        .arg("--answer-out")
        .arg(&answer)
        .args(bridge_extra)
        .output()
        .unwrap();
    let sim = sim.wait_with_output().unwrap();
    (sim, bridge, dir)
}

#[test]
fn manual_mode_with_a_tone_and_a_recording() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("call.wav");
    let (sim, bridge, _d) = manual(
        &[],
        &["--to", "tone:1000", "--record", rec.to_str().unwrap()],
    );
    assert_eq!(bridge.status.code(), Some(0), "{}", text(&bridge));
    // `sim offer --out FILE` prints on stdout; the JSON report is there.
    let r = of_type(&sim.stdout, "call")
        .pop()
        .unwrap_or_else(|| panic!("no call report: {}", text(&sim)));
    assert_eq!(r["ok"], true, "{r:#}");
    assert!(
        (r["heard"]["dominant_hz"].as_f64().unwrap() - 1000.0).abs() < 2.0,
        "{r:#}"
    );
    let summary = of_type(&bridge.stdout, "summary").pop().unwrap();
    assert_eq!(summary["ok"], true, "{summary:#}");
    assert!(summary["traffic"]["packets_in"].as_u64().unwrap() > 50);
    // One concrete address and no STUN: the call ran on our own driver.
    let steps = of_type(&bridge.stdout, "step");
    assert!(
        steps.iter().any(|s| s["what"]
            .as_str()
            .unwrap()
            .starts_with("answer ready (direct)")),
        "{steps:?}"
    );
    // The answer was checked and sent.
    let answer = of_type(&bridge.stdout, "answer").pop().unwrap();
    assert_eq!(answer["sent"], true);
    assert!(
        answer["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] != "error")
    );
    // Both directions, in stereo: the caller's 440 Hz left, our 1000 Hz right.
    let reader = hound::WavReader::open(&rec).unwrap();
    assert_eq!(reader.spec().channels, 2);
    let samples: Vec<i16> = reader.into_samples::<i16>().map(Result::unwrap).collect();
    let left: Vec<i16> = samples.iter().step_by(2).copied().collect();
    let right: Vec<i16> = samples.iter().skip(1).step_by(2).copied().collect();
    let hz = |s: &[i16]| wacall::core::audio::dominant_frequency(s).unwrap();
    assert!(
        (hz(&left) - 440.0).abs() < 2.0,
        "caller channel: {}",
        hz(&left)
    );
    assert!(
        (hz(&right) - 1000.0).abs() < 2.0,
        "far-end channel: {}",
        hz(&right)
    );
}

#[test]
fn echo_with_both_real_offer_shapes() {
    for template in [
        "testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp",
        "testdata/corpus/offer-whatsapp-real-uic-2025-11-05-mehery-web-vue.sdp",
    ] {
        let (sim, bridge, _d) = manual(&["--offer-template", template], &["--to", "echo"]);
        check_echo(template, &sim, &bridge);
    }
    // The undecoded echo: the caller's own Opus back, re-originated; recorded
    // all the same (decoded on the side).
    let template = "testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp";
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("call.wav");
    let (sim, bridge, _d) = manual(
        &["--offer-template", template],
        &["--to", "echo:opus", "--record", rec.to_str().unwrap()],
    );
    check_echo(template, &sim, &bridge);
    let samples: Vec<i16> = hound::WavReader::open(&rec)
        .unwrap()
        .into_samples::<i16>()
        .map(Result::unwrap)
        .collect();
    assert!(
        samples.len() >= 2 * 48_000 * 3 / 2,
        "{} samples",
        samples.len()
    );
    for (side, channel) in ["caller", "echo"].iter().zip(0..2) {
        let s: Vec<i16> = samples.iter().skip(channel).step_by(2).copied().collect();
        let hz = wacall::core::audio::dominant_frequency(&s).unwrap();
        assert!((hz - 440.0).abs() < 2.0, "{side} channel: {hz} Hz");
    }
    let summary = of_type(&bridge.stdout, "summary").pop().unwrap();
    assert_eq!(summary["far_end"], "echo:opus", "{summary:#}");
    let r = of_type(&sim.stdout, "call").pop().unwrap();
    assert_eq!(r["media_in"]["ssrcs"], 1, "one SSRC from the bridge: {r:#}");
    assert_eq!(r["media_in"]["lost"], 0, "{r:#}");
}

#[test]
fn a_far_end_with_nothing_to_say_sends_silence_made_once() {
    let (sim, bridge, _d) = manual(&[], &["--to", "silence"]);
    assert_eq!(bridge.status.code(), Some(0), "{}", text(&bridge));
    let summary = of_type(&bridge.stdout, "summary").pop().unwrap();
    let t = &summary["traffic"];
    assert!(t["packets_out"].as_u64().unwrap() > 50, "{summary:#}");
    assert_eq!(t["silence_packets_out"], t["packets_out"], "{summary:#}");
    let r = of_type(&sim.stdout, "call").pop().unwrap();
    assert_eq!(r["ok"], true, "{r:#}");
    assert!(r["heard"]["level_dbfs"].as_f64().unwrap() < -60.0, "{r:#}");
    // A far end that speaks has every frame encoded.
    let (_, bridge, _d) = manual(&[], &["--to", "tone:1000"]);
    let summary = of_type(&bridge.stdout, "summary").pop().unwrap();
    assert_eq!(summary["traffic"]["silence_packets_out"], 0, "{summary:#}");
}

#[test]
fn the_bridge_codes_no_more_than_whatsapp_plays() {
    // WhatsApp's offers say maxplaybackrate=16000: a 10 kHz tone is above
    // anything it renders, so the bridge does not spend bits on it.
    let template = "testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp";
    let (sim, bridge, _d) = manual(&["--offer-template", template], &["--to", "tone:10000"]);
    assert_eq!(bridge.status.code(), Some(0), "{}", text(&bridge));
    let r = of_type(&sim.stdout, "call").pop().unwrap();
    assert!(r["heard"]["level_dbfs"].as_f64().unwrap() < -45.0, "{r:#}");
    let (sim, _, _d) = manual(&["--offer-template", template], &["--to", "tone:3000"]);
    let r = of_type(&sim.stdout, "call").pop().unwrap();
    let hz = r["heard"]["dominant_hz"].as_f64().unwrap();
    assert!((hz - 3000.0).abs() < 5.0, "{r:#}");
}

#[test]
fn the_simulated_caller_codes_no_wider_than_it_captures() {
    // WhatsApp's offer says sprop-maxcapturerate=16000, so its audio is
    // wideband: a 10 kHz tone from the caller never reaches the business,
    // encoded per frame or once for a light caller; 3 kHz does.
    for (sim_extra, heard) in [
        (&["--tone", "10000"][..], None),
        (&["--tone", "10000", "--light"][..], None),
        (&["--tone", "3000"][..], Some(3000.0)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let rec = dir.path().join("call.wav");
        let (_, bridge, _d) = manual(
            sim_extra,
            &["--to", "silence", "--record", rec.to_str().unwrap()],
        );
        assert_eq!(bridge.status.code(), Some(0), "{}", text(&bridge));
        let samples: Vec<i16> = hound::WavReader::open(&rec)
            .unwrap()
            .into_samples::<i16>()
            .map(Result::unwrap)
            .step_by(2)
            .collect();
        let level = wacall::core::audio::level_dbfs(&samples);
        match heard {
            None => assert!(level < -45.0, "{sim_extra:?}: caller at {level} dBFS"),
            Some(hz) => {
                let got = wacall::core::audio::dominant_frequency(&samples).unwrap();
                assert!((got - hz).abs() < 5.0, "{sim_extra:?}: heard {got} Hz");
            }
        }
    }
}

#[test]
fn a_light_caller_loops_audio_encoded_once_and_still_hears() {
    let (sim, bridge, _d) = manual(
        &["--light", "--seconds", "4"],
        &["--to", "echo", "--duration", "6"],
    );
    check_echo("--light", &sim, &bridge);
    let r = of_type(&sim.stdout, "call").pop().unwrap();
    // `sim --light` encodes 50 frames (1 s) once; a 4 s call sends about 200,
    // so well over 50 means the encoded second looped.
    let sent = r["media_out"]["packets"].as_u64().unwrap();
    assert!(sent > 150, "the encoded second did not loop: {r:#}");
    // It decodes the first 2 s it hears (about 100 packets) and counts the rest.
    let (got, decoded) = (
        r["media_in"]["packets"].as_u64().unwrap(),
        r["media_in"]["decoded_packets"].as_u64().unwrap(),
    );
    assert!(got > 150, "{r:#}");
    assert!(
        (80..=115).contains(&decoded),
        "decoded {decoded} of {got}: {r:#}"
    );
    assert_eq!(r["media_in"]["lost"], 0, "{r:#}");
}

fn check_echo(template: &str, sim: &Output, bridge: &Output) {
    assert_eq!(
        bridge.status.code(),
        Some(0),
        "{template}: {}",
        text(bridge)
    );
    let r = of_type(&sim.stdout, "call").pop().unwrap();
    assert_eq!(r["ok"], true, "{template}: {r:#}");
    let hz = r["heard"]["dominant_hz"].as_f64().unwrap();
    assert!(
        (hz - 440.0).abs() < 2.0,
        "{template}: WhatsApp's side heard {hz} Hz, it sent 440"
    );
}

/// A real signed `connect` webhook from `wacall sim`, caught by wacall's own receiver.
struct GraphCall {
    sim: Option<Child>,
    webhook: PathBuf,
    token: PathBuf,
    graph_port: u16,
    _dir: tempfile::TempDir,
}

fn graph_call(sim_extra: &[&str]) -> GraphCall {
    let dir = tempfile::tempdir().unwrap();
    let webhook = dir.path().join("connect.json");
    let token = dir.path().join("token");
    std::fs::write(&token, "graph-token\n").unwrap();
    let graph_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let receiver = rt
        .block_on(wacall::io::webhook_server::Receiver::start(
            wacall::io::webhook_server::ReceiverConfig::new(
                "127.0.0.1:0".parse().unwrap(),
                Some("app-secret".into()),
            ),
            tx,
        ))
        .unwrap();
    let sim = Command::new(WACALL)
        .args([
            "--json",
            "sim",
            "--app-secret",
            "app-secret",
            "--graph-token",
            "graph-token",
            "--webhook-url",
        ])
        .arg(receiver.url("/webhook"))
        .args(["--graph-listen", &format!("127.0.0.1:{graph_port}")])
        .args(sim_extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let delivery = rt
        .block_on(async { tokio::time::timeout(Duration::from_secs(20), rx.recv()).await })
        .unwrap()
        .unwrap();
    std::fs::write(&webhook, &delivery.raw).unwrap();
    // The receiver stays up (in the runtime) for the terminate webhook.
    std::mem::forget(rt);
    std::mem::forget(receiver);
    GraphCall {
        sim: Some(sim),
        webhook,
        token,
        graph_port,
        _dir: dir,
    }
}

impl GraphCall {
    fn bridge(&self, extra: &[&str]) -> Command {
        let mut c = Command::new(WACALL);
        c.args(["--json", "bridge", "--graph", "--bind", "127.0.0.1"])
            .arg("--offer")
            .arg(&self.webhook)
            .arg("--token-file")
            .arg(&self.token)
            .args([
                "--graph-url",
                &format!("http://127.0.0.1:{}", self.graph_port),
            ])
            .args(extra);
        c
    }

    fn sim_report(&mut self) -> Value {
        let out = self.sim.take().unwrap().wait_with_output().unwrap();
        of_type(&out.stdout, "call")
            .pop()
            .unwrap_or_else(|| panic!("no call report: {}", text(&out)))
    }
}

impl Drop for GraphCall {
    fn drop(&mut self) {
        if let Some(mut c) = self.sim.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn actions(report: &Value) -> Vec<(String, u64)> {
    report["graph_requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["action"].as_str().unwrap().to_string(),
                g["status"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn graph_mode_from_a_webhook_ends_with_terminate() {
    let mut call = graph_call(&["--seconds", "30", "--tone", "440"]);
    let bridge = call.bridge(&["--duration", "2"]).output().unwrap();
    assert_eq!(bridge.status.code(), Some(0), "{}", text(&bridge));
    let graph: Vec<String> = of_type(&bridge.stdout, "graph")
        .iter()
        .map(|g| g["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(graph, ["pre_accept", "accept", "terminate"]);
    let r = call.sim_report();
    assert_eq!(r["end"]["kind"], "terminated_by_business", "{r:#}");
    assert_eq!(
        actions(&r),
        [
            ("pre_accept".into(), 200),
            ("accept".into(), 200),
            ("terminate".into(), 200)
        ]
    );
    assert_eq!(r["ok"], true, "{r:#}");
    assert!(
        (r["heard"]["dominant_hz"].as_f64().unwrap() - 440.0).abs() < 2.0,
        "echo"
    );
    assert_eq!(
        r["business_certificate"], "ecdsa-p256",
        "Meta recommends ECDSA"
    );
    // Nothing was sent between pre_accept and accept.
    assert!(
        !r["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("before accept")),
        "{r:#}"
    );
}

#[test]
fn ctrl_c_terminates_the_call_and_exits_0() {
    let mut call = graph_call(&["--seconds", "30"]);
    let mut bridge = call
        .bridge(&[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until media flows, by the bridge's own account.
    let stdout = bridge.stdout.take().unwrap();
    let mut reader = std::io::BufReader::new(stdout);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut line = String::new();
    loop {
        line.clear();
        assert!(Instant::now() < deadline, "media never flowed");
        if std::io::BufRead::read_line(&mut reader, &mut line).unwrap() == 0 {
            panic!("the bridge ended early");
        }
        if line.contains("first RTP in") {
            break;
        }
    }
    Command::new("kill")
        .args(["-INT", &bridge.id().to_string()])
        .status()
        .unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    let status = bridge.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{rest}");
    let summary: Value = rest
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["type"] == "summary")
        .unwrap();
    assert_eq!(summary["data"]["ending"]["kind"], "interrupted");
    let r = call.sim_report();
    assert_eq!(r["end"]["kind"], "terminated_by_business", "{r:#}");
}

#[test]
fn transient_graph_errors_are_retried_and_fatal_ones_explained() {
    let mut call = graph_call(&[
        "--seconds",
        "30",
        "--inject-graph-error",
        "pre_accept:503x2",
    ]);
    let bridge = call.bridge(&["--duration", "1"]).output().unwrap();
    assert_eq!(bridge.status.code(), Some(0), "{}", text(&bridge));
    let pre = &of_type(&bridge.stdout, "graph")[0];
    assert_eq!(
        (pre["action"].as_str(), pre["attempts"].as_u64()),
        (Some("pre_accept"), Some(3))
    );
    assert_eq!(call.sim_report()["ok"], true);

    let call = graph_call(&["--seconds", "30"]);
    std::fs::write(&call.token, "wrong-token").unwrap();
    let bridge = call.bridge(&["--duration", "1"]).output().unwrap();
    assert_eq!(bridge.status.code(), Some(1), "{}", text(&bridge));
    let g = &of_type(&bridge.stdout, "graph")[0];
    assert_eq!(g["error"]["code"], 190);
    assert!(
        g["error"]["fix"]
            .as_str()
            .unwrap()
            .contains("WHATSAPP_TOKEN"),
        "{g:#}"
    );
    let summary = of_type(&bridge.stdout, "summary").pop().unwrap();
    assert_eq!(summary["layer"], "signalling");
}

/// An offer our answer cannot honour (maxptime 10 against minptime 20): the
/// answer breaks WA016, so it is not sent; --force sends it.
#[test]
fn an_answer_with_errors_is_not_sent_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let offer = dir.path().join("offer.sdp");
    let real =
        std::fs::read_to_string("testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp")
            .unwrap();
    std::fs::write(&offer, real.replace("a=maxptime:20", "a=maxptime:10")).unwrap();
    let answer = dir.path().join("answer.sdp");
    let refused = Command::new(WACALL)
        .args([
            "--json",
            "bridge",
            "--bind",
            "127.0.0.1",
            "--connect-timeout",
            "1",
        ])
        .arg("--offer")
        .arg(&offer)
        .arg("--answer-out")
        .arg(&answer)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let a = of_type(&refused.stdout, "answer").pop().unwrap();
    assert_eq!(a["sent"], false);
    assert!(
        a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "WA016"),
        "{a:#}"
    );
    assert!(!answer.exists(), "a refused answer is not written");
    let forced = Command::new(WACALL)
        .args([
            "--json",
            "bridge",
            "--bind",
            "127.0.0.1",
            "--connect-timeout",
            "1",
            "--force",
        ])
        .arg("--offer")
        .arg(&offer)
        .arg("--answer-out")
        .arg(&answer)
        .output()
        .unwrap();
    assert_eq!(
        of_type(&forced.stdout, "answer").pop().unwrap()["sent"],
        true
    );
    assert!(answer.exists());
    // Nobody answers it: the connect timeout names ICE.
    assert_eq!(
        of_type(&forced.stdout, "summary").pop().unwrap()["layer"],
        "ice"
    );
}

#[test]
fn bad_input_exits_2_before_any_network() {
    let refused = |args: &[&str], says: &str| {
        let out = Command::new(WACALL)
            .arg("bridge")
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(says),
            "{args:?}: {err}"
        );
    };
    let real = "testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp";
    refused(&["--offer", "testdata/no-such.sdp"], "cannot read");
    refused(&["--offer", "README.md"], "not SDP");
    refused(
        &["--offer", "testdata/answers/good-accept.json"],
        "holds an answer",
    );
    refused(
        &["--offer", "testdata/rules/WA014-fires-no-opus.offer.sdp"],
        "no Opus",
    );
    refused(
        &["--offer", "testdata/rules/WA013-fires-no-audio.offer.sdp"],
        "cannot answer",
    );
    refused(&["--offer", real, "--to", "kazoo"], "not a far end");
    refused(&["--offer", real, "--udp-ports", "9-1"], "not a range");
    refused(&["--offer", real, "--graph"], "needs the call id");
    refused(
        &[
            "--offer",
            real,
            "--graph",
            "--call-id",
            "wacid.x",
            "--phone-number-id",
            "1",
        ],
        "no Graph API token",
    );
    refused(
        &["--offer", real, "--stun", "http://x"],
        "not a stun: or turn: URL",
    );
}

/// A bridge nobody answers: its answer and steps, on stdout (SDP) and stderr.
fn answer_only(extra: &[&str]) -> Output {
    Command::new(WACALL)
        .args(["bridge", "--bind", "127.0.0.1", "--connect-timeout", "1"])
        .args([
            "--offer",
            "testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp",
        ])
        .args(extra)
        .output()
        .unwrap()
}

fn candidates(answer: &str) -> Vec<String> {
    answer
        .lines()
        .filter(|l| l.starts_with("a=candidate:"))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_answer_as_a_graph_body_lints_clean() {
    let out = answer_only(&["--answer-format", "graph", "--call-id", "wacid.abc"]);
    let body: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    assert_eq!(body["action"], "accept");
    assert_eq!(body["call_id"], "wacid.abc");
    assert_eq!(body["session"]["sdp_type"], "answer");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accept.json");
    std::fs::write(&path, &out.stdout).unwrap();
    let lint = Command::new(WACALL)
        .args([
            "lint-sdp",
            "testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(lint.status.code(), Some(0), "{}", text(&lint));
}

#[test]
fn public_ip_and_port_range_shape_the_candidate() {
    let out = answer_only(&["--public-ip", "203.0.113.9", "--udp-ports", "41000-41010"]);
    let answer = String::from_utf8_lossy(&out.stdout).to_string();
    let c = candidates(&answer);
    assert_eq!(c.len(), 1, "{answer}");
    let f: Vec<&str> = c[0].split(' ').collect();
    assert_eq!(
        f[4], "203.0.113.9",
        "the public address replaces the private one: {}",
        c[0]
    );
    let port: u16 = f[5].parse().unwrap();
    assert!((41000..=41010).contains(&port), "{port}");
    assert!(
        answer.contains(&format!("m=audio {port} ")),
        "the m= line names the candidate"
    );
}

/// A STUN server on loopback that reports every client as 203.0.113.7.
fn stun_server(respond: bool) -> (u16, std::thread::JoinHandle<()>) {
    use wacall::core::stun::{BINDING, Builder, Class, Message};
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let port = sock.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        while let Ok((n, from)) = sock.recv_from(&mut buf) {
            if !respond {
                continue;
            }
            if let Ok(m) = Message::parse(&buf[..n]) {
                let mapped = std::net::SocketAddr::new("203.0.113.7".parse().unwrap(), from.port());
                let r = Builder::new(Class::Success, BINDING, m.transaction)
                    .xor_mapped_address(mapped)
                    .fingerprint()
                    .build();
                let _ = sock.send_to(&r, from);
            }
        }
    });
    (port, t)
}

#[test]
fn stun_adds_a_server_reflexive_candidate() {
    let (port, _t) = stun_server(true);
    let out = answer_only(&["--stun", &format!("stun:127.0.0.1:{port}")]);
    let answer = String::from_utf8_lossy(&out.stdout).to_string();
    let srflx: Vec<String> = candidates(&answer)
        .into_iter()
        .filter(|c| c.contains("typ srflx"))
        .collect();
    assert_eq!(srflx.len(), 1, "{}", text(&out));
    assert!(srflx[0].contains(" 203.0.113.7 "), "{}", srflx[0]);
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("WA009"),
        "a reachable candidate: no private-only warning"
    );
}

#[test]
fn gathering_is_bounded_by_the_gather_timeout() {
    let (port, _t) = stun_server(false);
    let started = Instant::now();
    let out = Command::new(WACALL)
        .args([
            "--json",
            "bridge",
            "--bind",
            "127.0.0.1",
            "--connect-timeout",
            "1",
            "--gather-timeout",
            "0.5",
        ])
        .args([
            "--offer",
            "testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp",
        ])
        .args([
            "--stun",
            &format!("stun:127.0.0.1:{port}"),
            "--answer-out",
            "/dev/null",
        ])
        .output()
        .unwrap();
    // Renaming a temp file over /dev/null once replaced it with a plain file
    // for the whole machine (cargo then read stale bytes from it as input).
    assert!(
        std::os::unix::fs::FileTypeExt::is_char_device(
            &std::fs::metadata("/dev/null").unwrap().file_type()
        ),
        "--answer-out /dev/null must write into the device, not replace it"
    );
    let steps = of_type(&out.stdout, "step");
    let ready = steps
        .iter()
        .find(|s| s["what"].as_str().unwrap().starts_with("answer ready"))
        .unwrap();
    assert!(
        ready["what"].as_str().unwrap().contains("timed out"),
        "{ready}"
    );
    assert!(
        ready["what"].as_str().unwrap().contains("(webrtc-rs)"),
        "STUN gathering is webrtc-rs's: {ready}"
    );
    let at = ready["at_ms"].as_f64().unwrap();
    assert!(
        (450.0..1500.0).contains(&at),
        "answer ready at {at} ms, the timeout was 500 ms"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_wav_far_end_reaches_whatsapp() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("prompt.wav");
    let mut tone = wacall::core::audio::Tone::new(700.0, 0.3);
    let samples: Vec<i16> = (0..100).flat_map(|_| tone.frame()).collect();
    wacall::io::media::write_wav(&wav, &samples).unwrap();
    let far = format!("play:{}", wav.display());
    let (sim, bridge, _d) = manual(&[], &["--to", &far]);
    assert_eq!(bridge.status.code(), Some(0), "{}", text(&bridge));
    let r = of_type(&sim.stdout, "call").pop().unwrap();
    assert!(
        (r["heard"]["dominant_hz"].as_f64().unwrap() - 700.0).abs() < 2.0,
        "{r:#}"
    );
}

#[test]
fn the_demo_works_with_the_openai_stand_in() {
    let out = Command::new(WACALL)
        .args(["--json", "demo", "--seconds", "4"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = of_type(&out.stdout, "verdict").pop().unwrap();
    assert_eq!(v["ok"], true);
    assert!((v["whatsapp"]["heard"]["dominant_hz"].as_f64().unwrap() - 440.0).abs() < 2.0);
    assert_eq!(v["bridge"]["traffic"]["dtmf_in"], "1");
    assert_eq!(v["bridge"]["far_end"], "openai:gpt-realtime");
    assert!(
        v["bridge"]["far_end_summary"]["responses"]
            .as_u64()
            .unwrap()
            >= 1
    );
    let steps: Vec<String> = of_type(&out.stdout, "step")
        .iter()
        .map(|s| s["what"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        steps
            .iter()
            .any(|s| s.starts_with("caller: [0.9 s of sound at 440 Hz]")),
        "the caller's turn is transcribed (0.9 s: DTMF took 100 ms of it): {steps:?}"
    );
    assert!(steps.iter().any(|s| s.starts_with("ai: You said:")));
}

#[test]
fn the_demo_works_with_an_echo() {
    let out = Command::new(WACALL)
        .args(["--json", "demo", "--seconds", "2", "--far-end", "echo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = of_type(&out.stdout, "verdict").pop().unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["bridge"]["far_end"], "echo");
    assert!((v["whatsapp"]["heard"]["dominant_hz"].as_f64().unwrap() - 440.0).abs() < 2.0);
}

/// A real TURN server (coturn, from scripts/bootstrap) on loopback only.
struct Turn(Child, u16);
impl Drop for Turn {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn coturn() -> Turn {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("turnserver")
        .args([
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            "--min-port=49400",
            "--max-port=49500",
        ])
        .arg(format!("--listening-port={port}"))
        .args([
            "--user=wacall:turnpass",
            "--realm=wacall.test",
            "--lt-cred-mech",
            "--no-tls",
            "--no-dtls",
        ])
        .args(["--allow-loopback-peers", "--no-cli", "--log-file=stdout"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("turnserver (coturn, installed by scripts/bootstrap)");
    let turn = Turn(child, port);
    // Ready when it answers a STUN Binding request: a fixed wait lost the
    // race on a loaded CI machine (the answer went out without a relay).
    let probe = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    probe
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut binding = vec![0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42];
    binding.extend_from_slice(b"wacall-probe");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        probe.send_to(&binding, ("127.0.0.1", port)).unwrap();
        if probe.recv_from(&mut [0u8; 512]).is_ok() {
            return turn;
        }
        assert!(Instant::now() < deadline, "coturn never answered on {port}");
    }
}

#[test]
fn turn_adds_a_relay_candidate() {
    let turn = coturn();
    let url = format!("turn:127.0.0.1:{}?transport=udp", turn.1);
    let out = answer_only(&[
        "--turn",
        &url,
        "--turn-username",
        "wacall",
        "--turn-credential",
        "turnpass",
    ]);
    let answer = String::from_utf8_lossy(&out.stdout).to_string();
    let relay: Vec<String> = candidates(&answer)
        .into_iter()
        .filter(|c| c.contains("typ relay"))
        .collect();
    assert_eq!(relay.len(), 1, "{}", text(&out));
    let port: u16 = relay[0].split(' ').nth(5).unwrap().parse().unwrap();
    assert!(
        (49400..=49500).contains(&port),
        "allocated by coturn: {}",
        relay[0]
    );
    // A wrong credential gets no allocation, and gathering still ends.
    let out = answer_only(&[
        "--turn",
        &url,
        "--turn-username",
        "wacall",
        "--turn-credential",
        "wrong",
    ]);
    let answer = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!answer.contains("typ relay"), "{answer}");
    assert!(answer.contains("typ host"));
}

/// `wacall sim openai` on a free loopback port.
struct StandIn(Child, String);
impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn standin(extra: &[&str]) -> StandIn {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(WACALL)
        .args(["sim", "openai", "--listen", &format!("127.0.0.1:{port}")])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    assert!(line.contains("--openai-url ws://127.0.0.1"), "{line}");
    StandIn(child, format!("ws://127.0.0.1:{port}/v1/realtime"))
}

#[test]
fn openai_in_graph_mode_answers_turns_and_terminates() {
    openai_graph_call("websocket");
}

#[test]
fn openai_over_webrtc_in_graph_mode_answers_turns_and_terminates() {
    openai_graph_call("webrtc");
}

fn openai_graph_call(transport: &str) {
    let ai = standin(&[]);
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("turns.wav");
    let mut tone = wacall::core::audio::Tone::new(440.0, 0.3);
    let mut turns: Vec<i16> = (0..50).flat_map(|_| tone.frame()).collect();
    turns.extend(std::iter::repeat_n(0, 48 * 2000));
    wacall::io::media::write_wav(&wav, &turns).unwrap();
    let mut call = graph_call(&["--seconds", "30", "--send", wav.to_str().unwrap()]);
    let bridge = call
        .bridge(&["--to", "openai", "--openai-url", &ai.1, "--duration", "3.5"])
        .args(["--openai-transport", transport])
        .env("OPENAI_API_KEY", "sk-test-key")
        .output()
        .unwrap();
    assert_eq!(bridge.status.code(), Some(0), "{}", text(&bridge));
    let graph: Vec<String> = of_type(&bridge.stdout, "graph")
        .iter()
        .map(|g| g["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(graph, ["pre_accept", "accept", "terminate"]);
    let steps: Vec<String> = of_type(&bridge.stdout, "step")
        .iter()
        .map(|s| s["what"].as_str().unwrap().to_string())
        .collect();
    assert!(
        steps.contains(&"caller: [1.0 s of sound at 440 Hz]".to_string()),
        "{steps:?}"
    );
    let summary = of_type(&bridge.stdout, "summary").pop().unwrap();
    assert_eq!(summary["far_end_summary"]["responses"], 1, "{summary:#}");
    assert_eq!(
        summary["far_end_summary"]["transport"], transport,
        "{summary:#}"
    );
    assert!(!String::from_utf8_lossy(&bridge.stdout).contains("sk-test-key"));
    let r = call.sim_report();
    assert!(
        (r["heard"]["dominant_hz"].as_f64().unwrap() - 440.0).abs() < 2.0,
        "{r:#}"
    );
}

#[test]
fn openai_with_a_bad_key_rejects_the_call_instead_of_accepting_it() {
    let ai = standin(&["--accept-key", "sk-right"]);
    let mut call = graph_call(&["--seconds", "30"]);
    let bridge = call
        .bridge(&["--to", "openai", "--openai-url", &ai.1])
        .env("OPENAI_API_KEY", "sk-wrong")
        .output()
        .unwrap();
    assert_eq!(bridge.status.code(), Some(1), "{}", text(&bridge));
    let summary = of_type(&bridge.stdout, "summary").pop().unwrap();
    assert_eq!(summary["layer"], "far_end", "{summary:#}");
    assert!(summary["reason"].as_str().unwrap().contains("HTTP 401"));
    assert!(
        !text(&bridge).contains("sk-wrong"),
        "the key is never shown"
    );
    let r = call.sim_report();
    assert_eq!(
        actions(&r),
        [("pre_accept".into(), 200), ("reject".into(), 200)],
        "{r:#}"
    );
}

#[test]
fn openai_without_a_key_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let offer = dir.path().join("offer.sdp");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp"
        ),
        &offer,
    )
    .unwrap();
    let out = Command::new(WACALL)
        .current_dir(dir.path())
        .env_remove("OPENAI_API_KEY")
        .args(["bridge", "--to", "openai", "--offer"])
        .arg(&offer)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("OPENAI_API_KEY"), "{}", text(&out));
}

/// `bridge --media-stack lean` answers the simulated WhatsApp on the lean
/// path: the call carries the tone, and the steps name the path.
#[test]
fn manual_mode_on_the_lean_media_stack() {
    let (sim, bridge, _d) = manual(&[], &["--to", "tone:1000", "--media-stack", "lean"]);
    assert_eq!(bridge.status.code(), Some(0), "{}", text(&bridge));
    let r = of_type(&sim.stdout, "call")
        .pop()
        .unwrap_or_else(|| panic!("no call report: {}", text(&sim)));
    assert_eq!(r["ok"], true, "{r:#}");
    assert!(
        (r["heard"]["dominant_hz"].as_f64().unwrap() - 1000.0).abs() < 2.0,
        "{r:#}"
    );
    let steps = of_type(&bridge.stdout, "step");
    assert!(
        steps.iter().any(|s| s["what"]
            .as_str()
            .unwrap()
            .starts_with("answer ready (lean)")),
        "{steps:?}"
    );
}
