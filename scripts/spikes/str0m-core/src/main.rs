//! What one RTP packet costs in str0m's sans-IO core, for comparison with
//! wacall's `cargo bench --bench rtc_core` (webrtc-rs's `rtc`): the same
//! shape (WhatsApp's side ICE-lite and offering audio, ours a full agent
//! answering, datagrams handed across in memory on a fake clock) and the
//! same packets over 1, 50, 300 and 1000 calls at once, so that with many
//! calls each packet's state is cold, as in a loaded service.
//!
//! str0m sends what is written from its pacer, on a timeout after the
//! write: each side's timers are run as it asks, for 5 ms after a write.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};
use str0m::format::Codec;
use str0m::media::{Direction, MediaKind, MediaTime, Mid, Pt};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};

const PACKETS: usize = 50_000;
/// How long after a write its datagrams are carried across.
const CARRY: Duration = Duration::from_millis(5);

type Datagram = (SocketAddr, SocketAddr, Vec<u8>);

struct Call {
    wa: Rtc,
    biz: Rtc,
    mid: Mid,
    pt: Pt,
}

#[derive(Default)]
struct Totals {
    send_ns: u128,
    recv_ns: u128,
    received: usize,
}

/// Polls until the core names its next timeout: datagrams out, media
/// frames counted.
fn drain(rtc: &mut Rtc, out: &mut Vec<Datagram>) -> (usize, Instant) {
    let mut media = 0;
    loop {
        match rtc.poll_output().unwrap() {
            Output::Timeout(t) => return (media, t),
            Output::Transmit(t) => out.push((t.source, t.destination, t.contents.to_vec())),
            Output::Event(Event::MediaData(_)) => media += 1,
            Output::Event(_) => {}
        }
    }
}

/// The core's timers from `start` to `until`, as it asks for them.
fn pump(rtc: &mut Rtc, start: Instant, until: Instant, out: &mut Vec<Datagram>) {
    let mut at = start;
    for _ in 0..64 {
        rtc.handle_input(Input::Timeout(at)).unwrap();
        let (_, next) = drain(rtc, out);
        if next > until {
            return;
        }
        at = next.max(at + Duration::from_micros(1));
    }
}

/// One datagram read; the media frames it completed.
fn receive(rtc: &mut Rtc, now: Instant, d: &Datagram, out: &mut Vec<Datagram>) -> usize {
    let contents = d.2.as_slice().try_into().unwrap();
    let input = Input::Receive(
        now,
        Receive {
            proto: Protocol::Udp,
            source: d.0,
            destination: d.1,
            contents,
        },
    );
    rtc.handle_input(input).unwrap();
    drain(rtc, out).0
}

fn core(lite: bool, addr: SocketAddr, now: Instant) -> Rtc {
    let mut rtc = Rtc::builder()
        .set_ice_lite(lite)
        .clear_codecs()
        .enable_opus(true, false)
        .build(now);
    rtc.add_local_candidate(Candidate::host(addr, "udp").unwrap());
    rtc
}

/// Call `i` set up on the fake clock until media passes both ways.
fn connect(i: u16, now: &mut Instant, t0: Instant) -> Call {
    let wa_addr = SocketAddr::from((Ipv4Addr::new(127, 0, 0, 1), 10_000 + i));
    let biz_addr = SocketAddr::from((Ipv4Addr::new(127, 0, 0, 2), 30_000 + i));
    let mut wa = core(true, wa_addr, *now);
    let mut biz = core(false, biz_addr, *now);
    let mut change = wa.sdp_api();
    let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
    let (offer, pending) = change.apply().unwrap();
    let answer = biz.sdp_api().accept_offer(offer).unwrap();
    wa.sdp_api().accept_answer(pending, answer).unwrap();
    let pt = biz
        .codec_config()
        .find(|p| p.spec().codec == Codec::Opus)
        .unwrap()
        .pt();
    let started = *now;
    let mut got = (0, 0);
    while got.0 == 0 || got.1 == 0 {
        assert!(
            *now - started < Duration::from_secs(10),
            "no media after 10 s"
        );
        *now += Duration::from_millis(1);
        let (mut to_wa, mut to_biz) = (Vec::new(), Vec::new());
        for (rtc, out) in [(&mut wa, &mut to_biz), (&mut biz, &mut to_wa)] {
            rtc.handle_input(Input::Timeout(*now)).unwrap();
            if let Some(w) = rtc.writer(mid) {
                // Refused until DTLS is up: the handshake is what is waited for.
                let _ = w.write(pt, *now, MediaTime::from(*now - t0), vec![0x5a; 60]);
            }
            got.0 += drain(rtc, out).0;
        }
        // Handshake flights go back and forth within the millisecond.
        for _ in 0..4 {
            for d in std::mem::take(&mut to_wa) {
                got.0 += receive(&mut wa, *now, &d, &mut to_biz);
            }
            for d in std::mem::take(&mut to_biz) {
                got.1 += receive(&mut biz, *now, &d, &mut to_wa);
            }
        }
    }
    Call { wa, biz, mid, pt }
}

/// One 20 ms frame from `from` to `to`, timed: writing it until its
/// datagram leaves, then reading it.
fn one_way(
    from: &mut Rtc,
    to: &mut Rtc,
    call: (Mid, Pt),
    now: Instant,
    t0: Instant,
    total: &mut Totals,
) {
    let t = Instant::now();
    let frame = vec![0x5a; 60];
    from.writer(call.0)
        .unwrap()
        .write(call.1, now, MediaTime::from(now - t0), frame)
        .unwrap();
    let mut out = Vec::new();
    pump(from, now, now + CARRY, &mut out);
    let t2 = Instant::now();
    total.send_ns += (t2 - t).as_nanos();
    let mut back = Vec::new();
    for d in &out {
        total.received += receive(to, now + CARRY, d, &mut back);
    }
    total.recv_ns += t2.elapsed().as_nanos();
}

fn main() {
    str0m::crypto::from_feature_flags().install_process_default();
    let mut now = Instant::now();
    let t0 = now;
    let mut calls = vec![connect(0, &mut now, t0)];
    println!(
        "connected after {:.0} ms of fake time",
        (now - t0).as_secs_f64() * 1000.0
    );
    println!("calls at once   send µs   receive µs   ms CPU per call-second (both sides)");
    for want in [1usize, 50, 300, 1000] {
        while calls.len() < want {
            let i = calls.len() as u16;
            calls.push(connect(i, &mut now, t0));
        }
        let rounds = (PACKETS / want).max(20);
        let mut total = Totals::default();
        for _ in 0..rounds {
            now += Duration::from_millis(20);
            for c in calls.iter_mut() {
                let call = (c.mid, c.pt);
                one_way(&mut c.biz, &mut c.wa, call, now, t0, &mut total);
                // Past the read it just had: the other side's timers move on.
                let later = now + 2 * CARRY;
                one_way(&mut c.wa, &mut c.biz, call, later, t0, &mut total);
            }
        }
        let n = 2 * rounds * want;
        assert_eq!(total.received, n, "every frame arrives");
        let n = n as f64;
        println!(
            "{want:>13}   {:>7.2}   {:>10.2}   {:>8.2}",
            total.send_ns as f64 / n / 1000.0,
            total.recv_ns as f64 / n / 1000.0,
            (total.send_ns + total.recv_ns) as f64 / n / 1e6 * 100.0
        );
    }
}
