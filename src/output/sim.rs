//! How `wacall sim` looks: a line per step of each call as it happens, a
//! report per call, a summary; JSON Lines (`{"type","data"}`) with --json.

use super::Style;
use crate::core::sim::report::{CallReport, Summary};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

pub fn listening(base: &str, endpoint: &str, webhook: &str, verified: bool, s: &Style) -> String {
    let mut out = format!(
        "{} Graph API at {} (the bridge's --graph-url is {base})\n{} webhooks to {webhook}\n",
        s.bold("sim:"),
        s.bold(endpoint),
        s.bold("sim:"),
    );
    if verified {
        out.push_str(&format!(
            "{} the webhook target passed the verification handshake\n",
            s.bold("sim:")
        ));
    }
    out
}

pub fn listening_json(base: &str, endpoint: &str) -> Value {
    json!({"type": "listening", "data": {"graph_url": base, "calls_endpoint": endpoint}})
}

pub fn offer_written(
    out: &Path,
    answer: &Path,
    media: SocketAddr,
    timeout: Duration,
    s: &Style,
) -> String {
    let out = if out.as_os_str() == "-" {
        "stdout".to_string()
    } else {
        format!("`{}`", out.display())
    };
    let answer = if answer.as_os_str() == "-" {
        "stdin".to_string()
    } else {
        format!("`{}`", answer.display())
    };
    format!(
        "{} WhatsApp's offer written to {out} (media at {media}); waiting up to {} s for the answer in {answer}\n",
        s.bold("sim:"),
        timeout.as_secs()
    )
}

pub fn milestone(index: usize, at: Duration, what: &str, s: &Style) -> String {
    format!(
        "{} {:>9}  {what}\n",
        s.dim(&format!("[call {index}]")),
        ms(at)
    )
}

pub fn milestone_json(index: usize, call_id: &str, at: Duration, what: &str) -> Value {
    json!({"type": "step", "data": {"call": index, "call_id": call_id, "at_ms": (at.as_secs_f64() * 1e6).round() / 1e3, "what": what}})
}

pub fn report(r: &CallReport, s: &Style) -> String {
    let tag = s.dim(&format!("[call {}]", r.index));
    let verdict = if r.ok {
        s.ok("ok")
    } else {
        s.error(&format!(
            "failed ({})",
            r.layer.map(|l| l.name()).unwrap_or("call")
        ))
    };
    let ended = r.milestones.ended.map(ms).unwrap_or_default();
    let mut out = format!("{tag} ended at {ended}: {verdict}: {}\n", r.reason);
    out.push_str(&format!(
        "{tag}   end: {} (terminate webhook: {}",
        r.end.describe(),
        r.terminate_status
    ));
    if let Some(code) = r.error_code {
        out.push_str(&format!(", error {code}"));
    }
    out.push_str(")\n");
    let heard = match r.heard.dominant_hz {
        Some(hz) => format!(
            "heard {hz:.1} Hz at {:.1} dBFS over {:.1} s",
            r.heard.level_dbfs, r.heard.seconds
        ),
        None if r.heard.seconds > 0.0 => format!(
            "heard no tone ({:.1} dBFS over {:.1} s)",
            r.heard.level_dbfs, r.heard.seconds
        ),
        None => "heard nothing".into(),
    };
    let m = &r.media_in;
    out.push_str(&format!(
        "{tag}   {heard}; from the business {} packets, {} lost ({:.2}%), jitter {:.1} ms; to it {} packets\n",
        m.packets, m.lost, m.loss_percent, m.jitter_ms, r.media_out.packets
    ));
    if let Some(setup) = r.setup {
        out.push_str(&format!(
            "{tag}   setup (answer to media both ways): {}\n",
            ms(setup)
        ));
    }
    if !m.dtmf.is_empty() {
        out.push_str(&format!("{tag}   DTMF from the business: {}\n", m.dtmf));
    }
    for n in &r.notes {
        out.push_str(&format!("{tag}   {} {n}\n", s.warning("note:")));
    }
    out
}

pub fn report_json(r: &CallReport) -> Value {
    json!({"type": "call", "data": r})
}

pub fn summary(x: &Summary, s: &Style) -> String {
    let calls = if x.calls == 1 {
        "1 call".to_string()
    } else {
        format!("{} calls", x.calls)
    };
    let setup = match (x.setup_p50_ms, x.setup_p95_ms) {
        (Some(a), Some(b)) => format!("; setup p50 {a:.0} ms, p95 {b:.0} ms"),
        _ => String::new(),
    };
    let mut out = format!(
        "{} {calls}: {} ok, {} failed{setup}; packets from the business {}, to it {}; loss {:.2}%; jitter max {:.1} ms\n",
        s.bold("summary:"),
        x.ok,
        x.failed,
        x.packets_in,
        x.packets_out,
        x.loss_percent,
        x.jitter_ms_max
    );
    for (layer, n) in &x.failures {
        out.push_str(&format!("{} {n} failed at {layer}\n", s.error("failed:")));
    }
    // Under a percent is a late tick or two; more is a pattern worth a line.
    if x.skipped_percent_out >= 1.0 {
        out.push_str(&format!(
            "{} the simulated callers skipped {:.1}% of their frames (their 20 ms ticks came late): \
             this machine is short of CPU for the simulator, so the numbers above understate the \
             business; run fewer calls (--calls, --concurrency) or the simulator on another machine\n",
            s.warning("warning:"),
            x.skipped_percent_out
        ));
    }
    if x.unsent_percent_in >= 1.0 {
        out.push_str(&format!(
            "{} the business never sent {:.1}% of its 20 ms frames (not lost: never sent): a sender \
             whose ticks fall behind, short of CPU, or one that stops during silence (DTX)\n",
            s.warning("warning:"),
            x.unsent_percent_in
        ));
    }
    out
}

pub fn summary_json(x: &Summary) -> Value {
    json!({"type": "summary", "data": x})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_starved_run_says_so_and_a_healthy_one_does_not() {
        let s = Style::new(false);
        let healthy = Summary {
            calls: 2,
            ok: 2,
            skipped_percent_out: 0.4,
            unsent_percent_in: 0.2,
            ..Summary::default()
        };
        assert!(!summary(&healthy, &s).contains("warning"));
        let starved = Summary {
            skipped_percent_out: 12.5,
            unsent_percent_in: 30.0,
            ..healthy
        };
        let text = summary(&starved, &s);
        assert!(
            text.contains("callers skipped 12.5% of their frames"),
            "{text}"
        );
        assert!(text.contains("--calls"), "{text}");
        assert!(
            text.contains("never sent 30.0% of its 20 ms frames"),
            "{text}"
        );
        let j = summary_json(&starved);
        assert_eq!(j["data"]["skipped_percent_out"], 12.5);
        assert_eq!(j["data"]["unsent_percent_in"], 30.0);
    }
}
