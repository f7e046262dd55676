//! The business side of a call on webrtc-rs's sans-IO core (`rtc`), driven
//! by one task of ours that owns the connection, its UDP socket and the
//! media loop. Per packet that is one wake-up and no channel: webrtc-rs's
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
use crate::io::answerer::{self, AnswererConfig};
use crate::io::media::{MediaConfig, MediaCore, MediaStats, Outgoing};
use crate::io::rtc::{self, Codecs, PeerEvent};
use ::rtc::peer_connection::configuration::RTCConfigurationBuilder;
use ::rtc::peer_connection::configuration::setting_engine::{SettingEngine, SettingEngineBuilder};
use ::rtc::peer_connection::event::RTCPeerConnectionEvent;
use ::rtc::peer_connection::message::{RTCMessage, TaggedRTCMessage};
use ::rtc::peer_connection::sdp::RTCSessionDescription;
use ::rtc::peer_connection::transport::{
    CandidateConfig, CandidateHostConfig, RTCDtlsRole, RTCIceCandidate, RTCIceCandidateInit,
};
use ::rtc::peer_connection::{RTCPeerConnection, RTCPeerConnectionBuilder};
use ::rtc::rtp_transceiver::RTCRtpSenderId;
use ::rtc::sansio::Protocol;
use ::rtc::shared::{TaggedBytesMut, TransportContext, TransportProtocol};
use anyhow::{Context, anyhow};
use bytes::BytesMut;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot, watch};

/// Whether this configuration can be answered here: one concrete address
/// and no STUN or TURN servers.
pub fn usable(cfg: &AnswererConfig) -> bool {
    cfg.ice_servers.is_empty() && matches!(cfg.bind.as_slice(), [ip] if !ip.is_unspecified())
}

/// An offer answered; the connection forms on its own in the driver task.
pub struct Answered {
    pub peer: Peer,
    /// The answer, CRLF, with its one host candidate, as sent to Meta.
    pub answer: String,
    pub ssrc: u32,
    pub codecs: Codecs,
    pub events: mpsc::UnboundedReceiver<PeerEvent>,
}

/// The driver task's handle: the media loop handed over, and the close.
#[derive(Clone)]
pub struct Peer {
    commands: mpsc::UnboundedSender<Command>,
}

enum Command {
    Media(Box<Media>),
    Remote(
        Box<RTCSessionDescription>,
        oneshot::Sender<anyhow::Result<()>>,
    ),
    Close(oneshot::Sender<()>),
}

/// The media loop and what steers it from outside.
struct Media {
    core: MediaCore,
    start: watch::Receiver<bool>,
    stop: watch::Receiver<bool>,
    dtmf: mpsc::UnboundedReceiver<char>,
    done: oneshot::Sender<anyhow::Result<()>>,
    /// Whether the start and DTMF senders still exist.
    start_open: bool,
    dtmf_open: bool,
}

/// What steers a media loop from outside.
enum Signal {
    Start,
    Stop,
    Key(char),
}

/// Answers `offer` from one UDP socket on `cfg`'s one address.
pub async fn answer(offer: &str, cfg: &AnswererConfig) -> anyhow::Result<Answered> {
    let codecs = answerer::offered_codecs(offer)?;
    let addr = *answerer::bind_addresses(cfg)?
        .first()
        .ok_or_else(|| anyhow!("no address to bind"))?;
    let socket = UdpSocket::bind(addr)
        .await
        .with_context(|| format!("cannot bind the media port on {addr}"))?;
    let local = socket.local_addr()?;
    let se = SettingEngineBuilder::new()
        .with_answering_dtls_role(RTCDtlsRole::Client)
        .with_ice_connection_attempts(
            Some(cfg.check_interval),
            Some(answerer::check_attempts(cfg.check_interval)),
        )
        .with_include_loopback_candidate(local.ip().is_loopback())
        .build();
    let now = Instant::now();
    let mut pc = core_peer(&codecs, se, now)?;
    let desc = RTCSessionDescription::offer(answerer::without_foreign_dtmf(offer))
        .map_err(|e| anyhow!("the offer does not parse as SDP: {e}"))?;
    pc.set_remote_description(now, desc)
        .map_err(|e| anyhow!("the offer cannot be applied: {e}"))?;
    let ssrc: u32 = rand::random();
    let sender = pc
        .add_track(rtc::audio_stream(&codecs, ssrc, "wacall", "wacall-audio"))
        .map_err(|e| anyhow!("the offer's audio section cannot carry our track: {e}"))?;
    add_host_candidate(&mut pc, local)?;
    let answer = pc
        .create_answer(None)
        .map_err(|e| anyhow!("cannot answer: {e}"))?;
    pc.set_local_description(now, answer)
        .map_err(|e| anyhow!("cannot apply the answer: {e}"))?;
    let local_sdp = pc
        .local_description()
        .ok_or_else(|| anyhow!("no local description"))?
        .sdp
        .clone();
    let (peer, events) = Peer::spawn(pc, socket, sender, None)?;
    Ok(Answered {
        peer,
        answer: answerer::tidy_answer(&local_sdp, cfg.public_ip),
        ssrc,
        codecs,
        events,
    })
}

