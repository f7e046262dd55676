//! The service's counters and histograms, rendered in Prometheus' text
//! exposition format (version 0.0.4). Pure: values come in, text goes out.

use std::collections::BTreeMap;
use std::fmt::Write;

/// A cumulative histogram with fixed upper bounds (ms).
#[derive(Debug, Clone)]
pub struct Histogram {
    bounds: &'static [f64],
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

/// Setup and first-audio times: WhatsApp's budget is seconds, the goal tens of ms.
pub const MS_BUCKETS: &[f64] = &[
    5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0,
];

/// Interarrival jitter of a call's incoming audio (RFC 3550), in ms.
pub const JITTER_BUCKETS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 50.0, 100.0, 200.0];

/// The AI's answer after a caller's turn: hundreds of ms is good, seconds is not.
pub const TURN_BUCKETS: &[f64] = &[
    100.0, 250.0, 500.0, 750.0, 1000.0, 1500.0, 2000.0, 3000.0, 5000.0,
];

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: vec![0; bounds.len()],
            sum: 0.0,
            count: 0,
        }
    }

    pub fn observe(&mut self, v: f64) {
        for (i, b) in self.bounds.iter().enumerate() {
            if v <= *b {
                self.counts[i] += 1;
            }
        }
        self.sum += v;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (b, c) in self.bounds.iter().zip(&self.counts) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {c}");
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum {}", self.sum);
        let _ = writeln!(out, "{name}_count {}", self.count);
    }
}

#[derive(Debug, Clone)]
pub struct Metrics {
    pub started: u64,
    pub succeeded: u64,
    /// Failed calls by the layer the diagnosis named.
    pub failed: BTreeMap<String, u64>,
    pub rejected_draining: u64,
    /// Calls rejected because `--max-calls` were in progress.
    pub rejected_full: u64,
    /// Answer sent to media both ways.
    pub setup_ms: Histogram,
    /// Answer sent to the first packet from WhatsApp.
    pub first_audio_ms: Histogram,
    pub packets_in: u64,
    pub packets_out: u64,
    pub packets_lost: u64,
    /// 20 ms frames never sent because the media loop's tick came late.
    pub frames_skipped: u64,
    /// Each ended call's incoming jitter.
    pub jitter_ms: Histogram,
    /// Each answered turn: its end to the far end's first audio.
    pub turn_latency_ms: Histogram,
    /// The far ends' estimated cost (OpenAI's usage at the configured prices).
    pub cost_usd: f64,
    /// Requests for calls owned by another instance, passed on to it.
    pub routed: u64,
    /// Calls held by instances that died (as seen by this one).
    pub lost_with_instance: u64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: 0,
            succeeded: 0,
            failed: BTreeMap::new(),
            rejected_draining: 0,
            rejected_full: 0,
            setup_ms: Histogram::new(MS_BUCKETS),
            first_audio_ms: Histogram::new(MS_BUCKETS),
            packets_in: 0,
            packets_out: 0,
            packets_lost: 0,
            frames_skipped: 0,
            jitter_ms: Histogram::new(JITTER_BUCKETS),
            turn_latency_ms: Histogram::new(TURN_BUCKETS),
            cost_usd: 0.0,
            routed: 0,
            lost_with_instance: 0,
        }
    }
}

