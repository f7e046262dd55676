//! `wacall replay --target URL | --self`: the captured calls played again.

use super::bridge::{far_end, speaker};
use crate::cli::ReplayArgs;
use crate::core::replay::Story;
use crate::core::sim::offer::AudioTemplate;
use crate::core::webhook::Business;
use crate::error::CliError;
use crate::io::bridge::BridgeConfig;
use crate::io::farend::FarEnd;
use crate::io::listen::FarEndMaker;
use crate::io::replay::{self, Event, Forward, Replayed, Target};
use crate::io::sim::call as sim_call;
use crate::output::{Term, bridge as bridge_view, sim as sim_view};
use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc;

pub fn run(args: &ReplayArgs, story: &Story, term: &Term) -> Result<u8, CliError> {
    let app_secret = args.app_secret.clone().ok_or_else(|| {
        CliError::usage("replaying toward a receiver needs the app secret to sign webhooks with")
            .hint("pass --app-secret, or set WACALL_APP_SECRET")
    })?;
    if !(args.speed.is_finite() && args.speed > 0.0 && args.speed <= 100.0) {
        return Err(CliError::usage(format!(
            "--speed {} is outside 0-100",
            args.speed
        )));
    }
    let calls = replayable(story)?;
    let target = match &args.target {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Target::Url(url.clone())
        }
        Some(url) => {
            return Err(CliError::usage(format!(
                "--target `{url}` is not an http(s) URL"
            )));
        }
        None => Target::SelfBridge(maker(&args.to)?, bridge_config()?),
    };
    let forward = Forward {
        target,
        app_secret,
        graph_listen: args.graph_listen,
        graph_token: args.graph_token.clone(),
        speed: args.speed,
    };
    let rt = super::runtime()?;
    let s = term.out_style;
    let emit = |human: String, j: serde_json::Value| -> Result<(), CliError> {
        if term.json {
            term.json_line(&j)
        } else {
            term.out(&human)
        }
        .map_err(super::write_failed)
    };
    let reports = rt.block_on(async {
        let stop = super::stop_signal();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let run = replay::forward(forward, calls, tx, stop);
        tokio::pin!(run);
        let show = |e: Event| -> Result<(), CliError> {
            match e {
                Event::Started { captured_id, webhook_url, graph_url } => emit(
                    format!(
                        "\n{} {captured_id}\n  webhooks to {webhook_url}, Graph API at {graph_url}\n  {}\n",
                        s.bold("replaying"),
                        s.dim("the offer keeps the captured audio section with fresh ICE, DTLS and candidate; the caller is a fictional number")
                    ),
                    json!({"type": "replaying", "data": {"captured_call_id": captured_id, "webhook_url": webhook_url, "graph_url": graph_url}}),
                ),
                Event::Sim(sim_call::Event::Milestone { index, call_id, at, what }) => emit(
                    sim_view::milestone(index, at, &what, &s),
                    sim_view::milestone_json(index, &call_id, at, &what),
                ),
                Event::Sim(sim_call::Event::Ended(_)) => Ok(()),
                Event::Listen(crate::io::listen::Event::Ended(r)) => emit(
                    format!("  {} {}\n", s.dim("wacall's bridge:"), bridge_view::summary(&r, &s).lines().find(|l| !l.trim().is_empty()).unwrap_or("")),
                    json!({"type": "bridge_summary", "data": bridge_view::summary_json(&r)["data"].clone()}),
                ),
                Event::Listen(_) => Ok(()),
            }
        };
        loop {
            tokio::select! {
                r = &mut run => {
                    while let Ok(e) = rx.try_recv() { show(e)?; }
                    break r.map_err(|e| CliError::failed("the replay could not run").because(e)
                        .hint("check --target (a receiver that is up) and --graph-listen (a free address)"));
                }
                Some(e) = rx.recv() => show(e)?,
            }
        }
    })?;
    for (captured, r) in &reports {
        emit(
            format!(
                "{} {captured}\n{}",
                s.bold("replayed"),
                sim_view::report(r, &s)
            ),
            json!({"type": "replayed", "data": {"captured_call_id": captured, "report": sim_view::report_json(r)["data"].clone()}}),
        )?;
    }
    Ok(u8::from(
        reports.is_empty() || reports.iter().any(|(_, r)| !r.ok),
    ))
}

/// User-initiated calls with an offer, in capture order.
fn replayable(story: &Story) -> Result<Vec<Replayed>, CliError> {
    let mut out = Vec::new();
    let mut t0 = None;
    for c in &story.calls {
        let Some(offer) = c.offer() else { continue };
        let connect = c
            .events
            .iter()
            .find(|e| e.event == "connect")
            .expect("an offer comes in a connect");
        let template = AudioTemplate::from_offer(offer).map_err(|e| {
            CliError::usage(format!(
                "call {}: its offer cannot be replayed: {e}",
                c.call_id
            ))
        })?;
        let at = connect.timestamp.unwrap_or(0);
        let t0 = *t0.get_or_insert(at);
        let talk = c
            .events
            .iter()
            .find(|e| e.event == "terminate")
            .and_then(|e| e.duration)
            .filter(|d| *d > 0)
            .unwrap_or(5);
        out.push(Replayed {
            captured_id: c.call_id.clone(),
            offset: Duration::from_secs(at.saturating_sub(t0).max(0) as u64),
            talk: Duration::from_secs(talk as u64),
            business: Business {
                waba_id: "100000000000002".into(),
                phone_number_id: connect
                    .phone_number_id
                    .clone()
                    .unwrap_or_else(|| "100000000000001".into()),
                display_phone_number: connect.to.clone().unwrap_or_else(|| "15550009999".into()),
            },
            template,
        });
    }
    if out.is_empty() {
        return Err(
            CliError::usage("nothing to replay: no captured call has WhatsApp's offer")
                .hint("replay needs a user-initiated call's `connect` webhook"),
        );
    }
    Ok(out)
}

fn maker(to: &str) -> Result<FarEndMaker, CliError> {
    let to = to.to_string();
    if to == "speaker" {
        let audio = crate::cli::AudioArgs::default();
        drop(speaker(&audio)?);
        return Ok(Box::new(move || {
            speaker(&audio)
                .map(|s| Box::new(s) as Box<dyn FarEnd>)
                .map_err(|e| anyhow::anyhow!("{e}"))
        }));
    }
    far_end(&to)?;
    Ok(Box::new(move || {
        far_end(&to).map_err(|e| anyhow::anyhow!("{e}"))
    }))
}

fn bridge_config() -> Result<BridgeConfig, CliError> {
    Ok(BridgeConfig {
        answerer: crate::io::answerer::AnswererConfig {
            bind: vec![std::net::IpAddr::from([127, 0, 0, 1])],
            ..crate::io::answerer::AnswererConfig::default()
        },
        duration: None,
        connect_timeout: Duration::from_secs(15),
        force: false,
        bitrate: 20_000,
        record: None,
    })
}
