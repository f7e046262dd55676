//! `wacall listen`: the ring, the decisions, and the tally at the end.

use super::Style;
use crate::io::graph_client::Outcome;
use crate::io::listen::{Caller, ListenSummary};
use serde_json::{Value, json};

fn who(c: &Caller) -> String {
    let number = c
        .from
        .as_deref()
        .map_or("an unknown number".to_string(), |f| {
            if f.starts_with('+') {
                f.to_string()
            } else {
                format!("+{f}")
            }
        });
    match &c.name {
        Some(n) => format!("{number} ({n})"),
        None => number,
    }
}

fn caller_json(c: &Caller) -> Value {
    json!({"call_id": c.call_id, "from": c.from, "name": c.name})
}

pub fn listening(url: &str, auto: bool, s: &Style) -> String {
    format!(
        "{} {url}\n{}\n",
        s.bold("listening for Meta's webhooks on"),
        s.dim(if auto {
            "calls are answered at once (--auto-answer); Ctrl-C hangs up and quits"
        } else {
            "you are asked before a call is answered; Ctrl-C hangs up and quits"
        })
    )
}

pub fn listening_json(url: &str) -> Value {
    json!({"type": "listening", "data": {"url": url}})
}

pub fn ringing(c: &Caller, s: &Style) -> String {
    format!("{} {}\n", s.ok("Incoming call from"), s.bold(&who(c)))
}

pub fn ringing_json(c: &Caller) -> Value {
    json!({"type": "ringing", "data": caller_json(c)})
}

pub fn prompt(c: &Caller) -> String {
    format!("Answer the call from {}? [y/N] ", who(c))
}

fn outcome_text(o: &Option<Outcome>) -> String {
    match o {
        None => "left ringing".into(),
        Some(o) if o.ok() => "rejected".into(),
        Some(o) => format!(
            "reject failed: {}",
            o.error
                .as_ref()
                .map_or("no response".to_string(), |e| e.to_string())
        ),
    }
}

fn outcome_json(o: &Option<Outcome>) -> Value {
    match o {
        None => json!({"sent": false}),
        Some(o) => json!({"sent": true, "ok": o.ok(), "status": o.status,
            "error": o.error.as_ref().map(|e| e.to_string())}),
    }
}

pub fn declined(c: &Caller, o: &Option<Outcome>, s: &Style) -> String {
    format!(
        "{} {}: {}\n",
        s.warning("not answered:"),
        who(c),
        outcome_text(o)
    )
}

pub fn declined_json(c: &Caller, o: &Option<Outcome>) -> Value {
    json!({"type": "declined", "data": {"caller": caller_json(c), "reject": outcome_json(o)}})
}

pub fn busy(c: &Caller, o: &Option<Outcome>, s: &Style) -> String {
    format!(
        "{} {} while another call has the audio device: {}\n",
        s.warning("busy:"),
        who(c),
        outcome_text(o)
    )
}

pub fn busy_json(c: &Caller, o: &Option<Outcome>) -> Value {
    json!({"type": "busy", "data": {"caller": caller_json(c), "reject": outcome_json(o)}})
}

pub fn hung_up(call_id: &str, s: &Style) -> String {
    format!("{} {call_id}\n", s.dim("terminate webhook for"))
}

pub fn hung_up_json(call_id: &str) -> Value {
    json!({"type": "terminate", "data": {"call_id": call_id}})
}

pub fn ignored(call_id: &str, event: &str, s: &Style) -> String {
    format!(
        "{}\n",
        s.dim(&format!("webhook `{event}` for {call_id}: nothing to do"))
    )
}

pub fn ignored_json(call_id: &str, event: &str) -> Value {
    json!({"type": "ignored", "data": {"call_id": call_id, "event": event}})
}

pub fn tally(t: &ListenSummary, s: &Style) -> String {
    let c = &t.counters;
    format!(
        "{} {} answered, {} failed, {} not answered, {} busy\n{}\n",
        s.bold("calls:"),
        t.answered,
        t.failed,
        t.declined,
        t.busy,
        s.dim(&format!(
            "webhooks: {} taken, {} duplicates, {} bad signatures, {} malformed, {} captured",
            c.accepted, c.duplicates, c.bad_signature, c.malformed, c.captured
        ))
    )
}

pub fn tally_json(t: &ListenSummary) -> Value {
    let c = &t.counters;
    json!({"type": "listen_summary", "data": {
        "answered": t.answered, "failed": t.failed, "declined": t.declined, "busy": t.busy,
        "webhooks": {"accepted": c.accepted, "duplicates": c.duplicates,
            "bad_signature": c.bad_signature, "malformed": c.malformed,
            "verifications": c.verifications, "failed_verifications": c.failed_verifications,
            "captured": c.captured, "capture_errors": c.capture_errors}
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_shows_number_and_name() {
        let c = Caller {
            call_id: "wacid.x".into(),
            from: Some("15550001111".into()),
            name: Some("Ada".into()),
        };
        assert_eq!(
            ringing(&c, &Style::new(false)),
            "Incoming call from +15550001111 (Ada)\n"
        );
        let anon = Caller {
            from: None,
            name: None,
            ..c
        };
        assert!(prompt(&anon).contains("an unknown number"));
    }
}
