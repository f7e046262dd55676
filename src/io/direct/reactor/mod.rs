//! Many calls on a few threads of our own: each thread waits on all of its
//! calls' sockets at once (epoll, through mio), reads every ready socket
//! dry, runs the timers that are due from one ordered set, and sends with
//! plain non-blocking syscalls. A task per call paid the async runtime for
//! each packet: a wake-up, a poll of its command channel, its timers and
//! its socket, and a waker registered for each; at 1000 calls that was a
//! fifth of the service's CPU and of the simulator's (BENCHMARKS.md).
//!
//! The calls' logic is [`Call`]'s, the same as on a task of its own.
//!
//! A new call starts on the setup thread and moves to a media thread
//! [`HANDOVER`] later. The media threads are busy with every call's packets,
//! and on a loaded machine a datagram for them waits for a whole round of
//! that; the setup thread does little, so the scheduler runs it as soon as
//! a datagram wakes it, and each setup step (ICE, the DTLS flights) goes at
//! once instead of a round later.

mod handle;
mod handover;

pub(super) use handle::{Handle, WeakHandle, spawn};
use handle::{Inbox, Msg, Owner};
use handover::{HANDOVER, Handover};

use super::Command;
use super::call::Call;
use super::conn::Conn;
use super::steer::Signal;
use crate::io::media::FRAME_TIME;
use bytes::BytesMut;
use mio::net::UdpSocket;
use mio::{Events, Interest, Poll, Token, Waker};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Weak};
use std::time::Instant;

/// The token of each thread's waker; calls count up from 0.
const WAKER: Token = Token(usize::MAX);
/// Datagrams read from one socket before the others get their turn; it
/// comes back to the rest on the next round.
const READS_PER_TURN: usize = 64;
/// Messages taken from the inbox in one round: a flood of commands must
/// not hold off the sockets and timers.
const INBOX_PER_ROUND: usize = 256;

/// Starts a reactor thread; the setup thread is the one given `media`.
fn start(name: String, media: Option<Vec<Inbox>>) -> anyhow::Result<Inbox> {
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
        me: tx.clone(),
        inbox_again: false,
        handover: media.map(|media| Handover {
            media,
            turn: 0,
            due: VecDeque::new(),
        }),
    };
    std::thread::Builder::new()
        .name(name)
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
    /// The handle's side, to move the call.
    owner: Weak<Owner>,
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
    /// This thread's own inbox, for the marker of a move.
    me: Sender<Msg>,
    /// The inbox had more than a round's worth.
    inbox_again: bool,
    /// On the setup thread: where its calls go next, and when.
    handover: Option<Handover>,
}

impl Reactor {
    fn run(mut self) {
        let mut events = Events::with_capacity(1024);
        loop {
            let now = Instant::now();
            let timeout = if self.again.is_empty() && !self.inbox_again {
                let handover = self.handover.as_ref().and_then(|h| h.due.front());
                [self.timers.first(), handover]
                    .into_iter()
                    .flatten()
                    .map(|(t, _)| *t)
                    .min()
                    .map(|t| t.saturating_duration_since(now))
            } else {
                Some(std::time::Duration::ZERO)
            };
            if let Err(e) = self.poll.poll(&mut events, timeout)
                && e.kind() != ErrorKind::Interrupted
            {
                tracing::error!(error = %e, "the media thread cannot wait for its sockets");
                std::thread::sleep(FRAME_TIME);
            }
            let mut inbox = self.inbox_again;
            let mut ready = std::mem::take(&mut self.ready);
            ready.append(&mut self.again);
            for ev in events.iter() {
                match ev.token() {
                    WAKER => inbox = true,
                    Token(id) => ready.push(id as u64),
                }
            }
            if inbox {
                self.inbox();
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
            // Before the settling: what the move runs from the inbox
            // settles with the rest.
            self.hand_over(now);
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

    /// What is in the inbox, up to a round's worth. The threads live as
    /// long as the process: each holds a sender to its own inbox.
    fn inbox(&mut self) {
        for _ in 0..INBOX_PER_ROUND {
            match self.rx.try_recv() {
                Ok(m) => self.take(m),
                Err(_) => {
                    self.inbox_again = false;
                    return;
                }
            }
        }
        self.inbox_again = true;
    }

    fn take(&mut self, m: Msg) {
        match m {
            Msg::Add(id, mut slot) => {
                let registered = self.poll.registry().register(
                    &mut slot.socket,
                    Token(id as usize),
                    Interest::READABLE,
                );
                if let Err(e) = registered {
                    tracing::error!(error = %e, "a call's socket cannot be watched");
                    return;
                }
                self.calls.insert(id, *slot);
                self.touched.push(id);
                if let Some(h) = self.handover.as_mut() {
                    h.due.push_back((Instant::now() + HANDOVER, id));
                }
            }
            Msg::Command(id, c) => self.guard(id, |r| r.command(id, c)),
            Msg::Gone(id) => self.guard(id, |r| r.close(id)),
            Msg::Moving(_) => {}
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
mod tests;
