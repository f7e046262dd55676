//! What a set of webhooks says happened: each call's events in order,
//! signatures checked, failures explained, anomalies flagged. Pure.

use super::load::Delivery;
use crate::core::webhook::{CallError, verify_signature};
use std::collections::{BTreeMap, HashMap};

/// One call event, flattened for the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub source: String,
    pub call_id: String,
    /// `connect`, `terminate`, ... or `status` for a RINGING/ACCEPTED/REJECTED update.
    pub event: String,
    pub direction: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Unix seconds, as Meta stamped it.
    pub timestamp: Option<i64>,
    pub status: Option<String>,
    pub duration: Option<i64>,
    pub errors: Vec<CallError>,
    /// The SDP it carries and its type (`offer`, `answer`).
    pub sdp: Option<(String, Option<String>)>,
    pub phone_number_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub code: i64,
    pub message: String,
    pub meaning: Option<&'static str>,
    pub fix: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub call_id: String,
    pub events: Vec<Event>,
    pub failed: bool,
    pub explanations: Vec<Explanation>,
}

impl Call {
    /// WhatsApp's offer, for a user-initiated call.
    pub fn offer(&self) -> Option<&str> {
        self.events.iter().find_map(|e| match &e.sdp {
            Some((sdp, kind)) if e.event == "connect" && kind.as_deref() != Some("answer") => {
                Some(sdp.as_str())
            }
            _ => None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnomalyKind {
    Duplicate,
    TerminateBeforeConnect,
    OutOfOrder,
    Stale,
    AcceptWindow,
}

impl AnomalyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyKind::Duplicate => "duplicate",
            AnomalyKind::TerminateBeforeConnect => "terminate-before-connect",
            AnomalyKind::OutOfOrder => "out-of-order",
            AnomalyKind::Stale => "stale",
            AnomalyKind::AcceptWindow => "accept-window",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    pub source: String,
    pub call_id: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    Valid,
    Invalid,
    /// No header in the capture, no secret given, or the bytes are not the
    /// ones received (an element of a JSON array).
    Unchecked(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    pub calls: Vec<Call>,
    pub anomalies: Vec<Anomaly>,
    pub signatures: Vec<(String, Signature)>,
    /// Errors at value level, outside any call.
    pub value_errors: Vec<(String, CallError)>,
}

impl Story {
    /// Something went wrong: a failed call, a bad signature or an anomaly.
    pub fn troubled(&self) -> bool {
        self.calls.iter().any(|c| c.failed)
            || !self.anomalies.is_empty()
            || self
                .signatures
                .iter()
                .any(|(_, s)| *s == Signature::Invalid)
            || !self.value_errors.is_empty()
    }
}

/// How late a delivery may arrive after its timestamp before it is stale.
const STALE_SECONDS: i64 = 60;

pub fn tell(deliveries: &[Delivery], app_secret: Option<&[u8]>, accept_window_s: i64) -> Story {
    let mut anomalies = Vec::new();
    let mut signatures = Vec::new();
    let mut value_errors = Vec::new();
    let mut seen: HashMap<Vec<u8>, String> = HashMap::new();
    let mut calls: BTreeMap<String, (usize, Vec<Event>)> = BTreeMap::new();
    for (n, d) in deliveries.iter().enumerate() {
        signatures.push((d.source.clone(), signature(d, app_secret)));
        let key = d
            .raw
            .clone()
            .unwrap_or_else(|| serde_json::to_vec(&d.envelope).expect("serialisable"));
        if let Some(first) = seen.get(&key) {
            anomalies.push(Anomaly {
                kind: AnomalyKind::Duplicate,
                source: d.source.clone(),
                call_id: None,
                detail: format!(
                    "the same body as {first}: a retried delivery; a receiver must act on it once"
                ),
            });
            continue;
        }
        seen.insert(key, d.source.clone());
        for change in d.envelope.entry.iter().flat_map(|e| e.changes.iter()) {
            let v = &change.value;
            let pnid = v.metadata.as_ref().map(|m| m.phone_number_id.clone());
            for e in &v.errors {
                value_errors.push((d.source.clone(), e.clone()));
            }
            for c in &v.calls {
                let ev = Event {
                    source: d.source.clone(),
                    call_id: c.id.clone(),
                    event: c.event.clone(),
                    direction: c.direction.clone(),
                    from: c.from.clone(),
                    to: c.to.clone(),
                    timestamp: c.timestamp.as_ref().and_then(|t| t.as_i64()),
                    status: c
                        .status
                        .as_ref()
                        .and_then(|s| s.first())
                        .map(str::to_string),
                    duration: c.duration.as_ref().and_then(|t| t.as_i64()),
                    errors: c.errors.clone(),
                    sdp: c.sdp().map(|(sdp, kind, _)| (sdp, kind)),
                    phone_number_id: pnid.clone(),
                };
                stale(d, &ev, &mut anomalies);
                calls
                    .entry(c.id.clone())
                    .or_insert((n, Vec::new()))
                    .1
                    .push(ev);
            }
            for s in &v.statuses {
                let ev = Event {
                    source: d.source.clone(),
                    call_id: s.id.clone(),
                    event: "status".into(),
                    direction: Some("BUSINESS_INITIATED".into()),
                    from: None,
                    to: s.recipient_id.clone(),
                    timestamp: s.timestamp.as_ref().and_then(|t| t.as_i64()),
                    status: Some(s.status.clone()),
                    duration: None,
                    errors: Vec::new(),
                    sdp: None,
                    phone_number_id: pnid.clone(),
                };
                calls
                    .entry(s.id.clone())
                    .or_insert((n, Vec::new()))
                    .1
                    .push(ev);
            }
        }
    }
    // Remove the value-level copy of an error a call already carries.
    value_errors.retain(|(src, e)| {
        !calls
            .values()
            .flat_map(|(_, evs)| evs)
            .any(|ev| &ev.source == src && ev.errors.iter().any(|x| x.code == e.code))
    });
    let mut ordered: Vec<(usize, String, Vec<Event>)> = calls
        .into_iter()
        .map(|(id, (n, evs))| (n, id, evs))
        .collect();
    ordered.sort_by_key(|(n, id, _)| (*n, id.clone()));
    let calls = ordered
        .into_iter()
        .map(|(_, call_id, events)| {
            order_checks(&call_id, &events, accept_window_s, &mut anomalies);
            let explanations: Vec<Explanation> = events
                .iter()
                .flat_map(|e| e.errors.iter())
                .map(|e| {
                    let (meaning, fix) = crate::core::graph::explain(e.code, None).unzip();
                    Explanation {
                        code: e.code,
                        message: e.message.clone().or(e.title.clone()).unwrap_or_default(),
                        meaning,
                        fix,
                    }
                })
                .collect();
            let failed = !explanations.is_empty()
                || events.iter().any(|e| {
                    e.event == "terminate"
                        && e.status
                            .as_deref()
                            .is_some_and(|s| s.eq_ignore_ascii_case("failed"))
                });
            Call {
                call_id,
                events,
                failed,
                explanations,
            }
        })
        .collect();
    Story {
        calls,
        anomalies,
        signatures,
        value_errors,
    }
}

fn signature(d: &Delivery, secret: Option<&[u8]>) -> Signature {
    match (&d.raw, &d.signature, secret) {
        (None, _, _) => Signature::Unchecked("not the bytes as received"),
        (_, None, _) => Signature::Unchecked("no X-Hub-Signature-256 captured"),
        (_, _, None) => Signature::Unchecked("no --app-secret"),
        (Some(raw), Some(sig), Some(secret)) => {
            if verify_signature(secret, raw, sig) {
                Signature::Valid
            } else {
                Signature::Invalid
            }
        }
    }
}

fn stale(d: &Delivery, ev: &Event, anomalies: &mut Vec<Anomaly>) {
    let (Some(at), Some(ts)) = (d.received_at_ms, ev.timestamp) else {
        return;
    };
    let late = at as i64 / 1000 - ts;
    if late > STALE_SECONDS {
        anomalies.push(Anomaly {
            kind: AnomalyKind::Stale,
            source: d.source.clone(),
            call_id: Some(ev.call_id.clone()),
            detail: format!("`{}` arrived {late} s after its timestamp: a delayed retry; the call it announces may be over", ev.event),
        });
    }
}

fn order_checks(call_id: &str, events: &[Event], window: i64, anomalies: &mut Vec<Anomaly>) {
    let pos = |name: &str| events.iter().position(|e| e.event == name);
    if let (Some(t), Some(c)) = (pos("terminate"), pos("connect"))
        && t < c
    {
        anomalies.push(Anomaly {
            kind: AnomalyKind::TerminateBeforeConnect,
            source: events[t].source.clone(),
            call_id: Some(call_id.into()),
            detail: "the terminate was delivered before the connect; a receiver must not start a call that has ended".into(),
        });
    }
    for w in events.windows(2) {
        if let (Some(a), Some(b)) = (w[0].timestamp, w[1].timestamp)
            && b < a
        {
            anomalies.push(Anomaly {
                kind: AnomalyKind::OutOfOrder,
                source: w[1].source.clone(),
                call_id: Some(call_id.into()),
                detail: format!(
                    "`{}` (t={b}) was delivered after `{}` (t={a})",
                    w[1].event, w[0].event
                ),
            });
        }
    }
    // A user-initiated call that was never answered within Meta's window.
    let connect = events.iter().find(|e| e.event == "connect");
    let end = events.iter().find(|e| e.event == "terminate");
    if let (Some(c), Some(t)) = (connect, end)
        && c.direction.as_deref() != Some("BUSINESS_INITIATED")
        && t.duration.unwrap_or(0) == 0
        && let (Some(a), Some(b)) = (c.timestamp, t.timestamp)
        && b - a > window
    {
        anomalies.push(Anomaly {
            kind: AnomalyKind::AcceptWindow,
            source: t.source.clone(),
            call_id: Some(call_id.into()),
            detail: format!("{} s from connect to terminate with no call time: not accepted within the {window} s window", b - a),
        });
    }
}
