//! The OpenAI Realtime API as a far end over WebRTC (`--openai-transport
//! webrtc`): a second peer connection, offered by us and answered by
//! `POST /v1/realtime/calls`, with the `oai-events` data channel. The
//! caller's Opus is forwarded to OpenAI without decoding and OpenAI's Opus
//! to the caller, each leg re-originated (our SSRC, our sequence numbers and
//! timestamps, no foreign header extensions).

use super::OpenAiConfig;
use super::calls;
use crate::core::realtime::{Notice, Prices, RtcConversation};
use crate::core::relay::{Reorigin, TickQueue};
use crate::io::farend::{FarEnd, Note, OpusPacket};
use crate::io::rtc::{self, Codecs, Events, PeerEvent};
use anyhow::{Context, anyhow, bail};
use bytes::Bytes;
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::TrackRemoteEvent;
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, RTCPeerConnectionState, RTCSessionDescription,
    SettingEngineBuilder,
};
use webrtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};

/// OpenAI's Opus payload type in its answers; ours must match what it accepts.
const OPUS_PT: u8 = 111;
/// OpenAI audio held for the caller beyond this is dropped (oldest first).
const HOLD: usize = 5;
/// 0.5 s of ticks with a standing queue before it is trimmed.
const STANDING_TICKS: u32 = 25;

struct Shared {
    conv: RtcConversation,
    /// OpenAI's Opus for the caller with its arrival, in arrival order.
    queue: TickQueue<(Bytes, Instant)>,
    notes: Vec<Note>,
    failure: Option<String>,
    /// Caller packet arrival to its write on the OpenAI leg.
    forward_latency: Vec<Duration>,
    /// OpenAI packet arrival to its departure toward the caller.
    return_latency: Vec<Duration>,
    flushed: u64,
    forwarded: u64,
    received: u64,
}

pub struct OpenAiRtc {
    shared: Arc<Mutex<Shared>>,
    to_ai: mpsc::UnboundedSender<OpusPacket>,
    events_out: mpsc::UnboundedSender<String>,
    pc: Arc<dyn PeerConnection>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    model: String,
    prices: Prices,
    call_id: Option<String>,
}

impl Drop for OpenAiRtc {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        let pc = self.pc.clone();
        if let Ok(h) = tokio::runtime::Handle::try_current() {
            h.spawn(async move {
                let _ = pc.close().await;
            });
        }
    }
}

