//! What one simulated call and a whole run amount to, as data: printed by
//! `wacall sim`, returned by the library API, compared in tests.

use super::call::End;
use super::diagnose::{Diagnosis, Layer, ms};
use crate::core::audio::Analysis;
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Milestones {
    #[serde(serialize_with = "ms")]
    pub webhook_delivered: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub answer: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub accept: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub first_check: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub ice_connected: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub client_hello: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub dtls_connected: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub first_rtp_in: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub first_rtp_out: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub ended: Option<Duration>,
}

impl Milestones {
    /// From the answer reaching WhatsApp to media flowing both ways.
    pub fn setup(&self) -> Option<Duration> {
        let both = self.first_rtp_in?.max(self.first_rtp_out?);
        Some(both.saturating_sub(self.answer?))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MediaIn {
    pub packets: u64,
    pub lost: u64,
    pub loss_percent: f64,
    pub jitter_ms: f64,
    pub payload_types: Vec<u8>,
    pub ssrcs: usize,
    pub decoded_packets: u64,
    pub concealed_frames: u64,
    pub dtmf: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MediaOut {
    pub packets: u64,
    pub dtmf_packets: u64,
    /// Frames the sender skipped because it was late (no bursts: the clock moves on).
    pub skipped_frames: u64,
    pub write_errors: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphRequest {
    #[serde(serialize_with = "ms")]
    pub at: Option<Duration>,
    pub action: String,
    pub status: u16,
    pub details: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallReport {
    pub index: usize,
    pub call_id: String,
    pub ok: bool,
    pub layer: Option<Layer>,
    pub reason: String,
    pub notes: Vec<String>,
    pub end: End,
    pub terminate_status: &'static str,
    pub error_code: Option<i64>,
    pub milestones: Milestones,
    #[serde(serialize_with = "ms")]
    pub setup: Option<Duration>,
    pub media_in: MediaIn,
    pub media_out: MediaOut,
    /// What WhatsApp's side heard from the business.
    pub heard: Analysis,
    pub graph_requests: Vec<GraphRequest>,
    pub webhook_attempts: u32,
    /// The business's DTLS certificate key, as seen on the wire.
    pub business_certificate: Option<&'static str>,
}

impl CallReport {
    pub fn new(index: usize, call_id: String, d: Diagnosis, end: End) -> CallReport {
        CallReport {
            index,
            call_id,
            ok: d.ok,
            layer: d.layer,
            reason: d.reason,
            notes: d.notes,
            terminate_status: end.status(),
            error_code: end.error().map(|e| e.0),
            end,
            milestones: Milestones::default(),
            setup: None,
            media_in: MediaIn::default(),
            media_out: MediaOut::default(),
            heard: Analysis {
                seconds: 0.0,
                level_dbfs: -120.0,
                dominant_hz: None,
            },
            graph_requests: Vec::new(),
            webhook_attempts: 0,
            business_certificate: None,
        }
    }
}

/// The numbers of a run of calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub calls: usize,
    pub ok: usize,
    pub failed: usize,
    pub setup_p50_ms: Option<f64>,
    pub setup_p95_ms: Option<f64>,
    pub packets_in: u64,
    pub packets_out: u64,
    pub lost: u64,
    pub loss_percent: f64,
    pub jitter_ms_max: f64,
    /// Frames the simulated callers skipped because their own ticks came
    /// late: the simulator was short of CPU, and the run understates the
    /// business.
    pub skipped_frames_out: u64,
    pub skipped_percent_out: f64,
    /// Of the 20 ms frames from the business's first packet to each call's
    /// end, the share that neither arrived nor was lost on the way: never
    /// sent (a sender behind its clock, or DTX).
    pub unsent_percent_in: f64,
    /// Failed calls by layer, in words.
    pub failures: Vec<(String, usize)>,
}

/// One RTP packet a 20 ms frame.
const FRAME_MS: f64 = 20.0;

/// The frames a call's media from the business should have carried, and
/// how many never came (neither received nor lost).
fn unsent_in(r: &CallReport) -> Option<(f64, f64)> {
    let m = &r.milestones;
    let span = m.ended?.checked_sub(m.first_rtp_in?)?;
    let due = (span.as_secs_f64() * 1000.0 / FRAME_MS).max(1.0);
    let came = (r.media_in.packets + r.media_in.lost) as f64;
    Some((due, (due - came).max(0.0)))
}

/// `part` of `whole`, in percent (0 when there is no whole).
fn percent(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        100.0 * part / whole
    } else {
        0.0
    }
}

/// The `q` quantile (0.0-1.0) by nearest rank.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

impl Summary {
    pub fn of(reports: &[CallReport]) -> Summary {
        let mut setups: Vec<f64> = reports
            .iter()
            .filter_map(|r| r.setup)
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect();
        setups.sort_by(f64::total_cmp);
        let packets_in: u64 = reports.iter().map(|r| r.media_in.packets).sum();
        let packets_out: u64 = reports.iter().map(|r| r.media_out.packets).sum();
        let skipped: u64 = reports.iter().map(|r| r.media_out.skipped_frames).sum();
        let (due, unsent) = reports
            .iter()
            .filter_map(unsent_in)
            .fold((0.0, 0.0), |(d, u), (dd, uu)| (d + dd, u + uu));
        let lost: u64 = reports.iter().map(|r| r.media_in.lost).sum();
        let mut failures: Vec<(String, usize)> = Vec::new();
        for r in reports.iter().filter(|r| !r.ok) {
            let name = r
                .layer
                .map(|l| l.name().to_string())
                .unwrap_or_else(|| "other".into());
            match failures.iter_mut().find(|(n, _)| *n == name) {
                Some((_, c)) => *c += 1,
                None => failures.push((name, 1)),
            }
        }
        Summary {
            calls: reports.len(),
            ok: reports.iter().filter(|r| r.ok).count(),
            failed: reports.iter().filter(|r| !r.ok).count(),
            setup_p50_ms: quantile(&setups, 0.5),
            setup_p95_ms: quantile(&setups, 0.95),
            packets_in,
            packets_out,
            lost,
            loss_percent: percent(lost as f64, (packets_in + lost) as f64),
            jitter_ms_max: reports
                .iter()
                .map(|r| r.media_in.jitter_ms)
                .fold(0.0, f64::max),
            skipped_frames_out: skipped,
            skipped_percent_out: percent(skipped as f64, (packets_out + skipped) as f64),
            unsent_percent_in: percent(unsent, due),
            failures,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), Some(10.0));
        assert_eq!(quantile(&v, 0.95), Some(19.0));
        assert_eq!(quantile(&v, 1.0), Some(20.0));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[7.0], 0.95), Some(7.0));
    }

