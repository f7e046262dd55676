//! Which layer of a call failed, in words a developer can act on, from what
//! the simulated WhatsApp side observed. The checks run in the order a call
//! is set up: signalling, ICE, DTLS, media from the business, media to it.

use super::call::End;
use super::gate::{BusinessSdp, Observations};
use serde::Serialize;
use std::net::SocketAddr;
use std::time::Duration;

/// Moments of the call on WhatsApp's side, as offsets from the offer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timeline {
    #[serde(serialize_with = "ms")]
    pub answer: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub accept: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub ice_connected: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub dtls_connected: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub failed: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub closed: Option<Duration>,
}

pub(crate) fn ms<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_f64((d.as_secs_f64() * 1e6).round() / 1e3),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Signalling,
    Ice,
    Dtls,
    /// RTP from the business to WhatsApp.
    MediaIn,
    /// RTP from WhatsApp to the business.
    MediaOut,
    /// What the business bridges the call to (the AI, a device).
    FarEnd,
}

impl Layer {
    pub fn name(self) -> &'static str {
        match self {
            Layer::Signalling => "signalling",
            Layer::Ice => "ICE",
            Layer::Dtls => "DTLS",
            Layer::MediaIn => "media from the business",
            Layer::MediaOut => "media to the business",
            Layer::FarEnd => "far end",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    pub ok: bool,
    pub layer: Option<Layer>,
    pub reason: String,
    pub notes: Vec<String>,
}

/// Everything the diagnosis looks at.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub answer: Option<&'a BusinessSdp>,
    pub seen: &'a Observations,
    pub timeline: &'a Timeline,
    pub end: Option<&'a End>,
    /// Opus packets WhatsApp's side decoded.
    pub decoded_packets: u64,
    /// Packets WhatsApp's side sent.
    pub sent_packets: u64,
    pub opus_pt: u8,
    pub media_address: SocketAddr,
    /// Business-initiated: WhatsApp answered and is the DTLS client.
    pub business_initiated: bool,
}

fn fail(layer: Layer, reason: String) -> (Option<Layer>, String) {
    (Some(layer), reason)
}

