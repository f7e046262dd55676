use super::*;
use crate::core::capture::Capture;

const CONNECT: &str =
    include_str!("../../../testdata/corpus/webhook-connect-real-uic-2025-10-17-mamlesh06.json");
const TERMINATE: &str = include_str!(
    "../../../testdata/corpus/webhook-terminate-real-uic-failed-138021-2025-10-17-mamlesh06.json"
);

fn raw(name: &str, body: &str) -> Vec<Delivery> {
    load(name, body.as_bytes()).unwrap()
}

fn kinds(s: &Story) -> Vec<AnomalyKind> {
    s.anomalies.iter().map(|a| a.kind).collect()
}

#[test]
fn the_real_failed_call_is_explained_as_138021() {
    let mut d = raw("connect.json", CONNECT);
    d.extend(raw("terminate.json", TERMINATE));
    let s = tell(&d, None, 30);
    assert_eq!(s.calls.len(), 1);
    let c = &s.calls[0];
    assert_eq!(
        c.events
            .iter()
            .map(|e| e.event.as_str())
            .collect::<Vec<_>>(),
        ["connect", "terminate"]
    );
    assert!(c.offer().unwrap().starts_with("v=0"));
    assert!(c.failed);
    assert_eq!(
        c.explanations.len(),
        1,
        "the value-level copy is not counted twice"
    );
    assert_eq!(c.explanations[0].code, 138021);
    assert!(c.explanations[0].meaning.unwrap().contains("no media"));
    assert!(s.value_errors.is_empty());
    assert!(kinds(&s).is_empty(), "{:?}", s.anomalies);
    assert!(s.troubled());
}

#[test]
fn duplicates_and_terminate_before_connect_and_out_of_order() {
    let mut d = raw("t.json", TERMINATE);
    d.extend(raw("c.json", CONNECT));
    d.extend(raw("c-again.json", CONNECT));
    let s = tell(&d, None, 30);
    let k = kinds(&s);
    assert!(k.contains(&AnomalyKind::Duplicate), "{k:?}");
    assert!(k.contains(&AnomalyKind::TerminateBeforeConnect), "{k:?}");
    assert!(k.contains(&AnomalyKind::OutOfOrder), "{k:?}");
    assert_eq!(
        s.calls[0].events.len(),
        2,
        "the duplicate is not a third event"
    );
}

#[test]
fn signatures_are_checked_against_the_captured_bytes() {
    let sig = crate::core::webhook::signature(b"s3cret", CONNECT.as_bytes());
    let cap = Capture::new(
        1,
        1_760_681_514_000,
        "/webhook",
        [("x-hub-signature-256", sig.as_str())],
        CONNECT.as_bytes(),
    );
    let d = load("cap.json", &serde_json::to_vec(&cap).unwrap()).unwrap();
    assert_eq!(
        tell(&d, Some(b"s3cret"), 30).signatures[0].1,
        Signature::Valid
    );
    assert_eq!(
        tell(&d, Some(b"other"), 30).signatures[0].1,
        Signature::Invalid
    );
    assert!(tell(&d, Some(b"other"), 30).troubled());
    assert!(matches!(
        tell(&d, None, 30).signatures[0].1,
        Signature::Unchecked(_)
    ));
    let plain = raw("plain.json", CONNECT);
    assert!(matches!(
        tell(&plain, Some(b"s3cret"), 30).signatures[0].1,
        Signature::Unchecked(_)
    ));
}

#[test]
fn a_capture_received_long_after_its_timestamp_is_stale() {
    // The connect is stamped 1760681506; received ten minutes later.
    let cap = Capture::new(1, 1_760_682_113_000, "/webhook", [], CONNECT.as_bytes());
    let d = load("late.json", &serde_json::to_vec(&cap).unwrap()).unwrap();
    assert_eq!(kinds(&tell(&d, None, 30)), [AnomalyKind::Stale]);
}

#[test]
fn an_unanswered_call_past_the_window_is_flagged() {
    let t = TERMINATE
        .replace(
            "\"timestamp\": \"1760681533\"",
            "\"timestamp\": \"1760681600\"",
        )
        .replace("\"duration\": 20", "\"duration\": 0");
    let mut d = raw("c.json", CONNECT);
    d.extend(raw("t.json", &t));
    assert!(kinds(&tell(&d, None, 30)).contains(&AnomalyKind::AcceptWindow));
    assert!(!kinds(&tell(&d, None, 600)).contains(&AnomalyKind::AcceptWindow));
}
