//! The simulated peer's WebRTC connection: ICE-lite, WhatsApp's DTLS role,
//! its own offer or its answer to a business offer, candidates gathered.

use super::super::gated::GatedRuntime;
use crate::core::sim::gate::Gate;
use crate::core::sim::offer::answer_facts;
use crate::io::rtc::{self, Codecs, Events, PeerEvent};
use ::rtc::peer_connection::transport::RTCDtlsRole;
use anyhow::{Context, anyhow};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, RTCSessionDescription, SettingEngineBuilder,
};
use webrtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};

use super::PeerConfig;

pub(super) struct Connected {
    pub pc: Arc<dyn PeerConnection>,
    pub track: Arc<TrackLocalStaticRTP>,
    pub ssrc: u32,
    pub stream_id: String,
    pub events: mpsc::UnboundedReceiver<PeerEvent>,
    /// Events that came while candidates were gathered.
    pub early: Vec<PeerEvent>,
    pub local: RTCSessionDescription,
}

/// Makes the peer's offer (no business offer) or answers the business's.
pub(super) async fn connect(
    cfg: &PeerConfig,
    business_offer: Option<&str>,
    codecs: &Codecs,
    ufrag: &str,
    pwd: &str,
    gate: Arc<Mutex<Gate>>,
) -> anyhow::Result<Connected> {
    let (me, registry) = rtc::media_engine(codecs)?;
    let mut se = SettingEngineBuilder::new()
        .with_lite(true)
        .with_ice_credentials(ufrag.to_string(), pwd.to_string());
    if let Some(offer) = business_offer
        && answer_facts(offer).setup.as_deref() == Some("actpass")
    {
        se = se.with_answering_dtls_role(RTCDtlsRole::Client);
    }
    let (events, mut events_rx) = Events::channel();
    let pc: Arc<dyn PeerConnection> = Arc::new(
        PeerConnectionBuilder::new()
            .with_setting_engine(se.build())
            .with_media_engine(me)
            .with_interceptor_registry(registry)
            .with_handler(events)
            .with_runtime(Arc::new(GatedRuntime::new(gate)?))
            .with_udp_addrs(vec![SocketAddr::new(cfg.bind_ip, 0)])
            .build()
            .await
            .context("start the media peer")?,
    );
    let ssrc: u32 = rand::random();
    let stream_id = uuid_like();
    let track = rtc::audio_track(codecs, ssrc, &stream_id, &cfg.template.track_id);
    match business_offer {
        None => {
            pc.add_transceiver_from_track(
                track.clone() as Arc<dyn TrackLocal>,
                Some(RTCRtpTransceiverInit {
                    direction: RTCRtpTransceiverDirection::Sendrecv,
                    streams: vec![],
                    send_encodings: vec![],
                }),
            )
            .await?;
            let offer = pc.create_offer(None).await?;
            pc.set_local_description(offer).await?;
        }
        Some(offer) => {
            let desc = RTCSessionDescription::offer(offer.to_string())
                .context("the business offer does not parse")?;
            pc.set_remote_description(desc)
                .await
                .context("the business offer cannot be applied")?;
            pc.add_track(track.clone() as Arc<dyn TrackLocal>)
                .await
                .context("the business offer has no usable audio")?;
            let answer = pc.create_answer(None).await?;
            pc.set_local_description(answer).await?;
        }
    }
    // ICE-lite with one host address gathers at once; bounded all the same.
    let (early, _) = rtc::await_gathering(&mut events_rx, Duration::from_secs(2)).await;
    let local = pc
        .local_description()
        .await
        .ok_or_else(|| anyhow!("the media peer has no local description"))?;
    Ok(Connected {
        pc,
        track,
        ssrc,
        stream_id,
        events: events_rx,
        early,
        local,
    })
}

fn uuid_like() -> String {
    let b: [u8; 16] = rand::random();
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}
