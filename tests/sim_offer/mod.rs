//! `wacall sim offer` as WhatsApp's side of a call whose answer is handed
//! over by file: started, and waited on until its offer is written.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub struct Caller {
    child: Child,
    pub offer: PathBuf,
    pub answer: PathBuf,
    _dir: tempfile::TempDir,
}

/// Runs `cmd` (the wacall binary, with whatever environment the test
/// needs) as `--json sim offer ARGS`; returns once the offer is on disk.
pub fn start(mut cmd: Command, args: &[&str]) -> Caller {
    let dir = tempfile::tempdir().unwrap();
    let (offer, answer) = (dir.path().join("offer.sdp"), dir.path().join("answer.sdp"));
    let child = cmd
        .args(["--json", "sim", "offer", "--answer-timeout", "20"])
        .args(args)
        .arg("--out")
        .arg(&offer)
        .arg("--answer")
        .arg(&answer)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::metadata(&offer).is_ok_and(|m| m.len() > 0) {
        assert!(
            Instant::now() < deadline,
            "`wacall sim offer` wrote no offer"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Caller {
        child,
        offer,
        answer,
        _dir: dir,
    }
}

impl Caller {
    /// Waits for the call to end; what the simulator printed.
    pub fn output(self) -> Output {
        self.child.wait_with_output().unwrap()
    }
}
