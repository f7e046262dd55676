//! `wacall demo`: the README's first command. A whole call on this machine,
//! with the steps of both sides as they happen and a verdict at the end.

use super::printer::Printer;
use crate::cli::{DemoArgs, DemoFarEnd};
use crate::core::audio::Tone;
use crate::core::realtime::{Prices, SessionConfig};
use crate::error::CliError;
use crate::io::bridge::FarEndSetup;
use crate::io::demo::{self, Event};
use crate::io::farend::Echo;
use crate::io::media::Source;
use crate::io::openai::OpenAiConfig;
use crate::io::openai::standin_server::{StandInServer, StandInServerConfig};
use crate::output::{Term, bridge as bridge_view, demo as render, sim as sim_view};
use std::time::Duration;
use tokio::sync::mpsc;

const CALLER_HZ: f64 = 440.0;

pub fn run(args: &DemoArgs, term: &Term) -> Result<u8, CliError> {
    if !(args.seconds.is_finite() && args.seconds >= 1.0 && args.seconds <= 600.0) {
        return Err(CliError::usage(format!(
            "--seconds {} is outside 1-600",
            args.seconds
        )));
    }
    let printer = Printer::new(term, false);
    let s = printer.style();
    let ai = args.far_end == DemoFarEnd::Ai;
    printer.emit(render::intro(ai, &s), render::intro_json(ai))?;
    let rt = super::runtime()?;
    let report = rt.block_on(async {
        let stop = super::stop_signal();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let seconds = Duration::from_secs_f64(args.seconds);
        // Kept alive for the whole call.
        let mut _standin = None;
        let (caller, far) = if ai {
            let server = StandInServer::start(
                "127.0.0.1:0".parse().expect("an address"),
                StandInServerConfig::default(),
            )
            .await
            .map_err(|e| CliError::failed("cannot start the OpenAI stand-in").because(e))?;
            let cfg = OpenAiConfig {
                url: server.url(),
                // The stand-in takes any key; this is not a secret.
                key: "demo".into(),
                session: SessionConfig::default(),
                prices: Prices::for_model("gpt-realtime"),
                connect_timeout: Duration::from_secs(5),
                reconnect_for: Duration::from_secs(5),
                transport: Default::default(),
            };
            _standin = Some(server);
            (demo::turns(CALLER_HZ), super::openai::setup(cfg))
        } else {
            (
                Source::Tone(Tone::new(CALLER_HZ, 0.3)),
                FarEndSetup::now(Box::new(Echo::new())),
            )
        };
        let call = demo::run_with(seconds, caller, CALLER_HZ, far, tx, stop);
        tokio::pin!(call);
        loop {
            tokio::select! {
                r = &mut call => {
                    // Events sent just before the end are still queued.
                    while let Ok(e) = rx.try_recv() {
                        event(&printer, e)?;
                    }
                    break r.map_err(|e| CliError::failed("the demo could not run").because(e));
                }
                Some(e) = rx.recv() => event(&printer, e)?,
            }
        }
    })?;
    printer.done();
    let (text, json, ok) = render::verdict(&report, &s);
    printer.emit(text, json)?;
    Ok(u8::from(!ok))
}

fn event(p: &Printer, e: Event) -> Result<(), CliError> {
    let s = p.style();
    match e {
        Event::WhatsApp(crate::io::sim::call::Event::Milestone { at, what, .. }) => p.emit(
            render::line("whatsapp", at, &what, &s),
            bridge_view::step_json(at, &format!("whatsapp: {what}")),
        ),
        Event::WhatsApp(crate::io::sim::call::Event::Ended(r)) => {
            p.emit(sim_view::report(&r, &s), sim_view::report_json(&r))
        }
        Event::Bridge(crate::io::bridge::Event::Step { at, what }) => p.emit(
            render::line("bridge", at, &what, &s),
            bridge_view::step_json(at, &format!("bridge: {what}")),
        ),
        Event::Bridge(crate::io::bridge::Event::Graph { at, outcome }) => {
            let what = match &outcome.error {
                None => format!(
                    "{}: HTTP {} in {}",
                    outcome.action.as_str(),
                    outcome.status.unwrap_or(200),
                    bridge_view::ms(outcome.took)
                ),
                Some(e) => format!("{} failed: {e}", outcome.action.as_str()),
            };
            p.emit(
                render::line("bridge", at, &what, &s),
                bridge_view::graph_json(at, &outcome),
            )
        }
        Event::Bridge(crate::io::bridge::Event::Answer {
            findings,
            sent,
            sdp,
        }) => p.emit(
            bridge_view::findings(&findings, sent, &s),
            bridge_view::answer_json(&sdp, &findings, sent),
        ),
        Event::Bridge(crate::io::bridge::Event::Note { at, note }) => p.emit(
            render::line(note.kind, at, &note.text, &s),
            bridge_view::step_json(at, &format!("{}: {}", note.kind, note.text)),
        ),
        Event::Bridge(other) => {
            // Stats drive the live line; notes are steps.
            p.emit_live(&other)
        }
    }
}
