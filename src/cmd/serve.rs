//! `wacall serve`: configuration checked up front, then the service, with
//! one JSON line (or one human line) per call event.

use super::bridge::{answerer_config, far_end, secs, token};
use crate::cli::ServeArgs;
use crate::error::CliError;
use crate::io::bridge::{BridgeConfig, FarEndSetup};
use crate::io::serve::{self, ClusterConfig, Event, MakeFarEnd, ServeConfig};
use crate::output::Term;
use serde_json::json;
use std::sync::Arc;
use tokio::sync::mpsc;

pub fn run(args: &ServeArgs, term: &Term) -> Result<u8, CliError> {
    let receiver = super::listen::receiver_config(&args.receiver)?;
    let api_token = match &args.api_token_file {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .map_err(|e| {
                    CliError::usage(format!("cannot read --api-token-file `{}`", p.display()))
                        .because(e)
                })?
                .trim()
                .to_string(),
        ),
        None => std::env::var("WACALL_API_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty()),
    };
    if api_token.is_none() && !args.insecure_no_api_token {
        return Err(CliError::usage("no token for the control API (/sessions)")
            .hint("set WACALL_API_TOKEN or pass --api-token-file FILE (--insecure-no-api-token for local tests)"));
    }
    let far: MakeFarEnd = if args.to == "openai" {
        let key = super::openai::api_key(
            std::env::var("OPENAI_API_KEY").ok(),
            std::path::Path::new(".env"),
        )?;
        let cfg = super::openai::config(&args.openai, key)?;
        Arc::new(move || super::openai::setup(cfg.clone()))
    } else {
        far_end(&args.to)?;
        let to = args.to.clone();
        Arc::new(move || match far_end(&to) {
            Ok(f) => FarEndSetup::now(f),
            Err(e) => FarEndSetup::failed(&to, anyhow::anyhow!("{e}")),
        })
    };
    let cfg = ServeConfig {
        receiver,
        graph_url: args.graph_api.graph_url.clone(),
        graph_version: args.graph_api.graph_version.clone(),
        token: token(&args.graph_api)?,
        phone_number_id: args.phone_number_id.clone(),
        bridge: BridgeConfig {
            answerer: answerer_config(&args.net)?,
            duration: None,
            connect_timeout: secs("--connect-timeout", args.net.connect_timeout)?,
            force: false,
            bitrate: 20_000,
            complexity: args.codec.opus_complexity,
            record: None,
        },
        accept_window: secs("--accept-window", args.graph_api.accept_window)?,
        api_token,
        drain_timeout: secs("--drain-timeout", args.drain_timeout)?,
        cluster: cluster_config(args)?,
        record_dir: args.record_dir.clone(),
        max_calls: args.max_calls.map(|n| n as usize),
    };
    if args.check_config {
        return check_config(args, &cfg, term);
    }
    let rt = super::runtime()?;
    let emit = |human: String, mut j: serde_json::Value| -> Result<(), CliError> {
        if term.json {
            stamp(&mut j);
            term.json_line(&j)
        } else {
            term.out(&human)
        }
        .map_err(super::write_failed)
    };
    let summary = rt.block_on(async {
        let stop = super::stop_signal();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let run = serve::run(cfg, far, tx, stop);
        tokio::pin!(run);
        let show = |e: Event| -> Result<(), CliError> {
            match e {
                Event::Listening { url } => emit(
                    format!("serving on {url}: webhooks at {url}{}, /health, /metrics, /sessions\n", args.receiver.path),
                    json!({"type": "listening", "data": {"url": url}}),
                ),
                Event::CallStarted { call_id, from } => emit(
                    format!("call {call_id} from {}: answering\n", from.as_deref().unwrap_or("?")),
                    json!({"type": "call_started", "data": {"call_id": call_id, "from": from}}),
                ),
                Event::CallEnded { call_id, ok, reason } => emit(
                    format!("call {call_id} ended: {}{reason}\n", if ok { "ok: " } else { "failed: " }),
                    json!({"type": "call_ended", "data": {"call_id": call_id, "ok": ok, "reason": reason}}),
                ),
                Event::Rejected { call_id, why } => emit(
                    format!("call {call_id} rejected: {why}\n"),
                    json!({"type": "call_rejected", "data": {"call_id": call_id, "why": why}}),
                ),
                Event::Draining { active } => emit(
                    format!("draining: {active} active call(s) may finish; new calls are rejected\n"),
                    json!({"type": "draining", "data": {"active": active}}),
                ),
                Event::Joined { instance } => emit(
                    format!("joined the cluster as instance {instance}\n"),
                    json!({"type": "joined", "data": {"instance": instance}}),
                ),
                Event::Routed { call_id, owner, what } => emit(
                    format!("call {call_id} belongs to instance {owner}: passed on ({what})\n"),
                    json!({"type": "routed", "data": {"call_id": call_id, "owner": owner, "what": what}}),
                ),
                Event::NotOwned { call_id, owner } => emit(
                    format!("call {call_id} was answered by instance {owner}: this delivery is left to it\n"),
                    json!({"type": "not_owned", "data": {"call_id": call_id, "owner": owner}}),
                ),
                Event::InstanceLost { instance, calls } => emit(
                    format!("instance {instance} is gone (its Redis key expired); calls lost with it: {}\n",
                        if calls.is_empty() { "none".to_string() } else { calls.join(", ") }),
                    json!({"type": "instance_lost", "data": {"instance": instance, "calls": calls}}),
                ),
                Event::ClusterError { what } => emit(
                    format!("cluster: {what}\n"),
                    json!({"type": "cluster_error", "data": {"what": what}}),
                ),
            }
        };
        loop {
            tokio::select! {
                r = &mut run => {
                    while let Ok(e) = rx.try_recv() { show(e)?; }
                    break r.map_err(|e| CliError::failed("wacall serve stopped").because(e)
                        .hint("is --listen's address free, and --redis reachable?"));
                }
                Some(e) = rx.recv() => show(e)?,
            }
        }
    })?;
    emit(
        format!(
            "served {} calls: {} ok, {} failed\n",
            summary.started, summary.succeeded, summary.failed
        ),
        json!({"type": "serve_summary", "data": {"started": summary.started, "succeeded": summary.succeeded, "failed": summary.failed,
            "webhooks": {"accepted": summary.counters.accepted, "duplicates": summary.counters.duplicates, "bad_signature": summary.counters.bad_signature}}}),
    )?;
    Ok(0)
}

