//! The simulated WhatsApp media peer: webrtc-rs's sans-IO core in ICE-lite
//! mode, the DTLS server, on our driver with its socket gated (see
//! [`crate::io::direct`] and [`Gate`]); it sends audio only once the
//! call is accepted and the bridge has sent its first packet (Meta expects
//! the business to send the maiden packet), and records what it hears.

mod connect;
mod tasks;
use crate::core::audio::{Analysis, analyze};
use crate::core::rtp::ReceiveStats;
use crate::core::sim::diagnose::Timeline;
use crate::core::sim::gate::{BusinessSdp, Gate, Observations};
use crate::core::sim::offer::{
    AudioTemplate, Transport, answer_facts, build_offer, internal_answer, random_pwd, random_ufrag,
    wire_answer,
};
use crate::io::farend::{Recorded, Recording};
use crate::io::media::{MediaConfig, MediaStats, Source};
use crate::io::rtc::Codecs;
use ::rtc::peer_connection::sdp::RTCSessionDescription;
use anyhow::{Context, anyhow};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

#[derive(Debug, Clone)]
pub struct PeerConfig {
    /// The address WhatsApp's host candidate names.
    pub bind_ip: IpAddr,
    pub template: AudioTemplate,
    pub source: Source,
    /// Send only after the bridge's first RTP packet, as WhatsApp does.
    pub wait_for_maiden: bool,
    pub bitrate: i32,
    /// The media stack of WhatsApp's side when it offers (answering a
    /// business offer stays on webrtc-rs's core).
    pub stack: crate::io::answerer::MediaStack,
}

impl PeerConfig {
    pub fn loopback(source: Source) -> PeerConfig {
        PeerConfig {
            bind_ip: IpAddr::from([127, 0, 0, 1]),
            template: AudioTemplate::whatsapp(),
            source,
            wait_for_maiden: true,
            bitrate: 20_000,
            stack: crate::io::answerer::MediaStack::Rtc,
        }
    }
}

/// How long a light caller (`sim --light`) decodes what it hears: enough for
/// the level and the dominant frequency; decoding every call's whole audio
/// took a quarter of the simulator's CPU at 300 calls.
pub const LIGHT_HEARING: Duration = Duration::from_secs(2);

/// A cheap snapshot of what the peer observed, for polling every frame.
#[derive(Debug, Clone)]
pub struct PeerState {
    pub timeline: Timeline,
    pub seen: Observations,
    pub rtp_in: ReceiveStats,
    pub answer: Option<BusinessSdp>,
    pub sent_packets: u64,
    pub sent_dtmf_packets: u64,
    pub sent_skipped: u64,
    pub sent_errors: u64,
    pub first_sent: Option<Duration>,
    pub heard_packets: u64,
    pub heard_concealed: u64,
    pub heard_digits: String,
    pub level_dbfs: f64,
}

pub struct WhatsAppPeer {
    peer: crate::io::direct::Peer,
    offer: String,
    opus_pt: u8,
    internal_mid: String,
    template: AudioTemplate,
    gate: Arc<Mutex<Gate>>,
    /// The address the offer's candidate names: the peer's own socket.
    media_address: SocketAddr,
    started: Instant,
    accepted: watch::Sender<bool>,
    stop: watch::Sender<bool>,
    dtmf: mpsc::UnboundedSender<char>,
    stats: Arc<Mutex<MediaStats>>,
    recording: Arc<Mutex<Recording>>,
    timeline: Arc<Mutex<Timeline>>,
    tasks: JoinSet<()>,
}

impl WhatsAppPeer {
    /// WhatsApp's side of a user-initiated call: it makes the offer.
    pub async fn new(cfg: PeerConfig) -> anyhow::Result<WhatsAppPeer> {
        Ok(Self::build(cfg, None).await?.0)
    }

    /// WhatsApp's side of a business-initiated call: it answers the
    /// business's offer (ICE-lite, the DTLS client as Meta's sample answer
    /// has it) and returns the answer as WhatsApp sends it.
    pub async fn answering(
        cfg: PeerConfig,
        business_offer: &str,
    ) -> anyhow::Result<(WhatsAppPeer, String)> {
        Self::build(cfg, Some(business_offer)).await
    }

