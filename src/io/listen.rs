//! `wacall listen`: Meta's webhooks in, one call at a time answered through
//! the bridge onto a far end (the local speaker and microphone by default).
//!
//! A `connect` with an offer rings; once the call is answered (at once, or
//! when the person at the terminal says so) the bridge runs it with Graph
//! signalling. Its `terminate` webhook, Ctrl-C or `--duration` end it.
//! While a call owns the audio device, other calls are rejected (or left to
//! ring out), and said so.

use crate::core::bridge::{BridgeReport, Ending};
use crate::core::graph::Action;
use crate::core::webhook::{Change, Envelope};
use crate::io::bridge::{self, BridgeConfig, FarEndSetup, Signalling};
use crate::io::farend::FarEnd;
use crate::io::graph_client::{GraphClient, Outcome};
use crate::io::webhook_server::{Counters, Receiver, ReceiverConfig};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, watch};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// Send Graph `reject` for a call that comes in during another.
    Reject,
    /// Leave it ringing; WhatsApp gives up on it by itself.
    Ignore,
}

/// Makes the far end of one call (the speaker is opened per call).
pub type FarEndMaker = Box<dyn Fn() -> anyhow::Result<Box<dyn FarEnd>> + Send>;

pub struct ListenConfig {
    pub receiver: ReceiverConfig,
    pub graph_url: String,
    pub graph_version: String,
    pub token: String,
    /// Used when a webhook carries no metadata.
    pub phone_number_id: Option<String>,
    pub bridge: BridgeConfig,
    pub accept_window: Duration,
    pub busy: Busy,
    /// Answer without asking.
    pub auto_answer: bool,
    /// Stop after this many answered calls (default: run until Ctrl-C).
    pub calls: Option<u32>,
}

/// Who is calling, as the ring shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub call_id: String,
    pub from: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug)]
pub enum Event {
    Listening {
        url: String,
    },
    Ringing(Caller),
    /// The decision was asked for: answer with `true` to take the call.
    Ask(Caller, oneshot::Sender<bool>),
    Declined {
        caller: Caller,
        outcome: Option<Outcome>,
    },
    Busy {
        caller: Caller,
        outcome: Option<Outcome>,
    },
    HungUp {
        call_id: String,
    },
    /// A webhook that is not a call to take (status updates, other events).
    Ignored {
        call_id: String,
        event: String,
    },
    Bridge(bridge::Event),
    Ended(Box<BridgeReport>),
}

pub struct ListenSummary {
    pub answered: u32,
    pub declined: u32,
    pub busy: u32,
    pub failed: u32,
    pub counters: Counters,
}

struct Active {
    call_id: String,
    task: tokio::task::JoinHandle<BridgeReport>,
    hangup: watch::Sender<Option<Ending>>,
}

/// A call ringing while the person decides; webhooks keep being served.
struct Ringing {
    caller: Caller,
    client: GraphClient,
    offer: String,
    /// The answer, or the accept window running out.
    decision: std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>,
}

