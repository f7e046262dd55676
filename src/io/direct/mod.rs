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

use crate::core::sim::gate::Gate;
use crate::io::media::{MediaConfig, MediaCore, MediaStats};
use crate::io::rtc::PeerEvent;
use ::rtc::peer_connection::RTCPeerConnection;
use ::rtc::peer_connection::sdp::RTCSessionDescription;
use ::rtc::rtp_transceiver::RTCRtpSenderId;
use anyhow::anyhow;
use call::Call;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use steer::{Signal, steer};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot, watch};

mod answer;
mod call;
mod conn;
mod grid;
mod reactor;
mod steer;
#[cfg(test)]
pub(crate) mod testkit;

pub use answer::{
    Answered, add_host_candidate, answer, answer_offer, core_peer, core_peer_certified,
    media_socket, usable,
};
pub use conn::{Conn, RtcConn};

/// The driver's handle: the media loop handed over, and the close. The
/// call closes when the last clone is dropped.
#[derive(Clone)]
pub struct Peer {
    commands: Commands,
}

/// Where a call's commands go: its own task, or its reactor thread.
#[derive(Clone)]
enum Commands {
    Task(mpsc::UnboundedSender<Command>),
    Reactor(reactor::Handle),
}

/// [`Commands`] that do not keep the call open.
enum WeakCommands {
    Task(mpsc::WeakUnboundedSender<Command>),
    Reactor(reactor::WeakHandle),
}

impl Commands {
    fn send(&self, c: Command) -> bool {
        match self {
            Commands::Task(tx) => tx.send(c).is_ok(),
            Commands::Reactor(h) => h.send(c),
        }
    }

    fn downgrade(&self) -> WeakCommands {
        match self {
            Commands::Task(tx) => WeakCommands::Task(tx.downgrade()),
            Commands::Reactor(h) => WeakCommands::Reactor(h.downgrade()),
        }
    }
}

impl WeakCommands {
    fn send(&self, c: Command) -> bool {
        match self {
            WeakCommands::Task(tx) => tx.upgrade().is_some_and(|tx| tx.send(c).is_ok()),
            WeakCommands::Reactor(h) => h.send(c),
        }
    }
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
    /// The other side can answer now ([`Peer::nudge`]).
    Nudge,
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
        let (call, events) = Peer::call(RtcConn { pc, sender }, &socket, gate)?;
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let out = Vec::new();
        tokio::spawn(Driver { call, socket, out }.run(commands_rx));
        let commands = Commands::Task(commands);
        Ok((Peer { commands }, events))
    }

    /// Drives any sans-IO core from `socket` as [`Peer::spawn`] does
    /// `rtc`'s, but on the process's reactor threads, beside many other
    /// calls: the setup thread first, then a media thread ([`reactor`]).
    pub fn spawn_conn<C: Conn>(
        conn: C,
        socket: UdpSocket,
        gate: Option<Arc<Mutex<Gate>>>,
    ) -> anyhow::Result<(Peer, mpsc::UnboundedReceiver<PeerEvent>)> {
        let (call, events) = Peer::call(conn, &socket, gate)?;
        let commands = Commands::Reactor(reactor::spawn(call, socket)?);
        Ok((Peer { commands }, events))
    }

    fn call<C: Conn>(
        conn: C,
        socket: &UdpSocket,
        gate: Option<Arc<Mutex<Gate>>>,
    ) -> anyhow::Result<(Call<C>, mpsc::UnboundedReceiver<PeerEvent>)> {
        let (events_tx, events) = mpsc::unbounded_channel();
        let call = Call {
            conn,
            local: socket.local_addr()?,
            gate,
            events: events_tx,
            media: None,
            lane: grid::Lane::next(),
        };
        Ok((call, events))
    }

    /// Applies the other side's description (the simulated WhatsApp's
    /// answer from the bridge).
    pub async fn set_remote(&self, desc: RTCSessionDescription) -> anyhow::Result<()> {
        let (tx, rx) = oneshot::channel();
        if !self.commands.send(Command::Remote(Box::new(desc), tx)) {
            anyhow::bail!("the WebRTC peer has stopped");
        }
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
                .send(Command::Media(Box::new(Media { core, done })));
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

    /// The other side can answer from now on (its `pre_accept` is in):
    /// a lean core sends its next connectivity check at once instead of
    /// at the end of the interval whose checks were dropped.
    pub fn nudge(&self) {
        self.commands.send(Command::Nudge);
    }

    /// Closes the connection (DTLS close_notify to the other side) and
    /// waits for the driver to finish it.
    pub async fn close(&self) {
        let (tx, rx) = oneshot::channel();
        if self.commands.send(Command::Close(tx)) {
            let _ = rx.await;
        }
    }
}

struct Driver<C> {
    call: Call<C>,
    socket: UdpSocket,
    /// What [`Call::drain`] hands out, kept between wake-ups.
    out: Vec<(bytes::BytesMut, std::net::SocketAddr)>,
}

impl<C: Conn> Driver<C> {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut buf = vec![0u8; 2048];
        let mut ticker = grid::ticker(Instant::now());
        // One timer for the core, moved only when its deadline moves: a
        // fresh one per wake-up cost a timer-wheel insert and removal each.
        let timer = tokio::time::sleep_until(Instant::now().into());
        tokio::pin!(timer);
        loop {
            self.flush().await;
            let now = Instant::now();
            let due = self.call.due(now);
            if due <= now {
                self.call.conn.handle_timeout(now);
                // A core whose timer stays due must not hold the worker.
                tokio::task::yield_now().await;
                continue;
            }
            if timer.deadline().into_std() != due {
                timer.as_mut().reset(due.into());
            }
            let media_started = self.call.media_started();
            tokio::select! {
                // Commands first: a flood of datagrams must not hold off a close.
                biased;
                c = commands.recv() => match c {
                    Some(Command::Media(m)) => self.call.media = Some(m),
                    Some(Command::Signal(signal)) => {
                        if let Some(began) = self.call.signal(signal, Instant::now()) {
                            ticker = grid::ticker(began);
                        }
                    }
                    Some(Command::Remote(desc, ack)) => {
                        let _ = ack.send(self.call.conn.set_remote(Instant::now(), *desc));
                    }
                    Some(Command::Nudge) => self.call.conn.nudge(Instant::now()),
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
                _ = ticker.tick(), if media_started => self.call.tick(),
                () = &mut timer => {
                    self.call.conn.handle_timeout(Instant::now());
                }
                r = self.socket.recv_from(&mut buf) => {
                    // An error is ICMP unreachable on some systems: not fatal.
                    if let Ok((n, peer)) = r {
                        let socket = &self.socket;
                        self.call.read(&buf[..n], peer, |r, to| {
                            let _ = socket.try_send_to(r, to);
                        });
                    }
                }
            }
        }
    }

    /// Everything the core has to send, and its events.
    async fn flush(&mut self) {
        loop {
            let connected = self.call.drain(&mut self.out);
            for (data, to) in self.out.drain(..) {
                let _ = self.socket.send_to(&data, to).await;
            }
            if !connected {
                return;
            }
            // `rtc` queues the DTLS client's ClientHello when ICE selects
            // its pair, but hands it out only from `handle_timeout`: left
            // alone it waits for the next timer: the ICE check interval
            // (10 ms here, up to 200 ms), later the 1 s keepalive or DTLS
            // retransmission.
            self.call.conn.handle_timeout(Instant::now());
        }
    }

    async fn close(&mut self) {
        self.call.end_media(Ok(()));
        self.call.conn.close();
        self.flush().await;
    }
}
