//! The media loop's steering (start, stop, the caller's keys) forwarded
//! to its driver as commands, from a task of its own: the driver's loop
//! then polls one channel per wake-up instead of three futures.

use super::{Command, WeakCommands};
use tokio::sync::{mpsc, watch};

/// What steers a media loop from outside.
pub(super) enum Signal {
    Start,
    Stop,
    Key(char),
}

/// Forwards the media loop's steering to its driver: go once `start` says
/// so, stop when `stop` does (or when no one can say go any more), and the
/// caller's keys. Ends with the stop, or when the driver is gone.
pub(super) async fn steer(
    mut start: watch::Receiver<bool>,
    mut stop: watch::Receiver<bool>,
    mut dtmf: mpsc::UnboundedReceiver<char>,
    commands: WeakCommands,
) {
    let send = |s: Signal| commands.send(Command::Signal(s));
    let (mut started, mut start_open, mut dtmf_open) = (false, true, true);
    loop {
        if !started && *start.borrow_and_update() {
            started = true;
            if !send(Signal::Start) {
                return;
            }
        }
        if *stop.borrow_and_update() {
            send(Signal::Stop);
            return;
        }
        tokio::select! {
            // No one will ever say go once its sender is gone: stop alone then.
            r = start.changed(), if !started && start_open => start_open = r.is_ok(),
            r = stop.changed() => {
                if r.is_err() {
                    send(Signal::Stop);
                    return;
                }
            }
            key = dtmf.recv(), if dtmf_open => match key {
                Some(k) => {
                    if !send(Signal::Key(k)) {
                        return;
                    }
                }
                None => dtmf_open = false,
            },
        }
    }
}
