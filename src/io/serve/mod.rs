//! `wacall serve`: the bridge as a service. Meta's webhooks in (the same
//! receiver as `listen`), every `connect` answered with its own far end and
//! Graph signalling, many calls at once; a control API and metrics on the
//! same port; SIGTERM drains.

mod api;
mod sessions;

pub use api::{Api, MakeFarEnd};
pub use sessions::Registry;

use crate::core::bridge::Ending;
use crate::core::graph::Action;
use crate::core::webhook::Change;
use crate::io::bridge::{BridgeConfig, Signalling};
use crate::io::graph_client::GraphClient;
use crate::io::webhook_server::{self, Counters, ReceiverConfig};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

pub struct ServeConfig {
    pub receiver: ReceiverConfig,
    pub graph_url: String,
    pub graph_version: String,
    pub token: String,
    pub phone_number_id: Option<String>,
    pub bridge: BridgeConfig,
    pub accept_window: Duration,
    pub api_token: Option<String>,
    /// How long active calls may go on after SIGTERM before they are ended.
    pub drain_timeout: Duration,
}

#[derive(Debug, Clone)]
pub enum Event {
    Listening {
        url: String,
    },
    CallStarted {
        call_id: String,
        from: Option<String>,
    },
    CallEnded {
        call_id: String,
        ok: bool,
        reason: String,
    },
    Rejected {
        call_id: String,
        why: String,
    },
    Draining {
        active: usize,
    },
}

pub struct ServeSummary {
    pub started: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub counters: Counters,
}

pub async fn run(
    cfg: ServeConfig,
    far: MakeFarEnd,
    events: mpsc::UnboundedSender<Event>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<ServeSummary> {
    let reg = Arc::new(Registry::default());
    let (deliveries_tx, mut deliveries) = mpsc::unbounded_channel();
    let (hooks, counters) = webhook_server::routes(&cfg.receiver, deliveries_tx);
    let app = hooks.merge(api::routes(Api {
        reg: reg.clone(),
        token: cfg.api_token.clone(),
        far: far.clone(),
        bridge: cfg.bridge.clone(),
    }));
    let listener = tokio::net::TcpListener::bind(cfg.receiver.listen).await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let _ = events.send(Event::Listening {
        url: format!("http://{addr}"),
    });
    let (ended_tx, mut ended) = mpsc::unbounded_channel::<(String, bool, String)>();
    let mut drain_until: Option<Instant> = None;
    loop {
        if let Some(until) = drain_until {
            if reg.active() == 0 {
                break;
            }
            if Instant::now() >= until {
                // Out of time: end the rest through the Graph API, bounded.
                reg.hang_up_all(Ending::Interrupted);
                let give_up = Instant::now() + Duration::from_secs(15);
                while reg.active() > 0 && Instant::now() < give_up {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                break;
            }
        }
        tokio::select! {
            Some(d) = deliveries.recv() => {
                for (change, call) in d.envelope.calls() {
                    match (call.event.as_str(), call.sdp()) {
                        ("connect", Some((offer, kind, _))) if kind.as_deref() != Some("answer") => {
                            if reg.has_live(&call.id) {
                                continue;
                            }
                            // One bad webhook must not stop the service.
                            let client = match client(&cfg, change) {
                                Ok(c) => c,
                                Err(e) => {
                                    let _ = events.send(Event::Rejected { call_id: call.id.clone(), why: format!("{e:#}") });
                                    continue;
                                }
                            };
                            if reg.draining() {
                                reg.metrics.lock().unwrap().rejected_draining += 1;
                                let deadline = Instant::now() + Duration::from_secs(5);
                                let _ = client.call(Action::Reject, &call.id, None, deadline).await;
                                let _ = events.send(Event::Rejected { call_id: call.id.clone(), why: "draining".into() });
                                continue;
                            }
                            let far = far();
                            let sig = Signalling::Graph { client, call_id: call.id.clone(), accept_window: cfg.accept_window };
                            let task = sessions::start_call(&reg, sessions::NewCall { call_id: call.id.clone(), from: call.from.clone(), offer }, far, cfg.bridge.clone(), sig, None);
                            let _ = events.send(Event::CallStarted { call_id: call.id.clone(), from: call.from.clone() });
                            let (tx, id) = (ended_tx.clone(), call.id.clone());
                            tokio::spawn(async move {
                                if let Ok(r) = task.await {
                                    let _ = tx.send((id, r.ok, r.reason));
                                }
                            });
                        }
                        ("terminate", _) => {
                            reg.hang_up(&call.id, Ending::HungUp);
                        }
                        _ => {}
                    }
                }
            }
            Some((call_id, ok, reason)) = ended.recv() => {
                let _ = events.send(Event::CallEnded { call_id, ok, reason });
            }
            r = stop.changed(), if drain_until.is_none() => {
                if r.is_err() || *stop.borrow() {
                    reg.draining.store(true, Ordering::Relaxed);
                    drain_until = Some(Instant::now() + cfg.drain_timeout);
                    let _ = events.send(Event::Draining { active: reg.active() });
                }
            }
            _ = tokio::time::sleep(Duration::from_millis(100)), if drain_until.is_some() => {}
        }
    }
    while let Ok((call_id, ok, reason)) = ended.try_recv() {
        let _ = events.send(Event::CallEnded {
            call_id,
            ok,
            reason,
        });
    }
    server.abort();
    let m = reg.metrics.lock().unwrap().clone();
    Ok(ServeSummary {
        started: m.started,
        succeeded: m.succeeded,
        failed: m.failed.values().sum(),
        counters: counters.lock().unwrap().clone(),
    })
}

fn client(cfg: &ServeConfig, change: &Change) -> anyhow::Result<GraphClient> {
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
