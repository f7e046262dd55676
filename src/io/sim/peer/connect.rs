//! The simulated peer's WebRTC connection: ICE-lite, WhatsApp's DTLS role,
//! its own offer or its answer to a business offer, its one host candidate
//! on its own socket, driven by [`crate::io::direct`] with the gate on the
//! socket.

use crate::core::sim::gate::Gate;
use crate::core::sim::offer::answer_facts;
use crate::io::answerer::{self, MediaStack};
use crate::io::direct::{self, Peer};
use crate::io::lean::ice::Credentials;
use crate::io::lean::{Lean, LeanConfig, Role};
use crate::io::rtc::{self, Codecs, PeerEvent};
use ::rtc::peer_connection::configuration::setting_engine::SettingEngineBuilder;
use ::rtc::peer_connection::sdp::RTCSessionDescription;
use ::rtc::peer_connection::transport::RTCDtlsRole;
use anyhow::{Context, anyhow};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::mpsc;

use super::PeerConfig;

pub(super) struct Connected {
    pub peer: Peer,
    pub ssrc: u32,
    pub stream_id: String,
    pub events: mpsc::UnboundedReceiver<PeerEvent>,
    /// The peer's own description: its offer, or its answer.
    pub local_sdp: String,
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
    let socket = tokio::net::UdpSocket::bind(SocketAddr::new(cfg.bind_ip, 0))
        .await
        .with_context(|| format!("cannot bind the media peer on {}", cfg.bind_ip))?;
    let local = socket.local_addr()?;
    let mut se = SettingEngineBuilder::new()
        .with_lite(true)
        .with_ice_credentials(ufrag.to_string(), pwd.to_string())
        .with_include_loopback_candidate(local.ip().is_loopback());
    if let Some(offer) = business_offer
        && answer_facts(offer).setup.as_deref() == Some("actpass")
    {
        se = se.with_answering_dtls_role(RTCDtlsRole::Client);
    }
    let now = Instant::now();
    // On the lean stack webrtc-rs only writes the description, with the
    // certificate the lean core then presents.
    let lean = cfg.stack == MediaStack::Lean && business_offer.is_none();
    let rtc_cert = answerer::certificate()?;
    let lean_cert = if lean {
        Some(crate::io::lean::answer::dimpl_certificate(&rtc_cert)?)
    } else {
        None
    };
    let mut pc = direct::core_peer_certified(codecs, se.build(), rtc_cert, now)?;
    let ssrc: u32 = rand::random();
    let stream_id = uuid_like();
    let track = rtc::audio_stream(codecs, ssrc, &stream_id, &cfg.template.track_id);
    if let Some(offer) = business_offer {
        let desc = RTCSessionDescription::offer(offer.to_string())
            .map_err(|e| anyhow!("the business offer does not parse: {e}"))?;
        pc.set_remote_description(now, desc)
            .map_err(|e| anyhow!("the business offer cannot be applied: {e}"))?;
    }
    let sender = pc
        .add_track(track)
        .map_err(|e| anyhow!("the media peer cannot send audio: {e}"))?;
    direct::add_host_candidate(&mut pc, local)?;
    let local_desc = match business_offer {
        None => pc.create_offer(None),
        Some(_) => pc.create_answer(None),
    }
    .map_err(|e| anyhow!("the media peer cannot describe itself: {e}"))?;
    pc.set_local_description(now, local_desc)
        .map_err(|e| anyhow!("the media peer's description cannot be applied: {e}"))?;
    let local_sdp = pc
        .local_description()
        .ok_or_else(|| anyhow!("the media peer has no local description"))?
        .sdp
        .clone();
    let (peer, events) = match lean_cert {
        Some(cert) => {
            let core = Lean::new(
                LeanConfig {
                    role: Role::WhatsApp,
                    creds: Credentials {
                        local_ufrag: ufrag.to_string(),
                        local_pwd: pwd.to_string(),
                        remote_ufrag: String::new(),
                        remote_pwd: String::new(),
                    },
                    remotes: vec![],
                    fingerprint: vec![],
                    cert,
                    ssrc,
                    payload_types: codecs.payload_types(),
                    check_interval: std::time::Duration::from_secs(1),
                    attempts: 0,
                    wall: std::time::SystemTime::now(),
                },
                now,
            );
            Peer::spawn_conn(core, socket, Some(gate))?
        }
        None => Peer::spawn(pc, socket, sender, Some(gate))?,
    };
    Ok(Connected {
        peer,
        ssrc,
        stream_id,
        events,
        local_sdp,
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
