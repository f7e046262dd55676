//! `wacall bridge`: everything checked before any network activity, then
//! one call through `io::bridge`, with its steps printed as they happen.

use super::printer::{AnswerOut, Printer};
use super::read_input;
use crate::cli::BridgeArgs;
use crate::core::input::{self, CallDirection};
use crate::core::lint::{self, SdpKind, Severity};
use crate::error::CliError;
use crate::io::answerer::{AnswererConfig, IceServer, MediaStack};
use crate::io::bridge::{self, BridgeConfig, Signalling};
use crate::io::farend::{Echo, FarEnd};
use crate::io::graph_client::GraphClient;
use crate::io::media::{Source, read_wav};
use crate::output::{Term, bridge as render};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// `echo`, `silence`, `tone`, `tone:HZ`, `play:FILE.wav`.
pub fn far_end(spec: &str) -> Result<Box<dyn FarEnd>, CliError> {
    let bad = || {
        CliError::usage(format!("--to `{spec}` is not a far end"))
            .hint("use echo, echo:opus, silence, tone, tone:HZ, play:FILE.wav, speaker or openai")
    };
    let (kind, arg) = spec.split_once(':').unwrap_or((spec, ""));
    Ok(match (kind, arg) {
        ("echo", "") => Box::new(Echo::new()),
        ("echo", "opus") => Box::new(crate::io::farend::OpusEcho::default()),
        ("silence", "") => Box::new(Source::Silence),
        ("tone", hz) => {
            let hz = if hz.is_empty() {
                440.0
            } else {
                hz.parse::<f64>().map_err(|_| bad())?
            };
            if !(20.0..=20_000.0).contains(&hz) {
                return Err(CliError::usage(format!(
                    "--to tone:{hz} is outside 20-20000 Hz"
                )));
            }
            Box::new(Source::Tone(crate::core::audio::Tone::new(hz, 0.3)))
        }
        ("play", path) if !path.is_empty() => Box::new(Source::Samples {
            data: Arc::new(
                read_wav(Path::new(path))
                    .map_err(|e| CliError::usage("cannot use --to play:").because(e))?,
            ),
            pos: 0,
        }),
        _ => return Err(bad()),
    })
}

/// The local speaker and microphone, opened now so a wrong device fails
/// before any call is answered.
pub fn speaker(a: &crate::cli::AudioArgs) -> Result<crate::io::farend::Speaker, CliError> {
    let spec = crate::io::audio::DeviceSpec {
        input: a.input_device.clone(),
        output: a.output_device.clone(),
    };
    crate::io::farend::Speaker::open(&spec, a.mute).map_err(|e| {
        CliError::usage("cannot open the local audio devices")
            .because(e)
            .hint("`wacall devices` lists them; pick one with --input-device / --output-device")
    })
}

pub(crate) fn secs(flag: &str, v: f64) -> Result<Duration, CliError> {
    if !(v.is_finite() && v > 0.0 && v < 86_400.0) {
        return Err(CliError::usage(format!(
            "{flag} {v} is not a number of seconds between 0 and 86400"
        )));
    }
    Ok(Duration::from_secs_f64(v))
}

fn ports(spec: &str) -> Result<(u16, u16), CliError> {
    let bad = || {
        CliError::usage(format!(
            "--udp-ports `{spec}` is not a range like 10000-10100"
        ))
    };
    let (a, b) = spec.split_once('-').ok_or_else(bad)?;
    let (a, b): (u16, u16) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a == 0 || a > b {
        return Err(bad());
    }
    Ok((a, b))
}

