//! The per-packet floor of a media path of our own after the handshake:
//! an RTP packet built, SRTP-protected (AEAD_AES_128_GCM, as `rtc`
//! negotiates with WhatsApp), unprotected and parsed on the other side,
//! with one SRTP context per direction per call, over 1, 50, 300 and 1000
//! calls at once (as `cargo bench --bench rtc_core` does for `rtc`'s
//! whole core, where state per call is large and cold at scale).
//!
//! Run: `cargo bench --bench srtp_floor`.

use rtc::srtp::context::Context;
use rtc::srtp::protection_profile::ProtectionProfile;
use std::time::Instant;

const PACKETS: usize = 50_000;
const PROFILE: ProtectionProfile = ProtectionProfile::AeadAes128Gcm;

/// One direction of a call: its sender's context and its receiver's.
struct Leg {
    tx: Context,
    rx: Context,
    ssrc: u32,
    seq: u16,
}

fn leg(i: u32, crypto: &dyn rtc::crypto::RTCCrypto) -> Leg {
    // Distinct keys per leg, as every call's handshake gives its own.
    let key: Vec<u8> = (0..PROFILE.key_len())
        .map(|b| (b as u32 * 7 + i) as u8)
        .collect();
    let salt: Vec<u8> = (0..PROFILE.salt_len())
        .map(|b| (b as u32 * 13 + i) as u8)
        .collect();
    let ctx = || Context::new(&key, &salt, PROFILE, None, None, crypto).unwrap();
    Leg {
        tx: ctx(),
        rx: ctx(),
        ssrc: 0x1000 + i,
        seq: 0,
    }
}

/// One 20 ms Opus-sized packet across a leg; whether it came out whole.
fn carry(l: &mut Leg, payload: &[u8]) -> bool {
    l.seq = l.seq.wrapping_add(1);
    let mut plain = Vec::with_capacity(12 + payload.len());
    plain.extend_from_slice(&[0x80, 111]);
    plain.extend_from_slice(&l.seq.to_be_bytes());
    plain.extend_from_slice(&(u32::from(l.seq) * 960).to_be_bytes());
    plain.extend_from_slice(&l.ssrc.to_be_bytes());
    plain.extend_from_slice(payload);
    let wire = l.tx.encrypt_rtp(&plain).unwrap();
    let back = l.rx.decrypt_rtp(&wire).unwrap();
    back[..] == plain[..]
}

fn main() {
    let provider = rtc::crypto::default_provider().unwrap();
    let crypto = provider.crypto();
    let payload = [0x5au8; 60];
    println!(
        "calls at once   µs per packet (protect + unprotect)   ms CPU per call-second (both sides)"
    );
    let mut legs: Vec<(Leg, Leg)> = Vec::new();
    for want in [1usize, 50, 300, 1000] {
        while legs.len() < want {
            let i = legs.len() as u32;
            legs.push((leg(2 * i, crypto), leg(2 * i + 1, crypto)));
        }
        let rounds = (PACKETS / want).max(20);
        let t = Instant::now();
        let mut whole = 0;
        for _ in 0..rounds {
            for (a, b) in legs.iter_mut() {
                whole += usize::from(carry(a, &payload));
                whole += usize::from(carry(b, &payload));
            }
        }
        let n = 2 * rounds * want;
        assert_eq!(whole, n, "every packet comes out as it went in");
        let us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
        println!("{want:>13}   {us:>36.2}   {:>8.3}", us * 100.0 / 1000.0);
    }
}
