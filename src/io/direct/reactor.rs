//! Many calls on a few threads of our own: each thread waits on all of its
//! calls' sockets at once (epoll, through mio), reads every ready socket
//! dry, runs the timers that are due from one ordered set, and sends with
//! plain non-blocking syscalls. A task per call paid the async runtime for
//! each packet: a wake-up, a poll of its command channel, its timers and
//! its socket, and a waker registered for each; at 1000 calls that was a
//! fifth of the service's CPU and of the simulator's (BENCHMARKS.md).
//!
//! The calls' logic is [`Call`]'s, the same as on a task of its own.

use super::Command;
use super::call::Call;
use super::conn::Conn;
use super::steer::Signal;
use crate::io::media::FRAME_TIME;
use bytes::BytesMut;
use mio::net::UdpSocket;
use mio::{Events, Interest, Poll, Token, Waker};
use std::collections::{BTreeSet, HashMap};
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Instant;

/// The token of each thread's waker; calls count up from 0.
const WAKER: Token = Token(usize::MAX);
/// Datagrams read from one socket before the others get their turn; it
/// comes back to the rest on the next round.
const READS_PER_TURN: usize = 64;

/// What reaches a reactor thread from the rest of the program.
enum Msg {
    Add(u64, Box<Slot>),
    Command(u64, Command),
    /// The call's last handle is gone: close it.
    Gone(u64),
}

/// A thread's inbox, and how to wake it.
#[derive(Clone)]
struct Inbox {
    tx: Sender<Msg>,
    waker: Arc<Waker>,
}

impl Inbox {
    fn send(&self, m: Msg) -> bool {
        self.tx.send(m).is_ok() && self.waker.wake().is_ok()
    }
}

/// A call's handle on its reactor thread; the call closes when the last
/// clone is dropped.
#[derive(Clone)]
pub(super) struct Handle(Arc<Owner>);

/// A handle that does not keep the call open.
pub(super) struct WeakHandle(Weak<Owner>);

struct Owner {
    id: u64,
    inbox: Inbox,
}

impl Drop for Owner {
    fn drop(&mut self) {
        self.inbox.send(Msg::Gone(self.id));
    }
}

impl Handle {
    pub fn send(&self, c: Command) -> bool {
        self.0.inbox.send(Msg::Command(self.0.id, c))
    }

    pub fn downgrade(&self) -> WeakHandle {
        WeakHandle(Arc::downgrade(&self.0))
    }
}

impl WeakHandle {
    pub fn send(&self, c: Command) -> bool {
        self.0.upgrade().is_some_and(|h| Handle(h).send(c))
    }
}

/// Hands `call` and its socket to one of the reactor threads (started on
/// first use, one per core, calls taking them in turn).
pub(super) fn spawn<C: Conn>(
    call: Call<C>,
    socket: tokio::net::UdpSocket,
) -> anyhow::Result<Handle> {
    static THREADS: OnceLock<Vec<Inbox>> = OnceLock::new();
    static NEXT_ID: AtomicU64 = AtomicU64::new(0);
    static TURN: AtomicUsize = AtomicUsize::new(0);
    let threads = match THREADS.get() {
        Some(t) => t,
        None => {
            let n = std::thread::available_parallelism().map_or(1, |n| n.get());
            let started = (0..n).map(start).collect::<anyhow::Result<Vec<_>>>()?;
            THREADS.get_or_init(|| started)
        }
    };
    let inbox = threads[TURN.fetch_add(1, Ordering::Relaxed) % threads.len()].clone();
    let socket = UdpSocket::from_std(socket.into_std()?);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let call = Call {
        conn: Box::new(call.conn) as Box<dyn Conn>,
        local: call.local,
        gate: call.gate,
        events: call.events,
        media: call.media,
        lane: call.lane,
    };
    let slot = Box::new(Slot {
        call,
        socket,
        wake: None,
        next_tick: None,
    });
    if !inbox.send(Msg::Add(id, slot)) {
        anyhow::bail!("the media thread has stopped");
    }
    Ok(Handle(Arc::new(Owner { id, inbox })))
}

