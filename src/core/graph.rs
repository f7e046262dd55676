//! The Graph API `/calls` endpoint as types: request bodies, Meta's error
//! body, validation as Meta does it, and what each error code means. Both
//! the fake Graph API (`wacall sim`) and the bridge's client use these.

use super::input::{self, CallDirection};
use super::lint::{self, Severity};
use super::webhook::Session;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Session>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_opaque_callback_data: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    PreAccept,
    Accept,
    Reject,
    Terminate,
    Connect,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "pre_accept" => Action::PreAccept,
            "accept" => Action::Accept,
            "reject" => Action::Reject,
            "terminate" => Action::Terminate,
            "connect" => Action::Connect,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::PreAccept => "pre_accept",
            Action::Accept => "accept",
            Action::Reject => "reject",
            Action::Terminate => "terminate",
            Action::Connect => "connect",
        }
    }
}

impl CallRequest {
    /// A body for pre_accept/accept/reject/terminate on `call_id`.
    pub fn new(action: Action, call_id: &str, answer: Option<&str>) -> CallRequest {
        CallRequest {
            messaging_product: Some("whatsapp".into()),
            call_id: Some(call_id.to_string()),
            action: Some(action.as_str().into()),
            session: answer.map(|sdp| Session {
                sdp: Some(sdp.to_string()),
                sdp_type: Some("answer".into()),
            }),
            ..CallRequest::default()
        }
    }
}

/// `{"messaging_product":"whatsapp","success":true}`
pub fn success_body() -> serde_json::Value {
    serde_json::json!({"messaging_product": "whatsapp", "success": true})
}

/// `{"messaging_product":"whatsapp","calls":[{"id":"wacid..."}]}` for connect.
pub fn connect_body(call_id: &str) -> serde_json::Value {
    serde_json::json!({"messaging_product": "whatsapp", "calls": [{"id": call_id}]})
}

/// Meta's error body: `{"error": {...}}` (whatsapp-calling.md §2.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphError {
    pub error: ErrorBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub code: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_data: Option<ErrorData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_subcode: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_transient: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_msg: Option<String>,
    #[serde(default)]
    pub fbtrace_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorData {
    pub messaging_product: String,
    pub details: String,
}

/// An error with the HTTP status Meta sends it with.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub status: u16,
    pub body: Box<GraphError>,
}

impl Rejection {
    /// Code 100, "Invalid parameter", with `details` as Meta puts them.
    pub fn invalid_parameter(details: impl Into<String>, subcode: Option<i64>) -> Rejection {
        Rejection {
            status: 400,
            body: Box::new(GraphError {
                error: ErrorBody {
                    message: "Invalid parameter".into(),
                    kind: "OAuthException".into(),
                    code: 100,
                    error_data: Some(ErrorData {
                        messaging_product: "whatsapp".into(),
                        details: details.into(),
                    }),
                    error_subcode: subcode,
                    is_transient: Some(false),
                    error_user_title: Some("Parameter Invalid".into()),
                    error_user_msg: Some("Check input parameters and retry the request".into()),
                    fbtrace_id: String::new(),
                },
            }),
        }
    }

    /// 401, code 190: the token is missing or wrong.
    pub fn bad_token(why: &str) -> Rejection {
        Rejection {
            status: 401,
            body: Box::new(GraphError {
                error: ErrorBody {
                    message: format!("Invalid OAuth access token - {why}"),
                    kind: "OAuthException".into(),
                    code: 190,
                    error_data: None,
                    error_subcode: None,
                    is_transient: None,
                    error_user_title: None,
                    error_user_msg: None,
                    fbtrace_id: String::new(),
                },
            }),
        }
    }

    /// 400, code 100, subcode 33: no such object (a wrong phone number id).
    pub fn unknown_object(id: &str) -> Rejection {
        let mut r =
            Rejection::invalid_parameter(format!("Object with ID '{id}' does not exist"), Some(33));
        r.body.error.message = format!(
            "Unsupported post request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation"
        );
        r
    }

