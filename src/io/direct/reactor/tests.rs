//! The reactor threads with a probe for a core: datagrams in and out,
//! timers, and the close when the last handle goes.

use super::super::{Conn, Peer};
use super::HANDOVER;
use bytes::BytesMut;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;

/// A core that says back what it hears, sets its timer 10 ms after each
/// datagram, notes on which thread it heard, timed out and was nudged,
/// and says "bye" when closed.
struct Probe {
    seen: Arc<Mutex<Vec<String>>>,
    due: Option<Instant>,
    last: Option<SocketAddr>,
    out: VecDeque<(BytesMut, SocketAddr)>,
}

impl Conn for Probe {
    fn handle_read(&mut self, now: Instant, _local: SocketAddr, from: SocketAddr, data: &[u8]) {
        assert_ne!(data, b"panic", "told to panic");
        self.note("read");
        self.due = Some(now + Duration::from_millis(10));
        self.last = Some(from);
        self.out.push_back((BytesMut::from(data), from));
    }
    fn poll_rtp(&mut self) -> Option<::rtc::rtp::Packet> {
        None
    }
    fn poll_transmit(&mut self) -> Option<(BytesMut, SocketAddr)> {
        self.out.pop_front()
    }
    fn poll_event(&mut self) -> Option<crate::io::rtc::PeerEvent> {
        None
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        self.due
    }
    fn handle_timeout(&mut self, now: Instant) {
        if self.due.is_some_and(|d| d <= now) {
            self.due = None;
            self.note("timer");
        }
    }
    fn write_rtp(&mut self, _: Instant, _: ::rtc::rtp::Packet) -> Result<(), String> {
        Ok(())
    }
    fn set_remote(
        &mut self,
        _: Instant,
        _: ::rtc::peer_connection::sdp::RTCSessionDescription,
    ) -> anyhow::Result<()> {
        Ok(())
    }
    fn nudge(&mut self, _now: Instant) {
        self.note("nudge");
    }
    fn close(&mut self) {
        if let Some(to) = self.last {
            self.out.push_back((BytesMut::from(&b"bye"[..]), to));
        }
    }
}

impl Probe {
    fn note(&self, what: &str) {
        let thread = std::thread::current().name().unwrap_or("").to_string();
        self.seen
            .lock()
            .unwrap()
            .push(format!("{what} on {thread}"));
    }
}

/// What a probe noted, as (what, thread).
fn notes(seen: &Mutex<Vec<String>>) -> Vec<(String, String)> {
    let seen = seen.lock().unwrap();
    seen.iter()
        .map(|s| {
            let (what, thread) = s.split_once(" on ").unwrap();
            (what.to_string(), thread.to_string())
        })
        .collect()
}

/// A call on a probe: its handle, its socket's address, what it saw.
type Probed = (Peer, SocketAddr, Arc<Mutex<Vec<String>>>);

async fn probe(timer_in: Duration) -> Probed {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let at = socket.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let core = Probe {
        seen: seen.clone(),
        due: Some(Instant::now() + timer_in),
        last: None,
        out: VecDeque::new(),
    };
    let (peer, _events) = Peer::spawn_conn(core, socket, None).unwrap();
    (peer, at, seen)
}

async fn recv(socket: &UdpSocket) -> Vec<u8> {
    let mut buf = [0u8; 64];
    let (n, _) = tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buf))
        .await
        .expect("an answer within 5 s")
        .unwrap();
    buf[..n].to_vec()
}

/// Sends each call its own datagram from `me`; each must say it back.
async fn each_answers(me: &UdpSocket, calls: &[Probed], tag: &str) {
    for (i, (_, at, _)) in calls.iter().enumerate() {
        me.send_to(format!("{tag} {i}").as_bytes(), at)
            .await
            .unwrap();
    }
    let mut heard = Vec::new();
    for _ in 0..calls.len() {
        heard.push(String::from_utf8(recv(me).await).unwrap());
    }
    heard.sort();
    let mut expected: Vec<String> = (0..calls.len()).map(|i| format!("{tag} {i}")).collect();
    expected.sort();
    assert_eq!(heard, expected);
}

