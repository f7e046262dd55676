//! `wacall replay --target URL | --self`: the captured calls played again.

use super::bridge::{far_end, speaker};
use crate::cli::ReplayArgs;
use crate::core::replay::plan::{self, Plan};
use crate::core::replay::{Delivery, Story};
use crate::core::sim::offer::AudioTemplate;
use crate::core::webhook::Business;
use crate::error::CliError;
use crate::io::bridge::{BridgeConfig, FarEndSetup};
use crate::io::replay::{self, Captured, Event, Forward, Replayed, Target};
use crate::io::serve::{self, MakeFarEnd};
use crate::io::sim::call as sim_call;
use crate::output::{Term, sim as sim_view};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

pub fn run(
    args: &ReplayArgs,
    deliveries: &[Delivery],
    story: &Story,
    term: &Term,
) -> Result<u8, CliError> {
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
    let plan = plan::plan(deliveries, story);
    let calls = replayable(&plan)?;
    let captured = deliveries
        .iter()
        .map(|d| Captured {
            source: d.source.clone(),
            body: plan::body(d),
            event_time_s: plan::event_time_s(d),
        })
        .collect();
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
        let run = replay::forward(forward, plan, calls, captured, tx, stop);
        tokio::pin!(run);
        let show = |e: Event| -> Result<(), CliError> {
            match e {
                Event::Started { webhook_url, graph_url } => emit(
                    format!(
                        "\n{} webhooks to {webhook_url}, Graph API at {graph_url}\n",
                        s.bold("replaying:"),
                    ),
                    json!({"type": "replaying", "data": {"webhook_url": webhook_url, "graph_url": graph_url}}),
                ),
                Event::Calling { source, captured_id, call_id } => emit(
                    format!(
                        "\n{} {captured_id} as {call_id} ({source})\n  {}\n",
                        s.bold("re-creating"),
                        s.dim("the offer keeps the captured audio section with fresh ICE, DTLS and candidate; the caller is a fictional number")
                    ),
                    json!({"type": "recreating", "data": {"source": source, "captured_call_id": captured_id, "call_id": call_id}}),
                ),
                Event::Covered { source, call_id } => emit(
                    format!("  {} {source}: {call_id}'s terminate comes from the simulated WhatsApp when the call ends\n", s.dim("skipped")),
                    json!({"type": "covered", "data": {"source": source, "call_id": call_id}}),
                ),
                Event::Posted { source, why, status, error } => {
                    let ok = status.is_some_and(|c| (200..300).contains(&c));
                    let got = match (status, &error) {
                        (Some(c), _) => format!("HTTP {c}"),
                        (None, Some(e)) => e.clone(),
                        (None, None) => "no answer".into(),
                    };
                    emit(
                        format!("  {} {source} → {got}: {why}\n", if ok { s.dim("re-sent") } else { s.bold("refused") }),
                        json!({"type": "posted", "data": {"source": source, "why": why, "status": status, "error": error, "ok": ok}}),
                    )
                }
                Event::Sim(sim_call::Event::Milestone { index, call_id, at, what }) => emit(
                    sim_view::milestone(index, at, &what, &s),
                    sim_view::milestone_json(index, &call_id, at, &what),
                ),
                Event::Sim(sim_call::Event::Ended(_)) => Ok(()),
                Event::Serve(serve::Event::CallEnded { call_id, ok, reason }) => emit(
                    format!("  {} {call_id}: {} ({reason})\n", s.dim("wacall's bridge:"), if ok { "ok" } else { "failed" }),
                    json!({"type": "bridge_ended", "data": {"call_id": call_id, "ok": ok, "reason": reason}}),
                ),
                Event::Serve(_) => Ok(()),
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
    for (captured, r) in &reports.calls {
        emit(
            format!(
                "{} {captured}\n{}",
                s.bold("replayed"),
                sim_view::report(r, &s)
            ),
            json!({"type": "replayed", "data": {"captured_call_id": captured, "report": sim_view::report_json(r)["data"].clone()}}),
        )?;
    }
    if reports.posted > 0 {
        emit(
            format!(
                "{} {} captured deliveries re-sent, {} refused by the receiver\n",
                s.bold("webhooks:"),
                reports.posted,
                reports.refused
            ),
            json!({"type": "reposted", "data": {"posted": reports.posted, "refused": reports.refused}}),
        )?;
    }
    let nothing = reports.calls.is_empty() && reports.posted == 0;
    Ok(u8::from(
        nothing || reports.refused > 0 || reports.calls.iter().any(|(_, r)| !r.ok),
    ))
}

/// The re-created calls' settings, from their captured offers.
fn replayable(plan: &Plan) -> Result<Vec<Replayed>, CliError> {
    if plan.steps.is_empty() {
        return Err(CliError::usage(
            "nothing to replay: no webhook in the input",
        ));
    }
    plan.calls
        .iter()
        .map(|c| {
            let template = AudioTemplate::from_offer(&c.offer).map_err(|e| {
                CliError::usage(format!(
                    "call {}: its offer cannot be replayed: {e}",
                    c.captured_id
                ))
            })?;
            Ok(Replayed {
                captured_id: c.captured_id.clone(),
                talk: Duration::from_secs(c.talk_s.filter(|d| *d > 0).unwrap_or(5) as u64),
                business: Business {
                    waba_id: "100000000000002".into(),
                    phone_number_id: c
                        .phone_number_id
                        .clone()
                        .unwrap_or_else(|| "100000000000001".into()),
                    display_phone_number: c
                        .display_phone_number
                        .clone()
                        .unwrap_or_else(|| "15550009999".into()),
                },
                template,
            })
        })
        .collect()
}

fn maker(to: &str) -> Result<MakeFarEnd, CliError> {
    let to = to.to_string();
    if to == "speaker" {
        let audio = crate::cli::AudioArgs::default();
        drop(speaker(&audio)?);
        return Ok(Arc::new(move || match speaker(&audio) {
            Ok(s) => FarEndSetup::now(Box::new(s)),
            Err(e) => FarEndSetup::failed("speaker", anyhow::anyhow!("{e}")),
        }));
    }
    far_end(&to)?;
    Ok(Arc::new(move || match far_end(&to) {
        Ok(f) => FarEndSetup::now(f),
        Err(e) => FarEndSetup::failed(&to, anyhow::anyhow!("{e}")),
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
        complexity: crate::core::audio::COMPLEXITY,
        record: None,
    })
}
