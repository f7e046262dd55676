//! The command-line contract every subcommand keeps: exit codes, error
//! messages with hints, stdin, color rules, a quiet closed pipe, `-q`, and
//! generated files that are current.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const OFFER: &str = "testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp";
const GOOD: &str = "testdata/answers/good-answer.sdp";
const BROKEN: &str = "testdata/answers/broken-answer.sdp";

fn wacall() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wacall"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

fn run(args: &[&str]) -> Output {
    wacall().args(args).output().unwrap()
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = wacall()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // wacall may stop reading early (size limit): a broken pipe here is fine.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn stdin_is_read_for_dash() {
    let answer = std::fs::read(BROKEN).unwrap();
    let out = run_stdin(&["lint-sdp", OFFER, "-"], &answer);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("<stdin>:"), "{stdout}");
    assert!(stdout.contains("error[WA003]"), "{stdout}");
}

#[test]
fn unreadable_inputs_exit_2_and_say_which() {
    for (input, says) in [
        (&b""[..], "the input is empty"),
        (&b"v=0\r\n\0\x01\x02"[..], "binary"),
        (&b"\xff\xfe\x00a"[..], "binary"),
        (&br#"{"hello":"world"}"#[..], "JSON without an SDP"),
        (&b"GET / HTTP/1.1\r\n"[..], "not SDP"),
    ] {
        let out = run_stdin(&["lint-sdp", "-"], input);
        assert_eq!(out.status.code(), Some(2), "{input:?}");
        let err = text(&out.stderr);
        assert!(err.starts_with("error: cannot lint `<stdin>`: "), "{err}");
        assert!(err.contains(says), "{input:?}: {err}");
        assert!(err.contains("\nhint: "), "{err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn oversized_input_is_refused() {
    let big = vec![b'a'; 2 * 1024 * 1024];
    let out = run_stdin(&["lint-sdp", "-"], &big);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("limit"), "{}", text(&out.stderr));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["lint-sdp", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(run(&["no-such-command"]).status.code(), Some(2));
    let out = run(&["lint-sdp", "-", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("stdin (`-`) given twice"));
    let out = run(&["lint-sdp", "--offer", OFFER, "--answer", GOOD, BROKEN]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn exit_codes_document_themselves() {
    let help = text(&run(&["lint-sdp", "--help"]).stdout);
    assert!(
        help.contains("Exit status:") && help.contains("2  usage error"),
        "{help}"
    );
}

#[test]
fn quiet_prints_nothing_but_keeps_the_status() {
    let out = run(&["-q", "lint-sdp", OFFER, BROKEN]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    assert_eq!(run(&["-q", "lint-sdp", OFFER, GOOD]).status.code(), Some(0));
}

#[test]
fn color_flags_and_environment() {
    let ansi = |o: &Output| text(&o.stdout).contains("\x1b[");
    assert!(ansi(&run(&[
        "--color", "always", "lint-sdp", OFFER, BROKEN
    ])));
    assert!(!ansi(&run(&[
        "--color", "never", "lint-sdp", OFFER, BROKEN
    ])));
    // auto: stdout here is a pipe, not a terminal.
    assert!(!ansi(&run(&["lint-sdp", OFFER, BROKEN])));
    assert!(!ansi(&run(&[
        "--json", "--color", "never", "lint-sdp", OFFER, BROKEN
    ])));
}

/// `auto` on a real terminal: `script` gives the command a pty.
#[test]
fn color_auto_on_a_terminal_honours_no_color_and_dumb() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_wacall");
    let on_tty = |env: &[(&str, &str)]| -> String {
        let mut cmd = Command::new("script");
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd
            .args([
                "-qec",
                &format!("{bin} lint-sdp {OFFER} {BROKEN}"),
                "/dev/null",
            ])
            .output()
            .unwrap();
        text(&out.stdout)
    };
    assert!(
        on_tty(&[("TERM", "xterm")]).contains("\x1b["),
        "auto colors a terminal"
    );
    assert!(
        !on_tty(&[("TERM", "xterm"), ("NO_COLOR", "1")]).contains("\x1b["),
        "NO_COLOR"
    );
    assert!(
        on_tty(&[("TERM", "xterm"), ("NO_COLOR", "")]).contains("\x1b["),
        "empty NO_COLOR is unset"
    );
    assert!(!on_tty(&[("TERM", "dumb")]).contains("\x1b["), "TERM=dumb");
}

/// `wacall ... | head` with the reader gone: no error, no panic, the status of the lint.
#[test]
fn closed_pipe_exits_quietly() {
    for (args, status) in [
        (vec!["lint-sdp", OFFER, BROKEN], 1),
        (vec!["lint-sdp", "--list-rules"], 0),
        (vec!["completions", "bash"], 0),
        (vec!["man"], 0),
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = wacall()
            .args(&args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(status), "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}: {}", text(&out.stderr));
    }
}

#[test]
fn every_rule_explains_itself() {
    let list: serde_json::Value =
        serde_json::from_slice(&run(&["--json", "lint-sdp", "--list-rules"]).stdout).unwrap();
    let rules = list.as_array().unwrap();
    assert_eq!(rules.len(), wacall::core::lint::RULES.len());
    for r in rules {
        let code = r["code"].as_str().unwrap();
        let out = run(&["lint-sdp", "--explain", code]);
        assert_eq!(out.status.code(), Some(0), "{code}");
        let doc = text(&out.stdout);
        for section in [
            "## What it checks",
            "## Why it breaks calls",
            "## Bad",
            "## Good",
            "## Source",
        ] {
            assert!(doc.contains(section), "{code} lacks {section}");
        }
        let by_name = run(&["lint-sdp", "--explain", r["name"].as_str().unwrap()]);
        assert_eq!(
            by_name.stdout, out.stdout,
            "{code}: by name and by code differ"
        );
    }
}

fn assert_same_dir(generated: &Path, checked_in: &Path) {
    let mut names: Vec<_> = std::fs::read_dir(generated)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    let mut theirs: Vec<_> = std::fs::read_dir(checked_in)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    theirs.sort();
    assert_eq!(
        names,
        theirs,
        "{} lists different files; run `scripts/generate`",
        checked_in.display()
    );
    for n in names {
        let a = std::fs::read(generated.join(&n)).unwrap();
        let b = std::fs::read(checked_in.join(&n)).unwrap();
        assert!(
            a == b,
            "{} is stale; run `scripts/generate`",
            checked_in.join(&n).display()
        );
    }
}

#[test]
fn man_pages_are_current() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let root = std::fs::read_to_string(dir.path().join("wacall.1")).unwrap();
    assert!(
        root.contains("Exit status"),
        "the man page documents exit codes"
    );
    assert_same_dir(dir.path(), Path::new("man"));
}

#[test]
fn completions_are_current() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(&["completions", shell, "--dir", dir.path().to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
    }
    assert_same_dir(dir.path(), Path::new("completions"));
}
