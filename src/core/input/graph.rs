//! Graph API `/calls` request bodies: what they say around the SDP, and where
//! each field sits in the JSON text so findings can point at it.

use super::{CallDirection, Detected, Input, InputError, in_field, kind_of, raw};
use crate::core::lint::SdpKind;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// What the Graph API request body says around its SDP, with where each key
/// sits in the JSON text (line, column, width), for pointing at it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphFacts {
    pub action: Option<String>,
    pub sdp_type: Option<String>,
    pub messaging_product: Option<String>,
    pub call_id: Option<String>,
    pub to: Option<String>,
    pub legacy_connection: bool,
    pub(super) positions: BTreeMap<&'static str, (usize, usize, usize)>,
}

impl GraphFacts {
    /// Where `key` is in the JSON text; the start of the file if absent.
    pub fn position(&self, key: &str) -> (usize, usize, usize) {
        self.positions.get(key).copied().unwrap_or((1, 1, 1))
    }
}

pub(super) fn from_graph(text: &str, json: &Json) -> Result<Input, InputError> {
    let s = |v: Option<&Json>| v.and_then(Json::as_str).map(str::to_string);
    let session = json.get("session");
    let mut facts = GraphFacts {
        action: s(json.get("action")),
        sdp_type: s(session.and_then(|x| x.get("sdp_type"))),
        messaging_product: s(json.get("messaging_product")),
        call_id: s(json.get("call_id")),
        to: s(json.get("to")),
        legacy_connection: json.get("connection").is_some(),
        positions: BTreeMap::new(),
    };
    for key in [
        "messaging_product",
        "action",
        "call_id",
        "to",
        "session",
        "sdp_type",
        "connection",
    ] {
        if let Some(p) = locate_key(text, key) {
            facts.positions.insert(key, p);
        }
    }
    let action = facts.action.clone().unwrap_or_else(|| "(no action)".into());
    let sdp = s(session.and_then(|x| x.get("sdp"))).ok_or_else(|| {
        InputError::NoSdp(format!(
            "a Graph API `{action}` request without `session.sdp`"
        ))
    })?;
    let mut input = raw(
        &sdp,
        Detected::GraphRequest {
            action: action.clone(),
        },
    )
    .map_err(|e| in_field(e, "session.sdp"))?;
    input.declared = match action.as_str() {
        "pre_accept" | "accept" => Some(SdpKind::Answer),
        "connect" => Some(SdpKind::Offer),
        _ => kind_of(facts.sdp_type.as_deref()),
    };
    input.direction = match action.as_str() {
        "pre_accept" | "accept" => Some(CallDirection::UserInitiated),
        "connect" => Some(CallDirection::BusinessInitiated),
        _ => None,
    };
    input.graph = Some(facts);
    input.container = Some(text.to_string());
    Ok(input)
}

/// Line, column and width of the first `"key"` in JSON text.
fn locate_key(text: &str, key: &str) -> Option<(usize, usize, usize)> {
    let needle = format!("\"{key}\"");
    let at = text.find(&needle)?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text[line_start..at].chars().count() + 1;
    Some((line, column, needle.chars().count()))
}

#[cfg(test)]
mod tests {
    use super::super::detect;
    use super::*;

    const SDP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

    #[test]
    fn graph_request_positions_and_kind() {
        let body = format!(
            "{{\n  \"messaging_product\": \"whatsapp\",\n  \"call_id\": \"wacid.1\",\n  \"action\": \"accept\",\n  \"session\": {{\"sdp_type\": \"offer\", \"sdp\": {}}}\n}}",
            serde_json::to_string(SDP).unwrap()
        );
        let input = detect(body.as_bytes()).unwrap();
        assert_eq!(input.declared, Some(SdpKind::Answer));
        assert_eq!(input.direction, Some(CallDirection::UserInitiated));
        let g = input.graph.unwrap();
        assert_eq!(g.sdp_type.as_deref(), Some("offer"));
        assert_eq!(g.position("action"), (4, 3, 8));
        assert_eq!(g.position("sdp_type").0, 5);
    }
}
