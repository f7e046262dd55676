//! The answer on the lean path. webrtc-rs writes it, as on the direct path,
//! with ICE credentials and a certificate we chose, so the lean core that
//! then runs the call holds the same ones; the `rtc` peer connection is
//! dropped once the answer is written. The answer promises no
//! transport-wide congestion control, which this path does not send.

use super::ice::Credentials;
use super::{Lean, LeanConfig};
use crate::io::answerer::{self, AnswererConfig};
use crate::io::direct::{self, Answered, Peer};
use crate::io::rtc as wrtc;
use ::rtc::peer_connection::certificate::RTCCertificate;
use ::rtc::peer_connection::configuration::setting_engine::SettingEngineBuilder;
use ::rtc::peer_connection::transport::RTCDtlsRole;
use anyhow::{Context, anyhow};
use base64::Engine;
use dimpl::DtlsCertificate;
use rand::distr::{Alphanumeric, SampleString};
use std::time::{Instant, SystemTime};

/// Answers `offer` from one UDP socket on `cfg`'s one address, and runs the
/// call on the lean core.
pub async fn answer(offer: &str, cfg: &AnswererConfig) -> anyhow::Result<Answered> {
    let codecs = answerer::offered_codecs(offer)?;
    let theirs = crate::core::sdp::transport(offer)
        .map_err(|e| anyhow!("the offer cannot be answered on the lean media path: {e}"))?;
    let socket = direct::media_socket(cfg).await?;
    let local = socket.local_addr()?;
    let remotes: Vec<_> = theirs
        .candidates
        .iter()
        .copied()
        .filter(|c| c.is_ipv4() == local.is_ipv4())
        .collect();
    if remotes.is_empty() {
        anyhow::bail!(
            "the offer has no UDP candidate of the media address's family ({}): bind the other family with --bind",
            local.ip()
        );
    }
    let creds = Credentials {
        local_ufrag: Alphanumeric.sample_string(&mut rand::rng(), 16),
        local_pwd: Alphanumeric.sample_string(&mut rand::rng(), 32),
        remote_ufrag: theirs.ufrag,
        remote_pwd: theirs.pwd,
    };
    let rtc_cert = answerer::certificate()?;
    let cert = dimpl_certificate(&rtc_cert)?;
    let ssrc: u32 = rand::random();
    let answer = write_answer(offer, cfg, &codecs, &creds, rtc_cert, ssrc, local)?;
    let now = Instant::now();
    let lean = Lean::new(
        LeanConfig {
            role: super::Role::Business,
            creds,
            remotes,
            fingerprint: theirs.fingerprint,
            cert,
            ssrc,
            payload_types: codecs.payload_types(),
            check_interval: cfg.check_interval,
            attempts: u32::from(answerer::check_attempts(cfg.check_interval)),
            wall: SystemTime::now(),
        },
        now,
    );
    let (peer, events) = Peer::spawn_conn(lean, socket, None)?;
    Ok(Answered {
        peer,
        answer,
        ssrc,
        codecs,
        events,
    })
}

fn write_answer(
    offer: &str,
    cfg: &AnswererConfig,
    codecs: &wrtc::Codecs,
    creds: &Credentials,
    cert: RTCCertificate,
    ssrc: u32,
    local: std::net::SocketAddr,
) -> anyhow::Result<String> {
    let se = SettingEngineBuilder::new()
        .with_answering_dtls_role(RTCDtlsRole::Client)
        .with_ice_credentials(creds.local_ufrag.clone(), creds.local_pwd.clone())
        .with_include_loopback_candidate(local.ip().is_loopback())
        .build();
    let now = Instant::now();
    let mut pc = direct::core_peer_certified(codecs, se, cert, now)?;
    let (_, sdp) = direct::answer_offer(&mut pc, offer, codecs, ssrc, local, now)?;
    Ok(without_transport_cc(&answerer::tidy_answer(
        &sdp,
        cfg.public_ip,
    )))
}

/// The answer without transport-wide congestion control (its header
/// extension and feedback), which the lean path does not send.
pub fn without_transport_cc(sdp: &str) -> String {
    sdp.split_inclusive('\n')
        .filter(|l| !(l.contains("transport-cc") || l.contains("transport-wide-cc")))
        .collect()
}

/// webrtc-rs's certificate as dimpl takes it: DER certificate and PKCS#8
/// key, from its PEM.
pub fn dimpl_certificate(cert: &RTCCertificate) -> anyhow::Result<DtlsCertificate> {
    let pem = cert
        .serialize_pem()
        .map_err(|e| anyhow!("cannot export the DTLS certificate: {e}"))?;
    let mut certificate = None;
    let mut private_key = None;
    let mut rest = pem.as_str();
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let tag_end = after.find("-----").context("a PEM label without its end")?;
        let tag = &after[..tag_end];
        let body = &after[tag_end + 5..];
        let end = body
            .find("-----END ")
            .context("a PEM block without its end")?;
        let der = base64::engine::general_purpose::STANDARD
            .decode(body[..end].split_whitespace().collect::<String>())
            .context("a PEM block that is not base64")?;
        if tag.contains("PRIVATE") {
            private_key = Some(der);
        } else if tag == "CERTIFICATE" {
            certificate = Some(der);
        }
        rest = &body[end + 9..];
    }
    Ok(DtlsCertificate {
        certificate: certificate.context("the certificate's PEM has no CERTIFICATE")?,
        private_key: private_key.context("the certificate's PEM has no private key")?,
    })
}
