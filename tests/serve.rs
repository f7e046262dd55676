//! `wacall serve` as a process against `wacall sim`: concurrent calls with
//! the control API and metrics watched while they run, POST /sessions/start
//! for a caller that signals itself, and SIGTERM draining calls in flight.

mod http_client;
mod running;
mod serve_proc;
mod sim_offer;

use http_client::http;
use serde_json::Value;
use serve_proc::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn concurrent_calls_with_health_sessions_and_metrics() {
    let (port, graph_port) = (free_port(), free_port());
    let server = serve(port, graph_port, &[]);
    let sim = sim(
        port,
        graph_port,
        &["--calls", "8", "--concurrency", "8", "--seconds", "3"],
    );
    // While the calls run: health counts them; /sessions needs the token.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut most = 0;
    while most < 8 {
        let (code, h) = json(port, "GET", "/health", &[], b"");
        assert_eq!((code, h["status"].as_str()), (200, Some("healthy")), "{h}");
        most = most.max(h["activeCalls"].as_u64().unwrap());
        assert!(
            Instant::now() < deadline,
            "never 8 active calls at once (most {most})"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(http(port, "GET", "/sessions", &[], b"").0, 401);
    let wrong = vec![("authorization", "Bearer nope".to_string())];
    assert_eq!(http(port, "GET", "/sessions", &wrong, b"").0, 401);
    let (code, list) = json(port, "GET", "/sessions", &auth(), b"");
    assert_eq!(code, 200);
    assert_eq!(list["sessions"].as_array().unwrap().len(), 8, "{list:#}");
    let sim = sim.wait_with_output().unwrap();
    let calls = lines(&sim.stdout, "call");
    assert_eq!(calls.len(), 8, "{}", text(&sim));
    assert!(calls.iter().all(|c| c["ok"] == true), "{}", text(&sim));
    // After: a session's timeline and stats, and the metrics.
    let id = calls[0]["call_id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(10);
    let one = loop {
        let (_, s) = json(
            port,
            "GET",
            &format!(
                "/sessions/{}",
                id.replace('+', "%2B")
                    .replace('/', "%2F")
                    .replace('=', "%3D")
            ),
            &auth(),
            b"",
        );
        if s["state"] == "ended" {
            break s;
        }
        assert!(Instant::now() < deadline, "{id} never ended: {s}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        one["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["what"] == "first RTP in"),
        "{one:#}"
    );
    assert!(
        one["stats"]["packets_in"].as_u64().unwrap() > 100,
        "{one:#}"
    );
    assert_eq!(one["report"]["ok"], true);
    let (_, metrics) = http(port, "GET", "/metrics", &[], b"");
    assert!(
        metrics.contains("wacall_calls_started_total 8\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("wacall_calls_succeeded_total 8\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("wacall_call_setup_ms_count 8\n"),
        "{metrics}"
    );
    assert!(metrics.contains("wacall_calls_active 0\n"), "{metrics}");
    assert_eq!(
        json(port, "DELETE", "/sessions/wacid.nope", &auth(), b"").0,
        404
    );
    sigterm(&server);
    let out = server.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(lines(&out.stdout, "serve_summary")[0]["succeeded"], 8);
    // Every line is a structured log record: time, level, type, data.
    let records: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(records.len() >= 18, "{} records", records.len());
    for r in &records {
        let ts = r["ts"].as_str().unwrap_or_else(|| panic!("{r}"));
        assert!(
            ts.len() == 24 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T',
            "{ts}"
        );
        assert!(
            matches!(r["level"].as_str(), Some("info" | "warn" | "error")),
            "{r}"
        );
        assert!(r["type"].is_string() && r["data"].is_object(), "{r}");
    }
}

#[test]
fn sigterm_drains_finishing_short_calls_and_ending_long_ones() {
    let (port, graph_port) = (free_port(), free_port());
    let server = serve(port, graph_port, &["--drain-timeout", "1.5"]);
    let long = sim(port, graph_port, &["--seconds", "30"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while json(port, "GET", "/health", &[], b"").1["activeCalls"] != 1 {
        assert!(Instant::now() < deadline, "the call never became active");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let t0 = Instant::now();
    sigterm(&server);
    std::thread::sleep(Duration::from_millis(300));
    let (code, h) = json(port, "GET", "/health", &[], b"");
    assert_eq!((code, h["status"].as_str()), (503, Some("draining")), "{h}");
    // A call that rings now is rejected through the Graph API (here the
    // simulator's, which knows no such call) before the process exits.
    let hook = std::fs::read("testdata/corpus/webhook-connect-real-uic-2025-10-17-mamlesh06.json")
        .unwrap();
    let sig = wacall::core::webhook::signature(SECRET.as_bytes(), &hook);
    let headers = vec![("x-hub-signature-256", sig)];
    assert_eq!(http(port, "POST", "/webhook", &headers, &hook).0, 200);
    let out = server.wait_with_output().unwrap();
    let took = t0.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let rejected = lines(&out.stdout, "call_rejected");
    assert_eq!(rejected.len(), 1, "{}", text(&out));
    let why = rejected[0]["why"].as_str().unwrap();
    assert!(
        why.starts_with("draining; the Graph reject failed: HTTP"),
        "{why}"
    );
    assert!(
        took >= Duration::from_millis(1400) && took < Duration::from_secs(15),
        "drained in {took:?}"
    );
    let call = lines(&long.wait_with_output().unwrap().stdout, "call")
        .pop()
        .unwrap();
    let actions: Vec<&str> = call["graph_requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["pre_accept", "accept", "terminate"],
        "ended through the Graph API: {call:#}"
    );
}

#[test]
fn beyond_max_calls_new_calls_are_rejected_and_health_says_full() {
    let (port, graph_port) = (free_port(), free_port());
    let server = serve(port, graph_port, &["--max-calls", "1"]);
    let sim = sim(
        port,
        graph_port,
        &["--calls", "2", "--concurrency", "2", "--seconds", "4"],
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let h = loop {
        let (code, h) = json(port, "GET", "/health", &[], b"");
        if h["activeCalls"] == 1 {
            assert_eq!(code, 503, "{h}");
            break h;
        }
        assert!(Instant::now() < deadline, "no call became active: {h}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        (h["status"].as_str(), h["maxCalls"].as_u64()),
        (Some("full"), Some(1)),
        "{h}"
    );
    // The control API refuses a call too, and says which flag limits it.
    let offer = std::fs::read_to_string(
        "testdata/corpus/offer-whatsapp-real-uic-2025-11-05-mehery-web-vue.sdp",
    )
    .unwrap();
    let body = serde_json::json!({"callId": "wacid.OVER1", "sdpOffer": offer, "fromNumber": "15550100009"});
    let (code, refused) = json(
        port,
        "POST",
        "/sessions/start",
        &auth(),
        &serde_json::to_vec(&body).unwrap(),
    );
    assert_eq!(code, 503, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("--max-calls"),
        "{refused}"
    );
    let sim = sim.wait_with_output().unwrap();
    let calls = lines(&sim.stdout, "call");
    assert_eq!(calls.len(), 2, "{}", text(&sim));
    let actions = |c: &Value| -> Vec<String> {
        c["graph_requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["action"].as_str().unwrap().to_string())
            .collect()
    };
    let (taken, rejected): (Vec<&Value>, Vec<&Value>) = calls.iter().partition(|c| c["ok"] == true);
    assert_eq!((taken.len(), rejected.len()), (1, 1), "{}", text(&sim));
    assert_eq!(actions(rejected[0]), ["reject"], "{:#}", rejected[0]);
    assert_eq!(rejected[0]["end"]["kind"], "rejected", "{:#}", rejected[0]);
    let why = rejected[0]["reason"].as_str().unwrap();
    assert!(why.contains("rejected the call"), "{why}");
    assert_eq!(
        actions(taken[0]),
        ["pre_accept", "accept"],
        "{:#}",
        taken[0]
    );
    // Once the call has ended there is room again.
    let deadline = Instant::now() + Duration::from_secs(10);
    while json(port, "GET", "/health", &[], b"").0 != 200 {
        assert!(Instant::now() < deadline, "still full after the call ended");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (_, metrics) = http(port, "GET", "/metrics", &[], b"");
    assert!(
        metrics.contains("wacall_calls_rejected_full_total 2\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("wacall_calls_started_total 1\n"),
        "{metrics}"
    );
    sigterm(&server);
    let out = server.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let why = lines(&out.stdout, "call_rejected");
    assert_eq!(why.len(), 1, "{}", text(&out));
    assert_eq!(
        why[0]["why"],
        "at capacity: --max-calls 1 reached",
        "{}",
        text(&out)
    );
}

#[test]
fn a_call_that_signals_itself_starts_through_the_control_api() {
    let (port, graph_port) = (free_port(), free_port());
    let server = serve(port, graph_port, &[]);
    let caller = sim_offer::start(Command::new(WACALL), &["--seconds", "8"]);
    let body = serde_json::json!({"callId": "wacid.CONTROL1", "sdpOffer": std::fs::read_to_string(&caller.offer).unwrap(), "fromNumber": "15550100001"});
    let bytes = serde_json::to_vec(&body).unwrap();
    assert_eq!(http(port, "POST", "/sessions/start", &[], &bytes).0, 401);
    let (code, started) = json(port, "POST", "/sessions/start", &auth(), &bytes);
    assert_eq!(code, 200, "{started}");
    let sdp = started["sdpAnswer"].as_str().unwrap();
    assert!(sdp.contains("a=setup:active"), "{sdp}");
    std::fs::write(&caller.answer, sdp).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while json(port, "GET", "/sessions/wacid.CONTROL1", &auth(), b"").1["state"] != "active" {
        assert!(Instant::now() < deadline, "the call never became active");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        json(port, "POST", "/sessions/start", &auth(), &bytes).0,
        409,
        "a live id is not started twice"
    );
    assert_eq!(
        json(port, "DELETE", "/sessions/wacid.CONTROL1", &auth(), b"").0,
        202
    );
    let call = lines(&caller.output().stdout, "call").pop().unwrap();
    // Media flowed, then DELETE ended it long before the caller's 8 s.
    let from_bridge = call["media_in"]["packets"].as_u64().unwrap();
    assert!(from_bridge > 0 && from_bridge < 300, "{call:#}");
    sigterm(&server);
    assert_eq!(server.wait_with_output().unwrap().status.code(), Some(0));
}

#[test]
fn a_webhook_it_cannot_act_on_is_reported_and_the_service_goes_on() {
    let (port, graph_port) = (free_port(), free_port());
    let server = serve(port, graph_port, &[]);
    let mut hook: Value = serde_json::from_slice(
        &std::fs::read("testdata/corpus/webhook-connect-real-uic-2025-10-17-mamlesh06.json")
            .unwrap(),
    )
    .unwrap();
    hook["entry"][0]["changes"][0]["value"]
        .as_object_mut()
        .unwrap()
        .remove("metadata");
    let body = serde_json::to_vec(&hook).unwrap();
    let sig = wacall::core::webhook::signature(SECRET.as_bytes(), &body);
    let headers = vec![("x-hub-signature-256", sig)];
    assert_eq!(http(port, "POST", "/webhook", &headers, &body).0, 200);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        json(port, "GET", "/health", &[], b"").0,
        200,
        "still serving"
    );
    sigterm(&server);
    let out = server.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let rejected = lines(&out.stdout, "call_rejected");
    assert_eq!(rejected.len(), 1, "{}", text(&out));
    assert!(
        rejected[0]["why"]
            .as_str()
            .unwrap()
            .contains("--phone-number-id"),
        "{rejected:?}"
    );
}

#[test]
fn each_call_gets_its_own_openai_session() {
    // The Realtime stand-in (`wacall sim openai`) plays OpenAI on loopback.
    let ai_port = free_port();
    let mut ai = Running::new(
        Command::new(WACALL)
            .args(["sim", "openai", "--listen", &format!("127.0.0.1:{ai_port}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(ai.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let (port, graph_port) = (free_port(), free_port());
    let url = format!("ws://127.0.0.1:{ai_port}/v1/realtime");
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records");
    // Each caller says 1 s of 440 Hz, then listens.
    let wav = dir.path().join("turn.wav");
    let mut tone = wacall::core::audio::Tone::new(440.0, 0.3);
    let mut turn: Vec<i16> = (0..50).flat_map(|_| tone.frame()).collect();
    turn.extend(std::iter::repeat_n(0, 48 * 4000));
    wacall::io::media::write_wav(&wav, &turn).unwrap();
    let mut server = Command::new(WACALL)
        .args([
            "--json",
            "serve",
            "--to",
            "openai",
            "--openai-url",
            &url,
            "--bind",
            "127.0.0.1",
        ])
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--app-secret",
            SECRET,
        ])
        .args(["--graph-url", &format!("http://127.0.0.1:{graph_port}")])
        .arg("--record-dir")
        .arg(&records)
        .env("WHATSAPP_TOKEN", "graph-token")
        .env("WACALL_API_TOKEN", API)
        .env("OPENAI_API_KEY", "sk-test-key")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(server.try_wait().unwrap().is_none(), "serve exited early");
        assert!(Instant::now() < deadline, "serve never listened");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = sim(
        port,
        graph_port,
        &[
            "--calls",
            "3",
            "--concurrency",
            "3",
            "--seconds",
            "4",
            "--send",
            wav.to_str().unwrap(),
        ],
    )
    .wait_with_output()
    .unwrap();
    let calls = lines(&out.stdout, "call");
    assert_eq!(calls.len(), 3, "{}", text(&out));
    assert!(calls.iter().all(|c| c["ok"] == true), "{}", text(&out));
    let id = calls[0]["call_id"]
        .as_str()
        .unwrap()
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let deadline = Instant::now() + Duration::from_secs(10);
    let s = loop {
        let (_, s) = json(port, "GET", &format!("/sessions/{id}"), &auth(), b"");
        if s["state"] == "ended" {
            break s;
        }
        assert!(Instant::now() < deadline, "never ended: {s}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        s["report"]["far_end"]
            .as_str()
            .unwrap()
            .starts_with("openai:"),
        "{s:#}"
    );
    assert!(s["report"]["far_end_summary"].is_object(), "{s:#}");
    // Every call ended: their jitter, the AI's answer time for each turn,
    // and what the turns cost are in the metrics.
    let deadline = Instant::now() + Duration::from_secs(10);
    let metrics = loop {
        let (_, m) = http(port, "GET", "/metrics", &[], b"");
        if m.contains("wacall_calls_active 0\n") {
            break m;
        }
        assert!(Instant::now() < deadline, "calls still active: {m}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        metrics.contains("wacall_rtp_jitter_ms_count 3\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("wacall_far_end_turn_latency_ms_count 3\n"),
        "one answered turn per call: {metrics}"
    );
    let cost: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("wacall_far_end_cost_usd_total "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(cost > 0.0, "{metrics}");
    sigterm(&server);
    assert_eq!(server.wait_with_output().unwrap().status.code(), Some(0));
    // Each call's recording, report and transcript, named by its call id.
    for c in &calls {
        let stem = c["call_id"]
            .as_str()
            .unwrap()
            .replace('/', "_")
            .replace('+', "-")
            .replace('=', "~");
        let file = |ext: &str| records.join(format!("{stem}.{ext}"));
        let report: Value = serde_json::from_slice(&std::fs::read(file("json")).unwrap()).unwrap();
        assert_eq!(report["call_id"], c["call_id"]);
        assert_eq!(report["ok"], true, "{report:#}");
        let transcript = std::fs::read_to_string(file("txt")).unwrap();
        assert_eq!(
            transcript,
            "caller: [1.0 s of sound at 440 Hz]\nai: You said: [1.0 s of sound at 440 Hz]\n"
        );
        // At the Realtime API's 24 kHz, the rate the call's codec ran at.
        let wav = hound::WavReader::open(file("wav")).unwrap();
        assert_eq!((wav.spec().channels, wav.spec().sample_rate), (2, 24_000));
        assert!(wav.duration() > 24_000 * 3, "{} samples", wav.duration());
    }
}

#[test]
fn openai_is_the_default_and_needs_a_key() {
    let out = Command::new(WACALL)
        .args(["serve", "--app-secret", "s", "--listen", "127.0.0.1:0"])
        .env("WHATSAPP_TOKEN", "t")
        .env("WACALL_API_TOKEN", API)
        .env_remove("OPENAI_API_KEY")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("OPENAI_API_KEY"), "{}", text(&out));
}

#[test]
fn a_burst_of_100_simultaneous_connects_is_answered() {
    let (port, graph_port) = (free_port(), free_port());
    let server = serve(port, graph_port, &[]);
    let out = sim(
        port,
        graph_port,
        &[
            "--calls",
            "100",
            "--concurrency",
            "100",
            "--seconds",
            "3",
            "--accept-timeout",
            "30",
        ],
    )
    .wait_with_output()
    .unwrap();
    let calls = lines(&out.stdout, "call");
    assert_eq!(calls.len(), 100, "{}", text(&out));
    let failed: Vec<&Value> = calls.iter().filter(|c| c["ok"] != true).collect();
    assert!(
        failed.is_empty(),
        "{} failed: {:#}",
        failed.len(),
        failed[0]
    );
    let (_, metrics) = http(port, "GET", "/metrics", &[], b"");
    assert!(
        metrics.contains("wacall_calls_started_total 100\n"),
        "{metrics}"
    );
    sigterm(&server);
    assert_eq!(server.wait_with_output().unwrap().status.code(), Some(0));
}

#[test]
fn settings_come_from_flags_then_the_environment_then_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let file = dir.path().join("wacall.toml");
    std::fs::write(
        &file,
        format!(
            "listen = \"127.0.0.1:{port}\"\nto = \"echo\"\ndrain-timeout = 12\ninsecure-no-api-token = true\nopus-complexity = 1\n\
             redis = \"redis://from-file:6379\"\ninstance-id = \"from-file\"\n"
        ),
    )
    .unwrap();
    let check = |extra: &[&str], env: &[(&str, &str)]| {
        let mut c = Command::new(WACALL);
        c.args(["--json", "serve", "--check-config", "--config"])
            .arg(&file)
            .args(extra)
            .env_remove("WACALL_REDIS_URL")
            .env("WHATSAPP_TOKEN", "t")
            .env("WACALL_APP_SECRET", "s");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let out = check(
        &["--drain-timeout", "5"],
        &[("WACALL_REDIS_URL", "redis://:pw@from-env:6379")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["listen"], format!("127.0.0.1:{port}"), "from the file");
    assert_eq!(v["drain_timeout_s"], 5.0, "the flag wins");
    assert_eq!(
        v["cluster"]["redis"], "redis://***@from-env:6379",
        "the environment wins, its password hidden"
    );
    assert_eq!(v["cluster"]["instance_id"], "from-file");
    assert_eq!(v["opus_complexity"], 1, "from the file");
    let from: Vec<&str> = v["from_config_file"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(
        from,
        [
            "insecure-no-api-token",
            "instance-id",
            "listen",
            "opus-complexity",
            "to"
        ]
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("pw@"));

    // The encoder's complexity is 0-10, and says so.
    let out = check(&["--opus-complexity", "11"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("0..=10"), "{}", text(&out));

    // Without the Graph token the configuration is not valid.
    let no_token = Command::new(WACALL)
        .args(["serve", "--check-config", "--config"])
        .arg(&file)
        .env_remove("WHATSAPP_TOKEN")
        .env("WACALL_APP_SECRET", "s")
        .output()
        .unwrap();
    assert_eq!(no_token.status.code(), Some(2), "{}", text(&no_token));

    // Secrets are refused from the file, and mistakes name their line.
    std::fs::write(&file, "to = \"echo\"\napp-secret = \"hunter2\"\n").unwrap();
    let out = check(&[], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2") && err.contains("WACALL_APP_SECRET"),
        "{err}"
    );
    assert!(!err.contains("hunter2"));
    std::fs::write(&file, "to = \"echo\"\ndrain-timeot = 3\n").unwrap();
    let err = String::from_utf8_lossy(&check(&[], &[]).stderr).to_string();
    assert!(
        err.contains("line 2") && err.contains("drain-timeot"),
        "{err}"
    );

    // And the service really listens where the file says.
    std::fs::write(
        &file,
        format!("listen = \"127.0.0.1:{port}\"\nto = \"echo\"\ninsecure-no-api-token = true\n"),
    )
    .unwrap();
    let server = Command::new(WACALL)
        .args(["serve", "--config"])
        .arg(&file)
        .env("WHATSAPP_TOKEN", "t")
        .env("WACALL_APP_SECRET", "s")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "serve never listened on the file's port"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let (code, v) = json(port, "GET", "/health", &[], b"");
    assert_eq!((code, v["status"].as_str()), (200, Some("healthy")));
    sigterm(&server);
    assert_eq!(server.wait_with_output().unwrap().status.code(), Some(0));
}

#[test]
fn a_ramp_spreads_the_simulators_call_starts() {
    let (port, graph_port) = (free_port(), free_port());
    let server = serve(port, graph_port, &[]);
    let out = sim(
        port,
        graph_port,
        &[
            "--calls",
            "3",
            "--concurrency",
            "3",
            "--ramp",
            "2",
            "--seconds",
            "1",
            "--light",
        ],
    )
    .wait_with_output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    sigterm(&server);
    let served = server.wait_with_output().unwrap();
    // When the service saw each call start, from its log records.
    let ms = |ts: &str| -> f64 {
        let t = &ts[11..23];
        let p: Vec<f64> = t.split(':').map(|x| x.parse().unwrap()).collect();
        (p[0] * 3600.0 + p[1] * 60.0 + p[2]) * 1000.0
    };
    let starts: Vec<f64> = String::from_utf8_lossy(&served.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "call_started")
        .map(|v| ms(v["ts"].as_str().unwrap()))
        .collect();
    assert_eq!(starts.len(), 3, "{}", text(&served));
    for w in starts.windows(2) {
        let gap = w[1] - w[0];
        assert!(
            (450.0..1200.0).contains(&gap),
            "starts 2/3 s apart, got {gap} ms"
        );
    }
}

/// `n` simultaneous calls of `seconds` from the lean simulated WhatsApp,
/// each of which must have succeeded: their reports.
fn lean_calls(port: u16, graph_port: u16, n: u32, seconds: u32) -> Vec<Value> {
    let (n, seconds) = (n.to_string(), seconds.to_string());
    let args = ["--calls", &n, "--concurrency", &n, "--seconds", &seconds];
    let out = sim(
        port,
        graph_port,
        &[&args[..], &["--media-stack", "lean"]].concat(),
    )
    .wait_with_output()
    .unwrap();
    let calls = lines(&out.stdout, "call");
    assert_eq!(calls.len().to_string(), n, "{}", text(&out));
    for c in &calls {
        assert_eq!(c["ok"], true, "{c:#}");
    }
    calls
}

/// Both sides on the lean media stack (`--media-stack lean` for the service
/// and the simulator): every call connects, the caller hears its own 440 Hz
/// back through `echo` with nothing lost, and the service's steps name the
/// path.
#[test]
fn calls_on_the_lean_media_stack_echo_the_callers_audio() {
    let (port, graph_port) = (free_port(), free_port());
    let server = serve(port, graph_port, &["--media-stack", "lean"]);
    let calls = lean_calls(port, graph_port, 10, 3);
    for c in &calls {
        let hz = c["heard"]["dominant_hz"].as_f64().unwrap();
        assert!((hz - 440.0).abs() < 5.0, "heard {hz} Hz: {c:#}");
        assert!(c["media_in"]["packets"].as_u64().unwrap() > 100, "{c:#}");
        assert_eq!(c["media_in"]["lost"].as_u64(), Some(0), "{c:#}");
    }
    let id = calls[0]["call_id"].as_str().unwrap().replace('+', "%2B");
    let (_, s) = json(
        port,
        "GET",
        &format!("/sessions/{}", id.replace('/', "%2F").replace('=', "%3D")),
        &auth(),
        b"",
    );
    assert!(
        s["timeline"].as_array().unwrap().iter().any(|t| t["what"]
            .as_str()
            .unwrap()
            .starts_with("answer ready (lean)")),
        "{s:#}"
    );
    sigterm(&server);
    assert_eq!(server.wait_with_output().unwrap().status.code(), Some(0));
}

/// A lean call checks as soon as `pre_accept` is in: WhatsApp drops the
/// checks that came before its answer, and at a 1 s check interval the
/// next one would wait most of a second. ICE connects well within it.
#[test]
fn a_lean_call_checks_as_soon_as_pre_accept_is_in() {
    let (port, graph_port) = (free_port(), free_port());
    let server = serve(
        port,
        graph_port,
        &["--media-stack", "lean", "--ice-check-interval", "1000"],
    );
    for c in &lean_calls(port, graph_port, 3, 1) {
        let m = &c["milestones"];
        let waited = m["ice_connected"].as_f64().unwrap() - m["answer"].as_f64().unwrap();
        assert!(
            waited < 500.0,
            "ICE connected {waited} ms after the answer: {c:#}"
        );
    }
    sigterm(&server);
    assert_eq!(server.wait_with_output().unwrap().status.code(), Some(0));
}

/// The lean stack runs on one concrete address without STUN or TURN; asked
/// for elsewhere it is a usage error that says so.
#[test]
fn the_lean_media_stack_needs_one_concrete_address() {
    let out = std::process::Command::new(WACALL)
        .args([
            "serve",
            "--to",
            "echo",
            "--media-stack",
            "lean",
            "--app-secret",
            "x",
        ])
        .env("WHATSAPP_TOKEN", "t")
        .env("WACALL_API_TOKEN", API)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("--media-stack lean needs one concrete --bind"),
        "{}",
        text(&out)
    );
}

/// A lean call outlives ICE consent's 30 s expiry (RFC 7675): the business
/// side asks for consent every 5 s and the lean WhatsApp side answers, so a
/// 36 s call keeps its media to the end.
#[test]
fn a_lean_call_outlives_the_30_s_consent_expiry() {
    let (port, graph_port) = (free_port(), free_port());
    let server = serve(port, graph_port, &["--media-stack", "lean"]);
    let out = sim(
        port,
        graph_port,
        &["--seconds", "36", "--media-stack", "lean"],
    )
    .wait_with_output()
    .unwrap();
    let calls = lines(&out.stdout, "call");
    assert_eq!(calls.len(), 1, "{}", text(&out));
    assert_eq!(calls[0]["ok"], true, "{:#}", calls[0]);
    let packets = calls[0]["media_in"]["packets"].as_u64().unwrap();
    assert!(packets > 1700, "media stopped early: {:#}", calls[0]);
    sigterm(&server);
    assert_eq!(server.wait_with_output().unwrap().status.code(), Some(0));
}
