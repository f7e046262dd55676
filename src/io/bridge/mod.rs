//! One bridged call, from WhatsApp's offer to the end: answer it, check the
//! answer, signal it (printed for pasting, or pre_accept/accept through the
//! Graph API), wait for ICE and DTLS, start sending at once, move audio to
//! and from the far end, and end cleanly (terminate).

use crate::core::bridge::{BridgeReport, Ending, Evidence, Timeline, Traffic, diagnose};
use crate::core::graph::Action;
use crate::core::lint::{Finding, Severity};
use crate::io::answerer::{self, AnswererConfig};
use crate::io::farend::{FarEnd, Note, Recorded};
use crate::io::graph_client::{GraphClient, Outcome};
use crate::io::media::{self, MediaConfig, MediaStats};
use crate::io::rtc::PeerEvent;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use webrtc::peer_connection::RTCPeerConnectionState;

mod ending;
mod report;

use ending::{end, wait_stop};
pub use report::lint_answer;
use report::{Run, remote_candidates, traffic};

pub enum Signalling {
    /// The answer is handed out to be pasted; the call is accepted elsewhere.
    Manual,
    /// pre_accept, accept and terminate through the Graph API.
    Graph {
        client: GraphClient,
        call_id: String,
        /// How long retries of pre_accept/accept may go on (Meta's accept window).
        accept_window: Duration,
    },
}

#[derive(Clone)]
pub struct BridgeConfig {
    pub answerer: AnswererConfig,
    pub duration: Option<Duration>,
    /// ICE and DTLS must connect within this.
    pub connect_timeout: Duration,
    /// Send an answer even when lint finds errors in it.
    pub force: bool,
    pub bitrate: i32,
    /// The Opus encoder's complexity (0-10).
    pub complexity: i32,
    /// Write both directions here (stereo WAV: caller left, far end right).
    pub record: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub enum Event {
    Step {
        at: Duration,
        what: String,
    },
    /// The answer and what lint found in it; `sent` is false when it was refused.
    Answer {
        sdp: String,
        findings: Vec<Finding>,
        sent: bool,
    },
    Graph {
        at: Duration,
        outcome: Outcome,
    },
    Stats {
        at: Duration,
        traffic: Traffic,
    },
    Note {
        at: Duration,
        note: Note,
    },
}

/// A far end that may take a while to get ready (OpenAI's socket and
/// session). It is prepared while the call connects, and must be ready
/// before `accept`: one that fails gets the call rejected, not accepted
/// into silence.
pub struct FarEndSetup {
    pub name: String,
    pub ready: FarEndFuture,
}

pub type FarEndFuture = Pin<Box<dyn Future<Output = anyhow::Result<Box<dyn FarEnd>>> + Send>>;

impl FarEndSetup {
    pub fn now(far: Box<dyn FarEnd>) -> FarEndSetup {
        FarEndSetup {
            name: far.name(),
            ready: Box::pin(async move { Ok(far) }),
        }
    }

