//! The UDP relay in front of the simulated WhatsApp peer. Every datagram
//! between a bridge and the peer crosses the pure [`Gate`], which decides
//! what WhatsApp would do with it.
//!
//! One inner socket per bridge address keeps the peer's view 1:1: the peer
//! answers the relay socket that spoke to it, and the relay knows which
//! bridge address that stands for.

use crate::core::sim::gate::{Gate, Verdict};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::net::UdpSocket;
use tokio::task::JoinSet;

/// A bridge that sends from more addresses than this is not a WhatsApp call.
const MAX_LEGS: usize = 16;

pub struct Relay {
    pub front: SocketAddr,
    tasks: JoinSet<()>,
}

impl Relay {
    /// Binds the address WhatsApp's candidates will name, and relays to `peer`.
    pub async fn start(
        bind: SocketAddr,
        peer: SocketAddr,
        gate: Arc<Mutex<Gate>>,
    ) -> anyhow::Result<Relay> {
        let front = Arc::new(UdpSocket::bind(bind).await?);
        let front_addr = front.local_addr()?;
        let mut tasks = JoinSet::new();
        let inner_ip = peer.ip();
        tasks.spawn(async move {
            let mut legs: HashMap<SocketAddr, Arc<UdpSocket>> = HashMap::new();
            let mut leg_tasks = JoinSet::new();
            let mut buf = vec![0u8; 2048];
            loop {
                let Ok((n, from)) = front.recv_from(&mut buf).await else {
                    break;
                };
                let verdict = gate.lock().unwrap().from_bridge(Instant::now(), &buf[..n]);
                let leg = match verdict {
                    Verdict::Drop => continue,
                    Verdict::Reply(r) => {
                        let _ = front.send_to(&r, from).await;
                        continue;
                    }
                    Verdict::Forward | Verdict::ForwardRewritten(_) => match legs.get(&from) {
                        Some(leg) => leg.clone(),
                        None if legs.len() >= MAX_LEGS => continue,
                        None => {
                            let Ok(sock) = UdpSocket::bind(SocketAddr::new(inner_ip, 0)).await
                            else {
                                continue;
                            };
                            let sock = Arc::new(sock);
                            legs.insert(from, sock.clone());
                            leg_tasks.spawn(back_to_bridge(
                                sock.clone(),
                                front.clone(),
                                from,
                                gate.clone(),
                            ));
                            sock
                        }
                    },
                };
                let data = match &verdict {
                    Verdict::ForwardRewritten(r) => &r[..],
                    _ => &buf[..n],
                };
                let _ = leg.send_to(data, peer).await;
            }
            leg_tasks.abort_all();
        });
        Ok(Relay {
            front: front_addr,
            tasks,
        })
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.tasks.abort_all();
    }
}

async fn back_to_bridge(
    leg: Arc<UdpSocket>,
    front: Arc<UdpSocket>,
    bridge: SocketAddr,
    gate: Arc<Mutex<Gate>>,
) {
    let mut buf = vec![0u8; 2048];
    loop {
        let Ok((n, _)) = leg.recv_from(&mut buf).await else {
            break;
        };
        let verdict = gate
            .lock()
            .unwrap()
            .from_inner(Instant::now(), bridge, &buf[..n]);
        let data = match &verdict {
            Verdict::Drop => continue,
            Verdict::ForwardRewritten(r) | Verdict::Reply(r) => &r[..],
            Verdict::Forward => &buf[..n],
        };
        let _ = front.send_to(data, bridge).await;
    }
}
