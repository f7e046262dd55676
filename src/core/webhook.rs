//! Meta's `calls` webhooks as types, tolerant of the variants seen in the
//! wild (whatsapp-calling.md §1): key order, `status` as a string or an
//! array, times as strings or numbers, `errors` in the call and in the value,
//! the legacy `connection.webrtc.sdp`, absent phone numbers (usernames).
//!
//! Values keep their original JSON form where Meta is inconsistent, so a
//! parsed webhook serialises back to the same shape.

use serde::{Deserialize, Serialize};

mod build;
pub use build::{Business, User};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub object: String,
    pub entry: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub value: Value,
    pub field: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Value {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<Call>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<Status>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<CallError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub display_phone_number: String,
    pub phone_number_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
}

/// A number Meta writes as a JSON string (`"1760681506"`) or a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Loose {
    Text(String),
    Number(i64),
}

impl Loose {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Loose::Text(s) => s.trim().parse().ok(),
            Loose::Number(n) => Some(*n),
        }
    }
}

/// `"FAILED"`, or the docs' `["FAILED", "COMPLETED"]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn first(&self) -> Option<&str> {
        match self {
            OneOrMany::One(s) => Some(s),
            OneOrMany::Many(v) => v.first().map(String::as_str),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Loose>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Session>,
    /// Legacy duplicate of `session` (`{"webrtc":{"sdp":"<JSON string>"}}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Loose>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Loose>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Loose>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OneOrMany>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<CallError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_opaque_callback_data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deeplink_payload: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cta_payload: Option<String>,
}

impl Call {
    /// The SDP and its declared type: `session`, else the legacy `connection.webrtc.sdp`.
    pub fn sdp(&self) -> Option<(String, Option<String>, &'static str)> {
        if let Some(Session {
            sdp: Some(sdp),
            sdp_type,
        }) = &self.session
        {
            return Some((sdp.clone(), sdp_type.clone(), "session.sdp"));
        }
        let inner = self
            .connection
            .as_ref()?
            .get("webrtc")?
            .get("sdp")?
            .as_str()?;
        let desc: serde_json::Value = serde_json::from_str(inner).ok()?;
        let sdp = desc.get("sdp")?.as_str()?.to_string();
        let kind = desc
            .get("type")
            .and_then(|t| t.as_str())
            .map(str::to_string);
        Some((sdp, kind, "connection.webrtc.sdp"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdp_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallError {
    pub code: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_data: Option<serde_json::Value>,
}

/// A business-initiated call's RINGING / ACCEPTED / REJECTED update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Loose>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_opaque_callback_data: Option<String>,
}

impl Envelope {
    /// Every call event in the delivery, in order.
    pub fn calls(&self) -> impl Iterator<Item = (&Change, &Call)> {
        self.entry
            .iter()
            .flat_map(|e| e.changes.iter())
            .flat_map(|c| c.value.calls.iter().map(move |call| (c, call)))
    }
}

/// `sha256=<hex>`: HMAC-SHA256 of the raw body with the app secret, as Meta
/// sends it in `X-Hub-Signature-256`.
pub fn signature(app_secret: &[u8], body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(app_secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks an `X-Hub-Signature-256` header against the raw body, in constant time.
pub fn verify_signature(app_secret: &[u8], body: &[u8], header: &str) -> bool {
    use hmac::{Hmac, Mac};
    let Some(Ok(expected)) = header.trim().strip_prefix("sha256=").map(hex::decode) else {
        return false;
    };
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(app_secret).expect("HMAC takes any key length");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// A call id in WhatsApp's form: `wacid.` and base64 of opaque bytes.
pub fn wacid(bytes: &[u8]) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::from("wacid.");
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
        for _ in chunk.len()..3 {
            out.push('=');
        }
    }
    out
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
