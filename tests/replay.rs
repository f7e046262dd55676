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
            .any(|v| v["type"] == "bridge_ended" && v["data"]["ok"] == true)
    );
}

#[test]
fn self_replay_overlaps_calls_that_overlapped_in_the_capture() {
    let dir = tempfile::tempdir().unwrap();
    // The second call comes 1 s after the first, which talks 3 s.
    let mut args: Vec<String> = ["--json", "replay", "--self", "--app-secret", "s4"]
        .map(String::from)
        .to_vec();
    args.extend(two_calls(dir.path(), 1, 3));
    let out = Command::new(WACALL).args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let lines = json_lines(&out);
    let at = |pred: &dyn Fn(&Value) -> bool| lines.iter().position(pred);
    let second =
        at(&|v| v["type"] == "recreating" && v["data"]["captured_call_id"] == "wacid.SECOND")
            .unwrap_or_else(|| panic!("{}", shown(&out)));
    let first_ended = at(&|v| v["type"] == "bridge_ended").expect("a call ended");
    assert!(
        second < first_ended,
        "the second call started while the first was up: {}",
        shown(&out)
    );
    let ended: Vec<&Value> = lines
        .iter()
        .filter(|v| v["type"] == "bridge_ended")
        .collect();
    assert_eq!(ended.len(), 2);
    assert!(ended.iter().all(|v| v["data"]["ok"] == true), "{ended:?}");
    let replayed: Vec<&Value> = lines.iter().filter(|v| v["type"] == "replayed").collect();
    assert_eq!(replayed.len(), 2);
    assert!(replayed.iter().all(|v| v["data"]["report"]["ok"] == true));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const ID: &str = "wacid.HBgMOTE5OTkwMDAxMTExFQIAEhggQUNEODk3OUQ3NzI4MjZBRTZFNEE2MzU3NDEzNDg4RUUcGAsxNTU1MTQ0MTkwNhUCABUKAA==";
const BIC: &str = "testdata/corpus/webhook-connect-metadocs-bic-answer-sample.json";

/// A capture in delivery order: the real call, Meta's retry of its
/// connect, a second call `gap_s` later, a business-initiated call's
/// webhook, then both terminates, each call having talked `talk_s`.
fn two_calls(dir: &Path, gap_s: i64, talk_s: i64) -> Vec<String> {
    let connect = std::fs::read_to_string(CONNECT).unwrap();
    let terminate = std::fs::read_to_string(TERMINATE)
        .unwrap()
        .replace("\"duration\": 20", &format!("\"duration\": {talk_s}"))
        .replace("1760681533", &(1760681506 + gap_s + talk_s).to_string());
    let second_connect = connect.replace(ID, "wacid.SECOND").replace(
        "\"timestamp\": \"1760681506\"",
        &format!("\"timestamp\": \"{}\"", 1760681506 + gap_s),
    );
    let second_terminate = terminate.replace(ID, "wacid.SECOND");
    let mut files = Vec::new();
    for (name, text) in [
        ("1c.json", connect.clone()),
        ("1c-retry.json", connect),
        ("2c.json", second_connect),
        ("3-bic.json", std::fs::read_to_string(BIC).unwrap()),
        ("1t.json", terminate),
        ("2t.json", second_terminate),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        files.push(p.to_str().unwrap().to_string());
    }
    files
}

fn json_lines(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
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
    args.extend(two_calls(dir.path(), 3, 2));
    let out = Command::new(WACALL).args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let listened = listen.wait_with_output().unwrap();
    assert_eq!(listened.status.code(), Some(0), "{}", shown(&listened));
    let summary = json_lines(&listened)
        .into_iter()
        .find(|v| v["data"]["webhooks"].is_object())
        .unwrap_or_else(|| panic!("{}", shown(&listened)));
    assert_eq!(
        summary["data"]["webhooks"]["duplicates"], 1,
        "the retried connect reached listen as a duplicate: {summary:#}"
    );
    let reposted: Vec<Value> = json_lines(&out)
        .into_iter()
        .filter(|v| v["type"] == "posted")
        .collect();
    assert_eq!(
        reposted.len(),
        2,
        "the retry and the BIC webhook: {}",
        shown(&out)
    );
    assert!(reposted.iter().all(|v| v["data"]["ok"] == true));

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
        .filter(|c| {
            let b = c.body.as_deref().unwrap_or("");
            b.contains("\"connect\"") && b.contains("USER_INITIATED")
        })
        .collect();
    assert_eq!(connects.len(), 3, "{} captures", caps.len());
    // Meta's retry is the first connect again, byte for byte.
    assert_eq!(connects[0].body, connects[1].body);
    let connects = [connects[0], connects[2]];
    assert!(
        caps.iter()
            .all(|c| !c.body.as_deref().unwrap_or("").contains(ID)),
        "re-created calls carry fresh ids everywhere"
    );
    // The business-initiated call's webhook, as captured but current.
    let bic = caps
        .iter()
        .find(|c| {
            c.body
                .as_deref()
                .unwrap_or("")
                .contains("BUSINESS_INITIATED")
        })
        .expect("the BIC webhook was re-sent");
    let v: Value = serde_json::from_str(bic.body.as_deref().unwrap()).unwrap();
    let ts: i64 = v["entry"][0]["changes"][0]["value"]["calls"][0]["timestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (ts - (bic.received_at_ms / 1000) as i64).abs() < 60,
        "timestamp moved to now: {ts}"
    );
    for c in &caps {
        assert!(wacall::core::webhook::verify_signature(
            b"shared-secret",
            &c.body_bytes(),
            c.signature().unwrap()
        ));
    }
    let gap = connects[1].received_at_ms as i64 - connects[0].received_at_ms as i64;
    // Kept to within a few tens of ms on an idle machine; the bound leaves
    // room for a busy CI machine and still tells 3 s from back to back.
    assert!(
        (gap - 3000).abs() <= 250,
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
