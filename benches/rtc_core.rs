//! What one RTP packet costs inside webrtc-rs's sans-IO core (`rtc`), with
//! no sockets, tasks or channels: the floor under `wacall serve`'s media
//! path. Two cores on a fake clock, set up as a call is (WhatsApp's side
//! ICE-lite offering `actpass`, ours a full controlling agent and the DTLS
//! client, our codecs and interceptors); datagrams are handed across in
//! memory. Then 20 ms Opus-sized packets each way: `write_rtp` to the
//! datagram (interceptors, SRTP) and the datagram to `poll_read` (ICE demux,
//! SRTP, interceptors), RTCP reports and timers included. With one call
//! every structure stays in cache; with hundreds, each packet's state is
//! cold, as in `wacall serve` under load: the same work runs over 1, 50,
//! 300 and 1000 calls at once, a packet each way per call per round.
//!
//! Run: `cargo bench --bench rtc_core`.

use bytes::BytesMut;
use rtc::peer_connection::configuration::setting_engine::SettingEngineBuilder;
use rtc::peer_connection::message::{RTCMessage, TaggedRTCMessage};
use rtc::peer_connection::transport::{RTCDtlsRole, RTCIceCandidateInit};
use rtc::peer_connection::{RTCPeerConnection, RTCPeerConnectionBuilder};
use rtc::rtp_transceiver::RTCRtpSenderId;
use rtc::sansio::Protocol;
use rtc::shared::{TaggedBytesMut, TransportContext, TransportProtocol};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use wacall::io::rtc::{Codecs, audio_stream, media_engine};

/// Packets each way per row, spread over its calls.
const PACKETS: u32 = 50_000;

struct Peer {
    pc: RTCPeerConnection,
    addr: SocketAddr,
    sender: RTCRtpSenderId,
    ssrc: u32,
}

fn codecs() -> Codecs {
    Codecs {
        opus_pt: 111,
        opus_fmtp: String::new(),
        dtmf_pt: Some(126),
    }
}

fn peer(lite: bool, port: u16, now: Instant) -> Peer {
    let c = codecs();
    let (me, registry) = media_engine(&c).unwrap();
    let se = SettingEngineBuilder::new()
        .with_lite(lite)
        .with_answering_dtls_role(RTCDtlsRole::Client)
        .with_ice_connection_attempts(Some(Duration::from_millis(10)), Some(140))
        .build();
    let mut pc = RTCPeerConnectionBuilder::new()
        .with_setting_engine(se)
        .with_media_engine(me)
        .with_interceptor_registry(registry)
        .build(now)
        .unwrap();
    let ssrc = u32::from(port);
    let track = audio_stream(&c, ssrc, &format!("s{port}"), &format!("t{port}"));
    let sender = pc.add_track(track).unwrap();
    Peer {
        pc,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        sender,
        ssrc,
    }
}

fn candidate(addr: SocketAddr) -> RTCIceCandidateInit {
    RTCIceCandidateInit {
        candidate: format!(
            "candidate:1 1 udp 2130706431 {} {} typ host",
            addr.ip(),
            addr.port()
        ),
        sdp_mid: Some("0".into()),
        sdp_mline_index: Some(0),
        ..Default::default()
    }
}

/// Every datagram `from` has to send, read by `to`; returns how many.
fn carry(from: &mut Peer, to: &mut Peer, now: Instant) -> usize {
    let mut n = 0;
    while let Some(d) = from.pc.poll_write() {
        n += 1;
        deliver(&d.message, from.addr, to, now);
    }
    n
}

/// One datagram from `from` read by `to`.
fn deliver(data: &[u8], from: SocketAddr, to: &mut Peer, now: Instant) {
    to.pc
        .handle_read(TaggedBytesMut {
            now,
            transport: TransportContext {
                local_addr: to.addr,
                peer_addr: from,
                ecn: None,
                transport_protocol: TransportProtocol::UDP,
            },
            message: BytesMut::from(data),
        })
        .unwrap();
}

/// RTP packets read, other messages dropped; events drained.
fn reads(p: &mut Peer) -> u32 {
    while p.pc.poll_event().is_some() {}
    let mut n = 0;
    while let Some(TaggedRTCMessage { message, .. }) = p.pc.poll_read() {
        n += u32::from(matches!(message, RTCMessage::RtpPacket(..)));
    }
    n
}

fn timers(p: &mut Peer, now: Instant) {
    if p.pc.poll_timeout().is_some_and(|t| t <= now) {
        p.pc.handle_timeout(now).unwrap();
    }
}

fn packet(p: &Peer, seq: u32) -> rtc::rtp::Packet {
    rtc::rtp::Packet {
        header: rtc::rtp::Header {
            version: 2,
            payload_type: 111,
            sequence_number: seq as u16,
            timestamp: seq * 960,
            ssrc: p.ssrc,
            ..Default::default()
        },
        payload: bytes::Bytes::from(vec![0x5a; 60]),
    }
}

#[derive(Default)]
struct Totals {
    send_ns: u128,
    recv_ns: u128,
    received: u32,
    datagrams: usize,
}

