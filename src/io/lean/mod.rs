//! The lean media path: the business side of a call without a WebRTC
//! stack once the offer is in. WhatsApp's side is fixed (ICE-lite, DTLS
//! server, one Opus stream with rtcp-mux and BUNDLE), so ours needs only
//! ICE checks as the controlling agent ([`ice`]), a DTLS client with
//! SRTP keys ([`dtls`]), SRTP per packet and RTCP reports ([`rtcp`]).
//! Per packet that is one SRTP operation and no queue, where webrtc-rs's
//! core runs an interceptor chain (`cargo bench --bench rtc_core` against
//! `srtp_floor`: 1.89 against 0.05 ms per call-second at 1000 calls).
//!
//! Sans-IO: datagrams and time in, datagrams, events and RTP out; the
//! driver in [`crate::io::direct`] runs it on a socket. `serve`,
//! `bridge` and `listen` take it with `--media-stack lean`.

pub mod answer;
pub mod dtls;
pub mod ice;
pub mod rtcp;

use crate::core::rtp::Header;
use crate::io::direct::Conn;
use crate::io::rtc::PeerEvent;
use ::rtc::peer_connection::sdp::RTCSessionDescription;
use ::rtc::peer_connection::state::{RTCIceConnectionState, RTCPeerConnectionState};
use ::rtc::shared::marshal::{Marshal, Unmarshal};
use bytes::BytesMut;
use dimpl::DtlsCertificate;
use dtls::{Client, Happened};
use ice::{Credentials, Ice, IceState};
use rtcp::Reports;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

/// Which side of WhatsApp's call this core runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The business: full ICE agent, controlling; DTLS client.
    Business,
    /// WhatsApp as `wacall sim` plays it: ICE-lite; DTLS server.
    WhatsApp,
}

pub struct LeanConfig {
    pub role: Role,
    pub creds: Credentials,
    /// The offer's UDP candidates of our socket's family.
    pub remotes: Vec<SocketAddr>,
    /// SHA-256 of the certificate WhatsApp must present.
    pub fingerprint: Vec<u8>,
    /// Ours, whose fingerprint our description carries.
    pub cert: DtlsCertificate,
    pub ssrc: u32,
    /// What may be sent: the business's answer's payload types (for
    /// WhatsApp's side, narrowed again by the answer it gets).
    pub payload_types: Vec<u8>,
    pub check_interval: Duration,
    pub attempts: u32,
    /// The wall clock now, for RTCP's NTP times.
    pub wall: SystemTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    New,
    Checking,
    Securing,
    Connected,
    Ended,
}

pub struct Lean {
    role: Role,
    ice: Ice,
    dtls: Option<Client>,
    cert: Option<DtlsCertificate>,
    fingerprint: Vec<u8>,
    reports: Reports,
    payload_types: Vec<u8>,
    phase: Phase,
    created: Instant,
    out: VecDeque<(BytesMut, SocketAddr)>,
    scratch: Vec<(Vec<u8>, SocketAddr)>,
    events: VecDeque<PeerEvent>,
    rtp: VecDeque<::rtc::rtp::Packet>,
}

impl Lean {
    pub fn new(c: LeanConfig, now: Instant) -> Lean {
        let ice = match c.role {
            Role::Business => Ice::new(c.creds, c.remotes, c.check_interval, c.attempts, now),
            Role::WhatsApp => Ice::lite(c.creds.local_ufrag, c.creds.local_pwd, now),
        };
        Lean {
            role: c.role,
            ice,
            dtls: None,
            cert: Some(c.cert),
            fingerprint: c.fingerprint,
            reports: Reports::new(c.ssrc, c.wall, now),
            payload_types: c.payload_types,
            phase: Phase::New,
            created: now,
            out: VecDeque::new(),
            scratch: Vec::new(),
            events: VecDeque::new(),
            rtp: VecDeque::new(),
        }
    }

