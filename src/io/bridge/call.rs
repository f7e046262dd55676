//! One bridged call's phases, in order: answer and lint, pre_accept, ICE
//! and DTLS, the far end ready, accept and media, the call until it ends.
//! A phase that ends the call returns the [`Ending`]; the call then hangs
//! up once, in one place, with what it had reached.

use super::ending::{end, wait_stop};
use super::link::{self, Answered, Link, Tracks};
use super::report::{Run, lint_answer, remote_candidates, traffic};
use super::{BridgeConfig, Event, Signalling, signal};
use crate::core::bridge::{BridgeReport, Ending, Evidence, Timeline, diagnose};
use crate::core::graph::Action;
use crate::core::lint::Severity;
use crate::io::answerer;
use crate::io::farend::{FarEnd, Recorded, Recording};
use crate::io::media::{MediaConfig, MediaStats};
use crate::io::rtc::PeerEvent;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use webrtc::peer_connection::RTCPeerConnectionState;

pub(super) struct Call {
    r: Run,
    cfg: BridgeConfig,
    sig: Signalling,
    far_name: String,
    remote: Vec<String>,
    stats: Arc<Mutex<MediaStats>>,
    link: Option<Link>,
    stop_media: watch::Sender<bool>,
    media: Option<JoinHandle<anyhow::Result<()>>>,
    recording: Option<Arc<Mutex<Recording>>>,
    /// What Meta has been told, so hanging up says the right thing.
    pre_accepted: bool,
    accepted: bool,
    /// A stop signal whose sender is gone can never fire.
    stop_open: bool,
}

impl Call {
    pub(super) fn new(
        offer: &str,
        far_name: &str,
        cfg: BridgeConfig,
        sig: Signalling,
        events: mpsc::UnboundedSender<Event>,
    ) -> Call {
        Call {
            r: Run {
                t0: Instant::now(),
                events,
                timeline: Timeline::default(),
            },
            cfg,
            sig,
            far_name: far_name.to_string(),
            remote: remote_candidates(offer),
            stats: Arc::default(),
            link: None,
            stop_media: watch::channel(false).0,
            media: None,
            recording: None,
            pre_accepted: false,
            accepted: false,
            stop_open: true,
        }
    }

    fn graph(&self) -> bool {
        matches!(self.sig, Signalling::Graph { .. })
    }

    /// The answer, gathered and linted; one with errors is not sent unless forced.
    pub(super) async fn answer(&mut self, offer: &str) -> Result<Answered, Ending> {
        let answered = link::answer(offer, &self.cfg.answerer)
            .await
            .map_err(|e| Ending::Error(format!("cannot answer the offer: {e:#}")))?;
        let r = &mut self.r;
        r.timeline.answer_ready = Some(r.at());
        let candidates = answered.answer.matches("a=candidate:").count();
        r.step(format!(
            "answer ready ({}): {candidates} candidate{}, gathered in {} ms{}",
            answered.link.path(),
            if candidates == 1 { "" } else { "s" },
            answered.gathered_in.as_millis(),
            if answered.gather_timed_out {
                " (gathering timed out; sending what was gathered)"
            } else {
                ""
            }
        ));
        let findings = lint_answer(offer, &answered.answer);
        let errors = findings.iter().any(|f| f.rule.severity == Severity::Error);
        let send = !errors || self.cfg.force;
        let _ = r.events.send(Event::Answer {
            sdp: answered.answer.clone(),
            findings,
            sent: send,
        });
        if !send {
            answered.link.close().await;
            return Err(Ending::AnswerRefused);
        }
        self.link = Some(answered.link.clone());
        Ok(answered)
    }