/// `1 check arrived`, `2 checks arrived`: `one|many`.
fn count(n: u64, forms: &str) -> String {
    let (one, many) = forms.split_once('|').unwrap_or((forms, forms));
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn diagnose(e: &Evidence) -> Diagnosis {
    let s = e.seen;
    let mut notes = Vec::new();
    if s.rtp_before_accept > 0 {
        notes.push(format!(
            "{} before accept: WhatsApp counts the first one as the accept, so the caller's timer started early",
            count(s.rtp_before_accept, "RTP packet arrived|RTP packets arrived")
        ));
    }
    if s.role_conflicts > 0 && s.ice_connected.is_some() {
        notes.push(format!(
            "{} ICE-CONTROLLED and got 487 Role Conflict before the bridge switched roles; start controlling",
            count(s.role_conflicts, "check said|checks said")
        ));
    }
    if s.checks_without_role > 0 {
        notes.push(format!(
            "{} neither ICE-CONTROLLING nor ICE-CONTROLLED",
            count(s.checks_without_role, "check carried|checks carried")
        ));
    }
    if s.checks_before_answer > 0 {
        notes.push(format!(
            "{} before the answer reached WhatsApp and ignored (normal: ICE converges once Meta has the answer)",
            count(s.checks_before_answer, "check arrived|checks arrived")
        ));
    }
    let loss = s.rtp_in.loss_fraction();
    if loss > 0.01 {
        notes.push(format!(
            "{:.1}% of the business's RTP was lost",
            loss * 100.0
        ));
    }
    let foreign: Vec<u8> = s
        .rtp_in
        .payload_types
        .iter()
        .copied()
        .filter(|&pt| pt != e.opus_pt)
        .collect();
    if !foreign.is_empty() && e.decoded_packets == 0 {
        notes.push(format!(
            "RTP arrived with payload types {foreign:?}; WhatsApp offered Opus at {}",
            e.opus_pt
        ));
    }
    if s.certificate == Some("rsa") {
        notes.push("the business's DTLS certificate is RSA; Meta recommends ECDSA (smaller, no fragmentation)".into());
    }
    if s.rtp_in.ssrcs.len() > 1 {
        notes.push(format!(
            "{} SSRCs from the business; Meta requires one",
            s.rtp_in.ssrcs.len()
        ));
    }

    let setup = e
        .answer
        .and_then(|a| a.setup.clone())
        .unwrap_or_else(|| "(none)".into());
    let (layer, reason) = if let (None, Some(End::Aborted(why))) = (e.answer, e.end) {
        fail(Layer::Signalling, why.clone())
    } else if let (None, Some(End::Rejected)) = (e.answer, e.end) {
        fail(
            Layer::Signalling,
            "the business rejected the call (Graph `reject`) instead of answering".into(),
        )
    } else if e.answer.is_none() {
        fail(
            Layer::Signalling,
            "no answer: the business never sent pre_accept or accept".into(),
        )
    } else if e.answer.is_some_and(|a| a.ice_lite) {
        fail(
            Layer::Ice,
            format!(
                "the answer declares a=ice-lite: WhatsApp is ICE-lite too, so no connectivity check can succeed ({} ignored)",
                s.checks_ignored_ice_lite
            ),
        )
    } else if s.checks == 0 {
        fail(
            Layer::Ice,
            format!(
                "no connectivity checks arrived at WhatsApp's candidate {}: the business's ICE agent never reached it",
                e.media_address
            ),
        )
    } else if s.ice_connected.is_none() && s.role_conflicts > 0 {
        fail(
            Layer::Ice,
            format!(
                "wrong ICE role: {} checks said ICE-CONTROLLED; WhatsApp is ICE-lite, so the business must be controlling (answered 487 Role Conflict)",
                s.role_conflicts
            ),
        )
    } else if s.ice_connected.is_none() && s.bad_credentials > 0 {
        fail(
            Layer::Ice,
            format!(
                "wrong credentials on {} checks: {}",
                s.bad_credentials,
                s.bad_credentials_reason.clone().unwrap_or_default()
            ),
        )
    } else if s.ice_connected.is_none() {
        fail(
            Layer::Ice,
            format!("{} checks arrived, but none succeeded", s.checks),
        )
    } else if s.nominations == 0 {
        fail(
            Layer::Ice,
            "checks succeeded, but no candidate pair was nominated (no USE-CANDIDATE)".into(),
        )
    } else if e.business_initiated && e.timeline.dtls_connected.is_none() {
        let sent = if s.sim_client_hello.is_some() {
            "sent its ClientHello"
        } else {
            "did not get to send a ClientHello"
        };
        fail(
            Layer::Dtls,
            format!(
                "on a business-initiated call WhatsApp is the DTLS client; it {sent}, and the handshake did not complete (the business's offer says setup:{setup})"
            ),
        )
    } else if !e.business_initiated && s.client_hello.is_none() {
        fail(
            Layer::Dtls,
            format!(
                "no DTLS ClientHello from the business: the answer says setup:{setup}, and WhatsApp is the DTLS server, waiting for it"
            ),
        )
    } else if e.timeline.dtls_connected.is_none() {
        fail(
            Layer::Dtls,
            "a ClientHello arrived, but the DTLS handshake did not complete (does the answer's fingerprint match the certificate?)".into(),
        )
    } else if s.first_rtp_in.is_none() {
        fail(
            Layer::MediaIn,
            "DTLS connected, but no RTP arrived from the business: WhatsApp waits for its first packet, then hangs up (138021)".into(),
        )
    } else if e.decoded_packets == 0 {
        fail(
            Layer::MediaIn,
            "RTP arrived, but none of it was Opus WhatsApp could decode".into(),
        )
    } else if s.first_rtp_out.is_none() || e.sent_packets == 0 {
        fail(
            Layer::MediaOut,
            "WhatsApp's side never sent media to the business".into(),
        )
    } else if let Some(end @ (End::NoMediaAtStart | End::MediaTimeout)) = e.end {
        fail(Layer::MediaIn, end.describe())
    } else {
        (None, "media flowed both ways".into())
    };
    Diagnosis {
        ok: layer.is_none(),
        layer,
        reason,
        notes,
    }
}

#[cfg(test)]
#[path = "diagnose_tests.rs"]
mod tests;
