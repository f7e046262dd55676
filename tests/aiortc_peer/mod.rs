//! The aiortc peer (tests/interop/aiortc_answerer.py, in the venv
//! `scripts/bootstrap` creates): an answerer and webhook receiver not built
//! on wacall's code, for the tests that must not share a bug with it.

#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn python() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/interop-venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: run scripts/bootstrap",
        p.display()
    );
    p
}

pub const ANSWERER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/interop/aiortc_answerer.py"
);

pub struct Killed(pub Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Bridge {
    _child: Killed,
    pub url: String,
    pub result: PathBuf,
    _dir: tempfile::TempDir,
}

/// The aiortc peer in `mode`, its webhook URL read from its first line.
pub fn spawn(
    mode: &str,
    graph_port: u16,
    secret: &str,
    fault: Option<&str>,
    phone_number_id: &str,
) -> Bridge {
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("bridge.json");
    let mut py = Command::new(python());
    py.arg(ANSWERER).args([
        mode,
        "--listen",
        "127.0.0.1:0",
        "--app-secret",
        secret,
        "--verify-token",
        "vt",
    ]);
    py.args([
        "--graph-url",
        &format!("http://127.0.0.1:{graph_port}"),
        "--graph-token",
        "gt",
    ]);
    py.args([
        "--phone-number-id",
        phone_number_id,
        "--seconds",
        "60",
        "--tone",
        "1000",
    ]);
    py.arg("--result").arg(&result);
    if let Some(f) = fault {
        py.args(["--fault", f]);
    }
    let mut child = py
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let url = serde_json::from_str::<Value>(&line).unwrap()["listening"]
        .as_str()
        .unwrap()
        .to_string();
    Bridge {
        _child: Killed(child),
        url,
        result,
        _dir: dir,
    }
}
