//! Tests of `graph.rs`.

use super::*;

const GOOD: &str = include_str!("../../testdata/answers/good-answer.sdp");
const THREE: &str = include_str!("../../testdata/rules/WA005-fires-three.answer.sdp");

fn body(action: &str, sdp_type: &str, sdp: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "messaging_product": "whatsapp", "call_id": "wacid.x", "action": action,
        "session": {"sdp_type": sdp_type, "sdp": sdp}
    }))
    .unwrap()
}

#[test]
fn good_requests_pass() {
    let v = validate(&body("pre_accept", "answer", GOOD)).unwrap();
    assert_eq!(
        (v.action, v.call_id.as_deref()),
        (Action::PreAccept, Some("wacid.x"))
    );
    let t =
        validate(br#"{"messaging_product":"whatsapp","call_id":"wacid.x","action":"terminate"}"#)
            .unwrap();
    assert_eq!(t.action, Action::Terminate);
}

#[test]
fn metas_real_fingerprint_error() {
    let r = validate(&body("accept", "answer", THREE)).unwrap_err();
    assert_eq!(r.status, 400);
    // The same fields and values as the real response in the corpus.
    let real: serde_json::Value = serde_json::from_str(include_str!(
        "../../testdata/corpus/graph-error-accept-multiple-fingerprints-stackoverflow-79767013.json"
    ))
    .unwrap();
    let ours = serde_json::to_value(&r.body).unwrap();
    for key in [
        "message",
        "type",
        "code",
        "error_subcode",
        "is_transient",
        "error_user_title",
        "error_user_msg",
        "error_data",
    ] {
        assert_eq!(ours["error"][key], real["error"][key], "{key}");
    }
}

#[test]
fn every_refusal_has_metas_shape() {
    let no_fp = GOOD
        .lines()
        .filter(|l| !l.starts_with("a=fingerprint"))
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n";
    for (b, needle) in [
        (body("accept", "offer", GOOD), "sdp_type must be"),
        (
            body("accept", "answer", &no_fp),
            "No fingerprint found in SDP",
        ),
        (body("accept", "answer", "hello"), "SDP Validation error"),
        (body("dance", "answer", GOOD), "not one of"),
        (
            br#"{"call_id":"x","action":"accept"}"#.to_vec(),
            "messaging_product",
        ),
        (
            br#"{"messaging_product":"whatsapp","action":"accept"}"#.to_vec(),
            "requires call_id",
        ),
        (
            br#"{"messaging_product":"whatsapp","action":"connect"}"#.to_vec(),
            "requires to",
        ),
        (b"{".to_vec(), "not valid JSON"),
    ] {
        let r = validate(&b).unwrap_err();
        let v = serde_json::to_value(&r.body).unwrap();
        let text = v.to_string();
        assert!(text.contains(needle), "{needle}: {text}");
        assert_eq!(v["error"]["code"], 100);
        assert_eq!(r.status, 400);
    }
    // An ICE-lite answer passes the API: it fails later, in media, as on WhatsApp.
    let lite = include_str!("../../testdata/rules/WA003-fires-session.answer.sdp");
    assert!(validate(&body("pre_accept", "answer", lite)).is_ok());
}

#[test]
fn codes_are_explained() {
    assert!(explain(138021, None).unwrap().1.contains("silence"));
    assert!(explain(100, Some(2494010)).unwrap().0.contains("sha-256"));
    assert!(explain(1, None).is_none());
}
