//! `wacall sim` and `wacall sim offer`: configuration from flags, then the
//! simulator from `io::sim`, with progress printed as it happens.

use super::{read_input, write_failed};
use crate::cli::{SimArgs, SimMediaArgs, SimMode, SimOfferArgs};
use crate::core::audio::Tone;
use crate::core::input::{self, Detected};
use crate::core::sim::call::Timers;
use crate::core::sim::offer::AudioTemplate;
use crate::core::sim::report::Summary;
use crate::core::webhook::Business;
use crate::error::CliError;
use crate::io::media::{Source, read_wav};
use crate::io::sim::call::{CallSpec, Event, run_direct_call};
use crate::io::sim::graph_api::Injection;
use crate::io::sim::peer::{PeerConfig, WhatsAppPeer};
use crate::io::sim::run::{Sim, SimConfig};
use crate::io::sim::webhooks::Retry;
use crate::output::{Term, sim as render};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::mpsc;

pub fn run(args: &SimArgs, term: &Term) -> Result<u8, CliError> {
    let rt = super::runtime()?;
    rt.block_on(async {
        match &args.mode {
            Some(SimMode::Offer(o)) => offer(o, term).await,
            Some(SimMode::Openai(o)) => super::openai::sim(o, term).await,
            None => calls(args, term).await,
        }
    })
}

fn seconds(flag: &str, v: f64) -> Result<Duration, CliError> {
    if !(v.is_finite() && v > 0.0 && v < 86_400.0) {
        return Err(CliError::usage(format!(
            "{flag} {v} is not a number of seconds between 0 and 86400"
        )));
    }
    Ok(Duration::from_secs_f64(v))
}

/// Every call's settings, checked before anything starts.
pub fn call_spec(m: &SimMediaArgs) -> Result<CallSpec, CliError> {
    let source = match (&m.send, m.tone, m.silence) {
        (Some(path), _, _) => Source::Samples {
            data: Arc::new(
                read_wav(path).map_err(|e| CliError::usage("cannot use --send").because(e))?,
            ),
            pos: 0,
        },
        (None, _, true) => Source::Silence,
        (None, hz, false) => {
            let hz = hz.unwrap_or(440.0);
            if !(20.0..=20_000.0).contains(&hz) {
                return Err(CliError::usage(format!(
                    "--tone {hz} is outside 20-20000 Hz"
                )));
            }
            Source::Tone(Tone::new(hz, 0.3))
        }
    };
    let template = match &m.offer_template {
        None => AudioTemplate::whatsapp(),
        Some(path) => {
            let (label, bytes) = read_input(path)?;
            let found = input::detect(&bytes).map_err(|e| {
                CliError::usage(format!("cannot use `{label}` as --offer-template")).because(e)
            })?;
            AudioTemplate::from_offer(&found.sdp).map_err(|e| {
                CliError::usage(format!("cannot use `{label}` as --offer-template: {e}"))
                    .hint("pass a WhatsApp offer with an Opus audio section")
            })?
        }
    };
    let source = if m.light {
        let frames = source.loop_frames();
        source
            .pre_encoded(frames, 20_000, template.capture_hz())
            .map_err(|e| CliError::usage("cannot encode the caller's audio").because(e))?
    } else {
        source
    };
    if let Some(keys) = &m.dtmf
        && let Some(bad) = keys
            .chars()
            .find(|&c| crate::core::rtp::dtmf_event(c).is_none())
    {
        return Err(
            CliError::usage(format!("--dtmf `{keys}`: `{bad}` is not a DTMF key"))
                .hint("use 0-9, *, # and A-D"),
        );
    }
    if let Some(dir) = &m.record {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::usage(format!("cannot create --record `{}`", dir.display())).because(e)
        })?;
    }
    Ok(CallSpec {
        index: 1,
        peer: PeerConfig {
            bind_ip: m.media_ip,
            template,
            source,
            wait_for_maiden: !m.no_wait_for_maiden,
            bitrate: 20_000,
            stack: match m.media_stack.as_str() {
                "lean" => crate::io::answerer::MediaStack::Lean,
                _ => crate::io::answerer::MediaStack::Rtc,
            },
        },
        timers: Timers {
            accept_window: seconds("--accept-timeout", m.accept_timeout)?,
            no_media: seconds("--no-media-timeout", m.no_media_timeout)?,
            silence: seconds("--silence-timeout", m.silence_timeout)?,
        },
        talk: Some(seconds("--seconds", m.seconds)?),
        dtmf: m.dtmf.clone(),
        record_dir: m.record.clone(),
        ring: seconds("--ring-seconds", m.ring_seconds)?,
    })
}

