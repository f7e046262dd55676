//! The business side of a call on a sans-IO core (webrtc-rs's `rtc`, or
//! with `--media-stack lean` wacall's own, [`crate::io::lean`]; [`Conn`] is
//! what the driver needs of either), driven by one task of ours that owns
//! the connection, its UDP socket and the media loop. Per packet that is one wake-up and no channel: webrtc-rs's
//! async wrapper costs a driver task, queues and copies on top
//! (`cargo bench --bench rtc_core` against `scripts/bench-serve`, in
//! BENCHMARKS.md: about two thirds of `serve`'s CPU per call).
//!
//! It answers as [`crate::io::answerer`] does (full ICE agent, controlling
//! toward WhatsApp's ICE-lite; DTLS client; Opus and DTMF at the offer's
//! payload types; one SSRC) with one host candidate on one concrete
//! address. Gathering from STUN or TURN servers, or on every interface of
//! a wildcard address, stays with the wrapper ([`usable`] says which).
//! The simulated WhatsApp peer runs on the same driver, its socket gated
//! ([`Peer::spawn`] with a [`Gate`]: every datagram in and out crosses it).

use crate::core::sim::gate::{Gate, Verdict};
use crate::io::media::{MediaConfig, MediaCore, MediaStats, Outgoing};
use crate::io::rtc::PeerEvent;
use ::rtc::peer_connection::RTCPeerConnection;
use ::rtc::peer_connection::sdp::RTCSessionDescription;
use ::rtc::peer_connection::state::RTCIceConnectionState;
use ::rtc::rtp_transceiver::RTCRtpSenderId;
use anyhow::anyhow;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use steer::{Signal, steer};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot, watch};

mod answer;
mod conn;
mod grid;
mod steer;
#[cfg(test)]
pub(crate) mod testkit;

pub use answer::{
    Answered, add_host_candidate, answer, answer_offer, core_peer, core_peer_certified,
    media_socket, usable,
};
pub use conn::{Conn, RtcConn};

/// The driver task's handle: the media loop handed over, and the close.
#[derive(Clone)]
pub struct Peer {
    commands: mpsc::UnboundedSender<Command>,
}

enum Command {
    Media(Box<Media>),
    /// From the media loop's steering, forwarded by [`steer`].
    Signal(Signal),
    Remote(
        Box<RTCSessionDescription>,
        oneshot::Sender<anyhow::Result<()>>,
    ),
    Close(oneshot::Sender<()>),
}

/// The media loop and whom to tell when it ends.
struct Media {
    core: MediaCore,
    done: oneshot::Sender<anyhow::Result<()>>,
}

impl Peer {
    /// Drives `pc` from `socket` in a task of its own, sending with
    /// `sender`. With a `gate`, every datagram in and out crosses it first
    /// (the simulated WhatsApp: what Meta would drop, answer itself, or
    /// pass). Returns the handle and the connection's state changes.
    pub fn spawn(
        pc: RTCPeerConnection,
        socket: UdpSocket,
        sender: RTCRtpSenderId,
        gate: Option<Arc<Mutex<Gate>>>,
    ) -> anyhow::Result<(Peer, mpsc::UnboundedReceiver<PeerEvent>)> {
        Peer::spawn_conn(RtcConn { pc, sender }, socket, gate)
    }

    /// Drives any sans-IO core from `socket`, as [`Peer::spawn`] does `rtc`'s.
    pub fn spawn_conn<C: Conn>(
        conn: C,
        socket: UdpSocket,
        gate: Option<Arc<Mutex<Gate>>>,
    ) -> anyhow::Result<(Peer, mpsc::UnboundedReceiver<PeerEvent>)> {
        let local = socket.local_addr()?;
        let (events_tx, events) = mpsc::unbounded_channel();
        let (commands, commands_rx) = mpsc::unbounded_channel();
        tokio::spawn(
            Driver {
                conn,
                socket,
                local,
                gate,
                events: events_tx,
                media: None,
            }
            .run(commands_rx),
        );
        Ok((Peer { commands }, events))
    }

