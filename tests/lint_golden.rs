//! Golden tests of `wacall lint-sdp`: every case in `testdata/lint/cases.json`
//! runs the real binary; its exit status, stdout and stderr must match
//! `<name>.txt`, and its `--json` output `<name>.json` (valid JSON, stable
//! field names). `WACALL_BLESS=1 cargo test --test lint_golden` rewrites them.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn run(args: &[String], json: bool) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wacall"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .arg("lint-sdp");
    if json {
        cmd.arg("--json");
    }
    let out = cmd.args(args).output().expect("run wacall");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

fn check(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if std::env::var_os("WACALL_BLESS").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected != actual {
        failures.push(format!(
            "{} differs (WACALL_BLESS=1 rewrites it)\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        ));
    }
}

#[test]
fn golden_outputs() {
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string("testdata/lint/cases.json").unwrap())
            .unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let args: Vec<String> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        let want = case["status"].as_i64().unwrap() as i32;

        let (status, stdout, stderr) = run(&args, false);
        if status != want {
            failures.push(format!(
                "{name}: exit {status}, expected {want}\n{stdout}{stderr}"
            ));
        }
        let text = format!("status: {status}\n--- stdout\n{stdout}--- stderr\n{stderr}");
        check(
            &Path::new("testdata/lint").join(format!("{name}.txt")),
            &text,
            &mut failures,
        );

        let (json_status, json_out, _) = run(&args, true);
        assert_eq!(
            json_status, status,
            "{name}: --json changed the exit status"
        );
        if status != 2 {
            let parsed: Value = serde_json::from_str(&json_out)
                .unwrap_or_else(|e| panic!("{name}: invalid JSON: {e}\n{json_out}"));
            check(
                &Path::new("testdata/lint").join(format!("{name}.json")),
                &json_out,
                &mut failures,
            );
            if let Some(findings) = parsed.get("findings").and_then(Value::as_array) {
                for f in findings {
                    for key in [
                        "code",
                        "name",
                        "severity",
                        "file",
                        "line",
                        "column",
                        "message",
                        "hint",
                        "meta_error",
                    ] {
                        assert!(f.get(key).is_some(), "{name}: finding without `{key}`: {f}");
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
