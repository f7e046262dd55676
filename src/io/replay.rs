//! `wacall replay --target URL | --self`: captured calls played again as
//! Meta, toward a live receiver. Each call's captured offer gives the
//! simulated WhatsApp peer its audio section (codecs, payload types, fmtp)
//! with fresh transport (ICE credentials, fingerprint, candidate), so the
//! receiver's answer really connects; every other captured delivery is
//! POSTed again as captured (see `core::replay::plan`). Webhooks are signed
//! again and the Graph API is `wacall sim`'s. With `--self`, wacall's own
//! `serve` is the receiver, in this process, so overlapping calls overlap.

use crate::core::replay::plan::{self, Plan, What};
use crate::core::sim::call::Timers;
use crate::core::sim::offer::AudioTemplate;
use crate::core::sim::report::CallReport;
use crate::core::webhook::Business;
use crate::io::media::Source;
use crate::io::serve::{self, MakeFarEnd, ServeConfig};
use crate::io::sim::call::{self as sim_call, CallSpec};
use crate::io::sim::peer::PeerConfig;
use crate::io::sim::run::{Sim, SimConfig};
use crate::io::sim::webhooks::Retry;
use crate::io::webhook_server::ReceiverConfig;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

pub enum Target {
    Url(String),
    /// wacall's own receiver and bridge, with this far end.
    SelfBridge(MakeFarEnd, crate::io::bridge::BridgeConfig),
}

pub struct Forward {
    pub target: Target,
    pub app_secret: String,
    pub graph_listen: SocketAddr,
    pub graph_token: String,
    /// 2.0 plays the gaps between calls twice as fast.
    pub speed: f64,
}

/// One captured call to play again.
pub struct Replayed {
    pub captured_id: String,
    pub talk: Duration,
    pub business: Business,
    pub template: AudioTemplate,
}

/// A captured delivery: where it came from, its bytes, and Meta's latest
/// event time in it (Unix seconds) for moving its timestamps to now.
pub struct Captured {
    pub source: String,
    pub body: Vec<u8>,
    pub event_time_s: Option<i64>,
}

pub enum Event {
    Started {
        webhook_url: String,
        graph_url: String,
    },
    Calling {
        source: String,
        captured_id: String,
        call_id: String,
    },
    /// A captured delivery sent again (or, `status: None` and an error, not).
    Posted {
        source: String,
        why: String,
        status: Option<u16>,
        error: Option<String>,
    },
    /// A captured delivery the simulated WhatsApp sends itself.
    Covered {
        source: String,
        call_id: String,
    },
    Sim(sim_call::Event),
    Serve(serve::Event),
}

pub struct Outcome {
    /// Captured call id and its report, in capture order.
    pub calls: Vec<(String, CallReport)>,
    pub posted: usize,
    /// Deliveries the receiver did not take (no 2xx).
    pub refused: usize,
}

/// The longest gap between two replayed deliveries, whatever the capture says.
const MAX_GAP: Duration = Duration::from_secs(30);
/// How long a duplicate waits for the simulator's own delivery beyond the call.
const AGAIN_WAIT: Duration = Duration::from_secs(60);

type Sent = HashMap<(String, String), Vec<u8>>;