    /// From pre_accept to the call's end. `Err` is an ending before the
    /// call was carried (a refusal, a failed connection, a far end that
    /// could not start); `Ok` is how the carried call ended.
    pub(super) async fn carry(
        &mut self,
        offer: &str,
        mut answered: Answered,
        far_ready: JoinHandle<anyhow::Result<Box<dyn FarEnd>>>,
        stop: &mut watch::Receiver<Option<Ending>>,
    ) -> Result<Ending, Ending> {
        // The media loop starts once the far end is ready; tracks wait in the channel.
        let (start_tx, start_rx) = watch::channel(false);
        let stop_media_rx = self.stop_media.subscribe();
        let (tracks_tx, tracks_rx) = mpsc::unbounded_channel();
        let media_cfg = MediaConfig {
            ssrc: answered.ssrc,
            opus_pt: answered.codecs.opus_pt,
            dtmf_pt: answered.codecs.dtmf_pt,
            bitrate: self.cfg.bitrate,
            complexity: self.cfg.complexity,
            decode_for: None,
            playback_hz: answerer::offered_playback_rate(offer),
        };

        self.signal(Action::PreAccept, &answered.answer).await?;
        self.pre_accepted = self.graph();
        if self.pre_accepted {
            answered.link.nudge();
        }
        self.connect(&mut answered, &tracks_tx, stop).await?;
        let far = self.far_end(far_ready, stop).await?;

        let (_dtmf_tx, dtmf_rx) = mpsc::unbounded_channel();
        self.media = Some(answered.link.run_media(
            media_cfg,
            far,
            tracks_rx,
            start_rx,
            stop_media_rx,
            dtmf_rx,
            self.stats.clone(),
        ));
        // Nothing is sent between pre_accept and accept: Meta counts the
        // first packet as the accept.
        self.signal(Action::Accept, &answered.answer).await?;
        self.accepted = self.graph();
        let _ = start_tx.send(true);
        Ok(self.watch(&mut answered, &tracks_tx, stop).await)
    }

    /// pre_accept or accept, with its time on the timeline either way.
    async fn signal(&mut self, action: Action, answer: &str) -> Result<(), Ending> {
        let result = signal(&self.r, &self.sig, action, answer).await;
        if self.graph() {
            let at = Some(self.r.at());
            match action {
                Action::Accept => self.r.timeline.accept = at,
                _ => self.r.timeline.pre_accept = at,
            }
        }
        result
    }

    /// ICE and DTLS, within the connect timeout.
    async fn connect(
        &mut self,
        answered: &mut Answered,
        tracks: &Tracks,
        stop: &mut watch::Receiver<Option<Ending>>,
    ) -> Result<(), Ending> {
        let connect_by = tokio::time::sleep(self.cfg.connect_timeout);
        tokio::pin!(connect_by);
        let r = &mut self.r;
        loop {
            tokio::select! {
                e = answered.events.recv() => match e {
                    Some(PeerEvent::Ice(s)) if s.to_string() == "connected" && r.timeline.ice_connected.is_none() => {
                        r.timeline.ice_connected = Some(r.at());
                        r.step("ICE connected");
                    }
                    Some(PeerEvent::State(RTCPeerConnectionState::Connected)) => {
                        r.timeline.dtls_connected = Some(r.at());
                        r.step("DTLS connected");
                        return Ok(());
                    }
                    Some(PeerEvent::State(s @ (RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed))) => {
                        return Err(Ending::Connection(format!("the connection went {s} while connecting")));
                    }
                    Some(PeerEvent::Track(t)) => { let _ = tracks.send(t); }
                    Some(_) => {}
                    None => return Err(Ending::Error("the WebRTC peer stopped".into())),
                },
                _ = &mut connect_by => return Err(Ending::ConnectTimeout),
                changed = stop.changed(), if self.stop_open => {
                    if let Some(e) = stop_asked(changed, stop, &mut self.stop_open) {
                        return Err(e);
                    }
                }
            }
        }
    }

    /// The far end must be ready before the call is accepted.
    async fn far_end(
        &mut self,
        far_ready: JoinHandle<anyhow::Result<Box<dyn FarEnd>>>,
        stop: &mut watch::Receiver<Option<Ending>>,
    ) -> Result<Box<dyn FarEnd>, Ending> {
        let far = tokio::select! {
            f = far_ready => match f {
                Ok(Ok(far)) => far,
                Ok(Err(e)) => return Err(Ending::FarEnd(format!("{e:#}"))),
                Err(e) => return Err(Ending::FarEnd(format!("the far end's setup stopped: {e}"))),
            },
            e = wait_stop(stop) => return Err(e),
        };
        self.r.step(format!("far end ready: {}", far.name()));
        Ok(if self.cfg.record.is_some() {
            let rec = Recorded::decoding_opus(far);
            self.recording = Some(rec.recording.clone());
            Box::new(rec)
        } else {
            far
        })
    }

