//! Can the business side of a call run without a WebRTC stack once the
//! offer is in? WhatsApp's side here is `rtc`, ICE-lite and offering
//! `actpass` with wacall's codecs. Ours is written out by hand: an answer
//! (our ICE credentials, dimpl's certificate fingerprint, `setup:active`),
//! binding requests as the controlling agent with USE-CANDIDATE (and
//! answers to the lite side's own checks, which `rtc` sends), dimpl as the
//! DTLS client, and `rtc`'s SRTP contexts keyed from dimpl's exported
//! keying material (RFC 5764 §4.2: client key, server key, client salt,
//! server salt). Then 50 RTP packets each way. It exits non-zero unless
//! every packet is read on the other side.
use bytes::BytesMut;
use rtc::peer_connection::RTCPeerConnectionBuilder;
use rtc::peer_connection::configuration::setting_engine::SettingEngineBuilder;
use rtc::peer_connection::message::{RTCMessage, TaggedRTCMessage};
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::peer_connection::transport::RTCIceCandidateInit;
use rtc::sansio::Protocol;
use rtc::shared::{TaggedBytesMut, TransportContext, TransportProtocol};
use rtc::srtp::context::Context;
use rtc::srtp::protection_profile::ProtectionProfile;
use sha2::Digest;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wacall::io::rtc::{Codecs, audio_stream, media_engine};