    fn fail(&mut self, why: String) {
        if self.phase == Phase::Ended {
            return;
        }
        // The bridge reports the layer from its events; the exact reason
        // (a forged certificate, consent lost) is for the log.
        tracing::warn!(why, "lean media path failed");
        self.phase = Phase::Ended;
        self.events
            .push_back(PeerEvent::State(RTCPeerConnectionState::Failed));
    }

    /// Moves on from what ICE and DTLS did, and queues what they wrote.
    fn progress(&mut self, now: Instant) {
        if self.phase == Phase::New {
            self.phase = Phase::Checking;
            self.events
                .push_back(PeerEvent::Ice(RTCIceConnectionState::Checking));
            self.events
                .push_back(PeerEvent::State(RTCPeerConnectionState::Connecting));
        }
        if self.ice.state == IceState::Failed && self.phase != Phase::Ended {
            self.events
                .push_back(PeerEvent::Ice(RTCIceConnectionState::Failed));
            let why = if self.phase == Phase::Checking {
                "no answer to our ICE checks from the offer's candidates"
            } else {
                "ICE consent expired: no answer for 30 s"
            };
            self.fail(why.into());
        }
        if self.phase == Phase::Checking
            && self.ice.state == IceState::Connected
            && let (Some(cert), Some(_)) = (self.cert.take(), self.ice.selected)
        {
            self.events
                .push_back(PeerEvent::Ice(RTCIceConnectionState::Connected));
            let active = self.role == Role::Business;
            self.dtls = Some(Client::new(cert, self.fingerprint.clone(), active, now));
            self.phase = Phase::Securing;
        }
        if let (Some(d), Some(to)) = (self.dtls.as_mut(), self.ice.selected) {
            let mut happened = Vec::new();
            d.drain(to, &mut self.scratch, &mut happened);
            for h in happened {
                match h {
                    Happened::Connected if self.phase == Phase::Securing => {
                        self.phase = Phase::Connected;
                        self.events
                            .push_back(PeerEvent::State(RTCPeerConnectionState::Connected));
                    }
                    Happened::Connected => {}
                    Happened::Closed => {
                        if self.phase != Phase::Ended {
                            self.phase = Phase::Ended;
                            self.events
                                .push_back(PeerEvent::State(RTCPeerConnectionState::Closed));
                        }
                    }
                    Happened::Failed(why) => self.fail(why),
                }
            }
        }
        for (data, to) in self.scratch.drain(..) {
            self.out.push_back((BytesMut::from(&data[..]), to));
        }
    }

    fn receive_srtp(&mut self, now: Instant, data: &[u8]) {
        let Some(srtp) = self.dtls.as_mut().and_then(Client::srtp) else {
            return;
        };
        // RFC 5761 §4: payload types 64-95 with the marker bit are RTCP.
        if (192..=223).contains(&data[1]) {
            if let Ok(plain) = srtp.rx.decrypt_rtcp(data) {
                self.reports.their_rtcp(&plain, now);
            }
            return;
        }
        let Ok(plain) = srtp.rx.decrypt_rtp(data) else {
            return;
        };
        let Some(h) = Header::parse(&plain) else {
            return;
        };
        if let Ok(p) = ::rtc::rtp::Packet::unmarshal(&mut &plain[..]) {
            self.reports
                .received(&h, plain.len().saturating_sub(h.header_len), now);
            self.rtp.push_back(p);
        }
    }

    fn send_report(&mut self, now: Instant) {
        let (Some(to), Some(srtp)) = (self.ice.selected, self.dtls.as_mut().and_then(Client::srtp))
        else {
            return;
        };
        let packets = self.reports.report(now);
        if let Ok(plain) = ::rtc::rtcp::packet::marshal(&packets)
            && let Ok(wire) = srtp.tx.encrypt_rtcp(&plain)
        {
            self.out.push_back((wire, to));
        }
    }
}

