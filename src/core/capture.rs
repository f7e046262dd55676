//! One captured webhook delivery, as `wacall listen --capture DIR` writes it
//! and `wacall replay` reads it: the raw body bytes exactly as received
//! (the signature is over them), the headers, when it came, and what the
//! receiver answered.

use base64::Engine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FORMAT: &str = "wacall-capture/1";

/// Headers never written: they can carry credentials.
const WITHHELD: [&str; 3] = ["authorization", "cookie", "proxy-authorization"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capture {
    pub format: String,
    /// Delivery number in this run, from 1.
    pub seq: u64,
    /// Milliseconds since the Unix epoch.
    pub received_at_ms: u64,
    pub method: String,
    pub path: String,
    /// Lower-case names.
    pub headers: BTreeMap<String, String>,
    /// The body when it is UTF-8 (Meta's always are) ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// ... else its bytes in base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    /// The status the receiver answered with.
    pub status: u16,
    /// Why it was not processed, when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

impl Capture {
    pub fn new<'a>(
        seq: u64,
        received_at_ms: u64,
        path: &str,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        body: &[u8],
    ) -> Capture {
        let headers = headers
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .filter(|(k, _)| !WITHHELD.contains(&k.as_str()))
            .collect();
        let (body, body_base64) = match std::str::from_utf8(body) {
            Ok(s) => (Some(s.to_string()), None),
            Err(_) => (
                None,
                Some(base64::engine::general_purpose::STANDARD.encode(body)),
            ),
        };
        Capture {
            format: FORMAT.into(),
            seq,
            received_at_ms,
            method: "POST".into(),
            path: path.into(),
            headers,
            body,
            body_base64,
            status: 200,
            refused: None,
        }
    }

    /// The body's bytes, exactly as received.
    pub fn body_bytes(&self) -> Vec<u8> {
        match (&self.body, &self.body_base64) {
            (Some(s), _) => s.as_bytes().to_vec(),
            (None, Some(b)) => base64::engine::general_purpose::STANDARD
                .decode(b)
                .unwrap_or_default(),
            (None, None) => Vec::new(),
        }
    }

    /// The file name it is written under: sorts in delivery order.
    pub fn file_name(&self) -> String {
        format!("{:06}-{}.json", self.seq, self.received_at_ms)
    }

    pub fn signature(&self) -> Option<&str> {
        self.headers.get("x-hub-signature-256").map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_round_trip_byte_for_byte_and_credentials_are_withheld() {
        let body = b"{\"object\":\"whatsapp_business_account\", \"entry\":[]}\n";
        let c = Capture::new(
            7,
            1_764_000_000_000,
            "/webhook",
            [
                ("X-Hub-Signature-256", "sha256=ab"),
                ("Authorization", "Bearer secret"),
            ],
            body,
        );
        let text = serde_json::to_string(&c).unwrap();
        assert!(!text.contains("secret"));
        let back: Capture = serde_json::from_str(&text).unwrap();
        assert_eq!(back.body_bytes(), body);
        assert_eq!(back.signature(), Some("sha256=ab"));
        assert_eq!(back.file_name(), "000007-1764000000000.json");
        let binary = Capture::new(1, 0, "/webhook", [], &[0xff, 0x00, 0x7b]);
        assert!(binary.body.is_none());
        assert_eq!(binary.body_bytes(), vec![0xff, 0x00, 0x7b]);
    }
}
