//! What a bridged call reports as it goes: the clock it counts from, its
//! traffic numbers, WhatsApp's candidates for the diagnosis, and the lint
//! of the answer it is about to send.

use super::Event;
use crate::core::bridge::{Timeline, Traffic};
use crate::core::input::{self, CallDirection};
use crate::core::lint::{self, Finding};
use crate::core::sdp::{Sdp, parse_candidate};
use crate::io::media::MediaStats;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

pub(super) struct Run {
    pub t0: Instant,
    pub events: mpsc::UnboundedSender<Event>,
    pub timeline: Timeline,
}

impl Run {
    pub fn at(&self) -> Duration {
        self.t0.elapsed()
    }
    pub fn step(&self, what: impl Into<String>) {
        let _ = self.events.send(Event::Step {
            at: self.at(),
            what: what.into(),
        });
    }
}

pub(super) fn traffic(m: &MediaStats) -> Traffic {
    Traffic {
        packets_out: m.sent_packets,
        silence_packets_out: m.sent_silence,
        bytes_out: m.sent_bytes,
        packets_in: m.received_packets,
        bytes_in: m.received_bytes,
        lost_in: m.rx.lost(),
        loss_percent_in: m.rx.loss_fraction() * 100.0,
        jitter_ms_in: m.rx.jitter_ms(48_000),
        concealed_frames: m.concealed_frames,
        skipped_frames_out: m.skipped_frames,
        write_errors: m.write_errors,
        dtmf_in: m.digits.clone(),
        level_in_dbfs: m.level_in_dbfs,
        level_out_dbfs: m.level_out_dbfs,
    }
}

/// WhatsApp's candidates, for the diagnosis.
pub(super) fn remote_candidates(offer: &str) -> Vec<String> {
    let sdp = Sdp::parse(offer);
    sdp.lines
        .iter()
        .filter_map(|l| match l.attribute() {
            Some(("candidate", Some(v))) => parse_candidate(v).ok(),
            _ => None,
        })
        .map(|c| {
            if c.address.contains(':') {
                format!("[{}]:{}", c.address, c.port)
            } else {
                format!("{}:{}", c.address, c.port)
            }
        })
        .collect()
}

/// Lints our answer against the offer, as `lint-sdp` would.
pub fn lint_answer(offer: &str, answer: &str) -> Vec<Finding> {
    match (
        input::detect(offer.as_bytes()),
        input::detect(answer.as_bytes()),
    ) {
        (Ok(o), Ok(a)) => lint::check(Some(&o), Some(&a), CallDirection::UserInitiated).findings,
        _ => Vec::new(),
    }
}