impl Conn for Lean {
    fn handle_read(&mut self, now: Instant, _local: SocketAddr, from: SocketAddr, data: &[u8]) {
        if data.len() < 2 || self.phase == Phase::Ended || !self.ice.knows(from) {
            return;
        }
        // RFC 7983 §7: the first byte says which protocol.
        match data[0] {
            0..=3 => self.ice.handle_stun(now, from, data, &mut self.scratch),
            20..=63 if self.ice.selected == Some(from) => {
                if let Some(d) = self.dtls.as_mut()
                    && let Err(e) = d.handle_packet(data)
                {
                    tracing::debug!(error = e, "DTLS record refused");
                }
            }
            128..=191 if self.ice.selected == Some(from) && self.phase == Phase::Connected => {
                self.receive_srtp(now, data);
            }
            _ => {}
        }
        self.progress(now);
    }

    fn poll_rtp(&mut self) -> Option<::rtc::rtp::Packet> {
        self.rtp.pop_front()
    }

    fn poll_transmit(&mut self) -> Option<(BytesMut, SocketAddr)> {
        self.out.pop_front()
    }

    fn poll_event(&mut self) -> Option<PeerEvent> {
        self.events.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        match self.phase {
            Phase::New => Some(self.created),
            Phase::Ended => None,
            _ => {
                let dtls = self.dtls.as_ref().and_then(Client::poll_timeout);
                let report = (self.phase == Phase::Connected).then_some(self.reports.next);
                [self.ice.poll_timeout(), dtls, report]
                    .into_iter()
                    .flatten()
                    .min()
            }
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        if self.phase == Phase::Ended {
            return;
        }
        self.ice.handle_timeout(now, &mut self.scratch);
        if let Some(d) = self.dtls.as_mut()
            && d.poll_timeout().is_some_and(|t| t <= now)
            && let Err(e) = d.handle_timeout(now)
        {
            self.fail(e);
        }
        if self.phase == Phase::Connected && now >= self.reports.next {
            self.send_report(now);
        }
        self.progress(now);
    }

    fn write_rtp(&mut self, now: Instant, packet: ::rtc::rtp::Packet) -> Result<(), String> {
        // As webrtc-rs refuses a codec the other side did not agree to (a
        // DTMF key toward an answer without telephone-event).
        let pt = packet.header.payload_type;
        if !self.payload_types.contains(&pt) {
            return Err(format!("payload type {pt} was not negotiated"));
        }
        let (Some(to), Some(srtp), Phase::Connected) = (
            self.ice.selected,
            self.dtls.as_mut().and_then(Client::srtp),
            self.phase,
        ) else {
            return Err("the call is not connected (ICE and DTLS first)".into());
        };
        let plain = packet.marshal().map_err(|e| format!("RTP: {e}"))?;
        let wire = srtp
            .tx
            .encrypt_rtp_with_header(&plain, &packet.header)
            .map_err(|e| format!("SRTP: {e}"))?;
        self.reports
            .sent(packet.header.timestamp, packet.payload.len(), now);
        self.out.push_back((wire, to));
        Ok(())
    }

    /// The business's answer, on the simulated WhatsApp's side.
    fn set_remote(&mut self, _now: Instant, desc: RTCSessionDescription) -> anyhow::Result<()> {
        if self.role == Role::Business {
            anyhow::bail!("the business side answers; it takes no remote description");
        }
        let t = crate::core::sdp::transport(&desc.sdp).map_err(|e| anyhow::anyhow!(e))?;
        self.ice.set_remote(t.ufrag, t.pwd);
        self.fingerprint = t.fingerprint;
        self.payload_types.retain(|pt| t.payload_types.contains(pt));
        Ok(())
    }

    fn close(&mut self) {
        if let (Some(d), Some(to)) = (self.dtls.as_mut(), self.ice.selected) {
            d.close();
            let mut ignored = Vec::new();
            d.drain(to, &mut self.scratch, &mut ignored);
            for (data, to) in self.scratch.drain(..) {
                self.out.push_back((BytesMut::from(&data[..]), to));
            }
        }
        if self.phase != Phase::Ended {
            self.phase = Phase::Ended;
            self.events
                .push_back(PeerEvent::State(RTCPeerConnectionState::Closed));
        }
    }

    fn nudge(&mut self, now: Instant) {
        self.ice.nudge(now);
    }
}

#[cfg(test)]
mod tests;
