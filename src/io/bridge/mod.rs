//! One bridged call, from WhatsApp's offer to the end: answer it, check the
//! answer, signal it (printed for pasting, or pre_accept/accept through the
//! Graph API), wait for ICE and DTLS, start sending at once, move audio to
//! and from the far end, and end cleanly (terminate).

use crate::core::bridge::{BridgeReport, Ending, Traffic};
use crate::core::graph::Action;
use crate::core::lint::Finding;
use crate::io::answerer::AnswererConfig;
use crate::io::farend::{FarEnd, Note};
use crate::io::graph_client::{GraphClient, Outcome};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

mod call;
mod ending;
mod link;
mod report;

use call::Call;
use report::Run;
pub use report::lint_answer;

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
    let mut call = Call::new(offer, &far.name, cfg, sig, events);
    let far_ready = tokio::spawn(far.ready);
    let ending = match call.answer(offer).await {
        Ok(answered) => {
            let ending = match call.carry(offer, answered, far_ready, &mut stop).await {
                Ok(ending) | Err(ending) => ending,
            };
            call.hang_up(ending).await
        }
        Err(ending) => ending,
    };
    call.write_recording();
    call.finish(ending)
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
