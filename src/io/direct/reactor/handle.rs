//! What reaches a reactor thread, and the handles that send it: a call
//! closes when its last handle goes, and its commands follow it when it
//! moves from the setup thread to a media thread.

use super::{Slot, start};
use crate::io::direct::Command;
use crate::io::direct::call::Call;
use crate::io::direct::conn::Conn;
use mio::Waker;
use mio::net::UdpSocket;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// What reaches a reactor thread from the rest of the program.
pub(super) enum Msg {
    Add(u64, Box<Slot>),
    Command(u64, Command),
    /// The call's last handle is gone: close it.
    Gone(u64),
    /// What was sent for the call before this goes before its move.
    Moving(u64),
}

/// A thread's inbox, and how to wake it.
#[derive(Clone)]
pub(super) struct Inbox {
    pub(super) tx: Sender<Msg>,
    pub(super) waker: Arc<Waker>,
}

impl Inbox {
    pub(super) fn send(&self, m: Msg) -> bool {
        self.tx.send(m).is_ok() && self.waker.wake().is_ok()
    }
}

/// A call's handle on its reactor thread; the call closes when the last
/// clone is dropped.
#[derive(Clone)]
pub(in crate::io::direct) struct Handle(pub(super) Arc<Owner>);

/// A handle that does not keep the call open.
pub(in crate::io::direct) struct WeakHandle(Weak<Owner>);

pub(super) struct Owner {
    pub(super) id: u64,
    /// The inbox of the thread that has the call; locked while the call
    /// moves, so its commands keep their order.
    pub(super) inbox: Mutex<Inbox>,
}

impl Drop for Owner {
    fn drop(&mut self) {
        let inbox = self.inbox.get_mut().unwrap_or_else(|e| e.into_inner());
        inbox.send(Msg::Gone(self.id));
    }
}

impl Handle {
    pub fn send(&self, c: Command) -> bool {
        let inbox = self.0.inbox.lock().unwrap_or_else(|e| e.into_inner());
        inbox.send(Msg::Command(self.0.id, c))
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

/// Hands `call` and its socket to the setup thread, which hands it on to
/// one of the media threads (one per core, calls taking them in turn);
/// all are started on first use.
pub(in crate::io::direct) fn spawn<C: Conn>(
    call: Call<C>,
    socket: tokio::net::UdpSocket,
) -> anyhow::Result<Handle> {
    static SETUP: OnceLock<Inbox> = OnceLock::new();
    static NEXT_ID: AtomicU64 = AtomicU64::new(0);
    let inbox = match SETUP.get() {
        Some(t) => t.clone(),
        None => {
            let n = std::thread::available_parallelism().map_or(1, |n| n.get());
            let media = (0..n)
                .map(|i| start(format!("wacall-media-{i}"), None))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let setup = start("wacall-setup".into(), Some(media))?;
            SETUP.get_or_init(|| setup).clone()
        }
    };
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
    let owner = Arc::new(Owner {
        id,
        inbox: Mutex::new(inbox.clone()),
    });
    let slot = Box::new(Slot {
        call,
        socket,
        wake: None,
        next_tick: None,
        owner: Arc::downgrade(&owner),
    });
    if !inbox.send(Msg::Add(id, slot)) {
        anyhow::bail!("the setup thread has stopped");
    }
    Ok(Handle(owner))
}