    /// Applies the other side's description (the simulated WhatsApp's
    /// answer from the bridge).
    pub async fn set_remote(&self, desc: RTCSessionDescription) -> anyhow::Result<()> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Remote(Box::new(desc), tx))
            .map_err(|_| anyhow!("the WebRTC peer has stopped"))?;
        rx.await
            .unwrap_or_else(|_| Err(anyhow!("the WebRTC peer has stopped")))
    }

    /// Hands the call's media loop to the driver: it ticks once `start` is
    /// true and ends when `stop` is. The handle ends with it.
    pub fn run_media(
        &self,
        cfg: &MediaConfig,
        far: Box<dyn crate::io::farend::FarEnd>,
        start: watch::Receiver<bool>,
        stop: watch::Receiver<bool>,
        dtmf: mpsc::UnboundedReceiver<char>,
        stats: Arc<Mutex<MediaStats>>,
    ) -> tokio::task::JoinHandle<anyhow::Result<()>> {
        let core = MediaCore::new(cfg, far, stats, Instant::now());
        let (done, finished) = oneshot::channel();
        let sent = core.map(|core| {
            let sent = self
                .commands
                .send(Command::Media(Box::new(Media { core, done })))
                .is_ok();
            // A task of its own waits on the steering, so the driver's
            // loop polls one channel per wake-up instead of three. It holds
            // the channel weakly: the driver still ends when the last handle
            // goes, whatever the steering does.
            tokio::spawn(steer(start, stop, dtmf, self.commands.downgrade()));
            sent
        });
        tokio::spawn(async move {
            match sent {
                Err(e) => Err(e),
                Ok(false) => Err(anyhow!("the WebRTC peer stopped before media")),
                Ok(true) => finished
                    .await
                    .unwrap_or_else(|_| Err(anyhow!("the WebRTC peer stopped during the call"))),
            }
        })
    }

    /// Closes the connection (DTLS close_notify to the other side) and
    /// waits for the driver to finish it.
    pub async fn close(&self) {
        let (tx, rx) = oneshot::channel();
        if self.commands.send(Command::Close(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

struct Driver<C> {
    conn: C,
    socket: UdpSocket,
    local: SocketAddr,
    gate: Option<Arc<Mutex<Gate>>>,
    events: mpsc::UnboundedSender<PeerEvent>,
    media: Option<Box<Media>>,
}

/// An idle connection's next look at its timers, when the core names none.
const IDLE: Duration = Duration::from_secs(1);

impl<C: Conn> Driver<C> {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut buf = vec![0u8; 2048];
        let lane = grid::Lane::next();
        let mut ticker = grid::ticker(Instant::now());
        // One timer for the core, moved only when its deadline moves: a
        // fresh one per wake-up cost a timer-wheel insert and removal each.
        let timer = tokio::time::sleep_until(Instant::now().into());
        tokio::pin!(timer);
        loop {
            self.flush().await;
            let now = Instant::now();
            let due = self.conn.poll_timeout().unwrap_or(now + IDLE);
            let media_started = self.media.as_ref().is_some_and(|m| m.core.started());
            // In a call, the core's timers (reports, keepalives) wait for
            // the grid too: they are not urgent, and so cost no wake-up.
            let due = if media_started { lane.ceil(due) } else { due };
            if due <= now {
                self.conn.handle_timeout(now);
                // A core whose timer stays due must not hold the worker.
                tokio::task::yield_now().await;
                continue;
            }
            if timer.deadline().into_std() != due {
                timer.as_mut().reset(due.into());
            }
            tokio::select! {
                // Commands first: a flood of datagrams must not hold off a close.
                biased;
                c = commands.recv() => match c {
                    Some(Command::Media(m)) => self.media = Some(m),
                    Some(Command::Signal(signal)) => match signal {
                        Signal::Start => {
                            // The first frame goes at once; the call's clock
                            // and its ticks run on the grid.
                            let began = lane.floor(Instant::now());
                            if let Some(m) = self.media.as_mut() {
                                m.core.start(began);
                            }
                            ticker = grid::ticker(began);
                        }
                        Signal::Stop => self.end_media(Ok(())),
                        Signal::Key(k) => {
                            if let Some(m) = self.media.as_mut() {
                                m.core.press(k);
                            }
                        }
                    },
                    Some(Command::Remote(desc, ack)) => {
                        let _ = ack.send(self.conn.set_remote(Instant::now(), *desc));
                    }
                    Some(Command::Close(ack)) => {
                        self.close().await;
                        let _ = ack.send(());
                        return;
                    }
                    None => {
                        self.close().await;
                        return;
                    }
                },
                _ = ticker.tick(), if media_started => self.tick(),
                () = &mut timer => {
                    self.conn.handle_timeout(Instant::now());
                }
                r = self.socket.recv_from(&mut buf) => {
                    // An error is ICMP unreachable on some systems: not fatal.
                    if let Ok((n, peer)) = r {
                        self.read(&buf[..n], peer);
                    }
                }
            }
        }
    }

    /// The media loop is over: its far end's summary, and its outcome to
    /// whoever waits for it.
    fn end_media(&mut self, outcome: anyhow::Result<()>) {
        if let Some(mut m) = self.media.take() {
            m.core.finish();
            let _ = m.done.send(outcome);
        }
    }

    /// A datagram in, and whatever the core makes of it.
    fn read(&mut self, data: &[u8], peer: SocketAddr) {
        let now = Instant::now();
        if let Some(gate) = &self.gate {
            let verdict = gate.lock().unwrap().from_bridge(now, data);
            match verdict {
                Verdict::Forward => {}
                Verdict::Drop => return,
                Verdict::Reply(r) => {
                    let _ = self.socket.try_send_to(&r, peer);
                    return;
                }
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
    fn tick(&mut self) {
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

    /// Everything the core has to send, and its events.
    async fn flush(&mut self) {
        while self.flush_once().await {
            // `rtc` queues the DTLS client's ClientHello when ICE selects
            // its pair, but hands it out only from `handle_timeout`: left
            // alone it waits for the next timer: the ICE check interval
            // (10 ms here, up to 200 ms), later the 1 s keepalive or DTLS
            // retransmission.
            self.conn.handle_timeout(Instant::now());
        }
    }

    /// One pass of [`Self::flush`]; whether ICE has just connected.
    async fn flush_once(&mut self) -> bool {
        let mut connected = false;
        while let Some((message, to)) = self.conn.poll_transmit() {
            let verdict = match &self.gate {
                None => Verdict::Forward,
                Some(gate) => gate.lock().unwrap().from_inner(Instant::now(), &message),
            };
            let data = match &verdict {
                Verdict::Forward => &message[..],
                Verdict::Reply(r) => &r[..],
                Verdict::Drop => continue,
            };
            let _ = self.socket.send_to(data, to).await;
        }
        while let Some(e) = self.conn.poll_event() {
            connected |= matches!(e, PeerEvent::Ice(RTCIceConnectionState::Connected));
            let _ = self.events.send(e);
        }
        connected
    }

    async fn close(&mut self) {
        self.end_media(Ok(()));
        self.conn.close();
        self.flush().await;
    }
}
