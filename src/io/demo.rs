//! A whole WhatsApp call on loopback, in one process and with no keys:
//! `wacall sim` plays WhatsApp and Meta, and `wacall bridge` answers the
//! call its `connect` webhook announces, through the simulated Graph API.

use crate::core::audio::Tone;
use crate::core::bridge::{BridgeReport, Ending};
use crate::core::sim::call::Timers;
use crate::core::sim::report::CallReport;
use crate::core::webhook::Business;
use crate::io::answerer::AnswererConfig;
use crate::io::bridge::{self, BridgeConfig, FarEndSetup, Signalling};
use crate::io::farend::FarEnd;
use crate::io::graph_client::GraphClient;
use crate::io::media::Source;
use crate::io::sim::call::{self as sim_call, CallSpec};
use crate::io::sim::peer::PeerConfig;
use crate::io::sim::run::{Sim, SimConfig};
use crate::io::sim::webhooks::Retry;
use crate::io::webhook_server::{Receiver, ReceiverConfig};
use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

pub enum Event {
    WhatsApp(sim_call::Event),
    Bridge(bridge::Event),
}

pub struct DemoReport {
    pub whatsapp: Option<CallReport>,
    pub bridge: Option<BridgeReport>,
    /// The tone the simulated caller sent.
    pub caller_hz: f64,
}

/// A caller who talks in turns: `hz` for a second, then quiet for 1.5 s
/// (long enough for voice activity detection to end the turn), repeated.
pub fn turns(hz: f64) -> Source {
    let mut tone = Tone::new(hz, 0.3);
    let mut data: Vec<i16> = (0..50).flat_map(|_| tone.frame()).collect();
    data.extend(std::iter::repeat_n(0, 48 * 1500));
    Source::Samples {
        data: std::sync::Arc::new(data),
        pos: 0,
    }
}

