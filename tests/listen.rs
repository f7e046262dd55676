//! `wacall listen` as a process: its webhook receiver spoken to over raw
//! HTTP (verification, signatures, duplicates, size limit, bad JSON,
//! unknown events, captures), and whole calls from `wacall sim`: answered
//! onto the speaker and microphone of a private PulseAudio daemon, a second
//! concurrent call rejected as busy, the caller's hang-up ending the call.

mod http_client;
mod pulse;
mod running;
mod sim_offer;

use http_client::http;

use serde_json::Value;
use std::io::Read;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WACALL: &str = env!("CARGO_BIN_EXE_wacall");
const SECRET: &str = "listen-test-secret";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

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

fn signed(body: &[u8]) -> Vec<(&'static str, String)> {
    vec![
        ("content-type", "application/json".into()),
        (
            "x-hub-signature-256",
            wacall::core::webhook::signature(SECRET.as_bytes(), body),
        ),
    ]
}

/// Waits until the listener answers on `port`.
fn wait_listening(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "wacall listen exited early"
        );
        assert!(Instant::now() < deadline, "wacall listen never listened");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn interrupt(child: &Child) {
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
}

fn status_webhook(id: &str, event: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "100000000000002", "changes": [{"field": "calls", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550009999", "phone_number_id": "100000000000001"},
            "calls": [{"id": id, "event": event, "from": "15550001111", "to": "15550009999", "timestamp": "1764000000"}]
        }}]}]
    }))
    .unwrap()
}