    /// A transient server error, for simulating Meta's bad moments.
    pub fn transient(status: u16) -> Rejection {
        let mut r = Rejection::invalid_parameter("simulated transient error", None);
        r.status = status;
        r.body.error.message =
            "An unexpected error has occurred. Please retry your request later.".into();
        r.body.error.code = if status == 429 { 4 } else { 2 };
        r.body.error.is_transient = Some(true);
        r
    }

    pub fn with_trace(mut self, fbtrace_id: String) -> Rejection {
        self.body.error.fbtrace_id = fbtrace_id;
        self
    }
}

/// A request that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validated {
    pub action: Action,
    pub call_id: Option<String>,
    pub to: Option<String>,
    pub sdp: Option<String>,
    pub biz_opaque_callback_data: Option<String>,
}

/// The lint rules Meta's API itself enforces: a failing SDP is refused with
/// 400 before any media. Everything else (ICE-lite, setup:passive, no
/// candidates...) Meta accepts, and the call then fails in media.
const API_ENFORCED: [&str; 8] = [
    "WA001", "WA005", "WA006", "WA011", "WA013", "WA014", "WA027", "WA030",
];

/// Validates a `/calls` body as Meta does.
pub fn validate(body: &[u8]) -> Result<Validated, Rejection> {
    let req: CallRequest = serde_json::from_slice(body).map_err(|e| {
        Rejection::invalid_parameter(format!("the request body is not valid JSON: {e}"), None)
    })?;
    if req.messaging_product.as_deref() != Some("whatsapp") {
        let mut r = Rejection::invalid_parameter("messaging_product must be \"whatsapp\"", None);
        r.body.error.message = "(#100) The parameter messaging_product is required.".into();
        return Err(r);
    }
    let name = req.action.clone().unwrap_or_default();
    let action = Action::parse(&name).ok_or_else(|| {
        Rejection::invalid_parameter(
            format!("action `{name}` is not one of pre_accept, accept, reject, terminate, connect"),
            None,
        )
    })?;
    let needs_call = matches!(
        action,
        Action::PreAccept | Action::Accept | Action::Reject | Action::Terminate
    );
    if needs_call && req.call_id.as_deref().is_none_or(str::is_empty) {
        return Err(Rejection::invalid_parameter(
            format!("`{name}` requires call_id"),
            None,
        ));
    }
    if action == Action::Connect && req.to.as_deref().is_none_or(str::is_empty) {
        return Err(Rejection::invalid_parameter("`connect` requires to", None));
    }
    let sdp = match action {
        Action::PreAccept | Action::Accept | Action::Connect => {
            let want = if action == Action::Connect {
                "offer"
            } else {
                "answer"
            };
            let session = req.session.as_ref().ok_or_else(|| {
                Rejection::invalid_parameter(format!("`{name}` requires session"), None)
            })?;
            if session.sdp_type.as_deref() != Some(want) {
                return Err(Rejection::invalid_parameter(
                    format!("session.sdp_type must be \"{want}\" for {name}"),
                    None,
                ));
            }
            let sdp = session
                .sdp
                .clone()
                .ok_or_else(|| Rejection::invalid_parameter("session.sdp is required", None))?;
            check_sdp(&sdp, action)?;
            Some(sdp)
        }
        Action::Reject | Action::Terminate => None,
    };
    Ok(Validated {
        action,
        call_id: req.call_id,
        to: req.to,
        sdp,
        biz_opaque_callback_data: req.biz_opaque_callback_data,
    })
}