/// The offer, checked: readable, SDP, an offer, and answerable.
pub fn read_offer(path: &Path) -> Result<input::Input, CliError> {
    let (label, bytes) = read_input(path)?;
    let found = input::detect(&bytes).map_err(|e| {
        CliError::usage(format!("cannot read an offer from `{label}`"))
            .because(e)
            .hint("pass WhatsApp's offer: raw SDP or the connect webhook body")
    })?;
    if found.declared == Some(SdpKind::Answer) {
        return Err(CliError::usage(format!(
            "`{label}` holds an answer ({}); the bridge answers offers",
            found.detected.describe()
        )));
    }
    let checked = lint::check(Some(&found), None, CallDirection::UserInitiated);
    if let Some(f) = checked
        .findings
        .iter()
        .find(|f| f.rule.severity == Severity::Error)
    {
        return Err(CliError::usage(format!(
            "cannot answer the offer in `{label}`: line {}: {} ({})",
            f.line, f.message, f.rule.code
        ))
        .hint(format!(
            "`wacall lint-sdp --offer {}` shows every finding",
            path.display()
        )));
    }
    Ok(found)
}

pub fn answerer_config(args: &crate::cli::NetArgs) -> Result<AnswererConfig, CliError> {
    let mut servers: Vec<IceServer> = args
        .stun
        .iter()
        .map(|u| IceServer {
            url: u.clone(),
            username: String::new(),
            credential: String::new(),
        })
        .collect();
    for u in &args.turn {
        servers.push(IceServer {
            url: u.clone(),
            username: args.turn_username.clone().unwrap_or_default(),
            credential: args.turn_credential.clone().unwrap_or_default(),
        });
    }
    for s in &servers {
        if !(s.url.starts_with("stun:")
            || s.url.starts_with("turn:")
            || s.url.starts_with("turns:"))
        {
            return Err(CliError::usage(format!(
                "`{}` is not a stun: or turn: URL",
                s.url
            )));
        }
    }
    if args.ice_check_interval == 0 || args.ice_check_interval > 1000 {
        return Err(CliError::usage("--ice-check-interval must be 1-1000 ms"));
    }
    let stack = match args.media_stack.as_str() {
        "lean" => MediaStack::Lean,
        _ => MediaStack::Rtc,
    };
    let cfg = AnswererConfig {
        bind: if args.bind.is_empty() {
            vec![std::net::IpAddr::from([0, 0, 0, 0])]
        } else {
            args.bind.clone()
        },
        ice_servers: servers,
        public_ip: args.public_ip,
        udp_ports: args.udp_ports.as_deref().map(ports).transpose()?,
        gather_timeout: secs("--gather-timeout", args.gather_timeout)?,
        check_interval: Duration::from_millis(args.ice_check_interval),
        stack,
    };
    if stack == MediaStack::Lean && !crate::io::direct::usable(&cfg) {
        return Err(CliError::usage(
            "--media-stack lean needs one concrete --bind address (not 0.0.0.0 or ::) and no --stun or --turn",
        ));
    }
    Ok(cfg)
}

pub fn token(args: &crate::cli::GraphArgs) -> Result<String, CliError> {
    let t = match &args.token_file {
        Some(p) => std::fs::read_to_string(p).map_err(|e| {
            CliError::usage(format!("cannot read --token-file `{}`", p.display())).because(e)
        })?,
        None => std::env::var("WHATSAPP_TOKEN").map_err(|_| {
            CliError::usage("no Graph API token")
                .hint("set WHATSAPP_TOKEN, or pass --token-file FILE")
        })?,
    };
    let t = t.trim().to_string();
    if t.is_empty() {
        return Err(CliError::usage("the Graph API token is empty")
            .hint("set WHATSAPP_TOKEN, or pass --token-file FILE"));
    }
    Ok(t)
}

