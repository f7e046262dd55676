//! `wacall replay` offline: every webhook in the corpus against a golden
//! file (`WACALL_BLESS=1 cargo test --test replay` rewrites them), the real
//! failed call diagnosed with the answer wacall would have sent, captures
//! from `wacall listen` with their signatures, and bad input refused.

mod aiortc_peer;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const WACALL: &str = env!("CARGO_BIN_EXE_wacall");
const CONNECT: &str = "testdata/corpus/webhook-connect-real-uic-2025-10-17-mamlesh06.json";
const TERMINATE: &str =
    "testdata/corpus/webhook-terminate-real-uic-failed-138021-2025-10-17-mamlesh06.json";

fn replay(args: &[&str]) -> Output {
    Command::new(WACALL)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .arg("replay")
        .args(args)
        .output()
        .unwrap()
}

fn shown(o: &Output) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn every_corpus_webhook_matches_its_golden() {
    let mut names: Vec<String> = std::fs::read_dir("testdata/corpus")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("webhook-"))
        .collect();
    names.sort();
    assert!(names.len() >= 7, "{names:?}");
    let mut cases: Vec<(String, Vec<String>)> = names
        .iter()
        .map(|n| (n.clone(), vec![format!("testdata/corpus/{n}")]))
        .collect();
    cases.push((
        "real-call-connect-then-terminate".into(),
        vec![CONNECT.into(), TERMINATE.into()],
    ));
    cases.push((
        "real-call-out-of-order-with-a-retry".into(),
        vec![TERMINATE.into(), CONNECT.into(), CONNECT.into()],
    ));
    for (name, inputs) in cases {
        let mut args = vec!["--no-answer"];
        args.extend(inputs.iter().map(String::as_str));
        let actual = shown(&replay(&args));
        let golden = Path::new("testdata/replay").join(format!("{name}.txt"));
        if std::env::var_os("WACALL_BLESS").is_some() {
            std::fs::create_dir_all("testdata/replay").unwrap();
            std::fs::write(&golden, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_else(|_| {
            panic!("{} is missing (WACALL_BLESS=1 writes it)", golden.display())
        });
        assert_eq!(
            actual,
            expected,
            "{} differs (WACALL_BLESS=1 rewrites it)",
            golden.display()
        );
    }
}

#[test]
fn the_failed_call_gets_the_answer_wacall_would_have_sent() {
    let out = Command::new(WACALL)
        .args(["--json", "replay", CONNECT, TERMINATE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a failed call exits 1");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    let call = &v["calls"][0];
    assert_eq!(call["explanations"][0]["code"], 138021);
    assert!(
        call["explanations"][0]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "WA004")
    );
    let answer = call["answer"]["sdp"].as_str().unwrap();
    assert!(
        answer.contains("a=setup:active") && answer.contains("a=candidate:"),
        "{answer}"
    );
    // The answer is sound; on loopback only WA009 (private candidates) applies.
    let errors: Vec<&Value> = call["answer"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let requests = call["graph_requests"].as_array().unwrap();
    let actions: Vec<&str> = requests
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["pre_accept", "accept"]);
    assert_eq!(requests[1]["body"]["session"]["sdp"], answer);
    assert_eq!(requests[1]["body"]["call_id"], call["call_id"]);
}

#[test]
fn captures_are_read_with_their_signatures_and_arrays_and_ndjson_too() {
    let dir = tempfile::tempdir().unwrap();
    let body = std::fs::read(CONNECT).unwrap();
    let sig = wacall::core::webhook::signature(b"app-secret", &body);
    let cap = wacall::core::capture::Capture::new(
        1,
        1_760_681_507_000,
        "/webhook",
        [("x-hub-signature-256", sig.as_str())],
        &body,
    );
    std::fs::write(
        dir.path().join(cap.file_name()),
        serde_json::to_vec(&cap).unwrap(),
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let good = replay(&["--json", "--no-answer", "--app-secret", "app-secret", d]);
    let v: Value = serde_json::from_slice(&good.stdout).unwrap();
    assert_eq!(v["signatures"][0]["result"], "valid", "{v:#}");
    assert_eq!(good.status.code(), Some(0), "{}", shown(&good));
    let bad = replay(&["--json", "--no-answer", "--app-secret", "wrong", d]);
    let v: Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(v["signatures"][0]["result"], "invalid");
    assert_eq!(bad.status.code(), Some(1));

    let hook: Value = serde_json::from_slice(&body).unwrap();
    let arr = dir.path().join("arr.json");
    std::fs::write(
        &arr,
        serde_json::to_vec(&vec![hook.clone(), hook.clone()]).unwrap(),
    )
    .unwrap();
    let v: Value =
        serde_json::from_slice(&replay(&["--json", "--no-answer", arr.to_str().unwrap()]).stdout)
            .unwrap();
    assert_eq!(v["anomalies"][0]["kind"], "duplicate", "{v:#}");
    let nd = dir.path().join("hooks.ndjson");
    std::fs::write(
        &nd,
        format!(
            "{}\n{}\n",
            hook,
            serde_json::to_string(
                &serde_json::from_slice::<Value>(&std::fs::read(TERMINATE).unwrap()).unwrap()
            )
            .unwrap()
        ),
    )
    .unwrap();
    let v: Value =
        serde_json::from_slice(&replay(&["--json", "--no-answer", nd.to_str().unwrap()]).stdout)
            .unwrap();
    assert_eq!(
        v["calls"][0]["events"].as_array().unwrap().len(),
        2,
        "{v:#}"
    );
    assert!(
        v["calls"][0]["events"][1]["source"]
            .as_str()
            .unwrap()
            .ends_with("hooks.ndjson:2")
    );
}

#[test]
fn unreadable_input_exits_2_naming_the_file() {
    let out = replay(&["no-such-file.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.json"));
    let out = replay(&["Cargo.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Cargo.toml: not valid JSON at line 1"),
        "{}",
        shown(&out)
    );
}

#[test]
fn self_replay_reproduces_the_failed_call_with_wacalls_bridge() {
    let out = Command::new(WACALL)
        .args([
            "--json",
            "replay",
            "--self",
            "--speed",
            "10",
            "--app-secret",
            "s3",
            CONNECT,
            TERMINATE,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let replayed: Vec<&Value> = lines.iter().filter(|v| v["type"] == "replayed").collect();
    assert_eq!(replayed.len(), 1, "{}", shown(&out));
    assert_eq!(
        replayed[0]["data"]["report"]["ok"], true,
        "{:#}",
        replayed[0]
    );
    assert!(
        lines
            .iter()
            .any(|v| v["type"] == "bridge_summary" && v["data"]["ok"] == true)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The real call, and a second one 3 s later, each talking 2 s.
fn two_calls(dir: &Path) -> Vec<String> {
    let connect = std::fs::read_to_string(CONNECT).unwrap();
    let terminate = std::fs::read_to_string(TERMINATE)
        .unwrap()
        .replace("\"duration\": 20", "\"duration\": 2");
    let id = "wacid.HBgMOTE5OTkwMDAxMTExFQIAEhggQUNEODk3OUQ3NzI4MjZBRTZFNEE2MzU3NDEzNDg4RUUcGAsxNTU1MTQ0MTkwNhUCABUKAA==";
    let second_connect = connect.replace(id, "wacid.SECOND").replace(
        "\"timestamp\": \"1760681506\"",
        "\"timestamp\": \"1760681509\"",
    );
    let second_terminate = terminate.replace(id, "wacid.SECOND");
    let mut files = Vec::new();
    for (name, text) in [
        ("1c.json", connect),
        ("1t.json", terminate),
        ("2c.json", second_connect),
        ("2t.json", second_terminate),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        files.push(p.to_str().unwrap().to_string());
    }
    files
}

#[test]
fn target_replay_against_wacall_listen_keeps_timing_and_the_audio_section() {
    let dir = tempfile::tempdir().unwrap();
    let captures = dir.path().join("captures");
    let (port, graph_port) = (free_port(), free_port());
    let listen = Command::new(WACALL)
        .args([
            "--json",
            "listen",
            "--to",
            "echo",
            "--auto-answer",
            "--bind",
            "127.0.0.1",
            "--calls",
            "2",
        ])
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--app-secret",
            "shared-secret",
        ])
        .args(["--graph-url", &format!("http://127.0.0.1:{graph_port}")])
        .arg("--capture")
        .arg(&captures)
        .env("WHATSAPP_TOKEN", "wacall-sim-token")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "listen never listened"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut args = vec![
        "--json".to_string(),
        "replay".into(),
        "--target".into(),
        format!("http://127.0.0.1:{port}/webhook"),
        "--graph-listen".into(),
        format!("127.0.0.1:{graph_port}"),
        "--app-secret".into(),
        "shared-secret".into(),
    ];
    args.extend(two_calls(dir.path()));
    let out = Command::new(WACALL).args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let listened = listen.wait_with_output().unwrap();
    assert_eq!(listened.status.code(), Some(0), "{}", shown(&listened));

    // What the receiver got: re-signed webhooks, connects 3 s apart.
    let mut files: Vec<_> = std::fs::read_dir(&captures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let caps: Vec<wacall::core::capture::Capture> = files
        .iter()
        .map(|f| serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap())
        .collect();
    let connects: Vec<&wacall::core::capture::Capture> = caps
        .iter()
        .filter(|c| c.body.as_deref().unwrap_or("").contains("\"connect\""))
        .collect();
    assert_eq!(connects.len(), 2, "{} captures", caps.len());
    for c in &caps {
        assert!(wacall::core::webhook::verify_signature(
            b"shared-secret",
            &c.body_bytes(),
            c.signature().unwrap()
        ));
    }
    let gap = connects[1].received_at_ms as i64 - connects[0].received_at_ms as i64;
    assert!(
        (gap - 3000).abs() <= 50,
        "connects {gap} ms apart, captured 3000 ms apart"
    );
    // The forwarded offer keeps the captured audio section, with fresh transport.
    let original = std::fs::read_to_string(CONNECT).unwrap();
    let body = connects[0].body.as_deref().unwrap();
    let fmtp = "a=fmtp:111 maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;sprop-maxcapturerate=16000;useinbandfec=1";
    assert!(original.contains(fmtp) && body.contains(fmtp), "{body}");
    let ufrag = |t: &str| {
        t.split("a=ice-ufrag:")
            .nth(1)
            .map(|r| r.split("\\r\\n").next().unwrap().to_string())
    };
    assert!(
        ufrag(body).is_some() && ufrag(body) != ufrag(&original),
        "fresh ICE credentials"
    );
}

#[test]
fn target_replay_against_a_receiver_not_written_with_wacall() {
    let graph_port = free_port();
    // aiortc's bridge answers through the Graph API under the captured business number id.
    let peer = aiortc_peer::spawn("bridge", graph_port, "py-secret", None, "518638374672395");
    let out = Command::new(WACALL)
        .args([
            "--json",
            "replay",
            "--speed",
            "5",
            "--app-secret",
            "py-secret",
            "--graph-token",
            "gt",
        ])
        .args([
            "--target",
            &peer.url,
            "--graph-listen",
            &format!("127.0.0.1:{graph_port}"),
        ])
        .args([CONNECT, TERMINATE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let replayed: Value = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["type"] == "replayed")
        .unwrap_or_else(|| panic!("{}", shown(&out)));
    let report = &replayed["data"]["report"];
    assert_eq!(report["ok"], true, "{report:#}");
    let hz = report["heard"]["dominant_hz"].as_f64().unwrap();
    assert!(
        (hz - 1000.0).abs() < 3.0,
        "WhatsApp's side heard aiortc's 1000 Hz: {hz}"
    );
    // Python's own hmac accepted every re-signed webhook.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let r: Value = std::fs::read_to_string(&peer.result)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        if r["terminated"].as_array().is_some_and(|t| !t.is_empty()) {
            assert_eq!(r["signatures_bad"], 0, "{r:#}");
            assert!(r["signatures_ok"].as_u64().unwrap() >= 2, "{r:#}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "aiortc never saw the terminate: {r:#}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
