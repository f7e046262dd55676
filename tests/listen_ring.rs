//! `wacall listen`'s loop while a call rings: the person's decision is
//! awaited without blocking the receiver, so a second call that comes in
//! meanwhile is turned away at once, and the first is answered when the
//! answer comes. In process, with the simulated Meta on loopback.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use wacall::core::sim::call::Timers;
use wacall::core::webhook::Business;
use wacall::io::answerer::AnswererConfig;
use wacall::io::bridge::BridgeConfig;
use wacall::io::farend::{Echo, FarEnd};
use wacall::io::listen::{self, Busy, Event, ListenConfig};
use wacall::io::media::Source;
use wacall::io::sim::call::CallSpec;
use wacall::io::sim::peer::PeerConfig;
use wacall::io::sim::run::{Sim, SimConfig};
use wacall::io::sim::webhooks::Retry;
use wacall::io::webhook_server::ReceiverConfig;

const SECRET: &str = "ring-secret";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_call_is_turned_away_while_the_first_still_rings() {
    let graph: SocketAddr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let business = Business {
        waba_id: "100000000000002".into(),
        phone_number_id: "100000000000001".into(),
        display_phone_number: "15550009999".into(),
    };
    let cfg = ListenConfig {
        receiver: ReceiverConfig::new("127.0.0.1:0".parse().unwrap(), Some(SECRET.into())),
        graph_url: format!("http://{graph}"),
        graph_version: "v23.0".into(),
        token: "ring-token".into(),
        phone_number_id: None,
        bridge: BridgeConfig {
            answerer: AnswererConfig {
                bind: vec![[127, 0, 0, 1].into()],
                ..AnswererConfig::default()
            },
            duration: None,
            connect_timeout: Duration::from_secs(10),
            force: false,
            bitrate: 20_000,
            complexity: wacall::core::audio::COMPLEXITY,
            record: None,
        },
        accept_window: Duration::from_secs(20),
        busy: Busy::Reject,
        auto_answer: false,
        calls: Some(1),
    };
    let (tx, mut events) = mpsc::unbounded_channel();
    let (_stop, stop_rx) = watch::channel(false);
    let far: listen::FarEndMaker = Box::new(|| Ok(Box::new(Echo::new()) as Box<dyn FarEnd>));
    let listening = tokio::spawn(listen::run(cfg, far, tx, stop_rx));
    let url = match tokio::time::timeout(Duration::from_secs(10), events.recv()).await {
        Ok(Some(Event::Listening { url })) => url,
        other => panic!("{other:?}"),
    };
    let sim = Sim::start(SimConfig {
        webhook_urls: vec![url],
        app_secret: SECRET.into(),
        verify_token: None,
        graph_listen: graph,
        graph_token: "ring-token".into(),
        business,
        calls: 2,
        concurrency: 2,
        call: CallSpec {
            index: 0,
            peer: PeerConfig::loopback(Source::Tone(wacall::core::audio::Tone::new(440.0, 0.3))),
            timers: Timers::default(),
            talk: Some(Duration::from_secs(2)),
            dtmf: None,
            record_dir: None,
            ring: Duration::from_millis(500),
        },
        retry: Retry::default(),
        injections: vec![],
        ramp: Duration::from_millis(400),
    })
    .await
    .unwrap();
    let (sim_tx, _sim_rx) = mpsc::unbounded_channel();
    let (_sim_stop, sim_stop_rx) = watch::channel(false);
    let calls = tokio::spawn(async move { sim.run(sim_tx, sim_stop_rx).await });

    // The first call rings and the question is asked; nobody answers yet.
    let mut held = None;
    let mut busy = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while busy.is_none() {
        let e = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("the second call was not turned away while the first rang")
            .unwrap();
        match e {
            Event::Ask(c, answer) => held = Some((c, answer)),
            Event::Busy { caller, outcome } => {
                assert!(held.is_some(), "asked about the first call first");
                busy = Some((caller, outcome));
            }
            _ => {}
        }
    }
    let (first, answer) = held.unwrap();
    let (second, outcome) = busy.unwrap();
    assert_ne!(first.call_id, second.call_id);
    assert_eq!(
        outcome.and_then(|o| o.status),
        Some(200),
        "the second call was rejected through the Graph API"
    );
    // Now the person says yes: the first call is answered and runs.
    answer.send(true).unwrap();
    let report = loop {
        match tokio::time::timeout_at(deadline + Duration::from_secs(15), events.recv())
            .await
            .expect("the answered call never ended")
            .unwrap()
        {
            Event::Ended(r) => break r,
            _ => continue,
        }
    };
    assert!(report.ok, "{}", report.reason);
    let reports = calls.await.unwrap();
    assert_eq!(reports.len(), 2);
    assert!(reports.iter().filter(|r| r.ok).count() == 1, "one answered");
    let summary = listening.await.unwrap().unwrap();
    assert_eq!((summary.answered, summary.busy), (1, 1));
}
