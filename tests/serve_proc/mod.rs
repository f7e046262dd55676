//! `wacall serve` and `wacall sim` as processes, and reading what they print.

#![allow(dead_code)]

use super::http_client::http;
pub use super::running::Running;
use serde_json::Value;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const WACALL: &str = env!("CARGO_BIN_EXE_wacall");
pub const SECRET: &str = "serve-secret";
pub const API: &str = "api-token-1";

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn lines(out: &[u8], t: &str) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == t)
        .map(|v| v["data"].clone())
        .collect()
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn auth() -> Vec<(&'static str, String)> {
    vec![("authorization", format!("Bearer {API}"))]
}

pub fn serve(port: u16, graph_port: u16, extra: &[&str]) -> Running {
    let far = if extra.contains(&"--to") {
        &[][..]
    } else {
        &["--to", "echo"][..]
    };
    let c = Command::new(WACALL)
        .args(["--json", "serve", "--bind", "127.0.0.1"])
        .args(far)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--app-secret",
            SECRET,
        ])
        .args(["--graph-url", &format!("http://127.0.0.1:{graph_port}")])
        .args(extra)
        .env("WHATSAPP_TOKEN", "graph-token")
        .env("WACALL_API_TOKEN", API)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut c = Running::new(c);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if c.try_wait().unwrap().is_some() {
            let out = c.wait_with_output().unwrap();
            panic!(
                "serve exited early ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(Instant::now() < deadline, "serve never listened");
        std::thread::sleep(Duration::from_millis(20));
    }
    c
}

pub fn sim(port: u16, graph_port: u16, extra: &[&str]) -> Child {
    Command::new(WACALL)
        .args([
            "--json",
            "sim",
            "--app-secret",
            SECRET,
            "--graph-token",
            "graph-token",
        ])
        .args(["--webhook-url", &format!("http://127.0.0.1:{port}/webhook")])
        .args(["--graph-listen", &format!("127.0.0.1:{graph_port}")])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

pub fn sigterm(c: &Child) {
    Command::new("kill")
        .args(["-TERM", &c.id().to_string()])
        .status()
        .unwrap();
}

pub fn json(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> (u16, Value) {
    let (code, text) = http(port, method, path, headers, body);
    (code, serde_json::from_str(&text).unwrap_or(Value::Null))
}
