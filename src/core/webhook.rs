//! Meta's `calls` webhooks as types, tolerant of the variants seen in the
//! wild (whatsapp-calling.md §1): key order, `status` as a string or an
//! array, times as strings or numbers, `errors` in the call and in the value,
//! the legacy `connection.webrtc.sdp`, absent phone numbers (usernames).
//!
//! Values keep their original JSON form where Meta is inconsistent, so a
//! parsed webhook serialises back to the same shape.

use serde::{Deserialize, Serialize};

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
    pub status: Option<OneOrMany>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Loose>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Loose>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Loose>,
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
    pub sdp_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdp: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_status_and_time_variants() {
        let scalar: Call = serde_json::from_str(
            r#"{"id":"wacid.x","event":"terminate","status":"FAILED","start_time":"1760681513","duration":20}"#,
        )
        .unwrap();
        assert_eq!(scalar.status.as_ref().unwrap().first(), Some("FAILED"));
        assert_eq!(
            scalar.start_time.as_ref().unwrap().as_i64(),
            Some(1760681513)
        );
        let array: Call = serde_json::from_str(
            r#"{"id":"wacid.x","event":"terminate","status":["Failed","Completed"],"start_time":1760681513}"#,
        )
        .unwrap();
        assert_eq!(array.status.unwrap().first(), Some("Failed"));
        assert_eq!(array.start_time.unwrap().as_i64(), Some(1760681513));
    }

    #[test]
    fn legacy_connection_sdp() {
        let call: Call = serde_json::from_str(
            r#"{"id":"w","event":"connect","connection":{"webrtc":{"sdp":"{\"sdp\":\"v=0\\r\\n\",\"type\":\"answer\"}"}}}"#,
        )
        .unwrap();
        let (sdp, kind, field) = call.sdp().unwrap();
        assert_eq!(sdp, "v=0\r\n");
        assert_eq!(kind.as_deref(), Some("answer"));
        assert_eq!(field, "connection.webrtc.sdp");
    }
}
