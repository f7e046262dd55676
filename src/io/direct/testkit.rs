//! For tests: a simulated WhatsApp peer offering on one address, and the
//! bridge's direct answer to it on the same address.

use super::{Answered, answer};
use crate::core::audio::Tone;
use crate::core::sim::diagnose::Timeline;
use crate::io::answerer::{AnswererConfig, MediaStack};
use crate::io::media::Source;
use crate::io::sim::peer::{PeerConfig, WhatsAppPeer};
use std::net::IpAddr;
use std::time::Duration;

/// WhatsApp (saying 440 Hz) on `ip`, and the bridge's answer from `ip`
/// with `cfg`'s other settings; the answer is not yet applied.
pub async fn offered_and_answered(ip: IpAddr, cfg: AnswererConfig) -> (WhatsAppPeer, Answered) {
    offered_and_answered_on(ip, cfg, MediaStack::Rtc).await
}

/// [`offered_and_answered`] with WhatsApp's side on `stack`.
pub async fn offered_and_answered_on(
    ip: IpAddr,
    cfg: AnswererConfig,
    stack: MediaStack,
) -> (WhatsAppPeer, Answered) {
    let mut whatsapp = PeerConfig::loopback(Source::Tone(Tone::new(440.0, 0.3)));
    whatsapp.bind_ip = ip;
    whatsapp.stack = stack;
    let peer = WhatsAppPeer::new(whatsapp).await.unwrap();
    let cfg = AnswererConfig {
        bind: vec![ip],
        ..cfg
    };
    let a = answer(peer.offer(), &cfg).await.unwrap();
    (peer, a)
}

/// WhatsApp's timeline once DTLS has connected, or after 5 s.
pub async fn until_dtls(peer: &WhatsAppPeer) -> Timeline {
    let mut timeline = peer.state().timeline;
    for _ in 0..500 {
        if timeline.dtls_connected.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        timeline = peer.state().timeline;
    }
    timeline
}
