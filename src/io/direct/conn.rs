//! What the driver needs of a connection's sans-IO core: datagrams and time
//! in; datagrams, events and RTP out. webrtc-rs's `rtc` peer connection is
//! one such core ([`RtcConn`]), wacall's lean media path
//! ([`crate::io::lean::Lean`]) the other.

use crate::io::rtc::PeerEvent;
use ::rtc::peer_connection::RTCPeerConnection;
use ::rtc::peer_connection::event::RTCPeerConnectionEvent;
use ::rtc::peer_connection::message::{RTCMessage, TaggedRTCMessage};
use ::rtc::peer_connection::sdp::RTCSessionDescription;
use ::rtc::rtp_transceiver::RTCRtpSenderId;
use ::rtc::sansio::Protocol;
use ::rtc::shared::{TaggedBytesMut, TransportContext, TransportProtocol};
use anyhow::anyhow;
use bytes::BytesMut;
use std::net::SocketAddr;
use std::time::Instant;

pub trait Conn: Send + 'static {
    /// A datagram from `from` arrived on `local`.
    fn handle_read(&mut self, now: Instant, local: SocketAddr, from: SocketAddr, data: &[u8]);
    /// The next RTP packet the other side sent, decrypted.
    fn poll_rtp(&mut self) -> Option<::rtc::rtp::Packet>;
    /// The next datagram to send, and where.
    fn poll_transmit(&mut self) -> Option<(BytesMut, SocketAddr)>;
    fn poll_event(&mut self) -> Option<PeerEvent>;
    /// When [`Self::handle_timeout`] is next due, if ever.
    fn poll_timeout(&mut self) -> Option<Instant>;
    fn handle_timeout(&mut self, now: Instant);
    /// One packet of our stream out (its datagram then waits in
    /// [`Self::poll_transmit`]).
    fn write_rtp(&mut self, now: Instant, packet: ::rtc::rtp::Packet) -> Result<(), String>;
    /// The other side's description, for a core that offered.
    fn set_remote(&mut self, now: Instant, desc: RTCSessionDescription) -> anyhow::Result<()>;
    /// Starts closing (DTLS close_notify); its datagrams wait in
    /// [`Self::poll_transmit`].
    fn close(&mut self);
    /// The other side can answer from now on (the business's `pre_accept`
    /// is in): a core that paces its connectivity checks sends one now.
    fn nudge(&mut self, now: Instant);
}

/// webrtc-rs's sans-IO peer connection with our one audio sender.
pub struct RtcConn {
    pub pc: RTCPeerConnection,
    pub sender: RTCRtpSenderId,
}

impl Conn for RtcConn {
    fn handle_read(&mut self, now: Instant, local: SocketAddr, from: SocketAddr, data: &[u8]) {
        let _ = self.pc.handle_read(TaggedBytesMut {
            now,
            transport: TransportContext {
                local_addr: local,
                peer_addr: from,
                ecn: None,
                transport_protocol: TransportProtocol::UDP,
            },
            message: BytesMut::from(data),
        });
    }

    fn poll_rtp(&mut self) -> Option<::rtc::rtp::Packet> {
        while let Some(TaggedRTCMessage { message, .. }) = self.pc.poll_read() {
            if let RTCMessage::RtpPacket(_, p) = message {
                return Some(p);
            }
        }
        None
    }

    fn poll_transmit(&mut self) -> Option<(BytesMut, SocketAddr)> {
        self.pc
            .poll_write()
            .map(|d| (d.message, d.transport.peer_addr))
    }

    fn poll_event(&mut self) -> Option<PeerEvent> {
        while let Some(e) = self.pc.poll_event() {
            match e {
                RTCPeerConnectionEvent::OnIceConnectionStateChangeEvent(s) => {
                    return Some(PeerEvent::Ice(s));
                }
                RTCPeerConnectionEvent::OnConnectionStateChangeEvent(s) => {
                    return Some(PeerEvent::State(s));
                }
                _ => {}
            }
        }
        None
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.pc.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        let _ = self.pc.handle_timeout(now);
    }

    fn write_rtp(&mut self, now: Instant, packet: ::rtc::rtp::Packet) -> Result<(), String> {
        match self.pc.rtp_sender(self.sender) {
            Some(mut s) => s.write_rtp(now, packet).map_err(|e| e.to_string()),
            None => Err("the call's RTP sender is gone".into()),
        }
    }

    fn set_remote(&mut self, now: Instant, desc: RTCSessionDescription) -> anyhow::Result<()> {
        self.pc
            .set_remote_description(now, desc)
            .map_err(|e| anyhow!("the description cannot be applied: {e}"))
    }

    fn close(&mut self) {
        let _ = self.pc.close();
    }

    /// webrtc-rs's agent keeps its own pace; it offers no way to hurry it.
    fn nudge(&mut self, _now: Instant) {}
}

/// Any core, boxed: a reactor thread holds calls on either.
impl Conn for Box<dyn Conn> {
    fn handle_read(&mut self, now: Instant, local: SocketAddr, from: SocketAddr, data: &[u8]) {
        (**self).handle_read(now, local, from, data)
    }
    fn poll_rtp(&mut self) -> Option<::rtc::rtp::Packet> {
        (**self).poll_rtp()
    }
    fn poll_transmit(&mut self) -> Option<(BytesMut, SocketAddr)> {
        (**self).poll_transmit()
    }
    fn poll_event(&mut self) -> Option<PeerEvent> {
        (**self).poll_event()
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        (**self).poll_timeout()
    }
    fn handle_timeout(&mut self, now: Instant) {
        (**self).handle_timeout(now)
    }
    fn write_rtp(&mut self, now: Instant, packet: ::rtc::rtp::Packet) -> Result<(), String> {
        (**self).write_rtp(now, packet)
    }
    fn set_remote(&mut self, now: Instant, desc: RTCSessionDescription) -> anyhow::Result<()> {
        (**self).set_remote(now, desc)
    }
    fn close(&mut self) {
        (**self).close()
    }
    fn nudge(&mut self, now: Instant) {
        (**self).nudge(now)
    }
}