/// The SDP rules Meta enforces at the API, with Meta's messages.
fn check_sdp(sdp: &str, action: Action) -> Result<(), Rejection> {
    let found = input::detect(sdp.as_bytes()).map_err(|e| {
        Rejection::invalid_parameter(
            format!("SDP Validation error - Provided SDP is invalid: {e}"),
            None,
        )
    })?;
    let (offer, answer) = if action == Action::Connect {
        (Some(&found), None)
    } else {
        (None, Some(&found))
    };
    let direction = if action == Action::Connect {
        CallDirection::BusinessInitiated
    } else {
        CallDirection::UserInitiated
    };
    let checked = lint::check(offer, answer, direction);
    let first = checked
        .findings
        .iter()
        .find(|f| f.rule.severity == Severity::Error && API_ENFORCED.contains(&f.rule.code));
    match first {
        None => Ok(()),
        Some(f) if f.rule.code == "WA005" && f.message.starts_with("no ") => Err(
            Rejection::invalid_parameter("No fingerprint found in SDP", None),
        ),
        Some(f) if matches!(f.rule.code, "WA005" | "WA006") => Err(Rejection::invalid_parameter(
            "Fingerprint algo is not SHA256",
            Some(2494010),
        )),
        Some(f) => Err(Rejection::invalid_parameter(
            format!(
                "SDP Validation error - Provided SDP is invalid: line {}: {} ({})",
                f.line, f.message, f.rule.code
            ),
            None,
        )),
    }
}

/// What a Graph or calling error code means and what usually fixes it
/// (whatsapp-calling.md §2.4).
pub fn explain(code: i64, subcode: Option<i64>) -> Option<(&'static str, &'static str)> {
    Some(match (code, subcode) {
        (100, Some(2494010)) => (
            "the answer's fingerprint is not a single sha-256",
            "keep exactly one `a=fingerprint:sha-256` line (`wacall lint-sdp` WA005/WA006)",
        ),
        (100, Some(33)) => (
            "the phone number id does not exist or the token cannot use it",
            "check --phone-number-id and the token's permissions",
        ),
        (100, _) => (
            "invalid parameter (for SDP problems, `details` says which)",
            "read error_data.details; lint the answer with `wacall lint-sdp`",
        ),
        (190, _) => (
            "the access token is invalid or expired",
            "set a valid WHATSAPP_TOKEN (or --token-file)",
        ),
        (4 | 80007 | 130429 | 131056, _) => ("rate limited", "retry later with backoff"),
        (131055, _) => (
            "Graph calls are not allowed while SIP is enabled on the number",
            "disable SIP in the number's calling settings",
        ),
        (138000, _) => (
            "calling is not enabled on this number",
            "enable calling in the number's settings (POST /<PHONE_NUMBER_ID>/settings)",
        ),
        (138001, _) => (
            "the receiver cannot be called",
            "the user is not on WhatsApp or has an old client",
        ),
        (138002, _) => (
            "the concurrent-call limit (1000) was reached",
            "end calls before starting more",
        ),
        (138003, _) => (
            "a call with this user is already ongoing",
            "terminate the existing call first",
        ),
        (138004, _) => ("a connection error on Meta's side", "retry"),
        (138005, _) => ("the call rate limit was exceeded", "slow down"),
        (138006, _) => (
            "no approved call permission from the user",
            "send a call permission request first",
        ),
        (138007, _) => (
            "connect timeout: the SDP was not applied in time",
            "answer faster; do not sleep between pre_accept and accept",
        ),
        (138019, _) => (
            "call setup failed",
            "check the answer with `wacall lint-sdp`",
        ),
        (138020, _) => (
            "the relay connection failed",
            "check that UDP to Meta's media servers is allowed",
        ),
        (138021, _) => (
            "WhatsApp received no media from the business for 20 s (or 30 s mid-call)",
            "send audio (silence is fine) right after accept: check ICE-lite, setup:active, candidates and UDP reachability",
        ),
        (138022, _) => (
            "media transmit timeout",
            "keep sending RTP or RTCP during silence",
        ),
        (138023, _) => (
            "accepted, but no media signals ever",
            "start sending media right after accept",
        ),
        _ => return None,
    })
}

#[cfg(test)]
#[path = "graph_tests.rs"]
mod tests;
