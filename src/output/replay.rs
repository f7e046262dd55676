//! `wacall replay`: the calls' timelines, what failed and why, what the
//! bridge would have answered, anomalies and signatures.

use super::Style;
use crate::core::lint::{Finding, Severity};
use crate::core::replay::{Call, Signature, Story, rules_for};
use serde_json::{Value, json};

/// What wacall would do with one call's offer.
pub struct Answering {
    pub call_id: String,
    pub offer_findings: Vec<Finding>,
    /// The answer and its findings; `Err` says why none was made.
    pub answer: Result<(String, Vec<Finding>), String>,
    /// The Graph requests, as (action, JSON body).
    pub requests: Vec<(String, Value)>,
}

fn plus(call: &Call, t: Option<i64>) -> String {
    let t0 = call.events.iter().find_map(|e| e.timestamp);
    match (t, t0) {
        (Some(t), Some(t0)) => format!("{:+} s", t - t0),
        _ => "  ?".into(),
    }
}

fn number(n: &Option<String>) -> String {
    n.as_deref().map_or("?".into(), |n| {
        if n.starts_with('+') {
            n.into()
        } else {
            format!("+{n}")
        }
    })
}

fn findings_text(f: &[Finding], s: &Style) -> String {
    let shown: Vec<&Finding> = f
        .iter()
        .filter(|x| x.rule.severity != Severity::Info)
        .collect();
    if shown.is_empty() {
        return format!(" {}\n", s.ok("lint clean"));
    }
    let mut out = String::new();
    for x in shown {
        out += &format!(
            "\n      {}[{}] line {}: {}",
            s.severity(x.rule.severity.as_str(), x.rule.severity.as_str()),
            x.rule.code,
            x.line,
            x.message
        );
    }
    out + "\n"
}

pub fn story(st: &Story, answers: &[Answering], s: &Style) -> String {
    let mut out = String::new();
    for c in &st.calls {
        let first = &c.events[0];
        out += &format!(
            "{} {} {} from {} to {}\n",
            s.bold("call"),
            c.call_id,
            first.direction.as_deref().unwrap_or("?"),
            number(&first.from),
            number(&first.to)
        );
        for e in &c.events {
            let mut what = e.event.clone();
            if let Some(st) = &e.status {
                what += &format!(" {st}");
            }
            if let Some(d) = e.duration {
                what += &format!(", {d} s");
            }
            if let Some((_, kind)) = &e.sdp {
                what += &format!(", with an {}", kind.as_deref().unwrap_or("SDP"));
            }
            out += &format!(
                "  {:>7}  {what}  {}\n",
                plus(c, e.timestamp),
                s.dim(&format!("({})", e.source))
            );
        }
        if c.failed {
            out += &format!("  {}\n", s.error("failed"));
        }
        for x in &c.explanations {
            out += &format!("    {} {}\n", s.bold(&x.code.to_string()), x.message);
            if let Some(m) = x.meaning {
                out += &format!("      means: {m}\n");
            }
            if let Some(f) = x.fix {
                out += &format!("      fix: {f}\n");
            }
            let rules = rules_for(x.code);
            if !rules.is_empty() {
                out += &format!(
                    "      rules that catch its usual causes: {}\n",
                    rules.join(" ")
                );
            }
        }
        if let Some(a) = answers.iter().find(|a| a.call_id == c.call_id) {
            out += &format!("  offer:{}", findings_text(&a.offer_findings, s));
            match &a.answer {
                Ok((sdp, f)) => {
                    out += &format!("  wacall's answer:{}", findings_text(f, s));
                    for (action, body) in &a.requests {
                        let mut shown = body.clone();
                        shown["session"]["sdp"] = json!("<the answer below>");
                        out += &format!("  {} {}\n", s.bold(&format!("Graph {action}:")), shown);
                    }
                    for l in sdp.lines() {
                        out += &format!("    {}\n", s.dim(l));
                    }
                }
                Err(why) => out += &format!("  wacall's answer: {}\n", s.dim(why)),
            }
        }
        out += "\n";
    }
    for (src, e) in &st.value_errors {
        out += &format!(
            "{} {} {} ({src})\n",
            s.error("error:"),
            e.code,
            e.message.as_deref().unwrap_or("")
        );
    }
    for a in &st.anomalies {
        out += &format!(
            "{} {}: {} {}\n",
            s.warning("anomaly:"),
            a.kind.as_str(),
            a.detail,
            s.dim(&format!("({})", a.source))
        );
    }
    for (src, sig) in &st.signatures {
        match sig {
            Signature::Valid => out += &format!("{} {src}\n", s.ok("signature valid:")),
            Signature::Invalid => {
                out += &format!(
                    "{} {src}: X-Hub-Signature-256 does not match --app-secret\n",
                    s.error("signature invalid:")
                )
            }
            Signature::Unchecked(_) => {}
        }
    }
    let failed = st.calls.iter().filter(|c| c.failed).count();
    out += &format!(
        "{} {} call{}, {failed} failed, {} anomal{}\n",
        s.bold("summary:"),
        st.calls.len(),
        if st.calls.len() == 1 { "" } else { "s" },
        st.anomalies.len(),
        if st.anomalies.len() == 1 { "y" } else { "ies" }
    );
    out
}

