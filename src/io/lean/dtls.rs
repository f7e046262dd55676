//! DTLS with dimpl: the business side is the client (`a=setup:active`),
//! the simulated WhatsApp the server. The other side's certificate is
//! checked against its description's sha-256 fingerprint (dimpl leaves that
//! to us); SRTP is keyed from the exported keying material (RFC 5764 §4.2).

use ::rtc::srtp::context::Context;
use ::rtc::srtp::protection_profile::ProtectionProfile;
use dimpl::{Dtls, DtlsCertificate, Output, SrtpProfile};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// What the handshake produced, as it happens.
#[derive(Debug, PartialEq, Eq)]
pub enum Happened {
    /// Handshake done, certificate checked, SRTP keyed.
    Connected,
    /// The other side closed (close_notify).
    Closed,
    Failed(String),
}

/// SRTP both ways: ours out, theirs in.
pub struct Srtp {
    pub tx: Context,
    pub rx: Context,
    pub profile: ProtectionProfile,
}

pub struct Client {
    dtls: Dtls,
    active: bool,
    fingerprint: Vec<u8>,
    cert_checked: bool,
    /// dimpl said Connected; whether we said so (or why not) yet.
    handshake_done: bool,
    reported: bool,
    srtp: Option<Srtp>,
    due: Option<Instant>,
    buf: Vec<u8>,
}

impl Client {
    /// The client (`active`) or server, whose peer must present the
    /// certificate hashing to `fingerprint` (SHA-256). A client's
    /// ClientHello waits in [`Self::drain`].
    pub fn new(cert: DtlsCertificate, fingerprint: Vec<u8>, active: bool, now: Instant) -> Client {
        let mut dtls = Dtls::new_12(config(), cert, now);
        dtls.set_active(active);
        let _ = dtls.handle_timeout(now);
        Client {
            dtls,
            active,
            fingerprint,
            cert_checked: false,
            handshake_done: false,
            reported: false,
            srtp: None,
            due: None,
            buf: vec![0; 2048],
        }
    }

    pub fn handle_packet(&mut self, data: &[u8]) -> Result<(), String> {
        self.dtls
            .handle_packet(data)
            .map_err(|e| format!("DTLS: {e}"))
    }

    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), String> {
        self.due = None;
        self.dtls
            .handle_timeout(now)
            .map_err(|e| format!("DTLS: {e}"))
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.due
    }

    pub fn close(&mut self) {
        let _ = self.dtls.close();
    }

    /// SRTP, once the handshake is done and checked.
    pub fn srtp(&mut self) -> Option<&mut Srtp> {
        self.srtp.as_mut()
    }

    /// Records for `to` into `out`, and what happened.
    pub fn drain(
        &mut self,
        to: SocketAddr,
        out: &mut Vec<(Vec<u8>, SocketAddr)>,
        happened: &mut Vec<Happened>,
    ) {
        // Bounded: dimpl ends every poll cycle with a timeout.
        for _ in 0..64 {
            match self.dtls.poll_output(&mut self.buf) {
                Output::Packet(p) => out.push((p.to_vec(), to)),
                Output::Timeout(t) => {
                    self.due = Some(t);
                    break;
                }
                Output::BufferTooSmall { needed } => self.buf.resize(needed, 0),
                Output::PeerCert(der) => {
                    if Sha256::digest(der).as_slice() == self.fingerprint.as_slice() {
                        self.cert_checked = true;
                    } else {
                        happened.push(Happened::Failed(
                            "WhatsApp's DTLS certificate does not match the offer's fingerprint"
                                .into(),
                        ));
                    }
                }
                Output::KeyingMaterial(km, profile) => match keyed(&km, profile, self.active) {
                    Ok(s) => self.srtp = Some(s),
                    Err(e) => happened.push(Happened::Failed(e)),
                },
                // dimpl reports Connected before the keying material.
                Output::Connected => self.handshake_done = true,
                Output::CloseNotify => happened.push(Happened::Closed),
                // Application data has no place in DTLS-SRTP.
                _ => {}
            }
        }
        if self.handshake_done && !self.reported {
            self.reported = true;
            happened.push(if self.cert_checked && self.srtp.is_some() {
                Happened::Connected
            } else {
                Happened::Failed("DTLS connected without a checked certificate or SRTP keys".into())
            });
        }
    }
}

/// dimpl's configuration, built once: building it costs 6.5 ms (measured
/// in `the_client_hello_is_ready_at_once`), which every call's setup paid
/// on both sides before.
fn config() -> Arc<dimpl::Config> {
    static CONFIG: OnceLock<Arc<dimpl::Config>> = OnceLock::new();
    CONFIG
        .get_or_init(|| Arc::new(dimpl::Config::default()))
        .clone()
}

/// RFC 5764 §4.2: client key, server key, client salt, server salt; the
/// client's protect what the client sends.
fn keyed(km: &[u8], profile: SrtpProfile, client: bool) -> Result<Srtp, String> {
    let profile = match profile {
        SrtpProfile::AES128_CM_SHA1_80 => ProtectionProfile::Aes128CmHmacSha1_80,
        SrtpProfile::AEAD_AES_128_GCM => ProtectionProfile::AeadAes128Gcm,
        SrtpProfile::AEAD_AES_256_GCM => ProtectionProfile::AeadAes256Gcm,
        other => return Err(format!("SRTP profile {other:?} is not one this path keys")),
    };
    let (kl, sl) = (profile.key_len(), profile.salt_len());
    if km.len() != 2 * (kl + sl) {
        return Err(format!(
            "SRTP keying material is {} bytes, {profile:?} needs {}",
            km.len(),
            2 * (kl + sl)
        ));
    }
    let (ck, rest) = km.split_at(kl);
    let (sk, rest) = rest.split_at(kl);
    let (cs, ss) = rest.split_at(sl);
    let provider = ::rtc::crypto::default_provider().map_err(|e| e.to_string())?;
    let crypto = provider.crypto();
    let context =
        |k, s| Context::new(k, s, profile, None, None, crypto).map_err(|e| format!("SRTP: {e}"));
    let (ours, theirs) = if client {
        ((ck, cs), (sk, ss))
    } else {
        ((sk, ss), (ck, cs))
    };
    Ok(Srtp {
        tx: context(ours.0, ours.1)?,
        rx: context(theirs.0, theirs.1)?,
        profile,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert() -> DtlsCertificate {
        let c = crate::io::answerer::certificate().unwrap();
        crate::io::lean::answer::dimpl_certificate(&c).unwrap()
    }

    /// The client's first flight leaves as soon as it is made: no timer
    /// stands between ICE connecting and the ClientHello.
    #[test]
    fn the_client_hello_is_ready_at_once() {
        let now = Instant::now();
        let mut c = Client::new(cert(), vec![0; 32], true, now);
        let (mut out, mut happened) = (Vec::new(), Vec::new());
        let to: SocketAddr = "127.0.0.1:9".parse().unwrap();
        c.drain(to, &mut out, &mut happened);
        eprintln!("due in {:?}", c.poll_timeout().map(|t| t - now));
        assert_eq!(out.len(), 1, "no ClientHello");
        assert_eq!(out[0].0[0], 22, "a handshake record");
    }

    /// Every call shares one dimpl configuration (a new one per call cost
    /// each side 6.5 ms of setup: `BENCH_PHASES=1 scripts/bench-serve`).
    #[test]
    fn calls_share_one_dtls_configuration() {
        assert!(Arc::ptr_eq(&config(), &config()));
    }
}