impl Metrics {
    pub fn render(&self, active: usize, draining: bool) -> String {
        let mut o = String::new();
        let mut counter = |name: &str, help: &str, kind: &str, v: u64| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
        };
        counter(
            "wacall_calls_active",
            "Calls in progress.",
            "gauge",
            active as u64,
        );
        counter(
            "wacall_draining",
            "1 while the service drains before exit.",
            "gauge",
            u64::from(draining),
        );
        counter(
            "wacall_requests_routed_total",
            "Terminates and control requests passed on to the instance that owns the call.",
            "counter",
            self.routed,
        );
        counter(
            "wacall_calls_lost_with_instance_total",
            "Calls held by another instance when it died.",
            "counter",
            self.lost_with_instance,
        );
        counter(
            "wacall_calls_started_total",
            "Calls answered.",
            "counter",
            self.started,
        );
        counter(
            "wacall_calls_succeeded_total",
            "Calls with media both ways.",
            "counter",
            self.succeeded,
        );
        counter(
            "wacall_calls_rejected_draining_total",
            "Calls rejected while draining.",
            "counter",
            self.rejected_draining,
        );
        counter(
            "wacall_calls_rejected_full_total",
            "Calls rejected because --max-calls were in progress.",
            "counter",
            self.rejected_full,
        );
        counter(
            "wacall_rtp_packets_in_total",
            "RTP packets from WhatsApp.",
            "counter",
            self.packets_in,
        );
        counter(
            "wacall_rtp_packets_out_total",
            "RTP packets to WhatsApp.",
            "counter",
            self.packets_out,
        );
        counter(
            "wacall_rtp_packets_lost_total",
            "RTP packets from WhatsApp that never came.",
            "counter",
            self.packets_lost,
        );
        counter(
            "wacall_frames_skipped_total",
            "20 ms frames not sent because the media loop's tick came late: the machine is short of CPU.",
            "counter",
            self.frames_skipped,
        );
        let _ = writeln!(
            o,
            "# HELP wacall_calls_failed_total Calls that failed, by layer.\n# TYPE wacall_calls_failed_total counter"
        );
        for (layer, n) in &self.failed {
            let _ = writeln!(o, "wacall_calls_failed_total{{layer=\"{layer}\"}} {n}");
        }
        self.setup_ms.render(
            &mut o,
            "wacall_call_setup_ms",
            "From the answer to media both ways, in ms.",
        );
        self.first_audio_ms.render(
            &mut o,
            "wacall_first_audio_ms",
            "From the answer to WhatsApp's first RTP packet, in ms.",
        );
        self.jitter_ms.render(
            &mut o,
            "wacall_rtp_jitter_ms",
            "Interarrival jitter of each ended call's audio from WhatsApp (RFC 3550), in ms.",
        );
        self.turn_latency_ms.render(
            &mut o,
            "wacall_far_end_turn_latency_ms",
            "From the end of a caller's turn to the far end's first audio in answer, in ms.",
        );
        let _ = writeln!(
            o,
            "# HELP wacall_far_end_cost_usd_total Estimated cost of the far ends (OpenAI usage at the configured prices).\n# TYPE wacall_far_end_cost_usd_total counter\nwacall_far_end_cost_usd_total {}",
            self.cost_usd
        );
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let mut m = Metrics {
            started: 3,
            succeeded: 2,
            rejected_full: 2,
            frames_skipped: 7,
            ..Metrics::default()
        };
        m.failed.insert("ice".into(), 1);
        m.setup_ms.observe(30.0);
        m.setup_ms.observe(300.0);
        m.jitter_ms.observe(3.5);
        m.turn_latency_ms.observe(620.0);
        m.cost_usd = 0.0125;
        let t = m.render(1, false);
        assert!(
            t.contains(
                "wacall_rtp_jitter_ms_bucket{le=\"2\"} 0\nwacall_rtp_jitter_ms_bucket{le=\"5\"} 1\n"
            ),
            "{t}"
        );
        assert!(
            t.contains("wacall_far_end_turn_latency_ms_bucket{le=\"750\"} 1\n"),
            "{t}"
        );
        assert!(t.contains("# TYPE wacall_far_end_cost_usd_total counter\nwacall_far_end_cost_usd_total 0.0125\n"), "{t}");
        assert!(
            t.contains("# TYPE wacall_calls_active gauge\nwacall_calls_active 1\n"),
            "{t}"
        );
        assert!(t.contains("wacall_calls_failed_total{layer=\"ice\"} 1\n"));
        assert!(t.contains("wacall_calls_rejected_full_total 2\n"), "{t}");
        assert!(
            t.contains(
                "# TYPE wacall_frames_skipped_total counter\nwacall_frames_skipped_total 7\n"
            ),
            "{t}"
        );
        assert!(
            t.contains("wacall_call_setup_ms_bucket{le=\"50\"} 1\n"),
            "{t}"
        );
        assert!(t.contains("wacall_call_setup_ms_bucket{le=\"500\"} 2\n"));
        assert!(t.contains("wacall_call_setup_ms_bucket{le=\"+Inf\"} 2\nwacall_call_setup_ms_sum 330\nwacall_call_setup_ms_count 2\n"));
        // Every sample line is `name{labels} value` or `name value`.
        for l in t.lines().filter(|l| !l.starts_with('#')) {
            assert_eq!(l.split(' ').count(), 2, "{l}");
        }
    }
}

/// Unix milliseconds as RFC 3339 UTC (`2026-12-01T09:05:02.123Z`), for log lines.
pub fn rfc3339_ms(unix_ms: u64) -> String {
    let (secs, ms) = (unix_ms / 1000, unix_ms % 1000);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn rfc3339_dates() {
        assert_eq!(super::rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            super::rfc3339_ms(951_782_400_123),
            "2000-02-29T00:00:00.123Z"
        );
        assert_eq!(
            super::rfc3339_ms(1_796_115_902_007),
            "2026-12-01T09:05:02.007Z"
        );
    }
}
