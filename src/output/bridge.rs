//! How `wacall bridge` (and `wacall demo`) look: a line per step as it
//! happens, a live status line with level meters on a terminal, the
//! answer's lint findings, Graph API outcomes explained, and a summary.
//! `--json` prints the same as JSON Lines.

use super::Style;
use crate::core::bridge::{BridgeReport, Traffic};
use crate::core::lint::Finding;
use crate::io::graph_client::Outcome;
use serde_json::{Value, json};
use std::time::Duration;

pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

pub fn step(at: Duration, what: &str, s: &Style) -> String {
    format!(
        "{} {what}\n",
        s.dim(&format!("{:>9}", format!("+{}", ms(at))))
    )
}

pub fn step_json(at: Duration, what: &str) -> Value {
    json!({"type": "step", "data": {"at_ms": (at.as_secs_f64() * 1e6).round() / 1e3, "what": what}})
}

/// The answer's findings, one line each; nothing when it is clean.
pub fn findings(f: &[Finding], sent: bool, s: &Style) -> String {
    let mut out = String::new();
    for x in f
        .iter()
        .filter(|x| x.rule.severity != crate::core::lint::Severity::Info)
    {
        let sev = x.rule.severity.as_str();
        out.push_str(&format!(
            "          {} answer line {}: {}\n",
            s.severity(sev, &format!("{sev}[{}]", x.rule.code)),
            x.line,
            x.message
        ));
    }
    if !sent {
        out.push_str(&format!(
            "          {} the answer was not sent; `wacall lint-sdp --explain <code>` explains each rule, --force sends it anyway\n",
            s.error("refused:")
        ));
    }
    out
}

pub fn answer_json(sdp: &str, f: &[Finding], sent: bool) -> Value {
    let findings: Vec<Value> = f
        .iter()
        .map(|x| json!({"code": x.rule.code, "name": x.rule.name, "severity": x.rule.severity, "line": x.line, "message": x.message}))
        .collect();
    json!({"type": "answer", "data": {"sdp": sdp, "findings": findings, "sent": sent}})
}

pub fn graph(at: Duration, o: &Outcome, s: &Style) -> String {
    let what = o.action.as_str();
    let tries = if o.attempts > 1 {
        format!(" after {} attempts", o.attempts)
    } else {
        String::new()
    };
    match &o.error {
        None => step(
            at,
            &format!(
                "{what}: HTTP {} in {}{tries}",
                o.status.unwrap_or(200),
                ms(o.took)
            ),
            s,
        ),
        Some(e) => {
            let mut out = step(
                at,
                &format!("{} {e}{tries}", s.error(&format!("{what} failed:"))),
                s,
            );
            if let Some(fix) = e.fix {
                out.push_str(&format!("          {} {fix}\n", s.help("fix:")));
            }
            out
        }
    }
}

pub fn graph_json(at: Duration, o: &Outcome) -> Value {
    let error = o.error.as_ref().map(|e| {
        json!({"status": e.status, "code": e.code, "subcode": e.subcode, "message": e.message, "details": e.details,
               "meaning": e.meaning, "fix": e.fix, "transient": e.transient})
    });
    json!({"type": "graph", "data": {"at_ms": (at.as_secs_f64() * 1e6).round() / 1e3, "action": o.action.as_str(),
           "status": o.status, "attempts": o.attempts, "took_ms": o.took.as_millis() as u64, "error": error}})
}

/// A ten-step meter from -60 to 0 dBFS.
pub fn meter(dbfs: f64) -> String {
    let n = (((dbfs + 60.0) / 6.0).round().clamp(0.0, 10.0)) as usize;
    format!("{}{}", "█".repeat(n), "·".repeat(10 - n))
}

/// The live status line.
pub fn status(at: Duration, t: &Traffic) -> String {
    format!(
        "{:>6.1} s  out {} pkts {} KB {}  in {} pkts {} KB {}  loss {:.1}%  jitter {:.1} ms",
        at.as_secs_f64(),
        t.packets_out,
        t.bytes_out / 1024,
        meter(t.level_out_dbfs),
        t.packets_in,
        t.bytes_in / 1024,
        meter(t.level_in_dbfs),
        t.loss_percent_in,
        t.jitter_ms_in
    )
}

pub fn stats_json(at: Duration, t: &Traffic) -> Value {
    json!({"type": "stats", "data": {"at_ms": (at.as_secs_f64() * 1e6).round() / 1e3, "traffic": t}})
}

