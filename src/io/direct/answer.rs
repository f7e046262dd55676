//! The bridge's answer on the direct path: whether a configuration can
//! take it, the `rtc` peer for a call, its one host candidate, and the
//! answer itself, handed to the driver ([`super::Peer::spawn`]).

use super::Peer;
use crate::io::answerer::{self, AnswererConfig};
use crate::io::rtc::{self, Codecs, PeerEvent};
use ::rtc::peer_connection::certificate::RTCCertificate;
use ::rtc::peer_connection::configuration::RTCConfigurationBuilder;
use ::rtc::peer_connection::configuration::setting_engine::{SettingEngine, SettingEngineBuilder};
use ::rtc::peer_connection::sdp::RTCSessionDescription;
use ::rtc::peer_connection::transport::{
    CandidateConfig, CandidateHostConfig, RTCDtlsRole, RTCIceCandidate, RTCIceCandidateInit,
};
use ::rtc::peer_connection::{RTCPeerConnection, RTCPeerConnectionBuilder};
use ::rtc::rtp_transceiver::RTCRtpSenderId;
use anyhow::{Context, anyhow};
use std::net::SocketAddr;
use std::time::Instant;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

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

/// Answers `offer` from one UDP socket on `cfg`'s one address.
pub async fn answer(offer: &str, cfg: &AnswererConfig) -> anyhow::Result<Answered> {
    if cfg.stack == answerer::MediaStack::Lean {
        return crate::io::lean::answer::answer(offer, cfg).await;
    }
    let codecs = answerer::offered_codecs(offer)?;
    let socket = media_socket(cfg).await?;
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
    let ssrc: u32 = rand::random();
    let (sender, local_sdp) = answer_offer(&mut pc, offer, &codecs, ssrc, local, now)?;
    let (peer, events) = Peer::spawn(pc, socket, sender, None)?;
    Ok(Answered {
        peer,
        answer: answerer::tidy_answer(&local_sdp, cfg.public_ip),
        ssrc,
        codecs,
        events,
    })
}

/// The call's one UDP socket, on `cfg`'s one address.
pub async fn media_socket(cfg: &AnswererConfig) -> anyhow::Result<UdpSocket> {
    let addr = *answerer::bind_addresses(cfg)?
        .first()
        .ok_or_else(|| anyhow!("no address to bind"))?;
    UdpSocket::bind(addr)
        .await
        .with_context(|| format!("cannot bind the media port on {addr}"))
}

/// `pc` takes the offer, our track with `ssrc` and the host candidate
/// `local`, and answers; the sender and the answer as `pc` wrote it.
pub fn answer_offer(
    pc: &mut RTCPeerConnection,
    offer: &str,
    codecs: &Codecs,
    ssrc: u32,
    local: SocketAddr,
    now: Instant,
) -> anyhow::Result<(RTCRtpSenderId, String)> {
    let desc = RTCSessionDescription::offer(answerer::without_foreign_dtmf(offer))
        .map_err(|e| anyhow!("the offer does not parse as SDP: {e}"))?;
    pc.set_remote_description(now, desc)
        .map_err(|e| anyhow!("the offer cannot be applied: {e}"))?;
    let sender = pc
        .add_track(rtc::audio_stream(codecs, ssrc, "wacall", "wacall-audio"))
        .map_err(|e| anyhow!("the offer's audio section cannot carry our track: {e}"))?;
    add_host_candidate(pc, local)?;
    let answer = pc
        .create_answer(None)
        .map_err(|e| anyhow!("cannot answer: {e}"))?;
    pc.set_local_description(now, answer)
        .map_err(|e| anyhow!("cannot apply the answer: {e}"))?;
    let sdp = pc
        .local_description()
        .ok_or_else(|| anyhow!("no local description"))?
        .sdp
        .clone();
    Ok((sender, sdp))
}

/// An `rtc` peer connection for a call: our codecs and interceptors, the
/// ECDSA certificate, and `se`'s ICE and DTLS settings.
pub fn core_peer(
    codecs: &Codecs,
    se: SettingEngine,
    now: Instant,
) -> anyhow::Result<RTCPeerConnection> {
    core_peer_certified(codecs, se, answerer::certificate()?, now)
}