    /// A far end that could not be made: the call fails with `why`.
    pub fn failed(name: &str, why: anyhow::Error) -> FarEndSetup {
        FarEndSetup {
            name: name.to_string(),
            ready: Box::pin(std::future::ready(Err(why))),
        }
    }
}

/// Runs one call until it ends; every step is reported on `events` as it happens.
pub async fn run(
    offer: &str,
    far: Box<dyn FarEnd>,
    cfg: BridgeConfig,
    sig: Signalling,
    events: mpsc::UnboundedSender<Event>,
    stop: watch::Receiver<Option<Ending>>,
) -> BridgeReport {
    run_setup(offer, FarEndSetup::now(far), cfg, sig, events, stop).await
}

/// [`run`], with a far end that is made ready while the call connects.
pub async fn run_setup(
    offer: &str,
    far: FarEndSetup,
    cfg: BridgeConfig,
    sig: Signalling,
    events: mpsc::UnboundedSender<Event>,
    mut stop: watch::Receiver<Option<Ending>>,
) -> BridgeReport {
    let mut r = Run {
        t0: Instant::now(),
        events,
        timeline: Timeline::default(),
    };
    let far_name = far.name.clone();
    let far_ready = tokio::spawn(far.ready);
    let remote = remote_candidates(offer);
    let stats = Arc::new(Mutex::new(MediaStats::default()));
    let finish = |r: &mut Run, ending: Ending, stats: &Arc<Mutex<MediaStats>>| {
        r.timeline.ended = Some(r.at());
        let traffic = traffic(&stats.lock().unwrap());
        let window = r
            .timeline
            .first_rtp_out
            .and_then(|o| Some(r.timeline.ended?.saturating_sub(o)));
        let d = diagnose(&Evidence {
            timeline: &r.timeline,
            traffic: &traffic,
            ending: &ending,
            remote_candidates: &remote,
            connect_timeout: cfg.connect_timeout,
            media_window: window,
        });
        let mut report =
            BridgeReport::new(d, ending, far_name.clone(), r.timeline.clone(), traffic);
        let (summary, notes) = {
            let mut m = stats.lock().unwrap();
            (m.far_summary.clone(), std::mem::take(&mut m.notes))
        };
        for note in notes {
            let _ = r.events.send(Event::Note { at: r.at(), note });
        }
        report.far_end_summary = summary;
        report
    };

    let mut answered = match answerer::answer(offer, &cfg.answerer).await {
        Ok(a) => a,
        Err(e) => {
            return finish(
                &mut r,
                Ending::Error(format!("cannot answer the offer: {e:#}")),
                &stats,
            );
        }
    };
    r.timeline.answer_ready = Some(r.at());
    let candidates = answered.answer.matches("a=candidate:").count();
    r.step(format!(
        "answer ready: {candidates} candidate{}, gathered in {} ms{}",
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
    let send = !errors || cfg.force;
    let _ = r.events.send(Event::Answer {
        sdp: answered.answer.clone(),
        findings,
        sent: send,
    });
    let pc = answered.pc.clone();
    if !send {
        let _ = pc.close().await;
        return finish(&mut r, Ending::AnswerRefused, &stats);
    }

    // The media loop starts once the far end is ready; tracks wait in the channel.
    let (start_tx, start_rx) = watch::channel(false);
    let (stop_media, stop_media_rx) = watch::channel(false);
    let (tracks_tx, tracks_rx) = mpsc::unbounded_channel();
    let media_cfg = MediaConfig {
        track: answered.track.clone(),
        ssrc: answered.ssrc,
        opus_pt: answered.codecs.opus_pt,
        dtmf_pt: answered.codecs.dtmf_pt,
        bitrate: cfg.bitrate,
        complexity: cfg.complexity,
        decode_for: None,
        playback_hz: answerer::offered_playback_rate(offer),
    };
    let mut media: Option<tokio::task::JoinHandle<anyhow::Result<()>>> = None;
    let mut recording = None;

    let graph = matches!(sig, Signalling::Graph { .. });
    if let Err(ending) = signal(&r, &sig, Action::PreAccept, &answered.answer).await {
        r.timeline.pre_accept = Some(r.at());
        let report = end(&mut r, &pc, &stop_media, None, ending, &sig, false, false).await;
        return finish(&mut r, report, &stats);
    }
    if graph {
        r.timeline.pre_accept = Some(r.at());
    }
    let pre_accepted = graph;

    // A stop signal whose sender is gone can never fire.
    let mut stop_open = true;
    // ICE and DTLS, bounded.
    let connect_by = tokio::time::sleep(cfg.connect_timeout);
    tokio::pin!(connect_by);
    let ending = loop {
        tokio::select! {
            e = answered.events.recv() => match e {
                Some(PeerEvent::Ice(s)) if s.to_string() == "connected" && r.timeline.ice_connected.is_none() => {
                    r.timeline.ice_connected = Some(r.at());
                    r.step("ICE connected");
                }
                Some(PeerEvent::State(RTCPeerConnectionState::Connected)) => {
                    r.timeline.dtls_connected = Some(r.at());
                    r.step("DTLS connected");
                    break None;
                }
                Some(PeerEvent::State(s @ (RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed))) => {
                    break Some(Ending::Connection(format!("the connection went {s} while connecting")));
                }
                Some(PeerEvent::Track(t)) => { let _ = tracks_tx.send(t); }
                Some(_) => {}
                None => break Some(Ending::Error("the WebRTC peer stopped".into())),
            },
            _ = &mut connect_by => break Some(Ending::ConnectTimeout),
            r = stop.changed(), if stop_open => {
                let why = stop.borrow().clone();
                match (r, why) {
                    (_, Some(e)) => break Some(e),
                    (Err(_), None) => stop_open = false,
                    (Ok(()), None) => {}
                }
            }
        }
    };
    if let Some(ending) = ending {
        let report = end(
            &mut r,
            &pc,
            &stop_media,
            media.take(),
            ending,
            &sig,
            pre_accepted,
            false,
        )
        .await;
        return finish(&mut r, report, &stats);
    }

    // The far end must be ready before the call is accepted.
    let far = tokio::select! {
        f = far_ready => match f {
            Ok(Ok(far)) => Ok(far),
            Ok(Err(e)) => Err(Ending::FarEnd(format!("{e:#}"))),
            Err(e) => Err(Ending::FarEnd(format!("the far end's setup stopped: {e}"))),
        },
        e = wait_stop(&mut stop) => Err(e),
    };
    let far = match far {
        Ok(far) => far,
        Err(ending) => {
            let report = end(
                &mut r,
                &pc,
                &stop_media,
                None,
                ending,
                &sig,
                pre_accepted,
                false,
            )
            .await;
            return finish(&mut r, report, &stats);
        }
    };
    r.step(format!("far end ready: {}", far.name()));
    let (_dtmf_tx, dtmf_rx) = mpsc::unbounded_channel();
    let far: Box<dyn FarEnd> = if cfg.record.is_some() {
        let rec = Recorded::decoding_opus(far);
        recording = Some(rec.recording.clone());
        Box::new(rec)
    } else {
        far
    };
    media = Some(tokio::spawn(media::run_media(
        media_cfg,
        far,
        tracks_rx,
        start_rx,
        stop_media_rx,
        dtmf_rx,
        stats.clone(),
    )));

    // Nothing is sent between pre_accept and accept: Meta counts the first packet as the accept.
    let accepting = signal(&r, &sig, Action::Accept, &answered.answer).await;
    if graph {
        r.timeline.accept = Some(r.at());
    }
    if let Err(ending) = accepting {
        let report = end(
            &mut r,
            &pc,
            &stop_media,
            media.take(),
            ending,
            &sig,
            pre_accepted,
            false,
        )
        .await;
        return finish(&mut r, report, &stats);
    }
    let accepted = graph;
    let _ = start_tx.send(true);
    let media_started = r.at();

    // The call: stats, notes, and watching for its end.
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut last_stats = Duration::ZERO;
    let ending = loop {
        tokio::select! {
            _ = tick.tick() => {
                let (first_out, first_in, notes, far_failure) = {
                    let mut m = stats.lock().unwrap();
                    (m.first_sent, m.first_received, std::mem::take(&mut m.notes), m.far_failure.clone())
                };
                for note in notes {
                    let _ = r.events.send(Event::Note { at: r.at(), note });
                }
                if r.timeline.first_rtp_out.is_none() && let Some(t) = first_out {
                    r.timeline.first_rtp_out = Some(t.saturating_duration_since(r.t0));
                    let _ = r.events.send(Event::Step { at: t.saturating_duration_since(r.t0), what: "first RTP out".into() });
                }
                if r.timeline.first_rtp_in.is_none() && let Some(t) = first_in {
                    r.timeline.first_rtp_in = Some(t.saturating_duration_since(r.t0));
                    let _ = r.events.send(Event::Step { at: t.saturating_duration_since(r.t0), what: "first RTP in".into() });
                }
                let now = r.at();
                if now >= last_stats + Duration::from_millis(500) {
                    last_stats = now;
                    let _ = r.events.send(Event::Stats { at: now, traffic: traffic(&stats.lock().unwrap()) });
                }
                if cfg.duration.is_some_and(|d| now >= media_started + d) {
                    break Ending::Duration;
                }
                if let Some(why) = far_failure {
                    break Ending::FarEnd(why);
                }
            }
            e = answered.events.recv() => match e {
                Some(PeerEvent::State(s @ (RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed | RTCPeerConnectionState::Disconnected))) => {
                    break Ending::Connection(format!("the connection went {s}"));
                }
                Some(PeerEvent::Track(t)) => { let _ = tracks_tx.send(t); }
                Some(_) => {}
                None => break Ending::Error("the WebRTC peer stopped".into()),
            },
            r = stop.changed(), if stop_open => {
                let why = stop.borrow().clone();
                match (r, why) {
                    (_, Some(e)) => break e,
                    (Err(_), None) => stop_open = false,
                    (Ok(()), None) => {}
                }
            }
        }
    };
    let report = end(
        &mut r,
        &pc,
        &stop_media,
        media,
        ending,
        &sig,
        pre_accepted,
        accepted,
    )
    .await;
    if let (Some(path), Some(rec)) = (&cfg.record, recording) {
        let stereo = rec.lock().unwrap().interleaved();
        if let Err(e) = crate::io::media::write_wav_stereo(path, &stereo) {
            r.step(format!("could not write the recording: {e:#}"));
        } else {
            r.step(format!("recording written to {}", path.display()));
        }
    }
    finish(&mut r, report, &stats)
}

/// pre_accept or accept through the Graph API (nothing in manual mode),
/// retried within the accept window, reported as it happens.
async fn signal(r: &Run, sig: &Signalling, action: Action, answer: &str) -> Result<(), Ending> {
    let Signalling::Graph {
        client,
        call_id,
        accept_window,
    } = sig
    else {
        return Ok(());
    };
    let outcome = client
        .call(action, call_id, Some(answer), r.t0 + *accept_window)
        .await;
    let _ = r.events.send(Event::Graph {
        at: r.at(),
        outcome: outcome.clone(),
    });
    match outcome.error {
        Some(e) => Err(Ending::Graph(e.to_string())),
        None => Ok(()),
    }
}
