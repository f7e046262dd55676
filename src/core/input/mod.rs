//! What a user hands `lint-sdp`: raw SDP, a WhatsApp webhook, a Graph API
//! `/calls` request body, a `{"type","sdp"}` description, or a JSON string
//! holding an escaped SDP. This module finds the SDP in it and says what it
//! found; it never reads files.

mod graph;
mod roles;

pub use graph::GraphFacts;
pub use roles::{call_direction, guess_kind, role_in};

use super::lint::SdpKind;
use super::sdp::MAX_SDP_BYTES;
use super::webhook::Envelope;
use serde_json::Value as Json;

/// Webhook bodies and request bodies are larger than the SDP they carry, but
/// not by much; anything past this is not one of them.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallDirection {
    /// The user calls: WhatsApp offers, the business answers.
    UserInitiated,
    /// The business calls: the business offers, WhatsApp answers.
    BusinessInitiated,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    RawSdp,
    JsonString,
    /// `{"type": "offer", "sdp": "..."}`, as browsers and the legacy field write it.
    Description,
    Webhook {
        event: String,
        direction: Option<String>,
        field: &'static str,
    },
    GraphRequest {
        action: String,
    },
}

impl Detected {
    pub fn describe(&self) -> String {
        match self {
            Detected::RawSdp => "raw SDP".into(),
            Detected::JsonString => "a JSON string holding an SDP".into(),
            Detected::Description => "a JSON session description (`type`, `sdp`)".into(),
            Detected::Webhook {
                event,
                direction,
                field,
            } => format!(
                "a WhatsApp `{event}` webhook ({}`{field}`)",
                direction
                    .as_deref()
                    .map(|d| format!("{d}, "))
                    .unwrap_or_default()
            ),
            Detected::GraphRequest { action } => {
                format!("a Graph API `{action}` request body (`session.sdp`)")
            }
        }
    }

    /// A short stable token for JSON output.
    pub fn token(&self) -> &'static str {
        match self {
            Detected::RawSdp => "raw-sdp",
            Detected::JsonString => "json-string",
            Detected::Description => "session-description",
            Detected::Webhook { .. } => "webhook",
            Detected::GraphRequest { .. } => "graph-request",
        }
    }

    /// Whether line numbers count inside a JSON field rather than the file.
    pub fn is_container(&self) -> bool {
        !matches!(self, Detected::RawSdp)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub detected: Detected,
    pub sdp: String,
    /// Offer or answer, as the input itself declares it.
    pub declared: Option<SdpKind>,
    pub direction: Option<CallDirection>,
    pub graph: Option<GraphFacts>,
    /// The SDP held literal `\r\n` escapes that were decoded.
    pub escaped_newlines: bool,
    /// The JSON text the SDP came in, for findings about the body.
    pub container: Option<String>,
    /// From a webhook: the call it is about.
    pub call_id: Option<String>,
    /// From a webhook's metadata: the business number it came to.
    pub phone_number_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("the input is empty")]
    Empty,
    #[error("the input is binary, not text ({0})")]
    Binary(&'static str),
    #[error("the input is {0} bytes, over the {1}-byte limit for an SDP or its JSON")]
    TooLarge(usize, usize),
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}")]
    NoSdp(String),
    #[error("not SDP: {0}")]
    NotSdp(String),
}

/// Finds the SDP in `bytes` and says what the input was.
pub fn detect(bytes: &[u8]) -> Result<Input, InputError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge(bytes.len(), MAX_INPUT_BYTES));
    }
    if bytes.contains(&0) {
        return Err(InputError::Binary("it contains NUL bytes"));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| InputError::Binary("it is not UTF-8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.trim_end().is_empty() {
        return Err(InputError::Empty);
    }
    match trimmed.as_bytes()[0] {
        b'{' => from_json_object(text),
        b'"' => {
            let s: String = serde_json::from_str(text.trim()).map_err(json_error)?;
            let mut input = raw(&s, Detected::JsonString)?;
            input.container = Some(text.to_string());
            Ok(input)
        }
        _ => raw(text, Detected::RawSdp),
    }
}