pub fn run(args: &BridgeArgs, term: &Term) -> Result<u8, CliError> {
    let offer = read_offer(&args.offer)?;
    let far = if args.to == "openai" {
        let key = super::openai::api_key(std::env::var("OPENAI_API_KEY").ok(), Path::new(".env"))?;
        super::openai::setup(super::openai::config(&args.openai, key)?)
    } else if args.to == "speaker" {
        bridge::FarEndSetup::now(Box::new(speaker(&args.audio)?))
    } else {
        bridge::FarEndSetup::now(far_end(&args.to)?)
    };
    let cfg = BridgeConfig {
        answerer: answerer_config(&args.net)?,
        duration: args.duration.map(|d| secs("--duration", d)).transpose()?,
        connect_timeout: secs("--connect-timeout", args.net.connect_timeout)?,
        force: args.force,
        bitrate: 20_000,
        complexity: args.codec.opus_complexity,
        record: args.record.clone(),
    };
    let call_id = args.call_id.clone().or(offer.call_id.clone());
    let sig = if args.graph {
        let call_id = call_id.clone().ok_or_else(|| {
            CliError::usage("--graph needs the call id")
                .hint("pass --call-id, or give the connect webhook as --offer")
        })?;
        let pnid = args
            .phone_number_id
            .clone()
            .or(offer.phone_number_id.clone())
            .ok_or_else(|| {
                CliError::usage("--graph needs the phone number id")
                    .hint("pass --phone-number-id, or give the connect webhook as --offer")
            })?;
        let client = GraphClient::new(
            &args.graph_api.graph_url,
            &args.graph_api.graph_version,
            &pnid,
            &token(&args.graph_api)?,
        )
        .map_err(|e| CliError::usage("cannot set up the Graph API client").because(e))?;
        Signalling::Graph {
            client,
            call_id,
            accept_window: secs("--accept-window", args.graph_api.accept_window)?,
        }
    } else {
        Signalling::Manual
    };
    let out = AnswerOut {
        graph: args.graph,
        path: args.answer_out.clone(),
        format: args.answer_format,
    };
    run_call(&offer.sdp, far, cfg, sig, &out, call_id.as_deref(), term)
}

/// One call through the bridge, printed as it happens; its exit status.
pub fn run_call(
    offer: &str,
    far: bridge::FarEndSetup,
    cfg: BridgeConfig,
    sig: Signalling,
    out: &AnswerOut,
    call_id: Option<&str>,
    term: &Term,
) -> Result<u8, CliError> {
    // With the answer on stdout, everything else goes to stderr.
    let answer_to_stdout = !out.graph && out.path.is_none();
    let printer = Printer::new(term, answer_to_stdout);
    let rt = super::runtime()?;
    let report = rt.block_on(async {
        let stop = super::stop_with(crate::core::bridge::Ending::Interrupted);
        let (tx, mut rx) = mpsc::unbounded_channel();
        let call = bridge::run_setup(offer, far, cfg, sig, tx, stop);
        tokio::pin!(call);
        loop {
            tokio::select! {
                r = &mut call => {
                    // Events sent just before the end are still queued.
                    while let Ok(e) = rx.try_recv() {
                        printer.event(&e, out, call_id)?;
                    }
                    break Ok::<_, CliError>(r);
                }
                Some(e) = rx.recv() => printer.event(&e, out, call_id)?,
            }
        }
    })?;
    printer.done();
    printer.emit(
        render::summary(&report, &printer.style()),
        render::summary_json(&report),
    )?;
    let interrupted = report.ending == crate::core::bridge::Ending::Interrupted;
    Ok(u8::from(!report.ok && !interrupted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_end_specs() {
        assert_eq!(far_end("echo").unwrap().name(), "echo");
        assert_eq!(far_end("tone").unwrap().name(), "tone:440");
        assert_eq!(far_end("tone:1000").unwrap().name(), "tone:1000");
        assert_eq!(far_end("silence").unwrap().name(), "silence");
        assert!(far_end("tone:5").is_err());
        assert!(far_end("play:").is_err());
        let Err(e) = far_end("kazoo") else {
            panic!("kazoo is not a far end")
        };
        assert!(e.hint.unwrap().contains("echo"));
    }

    #[test]
    fn port_ranges() {
        assert_eq!(ports("10000-10100").unwrap(), (10000, 10100));
        assert!(ports("10100-10000").is_err());
        assert!(ports("0-10").is_err());
        assert!(ports("x").is_err());
    }
}
