//! What WhatsApp's media server does with the packets a bridge sends it, as
//! a pure policy over datagrams.
//!
//! The simulator's media peer is webrtc-rs in ICE-lite mode; every datagram
//! its socket sends or receives crosses this gate. It lets the peer behave as
//! WhatsApp does where webrtc-rs would not (it answers `487 Role Conflict`
//! to a controlled agent, runs no ICE with an answer that claims ICE-lite,
//! ignores everything before the answer), and it observes what a bridge did
//! (checks, credentials, nomination, ClientHello, RTP) so a failed call can
//! be explained layer by layer.

use crate::core::rtp::{self, Kind, ReceiveStats};
use crate::core::stun::{self, Builder, Class, Message};
use serde::Serialize;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// What the business's SDP (its answer, or its offer on a business-initiated
/// call) said that matters to the gate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BusinessSdp {
    pub ice_lite: bool,
    /// `a=setup` of the answer, as written.
    pub setup: Option<String>,
    pub ice_ufrag: Option<String>,
}

/// The verdict on one datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Pass it on unchanged.
    Forward,
    /// Do not pass it; send this back to where it came from.
    Reply(Vec<u8>),
    Drop,
}

/// Times are offsets from the gate's start (the offer), for reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Observations {
    pub checks: u64,
    pub checks_before_answer: u64,
    pub checks_ignored_ice_lite: u64,
    pub role_conflicts: u64,
    pub bad_credentials: u64,
    /// Why the last rejected check was rejected.
    pub bad_credentials_reason: Option<String>,
    pub checks_without_role: u64,
    pub nominations: u64,
    #[serde(serialize_with = "super::diagnose::ms")]
    pub first_check: Option<Duration>,
    #[serde(serialize_with = "super::diagnose::ms")]
    pub ice_connected: Option<Duration>,
    #[serde(serialize_with = "super::diagnose::ms")]
    pub ice_nominated: Option<Duration>,
    #[serde(serialize_with = "super::diagnose::ms")]
    pub client_hello: Option<Duration>,
    /// WhatsApp's side sent a ClientHello: it should never be the DTLS client.
    #[serde(serialize_with = "super::diagnose::ms")]
    pub sim_client_hello: Option<Duration>,
    #[serde(serialize_with = "super::diagnose::ms")]
    pub first_rtp_in: Option<Duration>,
    #[serde(serialize_with = "super::diagnose::ms")]
    pub first_rtp_out: Option<Duration>,
    #[serde(serialize_with = "super::diagnose::ms")]
    pub last_media_in: Option<Duration>,
    pub rtp_before_accept: u64,
    pub rtcp_in: u64,
    pub rtp_out: u64,
    pub bytes_out: u64,
    pub dropped_before_answer: u64,
    /// The business's DTLS certificate key, read from its clear-text
    /// Certificate message (DTLS 1.2): `ecdsa-p256`, `ecdsa`, `rsa`.
    pub certificate: Option<&'static str>,
    #[serde(skip)]
    pub rtp_in: ReceiveStats,
}

pub struct Gate {
    start: Instant,
    local_ufrag: String,
    local_pwd: String,
    answer: Option<BusinessSdp>,
    accepted: bool,
    /// Transactions of checks carrying USE-CANDIDATE, to see them succeed.
    nominating: HashSet<[u8; 12]>,
    pub seen: Observations,
}

impl Gate {
    pub fn new(start: Instant, local_ufrag: &str, local_pwd: &str) -> Gate {
        Gate {
            start,
            local_ufrag: local_ufrag.to_string(),
            local_pwd: local_pwd.to_string(),
            answer: None,
            accepted: false,
            nominating: HashSet::new(),
            seen: Observations::default(),
        }
    }

    /// The answer arrived (pre_accept or accept): ICE may start.
    pub fn set_answer(&mut self, facts: BusinessSdp) {
        self.answer = Some(facts);
    }

    pub fn answer(&self) -> Option<&BusinessSdp> {
        self.answer.as_ref()
    }

    /// The call was accepted: media from here on is the call.
    pub fn set_accepted(&mut self) {
        self.accepted = true;
    }