/// One packet from `from` to `to`, timed: sending, then receiving.
fn one_way(from: &mut Peer, to: &mut Peer, now: Instant, seq: u32, total: &mut Totals) {
    let t = Instant::now();
    timers(from, now);
    let pkt = packet(from, seq);
    from.pc
        .rtp_sender(from.sender)
        .unwrap()
        .write_rtp(now, pkt)
        .unwrap();
    let mut out = Vec::new();
    while let Some(d) = from.pc.poll_write() {
        out.push(d);
    }
    let t2 = Instant::now();
    total.send_ns += (t2 - t).as_nanos();
    for d in out {
        total.datagrams += 1;
        deliver(&d.message, from.addr, to, now);
    }
    total.received += reads(to);
    total.recv_ns += t2.elapsed().as_nanos();
}

struct Call {
    wa: Peer,
    biz: Peer,
}

/// Call `i` set up on the fake clock until media passes both ways.
fn connect(i: u16, now: &mut Instant, seq: &mut u32) -> Call {
    let mut wa = peer(true, 10_000 + i, *now);
    let mut biz = peer(false, 30_000 + i, *now);
    wa.pc.add_local_candidate(candidate(wa.addr)).unwrap();
    let offer = wa.pc.create_offer(None).unwrap();
    wa.pc.set_local_description(*now, offer).unwrap();
    let offer = wa.pc.local_description().unwrap();
    biz.pc.set_remote_description(*now, offer).unwrap();
    biz.pc.add_local_candidate(candidate(biz.addr)).unwrap();
    let answer = biz.pc.create_answer(None).unwrap();
    assert!(answer.sdp.contains("a=setup:active"), "{}", answer.sdp);
    biz.pc.set_local_description(*now, answer).unwrap();
    let answer = biz.pc.local_description().unwrap();
    wa.pc.set_remote_description(*now, answer).unwrap();
    biz.pc.add_remote_candidate(candidate(wa.addr)).unwrap();
    wa.pc.add_remote_candidate(candidate(biz.addr)).unwrap();
    let started = *now;
    let mut got = (0, 0);
    while got.0 == 0 || got.1 == 0 {
        assert!(
            *now - started < Duration::from_secs(10),
            "no media after 10 s"
        );
        *now += Duration::from_millis(1);
        for p in [&mut wa, &mut biz] {
            timers(p, *now);
        }
        *seq += 1;
        for p in [&mut wa, &mut biz] {
            let pkt = packet(p, *seq);
            // Refused until DTLS is up: the handshake is what is waited for.
            let _ = p.pc.rtp_sender(p.sender).unwrap().write_rtp(*now, pkt);
        }
        carry(&mut biz, &mut wa, *now);
        carry(&mut wa, &mut biz, *now);
        got.0 += reads(&mut wa);
        got.1 += reads(&mut biz);
    }
    Call { wa, biz }
}

fn main() {
    let mut now = Instant::now();
    let mut seq = 0;
    let t = now;
    let mut first = connect(0, &mut now, &mut seq);
    println!(
        "connected after {:.0} ms of fake time",
        (now - t).as_secs_f64() * 1000.0
    );
    // One call alone first: the in-cache floor.
    let mut total = Totals::default();
    for _ in 0..PACKETS {
        now += Duration::from_millis(20);
        seq += 1;
        one_way(&mut first.biz, &mut first.wa, now, seq, &mut total);
        one_way(&mut first.wa, &mut first.biz, now, seq, &mut total);
    }
    let n = f64::from(2 * PACKETS);
    println!(
        "{} RTP packets each way, {} datagrams in all ({} RTP received)",
        PACKETS, total.datagrams, total.received
    );
    println!(
        "per RTP packet: send {:.2} µs (timers, interceptors, SRTP), receive {:.2} µs (demux, SRTP, interceptors)",
        total.send_ns as f64 / n / 1000.0,
        total.recv_ns as f64 / n / 1000.0
    );
    println!(
        "one call, both sides' share of one machine: {:.2} ms of CPU per call-second (100 packets a second each way)",
        (total.send_ns + total.recv_ns) as f64 / n / 1e6 * 100.0
    );
    println!("\ncalls at once   send µs   receive µs   ms CPU per call-second (both sides)");
    let mut calls = vec![first];
    for want in [1usize, 50, 300, 1000] {
        while calls.len() < want {
            let i = calls.len() as u16;
            calls.push(connect(i, &mut now, &mut seq));
        }
        let rounds = (PACKETS as usize / want).max(20);
        let mut total = Totals::default();
        for _ in 0..rounds {
            now += Duration::from_millis(20);
            seq += 1;
            for c in calls.iter_mut() {
                one_way(&mut c.biz, &mut c.wa, now, seq, &mut total);
                one_way(&mut c.wa, &mut c.biz, now, seq, &mut total);
            }
        }
        let n = (2 * rounds * want) as f64;
        assert_eq!(total.received as f64, n, "every packet arrives");
        println!(
            "{want:>13}   {:>7.2}   {:>10.2}   {:>8.2}",
            total.send_ns as f64 / n / 1000.0,
            total.recv_ns as f64 / n / 1000.0,
            (total.send_ns + total.recv_ns) as f64 / n / 1e6 * 100.0
        );
    }
}
