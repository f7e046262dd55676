use super::*;
use crate::core::replay::{load, tell};

const CONNECT: &str =
    include_str!("../../../testdata/corpus/webhook-connect-real-uic-2025-10-17-mamlesh06.json");
const TERMINATE: &str = include_str!(
    "../../../testdata/corpus/webhook-terminate-real-uic-failed-138021-2025-10-17-mamlesh06.json"
);
const BIC: &str =
    include_str!("../../../testdata/corpus/webhook-connect-metadocs-bic-answer-sample.json");
const ID: &str = "wacid.HBgMOTE5OTkwMDAxMTExFQIAEhggQUNEODk3OUQ3NzI4MjZBRTZFNEE2MzU3NDEzNDg4RUUcGAsxNTU1MTQ0MTkwNhUCABUKAA==";

fn planned(files: &[(&str, &str)]) -> Plan {
    let d: Vec<Delivery> = files
        .iter()
        .flat_map(|(n, b)| load(n, b.as_bytes()).unwrap())
        .collect();
    plan(&d, &tell(&d, None, 30))
}

fn whats(p: &Plan) -> Vec<What> {
    p.steps.iter().map(|s| s.what.clone()).collect()
}

#[test]
fn a_user_initiated_call_is_recreated_and_its_terminate_is_the_simulators() {
    let p = planned(&[("c", CONNECT), ("t", TERMINATE)]);
    assert_eq!(p.calls.len(), 1);
    assert_eq!(p.calls[0].captured_id, ID);
    assert_eq!(p.calls[0].talk_s, Some(20));
    assert_eq!(
        p.calls[0].phone_number_id.as_deref(),
        Some("518638374672395")
    );
    assert_eq!(whats(&p), [What::Call(0), What::Covered(0)]);
    assert_eq!(p.steps[0].at_ms, 0);
    assert!(p.steps[1].at_ms > 0, "the terminate came later");
}

#[test]
fn duplicates_become_the_simulators_own_bytes_again() {
    let p = planned(&[
        ("c", CONNECT),
        ("c again", CONNECT),
        ("t", TERMINATE),
        ("t again", TERMINATE),
    ]);
    assert_eq!(
        whats(&p),
        [
            What::Call(0),
            What::Again {
                call: 0,
                event: "connect"
            },
            What::Covered(0),
            What::Again {
                call: 0,
                event: "terminate"
            },
        ]
    );
}

#[test]
fn business_initiated_and_orphan_webhooks_are_posted_as_captured() {
    // A terminate with no connect before it cannot be re-created.
    let p = planned(&[("t", TERMINATE), ("bic", BIC)]);
    assert!(p.calls.is_empty());
    match &p.steps[..] {
        [
            Step {
                what: What::Post { calls: a, why: wa },
                ..
            },
            Step {
                what: What::Post { calls: b, why: wb },
                ..
            },
        ] => {
            assert!(a.is_empty() && b.is_empty());
            assert!(wa.contains("no offer"), "{wa}");
            assert!(wb.contains("business-initiated"), "{wb}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_terminate_before_its_connect_is_posted_and_the_connect_still_recreated() {
    let p = planned(&[("t", TERMINATE), ("c", CONNECT)]);
    assert_eq!(p.calls.len(), 1);
    assert!(matches!(&p.steps[0].what, What::Post { calls, .. } if calls == &[0]));
    assert_eq!(p.steps[1].what, What::Call(0));
    assert!(
        p.steps[1].at_ms >= p.steps[0].at_ms,
        "times never run backwards"
    );
}

#[test]
fn rewrite_replaces_ids_and_moves_every_timestamp() {
    let ids = HashMap::from([(ID.to_string(), "wacid.FRESH".to_string())]);
    let out = rewrite(TERMINATE.as_bytes(), &ids, 100);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let call = &v["entry"][0]["changes"][0]["value"]["calls"][0];
    assert_eq!(call["id"], "wacid.FRESH");
    let before: serde_json::Value = serde_json::from_str(TERMINATE).unwrap();
    let old = &before["entry"][0]["changes"][0]["value"]["calls"][0]["timestamp"];
    let t = |x: &serde_json::Value| {
        x.as_i64()
            .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
            .unwrap()
    };
    assert_eq!(t(&call["timestamp"]), t(old) + 100);
    assert_eq!(
        call["timestamp"].is_string(),
        old.is_string(),
        "kept as captured"
    );
    assert!(!String::from_utf8_lossy(&out).contains(ID));
}