fn json_error(e: serde_json::Error) -> InputError {
    InputError::Json {
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line")
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

pub(super) fn raw(sdp: &str, detected: Detected) -> Result<Input, InputError> {
    let (sdp, escaped) = unescape_if_needed(sdp);
    if sdp.len() > MAX_SDP_BYTES {
        return Err(InputError::TooLarge(sdp.len(), MAX_SDP_BYTES));
    }
    looks_like_sdp(&sdp)?;
    Ok(Input {
        detected,
        sdp,
        declared: None,
        direction: None,
        graph: None,
        escaped_newlines: escaped,
        container: None,
        call_id: None,
        phone_number_id: None,
    })
}

/// An SDP pasted from a JSON log often keeps its `\r\n` escapes as text.
fn unescape_if_needed(sdp: &str) -> (String, bool) {
    let body = sdp.trim_end_matches(['\r', '\n']);
    if !body.contains(['\r', '\n']) && (body.contains("\\r\\n") || body.contains("\\n")) {
        (body.replace("\\r\\n", "\r\n").replace("\\n", "\n"), true)
    } else {
        (sdp.to_string(), false)
    }
}

fn looks_like_sdp(sdp: &str) -> Result<(), InputError> {
    let first = sdp
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let b = first.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b'=' {
        return Ok(());
    }
    let shown: String = first.chars().take(40).collect();
    Err(InputError::NotSdp(format!(
        "the first line is `{shown}`; an SDP starts with `v=0`"
    )))
}

pub(super) fn kind_of(s: Option<&str>) -> Option<SdpKind> {
    match s {
        Some("offer") => Some(SdpKind::Offer),
        Some("answer") => Some(SdpKind::Answer),
        _ => None,
    }
}

fn from_json_object(text: &str) -> Result<Input, InputError> {
    let json: Json = serde_json::from_str(text).map_err(json_error)?;
    let get = |k: &str| json.get(k);
    if get("entry").is_some() || get("object").is_some() {
        return from_webhook(text, json);
    }
    if get("action").is_some() || (get("messaging_product").is_some() && get("session").is_some()) {
        return graph::from_graph(text, &json);
    }
    if let Some(sdp) = get("sdp").and_then(Json::as_str) {
        let mut input = raw(sdp, Detected::Description)?;
        input.declared = kind_of(get("type").and_then(Json::as_str));
        input.container = Some(text.to_string());
        return Ok(input);
    }
    if get("error").is_some() {
        return Err(InputError::NoSdp(
            "this is a Graph API error response, not a request; it holds no SDP".into(),
        ));
    }
    Err(InputError::NoSdp(
        "JSON without an SDP: expected a webhook (`entry`), a Graph API request (`action`, `session.sdp`) or `{\"type\",\"sdp\"}`".into(),
    ))
}

fn from_webhook(text: &str, json: Json) -> Result<Input, InputError> {
    let envelope: Envelope = serde_json::from_value(json)
        .map_err(|e| InputError::NoSdp(format!("a webhook, but not one Meta sends: {e}")))?;
    let events: Vec<&str> = envelope.calls().map(|(_, c)| c.event.as_str()).collect();
    let Some((call, (sdp, sdp_type, field))) =
        envelope.calls().find_map(|(_, c)| Some((c, c.sdp()?)))
    else {
        let what = if events.is_empty() {
            "no call events".to_string()
        } else {
            format!("only `{}` events", events.join("`, `"))
        };
        return Err(InputError::NoSdp(format!(
            "the webhook has {what}, and no SDP"
        )));
    };
    let direction = match call.direction.as_deref() {
        Some("USER_INITIATED") => Some(CallDirection::UserInitiated),
        Some("BUSINESS_INITIATED") => Some(CallDirection::BusinessInitiated),
        _ => None,
    };
    let detected = Detected::Webhook {
        event: call.event.clone(),
        direction: call.direction.clone(),
        field,
    };
    let mut input = raw(&sdp, detected).map_err(|e| in_field(e, field))?;
    input.declared = kind_of(sdp_type.as_deref());
    input.direction = direction;
    input.container = Some(text.to_string());
    input.call_id = Some(call.id.clone());
    input.phone_number_id = envelope
        .calls()
        .find(|(_, c)| c.id == call.id)
        .and_then(|(change, _)| change.value.metadata.as_ref())
        .map(|m| m.phone_number_id.clone());
    Ok(input)
}

pub(super) fn in_field(e: InputError, field: &str) -> InputError {
    match e {
        InputError::NotSdp(why) => InputError::NotSdp(format!("`{field}`: {why}")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

    #[test]
    fn raw_sdp_and_refusals() {
        assert_eq!(detect(SDP.as_bytes()).unwrap().detected, Detected::RawSdp);
        assert_eq!(detect(b"").unwrap_err(), InputError::Empty);
        assert_eq!(detect(b" \n\t\n").unwrap_err(), InputError::Empty);
        assert!(matches!(
            detect(b"v=0\0").unwrap_err(),
            InputError::Binary(_)
        ));
        assert!(matches!(
            detect(&[0xff, 0xfe, 0x41]).unwrap_err(),
            InputError::Binary(_)
        ));
        assert!(matches!(
            detect(b"hello world").unwrap_err(),
            InputError::NotSdp(_)
        ));
        assert!(matches!(
            detect(&vec![b'a'; MAX_INPUT_BYTES + 1]).unwrap_err(),
            InputError::TooLarge(..)
        ));
    }

    #[test]
    fn json_string_and_escapes() {
        let quoted = serde_json::to_string(SDP).unwrap();
        let input = detect(quoted.as_bytes()).unwrap();
        assert_eq!(input.detected, Detected::JsonString);
        assert_eq!(input.sdp, SDP);
        assert!(!input.escaped_newlines);
        let escaped = detect(br"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n").unwrap();
        assert!(escaped.escaped_newlines);
        assert_eq!(escaped.sdp.lines().count(), 4);
    }

    #[test]
    fn json_without_sdp_says_which() {
        let e = detect(br#"{"error":{"code":100}}"#).unwrap_err();
        assert!(e.to_string().contains("error response"), "{e}");
        let e = detect(br#"{"messaging_product":"whatsapp","call_id":"x","action":"terminate"}"#)
            .unwrap_err();
        assert!(e.to_string().contains("terminate"), "{e}");
        let e = detect(br#"{"a":1}"#).unwrap_err();
        assert!(e.to_string().contains("JSON without an SDP"), "{e}");
        let e = detect(b"{\"a\":\n1,}").unwrap_err();
        assert!(matches!(e, InputError::Json { line: 2, .. }), "{e:?}");
    }
}