/// [`core_peer`] with a certificate of the caller's.
pub fn core_peer_certified(
    codecs: &Codecs,
    se: SettingEngine,
    cert: RTCCertificate,
    now: Instant,
) -> anyhow::Result<RTCPeerConnection> {
    let (me, registry) = rtc::media_engine(codecs)?;
    let config = RTCConfigurationBuilder::new()
        .with_certificates(vec![cert])
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

#[cfg(test)]
mod tests {
    use super::super::testkit::{offered_and_answered, until_dtls};
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

    /// `rtc` holds the DTLS client's ClientHello until its next timer; the
    /// driver hands it out as ICE connects. With a check interval above
    /// rtc-ice's 200 ms default the handshake would otherwise start 200 ms
    /// late (measured: 203-207 ms; with the hand-out 1-4 ms).
    #[tokio::test]
    async fn the_client_hello_leaves_as_ice_connects() {
        let cfg = AnswererConfig {
            check_interval: std::time::Duration::from_secs(1),
            ..AnswererConfig::default()
        };
        let (peer, a) = offered_and_answered(IpAddr::from([127, 0, 0, 1]), cfg).await;
        peer.apply_answer(&a.answer).await.unwrap();
        let timeline = until_dtls(&peer).await;
        let (ice, dtls) = (
            timeline.ice_connected.unwrap(),
            timeline.dtls_connected.unwrap(),
        );
        assert!(
            dtls - ice < std::time::Duration::from_millis(150),
            "ICE connected at {ice:?}, DTLS only at {dtls:?}"
        );
        a.peer.close().await;
    }

    /// IPv6 end to end: WhatsApp offers AAAA candidates too (the corpus has
    /// 2a03:2880:... hosts). Over ::1 the answer names the address and the
    /// call reaches DTLS.
    #[tokio::test]
    async fn a_call_connects_over_ipv6() {
        let v6 = IpAddr::from(std::net::Ipv6Addr::LOCALHOST);
        let (peer, a) = offered_and_answered(v6, AnswererConfig::default()).await;
        assert!(peer.offer().contains(" ::1 "), "{}", peer.offer());
        assert!(a.answer.contains("c=IN IP6 ::1"), "{}", a.answer);
        assert!(a.answer.contains(" ::1 "), "{}", a.answer);
        peer.apply_answer(&a.answer).await.unwrap();
        let timeline = until_dtls(&peer).await;
        assert!(timeline.dtls_connected.is_some(), "{timeline:?}");
        a.peer.close().await;
    }

    /// The last handle gone, the driver ends (and with it the media loop)
    /// even though the media's steering is still open: its forwarder must
    /// not keep the driver alive.
    #[tokio::test]
    async fn the_driver_ends_with_its_last_handle() {
        use crate::core::audio::Tone;
        use crate::io::media::{MediaConfig, MediaStats, Source};
        use std::sync::{Arc, Mutex};
        use tokio::sync::{mpsc, watch};
        let (_peer, a) =
            offered_and_answered(IpAddr::from([127, 0, 0, 1]), AnswererConfig::default()).await;
        let cfg = MediaConfig {
            ssrc: a.ssrc,
            opus_pt: a.codecs.opus_pt,
            dtmf_pt: a.codecs.dtmf_pt,
            bitrate: 20_000,
            complexity: 1,
            decode_for: None,
            playback_hz: None,
        };
        let (_start, start_rx) = watch::channel(false);
        let (_stop, stop_rx) = watch::channel(false);
        let (_dtmf, dtmf_rx) = mpsc::unbounded_channel();
        let media = a.peer.run_media(
            &cfg,
            Box::new(Source::Tone(Tone::new(440.0, 0.3))),
            start_rx,
            stop_rx,
            dtmf_rx,
            Arc::new(Mutex::new(MediaStats::default())),
        );
        drop(a.peer);
        let ended = tokio::time::timeout(std::time::Duration::from_secs(5), media).await;
        assert!(ended.is_ok(), "the driver outlived its last handle");
    }
}
