//! A TOML configuration file as command-line flags. Keys are the long
//! flag names (`listen = "0.0.0.0:8080"`, `drain-timeout = 30`,
//! `stun = ["stun:a", "stun:b"]`, `insecure-no-api-token = true`), so the
//! file, the environment and the flags mean the same things and are
//! validated by the same code; the caller decides precedence. Secrets are
//! refused: they come from the environment or from files. Pure.

/// What the command line accepts for one long flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagSpec {
    pub long: String,
    /// `--flag VALUE` rather than a switch.
    pub takes_value: bool,
    /// May be given more than once (a TOML array).
    pub multiple: bool,
    /// Never from a file: the hint says where it comes from instead.
    pub secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct ConfigError {
    pub line: Option<usize>,
    pub message: String,
}

fn err(text: &str, key: Option<&str>, message: String) -> ConfigError {
    ConfigError {
        line: key.and_then(|k| line_of(text, k)),
        message,
    }
}

/// The line a top-level key is set on (1-based).
fn line_of(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            let l = l
                .strip_prefix('"')
                .and_then(|r| r.strip_prefix(key))
                .and_then(|r| r.strip_prefix('"'))
                .or_else(|| l.strip_prefix(key));
            l.is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

fn scalar(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Each key's flag and its values, by key. A switch set to
/// `true` has no value; one set to `false` is left out.
pub fn flags_from_toml(
    text: &str,
    specs: &[FlagSpec],
) -> Result<Vec<(String, Vec<String>)>, ConfigError> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ConfigError {
        line: e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
        message: e.message().to_string(),
    })?;
    let mut out = Vec::new();
    for (key, value) in &table {
        let Some(spec) = specs.iter().find(|s| s.long == *key) else {
            let near = specs
                .iter()
                .filter(|s| s.long.contains(key.as_str()) || key.contains(s.long.as_str()))
                .map(|s| s.long.as_str())
                .next();
            return Err(err(
                text,
                Some(key),
                format!(
                    "`{key}` is not a setting{}",
                    near.map(|n| format!(" (did you mean `{n}`?)"))
                        .unwrap_or_default()
                ),
            ));
        };
        if let Some(hint) = &spec.secret {
            return Err(err(
                text,
                Some(key),
                format!("`{key}` is a secret and is not read from a file: {hint}"),
            ));
        }
        let values = match (value, spec.takes_value, spec.multiple) {
            (toml::Value::Boolean(b), false, _) => {
                if *b {
                    out.push((key.clone(), Vec::new()));
                }
                continue;
            }
            (_, false, _) => {
                return Err(err(
                    text,
                    Some(key),
                    format!("`{key}` is a switch: set it to true or false"),
                ));
            }
            (toml::Value::Array(items), true, true) => items
                .iter()
                .map(|i| {
                    scalar(i).ok_or_else(|| {
                        err(
                            text,
                            Some(key),
                            format!("`{key}` takes a list of strings or numbers"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            (toml::Value::Array(_), true, false) => {
                return Err(err(
                    text,
                    Some(key),
                    format!("`{key}` takes one value, not a list"),
                ));
            }
            (v, true, _) => vec![scalar(v).ok_or_else(|| {
                err(
                    text,
                    Some(key),
                    format!("`{key}` takes a string or a number, not a table"),
                )
            })?],
        };
        out.push((key.clone(), values));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<FlagSpec> {
        let f = |long: &str, takes_value, multiple, secret: Option<&str>| FlagSpec {
            long: long.into(),
            takes_value,
            multiple,
            secret: secret.map(str::to_string),
        };
        vec![
            f("listen", true, false, None),
            f("drain-timeout", true, false, None),
            f("stun", true, true, None),
            f("insecure-no-api-token", false, false, None),
            f("app-secret", true, false, Some("set WACALL_APP_SECRET")),
        ]
    }

    #[test]
    fn keys_become_flags() {
        let text = "listen = \"0.0.0.0:8080\"\ndrain-timeout = 30\nstun = [\"stun:a:3478\", \"stun:b:3478\"]\ninsecure-no-api-token = true\n";
        assert_eq!(
            flags_from_toml(text, &specs()).unwrap(),
            [
                ("drain-timeout".to_string(), vec!["30".to_string()]),
                ("insecure-no-api-token".to_string(), vec![]),
                ("listen".to_string(), vec!["0.0.0.0:8080".to_string()]),
                (
                    "stun".to_string(),
                    vec!["stun:a:3478".to_string(), "stun:b:3478".to_string()]
                ),
            ]
        );
        let off = flags_from_toml("insecure-no-api-token = false", &specs()).unwrap();
        assert!(off.is_empty());
        let float = flags_from_toml("drain-timeout = 2.5", &specs()).unwrap();
        assert_eq!(float[0].1, ["2.5"]);
    }

    #[test]
    fn mistakes_name_the_line_and_the_fix() {
        let e =
            flags_from_toml("listen = \"x\"\n\napp-secret = \"hunter2\"\n", &specs()).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("WACALL_APP_SECRET"), "{e}");
        assert!(
            !e.to_string().contains("hunter2"),
            "the secret is not echoed"
        );
        let e = flags_from_toml("\ndrain = 3\n", &specs()).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("did you mean `drain-timeout`"), "{e}");
        let e = flags_from_toml("listen = [\"a\", \"b\"]", &specs()).unwrap_err();
        assert!(e.message.contains("one value"), "{e}");
        let e = flags_from_toml("insecure-no-api-token = \"yes\"", &specs()).unwrap_err();
        assert!(e.message.contains("switch"), "{e}");
        let e = flags_from_toml("listen = \"a\"\nlisten = \"b\"\n", &specs()).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e = flags_from_toml("[serve]\nlisten = 1\n", &specs()).unwrap_err();
        assert!(e.message.contains("`serve` is not a setting"), "{e}");
    }
}
