//! The business side of a WhatsApp call done right, on webrtc-rs: a full ICE
//! agent (controlling toward WhatsApp's ICE-lite offer), the DTLS client
//! (`a=setup:active`), Opus and DTMF at the offer's own payload types, one
//! SSRC, candidates from STUN/TURN/a public address, gathering bounded.
//!
//! Setup speed. With webrtc-rs's default 200 ms ICE check interval, the
//! first check leaves 200 ms after the answer, and the nomination that lets
//! DTLS start (regular nomination: a second check, with USE-CANDIDATE) leaves
//! 200 ms after that, so the ClientHello goes out at ~400 ms (deps.md §1 saw
//! this as a "DTLS stall"). Measured on loopback, the ICE-connected event
//! reaches us within 0.3 ms of the first check, and waking the driver then
//! changes nothing: the ClientHello waits for the nomination tick. So the
//! interval itself is shortened (10 ms by default), with proportionally more
//! attempts so a dead pair is still given up after ~1.4 s.

use crate::core::sdp::{Sdp, parse_fmtp, parse_rtpmap};
use crate::io::rtc::{self, Codecs, Events, PeerEvent};
use ::rtc::peer_connection::certificate::{CertificateParams, RTCCertificate};
use ::rtc::peer_connection::transport::RTCDtlsRole;
use anyhow::{Context, anyhow, bail};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, RTCConfigurationBuilder, RTCIceServer,
    RTCSessionDescription, SettingEngineBuilder,
};

#[derive(Debug, Clone)]
pub struct AnswererConfig {
    /// Addresses to gather host candidates on; `0.0.0.0` means every interface.
    pub bind: Vec<IpAddr>,
    /// STUN and TURN servers (`stun:host:port`, `turn:host:port?transport=udp`).
    pub ice_servers: Vec<IceServer>,
    /// A public address the host is reachable at (1:1 NAT), advertised instead of the private one.
    pub public_ip: Option<IpAddr>,
    /// Bind the media port inside this range.
    pub udp_ports: Option<(u16, u16)>,
    pub gather_timeout: Duration,
    /// The ICE check interval while connecting.
    pub check_interval: Duration,
    /// Which media stack runs a call on the direct path.
    pub stack: MediaStack,
}

/// The media stack under a call on one concrete address without STUN or
/// TURN servers (elsewhere webrtc-rs's async stack gathers and runs it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MediaStack {
    /// webrtc-rs's sans-IO core.
    #[default]
    Rtc,
    /// wacall's own ICE, DTLS (dimpl) and SRTP: `io::lean`.
    Lean,
}