/// An `rtc` peer connection for a call: our codecs and interceptors, the
/// ECDSA certificate, and `se`'s ICE and DTLS settings.
pub fn core_peer(
    codecs: &Codecs,
    se: SettingEngine,
    now: Instant,
) -> anyhow::Result<RTCPeerConnection> {
    let (me, registry) = rtc::media_engine(codecs)?;
    let config = RTCConfigurationBuilder::new()
        .with_certificates(vec![answerer::certificate()?])
        .build();
    RTCPeerConnectionBuilder::new()
        .with_configuration(config)
        .with_setting_engine(se)
        .with_media_engine(me)
        .with_interceptor_registry(registry)
        .build(now)
        .map_err(|e| anyhow!("cannot start the WebRTC peer: {e}"))
}

/// The socket's address as the connection's one host candidate, and the
/// end of candidates: the description says so (`a=end-of-candidates`).
pub fn add_host_candidate(pc: &mut RTCPeerConnection, local: SocketAddr) -> anyhow::Result<()> {
    let host = CandidateHostConfig {
        base_config: CandidateConfig {
            network: "udp".to_owned(),
            address: local.ip().to_string(),
            port: local.port(),
            component: 1,
            ..Default::default()
        },
        ..Default::default()
    }
    .new_candidate_host()
    .and_then(|c| RTCIceCandidate::from(&c).to_json())
    .map_err(|e| anyhow!("cannot make the host candidate {local}: {e}"))?;
    pc.add_local_candidate(host)
        .map_err(|e| anyhow!("cannot add the host candidate {local}: {e}"))?;
    pc.add_local_candidate(RTCIceCandidateInit::default())
        .map_err(|e| anyhow!("cannot end gathering: {e}"))
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
        let local = socket.local_addr()?;
        let (events_tx, events) = mpsc::unbounded_channel();
        let (commands, commands_rx) = mpsc::unbounded_channel();
        tokio::spawn(
            Driver {
                pc,
                socket,
                local,
                sender,
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
            self.commands
                .send(Command::Media(Box::new(Media {
                    core,
                    start,
                    stop,
                    dtmf,
                    done,
                    start_open: true,
                    dtmf_open: true,
                })))
                .is_ok()
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

struct Driver {
    pc: RTCPeerConnection,
    socket: UdpSocket,
    local: SocketAddr,
    sender: RTCRtpSenderId,
    gate: Option<Arc<Mutex<Gate>>>,
    events: mpsc::UnboundedSender<PeerEvent>,
    media: Option<Box<Media>>,
}

/// An idle connection's next look at its timers, when the core names none.
const IDLE: Duration = Duration::from_secs(1);

impl Driver {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut buf = vec![0u8; 2048];
        let mut ticker = tokio::time::interval(crate::io::media::FRAME_TIME);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            self.flush().await;
            let now = Instant::now();
            let due = self.pc.poll_timeout().unwrap_or(now + IDLE);
            if due <= now {
                let _ = self.pc.handle_timeout(now);
                // A core whose timer stays due must not hold the worker.
                tokio::task::yield_now().await;
                continue;
            }
            let media_started = self.media.as_ref().is_some_and(|m| m.core.started());
            tokio::select! {
                r = self.socket.recv_from(&mut buf) => {
                    // An error is ICMP unreachable on some systems: not fatal.
                    if let Ok((n, peer)) = r {
                        self.read(&buf[..n], peer);
                    }
                }
                _ = tokio::time::sleep_until(due.into()) => {
                    let _ = self.pc.handle_timeout(Instant::now());
                }
                _ = ticker.tick(), if media_started => self.tick(),
                c = commands.recv() => match c {
                    Some(Command::Media(m)) => self.media = Some(m),
                    Some(Command::Remote(desc, ack)) => {
                        let r = self
                            .pc
                            .set_remote_description(Instant::now(), *desc)
                            .map_err(|e| anyhow!("the description cannot be applied: {e}"));
                        let _ = ack.send(r);
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
                signal = signal(&mut self.media) => match signal {
                    Signal::Start => {
                        if let Some(m) = self.media.as_mut() {
                            m.core.start(Instant::now());
                        }
                        ticker.reset_immediately();
                    }
                    Signal::Stop => self.end_media(Ok(())),
                    Signal::Key(k) => {
                        if let Some(m) = self.media.as_mut() {
                            m.core.press(k);
                        }
                    }
                },
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
        let _ = self.pc.handle_read(TaggedBytesMut {
            now,
            transport: TransportContext {
                local_addr: self.local,
                peer_addr: peer,
                ecn: None,
                transport_protocol: TransportProtocol::UDP,
            },
            message: BytesMut::from(data),
        });
        while let Some(TaggedRTCMessage { message, .. }) = self.pc.poll_read() {
            // Before the media loop exists (pre_accept) nothing is due
            // anyway: WhatsApp sends media once accepted.
            if let (RTCMessage::RtpPacket(_, p), Some(m)) = (message, self.media.as_mut()) {
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
            let result = match self.pc.rtp_sender(self.sender) {
                Some(mut s) => s.write_rtp(now, packet).map_err(|e| e.to_string()),
                None => Err("the call's RTP sender is gone".into()),
            };
            m.core.sent(sent, result, now);
        }
    }

    /// Everything the core has to send, and its events.
    async fn flush(&mut self) {
        while let Some(d) = self.pc.poll_write() {
            let verdict = match &self.gate {
                None => Verdict::Forward,
                Some(gate) => gate.lock().unwrap().from_inner(Instant::now(), &d.message),
            };
            let data = match &verdict {
                Verdict::Forward => &d.message[..],
                Verdict::Reply(r) => &r[..],
                Verdict::Drop => continue,
            };
            let _ = self.socket.send_to(data, d.transport.peer_addr).await;
        }
        while let Some(e) = self.pc.poll_event() {
            let e = match e {
                RTCPeerConnectionEvent::OnIceConnectionStateChangeEvent(s) => PeerEvent::Ice(s),
                RTCPeerConnectionEvent::OnConnectionStateChangeEvent(s) => PeerEvent::State(s),
                _ => continue,
            };
            let _ = self.events.send(e);
        }
    }

    async fn close(&mut self) {
        self.end_media(Ok(()));
        let _ = self.pc.close();
        self.flush().await;
    }
}

/// The next signal to the media loop, if there is one.
async fn signal(media: &mut Option<Box<Media>>) -> Signal {
    let Some(m) = media.as_mut() else {
        return std::future::pending().await;
    };
    let started = m.core.started();
    loop {
        if !started && *m.start.borrow_and_update() {
            return Signal::Start;
        }
        if *m.stop.borrow_and_update() {
            return Signal::Stop;
        }
        tokio::select! {
            // No one will ever say go once its sender is gone: stop alone then.
            r = m.start.changed(), if !started && m.start_open => m.start_open = r.is_ok(),
            r = m.stop.changed() => {
                if r.is_err() {
                    return Signal::Stop;
                }
            }
            key = m.dtmf.recv(), if m.dtmf_open => match key {
                Some(k) => return Signal::Key(k),
                None => m.dtmf_open = false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    #[test]
    fn only_one_concrete_address_without_servers_is_answered_here() {
        let cfg = |bind: &[&str], servers: usize| AnswererConfig {
            bind: bind.iter().map(|b| b.parse::<IpAddr>().unwrap()).collect(),
            ice_servers: (0..servers)
                .map(|_| answerer::IceServer {
                    url: "stun:127.0.0.1:3478".into(),
                    username: String::new(),
                    credential: String::new(),
                })
                .collect(),
            ..AnswererConfig::default()
        };
        assert!(usable(&cfg(&["127.0.0.1"], 0)));
        assert!(usable(&cfg(&["::1"], 0)));
        assert!(!usable(&cfg(&["0.0.0.0"], 0)), "every interface: gathered");
        assert!(!usable(&cfg(&["127.0.0.1", "127.0.0.2"], 0)));
        assert!(!usable(&cfg(&["127.0.0.1"], 1)), "STUN: gathered");
    }

    /// The answer WhatsApp gets from here: the DTLS client, ICE credentials,
    /// the offer's Opus and DTMF payload types, one SSRC, one host
    /// candidate (the socket's) and the end of candidates.
    #[tokio::test]
    async fn the_answer_is_whatsapps_kind() {
        let offer = std::fs::read_to_string(
            "testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp",
        )
        .unwrap();
        let cfg = AnswererConfig {
            bind: vec![IpAddr::from([127, 0, 0, 1])],
            ..AnswererConfig::default()
        };
        let a = answer(&offer, &cfg).await.unwrap();
        let sdp = &a.answer;
        for line in [
            "a=setup:active",
            "a=rtpmap:111 opus/48000/2",
            "a=rtpmap:126 telephone-event/8000",
            "a=end-of-candidates",
            &format!("a=ssrc:{} cname:wacall", a.ssrc),
        ] {
            assert!(sdp.contains(line), "{line} missing from\n{sdp}");
        }
        let candidates: Vec<&str> = sdp
            .lines()
            .filter(|l| l.starts_with("a=candidate:"))
            .collect();
        assert_eq!(candidates.len(), 1, "{sdp}");
        assert!(candidates[0].contains(" 127.0.0.1 ") && candidates[0].ends_with("typ host"));
        assert_eq!(sdp.matches("a=fingerprint:sha-256").count(), 1);
        // And WhatsApp's rules find nothing wrong with it.
        use crate::core::input::{CallDirection, detect};
        let (o, s) = (
            detect(offer.as_bytes()).unwrap(),
            detect(sdp.as_bytes()).unwrap(),
        );
        let findings =
            crate::core::lint::check(Some(&o), Some(&s), CallDirection::UserInitiated).findings;
        assert!(
            findings
                .iter()
                .all(|f| f.rule.severity != crate::core::lint::Severity::Error),
            "{findings:?}"
        );
        a.peer.close().await;
    }
}
