//! The simulated peer's background work: its connection's events into the
//! timeline, the start of media (after accept and, as WhatsApp does, after
//! the bridge's first packet), and the media loop itself.

use crate::core::sim::diagnose::Timeline;
use crate::core::sim::gate::Gate;
use crate::io::direct::Peer;
use crate::io::farend::Recorded;
use crate::io::media::{MediaConfig, MediaStats};
use crate::io::rtc::PeerEvent;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use webrtc::peer_connection::RTCPeerConnectionState;

/// Peer events: states into the timeline.
pub(super) fn record_events(
    tasks: &mut JoinSet<()>,
    started: Instant,
    timeline: Arc<Mutex<Timeline>>,
    mut events: mpsc::UnboundedReceiver<PeerEvent>,
) {
    tasks.spawn(async move {
        let handle = |e: PeerEvent| {
            let at = started.elapsed();
            let mut t = timeline.lock().unwrap();
            match e {
                PeerEvent::Ice(s) if s.to_string() == "connected" => {
                    t.ice_connected.get_or_insert(at);
                }
                PeerEvent::State(RTCPeerConnectionState::Connected) => {
                    t.dtls_connected.get_or_insert(at);
                }
                PeerEvent::State(RTCPeerConnectionState::Failed) => {
                    t.failed.get_or_insert(at);
                }
                PeerEvent::State(RTCPeerConnectionState::Closed) => {
                    t.closed.get_or_insert(at);
                }
                _ => {}
            }
        };
        while let Some(e) = events.recv().await {
            handle(e);
        }
    });
}

/// Media starts after accept and, like WhatsApp, after the bridge's first
/// packet (unless told not to wait for it).
pub(super) fn start_media_when_due(
    tasks: &mut JoinSet<()>,
    gate: Arc<Mutex<Gate>>,
    mut accepted: watch::Receiver<bool>,
    mut stop: watch::Receiver<bool>,
    wait_for_maiden: bool,
    start: watch::Sender<bool>,
) {
    tasks.spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(5));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = accepted.changed() => {}
                _ = stop.changed() => return,
            }
            let maiden = gate.lock().unwrap().seen.first_rtp_in.is_some();
            if *accepted.borrow() && (maiden || !wait_for_maiden) {
                let _ = start.send(true);
                return;
            }
        }
    });
}

/// What drives the media loop from outside.
pub(super) struct MediaIn {
    pub start: watch::Receiver<bool>,
    pub stop: watch::Receiver<bool>,
    pub dtmf: mpsc::UnboundedReceiver<char>,
}

/// The simulated user's media loop, in the peer's driver; its error, if
/// any, goes into the stats.
pub(super) fn run_media(
    tasks: &mut JoinSet<()>,
    peer: &Peer,
    cfg: MediaConfig,
    user: Recorded<crate::io::media::Source>,
    input: MediaIn,
    stats: Arc<Mutex<MediaStats>>,
) {
    let media = peer.run_media(
        &cfg,
        Box::new(user),
        input.start,
        input.stop,
        input.dtmf,
        stats.clone(),
    );
    tasks.spawn(async move {
        if let Ok(Err(e)) = media.await {
            stats.lock().unwrap().last_error = Some(format!("{e:#}"));
        }
    });
}