pub async fn forward(
    f: Forward,
    plan: Plan,
    calls: Vec<Replayed>,
    captured: Vec<Captured>,
    events: mpsc::UnboundedSender<Event>,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Outcome> {
    let Forward {
        target,
        app_secret,
        graph_listen,
        graph_token,
        speed,
    } = f;
    let (graph_listen, webhook_url, listen_task, listen_stop) =
        receiver(target, graph_listen, (&app_secret, &graph_token), &events).await?;
    let first = calls.first().map(|c| c.business.clone());
    let mut sim = Sim::start(SimConfig {
        webhook_urls: vec![webhook_url.clone()],
        app_secret,
        verify_token: None,
        graph_listen,
        graph_token,
        business: first.unwrap_or_else(|| Business {
            waba_id: "100000000000002".into(),
            phone_number_id: "100000000000001".into(),
            display_phone_number: "15550009999".into(),
        }),
        calls: 0,
        concurrency: 1,
        call: spec(
            0,
            &calls.first().map(|c| c.template.clone()),
            Duration::ZERO,
        ),
        retry: Retry::default(),
        injections: vec![],
        ramp: Duration::ZERO,
    })
    .await?;
    let _ = events.send(Event::Started {
        webhook_url: webhook_url.clone(),
        graph_url: sim.graph.base_url(),
    });
    // Fresh ids up front, so a delivery naming a call can be rewritten
    // even when it comes before that call's connect.
    let fresh: Vec<String> = calls.iter().map(|_| sim_call::fresh_call_id()).collect();
    let ids: HashMap<String, String> = calls
        .iter()
        .zip(&fresh)
        .map(|(c, id)| (c.captured_id.clone(), id.clone()))
        .collect();
    let (sent_tx, sent) = watch::channel(Sent::new());
    let mut log = sim.log_webhooks();
    tokio::spawn(async move {
        while let Some(body) = log.recv().await {
            if let Some(key) = first_call(&body) {
                sent_tx.send_modify(|m| {
                    m.entry(key).or_insert(body);
                });
            }
        }
    });
    let sim = Arc::new(sim);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let ev = events.clone();
    let pump = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            let _ = ev.send(Event::Sim(e));
        }
    });
    let mut running = tokio::task::JoinSet::new();
    let (mut posted, mut refused) = (0, 0);
    let began = tokio::time::Instant::now();
    let (mut last_at, mut due) = (0u64, Duration::ZERO);
    for step in plan.steps {
        if *stop.borrow() {
            break;
        }
        let c = &captured[step.delivery];
        // Nothing is sent for a covered terminate, so nothing waits for it.
        if let What::Covered(n) = step.what {
            let _ = events.send(Event::Covered {
                source: c.source.clone(),
                call_id: fresh[n].clone(),
            });
            continue;
        }
        due += Duration::from_millis(step.at_ms.saturating_sub(last_at))
            .div_f64(speed)
            .min(MAX_GAP);
        last_at = step.at_ms;
        tokio::time::sleep_until(began + due).await;
        match step.what {
            What::Call(n) => {
                let call = &calls[n];
                let _ = events.send(Event::Calling {
                    source: c.source.clone(),
                    captured_id: call.captured_id.clone(),
                    call_id: fresh[n].clone(),
                });
                let talk = call.talk.div_f64(speed).max(Duration::from_secs(2));
                let spec = spec(n + 1, &Some(call.template.clone()), talk);
                let (sim, business, id) = (sim.clone(), call.business.clone(), fresh[n].clone());
                let (tx, stop, captured_id) = (tx.clone(), stop.clone(), call.captured_id.clone());
                running.spawn(async move {
                    let r = sim.run_one(spec, business, id, tx, stop).await;
                    (n, captured_id, r)
                });
            }
            What::Covered(_) => {}
            What::Again { call, event } => {
                let mut sent = sent.clone();
                let key = (fresh[call].clone(), event.to_string());
                let wait = calls[call].talk.div_f64(speed) + AGAIN_WAIT;
                let found = tokio::time::timeout(wait, sent.wait_for(|m| m.contains_key(&key)))
                    .await
                    .ok()
                    .and_then(|r| r.ok().map(|m| m[&key].clone()));
                let why = format!(
                    "a duplicate delivery: the simulator's own `{event}` again, byte for byte"
                );
                match found {
                    Some(body) => {
                        let d = sim.deliver(&body).await;
                        posted += 1;
                        refused += usize::from(!d.ok());
                        let _ = events.send(Event::Posted {
                            source: c.source.clone(),
                            why,
                            status: d.status,
                            error: d.error,
                        });
                    }
                    None => {
                        refused += 1;
                        let _ = events.send(Event::Posted {
                            source: c.source.clone(),
                            why,
                            status: None,
                            error: Some(format!(
                                "the simulator never sent call {}'s `{event}`",
                                fresh[call]
                            )),
                        });
                    }
                }
            }
            What::Post { why, .. } => {
                let shift = c.event_time_s.map_or(0, |t| unix_now() - t);
                let body = plan::rewrite(&c.body, &ids, shift);
                let d = sim.deliver(&body).await;
                posted += 1;
                refused += usize::from(!d.ok());
                let _ = events.send(Event::Posted {
                    source: c.source.clone(),
                    why,
                    status: d.status,
                    error: d.error,
                });
            }
        }
    }
    let mut done: Vec<(usize, String, CallReport)> = running.join_all().await;
    done.sort_by_key(|(n, _, _)| *n);
    drop(tx);
    let _ = pump.await;
    if let Some(task) = listen_task {
        let _ = listen_stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(15), task).await;
    }
    Ok(Outcome {
        calls: done.into_iter().map(|(_, id, r)| (id, r)).collect(),
        posted,
        refused,
    })
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The (call id, event) of the first call in a webhook body.
fn first_call(body: &[u8]) -> Option<(String, String)> {
    let env: crate::core::webhook::Envelope = serde_json::from_slice(body).ok()?;
    let call = env
        .entry
        .iter()
        .flat_map(|e| e.changes.iter())
        .flat_map(|c| c.value.calls.iter())
        .next()?;
    Some((call.id.clone(), call.event.clone()))
}

