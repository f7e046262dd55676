//! `wacall replay --target URL | --self`: captured calls played again as
//! Meta, toward a live receiver. Each call's captured offer gives the
//! simulated WhatsApp peer its audio section (codecs, payload types, fmtp)
//! with fresh transport (ICE credentials, fingerprint, candidate), so the
//! receiver's answer really connects; webhooks are signed again and the
//! Graph API is `wacall sim`'s. With `--self`, wacall's own `listen` is the
//! receiver, in this process.

use crate::core::sim::call::Timers;
use crate::core::sim::offer::AudioTemplate;
use crate::core::sim::report::CallReport;
use crate::core::webhook::Business;
use crate::io::listen::{self, Busy, FarEndMaker, ListenConfig};
use crate::io::media::Source;
use crate::io::sim::call::{self as sim_call, CallSpec};
use crate::io::sim::peer::PeerConfig;
use crate::io::sim::run::{Sim, SimConfig};
use crate::io::sim::webhooks::Retry;
use crate::io::webhook_server::ReceiverConfig;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

pub enum Target {
    Url(String),
    /// wacall's own receiver and bridge, with this far end.
    SelfBridge(FarEndMaker, crate::io::bridge::BridgeConfig),
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
    /// From the first captured call's connect, at capture speed.
    pub offset: Duration,
    pub talk: Duration,
    pub business: Business,
    pub template: AudioTemplate,
}

pub enum Event {
    Started {
        captured_id: String,
        webhook_url: String,
        graph_url: String,
    },
    Sim(sim_call::Event),
    Listen(listen::Event),
}

/// The longest gap between two replayed calls, whatever the capture says.
const MAX_GAP: Duration = Duration::from_secs(30);

pub async fn forward(
    f: Forward,
    calls: Vec<Replayed>,
    events: mpsc::UnboundedSender<Event>,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Vec<(String, CallReport)>> {
    let (graph_listen, receiver) = match f.target {
        Target::Url(url) => (f.graph_listen, Err(url)),
        Target::SelfBridge(far, bridge) => {
            // The receiver must know the Graph URL before the simulator starts.
            let port = std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port();
            let graph = SocketAddr::from(([127, 0, 0, 1], port));
            let cfg = ListenConfig {
                receiver: ReceiverConfig::new("127.0.0.1:0".parse()?, Some(f.app_secret.clone())),
                graph_url: format!("http://{graph}"),
                graph_version: "v23.0".into(),
                token: f.graph_token.clone(),
                phone_number_id: None,
                bridge,
                accept_window: Duration::from_secs(30),
                busy: Busy::Reject,
                auto_answer: true,
                calls: Some(calls.len() as u32),
            };
            (graph, Ok((far, cfg)))
        }
    };
    let (listen_stop, listen_stop_rx) = watch::channel(false);
    let (webhook_url, listen_task) = match receiver {
        Err(url) => (url, None),
        Ok((far, cfg)) => {
            let (tx, mut rx) = mpsc::unbounded_channel();
            let task = tokio::spawn(listen::run(cfg, far, tx, listen_stop_rx));
            let url = loop {
                match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
                    Ok(Some(listen::Event::Listening { url })) => break url,
                    Ok(Some(e)) => {
                        let _ = events.send(Event::Listen(e));
                    }
                    _ => anyhow::bail!("wacall's own receiver did not start"),
                }
            };
            let ev = events.clone();
            tokio::spawn(async move {
                while let Some(e) = rx.recv().await {
                    let _ = ev.send(Event::Listen(e));
                }
            });
            (url, Some(task))
        }
    };
    let mut reports = Vec::new();
    // Calls start at their captured offsets (scaled, gaps capped); one that
    // overlapped the previous one in the capture starts when it has ended.
    let began = tokio::time::Instant::now();
    let (mut last_offset, mut due) = (Duration::ZERO, Duration::ZERO);
    for (i, call) in calls.into_iter().enumerate() {
        if *stop.borrow() {
            break;
        }
        due += call
            .offset
            .saturating_sub(last_offset)
            .div_f64(f.speed)
            .min(MAX_GAP);
        last_offset = call.offset;
        tokio::time::sleep_until(began + due).await;
        let sim = Sim::start(SimConfig {
            webhook_url: webhook_url.clone(),
            app_secret: f.app_secret.clone(),
            verify_token: None,
            graph_listen,
            graph_token: f.graph_token.clone(),
            business: call.business.clone(),
            calls: 1,
            concurrency: 1,
            call: CallSpec {
                index: i + 1,
                peer: PeerConfig {
                    template: call.template.clone(),
                    ..PeerConfig::loopback(Source::Tone(crate::core::audio::Tone::new(440.0, 0.3)))
                },
                timers: Timers::default(),
                talk: Some(call.talk.div_f64(f.speed).max(Duration::from_secs(2))),
                dtmf: None,
                record_dir: None,
                ring: Duration::from_millis(500),
            },
            retry: Retry::default(),
            injections: vec![],
        })
        .await?;
        let _ = events.send(Event::Started {
            captured_id: call.captured_id.clone(),
            webhook_url: webhook_url.clone(),
            graph_url: sim.graph.base_url(),
        });
        let (tx, mut rx) = mpsc::unbounded_channel();
        let ev = events.clone();
        let pump = tokio::spawn(async move {
            while let Some(e) = rx.recv().await {
                let _ = ev.send(Event::Sim(e));
            }
        });
        let done = sim.run(tx, stop.clone()).await;
        let _ = pump.await;
        reports.extend(done.into_iter().map(|r| (call.captured_id.clone(), r)));
    }
    if let Some(task) = listen_task {
        let _ = listen_stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(15), task).await;
    }
    Ok(reports)
}
