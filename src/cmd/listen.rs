//! `wacall listen`: a webhook receiver that rings in the terminal and puts
//! each answered call on the speaker and microphone (or another far end).

use super::bridge::{answerer_config, far_end, read_offer, run_call, secs, speaker, token};
use super::printer::{AnswerOut, Printer};
use crate::cli::{AnswerFormat, BusyArg, ListenArgs, ReceiverArgs};
use crate::error::CliError;
use crate::io::bridge::{BridgeConfig, FarEndSetup, Signalling};
use crate::io::farend::FarEnd;
use crate::io::listen::{self, Busy, Event, FarEndMaker, ListenConfig};
use crate::io::webhook_server::ReceiverConfig;
use crate::output::{Term, bridge as bridge_view, listen as render};
use std::io::IsTerminal;
use tokio::sync::mpsc;

pub fn run(args: &ListenArgs, term: &Term) -> Result<u8, CliError> {
    let cfg = BridgeConfig {
        answerer: answerer_config(&args.net)?,
        duration: args.duration.map(|d| secs("--duration", d)).transpose()?,
        connect_timeout: secs("--connect-timeout", args.net.connect_timeout)?,
        force: false,
        bitrate: 20_000,
        complexity: args.codec.opus_complexity,
        record: None,
    };
    let maker = far_end_maker(args)?;
    if let Some(path) = &args.offer {
        let offer = read_offer(path)?;
        let far = maker().map_err(|e| CliError::usage("cannot open the far end").because(e))?;
        let out = AnswerOut {
            graph: false,
            path: None,
            format: AnswerFormat::Sdp,
        };
        let call_id = offer.call_id.clone();
        let far = FarEndSetup::now(far);
        return run_call(
            &offer.sdp,
            far,
            cfg,
            Signalling::Manual,
            &out,
            call_id.as_deref(),
            term,
        );
    }
    let receiver = receiver_config(&args.receiver)?;
    let cfg = ListenConfig {
        receiver,
        graph_url: args.graph_api.graph_url.clone(),
        graph_version: args.graph_api.graph_version.clone(),
        token: token(&args.graph_api)?,
        phone_number_id: args.phone_number_id.clone(),
        bridge: cfg,
        accept_window: secs("--accept-window", args.graph_api.accept_window)?,
        busy: match args.busy {
            BusyArg::Reject => Busy::Reject,
            BusyArg::Ignore => Busy::Ignore,
        },
        auto_answer: args.auto_answer,
        calls: args.calls,
    };
    let printer = Printer::new(term, false);
    let graph_out = AnswerOut {
        graph: true,
        path: None,
        format: AnswerFormat::Sdp,
    };
    let rt = super::runtime()?;
    let summary = rt.block_on(async {
        let stop = super::stop_signal();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let run = listen::run(cfg, maker, tx, stop);
        tokio::pin!(run);
        let s = printer.style();
        let show = |e: Event| -> Result<(), CliError> {
            match e {
                Event::Listening { url } => printer.emit(
                    render::listening(&url, args.auto_answer, &s),
                    render::listening_json(&url),
                ),
                Event::Ringing(c) => {
                    let bell = if std::io::stdout().is_terminal() { "\x07" } else { "" };
                    printer.emit(format!("{bell}{}", render::ringing(&c, &s)), render::ringing_json(&c))
                }
                Event::Ask(c, answer) => {
                    ask(&printer, &c, answer);
                    Ok(())
                }
                Event::Declined { caller, outcome } => printer.emit(
                    render::declined(&caller, &outcome, &s),
                    render::declined_json(&caller, &outcome),
                ),
                Event::Busy { caller, outcome } => printer.emit(
                    render::busy(&caller, &outcome, &s),
                    render::busy_json(&caller, &outcome),
                ),
                Event::HungUp { call_id } => printer.emit(
                    render::hung_up(&call_id, &s),
                    render::hung_up_json(&call_id),
                ),
                Event::Ignored { call_id, event } => printer.emit(
                    render::ignored(&call_id, &event, &s),
                    render::ignored_json(&call_id, &event),
                ),
                Event::Bridge(e) => printer.event(&e, &graph_out, None),
                Event::Ended(report) => printer.emit(
                    bridge_view::summary(&report, &s),
                    bridge_view::summary_json(&report),
                ),
            }
        };
        loop {
            tokio::select! {
                r = &mut run => {
                    while let Ok(e) = rx.try_recv() {
                        show(e)?;
                    }
                    break r.map_err(|e| CliError::failed("wacall listen stopped").because(e)
                        .hint("is --listen's address free? (another wacall listen, or a web server)"));
                }
                Some(e) = rx.recv() => show(e)?,
            }
        }
    })?;
    printer.done();
    printer.emit(
        render::tally(&summary, &printer.style()),
        render::tally_json(&summary),
    )?;
    Ok(u8::from(summary.failed > 0))
}

/// The receiver's configuration, checked: a secret (or the explicit opt
/// out) and a capture directory that exists.
pub(crate) fn receiver_config(a: &ReceiverArgs) -> Result<ReceiverConfig, CliError> {
    if a.app_secret.is_none() && !a.insecure_skip_signature {
        return Err(CliError::usage("no app secret to check webhook signatures with")
            .hint("set WACALL_APP_SECRET or pass --app-secret (--insecure-skip-signature for local tests)"));
    }
    if let Some(dir) = &a.capture {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::usage(format!("cannot create --capture `{}`", dir.display())).because(e)
        })?;
    }
    let mut receiver = ReceiverConfig::new(a.listen, a.app_secret.clone());
    receiver.path = a.path.clone();
    receiver.verify_token = a.verify_token.clone();
    receiver.max_body = a.max_body;
    receiver.capture = a.capture.clone();
    Ok(receiver)
}

/// The far end of each call: checked now, so a wrong `--to` or device
/// fails before anything listens; opened afresh for every call.
fn far_end_maker(args: &ListenArgs) -> Result<FarEndMaker, CliError> {
    let to = args.to.clone();
    if to == "speaker" {
        drop(speaker(&args.audio)?);
        let audio = args.audio.clone();
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

/// The accept/reject prompt: a line from the terminal, read off the async
/// runtime. Without a terminal nobody can answer, so the call is declined.
fn ask(
    printer: &Printer,
    c: &crate::io::listen::Caller,
    answer: tokio::sync::oneshot::Sender<bool>,
) {
    if !std::io::stdin().is_terminal() {
        printer
            .note("stdin is not a terminal, so nobody can answer: declining (use --auto-answer)");
        let _ = answer.send(false);
        return;
    }
    printer.prompt(&render::prompt(c));
    std::thread::spawn(move || {
        let mut line = String::new();
        let yes = std::io::stdin().read_line(&mut line).is_ok()
            && matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes");
        let _ = answer.send(yes);
    });
}