fn main() {
    let mut now = Instant::now();
    let wa_addr: SocketAddr = "127.0.0.1:3480".parse().unwrap();
    let biz_addr: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let c = Codecs {
        opus_pt: 111,
        opus_fmtp: String::new(),
        dtmf_pt: Some(126),
    };
    let (me, registry) = media_engine(&c).unwrap();
    let se = SettingEngineBuilder::new().with_lite(true).build();
    let mut wa = RTCPeerConnectionBuilder::new()
        .with_setting_engine(se)
        .with_media_engine(me)
        .with_interceptor_registry(registry)
        .build(now)
        .unwrap();
    let sender = wa.add_track(audio_stream(&c, 1234, "s", "t")).unwrap();
    wa.add_local_candidate(RTCIceCandidateInit {
        candidate: format!(
            "candidate:1 1 udp 2130706431 {} {} typ host",
            wa_addr.ip(),
            wa_addr.port()
        ),
        sdp_mid: Some("0".into()),
        sdp_mline_index: Some(0),
        ..Default::default()
    })
    .unwrap();
    let offer = wa.create_offer(None).unwrap();
    wa.set_local_description(now, offer).unwrap();
    let offer = wa.local_description().unwrap().sdp;
    let attr = |k: &str| {
        offer
            .lines()
            .find_map(|l| l.strip_prefix(&format!("a={k}:")).map(str::to_string))
            .unwrap()
    };
    let (wa_ufrag, wa_pwd, mid) = (attr("ice-ufrag"), attr("ice-pwd"), attr("mid"));
    eprintln!(
        "offer: ufrag {wa_ufrag}, mid {mid}, setup {}",
        attr("setup")
    );

    // Our side: a certificate from dimpl, its fingerprint in our answer.
    let cert = dimpl::certificate::generate_self_signed_certificate().unwrap();
    let fp: Vec<String> = sha2::Sha256::digest(&cert.certificate)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let (ufrag, pwd) = (
        "leanufrag".to_string(),
        "leanpasswordleanpassword".to_string(),
    );
    let our_ssrc = 777u32;
    let answer = format!(
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE {mid}\r\nm=audio {port} UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 {port} typ host\r\na=end-of-candidates\r\na=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\na=fingerprint:sha-256 {}\r\na=setup:active\r\na=mid:{mid}\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=ssrc:{our_ssrc} cname:lean\r\n",
        fp.join(":"),
        port = biz_addr.port()
    );
    wa.set_remote_description(now, RTCSessionDescription::answer(answer).unwrap())
        .unwrap();

    let deliver = |wa: &mut rtc::peer_connection::RTCPeerConnection, now: Instant, data: &[u8]| {
        wa.handle_read(TaggedBytesMut {
            now,
            transport: TransportContext {
                local_addr: wa_addr,
                peer_addr: biz_addr,
                ecn: None,
                transport_protocol: TransportProtocol::UDP,
            },
            message: BytesMut::from(data),
        })
        .unwrap();
    };

    // ICE: binding requests, controlling, nominating; WhatsApp's own checks answered.
    let provider = rtc::crypto::default_provider().unwrap();
    let crypto = provider.crypto();
    let request = || {
        let mut m = rtc::stun::message::Message::new();
        m.build(&[
            Box::new(rtc::stun::message::BINDING_REQUEST),
            Box::new(rtc::stun::message::TransactionId::new()),
            Box::new(rtc::stun::textattrs::Username::new(
                rtc::stun::attributes::ATTR_USERNAME,
                format!("{wa_ufrag}:{ufrag}"),
            )),
            Box::new(rtc::ice::attributes::control::AttrControlling(42)),
            Box::new(rtc::ice::attributes::use_candidate::UseCandidateAttr),
            Box::new(rtc::ice::attributes::priority::PriorityAttr(2130706431)),
            Box::new(
                rtc::stun::integrity::MessageIntegrity::new_short_term_integrity_with_provider(
                    wa_pwd.clone(),
                    crypto,
                ),
            ),
            Box::new(rtc::stun::fingerprint::FINGERPRINT),
        ])
        .unwrap();
        m.raw
    };
    let mut connected = false;
    for _ in 0..50 {
        now += Duration::from_millis(10);
        deliver(&mut wa, now, &request());
        let _ = wa.handle_timeout(now);
        while let Some(d) = wa.poll_write() {
            let mut r = rtc::stun::message::Message::new();
            r.raw = d.message.to_vec();
            if r.decode().is_err() {
                continue;
            }
            if r.typ == rtc::stun::message::BINDING_REQUEST {
                let mut resp = rtc::stun::message::Message::new();
                resp.build(&[
                    Box::new(r.clone()),
                    Box::new(rtc::stun::message::BINDING_SUCCESS),
                    Box::new(rtc::stun::xoraddr::XorMappedAddress { ip: wa_addr.ip(), port: wa_addr.port() }),
                    Box::new(rtc::stun::integrity::MessageIntegrity::new_short_term_integrity_with_provider(pwd.clone(), crypto)),
                    Box::new(rtc::stun::fingerprint::FINGERPRINT),
                ]).unwrap();
                deliver(&mut wa, now, &resp.raw);
            } else {
                eprintln!("ICE: WhatsApp sent {}", r.typ);
            }
        }
        while let Some(e) = wa.poll_event() {
            let t = format!("{e:?}");
            if t.contains("IceConnectionStateChange") {
                eprintln!("wa: {t}");
            }
            if t.contains("IceConnectionStateChangeEvent(Connected)") {
                connected = true;
            }
        }
        if connected {
            break;
        }
    }
    assert!(connected, "ICE never connected");
    // DTLS: dimpl as the client.
    let config = Arc::new(dimpl::Config::default());
    let mut dtls = dimpl::Dtls::new_12(config, cert, now);
    dtls.set_active(true);
    let mut buf = vec![0u8; 4096];
    let mut keys = None;
    for _ in 0..200 {
        now += Duration::from_millis(5);
        let _ = dtls.handle_timeout(now);
        let mut out = Vec::new();
        loop {
            match dtls.poll_output(&mut buf) {
                dimpl::Output::Packet(p) => out.push(p.to_vec()),
                dimpl::Output::Timeout(_) => break,
                dimpl::Output::KeyingMaterial(km, profile) => {
                    eprintln!("DTLS: keying material, {profile:?}");
                    keys = Some((km.to_vec(), profile));
                }
                dimpl::Output::Connected => eprintln!("DTLS: connected"),
                dimpl::Output::PeerCert(der) => {
                    // dimpl leaves the check of the peer to us: the offer's fingerprint.
                    let seen: Vec<String> = sha2::Sha256::digest(der)
                        .iter()
                        .map(|b| format!("{b:02X}"))
                        .collect();
                    assert_eq!(format!("sha-256 {}", seen.join(":")), attr("fingerprint"));
                    eprintln!("DTLS: WhatsApp's certificate matches the offer's fingerprint");
                }
                dimpl::Output::BufferTooSmall { needed } => buf.resize(needed, 0),
                _ => {}
            }
        }
        for p in out {
            deliver(&mut wa, now, &p);
        }
        let _ = wa.handle_timeout(now);
        while let Some(d) = wa.poll_write() {
            let _ = dtls.handle_packet(&d.message);
        }
        while let Some(e) = wa.poll_event() {
            eprintln!(
                "wa event: {:?}",
                format!("{e:?}").chars().take(100).collect::<String>()
            );
        }
        if keys.is_some() {
            break;
        }
    }
    let (km, profile) = keys.expect("no keying material");
    let (prof, kl, sl) = match format!("{profile:?}").as_str() {
        p if p.contains("128") && p.contains("Gcm") => (ProtectionProfile::AeadAes128Gcm, 16, 12),
        p if p.contains("256") => (ProtectionProfile::AeadAes256Gcm, 32, 12),
        _ => (ProtectionProfile::Aes128CmHmacSha1_80, 16, 14),
    };
    assert_eq!(km.len(), 2 * (kl + sl), "{profile:?}");
    let (ck, rest) = km.split_at(kl);
    let (sk, rest) = rest.split_at(kl);
    let (cs, ss) = rest.split_at(sl);
    let mut tx = Context::new(ck, cs, prof, None, None, crypto).unwrap();
    let mut rx = Context::new(sk, ss, prof, None, None, crypto).unwrap();
    // Let rtc finish its side (DTLS connected, SRTP keyed).
    for _ in 0..20 {
        now += Duration::from_millis(5);
        let _ = wa.handle_timeout(now);
        while let Some(d) = wa.poll_write() {
            let _ = dtls.handle_packet(&d.message);
        }
        while wa.poll_event().is_some() {}
    }

    // Media both ways.
    let mut heard_by_wa = 0;
    let mut heard_by_us = 0;
    for seq in 1..=50u16 {
        now += Duration::from_millis(20);
        let mut plain = vec![0x80, 111];
        plain.extend_from_slice(&seq.to_be_bytes());
        plain.extend_from_slice(&(u32::from(seq) * 960).to_be_bytes());
        plain.extend_from_slice(&our_ssrc.to_be_bytes());
        plain.extend_from_slice(&[0x5a; 60]);
        let wire = tx.encrypt_rtp(&plain).unwrap();
        deliver(&mut wa, now, &wire);
        while let Some(TaggedRTCMessage { message, .. }) = wa.poll_read() {
            if matches!(message, RTCMessage::RtpPacket(..)) {
                heard_by_wa += 1;
            }
        }
        let pkt = rtc::rtp::Packet {
            header: rtc::rtp::Header {
                version: 2,
                payload_type: 111,
                sequence_number: seq,
                timestamp: u32::from(seq) * 960,
                ssrc: 1234,
                ..Default::default()
            },
            payload: bytes::Bytes::from(vec![0x33; 60]),
        };
        let _ = wa.rtp_sender(sender).unwrap().write_rtp(now, pkt);
        let _ = wa.handle_timeout(now);
        while let Some(d) = wa.poll_write() {
            let b = &d.message[..];
            if b.len() > 1 && (128..=191).contains(&b[0]) && !(192..=223).contains(&b[1]) {
                if rx.decrypt_rtp(b).is_ok() {
                    heard_by_us += 1;
                }
            }
        }
        while wa.poll_event().is_some() {}
    }
    println!(
        "WhatsApp's side got {heard_by_wa} of 50 RTP packets from us; we decrypted {heard_by_us} of its"
    );
    assert_eq!((heard_by_wa, heard_by_us), (50, 50));
}
