//! Two `wacall serve` instances sharing one real Redis server (started by
//! the test on loopback): a `terminate` that the load balancer hands to the
//! other instance still ends the call where it lives, the control API of
//! either instance knows the owner, and an instance that dies is noticed by
//! the other with the calls it held.

mod http_client;
mod running;
mod serve_proc;

use serde_json::Value;
use serve_proc::*;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Redis(Child, u16);

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A Redis server of this test's own. The two tests run at once, and a
/// port picked free can be taken again before redis-server binds it: the
/// server then exits, and the other test's server would answer instead
/// (with its own instances `a` and `b` already live). So the one that
/// answers must be ours, by its process id; otherwise another port.
fn redis() -> Redis {
    for _ in 0..5 {
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is missing: run scripts/bootstrap");
        let mut r = Redis(child, port);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
            && r.0.try_wait().unwrap().is_none()
        {
            assert!(Instant::now() < deadline, "redis-server never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
        if redis_pid(port) == Some(r.0.id()) {
            return r;
        }
    }
    panic!("no Redis server of this test's own in five tries");
}

/// The process id of the Redis server on `port` (`INFO server`).
fn redis_pid(port: u16) -> Option<u32> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(b"INFO server\r\n").ok()?;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&got).contains("run_id:") {
        let n = s.read(&mut buf).ok().filter(|&n| n > 0)?;
        got.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&got);
    let line = text.lines().find_map(|l| l.strip_prefix("process_id:"))?;
    line.trim().parse().ok()
}

/// The one live session an instance holds, once it has it.
fn live_call(port: u16) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, v) = json(port, "GET", "/sessions", &auth(), b"");
        if let Some(id) = v["sessions"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["state"] != "ended"))
            .and_then(|s| s["callId"].as_str())
        {
            return id.to_string();
        }
        assert!(Instant::now() < deadline, "no call reached the instance");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn metric(port: u16, name: &str) -> u64 {
    let (_, text) = http_client::http(port, "GET", "/metrics", &[], b"");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn finish(c: Running) -> std::process::Output {
    sigterm(&c);
    c.wait_with_output().unwrap()
}

#[test]
fn a_terminate_that_lands_on_the_other_instance_ends_the_call_where_it_lives() {
    let r = redis();
    let url = format!("redis://127.0.0.1:{}", r.1);
    let (pa, pb, graph) = (free_port(), free_port(), free_port());
    let a = serve(pa, graph, &["--redis", &url, "--instance-id", "a"]);
    let b = serve(pb, graph, &["--redis", &url, "--instance-id", "b"]);
    // Deliveries alternate between the two: the connect to a, the terminate to b.
    let caller = sim(
        pa,
        graph,
        &[
            "--webhook-url",
            &format!("http://127.0.0.1:{pb}/webhook"),
            "--seconds",
            "3",
        ],
    );
    let id = live_call(pa);
    let path = format!(
        "/sessions/{}",
        id.replace('/', "%2F")
            .replace('+', "%2B")
            .replace('=', "%3D")
    );
    let (code, v) = json(pb, "GET", &path, &auth(), b"");
    assert_eq!((code, v["owner"].as_str()), (200, Some("a")), "{v}");
    // The same call's connect delivered to b as well: b leaves it to a.
    let business = wacall::core::webhook::Business {
        waba_id: "100000000000002".into(),
        phone_number_id: "100000000000001".into(),
        display_phone_number: "15550009999".into(),
    };
    let user = wacall::core::webhook::User {
        wa_id: "15550100001".into(),
        name: "Simulated caller 1".into(),
    };
    let offer =
        std::fs::read_to_string("testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp")
            .unwrap();
    let body =
        serde_json::to_vec(&business.connect_offer(&user, &id, 1_760_000_000, &offer)).unwrap();
    let sig = wacall::core::webhook::signature(SECRET.as_bytes(), &body);
    let (code, _) = http_client::http(
        pb,
        "POST",
        "/webhook",
        &[
            ("x-hub-signature-256", sig),
            ("content-type", "application/json".into()),
        ],
        &body,
    );
    assert_eq!(code, 200);
    let sim_out = caller.wait_with_output().unwrap();
    assert_eq!(sim_out.status.code(), Some(0), "{}", text(&sim_out));
    let report = lines(&sim_out.stdout, "call").pop().unwrap_or(Value::Null);
    assert_eq!(report["ok"], true, "{}", text(&sim_out));
    // a ended the call because b passed the caller's hang-up on.
    let deadline = Instant::now() + Duration::from_secs(10);
    while live_call_count(pa) > 0 {
        assert!(Instant::now() < deadline, "the call never ended on a");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(metric(pb, "wacall_requests_routed_total"), 1);
    let (a_out, b_out) = (finish(a), finish(b));
    let ended = lines(&a_out.stdout, "call_ended");
    assert_eq!(ended.len(), 1, "{}", text(&a_out));
    assert_eq!(ended[0]["call_id"], id.as_str());
    assert!(
        ended[0]["reason"]
            .as_str()
            .unwrap()
            .contains("caller hung up"),
        "{}",
        ended[0]
    );
    let routed = lines(&b_out.stdout, "routed");
    assert_eq!(routed.len(), 1, "{}", text(&b_out));
    assert_eq!(
        (routed[0]["call_id"].as_str(), routed[0]["owner"].as_str()),
        (Some(id.as_str()), Some("a"))
    );
    assert!(
        lines(&b_out.stdout, "call_started").is_empty(),
        "b answered nothing"
    );
}

fn live_call_count(port: u16) -> usize {
    let (_, v) = json(port, "GET", "/health", &[], b"");
    v["activeCalls"].as_u64().unwrap_or(0) as usize
}

#[test]
fn an_instance_that_dies_is_noticed_with_the_calls_it_held() {
    let r = redis();
    let url = format!("redis://127.0.0.1:{}", r.1);
    let (pa, pb, graph) = (free_port(), free_port(), free_port());
    let ttl = ["--instance-ttl", "2"];
    let mut a = serve(
        pa,
        graph,
        &[&["--redis", &url, "--instance-id", "a"][..], &ttl].concat(),
    );
    let b = serve(
        pb,
        graph,
        &[&["--redis", &url, "--instance-id", "b"][..], &ttl].concat(),
    );
    let mut caller = sim(pa, graph, &["--seconds", "30"]);
    let id = live_call(pa);
    a.kill().unwrap();
    let _ = a.wait();
    let deadline = Instant::now() + Duration::from_secs(15);
    while metric(pb, "wacall_calls_lost_with_instance_total") == 0 {
        assert!(Instant::now() < deadline, "b never noticed that a died");
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = caller.kill();
    let _ = caller.wait();
    let b_out = finish(b);
    let lost = lines(&b_out.stdout, "instance_lost");
    assert_eq!(lost.len(), 1, "{}", text(&b_out));
    assert_eq!(lost[0]["instance"], "a");
    assert_eq!(lost[0]["calls"], serde_json::json!([id]));
}