impl OpenAiRtc {
    /// Offers, posts the offer with the session, applies OpenAI's answer and
    /// waits for the data channel: a bad key or model fails here, before
    /// the WhatsApp call is accepted.
    pub async fn connect(cfg: OpenAiConfig) -> anyhow::Result<OpenAiRtc> {
        let url = calls::calls_url(&cfg.url)?;
        let codecs = Codecs {
            opus_pt: OPUS_PT,
            opus_fmtp: "minptime=10;useinbandfec=1".into(),
            dtmf_pt: None,
        };
        let (me, registry) = rtc::media_engine(&codecs)?;
        let local = calls::loopback_host(&url);
        let mut se = SettingEngineBuilder::new();
        if local {
            se = se.with_include_loopback_candidate(true);
        }
        let bind = IpAddr::from(if local { [127, 0, 0, 1] } else { [0, 0, 0, 0] });
        let (events, mut peer_events) = Events::channel();
        let pc: Arc<dyn PeerConnection> = Arc::new(
            PeerConnectionBuilder::new()
                .with_setting_engine(se.build())
                .with_media_engine(me)
                .with_interceptor_registry(registry)
                .with_handler(events)
                .with_udp_addrs(vec![SocketAddr::new(bind, 0)])
                .build()
                .await
                .context("cannot start the WebRTC peer for OpenAI")?,
        );
        let ssrc: u32 = rand::random();
        let track = rtc::audio_track(&codecs, ssrc, "wacall", "wacall-to-openai");
        pc.add_transceiver_from_track(
            track.clone() as Arc<dyn TrackLocal>,
            Some(RTCRtpTransceiverInit {
                direction: RTCRtpTransceiverDirection::Sendrecv,
                streams: vec![],
                send_encodings: vec![],
            }),
        )
        .await?;
        let dc = pc.create_data_channel("oai-events", None).await?;
        let offer = pc.create_offer(None).await?;
        pc.set_local_description(offer).await?;
        let (early, _) = rtc::await_gathering(&mut peer_events, Duration::from_secs(2)).await;
        let offer = pc
            .local_description()
            .await
            .ok_or_else(|| anyhow!("no local description for the OpenAI leg"))?;
        let (answer, call_id) = calls::post_offer(&url, &cfg, &offer.sdp).await?;
        pc.set_remote_description(
            RTCSessionDescription::answer(answer).context("OpenAI's answer does not parse")?,
        )
        .await
        .context("OpenAI's answer cannot be applied")?;

        let shared = Arc::new(Mutex::new(Shared {
            conv: RtcConversation::new(cfg.session.clone()),
            queue: TickQueue::new(HOLD, STANDING_TICKS),
            notes: Vec::new(),
            failure: None,
            forward_latency: Vec::new(),
            return_latency: Vec::new(),
            flushed: 0,
            forwarded: 0,
            received: 0,
        }));
        // The data channel open, and the session announced, within the timeout.
        let opened = tokio::time::timeout(cfg.connect_timeout, async {
            loop {
                match dc.poll().await {
                    Some(DataChannelEvent::OnOpen) => return Ok(()),
                    Some(DataChannelEvent::OnMessage(m)) => {
                        let text = String::from_utf8_lossy(&m.data).to_string();
                        shared.lock().unwrap().conv.on_text(&text, Instant::now());
                    }
                    Some(DataChannelEvent::OnClose) | None => {
                        return Err(anyhow!("OpenAI closed the `oai-events` data channel"));
                    }
                    Some(_) => {}
                }
            }
        })
        .await;
        match opened {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => bail!(
                "OpenAI's WebRTC leg did not connect within {:?} (ICE or DTLS toward OpenAI failed; check UDP egress)",
                cfg.connect_timeout
            ),
        }
        let (to_ai, from_bridge) = mpsc::unbounded_channel();
        let (events_out, events_rx) = mpsc::unbounded_channel();
        let tasks = vec![
            tokio::spawn(forward_to_ai(
                track,
                Reorigin::new(ssrc, rand::random(), rand::random()),
                from_bridge,
                shared.clone(),
            )),
            tokio::spawn(channel(dc, events_rx, shared.clone())),
            tokio::spawn(peer(peer_events, early, shared.clone())),
        ];
        Ok(OpenAiRtc {
            shared,
            to_ai,
            events_out,
            pc,
            tasks,
            model: cfg.session.model.clone(),
            prices: cfg.prices,
            call_id,
        })
    }

    fn send_queued(&self) {
        let out = self.shared.lock().unwrap().conv.drain();
        for e in out {
            let _ = self.events_out.send(e.to_json());
        }
    }
}

/// The caller's packets onto the OpenAI leg, re-originated.
async fn forward_to_ai(
    track: Arc<TrackLocalStaticRTP>,
    mut ours: Reorigin,
    mut from_bridge: mpsc::UnboundedReceiver<OpusPacket>,
    shared: Arc<Mutex<Shared>>,
) {
    while let Some(p) = from_bridge.recv().await {
        let (sequence_number, timestamp) = ours.map(p.ssrc, p.sequence, p.timestamp);
        let packet = ::rtc::rtp::Packet {
            header: ::rtc::rtp::Header {
                version: 2,
                payload_type: OPUS_PT,
                sequence_number,
                timestamp,
                ssrc: ours.ssrc,
                ..Default::default()
            },
            payload: p.payload,
        };
        let ok = track.write_rtp(packet).await.is_ok();
        let mut s = shared.lock().unwrap();
        if ok {
            s.forwarded += 1;
            s.forward_latency.push(p.at.elapsed());
        }
    }
}