fn spec(index: usize, template: &Option<AudioTemplate>, talk: Duration) -> CallSpec {
    let mut peer = PeerConfig::loopback(Source::Tone(crate::core::audio::Tone::new(440.0, 0.3)));
    if let Some(t) = template {
        peer.template = t.clone();
    }
    CallSpec {
        index,
        peer,
        timers: Timers::default(),
        talk: Some(talk),
        dtmf: None,
        record_dir: None,
        ring: Duration::from_millis(500),
    }
}

type Receiver = (
    SocketAddr,
    String,
    Option<tokio::task::JoinHandle<anyhow::Result<serve::ServeSummary>>>,
    watch::Sender<bool>,
);

/// Where webhooks go: the user's URL, or wacall's own receiver started here.
async fn receiver(
    target: Target,
    graph_listen: SocketAddr,
    (app_secret, token): (&str, &str),
    events: &mpsc::UnboundedSender<Event>,
) -> anyhow::Result<Receiver> {
    let (listen_stop, listen_stop_rx) = watch::channel(false);
    let (far, bridge) = match target {
        Target::Url(url) => return Ok((graph_listen, url, None, listen_stop)),
        Target::SelfBridge(far, bridge) => (far, bridge),
    };
    // The receiver must know the Graph URL before the simulator starts.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let graph = SocketAddr::from(([127, 0, 0, 1], port));
    let cfg = ServeConfig {
        receiver: ReceiverConfig::new("127.0.0.1:0".parse()?, Some(app_secret.to_string())),
        graph_url: format!("http://{graph}"),
        graph_version: "v23.0".into(),
        token: token.to_string(),
        phone_number_id: None,
        bridge,
        accept_window: Duration::from_secs(30),
        api_token: None,
        drain_timeout: Duration::from_secs(5),
        cluster: None,
        record_dir: None,
        max_calls: None,
    };
    let path = cfg.receiver.path.clone();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(serve::run(cfg, far, tx, listen_stop_rx));
    let url = loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(serve::Event::Listening { url })) => break format!("{url}{path}"),
            Ok(Some(e)) => {
                let _ = events.send(Event::Serve(e));
            }
            _ => anyhow::bail!("wacall's own receiver did not start"),
        }
    };
    let ev = events.clone();
    tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            let _ = ev.send(Event::Serve(e));
        }
    });
    Ok((graph, url, Some(task), listen_stop))
}