    fn at(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.start)
    }

    fn mark(slot: &mut Option<Duration>, at: Duration) {
        slot.get_or_insert(at);
    }

    /// A datagram from the bridge to WhatsApp.
    pub fn from_bridge(&mut self, now: Instant, data: &[u8]) -> Verdict {
        let at = self.at(now);
        if self.answer.is_none() {
            // Meta has not processed an answer yet: it knows no credentials
            // and no fingerprint, so nothing from the bridge can be handled.
            if rtp::classify(data) == Kind::Stun {
                self.seen.checks_before_answer += 1;
            }
            self.seen.dropped_before_answer += 1;
            return Verdict::Drop;
        }
        match rtp::classify(data) {
            // Cloned for checks only: every media packet passes here too.
            Kind::Stun => {
                let answer = self.answer.clone().unwrap_or_default();
                self.check(at, data, &answer)
            }
            Kind::Dtls { client_hello } => {
                if client_hello {
                    Self::mark(&mut self.seen.client_hello, at);
                }
                if self.seen.certificate.is_none() {
                    self.seen.certificate = certificate_key(data);
                }
                Verdict::Forward
            }
            Kind::Rtp(h) => {
                Self::mark(&mut self.seen.first_rtp_in, at);
                self.seen.last_media_in = Some(at);
                if !self.accepted {
                    self.seen.rtp_before_accept += 1;
                }
                let arrival = (at.as_secs_f64() * 48_000.0) as i64;
                self.seen.rtp_in.record(&h, data.len(), arrival);
                Verdict::Forward
            }
            Kind::Rtcp => {
                self.seen.rtcp_in += 1;
                self.seen.last_media_in = Some(at);
                Verdict::Forward
            }
            Kind::Other => Verdict::Drop,
        }
    }

    fn check(&mut self, at: Duration, data: &[u8], answer: &BusinessSdp) -> Verdict {
        let Ok(m) = Message::parse(data) else {
            return Verdict::Drop;
        };
        if m.class != Class::Request || m.method != stun::BINDING {
            return Verdict::Forward;
        }
        self.seen.checks += 1;
        Self::mark(&mut self.seen.first_check, at);
        if answer.ice_lite {
            // Both sides ICE-lite: WhatsApp runs no connectivity checks at all.
            self.seen.checks_ignored_ice_lite += 1;
            return Verdict::Drop;
        }
        if let Some(reason) = self.credentials_problem(&m, data, answer) {
            self.seen.bad_credentials += 1;
            self.seen.bad_credentials_reason = Some(reason);
            // RFC 8489 §9.1.3: 401 to a request that fails authentication; unsigned.
            let reply = Builder::new(Class::Error, stun::BINDING, m.transaction)
                .error_code(401, "Unauthorized")
                .fingerprint()
                .build();
            return Verdict::Reply(reply);
        }
        if m.has(stun::ICE_CONTROLLED) {
            // WhatsApp is ICE-lite and so always controlled (RFC 8445 §6.1.1);
            // a controlled bridge is a role conflict it does not give in to.
            self.seen.role_conflicts += 1;
            let reply = Builder::new(Class::Error, stun::BINDING, m.transaction)
                .error_code(487, "Role Conflict")
                .integrity(self.local_pwd.as_bytes())
                .fingerprint()
                .build();
            return Verdict::Reply(reply);
        }
        if !m.has(stun::ICE_CONTROLLING) {
            self.seen.checks_without_role += 1;
        }
        if m.has(stun::USE_CANDIDATE) {
            self.seen.nominations += 1;
            self.nominating.insert(m.transaction);
        }
        Verdict::Forward
    }

    fn credentials_problem(
        &self,
        m: &Message,
        data: &[u8],
        answer: &BusinessSdp,
    ) -> Option<String> {
        let Some(username) = m.username() else {
            return Some("a check without USERNAME".into());
        };
        let (ours, theirs) = username.split_once(':').unwrap_or((&username, ""));
        if ours != self.local_ufrag {
            return Some(format!(
                "USERNAME `{username}` does not start with WhatsApp's ufrag `{}`",
                self.local_ufrag
            ));
        }
        if let Some(expected) = &answer.ice_ufrag
            && theirs != expected
        {
            return Some(format!(
                "USERNAME `{username}` ends in `{theirs}`, but the answer's ice-ufrag is `{expected}`"
            ));
        }
        match m.verify_integrity(data, self.local_pwd.as_bytes()) {
            Some(true) => None,
            Some(false) => Some("MESSAGE-INTEGRITY does not verify with WhatsApp's ice-pwd".into()),
            None => Some("a check without MESSAGE-INTEGRITY".into()),
        }
    }

    /// A datagram from WhatsApp's side to the bridge.
    pub fn from_inner(&mut self, now: Instant, data: &[u8]) -> Verdict {
        let at = self.at(now);
        match rtp::classify(data) {
            Kind::Stun => {
                let Ok(m) = Message::parse(data) else {
                    return Verdict::Forward;
                };
                if m.class != Class::Success {
                    return Verdict::Forward;
                }
                Self::mark(&mut self.seen.ice_connected, at);
                if self.nominating.remove(&m.transaction) {
                    Self::mark(&mut self.seen.ice_nominated, at);
                }
                Verdict::Forward
            }
            Kind::Dtls { client_hello } => {
                if client_hello {
                    Self::mark(&mut self.seen.sim_client_hello, at);
                }
                Verdict::Forward
            }
            Kind::Rtp(_) => {
                Self::mark(&mut self.seen.first_rtp_out, at);
                self.seen.rtp_out += 1;
                self.seen.bytes_out += data.len() as u64;
                Verdict::Forward
            }
            Kind::Rtcp | Kind::Other => Verdict::Forward,
        }
    }
}

/// The key type of an X.509 certificate inside a DTLS flight, by its OIDs.
fn certificate_key(data: &[u8]) -> Option<&'static str> {
    const EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    const RSA: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
    ];
    let has = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
    if has(EC_PUBLIC_KEY) {
        Some(if has(P256) { "ecdsa-p256" } else { "ecdsa" })
    } else if has(RSA) {
        Some("rsa")
    } else {
        None
    }
}

#[cfg(test)]
#[path = "gate_tests.rs"]
mod tests;
