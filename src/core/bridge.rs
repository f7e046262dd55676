//! A bridged call seen from the business side: its timeline, its numbers,
//! and which layer failed when it did, in words.

use crate::core::sim::diagnose::{Diagnosis, Layer, ms};
use serde::Serialize;
use std::time::Duration;

/// Moments of the call, as offsets from reading the offer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timeline {
    #[serde(serialize_with = "ms")]
    pub answer_ready: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub pre_accept: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub ice_connected: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub dtls_connected: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub accept: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub first_rtp_out: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub first_rtp_in: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub ended: Option<Duration>,
}

/// Media numbers, each way.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Traffic {
    pub packets_out: u64,
    /// Of those, silence made once and resent (the far end had nothing to say).
    pub silence_packets_out: u64,
    pub bytes_out: u64,
    pub packets_in: u64,
    pub bytes_in: u64,
    pub lost_in: u64,
    pub loss_percent_in: f64,
    pub jitter_ms_in: f64,
    pub concealed_frames: u64,
    pub skipped_frames_out: u64,
    pub write_errors: u64,
    pub dtmf_in: String,
    pub level_in_dbfs: f64,
    pub level_out_dbfs: f64,
}

/// How the call ended, from the business side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Ending {
    /// `--duration` ran out.
    Duration,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// The caller hung up (Meta's `terminate` webhook).
    HungUp,
    /// The connection closed or failed under us (WhatsApp hung up, or the path broke).
    Connection(String),
    /// The answer had lint errors and was not sent (without `--force`).
    AnswerRefused,
    /// A Graph API request failed.
    Graph(String),
    /// ICE or DTLS did not connect in time.
    ConnectTimeout,
    /// The bridge itself failed.
    Error(String),
    /// The far end could not start or stopped working (OpenAI refused, a device vanished).
    FarEnd(String),
}

/// What the diagnosis looks at.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub timeline: &'a Timeline,
    pub traffic: &'a Traffic,
    pub ending: &'a Ending,
    /// WhatsApp's candidates, for "no ICE connectivity to ...".
    pub remote_candidates: &'a [String],
    pub connect_timeout: Duration,
    /// Seconds media had to arrive (from first RTP out to the end).
    pub media_window: Option<Duration>,
}