    /// The call: stats, notes, and watching for its end.
    async fn watch(
        &mut self,
        answered: &mut Answered,
        tracks: &Tracks,
        stop: &mut watch::Receiver<Option<Ending>>,
    ) -> Ending {
        let media_started = self.r.at();
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        let mut last_stats = Duration::ZERO;
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    let now = self.r.at();
                    let stats_due = now >= last_stats + Duration::from_millis(500);
                    if stats_due {
                        last_stats = now;
                    }
                    let far_failure = self.report_progress(stats_due);
                    if self.cfg.duration.is_some_and(|d| now >= media_started + d) {
                        return Ending::Duration;
                    }
                    if let Some(why) = far_failure {
                        return Ending::FarEnd(why);
                    }
                }
                e = answered.events.recv() => match e {
                    Some(PeerEvent::State(s @ (RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed | RTCPeerConnectionState::Disconnected))) => {
                        return Ending::Connection(format!("the connection went {s}"));
                    }
                    Some(PeerEvent::Track(t)) => { let _ = tracks.send(t); }
                    Some(_) => {}
                    None => return Ending::Error("the WebRTC peer stopped".into()),
                },
                changed = stop.changed(), if self.stop_open => {
                    if let Some(e) = stop_asked(changed, stop, &mut self.stop_open) {
                        return e;
                    }
                }
            }
        }
    }

    /// Notes, first packets each way, and (when `stats`) the traffic so far,
    /// onto the events. Returns the far end's failure, if it has one.
    fn report_progress(&mut self, stats: bool) -> Option<String> {
        let r = &mut self.r;
        let (first_out, first_in, notes, far_failure) = {
            let mut m = self.stats.lock().unwrap();
            (
                m.first_sent,
                m.first_received,
                std::mem::take(&mut m.notes),
                m.far_failure.clone(),
            )
        };
        for note in notes {
            let _ = r.events.send(Event::Note { at: r.at(), note });
        }
        for (seen, first, what) in [
            (&mut r.timeline.first_rtp_out, first_out, "first RTP out"),
            (&mut r.timeline.first_rtp_in, first_in, "first RTP in"),
        ] {
            if seen.is_none()
                && let Some(t) = first
            {
                let at = t.saturating_duration_since(r.t0);
                *seen = Some(at);
                let _ = r.events.send(Event::Step {
                    at,
                    what: what.into(),
                });
            }
        }
        if stats {
            let _ = r.events.send(Event::Stats {
                at: r.at(),
                traffic: traffic(&self.stats.lock().unwrap()),
            });
        }
        far_failure
    }

    /// Stops media, tells Meta (terminate or reject, as far as the call
    /// got), closes the connection.
    pub(super) async fn hang_up(&mut self, ending: Ending) -> Ending {
        let Some(link) = self.link.clone() else {
            return ending;
        };
        end(
            &mut self.r,
            &link,
            &self.stop_media,
            self.media.take(),
            ending,
            &self.sig,
            self.pre_accepted,
            self.accepted,
        )
        .await
    }

    /// Both directions as a stereo WAV, when asked for.
    pub(super) fn write_recording(&mut self) {
        let (Some(path), Some(rec)) = (&self.cfg.record, &self.recording) else {
            return;
        };
        let (stereo, rate) = {
            let rec = rec.lock().unwrap();
            (rec.interleaved(), rec.rate)
        };
        match crate::io::media::write_wav_stereo(path, &stereo, rate) {
            Ok(()) => self
                .r
                .step(format!("recording written to {}", path.display())),
            Err(e) => self.r.step(format!("could not write the recording: {e:#}")),
        }
    }

    /// The report: the timeline, the traffic, and the diagnosis of both.
    pub(super) fn finish(mut self, ending: Ending) -> BridgeReport {
        let r = &mut self.r;
        r.timeline.ended = Some(r.at());
        let traffic = traffic(&self.stats.lock().unwrap());
        let window = r
            .timeline
            .first_rtp_out
            .and_then(|o| Some(r.timeline.ended?.saturating_sub(o)));
        let d = diagnose(&Evidence {
            timeline: &r.timeline,
            traffic: &traffic,
            ending: &ending,
            remote_candidates: &self.remote,
            connect_timeout: self.cfg.connect_timeout,
            media_window: window,
        });
        let mut report = BridgeReport::new(d, ending, self.far_name, r.timeline.clone(), traffic);
        let (summary, notes) = {
            let mut m = self.stats.lock().unwrap();
            (m.far_summary.clone(), std::mem::take(&mut m.notes))
        };
        for note in notes {
            let _ = r.events.send(Event::Note { at: r.at(), note });
        }
        report.far_end_summary = summary;
        report
    }
}

/// A stop was asked for (`Some`), or its sender is gone and it never will be.
fn stop_asked(
    changed: Result<(), watch::error::RecvError>,
    stop: &watch::Receiver<Option<Ending>>,
    open: &mut bool,
) -> Option<Ending> {
    let why = stop.borrow().clone();
    match (changed, why) {
        (_, Some(e)) => Some(e),
        (Err(_), None) => {
            *open = false;
            None
        }
        (Ok(()), None) => None,
    }
}