pub fn summary(r: &BridgeReport, s: &Style) -> String {
    let verdict = if r.ok {
        s.ok("ok")
    } else {
        s.error(&format!(
            "failed ({})",
            r.layer.map(|l| l.name()).unwrap_or("call")
        ))
    };
    let t = &r.traffic;
    let mut out = format!("\n{} {verdict}: {}\n", s.bold("summary:"), r.reason);
    let lat = |x: Option<Duration>| x.map(ms).unwrap_or_else(|| "-".into());
    out.push_str(&format!(
        "  answer ready {} after the offer; first RTP out {} and in {} after the answer\n",
        lat(r.answer_in),
        lat(r.first_rtp_out_after_answer),
        lat(r.first_rtp_in_after_answer)
    ));
    out.push_str(&format!(
        "  out {} packets ({} KB) from `{}`; in {} packets ({} KB), {} lost ({:.2}%), jitter {:.1} ms\n",
        t.packets_out,
        t.bytes_out / 1024,
        r.far_end,
        t.packets_in,
        t.bytes_in / 1024,
        t.lost_in,
        t.loss_percent_in,
        t.jitter_ms_in
    ));
    if !t.dtmf_in.is_empty() {
        out.push_str(&format!("  DTMF from the caller: {}\n", t.dtmf_in));
    }
    if let Some(f) = &r.far_end_summary {
        out.push_str(&far_end_summary(f));
    }
    for n in &r.notes {
        out.push_str(&format!("  {} {n}\n", s.warning("note:")));
    }
    out
}

/// An AI far end's report: turns, usage, cost and its share of the latency.
pub fn far_end_summary(f: &Value) -> String {
    if f["far_end"] != "openai" {
        return String::new();
    }
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    let u = &f["usage"];
    let q = |v: &Value| {
        format!(
            "p50 {} / p99 {}",
            v["p50_ms"]
                .as_f64()
                .map_or("-".into(), |x| format!("{x:.1} ms")),
            v["p99_ms"]
                .as_f64()
                .map_or("-".into(), |x| format!("{x:.1} ms"))
        )
    };
    let mut out = format!(
        "  {}: {} responses, {} barge-ins, {} reconnects; tokens: audio in {}, text in {}, audio out {}, text out {}\n",
        f["model"].as_str().unwrap_or("openai"),
        n(&f["responses"]),
        n(&f["barge_ins"]),
        n(&f["reconnects"]),
        n(&u["audio_in"]),
        n(&u["text_in"]),
        n(&u["audio_out"]),
        n(&u["text_out"]),
    );
    out.push_str(&format!(
        "  estimated cost ${:.4} (OpenAI list prices as of {}; --price overrides)\n",
        f["cost_usd"].as_f64().unwrap_or(0.0),
        f["prices_as_of"].as_str().unwrap_or("?")
    ));
    out.push_str(&format!(
        "  bridge latency: RTP in to append out {}; delta in to frame out {}\n",
        q(&f["latency"]["rtp_in_to_append_out"]),
        q(&f["latency"]["delta_in_to_frame_out"])
    ));
    out
}

pub fn summary_json(r: &BridgeReport) -> Value {
    json!({"type": "summary", "data": r})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ai_summary_shows_usage_cost_and_latency() {
        let f = json!({"far_end": "openai", "model": "gpt-realtime", "responses": 2, "barge_ins": 1,
            "reconnects": 0, "usage": {"audio_in": 22, "text_in": 0, "audio_out": 44, "text_out": 18},
            "cost_usd": 0.004, "prices_as_of": "2026-11",
            "latency": {"rtp_in_to_append_out": {"p50_ms": 0.16, "p99_ms": 0.26},
                        "delta_in_to_frame_out": {"p50_ms": 2.19, "p99_ms": null}}});
        let text = far_end_summary(&f);
        assert!(text.contains("2 responses, 1 barge-ins"), "{text}");
        assert!(text.contains("audio out 44"), "{text}");
        assert!(
            text.contains("$0.0040") && text.contains("2026-11"),
            "{text}"
        );
        assert!(
            text.contains("p50 0.2 ms / p99 0.3 ms") && text.contains("p50 2.2 ms / p99 -"),
            "{text}"
        );
        assert_eq!(far_end_summary(&json!({"far_end": "echo"})), "");
    }

    #[test]
    fn meters_span_minus_60_to_0() {
        assert_eq!(meter(-120.0), "··········");
        assert_eq!(meter(-30.0), "█████·····");
        assert_eq!(meter(0.0), "██████████");
    }
}
