//! `wacall serve`: the bridge as a service. Meta's webhooks in (the same
//! receiver as `listen`), every `connect` answered with its own far end and
//! Graph signalling, many calls at once; a control API and metrics on the
//! same port; SIGTERM drains.

mod api;
pub mod cluster;
mod sessions;

pub use api::{Api, MakeFarEnd};
pub use cluster::Cluster;
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
    /// Redis, when this is one of several instances.
    pub cluster: Option<ClusterConfig>,
    /// Each call's recording, report and transcript are written here.
    pub record_dir: Option<std::path::PathBuf>,
    /// More calls at once than this are rejected.
    pub max_calls: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct ClusterConfig {
    pub redis_url: String,
    pub instance_id: String,
    /// How long an instance that stops renewing its key is still thought alive.
    pub ttl: Duration,
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
    Joined {
        instance: String,
    },
    /// A request for a call another instance owns, passed on to it.
    Routed {
        call_id: String,
        owner: String,
        what: String,
    },
    /// A connect for a call another instance already answered.
    NotOwned {
        call_id: String,
        owner: String,
    },
    /// Another instance died holding these calls.
    InstanceLost {
        instance: String,
        calls: Vec<String>,
    },
    ClusterError {
        what: String,
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
    if let Some(d) = &cfg.record_dir {
        std::fs::create_dir_all(d)
            .map_err(|e| anyhow::anyhow!("cannot create --record-dir `{}`: {e}", d.display()))?;
    }
    let reg = Arc::new(Registry::new(cfg.record_dir.clone(), cfg.max_calls));
    let (cluster, mut commands) = match &cfg.cluster {
        Some(c) => {
            let (cluster, rx) = Cluster::join(&c.redis_url, &c.instance_id, c.ttl).await?;
            let _ = events.send(Event::Joined {
                instance: cluster.id.clone(),
            });
            (Some(cluster), rx)
        }
        None => (None, mpsc::unbounded_channel().1),
    };
    let mut beat = tokio::time::interval(
        cluster
            .as_ref()
            .map_or(Duration::from_secs(3600), Cluster::beat_every),
    );
    let (deliveries_tx, mut deliveries) = mpsc::unbounded_channel();
    let (hooks, counters) = webhook_server::routes(&cfg.receiver, deliveries_tx);
    let app = hooks.merge(api::routes(Api {
        reg: reg.clone(),
        token: cfg.api_token.clone(),
        far: far.clone(),
        bridge: cfg.bridge.clone(),
        cluster: cluster.clone(),
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
    // Graph rejects in flight: waited for before exit, so that a call
    // rejected during the drain is not left ringing.
    let mut rejects = tokio::task::JoinSet::new();
    loop {
        while rejects.try_join_next().is_some() {}
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
                            // A connect delivered to two instances is answered by one.
                            if let Some(c) = &cluster {
                                match c.claim(&call.id, call.from.as_deref()).await {
                                    Ok(Ok(())) => {}
                                    Ok(Err(owner)) => {
                                        let _ = events.send(Event::NotOwned { call_id: call.id.clone(), owner });
                                        continue;
                                    }
                                    Err(e) => {
                                        let _ = events.send(Event::ClusterError { what: format!("cannot claim {}: {e:#}; answering it here", call.id) });
                                    }
                                }
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
                                rejects.spawn(reject(client, call.id.clone(), "draining".into(), events.clone()));
                                continue;
                            }
                            let far = far();
                            let sig = Signalling::Graph { client: client.clone(), call_id: call.id.clone(), accept_window: cfg.accept_window };
                            let task = match sessions::start_call(&reg, sessions::NewCall { call_id: call.id.clone(), from: call.from.clone(), offer }, far, cfg.bridge.clone(), sig, None) {
                                Ok(task) => task,
                                Err(full) => {
                                    rejects.spawn(reject(client, call.id.clone(), full.to_string(), events.clone()));
                                    continue;
                                }
                            };
                            let _ = events.send(Event::CallStarted { call_id: call.id.clone(), from: call.from.clone() });
                            let (tx, id) = (ended_tx.clone(), call.id.clone());
                            tokio::spawn(async move {
                                if let Ok(r) = task.await {
                                    let _ = tx.send((id, r.ok, r.reason));
                                }
                            });
                        }
                        ("terminate", _) => {
                            if !reg.hang_up(&call.id, Ending::HungUp)
                                && let Some(c) = &cluster
                            {
                                route(c, &reg, &call.id, "the caller hung up (terminate webhook)", &events).await;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Some((call_id, ok, reason)) = ended.recv() => {
                if let Some(c) = &cluster && let Err(e) = c.release(&call_id).await {
                    let _ = events.send(Event::ClusterError { what: format!("cannot release {call_id}: {e:#}") });
                }
                let _ = events.send(Event::CallEnded { call_id, ok, reason });
            }
            Some(cluster::Command::HangUp { call_id, why }) = commands.recv() => {
                if !reg.hang_up(&call_id, Ending::HungUp) {
                    let _ = events.send(Event::ClusterError { what: format!("asked to end {call_id} ({why}), which is not live here") });
                }
            }
            _ = beat.tick(), if cluster.is_some() => {
                if let Some(c) = &cluster {
                    match c.beat(&reg.live_ids()).await {
                        Ok(lost) => for l in lost {
                            reg.metrics.lock().unwrap().lost_with_instance += l.calls.len() as u64;
                            let _ = events.send(Event::InstanceLost { instance: l.instance, calls: l.calls });
                        },
                        Err(e) => { let _ = events.send(Event::ClusterError { what: format!("heartbeat: {e:#}") }); }
                    }
                }
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
    // Each is bounded by its own 5 s deadline.
    while rejects.join_next().await.is_some() {}
    server.abort();
    if let Some(c) = &cluster {
        let _ = c.leave().await;
    }
    let m = reg.metrics.lock().unwrap().clone();
    Ok(ServeSummary {
        started: m.started,
        succeeded: m.succeeded,
        failed: m.failed.values().sum(),
        counters: counters.lock().unwrap().clone(),
    })
}

/// Rejects a call this instance will not take, through the Graph API; run
/// as a task of its own: a burst of them must not hold up the webhooks
/// behind (a terminate, another connect) for a Graph round trip each.
async fn reject(
    client: GraphClient,
    call_id: String,
    why: String,
    events: mpsc::UnboundedSender<Event>,
) {
    let deadline = Instant::now() + Duration::from_secs(5);
    let why = match client
        .call(Action::Reject, &call_id, None, deadline)
        .await
        .error
    {
        None => why,
        Some(e) => format!("{why}; the Graph reject failed: {e}"),
    };
    let _ = events.send(Event::Rejected { call_id, why });
}

/// Passes a hang-up for a call this instance does not hold to its owner.
async fn route(
    c: &Cluster,
    reg: &Registry,
    call_id: &str,
    why: &str,
    events: &mpsc::UnboundedSender<Event>,
) -> bool {
    match c.owner(call_id).await {
        Ok(Some(owner)) if owner != c.id => match c.hang_up_on(&owner, call_id, why).await {
            Ok(true) => {
                reg.metrics.lock().unwrap().routed += 1;
                let _ = events.send(Event::Routed {
                    call_id: call_id.to_string(),
                    owner,
                    what: why.to_string(),
                });
                true
            }
            Ok(false) => {
                let _ = events.send(Event::ClusterError {
                    what: format!("{call_id} belongs to {owner}, which is not listening"),
                });
                false
            }
            Err(e) => {
                let _ = events.send(Event::ClusterError {
                    what: format!("cannot reach {owner} for {call_id}: {e:#}"),
                });
                false
            }
        },
        Ok(_) => false,
        Err(e) => {
            let _ = events.send(Event::ClusterError {
                what: format!("cannot look up {call_id}: {e:#}"),
            });
            false
        }
    }
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