async fn calls(args: &SimArgs, term: &Term) -> Result<u8, CliError> {
    if args.webhook_url.is_empty() {
        return Err(CliError::usage("no webhook target").hint("pass --webhook-url URL (the bridge's webhook endpoint), or use `wacall sim offer` for the media peer alone"));
    }
    for url in &args.webhook_url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(CliError::usage(format!(
                "--webhook-url `{url}` is not an http(s) URL"
            )));
        }
    }
    let webhook_url = args.webhook_url.join(", ");
    let app_secret = args.app_secret.clone().ok_or_else(|| {
        CliError::usage("no app secret to sign webhooks with")
            .hint("pass --app-secret, or set WACALL_APP_SECRET")
    })?;
    let injections = args
        .inject_graph_error
        .iter()
        .map(|s| {
            s.parse::<Injection>()
                .map_err(|e| CliError::usage(format!("--inject-graph-error `{s}`: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if args.calls == 0 || args.concurrency == 0 {
        return Err(CliError::usage(
            "--calls and --concurrency must be at least 1",
        ));
    }
    let call = call_spec(&args.media)?;
    let business = Business {
        waba_id: args.waba_id.clone(),
        phone_number_id: args.phone_number_id.clone(),
        display_phone_number: args.display_phone_number.clone(),
    };
    let cfg = SimConfig {
        webhook_urls: args.webhook_url.clone(),
        app_secret,
        verify_token: args.verify_token.clone(),
        graph_listen: args.graph_listen,
        graph_token: args.graph_token.clone(),
        business,
        calls: args.calls,
        concurrency: args.concurrency,
        call,
        retry: Retry {
            attempts: args.webhook_retries.max(1),
            ..Retry::default()
        },
        injections,
        ramp: if args.ramp == 0.0 {
            Duration::ZERO
        } else {
            seconds("--ramp", args.ramp)?
        },
    };
    let sim = Sim::start(cfg).await.map_err(|e| {
        CliError::failed("the simulator did not start")
            .because(e)
            .hint("check --graph-listen (a free address), --webhook-url and --verify-token")
    })?;
    let version = "v23.0";
    let graph = format!(
        "{}/{version}/{}/calls",
        sim.graph.base_url(),
        args.phone_number_id
    );
    emit(
        term,
        render::listening(
            &sim.graph.base_url(),
            &graph,
            &webhook_url,
            args.verify_token.is_some(),
            &term.out_style,
        ),
        render::listening_json(&sim.graph.base_url(), &graph),
    )?;

    let stop = super::stop_signal();
    let (events, mut rx) = mpsc::unbounded_channel();
    let run = async {
        if args.business_initiated {
            let wait = seconds("--wait-seconds", args.wait_seconds)?;
            let r = sim.serve_business_initiated(events, stop, wait).await;
            if r.is_empty() {
                return Err(CliError::failed(format!(
                    "no business-initiated call arrived within {} s",
                    wait.as_secs()
                ))
                .hint(format!("the bridge must POST a `connect` to {graph}")));
            }
            Ok(r)
        } else {
            Ok(sim.run(events, stop).await)
        }
    };
    tokio::pin!(run);
    let reports = loop {
        tokio::select! {
            r = &mut run => break r,
            Some(e) = rx.recv() => print_event(term, &e)?,
        }
    };
    let reports = match reports {
        Ok(r) => r,
        Err(e) => {
            while let Ok(ev) = rx.try_recv() {
                print_event(term, &ev)?;
            }
            return Err(e);
        }
    };
    while let Ok(e) = rx.try_recv() {
        print_event(term, &e)?;
    }
    let summary = Summary::of(&reports);
    emit(
        term,
        render::summary(&summary, &term.out_style),
        render::summary_json(&summary),
    )?;
    Ok(u8::from(summary.failed > 0 || summary.calls == 0))
}

fn emit(term: &Term, human: String, json: serde_json::Value) -> Result<(), CliError> {
    if term.json {
        term.json_line(&json)
    } else {
        term.out(&human)
    }
    .map_err(write_failed)
}

fn print_event(term: &Term, e: &Event) -> Result<(), CliError> {
    match e {
        Event::Milestone {
            index,
            call_id,
            at,
            what,
        } => emit(
            term,
            render::milestone(*index, *at, what, &term.out_style),
            render::milestone_json(*index, call_id, *at, what),
        ),
        Event::Ended(r) => emit(
            term,
            render::report(r, &term.out_style),
            render::report_json(r),
        ),
    }
}

async fn offer(o: &SimOfferArgs, term: &Term) -> Result<u8, CliError> {
    let spec = call_spec(&o.media)?;
    let timeout = seconds("--answer-timeout", o.answer_timeout)?;
    let to_stdout = o.out.as_os_str() == "-";
    // With the offer on stdout, everything else goes to stderr.
    let say = |text: &str| {
        if to_stdout {
            term.err(text)
        } else {
            let _ = term.out(text);
        }
    };
    let peer = WhatsAppPeer::new(spec.peer.clone())
        .await
        .map_err(|e| CliError::failed("the simulated WhatsApp peer did not start").because(e))?;
    let written = SystemTime::now();
    if to_stdout {
        term.out(peer.offer()).map_err(write_failed)?;
    } else {
        crate::io::outfile::write(&o.out, peer.offer().as_bytes()).map_err(|e| {
            CliError::usage(format!("cannot write --out `{}`", o.out.display())).because(e)
        })?;
    }
    say(&render::offer_written(
        &o.out,
        &o.answer,
        peer.media_address(),
        timeout,
        &term.out_style,
    ));
    let answer = wait_for_answer(&o.answer, written, timeout, &say).await?;
    let stop = super::stop_signal();
    let (events, mut rx) = mpsc::unbounded_channel();
    let call = run_direct_call(spec, peer, &answer, events, stop);
    tokio::pin!(call);
    let report = loop {
        tokio::select! {
            r = &mut call => break r,
            Some(e) = rx.recv() => if let Event::Milestone { index, at, what, .. } = &e {
                if term.json { say(&format!("{}\n", render::milestone_json(*index, "pasted-offer", *at, what))) } else { say(&render::milestone(*index, *at, what, &term.out_style)) }
            },
        }
    };
    if term.json {
        say(&format!("{}\n", render::report_json(&report)));
    } else {
        say(&render::report(&report, &term.out_style));
    }
    Ok(u8::from(!report.ok))
}

/// The answer from stdin, or from a file that appears (or changes) after the
/// offer was written; progress every 15 s; bounded by `timeout`.
async fn wait_for_answer(
    path: &Path,
    after: SystemTime,
    timeout: Duration,
    say: &dyn Fn(&str),
) -> Result<String, CliError> {
    let started = Instant::now();
    let parse = |label: &str, bytes: &[u8]| -> Result<String, CliError> {
        let found = input::detect(bytes).map_err(|e| {
            CliError::usage(format!("cannot use the answer in `{label}`")).because(e)
        })?;
        if let Detected::GraphRequest { action } = &found.detected
            && !matches!(action.as_str(), "pre_accept" | "accept")
        {
            return Err(CliError::usage(format!(
                "`{label}` is a Graph API `{action}` request, not pre_accept or accept"
            )));
        }
        Ok(found.sdp)
    };
    if path.as_os_str() == "-" {
        let read = tokio::task::spawn_blocking(|| read_input(Path::new("-")));
        let (label, bytes) = tokio::time::timeout(timeout, read)
            .await
            .map_err(|_| {
                CliError::failed(format!("no answer on stdin within {} s", timeout.as_secs()))
                    .hint("--answer-timeout waits longer")
            })?
            .map_err(|e| CliError::failed("reading stdin failed").because(e))??;
        return parse(&label, &bytes);
    }
    let mut last_note = Instant::now();
    let mut previous: Option<Vec<u8>> = None;
    loop {
        let fresh = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= after);
        if fresh && let Ok(bytes) = std::fs::read(path) {
            // Take it once it stops changing: a writer may still be at work.
            if previous.as_deref() == Some(&bytes[..]) && !bytes.is_empty() {
                return parse(&path.display().to_string(), &bytes);
            }
            previous = Some(bytes);
        }
        if started.elapsed() > timeout {
            return Err(CliError::failed(format!("no answer in `{}` within {} s", path.display(), timeout.as_secs()))
                .hint("write the answer there (raw SDP or a Graph API accept body), or raise --answer-timeout"));
        }
        if last_note.elapsed() > Duration::from_secs(15) {
            say(&format!(
                "still waiting for `{}` ({} s)\n",
                path.display(),
                started.elapsed().as_secs()
            ));
            last_note = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}