/// Runs one call of `seconds` from the simulated caller (a 440 Hz tone) to `far`.
pub async fn run(
    seconds: Duration,
    far: Box<dyn FarEnd>,
    events: mpsc::UnboundedSender<Event>,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<DemoReport> {
    let caller = Source::Tone(Tone::new(440.0, 0.3));
    run_with(seconds, caller, 440.0, FarEndSetup::now(far), events, stop).await
}

/// Runs one call of `seconds` from a caller saying `caller` to a far end
/// that gets ready while the call connects.
pub async fn run_with(
    seconds: Duration,
    caller: Source,
    caller_hz: f64,
    far: FarEndSetup,
    events: mpsc::UnboundedSender<Event>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<DemoReport> {
    let secret = hex::encode(rand::random::<[u8; 16]>());
    let token = hex::encode(rand::random::<[u8; 16]>());
    let (deliveries_tx, mut deliveries) = mpsc::unbounded_channel();
    let receiver = Receiver::start(
        ReceiverConfig::new("127.0.0.1:0".parse()?, Some(secret.clone())),
        deliveries_tx,
    )
    .await?;
    let business = Business {
        waba_id: "100000000000002".into(),
        phone_number_id: "100000000000001".into(),
        display_phone_number: "15550009999".into(),
    };
    let sim = Sim::start(SimConfig {
        webhook_urls: vec![receiver.url("/webhook")],
        app_secret: secret,
        verify_token: None,
        graph_listen: "127.0.0.1:0".parse()?,
        graph_token: token.clone(),
        business: business.clone(),
        calls: 1,
        concurrency: 1,
        call: CallSpec {
            index: 1,
            peer: PeerConfig::loopback(caller),
            timers: Timers::default(),
            talk: Some(seconds),
            dtmf: Some("1".into()),
            record_dir: None,
            ring: Duration::from_secs(1),
        },
        retry: Retry::default(),
        injections: vec![],
        ramp: Duration::ZERO,
    })
    .await?;
    let graph_url = sim.graph.base_url();

    let (sim_tx, mut sim_rx) = mpsc::unbounded_channel();
    let (bridge_tx, mut bridge_rx) = mpsc::unbounded_channel();
    let (hangup, hangup_rx) = watch::channel(None::<Ending>);
    // Both sides count from their own start; the demo shows one clock.
    let t0 = std::time::Instant::now();
    let mut sim_origin: Option<Duration> = None;
    let mut bridge_origin = Duration::ZERO;
    let mut far = Some(far);
    let mut bridge_task: Option<tokio::task::JoinHandle<BridgeReport>> = None;
    let whatsapp = sim.run(sim_tx, stop.clone());
    tokio::pin!(whatsapp);
    let reports = loop {
        tokio::select! {
            r = &mut whatsapp => break r,
            Some(d) = deliveries.recv() => {
                for (change, call) in d.envelope.calls() {
                    match (call.event.as_str(), call.sdp()) {
                        ("connect", Some((offer, _, _))) if bridge_task.is_none() => {
                            let Some(far) = far.take() else { continue };
                            let pnid = change.value.metadata.as_ref().map(|m| m.phone_number_id.clone()).unwrap_or_default();
                            let client = GraphClient::new(&graph_url, "v23.0", &pnid, &token)?;
                            let cfg = BridgeConfig {
                                answerer: AnswererConfig {
                                    bind: vec![IpAddr::from([127, 0, 0, 1])],
                                    ..AnswererConfig::default()
                                },
                                duration: None,
                                connect_timeout: Duration::from_secs(10),
                                force: false,
                                bitrate: 20_000,
                                complexity: crate::core::audio::COMPLEXITY,
                                record: None,
                            };
                            let sig = Signalling::Graph { client, call_id: call.id.clone(), accept_window: Duration::from_secs(30) };
                            let (tx, stop) = (bridge_tx.clone(), hangup_rx.clone());
                            bridge_origin = t0.elapsed();
                            bridge_task = Some(tokio::spawn(async move { bridge::run_setup(&offer, far, cfg, sig, tx, stop).await }));
                        }
                        ("terminate", _) => { let _ = hangup.send(Some(Ending::HungUp)); }
                        _ => {}
                    }
                }
            }
            Some(e) = sim_rx.recv() => { let _ = events.send(Event::WhatsApp(shift_sim(e, &mut sim_origin, t0))); }
            Some(e) = bridge_rx.recv() => { let _ = events.send(Event::Bridge(shift_bridge(e, bridge_origin))); }
            _ = stop.changed() => { let _ = hangup.send(Some(Ending::Interrupted)); }
        }
    };
    // The caller hung up: let the bridge finish, and pass on what is left.
    let _ = hangup.send(Some(Ending::HungUp));
    let bridge = match bridge_task {
        Some(t) => tokio::time::timeout(Duration::from_secs(10), t)
            .await
            .ok()
            .and_then(Result::ok),
        None => None,
    };
    while let Ok(e) = sim_rx.try_recv() {
        let _ = events.send(Event::WhatsApp(shift_sim(e, &mut sim_origin, t0)));
    }
    while let Ok(e) = bridge_rx.try_recv() {
        let _ = events.send(Event::Bridge(shift_bridge(e, bridge_origin)));
    }
    Ok(DemoReport {
        whatsapp: reports.into_iter().next(),
        bridge,
        caller_hz,
    })
}

/// The simulator's first event is its call's zero; it arrives at once.
fn shift_sim(
    e: sim_call::Event,
    origin: &mut Option<Duration>,
    t0: std::time::Instant,
) -> sim_call::Event {
    match e {
        sim_call::Event::Milestone {
            index,
            call_id,
            at,
            what,
        } => {
            let origin = *origin.get_or_insert_with(|| t0.elapsed().saturating_sub(at));
            sim_call::Event::Milestone {
                index,
                call_id,
                at: origin + at,
                what,
            }
        }
        other => other,
    }
}

fn shift_bridge(e: bridge::Event, origin: Duration) -> bridge::Event {
    use bridge::Event as E;
    match e {
        E::Step { at, what } => E::Step {
            at: origin + at,
            what,
        },
        E::Graph { at, outcome } => E::Graph {
            at: origin + at,
            outcome,
        },
        E::Stats { at, traffic } => E::Stats {
            at: origin + at,
            traffic,
        },
        E::Note { at, note } => E::Note {
            at: origin + at,
            note,
        },
        other => other,
    }
}