    async fn build(
        cfg: PeerConfig,
        business_offer: Option<&str>,
    ) -> anyhow::Result<(WhatsAppPeer, String)> {
        let started = Instant::now();
        let mut rng = || rand::random::<u64>();
        let (ufrag, pwd) = (random_ufrag(&mut rng), random_pwd(&mut rng));
        let codecs = match business_offer {
            None => Codecs {
                opus_pt: cfg.template.opus_pt,
                opus_fmtp: cfg.template.opus_fmtp.clone(),
                dtmf_pt: cfg.template.dtmf_pt,
            },
            Some(offer) => crate::io::answerer::offered_codecs(offer)?,
        };
        // WhatsApp codes no wider than it captures (its offer's
        // sprop-maxcapturerate, 16 kHz: SILK wideband) nor than a business
        // offer says it plays.
        let playback_hz = [
            cfg.template.capture_hz(),
            business_offer.and_then(crate::io::answerer::offered_playback_rate),
        ]
        .into_iter()
        .flatten()
        .min();
        let gate = Arc::new(Mutex::new(Gate::new(started, &ufrag, &pwd)));
        let connect::Connected {
            peer,
            ssrc,
            stream_id,
            events: events_rx,
            local_sdp,
        } = connect::connect(&cfg, business_offer, &codecs, &ufrag, &pwd, gate.clone()).await?;
        let (fingerprint, internal_mid, media_address) = local_facts(&local_sdp)?;

        let transport = Transport {
            session_id: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or_default(),
            ice_ufrag: ufrag,
            ice_pwd: pwd,
            fingerprint,
            candidates: vec![media_address],
            ssrc,
            stream_id,
        };
        let wire = match business_offer {
            None => build_offer(&cfg.template, &transport),
            Some(offer) => {
                gate.lock().unwrap().set_answer(answer_facts(offer));
                wire_answer(&local_sdp, media_address)
            }
        };

        let (accepted, accepted_rx) = watch::channel(false);
        let (stop, stop_rx) = watch::channel(false);
        let (start_tx, start_rx) = watch::channel(false);
        let (dtmf, dtmf_rx) = mpsc::unbounded_channel();
        let stats = Arc::new(Mutex::new(MediaStats::default()));
        // The simulated user: says `source`, and what it hears is kept.
        let user = Recorded::new(cfg.source.clone());
        let light = cfg.source.is_pre_encoded();
        let recording = user.recording.clone();
        let timeline = Arc::new(Mutex::new(Timeline::default()));
        let mut tasks = JoinSet::new();

        tasks::record_events(&mut tasks, started, timeline.clone(), events_rx);
        tasks::start_media_when_due(
            &mut tasks,
            gate.clone(),
            accepted_rx,
            stop_rx.clone(),
            cfg.wait_for_maiden,
            start_tx,
        );
        let media_cfg = MediaConfig {
            ssrc,
            opus_pt: codecs.opus_pt,
            dtmf_pt: codecs.dtmf_pt,
            bitrate: cfg.bitrate,
            complexity: crate::core::audio::COMPLEXITY,
            decode_for: light.then_some(LIGHT_HEARING),
            playback_hz,
        };
        let media_in = tasks::MediaIn {
            start: start_rx,
            stop: stop_rx,
            dtmf: dtmf_rx,
        };
        tasks::run_media(&mut tasks, &peer, media_cfg, user, media_in, stats.clone());
        Ok((
            WhatsAppPeer {
                peer,
                offer: wire.clone(),
                opus_pt: codecs.opus_pt,
                internal_mid,
                template: cfg.template,
                gate,
                media_address,
                started,
                accepted,
                stop,
                dtmf,
                stats,
                recording,
                timeline,
                tasks,
            },
            wire,
        ))
    }

    /// The offer (or, answering, the answer) as WhatsApp sends it in the `connect` webhook.
    pub fn offer(&self) -> &str {
        &self.offer
    }

    /// The payload type of Opus on this call.
    pub fn opus_pt(&self) -> u8 {
        self.opus_pt
    }

    /// The address the offer's candidate names.
    pub fn media_address(&self) -> SocketAddr {
        self.media_address
    }