fn start(i: usize) -> anyhow::Result<Inbox> {
    let poll = Poll::new()?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
    let (tx, rx) = channel();
    let reactor = Reactor {
        poll,
        rx,
        calls: HashMap::new(),
        timers: BTreeSet::new(),
        touched: Vec::new(),
        again: Vec::new(),
        ready: Vec::new(),
        buf: vec![0; 2048],
        out: Vec::new(),
    };
    std::thread::Builder::new()
        .name(format!("wacall-media-{i}"))
        .spawn(move || reactor.run())?;
    Ok(Inbox { tx, waker })
}

struct Slot {
    call: Call<Box<dyn Conn>>,
    socket: UdpSocket,
    /// The call's entry in the timer set.
    wake: Option<Instant>,
    /// The media loop's next tick, once it has started.
    next_tick: Option<Instant>,
}

struct Reactor {
    poll: Poll,
    rx: Receiver<Msg>,
    calls: HashMap<u64, Slot>,
    timers: BTreeSet<(Instant, u64)>,
    /// Calls that may have something to send or a new deadline.
    touched: Vec<u64>,
    /// Sockets left with datagrams unread at the end of their turn.
    again: Vec<u64>,
    /// The sockets to read this round (kept between rounds).
    ready: Vec<u64>,
    buf: Vec<u8>,
    out: Vec<(BytesMut, SocketAddr)>,
}

impl Reactor {
    fn run(mut self) {
        let mut events = Events::with_capacity(1024);
        loop {
            let now = Instant::now();
            let timeout = if self.again.is_empty() {
                self.timers
                    .first()
                    .map(|(t, _)| t.saturating_duration_since(now))
            } else {
                Some(std::time::Duration::ZERO)
            };
            if let Err(e) = self.poll.poll(&mut events, timeout)
                && e.kind() != ErrorKind::Interrupted
            {
                tracing::error!(error = %e, "the media thread cannot wait for its sockets");
                std::thread::sleep(FRAME_TIME);
            }
            let mut inbox = false;
            let mut ready = std::mem::take(&mut self.ready);
            ready.append(&mut self.again);
            for ev in events.iter() {
                match ev.token() {
                    WAKER => inbox = true,
                    Token(id) => ready.push(id as u64),
                }
            }
            if inbox && !self.inbox() {
                return;
            }
            for &id in &ready {
                self.guard(id, |r| r.read(id));
            }
            ready.clear();
            self.ready = ready;
            let now = Instant::now();
            while let Some(&(at, id)) = self.timers.first() {
                if at > now {
                    break;
                }
                self.timers.pop_first();
                self.guard(id, |r| r.on_time(id, now));
            }
            let touched = std::mem::take(&mut self.touched);
            for &id in &touched {
                self.guard(id, |r| r.settle(id));
            }
            self.touched = touched;
            self.touched.clear();
        }
    }

