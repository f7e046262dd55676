//! The floor under any per-call media path on this machine: N calls, each
//! two tokio tasks (our side and the caller's) with their own loopback UDP
//! socket, sending one 72-byte datagram every 20 ms each way and reading
//! the other's, and nothing else: no WebRTC, no codec. Its CPU per
//! call-second, next to `rtc_core`'s (the sans-IO WebRTC core's work per
//! packet), is what a media path that drives `rtc` from one task per call
//! would cost, against what `wacall serve` and `wacall sim` cost now
//! through webrtc-rs's async wrapper (`scripts/bench-serve`).
//!
//! Then the same datagrams with one task and one socket per side for all
//! calls (one timer tick sends every call's packet, reads drain the socket
//! until it is empty): what batching the wake-ups across calls would save.
//! With the default receive buffer a burst of 1000 datagrams overflows
//! that socket: the `lost` column says when a row did less work.
//!
//! Run: `cargo bench --bench media_floor` (BENCH_CALLS, default "200 1000";
//! BENCH_SECONDS, default 10).

use std::time::{Duration, Instant};
use tokio::net::UdpSocket;

/// This process's CPU time (user and system) in clock ticks.
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split(' ').collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

async fn side(socket: UdpSocket, seconds: u64) -> u64 {
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let end = tokio::time::Instant::now() + Duration::from_secs(seconds);
    let (packet, mut buf, mut got) = ([0x5a_u8; 72], [0u8; 1500], 0);
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(end) => return got,
            _ = tick.tick() => { let _ = socket.send(&packet).await; }
            r = socket.recv(&mut buf) => got += u64::from(r.is_ok()),
        }
    }
}

/// One side of every call on one socket: `calls` datagrams to `peer` per
/// tick, and whatever the peer sent read in between.
async fn shared_side(
    socket: UdpSocket,
    peer: std::net::SocketAddr,
    calls: usize,
    seconds: u64,
) -> u64 {
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let end = tokio::time::Instant::now() + Duration::from_secs(seconds);
    let (packet, mut buf, mut got) = ([0x5a_u8; 72], [0u8; 1500], 0);
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(end) => return got,
            _ = tick.tick() => {
                for _ in 0..calls {
                    let _ = socket.send_to(&packet, peer).await;
                }
            }
            r = socket.readable() => {
                if r.is_err() {
                    return got;
                }
                while socket.try_recv(&mut buf).is_ok() {
                    got += 1;
                }
            }
        }
    }
}

async fn run_shared(calls: usize, seconds: u64) -> (f64, u64) {
    let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let (pa, pb) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    let (t0, c0) = (Instant::now(), cpu_ticks());
    let x = tokio::spawn(shared_side(a, pb, calls, seconds));
    let y = tokio::spawn(shared_side(b, pa, calls, seconds));
    let got = x.await.unwrap() + y.await.unwrap();
    let cores = (cpu_ticks() - c0) as f64 / 100.0 / t0.elapsed().as_secs_f64();
    (cores, got)
}

async fn run(calls: usize, seconds: u64) -> (f64, u64) {
    let mut tasks = Vec::new();
    for _ in 0..calls {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        a.connect(b.local_addr().unwrap()).await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        tasks.push(tokio::spawn(side(a, seconds)));
        tasks.push(tokio::spawn(side(b, seconds)));
    }
    let (t0, c0) = (Instant::now(), cpu_ticks());
    let mut got = 0;
    for t in tasks {
        got += t.await.unwrap();
    }
    let cores = (cpu_ticks() - c0) as f64 / 100.0 / t0.elapsed().as_secs_f64();
    (cores, got)
}

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let calls: Vec<usize> = std::env::var("BENCH_CALLS")
        .unwrap_or_else(|_| "200 1000".into())
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("layout             calls   cores (both sides)   ms CPU per call-second    lost");
    for n in calls {
        for (layout, (cores, got)) in [
            ("task per call", rt.block_on(run(n, seconds))),
            ("one per side", rt.block_on(run_shared(n, seconds))),
        ] {
            // A socket that overflows does less work: its CPU is no floor then.
            let expected = (2 * n as u64 * seconds * 50) as f64;
            let lost = (1.0 - got as f64 / expected).max(0.0) * 100.0;
            println!(
                "{layout:<15} {n:>8}   {cores:>18.2}   {:>22.3}   {lost:>5.1}%",
                cores * 1000.0 / n as f64
            );
        }
    }
}