/// Runs until `stop`, or until `calls` calls have ended.
pub async fn run(
    cfg: ListenConfig,
    far: FarEndMaker,
    events: mpsc::UnboundedSender<Event>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<ListenSummary> {
    let (deliveries_tx, mut deliveries) = mpsc::unbounded_channel();
    let path = cfg.receiver.path.clone();
    let receiver = Receiver::start(cfg.receiver.clone(), deliveries_tx).await?;
    let _ = events.send(Event::Listening {
        url: receiver.url(&path),
    });
    let mut s = ListenSummary {
        answered: 0,
        declined: 0,
        busy: 0,
        failed: 0,
        counters: Counters::default(),
    };
    let (bridge_tx, mut bridge_rx) = mpsc::unbounded_channel();
    let mut active: Option<Active> = None;
    let mut ringing: Option<Ringing> = None;
    loop {
        let done = cfg.calls.is_some_and(|n| s.answered + s.failed >= n);
        if done && active.is_none() {
            break;
        }
        tokio::select! {
            Some(d) = deliveries.recv() => {
                for (change, call) in calls(&d.envelope) {
                    let caller = caller(&d.envelope, change, call);
                    match (call.event.as_str(), call.sdp()) {
                        ("connect", Some((offer, kind, _))) if kind.as_deref() != Some("answer") => {
                            if active.as_ref().is_some_and(|a| a.call_id == call.id)
                                || ringing.as_ref().is_some_and(|r| r.caller.call_id == call.id)
                            {
                                continue;
                            }
                            // One bad webhook must not stop the receiver.
                            let client = match client(&cfg, change) {
                                Ok(c) => c,
                                Err(e) => {
                                    let _ = events.send(Event::Ignored { call_id: call.id.clone(), event: format!("connect ({e:#})") });
                                    continue;
                                }
                            };
                            if active.is_some() || ringing.is_some() || done {
                                s.busy += 1;
                                let outcome = match cfg.busy {
                                    Busy::Reject => Some(reject(&client, &caller.call_id).await),
                                    Busy::Ignore => None,
                                };
                                let _ = events.send(Event::Busy { caller, outcome });
                                continue;
                            }
                            let _ = events.send(Event::Ringing(caller.clone()));
                            if cfg.auto_answer {
                                active = Some(answer(&cfg, &far, client, &call.id, offer, bridge_tx.clone()));
                            } else {
                                ringing = Some(Ringing {
                                    decision: Box::pin(ask(events.clone(), caller.clone(), cfg.accept_window)),
                                    caller,
                                    client,
                                    offer,
                                });
                            }
                        }
                        ("terminate", _) => {
                            if let Some(a) = active.as_ref().filter(|a| a.call_id == call.id) {
                                let _ = a.hangup.send(Some(Ending::HungUp));
                            }
                            // The caller gave up while it rang: nothing to answer or reject.
                            if ringing.as_ref().is_some_and(|r| r.caller.call_id == call.id) {
                                ringing = None;
                            }
                            let _ = events.send(Event::HungUp { call_id: call.id.clone() });
                        }
                        (event, _) => {
                            let _ = events.send(Event::Ignored { call_id: call.id.clone(), event: event.to_string() });
                        }
                    }
                }
            }
            Some(e) = bridge_rx.recv() => { let _ = events.send(Event::Bridge(e)); }
            yes = async { (&mut ringing.as_mut().expect("guarded").decision).await }, if ringing.is_some() => {
                let Some(r) = ringing.take() else { continue };
                if yes {
                    active = Some(answer(&cfg, &far, r.client, &r.caller.call_id, r.offer, bridge_tx.clone()));
                } else {
                    s.declined += 1;
                    let outcome = Some(reject(&r.client, &r.caller.call_id).await);
                    let _ = events.send(Event::Declined { caller: r.caller, outcome });
                }
            }
            r = async { (&mut active.as_mut().expect("guarded").task).await }, if active.is_some() => {
                active = None;
                while let Ok(e) = bridge_rx.try_recv() {
                    let _ = events.send(Event::Bridge(e));
                }
                match r {
                    Ok(report) => {
                        if report.ok { s.answered += 1 } else { s.failed += 1 }
                        let _ = events.send(Event::Ended(Box::new(report)));
                    }
                    Err(e) => anyhow::bail!("the call's task failed: {e}"),
                }
            }
            r = stop.changed() => {
                if r.is_err() || *stop.borrow() {
                    if let Some(r) = ringing.take() {
                        s.declined += 1;
                        let outcome = Some(reject(&r.client, &r.caller.call_id).await);
                        let _ = events.send(Event::Declined { caller: r.caller, outcome });
                    }
                    if let Some(a) = active.take() {
                        let _ = a.hangup.send(Some(Ending::Interrupted));
                        // The bridge sends terminate; bounded by Graph's own timeouts.
                        if let Ok(Ok(report)) = tokio::time::timeout(Duration::from_secs(15), a.task).await {
                            if report.ok { s.answered += 1 } else { s.failed += 1 }
                            while let Ok(e) = bridge_rx.try_recv() {
                                let _ = events.send(Event::Bridge(e));
                            }
                            let _ = events.send(Event::Ended(Box::new(report)));
                        }
                    }
                    break;
                }
            }
        }
    }
    s.counters = receiver.counters.lock().unwrap().clone();
    Ok(s)
}

/// Answers a call: the bridge runs it with Graph signalling on its far end.
fn answer(
    cfg: &ListenConfig,
    far: &FarEndMaker,
    client: GraphClient,
    call_id: &str,
    offer: String,
    tx: mpsc::UnboundedSender<bridge::Event>,
) -> Active {
    let far = match far() {
        Ok(f) => FarEndSetup::now(f),
        Err(e) => FarEndSetup::failed("speaker", e),
    };
    let (hangup, hangup_rx) = watch::channel(None);
    let bcfg = cfg.bridge.clone();
    let sig = Signalling::Graph {
        client,
        call_id: call_id.to_string(),
        accept_window: cfg.accept_window,
    };
    let task =
        tokio::spawn(async move { bridge::run_setup(&offer, far, bcfg, sig, tx, hangup_rx).await });
    Active {
        call_id: call_id.to_string(),
        task,
        hangup,
    }
}

fn calls(e: &Envelope) -> Vec<(&Change, &crate::core::webhook::Call)> {
    e.calls().collect()
}

fn caller(_e: &Envelope, change: &Change, call: &crate::core::webhook::Call) -> Caller {
    let contact = change
        .value
        .contacts
        .iter()
        .find(|c| c.wa_id.is_some() && c.wa_id == call.from)
        .or(change.value.contacts.first());
    Caller {
        call_id: call.id.clone(),
        from: call.from.clone(),
        name: contact
            .and_then(|c| c.profile.as_ref())
            .map(|p| p.name.clone()),
    }
}

fn client(cfg: &ListenConfig, change: &Change) -> anyhow::Result<GraphClient> {
    let pnid = change
        .value
        .metadata
        .as_ref()
        .map(|m| m.phone_number_id.clone())
        .or(cfg.phone_number_id.clone())
        .ok_or_else(|| {
            anyhow::anyhow!("the webhook has no metadata.phone_number_id; pass --phone-number-id")
        })?;
    GraphClient::new(&cfg.graph_url, &cfg.graph_version, &pnid, &cfg.token)
}

async fn reject(client: &GraphClient, call_id: &str) -> Outcome {
    let deadline = Instant::now() + Duration::from_secs(5);
    client.call(Action::Reject, call_id, None, deadline).await
}

/// Asks whoever watches (the terminal) and waits, at most the accept window.
async fn ask(events: mpsc::UnboundedSender<Event>, caller: Caller, window: Duration) -> bool {
    let (tx, rx) = oneshot::channel();
    if events.send(Event::Ask(caller, tx)).is_err() {
        return false;
    }
    matches!(tokio::time::timeout(window, rx).await, Ok(Ok(true)))
}