impl Default for AnswererConfig {
    fn default() -> AnswererConfig {
        AnswererConfig {
            bind: vec![IpAddr::from([0, 0, 0, 0])],
            ice_servers: vec![],
            public_ip: None,
            udp_ports: None,
            gather_timeout: Duration::from_secs(1),
            check_interval: Duration::from_millis(10),
            stack: MediaStack::Rtc,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceServer {
    pub url: String,
    pub username: String,
    pub credential: String,
}

/// A WhatsApp offer answered, with the connection behind the answer.
pub struct Answered {
    pub pc: Arc<dyn PeerConnection>,
    /// The answer, CRLF, one host candidate per bound address, as sent to Meta.
    pub answer: String,
    pub track: Arc<TrackLocalStaticRTP>,
    pub ssrc: u32,
    pub codecs: Codecs,
    pub events: mpsc::UnboundedReceiver<PeerEvent>,
    /// Gathering finished (or timed out) after this long.
    pub gathered_in: Duration,
    /// `true` when gathering hit `gather_timeout` before completing.
    pub gather_timed_out: bool,
}

/// The codecs of WhatsApp's offer: Opus (registered with an empty fmtp, so
/// webrtc-rs matches any offer's) and telephone-event/8000, at its payload types.
pub fn offered_codecs(offer: &str) -> anyhow::Result<Codecs> {
    let sdp = Sdp::parse(offer);
    let audio = sdp
        .audio()
        .ok_or_else(|| anyhow!("the offer has no audio section"))?;
    let maps: Vec<_> = sdp
        .media_attrs(audio, "rtpmap")
        .filter_map(|a| parse_rtpmap(a.value_or_empty()).ok())
        .filter(|m| audio.formats.contains(&m.pt))
        .collect();
    let opus = maps
        .iter()
        .find(|m| m.is("opus"))
        .ok_or_else(|| anyhow!("the offer has no Opus: there is nothing to answer with"))?;
    Ok(Codecs {
        opus_pt: opus.pt.parse()?,
        opus_fmtp: String::new(),
        dtmf_pt: maps
            .iter()
            .find(|m| m.is("telephone-event") && m.clock_rate == 8000)
            .and_then(|m| m.pt.parse().ok()),
    })
}

/// The highest sample rate the offerer renders (`maxplaybackrate` of its Opus
/// fmtp, RFC 7587 §6.1), when it says.
pub fn offered_playback_rate(offer: &str) -> Option<u32> {
    let sdp = Sdp::parse(offer);
    let audio = sdp.audio()?;
    let pt = offered_codecs(offer).ok()?.opus_pt.to_string();
    sdp.media_attrs(audio, "fmtp")
        .filter_map(|a| parse_fmtp(a.value_or_empty()).ok())
        .find(|f| f.pt == pt)?
        .get("maxplaybackrate")?
        .parse()
        .ok()
}

/// Answers `offer` and gathers candidates; the connection then forms on its own.
pub async fn answer(offer: &str, cfg: &AnswererConfig) -> anyhow::Result<Answered> {
    let codecs = offered_codecs(offer)?;
    let (me, registry) = rtc::media_engine(&codecs)?;
    let attempts = check_attempts(cfg.check_interval);
    let mut se = SettingEngineBuilder::new()
        .with_answering_dtls_role(RTCDtlsRole::Client)
        .with_ice_connection_attempts(Some(cfg.check_interval), Some(attempts));

    if cfg.bind.iter().any(|ip| ip.is_loopback()) {
        se = se.with_include_loopback_candidate(true);
    }
    let config = RTCConfigurationBuilder::new()
        .with_certificates(vec![certificate()?])
        .with_ice_servers(
            cfg.ice_servers
                .iter()
                .map(|s| RTCIceServer {
                    urls: vec![s.url.clone()],
                    username: s.username.clone(),
                    credential: s.credential.clone(),
                })
                .collect(),
        )
        .build();
    let addrs = bind_addresses(cfg)?;
    let (events, mut events_rx) = Events::channel();
    let pc: Arc<dyn PeerConnection> = Arc::new(
        PeerConnectionBuilder::new()
            .with_configuration(config)
            .with_setting_engine(se.build())
            .with_media_engine(me)
            .with_interceptor_registry(registry)
            .with_handler(events)
            .with_udp_addrs(addrs)
            .build()
            .await
            .context("cannot start the WebRTC peer")?,
    );
    let started = Instant::now();
    let applied = without_foreign_dtmf(offer);
    let desc = RTCSessionDescription::offer(applied).context("the offer does not parse as SDP")?;
    pc.set_remote_description(desc)
        .await
        .context("the offer cannot be applied")?;
    let ssrc: u32 = rand::random();
    let track = rtc::audio_track(&codecs, ssrc, "wacall", "wacall-audio");
    pc.add_track(track.clone() as Arc<dyn TrackLocal>)
        .await
        .context("the offer's audio section cannot carry our track")?;
    let answer = pc.create_answer(None).await?;
    pc.set_local_description(answer).await?;

    let (early, timed_out) = rtc::await_gathering(&mut events_rx, cfg.gather_timeout).await;
    let (early_tx, early_rx) = mpsc::unbounded_channel();
    for e in early {
        let _ = early_tx.send(e);
    }
    let gathered_in = started.elapsed();
    // Events that arrived while gathering come first, then the rest, in order.
    tokio::spawn(forward(events_rx, early_tx));
    let local = pc
        .local_description()
        .await
        .ok_or_else(|| anyhow!("no local description"))?;
    let answer = tidy_answer(&local.sdp, cfg.public_ip);
    Ok(Answered {
        pc,
        answer,
        track,
        ssrc,
        codecs,
        events: early_rx,
        gathered_in,
        gather_timed_out: timed_out,
    })
}

/// The call's DTLS certificate: ECDSA P-256 explicitly, as Meta recommends
/// (small enough that the handshake needs no fragmentation).
pub fn certificate() -> anyhow::Result<RTCCertificate> {
    let provider =
        ::rtc::crypto::default_provider().map_err(|e| anyhow!("no crypto provider: {e}"))?;
    RTCCertificate::generate(
        provider.crypto(),
        ::rtc::crypto::SignatureScheme::EcdsaP256Sha256,
        CertificateParams::new(vec!["wacall".to_owned()])
            .map_err(|e| anyhow!("certificate parameters: {e}"))?,
    )
    .map_err(|e| anyhow!("cannot generate the DTLS certificate: {e}"))
}

/// ICE connectivity-check attempts at `interval`, so the total time stays
/// near webrtc-rs's default of 7 × 200 ms.
pub fn check_attempts(interval: Duration) -> u16 {
    (Duration::from_millis(1400).as_millis() / interval.as_millis().max(1)).clamp(7, 500) as u16
}

async fn forward(
    mut from: mpsc::UnboundedReceiver<PeerEvent>,
    to: mpsc::UnboundedSender<PeerEvent>,
) {
    while let Some(e) = from.recv().await {
        if to.send(e).is_err() {
            return;
        }
    }
}

/// The offer as webrtc-rs gets it: without telephone-event at clock rates
/// other than 8000. Its codec matching ignores the clock rate, so an offer
/// with `telephone-event/48000` beside `/8000` is answered with one payload
/// type twice and DTMF at the wrong rate (deps.md §1 gotcha 3). WhatsApp sends
/// DTMF at 8000 only, so nothing is lost.
pub fn without_foreign_dtmf(offer: &str) -> String {
    let sdp = Sdp::parse(offer);
    let Some(audio) = sdp.audio() else {
        return offer.to_string();
    };
    let foreign: Vec<String> = sdp
        .media_attrs(audio, "rtpmap")
        .filter_map(|a| parse_rtpmap(a.value_or_empty()).ok())
        .filter(|m| m.is("telephone-event") && m.clock_rate != 8000)
        .map(|m| m.pt)
        .collect();
    if foreign.is_empty() {
        return offer.to_string();
    }
    let pt_of = |v: &str| v.split(' ').next().unwrap_or("").to_string();
    let mut out = String::with_capacity(offer.len());
    for (i, line) in sdp.lines.iter().enumerate() {
        let in_audio = i > audio.line() && i < audio.section.end;
        let about_foreign = matches!(line.attribute(), Some(("rtpmap" | "fmtp" | "rtcp-fb", Some(v))) if foreign.contains(&pt_of(v)));
        if in_audio && about_foreign {
            continue;
        }
        if i == audio.line() {
            let kept: Vec<&str> = line
                .text
                .split(' ')
                .enumerate()
                .filter(|(n, f)| *n < 3 || !foreign.iter().any(|p| p == f))
                .map(|(_, f)| f)
                .collect();
            out.push_str(&kept.join(" "));
        } else {
            out.push_str(&line.text);
        }
        out.push_str("\r\n");
    }
    out
}

pub fn bind_addresses(cfg: &AnswererConfig) -> anyhow::Result<Vec<SocketAddr>> {
    let mut out = Vec::new();
    for ip in &cfg.bind {
        let port = match cfg.udp_ports {
            None => 0,
            Some((lo, hi)) => (lo..=hi)
                .find(|p| UdpSocket::bind(SocketAddr::new(*ip, *p)).is_ok())
                .ok_or_else(|| anyhow!("no free UDP port in {lo}-{hi} on {ip}"))?,
        };
        out.push(SocketAddr::new(*ip, port));
    }
    if out.is_empty() {
        bail!("no address to bind");
    }
    Ok(out)
}

/// The answer as sent to Meta: CRLF, no RTCP-component candidates (RTP and
/// RTCP share one port, `a=rtcp-mux`), host candidates at `public_ip` when
/// given, and the `m=`/`c=` lines naming the first candidate instead of the
/// `9 / 0.0.0.0` placeholder.
///
/// `public_ip` is applied here because webrtc-rs 0.21.1 stores
/// `with_nat_1to1_ips` and never reads it. Rewriting the advertised address
/// is safe: WhatsApp's ICE-lite side never checks toward our candidates, it
/// answers our checks, which arrive from the public address through the NAT.
pub fn tidy_answer(sdp: &str, public_ip: Option<IpAddr>) -> String {
    use crate::core::sdp::{LineKind, parse_candidate};
    let public = |c: &crate::core::sdp::Candidate| -> String {
        match public_ip {
            Some(ip) if c.typ == "host" => ip.to_string(),
            _ => c.address.clone(),
        }
    };
    let parsed = Sdp::parse(sdp);
    let first = parsed
        .lines
        .iter()
        .filter_map(|l| match l.attribute() {
            Some(("candidate", Some(v))) => parse_candidate(v).ok(),
            _ => None,
        })
        .find(|c| c.component == 1 && c.address.parse::<IpAddr>().is_ok());
    let mut out = String::with_capacity(sdp.len());
    let mut advertised = Vec::new();
    for line in &parsed.lines {
        if let Some(("candidate", Some(v))) = line.attribute()
            && let Ok(c) = parse_candidate(v)
        {
            let address = public(&c);
            // Several private addresses behind one public one are one candidate.
            if c.component != 1 || advertised.contains(&(address.clone(), c.port)) {
                continue;
            }
            advertised.push((address.clone(), c.port));
            if address != c.address {
                let fields: Vec<&str> = v.split(' ').collect();
                let mut rewritten = fields.clone();
                rewritten[4] = &address;
                out.push_str(&format!("a=candidate:{}\r\n", rewritten.join(" ")));
                continue;
            }
        }
        match (&line.kind, &first) {
            (LineKind::Field('m'), Some(c)) => {
                let rest: Vec<&str> = line.text.splitn(3, ' ').collect();
                out.push_str(&format!(
                    "{} {} {}\r\n",
                    rest[0],
                    c.port,
                    rest.get(2).unwrap_or(&"")
                ));
            }
            (LineKind::Field('c'), Some(c))
                if parsed.media.iter().any(|m| line.number > m.section.start) =>
            {
                let address = public(c);
                let family = if address.contains(':') { "IP6" } else { "IP4" };
                out.push_str(&format!("c=IN {family} {address}\r\n"));
            }
            _ => {
                out.push_str(&line.text);
                out.push_str("\r\n");
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "answerer_tests.rs"]
mod tests;
