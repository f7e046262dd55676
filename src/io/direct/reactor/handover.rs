//! The setup thread's side: each new call moves on to a media thread
//! [`HANDOVER`] after it came.

use super::Reactor;
use super::handle::{Inbox, Msg};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How long a new call stays on the setup thread: its setup, and its
/// first media both ways, take a few milliseconds, or a few hundred on a
/// saturated machine.
pub(super) const HANDOVER: Duration = Duration::from_millis(500);

/// Calls on their way from the setup thread to the media threads.
pub(super) struct Handover {
    pub(super) media: Vec<Inbox>,
    pub(super) turn: usize,
    /// When each call moves, in the order they came.
    pub(super) due: VecDeque<(Instant, u64)>,
}

impl Handover {
    /// The next call whose time here is up, if any.
    fn next_due(&mut self, now: Instant) -> Option<u64> {
        let &(at, id) = self.due.front()?;
        (at <= now).then(|| {
            self.due.pop_front();
            id
        })
    }

    /// The media thread the next call goes to: each in turn.
    fn next_media(&mut self) -> Inbox {
        self.turn += 1;
        self.media[(self.turn - 1) % self.media.len()].clone()
    }
}

impl Reactor {
    /// Moves the calls whose time on the setup thread is up to the media
    /// threads.
    pub(super) fn hand_over(&mut self, now: Instant) {
        while let Some(id) = self.handover.as_mut().and_then(|h| h.next_due(now)) {
            self.move_call(id);
        }
    }

    fn move_call(&mut self, id: u64) {
        let Some(owner) = self.calls.get(&id).and_then(|s| s.owner.upgrade()) else {
            return;
        };
        let mut inbox = owner.inbox.lock().unwrap_or_else(|e| e.into_inner());
        // What was sent before the lock is in our inbox, ahead of the
        // marker: it runs here first, and the rest goes to the new thread
        // after the call.
        let _ = self.me.send(Msg::Moving(id));
        while let Ok(m) = self.rx.try_recv() {
            if matches!(m, Msg::Moving(m) if m == id) {
                break;
            }
            self.take(m);
        }
        let (Some(mut slot), Some(h)) = (self.calls.remove(&id), self.handover.as_mut()) else {
            return;
        };
        let to = h.next_media();
        if let Some(at) = slot.wake.take() {
            self.timers.remove(&(at, id));
        }
        self.touched.retain(|&t| t != id);
        self.again.retain(|&t| t != id);
        let _ = self.poll.registry().deregister(&mut slot.socket);
        if to.send(Msg::Add(id, Box::new(slot))) {
            *inbox = to;
        }
    }
}
