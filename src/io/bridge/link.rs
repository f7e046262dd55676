//! The call's connection, on either WebRTC path: ours on webrtc-rs's
//! sans-IO core (or, with `--media-stack lean`, on `io::lean`) when one
//! concrete address is bound and no STUN or TURN server is named
//! (`io::direct`: one task per call, the media loop in it),
//! otherwise webrtc-rs's async peer connection (which gathers from servers
//! and interfaces), with the media loop on its tracks.

use crate::io::answerer::{self, AnswererConfig, MediaStack};
use crate::io::direct;
use crate::io::farend::FarEnd;
use crate::io::media::{self, MediaConfig, MediaStats};
use crate::io::rtc::{Codecs, PeerEvent};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::PeerConnection;

#[derive(Clone)]
pub(super) enum Link {
    Wrapped {
        pc: Arc<dyn PeerConnection>,
        track: Arc<TrackLocalStaticRTP>,
    },
    /// The peer, and which core runs it (`direct` on webrtc-rs's, `lean`).
    Direct(direct::Peer, &'static str),
}

/// An offer answered, on whichever path.
pub(super) struct Answered {
    pub link: Link,
    pub answer: String,
    pub ssrc: u32,
    pub codecs: Codecs,
    pub events: mpsc::UnboundedReceiver<PeerEvent>,
    pub gathered_in: Duration,
    pub gather_timed_out: bool,
}

pub(super) async fn answer(offer: &str, cfg: &AnswererConfig) -> anyhow::Result<Answered> {
    if direct::usable(cfg) {
        let started = std::time::Instant::now();
        let a = direct::answer(offer, cfg).await?;
        return Ok(Answered {
            link: Link::Direct(
                a.peer,
                match cfg.stack {
                    MediaStack::Lean => "lean",
                    MediaStack::Rtc => "direct",
                },
            ),
            answer: a.answer,
            ssrc: a.ssrc,
            codecs: a.codecs,
            events: a.events,
            gathered_in: started.elapsed(),
            gather_timed_out: false,
        });
    }
    let a = answerer::answer(offer, cfg).await?;
    Ok(Answered {
        link: Link::Wrapped {
            pc: a.pc,
            track: a.track,
        },
        answer: a.answer,
        ssrc: a.ssrc,
        codecs: a.codecs,
        events: a.events,
        gathered_in: a.gathered_in,
        gather_timed_out: a.gather_timed_out,
    })
}

/// Remote tracks, which only webrtc-rs's path announces, on their way to
/// its media loop.
pub(super) type Tracks = mpsc::UnboundedSender<Arc<dyn TrackRemote>>;

impl Link {
    /// Which path carries the call, for the steps a user sees.
    pub(super) fn path(&self) -> &'static str {
        match self {
            Link::Wrapped { .. } => "webrtc-rs",
            Link::Direct(_, path) => path,
        }
    }

    /// Starts the media loop: it ticks once `start` is true, ends when
    /// `stop` is.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn run_media(
        &self,
        cfg: MediaConfig,
        far: Box<dyn FarEnd>,
        tracks: mpsc::UnboundedReceiver<Arc<dyn TrackRemote>>,
        start: watch::Receiver<bool>,
        stop: watch::Receiver<bool>,
        dtmf: mpsc::UnboundedReceiver<char>,
        stats: Arc<Mutex<MediaStats>>,
    ) -> JoinHandle<anyhow::Result<()>> {
        match self {
            Link::Wrapped { track, .. } => tokio::spawn(media::run_media(
                cfg,
                track.clone(),
                far,
                tracks,
                start,
                stop,
                dtmf,
                stats,
            )),
            Link::Direct(peer, _) => peer.run_media(&cfg, far, start, stop, dtmf, stats),
        }
    }

    /// WhatsApp has the answer (`pre_accept` is in) and answers checks
    /// from now on: the lean core checks at once.
    pub(super) fn nudge(&self) {
        if let Link::Direct(peer, _) = self {
            peer.nudge();
        }
    }

    pub(super) async fn close(&self) {
        match self {
            Link::Wrapped { pc, .. } => {
                let _ = pc.close().await;
            }
            Link::Direct(peer, _) => peer.close().await,
        }
    }
}