/// The data channel: server events in, client events out.
async fn channel(
    dc: Arc<dyn DataChannel>,
    mut out: mpsc::UnboundedReceiver<String>,
    shared: Arc<Mutex<Shared>>,
) {
    loop {
        tokio::select! {
            e = dc.poll() => match e {
                Some(DataChannelEvent::OnMessage(m)) => {
                    let text = String::from_utf8_lossy(&m.data).to_string();
                    let mut s = shared.lock().unwrap();
                    s.conv.on_text(&text, Instant::now());
                    if s.conv.take_flush() {
                        s.flushed += s.queue.flush() as u64;
                    }
                }
                Some(DataChannelEvent::OnClose) | None => {
                    shared.lock().unwrap().failure.get_or_insert_with(|| "OpenAI closed the `oai-events` data channel".into());
                    return;
                }
                Some(_) => {}
            },
            Some(text) = out.recv() => {
                if let Err(e) = dc.send_text(&text).await {
                    shared.lock().unwrap().note("openai", format!("a client event was not sent: {e}"));
                }
            }
        }
    }
}

impl Shared {
    fn note(&mut self, kind: &'static str, text: String) {
        self.notes.push(Note { kind, text });
    }
}

/// OpenAI's audio track into the queue; the connection's failure noted.
async fn peer(
    mut events: mpsc::UnboundedReceiver<PeerEvent>,
    early: Vec<PeerEvent>,
    shared: Arc<Mutex<Shared>>,
) {
    let mut readers = tokio::task::JoinSet::new();
    let handle = |e: PeerEvent, readers: &mut tokio::task::JoinSet<()>| match e {
        PeerEvent::Track(track) => {
            let shared = shared.clone();
            readers.spawn(async move {
                while let Some(e) = track.poll().await {
                    if let TrackRemoteEvent::OnRtpPacket(p) = e
                        && p.header.payload_type == OPUS_PT
                    {
                        let mut s = shared.lock().unwrap();
                        s.received += 1;
                        s.queue.push((p.payload, Instant::now()));
                    }
                }
            });
        }
        PeerEvent::State(RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed) => {
            shared
                .lock()
                .unwrap()
                .failure
                .get_or_insert_with(|| "the WebRTC connection to OpenAI failed".into());
        }
        _ => {}
    };
    for e in early {
        handle(e, &mut readers);
    }
    while let Some(e) = events.recv().await {
        handle(e, &mut readers);
    }
}

fn note_of(n: Notice) -> Note {
    super::note_of(n)
}

impl FarEnd for OpenAiRtc {
    fn name(&self) -> String {
        format!("openai:{} (webrtc)", self.model)
    }

    fn hear(&mut self, _samples: &[i16], _at: Instant) {}

    fn speak(&mut self, _out: &mut [i16]) {}

    fn passthrough(&self) -> bool {
        true
    }

    fn hear_opus(&mut self, packet: OpusPacket) {
        let _ = self.to_ai.send(packet);
    }

    fn speak_opus(&mut self) -> Option<Bytes> {
        let mut s = self.shared.lock().unwrap();
        let (p, at) = s.queue.pop()?;
        s.return_latency.push(at.elapsed());
        Some(p)
    }

    fn start(&mut self) {
        self.shared.lock().unwrap().conv.media_started();
        self.send_queued();
    }

    fn notes(&mut self) -> Vec<Note> {
        self.send_queued();
        let mut s = self.shared.lock().unwrap();
        let notices = s.conv.notices();
        let mut out = std::mem::take(&mut s.notes);
        out.extend(notices.into_iter().map(note_of));
        out
    }

    fn failure(&mut self) -> Option<String> {
        self.shared.lock().unwrap().failure.clone()
    }

    fn summary(&self) -> Option<serde_json::Value> {
        let s = self.shared.lock().unwrap();
        let c = &s.conv;
        let mut v = super::conversation_summary(
            "webrtc",
            &self.model,
            &self.prices,
            (c.responses, c.barge_ins, &c.usage),
            &c.turn_latency,
            c.history(),
        );
        v["openai_call_id"] = json!(self.call_id);
        v["packets"] = json!({"to_openai": s.forwarded, "from_openai": s.received, "flushed_on_barge_in": s.flushed,
                              "dropped_over_hold": s.queue.dropped, "trimmed_standing": s.queue.trimmed});
        v["latency"] = json!({
            "rtp_in_to_openai_out": super::ms_quantiles(&s.forward_latency),
            "openai_in_to_rtp_out": super::ms_quantiles(&s.return_latency),
        });
        Some(v)
    }
}