/// Fifty calls: each hears its own datagram, answers it, and its timer
/// fires, first on the setup thread; after the handover the same calls do
/// all that on the media threads (no more of them than cores), each call
/// on one.
#[tokio::test]
async fn calls_move_from_the_setup_thread_to_the_media_threads() {
    let me = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut calls = Vec::new();
    for _ in 0..50 {
        calls.push(probe(Duration::from_secs(60)).await);
    }
    each_answers(&me, &calls, "early").await;
    // Timers are 10 ms after each datagram; the move is HANDOVER after the
    // call came.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut early = Vec::new();
    for (_, _, seen) in &calls {
        let n = notes(seen);
        assert!(n.contains(&("read".into(), "wacall-setup".into())), "{n:?}");
        assert!(
            n.contains(&("timer".into(), "wacall-setup".into())),
            "{n:?}"
        );
        assert!(n.iter().all(|(_, t)| t == "wacall-setup"), "{n:?}");
        early.push(n.len());
    }
    tokio::time::sleep(HANDOVER).await;
    each_answers(&me, &calls, "late").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut threads = std::collections::BTreeSet::new();
    for ((_, _, seen), early) in calls.iter().zip(early) {
        let n = notes(seen)[early..].to_vec();
        let what: Vec<&str> = n.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(what, ["read", "timer"], "{n:?}");
        assert!(n[0].1.starts_with("wacall-media-"), "{n:?}");
        assert_eq!(n[0].1, n[1].1, "{n:?}");
        threads.insert(n[0].1.clone());
    }
    let cores = std::thread::available_parallelism().unwrap().get();
    assert!(threads.len() <= cores, "{threads:?} on {cores} cores");
}

/// No command is lost while a call moves to a media thread, and none runs
/// on the setup thread after one ran on the media thread.
#[tokio::test]
async fn commands_keep_their_order_across_the_move() {
    let (peer, _, seen) = probe(Duration::from_secs(60)).await;
    let start = Instant::now();
    tokio::time::sleep(HANDOVER - Duration::from_millis(50)).await;
    // A flood across the moment of the move, so some are still in the
    // setup thread's inbox when it comes.
    let mut sent = 0;
    while start.elapsed() < HANDOVER + Duration::from_millis(100) {
        peer.nudge();
        sent += 1;
    }
    for _ in 0..500 {
        if seen.lock().unwrap().len() >= sent {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let threads: Vec<String> = notes(&seen).into_iter().map(|(_, t)| t).collect();
    assert_eq!(threads.len(), sent, "every nudge arrived, once");
    let moved = threads.iter().position(|t| t != "wacall-setup").unwrap();
    assert!(moved > 0, "{threads:?}");
    assert!(
        threads[moved..].iter().all(|t| t == &threads[moved])
            && threads[moved].starts_with("wacall-media-"),
        "{threads:?}"
    );
}

/// A call on a probe that has heard from (and answered) `me`, so its
/// goodbye has somewhere to go.
async fn greeted() -> (UdpSocket, Peer) {
    let me = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let (peer, at, _) = probe(Duration::from_secs(60)).await;
    me.send_to(b"hello", at).await.unwrap();
    assert_eq!(recv(&me).await, b"hello");
    (me, peer)
}

/// Dropping the last handle closes the call: the core's goodbye goes out.
/// A clone dropped before it does not.
#[tokio::test]
async fn a_call_closes_when_its_last_handle_goes() {
    let (me, peer) = greeted().await;
    let clone = peer.clone();
    drop(peer);
    let mut buf = [0u8; 8];
    let early = tokio::time::timeout(Duration::from_millis(200), me.recv_from(&mut buf)).await;
    assert!(early.is_err(), "closed while a handle was left");
    drop(clone);
    assert_eq!(recv(&me).await, b"bye");
}

/// An explicit close says goodbye.
#[tokio::test]
async fn an_explicit_close_says_goodbye() {
    let (me, peer) = greeted().await;
    peer.close().await;
    assert_eq!(recv(&me).await, b"bye");
}

/// A nudge reaches the call's core on its reactor thread.
#[tokio::test]
async fn a_nudge_reaches_the_core() {
    let (peer, _, seen) = probe(Duration::from_secs(60)).await;
    peer.nudge();
    for _ in 0..500 {
        if notes(&seen).iter().any(|(w, _)| w == "nudge") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no nudge within 5 s: {:?}", seen.lock().unwrap());
}

/// A call whose core panics is dropped alone, on the setup thread or on a
/// media thread: its handle's close returns, and the calls that were on
/// those threads and every new call go on answering.
#[tokio::test]
async fn a_panicking_call_takes_no_other_call_down() {
    let me = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let cores = std::thread::available_parallelism().unwrap().get();
    let (mut doomed, mut moved) = (Vec::new(), Vec::new());
    for _ in 0..2 * cores {
        moved.push(probe(Duration::from_secs(60)).await);
    }
    tokio::time::sleep(HANDOVER + Duration::from_millis(100)).await;
    for (peer, at, _) in moved.drain(cores..) {
        me.send_to(b"panic", at).await.unwrap();
        doomed.push(peer);
    }
    for _ in 0..cores {
        let (peer, at, _) = probe(Duration::from_secs(60)).await;
        me.send_to(b"panic", at).await.unwrap();
        doomed.push(peer);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    each_answers(&me, &moved, "survivor").await;
    for peer in doomed {
        tokio::time::timeout(Duration::from_secs(5), peer.close())
            .await
            .expect("a dropped call's close returns");
    }
    let mut calls = Vec::new();
    for _ in 0..2 * cores {
        calls.push(probe(Duration::from_secs(60)).await);
    }
    each_answers(&me, &calls, "after").await;
}