pub fn diagnose(e: &Evidence) -> Diagnosis {
    let t = e.timeline;
    let mut notes = Vec::new();
    if e.traffic.loss_percent_in > 1.0 {
        notes.push(format!(
            "{:.1}% of WhatsApp's RTP was lost",
            e.traffic.loss_percent_in
        ));
    }
    if e.traffic.skipped_frames_out > 0 {
        notes.push(format!(
            "{} outgoing frames were skipped because the send loop ran late (machine overloaded?)",
            e.traffic.skipped_frames_out
        ));
    }
    let fail = |layer, reason: String| (Some(layer), reason);
    let (layer, reason) = match e.ending {
        Ending::AnswerRefused => fail(
            Layer::Signalling,
            "the answer broke WhatsApp's rules and was not sent (the findings are above; --force sends it anyway)".into(),
        ),
        Ending::Graph(why) => fail(Layer::Signalling, format!("the Graph API refused the call: {why}")),
        Ending::Error(why) => fail(Layer::Signalling, why.clone()),
        Ending::FarEnd(why) => fail(Layer::FarEnd, format!("the far end failed: {why}")),
        _ if t.ice_connected.is_none() => fail(
            Layer::Ice,
            format!(
                "no ICE connectivity: no check to WhatsApp's candidates ({}) was answered{}; is outbound UDP blocked, or were the candidates unreachable from here?",
                if e.remote_candidates.is_empty() { "none given".to_string() } else { e.remote_candidates.join(", ") },
                if *e.ending == Ending::ConnectTimeout { format!(" within {} s", e.connect_timeout.as_secs()) } else { String::new() }
            ),
        ),
        _ if t.dtls_connected.is_none() => fail(
            Layer::Dtls,
            "ICE connected, but the DTLS handshake did not complete: the ClientHello went unanswered or the fingerprints did not match".into(),
        ),
        _ if t.first_rtp_out.is_none() => fail(
            Layer::MediaOut,
            format!(
                "the call connected, but no RTP was sent{}",
                if e.traffic.write_errors > 0 { format!(" ({} write errors)", e.traffic.write_errors) } else { String::new() }
            ),
        ),
        _ if t.first_rtp_in.is_none() => fail(
            Layer::MediaIn,
            format!(
                "RTP went out for {} but none came back from WhatsApp: does WhatsApp's side reach us (NAT, firewall)?",
                e.media_window.map(|d| format!("{:.1} s", d.as_secs_f64())).unwrap_or_else(|| "the call".into())
            ),
        ),
        Ending::Connection(why) => (None, format!("media flowed both ways; the call ended: {why}")),
        Ending::HungUp => (None, "media flowed both ways until the caller hung up".into()),
        _ => (None, "media flowed both ways".into()),
    };
    Diagnosis {
        ok: layer.is_none(),
        layer,
        reason,
        notes,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BridgeReport {
    pub ok: bool,
    pub layer: Option<Layer>,
    pub reason: String,
    pub notes: Vec<String>,
    pub ending: Ending,
    pub far_end: String,
    pub timeline: Timeline,
    pub traffic: Traffic,
    /// From reading the offer to the answer being ready.
    #[serde(serialize_with = "ms")]
    pub answer_in: Option<Duration>,
    /// From the answer leaving to the first RTP each way.
    #[serde(serialize_with = "ms")]
    pub first_rtp_out_after_answer: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub first_rtp_in_after_answer: Option<Duration>,
    /// The far end's own report (an AI's usage, cost and latency).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub far_end_summary: Option<serde_json::Value>,
}

impl BridgeReport {
    pub fn new(
        d: Diagnosis,
        ending: Ending,
        far_end: String,
        timeline: Timeline,
        traffic: Traffic,
    ) -> BridgeReport {
        let after = |x: Option<Duration>| Some(x?.saturating_sub(timeline.answer_ready?));
        BridgeReport {
            ok: d.ok,
            layer: d.layer,
            reason: d.reason,
            notes: d.notes,
            ending,
            far_end,
            answer_in: timeline.answer_ready,
            first_rtp_out_after_answer: after(timeline.first_rtp_out),
            first_rtp_in_after_answer: after(timeline.first_rtp_in),
            timeline,
            traffic,
            far_end_summary: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Option<Duration> {
        Some(Duration::from_millis(n))
    }

    fn full() -> Timeline {
        Timeline {
            answer_ready: ms(2),
            ice_connected: ms(12),
            dtls_connected: ms(23),
            first_rtp_out: ms(24),
            first_rtp_in: ms(45),
            ..Timeline::default()
        }
    }

    fn run(t: &Timeline, ending: Ending) -> Diagnosis {
        let traffic = Traffic::default();
        let cands = ["57.144.215.49:3484".to_string()];
        diagnose(&Evidence {
            timeline: t,
            traffic: &traffic,
            ending: &ending,
            remote_candidates: &cands,
            connect_timeout: Duration::from_secs(15),
            media_window: Some(Duration::from_secs(5)),
        })
    }

    #[test]
    fn each_layer_in_order() {
        assert!(run(&full(), Ending::Duration).ok);
        let mut t = full();
        t.first_rtp_in = None;
        assert_eq!(run(&t, Ending::Duration).layer, Some(Layer::MediaIn));
        t.first_rtp_out = None;
        assert_eq!(run(&t, Ending::Duration).layer, Some(Layer::MediaOut));
        t.dtls_connected = None;
        assert_eq!(run(&t, Ending::ConnectTimeout).layer, Some(Layer::Dtls));
        t.ice_connected = None;
        let d = run(&t, Ending::ConnectTimeout);
        assert_eq!(d.layer, Some(Layer::Ice));
        assert!(
            d.reason.contains("57.144.215.49:3484") && d.reason.contains("within 15 s"),
            "{}",
            d.reason
        );
        let d = run(&full(), Ending::Graph("HTTP 400, code 100".into()));
        assert_eq!(d.layer, Some(Layer::Signalling));
        assert!(d.reason.contains("HTTP 400"));
        // A far end that failed is blamed even when the network was fine.
        let d = run(&full(), Ending::FarEnd("OpenAI answered HTTP 401".into()));
        assert_eq!(d.layer, Some(Layer::FarEnd));
        assert!(d.reason.contains("HTTP 401"));
    }

    #[test]
    fn report_measures_from_the_answer() {
        let r = BridgeReport::new(
            run(&full(), Ending::Duration),
            Ending::Duration,
            "echo".into(),
            full(),
            Traffic::default(),
        );
        assert_eq!(r.first_rtp_out_after_answer, ms(22));
        assert_eq!(r.first_rtp_in_after_answer, ms(43));
        assert_eq!(r.answer_in, ms(2));
    }
}