fn findings_json(f: &[Finding]) -> Value {
    Value::Array(
        f.iter()
            .map(|x| json!({"code": x.rule.code, "severity": x.rule.severity.as_str(), "line": x.line, "message": x.message}))
            .collect(),
    )
}

pub fn story_json(st: &Story, answers: &[Answering]) -> Value {
    let calls: Vec<Value> = st
        .calls
        .iter()
        .map(|c| {
            let a = answers.iter().find(|a| a.call_id == c.call_id);
            json!({
                "call_id": c.call_id,
                "failed": c.failed,
                "events": c.events.iter().map(|e| json!({
                    "source": e.source, "event": e.event, "direction": e.direction, "from": e.from,
                    "to": e.to, "timestamp": e.timestamp, "status": e.status, "duration": e.duration,
                    "errors": e.errors.iter().map(|x| x.code).collect::<Vec<_>>(),
                    "sdp_type": e.sdp.as_ref().map(|(_, k)| k.clone()),
                })).collect::<Vec<_>>(),
                "explanations": c.explanations.iter().map(|x| json!({
                    "code": x.code, "message": x.message, "meaning": x.meaning, "fix": x.fix,
                    "rules": rules_for(x.code),
                })).collect::<Vec<_>>(),
                "offer_findings": a.map(|a| findings_json(&a.offer_findings)),
                "answer": a.map(|a| match &a.answer {
                    Ok((sdp, f)) => json!({"sdp": sdp, "findings": findings_json(f)}),
                    Err(why) => json!({"error": why}),
                }),
                "graph_requests": a.map(|a| a.requests.iter().map(|(action, body)| json!({"action": action, "body": body})).collect::<Vec<_>>()),
            })
        })
        .collect();
    json!({
        "ok": !st.troubled(),
        "calls": calls,
        "anomalies": st.anomalies.iter().map(|a| json!({"kind": a.kind.as_str(), "source": a.source, "call_id": a.call_id, "detail": a.detail})).collect::<Vec<_>>(),
        "value_errors": st.value_errors.iter().map(|(src, e)| json!({"source": src, "code": e.code, "message": e.message})).collect::<Vec<_>>(),
        "signatures": st.signatures.iter().map(|(src, sig)| json!({"source": src, "result": match sig {
            Signature::Valid => "valid".to_string(),
            Signature::Invalid => "invalid".to_string(),
            Signature::Unchecked(why) => format!("unchecked: {why}"),
        }})).collect::<Vec<_>>(),
    })
}