    /// Applies the bridge's answer (pre_accept, or accept without one).
    pub async fn apply_answer(&self, answer: &str) -> anyhow::Result<BusinessSdp> {
        let facts = answer_facts(answer);
        self.timeline
            .lock()
            .unwrap()
            .answer
            .get_or_insert(self.started.elapsed());
        let internal = internal_answer(answer, &self.template.mid, &self.internal_mid);
        let desc = RTCSessionDescription::answer(internal)
            .map_err(|e| anyhow!("the answer does not parse: {e}"))?;
        self.peer
            .set_remote(desc)
            .await
            .context("the answer cannot be applied")?;
        // Only now may the bridge's datagrams reach the core: a ClientHello
        // that came before the answer was applied is dropped there, and
        // the bridge's DTLS retries after 1, 2, 4 s (a whole second of
        // setup in 1 of 20 calls at 1000 calls; seconds on other timings).
        self.gate.lock().unwrap().set_answer(facts.clone());
        Ok(facts)
    }

    /// The call is accepted: media counts from now, and WhatsApp starts
    /// sending once the bridge has.
    pub fn accept(&self) {
        self.gate.lock().unwrap().set_accepted();
        self.timeline
            .lock()
            .unwrap()
            .accept
            .get_or_insert(self.started.elapsed());
        let _ = self.accepted.send(true);
    }

    /// Queues DTMF keys (0-9, *, #, A-D) as RFC 4733 events.
    pub fn send_dtmf(&self, keys: &str) {
        for k in keys.chars() {
            let _ = self.dtmf.send(k);
        }
    }

    /// Time since the offer was made.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// When media last arrived from the bridge (RTP or RTCP), as an offset.
    pub fn last_media_in(&self) -> Option<Duration> {
        self.gate.lock().unwrap().seen.last_media_in
    }

    pub fn state(&self) -> PeerState {
        let seen = self.gate.lock().unwrap().seen.clone();
        let m = self.stats.lock().unwrap();
        PeerState {
            timeline: self.timeline.lock().unwrap().clone(),
            rtp_in: seen.rtp_in.clone(),
            seen,
            answer: self.gate.lock().unwrap().answer().cloned(),
            sent_packets: m.sent_packets,
            sent_dtmf_packets: m.sent_dtmf_packets,
            sent_skipped: m.skipped_frames,
            sent_errors: m.write_errors,
            first_sent: m
                .first_sent
                .map(|t| t.saturating_duration_since(self.started)),
            heard_packets: m.received_packets - m.undecoded_packets,
            heard_concealed: m.concealed_frames,
            heard_digits: m.digits.clone(),
            level_dbfs: m.level_in_dbfs,
        }
    }

    /// Level and dominant frequency of everything heard: an FFT, so once, at the end.
    pub fn analysis(&self) -> Analysis {
        analyze(&self.recording.lock().unwrap().incoming)
    }

    /// What the peer heard, 48 kHz mono.
    pub fn recording(&self) -> Vec<i16> {
        self.recording.lock().unwrap().incoming.clone()
    }

    /// Stops media and closes the connection.
    pub async fn close(&mut self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(2), self.peer.close()).await;
        self.tasks.abort_all();
    }
}

/// The fingerprint, mid and host candidate address of the peer's own offer.
fn local_facts(sdp: &str) -> anyhow::Result<(String, String, SocketAddr)> {
    let parsed = crate::core::sdp::Sdp::parse(sdp);
    let audio = parsed.audio();
    let fingerprint = parsed
        .scoped_value(audio, "fingerprint")
        .and_then(|a| {
            a.value_or_empty()
                .split_once(' ')
                .map(|(_, h)| h.to_string())
        })
        .ok_or_else(|| anyhow!("the media peer's offer has no fingerprint"))?;
    let mid = audio
        .and_then(|m| parsed.media_attrs(m, "mid").next())
        .map(|a| a.value_or_empty().to_string())
        .unwrap_or_else(|| "0".into());
    let addr = parsed
        .attrs(audio.map(|m| m.section).unwrap_or(parsed.session))
        .filter(|a| a.key == "candidate")
        .filter_map(|a| crate::core::sdp::parse_candidate(a.value_or_empty()).ok())
        .find_map(|c| Some(SocketAddr::new(c.address.parse().ok()?, c.port)))
        .ok_or_else(|| anyhow!("the media peer gathered no candidate"))?;
    Ok((fingerprint, mid, addr))
}

#[cfg(test)]
mod tests;
