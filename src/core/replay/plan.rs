//! Forward mode's schedule. A user-initiated call with WhatsApp's offer is
//! re-created by the simulated WhatsApp, which sends that call's `connect`
//! and `terminate` itself (with a fresh offer and fresh times); every other
//! captured delivery (status updates, business-initiated calls, errors,
//! duplicates) is POSTed again as captured, re-signed, in capture order and
//! at its captured time. Pure.

use super::load::Delivery;
use super::story::Story;
use std::collections::HashMap;

/// A call the simulated WhatsApp plays again.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedCall {
    pub captured_id: String,
    pub offer: String,
    /// Captured call time (the terminate's `duration`), if any.
    pub talk_s: Option<i64>,
    pub phone_number_id: Option<String>,
    pub display_phone_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// Start re-created call N (its `connect` comes from the simulator).
    Call(usize),
    /// The captured terminate of call N: the simulator sends its own when
    /// the call ends, so nothing is POSTed here.
    Covered(usize),
    /// A duplicate delivery of what the simulator sent for call N
    /// (`connect` or `terminate`): those exact bytes again, as Meta retries.
    Again { call: usize, event: &'static str },
    /// The captured body, re-signed, with re-created calls' ids (listed)
    /// replaced by their fresh ones and timestamps moved to now.
    Post { calls: Vec<usize>, why: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Milliseconds after the first delivery, at capture speed.
    pub at_ms: u64,
    /// Index into the deliveries.
    pub delivery: usize,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub calls: Vec<PlannedCall>,
    pub steps: Vec<Step>,
}

/// The bytes a delivery was received as, or its re-serialised envelope.
pub fn body(d: &Delivery) -> Vec<u8> {
    d.raw
        .clone()
        .unwrap_or_else(|| serde_json::to_vec(&d.envelope).expect("serialisable"))
}

/// The call events in one delivery: (call id, event, direction).
fn events(d: &Delivery) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    for change in d.envelope.entry.iter().flat_map(|e| e.changes.iter()) {
        for c in &change.value.calls {
            out.push((c.id.clone(), c.event.clone(), c.direction.clone()));
        }
        for s in &change.value.statuses {
            out.push((s.id.clone(), "status".into(), None));
        }
    }
    out
}

/// When a delivery happened, in ms: as captured, else its latest event time.
fn when_ms(d: &Delivery) -> Option<u64> {
    d.received_at_ms
        .or_else(|| event_time_s(d).map(|s| s.max(0) as u64 * 1000))
}

/// The latest event time Meta stamped in a delivery, in Unix seconds.
pub fn event_time_s(d: &Delivery) -> Option<i64> {
    d.envelope
        .entry
        .iter()
        .flat_map(|e| e.changes.iter())
        .flat_map(|c| {
            let calls = c.value.calls.iter().map(|x| x.timestamp.as_ref());
            let statuses = c.value.statuses.iter().map(|x| x.timestamp.as_ref());
            calls.chain(statuses).collect::<Vec<_>>()
        })
        .filter_map(|t| t.and_then(|t| t.as_i64()))
        .max()
}

pub fn plan(deliveries: &[Delivery], story: &Story) -> Plan {
    let mut p = Plan::default();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for c in &story.calls {
        let Some(offer) = c.offer() else { continue };
        let connect = c.events.iter().find(|e| e.event == "connect");
        index.insert(&c.call_id, p.calls.len());
        p.calls.push(PlannedCall {
            captured_id: c.call_id.clone(),
            offer: offer.to_string(),
            talk_s: c
                .events
                .iter()
                .find(|e| e.event == "terminate")
                .and_then(|e| e.duration),
            phone_number_id: connect.and_then(|e| e.phone_number_id.clone()),
            display_phone_number: connect.and_then(|e| e.to.clone()),
        });
    }
    let mut started = vec![false; p.calls.len()];
    let mut covered = vec![false; p.calls.len()];
    let mut first_of: HashMap<Vec<u8>, What> = HashMap::new();
    // Capture order is delivery order; times only ever move forward.
    let (mut t0, mut last) = (None, 0u64);
    for (n, d) in deliveries.iter().enumerate() {
        let at = match when_ms(d) {
            Some(t) => {
                let t0 = *t0.get_or_insert(t);
                t.saturating_sub(t0).max(last)
            }
            None => last,
        };
        last = at;
        let key = body(d);
        let evs = events(d);
        let named: Vec<usize> = {
            let mut v: Vec<usize> = evs
                .iter()
                .filter_map(|(id, _, _)| index.get(id.as_str()).copied())
                .collect();
            v.dedup();
            v
        };
        let what = if let Some(first) = first_of.get(&key) {
            match first {
                What::Call(c) => What::Again {
                    call: *c,
                    event: "connect",
                },
                What::Covered(c) => What::Again {
                    call: *c,
                    event: "terminate",
                },
                _ => What::Post {
                    calls: named,
                    why: "a duplicate delivery, as captured".into(),
                },
            }
        } else {
            let what = match evs.as_slice() {
                [(id, ev, _)] if ev == "connect" => match index.get(id.as_str()) {
                    Some(&c) if !started[c] => {
                        started[c] = true;
                        What::Call(c)
                    }
                    _ => post(named, &evs),
                },
                [(id, ev, _)] if ev == "terminate" => match index.get(id.as_str()) {
                    Some(&c) if started[c] && !covered[c] => {
                        covered[c] = true;
                        What::Covered(c)
                    }
                    _ => post(named, &evs),
                },
                _ => post(named, &evs),
            };
            first_of.insert(key, what.clone());
            what
        };
        p.steps.push(Step {
            at_ms: at,
            delivery: n,
            what,
        });
    }
    p
}

fn post(calls: Vec<usize>, evs: &[(String, String, Option<String>)]) -> What {
    let why = if evs.is_empty() {
        "no call in it, as captured".to_string()
    } else if evs
        .iter()
        .any(|(_, _, d)| d.as_deref() == Some("BUSINESS_INITIATED"))
        || evs.iter().all(|(_, e, _)| e == "status")
    {
        "a business-initiated call's webhook, as captured: your server placed that call, so its media is not re-created".to_string()
    } else if calls.is_empty() {
        "a call with no offer to re-create, as captured".to_string()
    } else {
        let kinds: Vec<&str> = evs.iter().map(|(_, e, _)| e.as_str()).collect();
        format!("`{}` of a re-created call, as captured", kinds.join("`, `"))
    };
    What::Post { calls, why }
}

/// A captured body made current: call ids replaced, and every `timestamp`
/// (string or number, as captured) moved by `shift_s` seconds.
pub fn rewrite(body: &[u8], ids: &HashMap<String, String>, shift_s: i64) -> Vec<u8> {
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return body.to_vec();
    };
    walk(&mut v, ids, shift_s);
    serde_json::to_vec(&v).expect("serialisable")
}

fn walk(v: &mut serde_json::Value, ids: &HashMap<String, String>, shift_s: i64) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            if let Some(fresh) = ids.get(s.as_str()) {
                *s = fresh.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| walk(i, ids, shift_s)),
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                if k == "timestamp" {
                    match x {
                        Value::String(s) => {
                            if let Ok(t) = s.parse::<i64>() {
                                *s = (t + shift_s).to_string();
                            }
                        }
                        Value::Number(n) => {
                            if let Some(t) = n.as_i64() {
                                *x = Value::from(t + shift_s);
                            }
                        }
                        _ => {}
                    }
                } else {
                    walk(x, ids, shift_s);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
