//! What one RTP packet costs inside wacall's lean media path (`io::lean`),
//! measured as `rtc_core` measures webrtc-rs's core: both sides of a call
//! (the business's full ICE agent and DTLS client, WhatsApp's ICE-lite and
//! DTLS server) on a fake clock, datagrams handed across in memory, then
//! 20 ms Opus-sized packets each way: `write_rtp` to the datagram (SRTP)
//! and the datagram to `poll_rtp` (demux, SRTP, receive statistics), RTCP
//! and consent included. The same work runs over 1, 50, 300 and 1000 calls
//! at once, so each packet's state is cold as under load. Last, the CPU
//! each call's setup took, both sides together.
//!
//! Run: `cargo bench --bench lean_core`.

use rtc::peer_connection::sdp::RTCSessionDescription;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};
use wacall::io::answerer;
use wacall::io::direct::Conn;
use wacall::io::lean::answer::dimpl_certificate;
use wacall::io::lean::ice::Credentials;
use wacall::io::lean::{Lean, LeanConfig, Role};

/// Packets each way per row, spread over its calls.
const PACKETS: u32 = 50_000;

struct Peer {
    core: Lean,
    addr: SocketAddr,
    ssrc: u32,
}

struct Call {
    wa: Peer,
    biz: Peer,
}

fn fingerprint_line(der: &[u8]) -> String {
    use sha2::Digest;
    let hex: Vec<String> = sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    format!("a=fingerprint:sha-256 {}", hex.join(":"))
}

fn cert() -> dimpl::DtlsCertificate {
    dimpl_certificate(&answerer::certificate().unwrap()).unwrap()
}

/// Call `i` set up on the fake clock until media passes both ways.
fn connect(i: u16, now: &mut Instant, seq: &mut u32) -> Call {
    let (wa_addr, biz_addr) = (
        SocketAddr::from(([127, 0, 0, 1], 10_000 + i)),
        SocketAddr::from(([127, 0, 0, 1], 30_000 + i)),
    );
    let (wa_cert, biz_cert) = (cert(), cert());
    let wa_digest: Vec<u8> = {
        use sha2::Digest;
        sha2::Sha256::digest(&wa_cert.certificate).to_vec()
    };
    let biz_fp = fingerprint_line(&biz_cert.certificate);
    let config = |role, local: (&str, &str), remote: (&str, &str), cert, fp: &[u8]| LeanConfig {
        role,
        creds: Credentials {
            local_ufrag: local.0.into(),
            local_pwd: local.1.into(),
            remote_ufrag: remote.0.into(),
            remote_pwd: remote.1.into(),
        },
        remotes: vec![wa_addr],
        fingerprint: fp.to_vec(),
        cert,
        ssrc: u32::from(i) + if role == Role::Business { 100_000 } else { 0 },
        payload_types: vec![111],
        check_interval: Duration::from_millis(10),
        attempts: 140,
        wall: SystemTime::now(),
    };
    let wa_creds = ("waufrag", "wapasswordwapassword");
    let biz_creds = ("bizufrag", "bizpasswordbizpassword");
    let mut wa = Peer {
        core: Lean::new(
            config(Role::WhatsApp, wa_creds, ("", ""), wa_cert, &[]),
            *now,
        ),
        addr: wa_addr,
        ssrc: u32::from(i),
    };
    let mut biz = Peer {
        core: Lean::new(
            config(Role::Business, biz_creds, wa_creds, biz_cert, &wa_digest),
            *now,
        ),
        addr: biz_addr,
        ssrc: u32::from(i) + 100_000,
    };
    let answer = format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:{}\r\na=ice-pwd:{}\r\n{biz_fp}\r\n",
        biz_creds.0, biz_creds.1
    );
    wa.core
        .set_remote(*now, RTCSessionDescription::answer(answer).unwrap())
        .unwrap();
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
            // Refused until DTLS is up: the handshake is what is waited for.
            let _ = p.core.write_rtp(*now, packet(p, *seq));
        }
        carry(&mut biz, &mut wa, *now);
        carry(&mut wa, &mut biz, *now);
        got.0 += reads(&mut wa);
        got.1 += reads(&mut biz);
    }
    Call { wa, biz }
}

fn carry(from: &mut Peer, to: &mut Peer, now: Instant) {
    while let Some((d, _)) = from.core.poll_transmit() {
        to.core.handle_read(now, to.addr, from.addr, &d);
    }
}

fn reads(p: &mut Peer) -> u32 {
    while p.core.poll_event().is_some() {}
    let mut n = 0;
    while p.core.poll_rtp().is_some() {
        n += 1;
    }
    n
}

fn timers(p: &mut Peer, now: Instant) {
    if p.core.poll_timeout().is_some_and(|t| t <= now) {
        p.core.handle_timeout(now);
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
}

/// One packet from `from` to `to`, timed: sending, then receiving.
fn one_way(from: &mut Peer, to: &mut Peer, now: Instant, seq: u32, total: &mut Totals) {
    let t = Instant::now();
    timers(from, now);
    from.core.write_rtp(now, packet(from, seq)).unwrap();
    let mut out = Vec::new();
    while let Some(d) = from.core.poll_transmit() {
        out.push(d);
    }
    let t2 = Instant::now();
    total.send_ns += (t2 - t).as_nanos();
    for (d, _) in out {
        to.core.handle_read(now, to.addr, from.addr, &d);
    }
    total.received += reads(to);
    total.recv_ns += t2.elapsed().as_nanos();
}

fn main() {
    let mut now = Instant::now();
    let mut seq = 0;
    let t = now;
    let first = connect(0, &mut now, &mut seq);
    println!(
        "connected after {:.0} ms of fake time",
        (now - t).as_secs_f64() * 1000.0
    );
    println!("calls at once   send µs   receive µs   ms CPU per call-second (both sides)");
    let mut calls = vec![first];
    let mut setup = Duration::ZERO;
    for want in [1usize, 50, 300, 1000] {
        while calls.len() < want {
            let i = calls.len() as u16;
            let began = Instant::now();
            calls.push(connect(i, &mut now, &mut seq));
            setup += began.elapsed();
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
        assert_eq!(f64::from(total.received), n, "every packet arrives");
        println!(
            "{want:>13}   {:>7.2}   {:>10.2}   {:>8.2}",
            total.send_ns as f64 / n / 1000.0,
            total.recv_ns as f64 / n / 1000.0,
            (total.send_ns + total.recv_ns) as f64 / n / 1e6 * 100.0
        );
    }
    println!(
        "setup, both sides (certificates, ICE, DTLS handshake): {:.2} ms CPU per call",
        setup.as_secs_f64() * 1e3 / (calls.len() - 1) as f64
    );
}
