//! One call's state on a driver: its core, its gate, its media loop, and
//! what happens to each datagram, tick and signal. Sending is left to the
//! driver that owns the socket: a task of its own ([`super::Driver`]) or a
//! reactor thread shared by many calls ([`super::reactor`]).

use super::Media;
use super::conn::Conn;
use super::grid::Lane;
use super::steer::Signal;
use crate::core::sim::gate::{Gate, Verdict};
use crate::io::media::Outgoing;
use crate::io::rtc::PeerEvent;
use ::rtc::peer_connection::state::RTCIceConnectionState;
use bytes::BytesMut;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// An idle connection's next look at its timers, when the core names none.
const IDLE: Duration = Duration::from_secs(1);

pub(super) struct Call<C> {
    pub conn: C,
    pub local: SocketAddr,
    pub gate: Option<Arc<Mutex<Gate>>>,
    pub events: mpsc::UnboundedSender<PeerEvent>,
    pub media: Option<Box<Media>>,
    pub lane: Lane,
}

impl<C: Conn> Call<C> {
    pub fn media_started(&self) -> bool {
        self.media.as_ref().is_some_and(|m| m.core.started())
    }

    /// When the core's timers are next due. In a call they wait for the
    /// call's lane too: they are not urgent, and so cost no wake-up.
    pub fn due(&mut self, now: Instant) -> Instant {
        let due = self.conn.poll_timeout().unwrap_or(now + IDLE);
        if self.media_started() {
            self.lane.ceil(due)
        } else {
            due
        }
    }

    /// A signal from the media loop's steering; for a start, the instant
    /// the call's ticks begin from (a point of its lane, the first at once).
    pub fn signal(&mut self, signal: Signal, now: Instant) -> Option<Instant> {
        match signal {
            Signal::Start => {
                let began = self.lane.floor(now);
                if let Some(m) = self.media.as_mut() {
                    m.core.start(began);
                }
                return Some(began);
            }
            Signal::Stop => self.end_media(Ok(())),
            Signal::Key(k) => {
                if let Some(m) = self.media.as_mut() {
                    m.core.press(k);
                }
            }
        }
        None
    }

    /// The media loop is over: its far end's summary, and its outcome to
    /// whoever waits for it.
    pub fn end_media(&mut self, outcome: anyhow::Result<()>) {
        if let Some(mut m) = self.media.take() {
            m.core.finish();
            let _ = m.done.send(outcome);
        }
    }

    /// A datagram in, and whatever the core makes of it; what the gate
    /// answers itself goes back through `reply`.
    pub fn read(&mut self, data: &[u8], peer: SocketAddr, reply: impl FnOnce(&[u8], SocketAddr)) {
        let now = Instant::now();
        if let Some(gate) = &self.gate {
            let verdict = gate.lock().unwrap().from_bridge(now, data);
            match verdict {
                Verdict::Forward => {}
                Verdict::Drop => return,
                Verdict::Reply(r) => return reply(&r, peer),
            }
        }
        self.conn.handle_read(now, self.local, peer, data);
        while let Some(p) = self.conn.poll_rtp() {
            // Before the media loop exists (pre_accept) nothing is due
            // anyway: WhatsApp sends media once accepted.
            if let Some(m) = self.media.as_mut() {
                m.core.receive(&p, now);
            }
        }
    }

    /// One 20 ms tick of the media loop out through the core.
    pub fn tick(&mut self) {
        let Some(m) = self.media.as_mut() else {
            return;
        };
        let now = Instant::now();
        let packets = match m.core.tick(now) {
            Ok(p) => p,
            Err(e) => return self.end_media(Err(e)),
        };
        for Outgoing { packet, sent } in packets {
            let result = self.conn.write_rtp(now, packet);
            m.core.sent(sent, result, now);
        }
    }

    /// What the core has to send, through the gate, into `out`; its
    /// events to their receiver. Whether ICE has just connected.
    pub fn drain(&mut self, out: &mut Vec<(BytesMut, SocketAddr)>) -> bool {
        let mut connected = false;
        while let Some((message, to)) = self.conn.poll_transmit() {
            let verdict = match &self.gate {
                None => Verdict::Forward,
                Some(gate) => gate.lock().unwrap().from_inner(Instant::now(), &message),
            };
            match verdict {
                Verdict::Forward => out.push((message, to)),
                Verdict::Reply(r) => out.push((BytesMut::from(&r[..]), to)),
                Verdict::Drop => {}
            }
        }
        while let Some(e) = self.conn.poll_event() {
            connected |= matches!(e, PeerEvent::Ice(RTCIceConnectionState::Connected));
            let _ = self.events.send(e);
        }
        connected
    }
}