    fn call(
        first_in_ms: u64,
        ended_ms: u64,
        packets_in: u64,
        lost: u64,
        out: u64,
        skipped: u64,
    ) -> CallReport {
        let d = Diagnosis {
            ok: true,
            layer: None,
            reason: String::new(),
            notes: Vec::new(),
        };
        let mut r = CallReport::new(1, "wacid.X".into(), d, End::Completed);
        r.milestones.first_rtp_in = Some(Duration::from_millis(first_in_ms));
        r.milestones.ended = Some(Duration::from_millis(ended_ms));
        r.media_in.packets = packets_in;
        r.media_in.lost = lost;
        r.media_out.packets = out;
        r.media_out.skipped_frames = skipped;
        r
    }

    #[test]
    fn frames_never_sent_are_counted_apart_from_loss() {
        // 10 s of media each: 500 frames due. One call got them all but 10
        // lost on the way; the other got 300, lost none: 200 never sent.
        let s = Summary::of(&[
            call(1000, 11_000, 490, 10, 500, 0),
            call(0, 10_000, 300, 0, 400, 100),
        ]);
        assert_eq!(s.lost, 10);
        assert!(
            (s.loss_percent - 100.0 * 10.0 / 800.0).abs() < 1e-9,
            "{s:?}"
        );
        assert!((s.unsent_percent_in - 20.0).abs() < 1e-9, "{s:?}");
        assert_eq!(s.skipped_frames_out, 100);
        assert!((s.skipped_percent_out - 10.0).abs() < 1e-9, "{s:?}");
        // A call that never got media counts toward neither.
        let mut none = call(0, 0, 0, 0, 0, 0);
        none.milestones.first_rtp_in = None;
        assert_eq!(Summary::of(&[none]).unsent_percent_in, 0.0);
    }

    #[test]
    fn setup_needs_both_directions() {
        let m = Milestones {
            answer: Some(Duration::from_millis(10)),
            first_rtp_in: Some(Duration::from_millis(300)),
            first_rtp_out: Some(Duration::from_millis(320)),
            ..Milestones::default()
        };
        assert_eq!(m.setup(), Some(Duration::from_millis(310)));
        assert_eq!(Milestones::default().setup(), None);
    }
}
