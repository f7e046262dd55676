//! WhatsApp's media address, gated in place: the simulated peer's own UDP
//! socket, with every datagram crossing the pure [`Gate`] on its way in and
//! out, which decides what WhatsApp would do with it.
//!
//! webrtc-rs takes its sockets from a [`Runtime`]; this one is tokio's with
//! the UDP socket wrapped. (A relay in front of the peer did the same with
//! two more syscalls and a task wake-up per packet: 18 % of the simulator's
//! CPU under load.) The socket reads one datagram a call, without GRO, so
//! every datagram meets the gate alone.

use crate::core::sim::gate::{Gate, Verdict};
use std::future::Future;
use std::io::{self, IoSliceMut};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};
use webrtc::runtime::{
    AsyncInterval, AsyncTcpListener, AsyncTcpStream, AsyncUdpSocket, JoinHandle, RecvMeta, Runtime,
    Transmit,
};

/// Datagrams the gate may turn away in one receive before it yields, so a
/// flood of them cannot hold the peer's driver.
const MAX_TURNED_AWAY: usize = 64;

pub struct GatedRuntime {
    inner: Arc<dyn Runtime>,
    gate: Arc<Mutex<Gate>>,
}

impl GatedRuntime {
    pub fn new(gate: Arc<Mutex<Gate>>) -> anyhow::Result<GatedRuntime> {
        let inner = webrtc::runtime::default_runtime()
            .ok_or_else(|| anyhow::anyhow!("webrtc-rs was built without a runtime"))?;
        Ok(GatedRuntime { inner, gate })
    }
}

impl std::fmt::Debug for GatedRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GatedRuntime")
    }
}

impl Runtime for GatedRuntime {
    fn spawn(&self, future: Pin<Box<dyn Future<Output = ()> + Send>>) -> Box<dyn JoinHandle> {
        self.inner.spawn(future)
    }

    fn spawn_reactor(
        &self,
        reactor_pool_size: usize,
        future: Pin<Box<dyn Future<Output = ()> + Send>>,
    ) -> Box<dyn JoinHandle> {
        self.inner.spawn_reactor(reactor_pool_size, future)
    }

    fn wrap_udp_socket(&self, socket: std::net::UdpSocket) -> io::Result<Arc<dyn AsyncUdpSocket>> {
        socket.set_nonblocking(true)?;
        Ok(Arc::new(GatedSocket {
            io: tokio::net::UdpSocket::from_std(socket)?,
            gate: self.gate.clone(),
        }))
    }

    fn wrap_tcp_listener(
        &self,
        listener: std::net::TcpListener,
    ) -> io::Result<Arc<dyn AsyncTcpListener>> {
        self.inner.wrap_tcp_listener(listener)
    }

    fn connect_tcp<'a>(
        &'a self,
        remote_addr: SocketAddr,
    ) -> Pin<Box<dyn Future<Output = io::Result<Arc<dyn AsyncTcpStream>>> + Send + 'a>> {
        self.inner.connect_tcp(remote_addr)
    }

    fn resolve_host<'a>(
        &'a self,
        host: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send + 'a>> {
        self.inner.resolve_host(host)
    }

    fn now(&self) -> Instant {
        self.inner.now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        self.inner.sleep(duration)
    }

    fn interval(&self, period: Duration) -> Box<dyn AsyncInterval> {
        self.inner.interval(period)
    }

    fn block_on(&self, future: Pin<Box<dyn Future<Output = ()> + '_>>) {
        self.inner.block_on(future)
    }

    fn name(&self) -> &'static str {
        "tokio, gated"
    }
}

struct GatedSocket {
    io: tokio::net::UdpSocket,
    gate: Arc<Mutex<Gate>>,
}

impl std::fmt::Debug for GatedSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatedSocket")
            .field("local", &self.io.local_addr().ok())
            .finish()
    }
}

impl AsyncUdpSocket for GatedSocket {
    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.local_addr()
    }

    /// WhatsApp's side to the bridge. The gate sees each datagram once:
    /// only when the socket is ready is it asked, and a send that still
    /// finds the socket full counts as sent and lost, as UDP would lose it.
    fn poll_send(&self, cx: &mut Context<'_>, transmit: &Transmit<'_>) -> Poll<io::Result<usize>> {
        ready!(self.io.poll_send_ready(cx))?;
        let len = transmit.contents.len();
        let verdict = self
            .gate
            .lock()
            .unwrap()
            .from_inner(Instant::now(), transmit.contents);
        let data = match &verdict {
            Verdict::Drop => return Poll::Ready(Ok(len)),
            Verdict::Reply(r) => &r[..],
            Verdict::Forward => transmit.contents,
        };
        match self.io.try_send_to(data, transmit.destination) {
            Ok(_) => Poll::Ready(Ok(len)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Poll::Ready(Ok(len)),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    /// The bridge to WhatsApp's side: what the gate drops never reaches the
    /// peer, and what it answers itself (a 401, a role conflict) goes back
    /// from this socket.
    fn poll_recv(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
        meta: &mut [RecvMeta],
    ) -> Poll<io::Result<usize>> {
        let (Some(buf), Some(m)) = (bufs.first_mut(), meta.first_mut()) else {
            return Poll::Ready(Ok(0));
        };
        for _ in 0..MAX_TURNED_AWAY {
            let mut read = tokio::io::ReadBuf::new(buf);
            let from = ready!(self.io.poll_recv_from(cx, &mut read))?;
            let n = read.filled().len();
            let verdict = self
                .gate
                .lock()
                .unwrap()
                .from_bridge(Instant::now(), &buf[..n]);
            match verdict {
                Verdict::Drop => continue,
                Verdict::Reply(r) => {
                    let _ = self.io.try_send_to(&r, from);
                    continue;
                }
                Verdict::Forward => {}
            }
            *m = RecvMeta::default();
            m.addr = from;
            m.len = n;
            m.stride = n.max(1);
            return Poll::Ready(Ok(1));
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