fn cluster_config(args: &ServeArgs) -> Result<Option<ClusterConfig>, CliError> {
    let Some(url) = &args.redis else {
        return Ok(None);
    };
    if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
        return Err(CliError::usage(format!(
            "--redis `{url}` is not a redis:// URL"
        )));
    }
    let ttl = secs("--instance-ttl", args.instance_ttl)?;
    if ttl < std::time::Duration::from_secs(1) {
        return Err(CliError::usage("--instance-ttl must be at least 1 s"));
    }
    let instance_id = args.instance_id.clone().unwrap_or_else(|| {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "wacall".into());
        format!("{host}-{}", std::process::id())
    });
    Ok(Some(ClusterConfig {
        redis_url: url.clone(),
        instance_id,
        ttl,
    }))
}

/// `--check-config`: everything was validated while `cfg` was built; show
/// what is in force (secrets only as set or not) and exit.
fn check_config(args: &ServeArgs, cfg: &ServeConfig, term: &Term) -> Result<u8, CliError> {
    let set = |b: bool| if b { "set" } else { "not set" };
    let r = &cfg.receiver;
    let cluster = cfg.cluster.as_ref().map(|c| {
        json!({"redis": serve::cluster::without_password(&c.redis_url), "instance_id": c.instance_id,
               "instance_ttl_s": c.ttl.as_secs_f64()})
    });
    let openai = (args.to == "openai").then(|| {
        json!({"model": args.openai.model, "voice": args.openai.voice, "transport": format!("{:?}", args.openai.openai_transport).to_lowercase(),
               "url": args.openai.openai_url, "key": "set"})
    });
    let doc = json!({
        "ok": true,
        "config_file": args.config.as_ref().map(|p| p.display().to_string()),
        "from_config_file": args.from_config,
        "listen": r.listen.to_string(),
        "webhook_path": r.path,
        "app_secret": if r.app_secret.is_some() { "set" } else { "not checked (--insecure-skip-signature)" },
        "verify_token": set(r.verify_token.is_some()),
        "capture": r.capture.as_ref().map(|p| p.display().to_string()),
        "far_end": args.to,
        "openai": openai,
        "graph_url": cfg.graph_url,
        "graph_version": cfg.graph_version,
        "graph_token": "set",
        "api_token": set(cfg.api_token.is_some()),
        "drain_timeout_s": cfg.drain_timeout.as_secs_f64(),
        "record_dir": cfg.record_dir.as_ref().map(|p| p.display().to_string()),
        "max_calls": cfg.max_calls,
        "accept_window_s": cfg.accept_window.as_secs_f64(),
        "opus_complexity": cfg.bridge.complexity,
        "cluster": cluster,
    });
    if term.json {
        return term.json_doc(&doc).map_err(super::write_failed).map(|_| 0);
    }
    let mut text = String::from("configuration ok\n");
    if let Some(obj) = doc.as_object() {
        for (k, v) in obj.iter().filter(|(k, v)| *k != "ok" && !v.is_null()) {
            let shown = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            text.push_str(&format!("  {k:<18} {shown}\n"));
        }
    }
    term.out(&text).map_err(super::write_failed)?;
    Ok(0)
}

/// A JSON line as a structured log record: when (RFC 3339, UTC) and how bad.
fn stamp(j: &mut serde_json::Value) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let level = match j["type"].as_str().unwrap_or("") {
        "instance_lost" => "error",
        "call_rejected" | "cluster_error" | "not_owned" => "warn",
        "call_ended" if j["data"]["ok"] == false => "warn",
        _ => "info",
    };
    j["ts"] = json!(crate::core::metrics::rfc3339_ms(now));
    j["level"] = json!(level);
}