    /// Runs `f` for call `id`. A panic in it ends that call alone, as a
    /// panic in a task of its own did, not the thread's other calls.
    fn guard(&mut self, id: u64, f: impl FnOnce(&mut Self)) {
        let panicked =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut *self))).is_err();
        if panicked {
            tracing::error!(call = id, "a call's media panicked; it is dropped");
            self.forget(id);
        }
    }

    /// Drops a call without another word to its core (after a panic in it).
    fn forget(&mut self, id: u64) {
        self.touched.retain(|&t| t != id);
        self.again.retain(|&t| t != id);
        if let Some(mut slot) = self.calls.remove(&id) {
            if let Some(at) = slot.wake {
                self.timers.remove(&(at, id));
            }
            let _ = self.poll.registry().deregister(&mut slot.socket);
        }
    }

    /// Everything in the inbox; false once no one can send to it again.
    fn inbox(&mut self) -> bool {
        loop {
            match self.rx.try_recv() {
                Ok(Msg::Add(id, mut slot)) => {
                    let registered = self.poll.registry().register(
                        &mut slot.socket,
                        Token(id as usize),
                        Interest::READABLE,
                    );
                    if let Err(e) = registered {
                        tracing::error!(error = %e, "a call's socket cannot be watched");
                        continue;
                    }
                    self.calls.insert(id, *slot);
                    self.touched.push(id);
                }
                Ok(Msg::Command(id, c)) => self.guard(id, |r| r.command(id, c)),
                Ok(Msg::Gone(id)) => self.guard(id, |r| r.close(id)),
                Err(std::sync::mpsc::TryRecvError::Empty) => return true,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => return false,
            }
        }
    }

    fn command(&mut self, id: u64, c: Command) {
        let Some(slot) = self.calls.get_mut(&id) else {
            return;
        };
        self.touched.push(id);
        match c {
            Command::Media(m) => slot.call.media = Some(m),
            Command::Signal(signal) => {
                let stop = matches!(signal, Signal::Stop);
                if let Some(began) = slot.call.signal(signal, Instant::now()) {
                    slot.next_tick = Some(began);
                }
                if stop {
                    slot.next_tick = None;
                }
            }
            Command::Remote(desc, ack) => {
                let _ = ack.send(slot.call.conn.set_remote(Instant::now(), *desc));
            }
            Command::Nudge => slot.call.conn.nudge(Instant::now()),
            Command::Close(ack) => {
                self.close(id);
                let _ = ack.send(());
            }
        }
    }

    /// The socket read dry (or its turn used up), each datagram into the call.
    fn read(&mut self, id: u64) {
        let Some(slot) = self.calls.get_mut(&id) else {
            return;
        };
        self.touched.push(id);
        for _ in 0..READS_PER_TURN {
            match slot.socket.recv_from(&mut self.buf) {
                Ok((n, peer)) => {
                    let socket = &slot.socket;
                    slot.call.read(&self.buf[..n], peer, |r, to| {
                        let _ = socket.send_to(r, to);
                    });
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                // ICMP unreachable on some systems: not fatal, and each
                // read takes one.
                Err(_) => {}
            }
        }
        self.again.push(id);
    }

    fn on_time(&mut self, id: u64, now: Instant) {
        let Some(slot) = self.calls.get_mut(&id) else {
            return;
        };
        slot.wake = None;
        self.touched.push(id);
        if slot.next_tick.is_some_and(|t| t <= now) {
            slot.call.tick();
            // A late tick skips to the lane's next point, as a task's
            // interval does.
            slot.next_tick = slot
                .call
                .media_started()
                .then(|| slot.call.lane.floor(now) + FRAME_TIME);
        }
        if slot.call.due(now) <= now {
            slot.call.conn.handle_timeout(now);
        }
    }

    /// Sends what the call has to send, and files its next deadline.
    fn settle(&mut self, id: u64) {
        let Some(slot) = self.calls.get_mut(&id) else {
            return;
        };
        let now = Instant::now();
        // A core whose timer stays due gets a few goes here, then waits
        // for the next round like everyone else.
        flush(slot, &mut self.out);
        let mut due = slot.call.due(now);
        for _ in 0..3 {
            if due > now {
                break;
            }
            slot.call.conn.handle_timeout(now);
            flush(slot, &mut self.out);
            due = slot.call.due(now);
        }
        let wake = slot.next_tick.map_or(due, |t| t.min(due));
        if slot.wake != Some(wake) {
            if let Some(old) = slot.wake.take() {
                self.timers.remove(&(old, id));
            }
            self.timers.insert((wake, id));
            slot.wake = Some(wake);
        }
    }

    /// Closes the call (DTLS close_notify out) and forgets it.
    fn close(&mut self, id: u64) {
        let Some(mut slot) = self.calls.remove(&id) else {
            return;
        };
        if let Some(at) = slot.wake {
            self.timers.remove(&(at, id));
        }
        slot.call.end_media(Ok(()));
        slot.call.conn.close();
        flush(&mut slot, &mut self.out);
        let _ = self.poll.registry().deregister(&mut slot.socket);
    }
}

/// Everything the call's core has to send, out through its socket.
fn flush(slot: &mut Slot, out: &mut Vec<(BytesMut, SocketAddr)>) {
    loop {
        let connected = slot.call.drain(out);
        for (data, to) in out.drain(..) {
            // UDP: a full send buffer drops the datagram, as the network may.
            let _ = slot.socket.send_to(&data, to);
        }
        if !connected {
            return;
        }
        // As on a task of its own: `rtc` hands out the ClientHello only
        // from `handle_timeout`.
        slot.call.conn.handle_timeout(Instant::now());
    }
}

#[cfg(test)]
#[path = "reactor_tests.rs"]
mod tests;