#[test]
fn the_receiver_checks_deduplicates_limits_and_captures() {
    let dir = tempfile::tempdir().unwrap();
    let captures = dir.path().join("captures");
    let port = free_port();
    let mut listen = running::Running::new(
        Command::new(WACALL)
            .args([
                "--json",
                "listen",
                "--to",
                "echo",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .args([
                "--app-secret",
                SECRET,
                "--verify-token",
                "vt-123",
                "--max-body",
                "4096",
            ])
            .arg("--capture")
            .arg(&captures)
            .env("WHATSAPP_TOKEN", "graph-token")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    wait_listening(port, &mut listen);

    let (code, body) = http(
        port,
        "GET",
        "/webhook?hub.mode=subscribe&hub.verify_token=vt-123&hub.challenge=c-42",
        &[],
        b"",
    );
    assert_eq!((code, body.as_str()), (200, "c-42"));
    let (code, _) = http(
        port,
        "GET",
        "/webhook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=c",
        &[],
        b"",
    );
    assert_eq!(code, 403);

    let status = status_webhook("wacid.status-1", "status");
    assert_eq!(
        http(port, "POST", "/webhook", &signed(&status), &status).0,
        200
    );
    assert_eq!(
        http(port, "POST", "/webhook", &signed(&status), &status).0,
        200,
        "a retry still gets 200"
    );
    let unknown = status_webhook("wacid.x-2", "something_new");
    assert_eq!(
        http(port, "POST", "/webhook", &signed(&unknown), &unknown).0,
        200
    );
    let wrong = vec![(
        "x-hub-signature-256",
        wacall::core::webhook::signature(b"other-secret", &status),
    )];
    assert_eq!(http(port, "POST", "/webhook", &wrong, &status).0, 401);
    assert_eq!(
        http(port, "POST", "/webhook", &[], &status).0,
        401,
        "no signature"
    );
    let bad_json = b"{not json".to_vec();
    assert_eq!(
        http(port, "POST", "/webhook", &signed(&bad_json), &bad_json).0,
        400
    );
    let huge = vec![b' '; 10_000];
    assert_eq!(http(port, "POST", "/webhook", &signed(&huge), &huge).0, 413);

    interrupt(&listen);
    let out = listen.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tally = of_type(&out.stdout, "listen_summary").pop().unwrap();
    let w = &tally["webhooks"];
    assert_eq!(
        (
            w["accepted"].as_u64(),
            w["duplicates"].as_u64(),
            w["bad_signature"].as_u64(),
            w["malformed"].as_u64()
        ),
        (Some(2), Some(1), Some(2), Some(1)),
        "{tally:#}"
    );
    assert_eq!(
        (
            w["verifications"].as_u64(),
            w["failed_verifications"].as_u64()
        ),
        (Some(1), Some(1))
    );
    // Each webhook was looked at once: the retry did nothing.
    let ignored = of_type(&out.stdout, "ignored");
    let events: Vec<&str> = ignored
        .iter()
        .map(|i| i["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["status", "something_new"], "{ignored:?}");

    // Every POST that reached the handler is captured, in order, bytes exact.
    let mut files: Vec<_> = std::fs::read_dir(&captures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 6, "{files:?}");
    let first: wacall::core::capture::Capture =
        serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    assert_eq!(first.body_bytes(), status);
    assert_eq!(first.status, 200);
    assert!(wacall::core::webhook::verify_signature(
        SECRET.as_bytes(),
        &first.body_bytes(),
        first.signature().unwrap()
    ));
    let statuses: Vec<u16> = files
        .iter()
        .map(|f| {
            serde_json::from_slice::<wacall::core::capture::Capture>(&std::fs::read(f).unwrap())
                .unwrap()
                .status
        })
        .collect();
    assert_eq!(statuses, [200, 200, 200, 401, 401, 400]);
    let text = std::fs::read_to_string(&files[3]).unwrap();
    assert!(text.contains("does not match"), "{text}");
}

#[test]
fn listen_needs_a_secret_or_an_explicit_opt_out() {
    let out = Command::new(WACALL)
        .args(["listen", "--to", "echo", "--listen", "127.0.0.1:0"])
        .env("WHATSAPP_TOKEN", "t")
        .env_remove("WACALL_APP_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--insecure-skip-signature"));
}

fn sim(webhook_port: u16, graph_port: u16, extra: &[&str]) -> Child {
    Command::new(WACALL)
        .args([
            "--json",
            "sim",
            "--app-secret",
            SECRET,
            "--graph-token",
            "graph-token",
        ])
        .args([
            "--webhook-url",
            &format!("http://127.0.0.1:{webhook_port}/webhook"),
        ])
        .args(["--graph-listen", &format!("127.0.0.1:{graph_port}")])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn listen_cmd(pulse: &pulse::Pulse, port: u16, graph_port: u16, extra: &[&str]) -> Command {
    let mut c = pulse.cmd(WACALL);
    c.args(["--json", "listen", "--auto-answer", "--bind", "127.0.0.1"]);
    receiver(&mut c, port, graph_port);
    c.args(extra);
    c
}

/// `listen`'s receiver on `port` with the test's secret, its Graph API at
/// `graph_port`, and its output captured.
fn receiver(c: &mut Command, port: u16, graph_port: u16) -> &mut Command {
    c.args([
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--app-secret",
        SECRET,
    ])
    .args(["--graph-url", &format!("http://127.0.0.1:{graph_port}")])
    .env("WHATSAPP_TOKEN", "graph-token")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
}

fn actions(report: &Value) -> Vec<String> {
    report["graph_requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_simulated_call_is_heard_on_the_speaker_and_hears_the_microphone() {
    let pulse = pulse::Pulse::start();
    let (port, graph_port) = (free_port(), free_port());
    let speaker = pulse.record("vspeaker.monitor");
    let mut mic = pulse.play_tone("vmic", 1000.0, 15.0);
    let mut listen = running::Running::new(
        listen_cmd(&pulse, port, graph_port, &["--calls", "1"])
            .spawn()
            .unwrap(),
    );
    wait_listening(port, &mut listen);
    let sim = sim(port, graph_port, &["--seconds", "4", "--tone", "440"])
        .wait_with_output()
        .unwrap();
    let out = listen.wait_with_output().unwrap();
    let heard = speaker.stop();
    let _ = mic.kill();
    let _ = mic.wait();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{all}");
    let ring = of_type(&out.stdout, "ringing")
        .pop()
        .unwrap_or_else(|| panic!("{all}"));
    assert!(
        ring["call_id"].as_str().unwrap().starts_with("wacid."),
        "{ring}"
    );
    let call = of_type(&sim.stdout, "call")
        .pop()
        .unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(&sim.stderr)));
    assert_eq!(call["ok"], true, "{call:#}");
    assert_eq!(actions(&call), ["pre_accept", "accept"], "{call:#}");
    let hz = call["heard"]["dominant_hz"].as_f64().unwrap();
    assert!(
        (hz - 1000.0).abs() < 3.0,
        "WhatsApp heard {hz} Hz from the microphone: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let loud: Vec<i16> = heard
        .chunks(960)
        .filter(|f| f.iter().any(|&s| s.unsigned_abs() > 3000))
        .flatten()
        .copied()
        .collect();
    assert!(
        loud.len() > 48_000,
        "the caller on the speaker: {} samples",
        loud.len()
    );
    let on_speaker = wacall::core::audio::dominant_frequency(&loud).unwrap();
    assert!(
        (on_speaker - 440.0).abs() < 3.0,
        "the speaker played {on_speaker} Hz"
    );
    // The caller hung up (sim's terminate webhook), which ended the call.
    assert_eq!(of_type(&out.stdout, "terminate").len(), 1, "{all}");
    let summary = of_type(&out.stdout, "summary").pop().unwrap();
    assert_eq!(summary["ending"]["kind"], "hung_up", "{summary:#}");
    let tally = of_type(&out.stdout, "listen_summary").pop().unwrap();
    assert_eq!(tally["answered"], 1, "{tally:#}");
}

#[test]
fn a_second_call_during_the_first_is_rejected_as_busy() {
    let pulse = pulse::Pulse::start();
    let (port, graph_port) = (free_port(), free_port());
    let mut listen = running::Running::new(
        listen_cmd(&pulse, port, graph_port, &["--calls", "1"])
            .spawn()
            .unwrap(),
    );
    wait_listening(port, &mut listen);
    let sim = sim(
        port,
        graph_port,
        &[
            "--calls",
            "2",
            "--concurrency",
            "2",
            "--seconds",
            "3",
            "--accept-timeout",
            "10",
        ],
    )
    .wait_with_output()
    .unwrap();
    let out = listen.wait_with_output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let busy = of_type(&out.stdout, "busy");
    assert_eq!(busy.len(), 1, "{all}");
    assert_eq!(busy[0]["reject"]["ok"], true, "{all}");
    let calls = of_type(&sim.stdout, "call");
    assert_eq!(calls.len(), 2, "{}", String::from_utf8_lossy(&sim.stdout));
    let mut seen: Vec<Vec<String>> = calls.iter().map(actions).collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            vec!["pre_accept".to_string(), "accept".into()],
            vec!["reject".into()]
        ]
    );
}

#[test]
fn without_a_terminal_to_ask_a_call_is_declined_and_rejected() {
    let (port, graph_port) = (free_port(), free_port());
    let mut listen = running::Running::new(
        receiver(
            Command::new(WACALL).args([
                "--json",
                "listen",
                "--to",
                "echo",
                "--bind",
                "127.0.0.1",
                "--calls",
                "1",
            ]),
            port,
            graph_port,
        )
        .stdin(Stdio::null())
        .spawn()
        .unwrap(),
    );
    wait_listening(port, &mut listen);
    let sim = sim(
        port,
        graph_port,
        &["--seconds", "2", "--accept-timeout", "5"],
    )
    .wait_with_output()
    .unwrap();
    interrupt(&listen);
    let out = listen.wait_with_output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("not a terminal"), "{all}");
    let declined = of_type(&out.stdout, "declined");
    assert_eq!(declined.len(), 1, "{all}");
    assert_eq!(declined[0]["reject"]["ok"], true);
    let call = of_type(&sim.stdout, "call").pop().unwrap();
    assert_eq!(actions(&call), ["reject"], "{call:#}");
}

#[test]
fn listen_with_an_offer_answers_it_without_a_receiver() {
    let sim = sim_offer::start(Command::new(WACALL), &["--seconds", "2", "--tone", "440"]);
    // The answer goes to stdout, as with `wacall bridge`; the test hands it over.
    let mut listen = running::Running::new(
        Command::new(WACALL)
            .args([
                "listen",
                "--to",
                "echo",
                "--bind",
                "127.0.0.1",
                "--duration",
                "4",
            ])
            .arg("--offer")
            .arg(&sim.offer)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stdout = listen.stdout.take().unwrap();
    let mut sdp = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&sdp).contains("a=end-of-candidates") {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "no answer printed");
        sdp.extend_from_slice(&buf[..n]);
    }
    std::fs::write(&sim.answer, &sdp).unwrap();
    let out = listen.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let call = of_type(&sim.output().stdout, "call").pop().unwrap();
    assert_eq!(call["ok"], true, "{call:#}");
    let hz = call["heard"]["dominant_hz"].as_f64().unwrap();
    assert!((hz - 440.0).abs() < 3.0, "the echo: {hz} Hz");
}

#[test]
fn ctrl_c_during_a_call_sends_terminate_and_exits_0() {
    use std::io::BufRead;
    let (port, graph_port) = (free_port(), free_port());
    let mut listen = running::Running::new(
        receiver(
            Command::new(WACALL).args([
                "--json",
                "listen",
                "--to",
                "echo",
                "--auto-answer",
                "--bind",
                "127.0.0.1",
            ]),
            port,
            graph_port,
        )
        .spawn()
        .unwrap(),
    );
    wait_listening(port, &mut listen);
    let sim = sim(port, graph_port, &["--seconds", "30"]);
    let mut lines_seen = Vec::new();
    let mut reader = std::io::BufReader::new(listen.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "listen ended early: {lines_seen:?}"
        );
        let media = line.contains("first RTP in");
        lines_seen.push(line);
        if media {
            break;
        }
    }
    interrupt(&listen);
    let mut rest = String::new();
    reader.read_to_string(&mut rest).unwrap();
    let status = listen.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{rest}");
    let summary = of_type(rest.as_bytes(), "summary")
        .pop()
        .unwrap_or_else(|| panic!("{rest}"));
    assert_eq!(summary["ending"]["kind"], "interrupted", "{summary:#}");
    let call = of_type(&sim.wait_with_output().unwrap().stdout, "call")
        .pop()
        .unwrap();
    assert_eq!(
        actions(&call),
        ["pre_accept", "accept", "terminate"],
        "{call:#}"
    );
}
