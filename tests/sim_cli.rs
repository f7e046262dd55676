//! `wacall sim`'s command-line contract: bad input is refused with exit 2
//! before anything starts; waits are bounded; signatures match an HMAC
//! implementation that is not ours (`openssl dgst`).

use std::process::Command;

fn wacall(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wacall"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(args)
        .output()
        .unwrap()
}

fn refused(args: &[&str], says: &str) {
    let out = wacall(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        err.starts_with("error: ") && err.contains(says),
        "{args:?}: {err}"
    );
}

#[test]
fn bad_input_exits_2_before_starting() {
    let dir = tempfile::tempdir().unwrap();
    let not_wav = dir.path().join("x.wav");
    std::fs::write(&not_wav, b"RIFF....not a wav").unwrap();
    let w = [
        "sim",
        "--webhook-url",
        "http://127.0.0.1:9/webhook",
        "--app-secret",
        "s",
    ];
    refused(&["sim", "--app-secret", "s"], "no webhook target");
    refused(
        &["sim", "--webhook-url", "http://127.0.0.1:9/webhook"],
        "no app secret",
    );
    refused(
        &["sim", "--webhook-url", "ftp://x", "--app-secret", "s"],
        "not an http(s) URL",
    );
    refused(&[&w[..], &["--tone", "5"]].concat(), "outside 20-20000 Hz");
    refused(
        &[&w[..], &["--send", not_wav.to_str().unwrap()]].concat(),
        "cannot use --send",
    );
    refused(
        &[&w[..], &["--offer-template", "testdata/no-such-offer.sdp"]].concat(),
        "cannot read",
    );
    refused(
        &[&w[..], &["--inject-graph-error", "accept:200"]].concat(),
        "not an error status",
    );
    refused(&[&w[..], &["--dtmf", "12x"]].concat(), "not a DTMF key");
    refused(&[&w[..], &["--seconds", "0"]].concat(), "--seconds");
    refused(&[&w[..], &["--calls", "0"]].concat(), "at least 1");
}

#[test]
fn the_template_must_carry_opus() {
    let out = wacall(&[
        "sim",
        "--webhook-url",
        "http://127.0.0.1:9/w",
        "--app-secret",
        "s",
        "--offer-template",
        "testdata/rules/WA014-fires-no-opus.offer.sdp",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no Opus"));
}

#[test]
fn a_missing_answer_times_out_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let offer = dir.path().join("offer.sdp");
    let started = std::time::Instant::now();
    let out = wacall(&[
        "sim",
        "offer",
        "--out",
        offer.to_str().unwrap(),
        "--answer",
        dir.path().join("answer.sdp").to_str().unwrap(),
        "--answer-timeout",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no answer") && err.contains("hint:"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // The offer was written in WhatsApp's shape, and lints clean as one.
    let lint = wacall(&["lint-sdp", "--offer", offer.to_str().unwrap()]);
    assert_eq!(
        lint.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );
}

#[test]
fn a_stale_answer_file_is_not_taken() {
    let dir = tempfile::tempdir().unwrap();
    let answer = dir.path().join("answer.sdp");
    std::fs::write(&answer, include_str!("../testdata/answers/good-answer.sdp")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    let out = wacall(&[
        "sim",
        "offer",
        "--out",
        dir.path().join("o.sdp").to_str().unwrap(),
        "--answer",
        answer.to_str().unwrap(),
        "--answer-timeout",
        "1",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an answer older than the offer is from another call"
    );
}

#[test]
fn signatures_match_openssl() {
    let body = std::fs::read("testdata/corpus/webhook-connect-real-uic-2025-10-17-mamlesh06.json")
        .unwrap();
    let ours = wacall::core::webhook::signature(b"app-secret-42", &body);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("body.json");
    std::fs::write(&path, &body).unwrap();
    let out = Command::new("openssl")
        .args(["dgst", "-sha256", "-hmac", "app-secret-42", "-r"])
        .arg(&path)
        .output()
        .expect("openssl (installed by scripts/bootstrap)");
    let theirs = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert_eq!(ours, format!("sha256={theirs}"));
}
