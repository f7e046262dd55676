//! Webhook deliveries from whatever a user has: a raw Meta webhook body, a
//! `listen --capture` file, a JSON array of either, or NDJSON. Errors name
//! the source, the line and the field.

use crate::core::capture::{self, Capture};
use crate::core::webhook::Envelope;

/// One webhook delivery, with what is known of how it arrived.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// `file`, `file:LINE` (NDJSON) or `file[INDEX]` (array).
    pub source: String,
    pub envelope: Envelope,
    /// The body's bytes as received, when known (not for array elements,
    /// which are re-serialised, so their signature cannot be checked).
    pub raw: Option<Vec<u8>>,
    pub signature: Option<String>,
    pub received_at_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct LoadError {
    pub source_name: String,
    pub message: String,
}

fn err(source: &str, message: impl Into<String>) -> LoadError {
    LoadError {
        source_name: source.to_string(),
        message: message.into(),
    }
}

/// Every delivery in one file's bytes, in order.
pub fn load(name: &str, bytes: &[u8]) -> Result<Vec<Delivery>, LoadError> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let source = format!("{name}[{i}]");
                let raw = serde_json::to_vec(v).expect("serialisable");
                one(&source, &raw, v, false)
            })
            .collect(),
        Ok(v) => Ok(vec![one(name, bytes, &v, true)?]),
        Err(whole) => {
            let text = String::from_utf8_lossy(bytes);
            let lines: Vec<(usize, &str)> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .collect();
            let ndjson = lines.len() > 1
                && lines
                    .iter()
                    .all(|(_, l)| l.trim_start().starts_with('{') && l.trim_end().ends_with('}'));
            if !ndjson {
                return Err(err(
                    name,
                    format!(
                        "not valid JSON at line {}, column {}: {}",
                        whole.line(),
                        whole.column(),
                        strip_position(&whole.to_string())
                    ),
                ));
            }
            lines
                .into_iter()
                .map(|(i, l)| {
                    let source = format!("{name}:{}", i + 1);
                    let v: serde_json::Value = serde_json::from_str(l).map_err(|e| {
                        err(
                            &source,
                            format!(
                                "not valid JSON at column {}: {}",
                                e.column(),
                                strip_position(&e.to_string())
                            ),
                        )
                    })?;
                    one(&source, l.as_bytes(), &v, true)
                })
                .collect()
        }
    }
}

/// serde_json appends " at line L column C"; the caller says where.
fn strip_position(s: &str) -> &str {
    s.split(" at line ").next().unwrap_or(s)
}

fn one(
    source: &str,
    raw: &[u8],
    v: &serde_json::Value,
    raw_is_exact: bool,
) -> Result<Delivery, LoadError> {
    if v.get("format").and_then(|f| f.as_str()) == Some(capture::FORMAT) {
        let c: Capture = typed(source, v)?;
        let body = c.body_bytes();
        let body_value: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
            err(
                source,
                format!(
                    "the captured body is not JSON (line {}, column {}): {}",
                    e.line(),
                    e.column(),
                    strip_position(&e.to_string())
                ),
            )
        })?;
        let envelope = envelope(&format!("{source} (body)"), &body_value)?;
        return Ok(Delivery {
            source: source.to_string(),
            envelope,
            signature: c.signature().map(str::to_string),
            received_at_ms: Some(c.received_at_ms),
            raw: Some(body),
        });
    }
    Ok(Delivery {
        source: source.to_string(),
        envelope: envelope(source, v)?,
        raw: raw_is_exact.then(|| raw.to_vec()),
        signature: None,
        received_at_ms: None,
    })
}

fn envelope(source: &str, v: &serde_json::Value) -> Result<Envelope, LoadError> {
    if v.get("entry").is_none() {
        return Err(err(
            source,
            "not a webhook: no `entry` field (expected Meta's webhook body or a `wacall listen --capture` file)",
        ));
    }
    typed(source, v)
}

/// Deserialises with the path of the field that did not fit.
fn typed<T: serde::de::DeserializeOwned>(
    source: &str,
    v: &serde_json::Value,
) -> Result<T, LoadError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        err(source, format!("field `{path}`: {}", e.into_inner()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOOK: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"calls","value":{"calls":[{"id":"wacid.A","event":"connect"}]}}]}]}"#;

    #[test]
    fn raw_bodies_arrays_and_ndjson() {
        let one = load("a.json", HOOK.as_bytes()).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].raw.as_deref(), Some(HOOK.as_bytes()));
        let arr = load("b.json", format!("[{HOOK},{HOOK}]").as_bytes()).unwrap();
        assert_eq!(
            arr.iter().map(|d| d.source.as_str()).collect::<Vec<_>>(),
            ["b.json[0]", "b.json[1]"]
        );
        assert!(
            arr[0].raw.is_none(),
            "an element's bytes are not what was signed"
        );
        let nd = load("c.ndjson", format!("{HOOK}\n\n{HOOK}\n").as_bytes()).unwrap();
        assert_eq!(nd[1].source, "c.ndjson:3");
    }

    #[test]
    fn captures_keep_the_exact_body_and_signature() {
        let c = Capture::new(
            3,
            1_700_000_000_000,
            "/webhook",
            [("x-hub-signature-256", "sha256=00")],
            HOOK.as_bytes(),
        );
        let text = serde_json::to_vec(&c).unwrap();
        let d = load("000003.json", &text).unwrap().pop().unwrap();
        assert_eq!(d.raw.as_deref(), Some(HOOK.as_bytes()));
        assert_eq!(d.signature.as_deref(), Some("sha256=00"));
        assert_eq!(d.received_at_ms, Some(1_700_000_000_000));
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let e = load("bad.json", b"{\n  \"object\": 1,\n  oops\n}").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("bad.json: not valid JSON at line 3"),
            "{e}"
        );
        let e = load("f.json", br#"{"object":"x","entry":[{"id":"1","changes":[{"field":"calls","value":{"calls":[{"id":7,"event":"connect"}]}}]}]}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("field `entry[0].changes[0].value.calls[0].id`"),
            "{e}"
        );
        let e = load("g.json", br#"{"hello":1}"#).unwrap_err();
        assert!(e.to_string().contains("no `entry` field"), "{e}");
    }
}
