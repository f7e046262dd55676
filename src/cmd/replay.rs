//! `wacall replay`, offline: load every input, tell the calls' story, and
//! for each offer build and lint the answer the bridge would send.

use crate::cli::ReplayArgs;
use crate::core::graph::{Action, CallRequest};
use crate::core::input::{self, CallDirection};
use crate::core::lint;
use crate::core::replay;
use crate::error::CliError;
use crate::io::answerer::{self, AnswererConfig};
use crate::output::{Term, replay as render};
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

pub fn run(args: &ReplayArgs, term: &Term) -> Result<u8, CliError> {
    let mut deliveries = Vec::new();
    for path in files(&args.inputs)? {
        let bytes = std::fs::read(&path)
            .map_err(|e| CliError::usage(format!("cannot read `{}`", path.display())).because(e))?;
        let found = replay::load(&path.display().to_string(), &bytes).map_err(|e| {
            CliError::usage(format!("cannot replay {e}"))
                .hint("wacall replay takes Meta's webhook bodies, `wacall listen --capture` files, JSON arrays of them, or NDJSON")
        })?;
        deliveries.extend(found);
    }
    let secret = args.app_secret.as_deref().map(str::as_bytes);
    let story = replay::tell(&deliveries, secret, i64::from(args.accept_window));
    let answers = if args.no_answer {
        story
            .calls
            .iter()
            .filter_map(|c| {
                Some(render::Answering {
                    call_id: c.call_id.clone(),
                    offer_findings: lint_offer(c.offer()?),
                    answer: Err("not built (--no-answer)".into()),
                    requests: Vec::new(),
                })
            })
            .collect()
    } else {
        answer_all(&story)?
    };
    let forwarding = args.target.is_some() || args.self_receiver;
    if term.json && forwarding {
        term.json_line(&json!({"type": "story", "data": render::story_json(&story, &answers)}))
    } else if term.json {
        term.json_doc(&render::story_json(&story, &answers))
    } else {
        term.out(&render::story(&story, &answers, &term.out_style))
    }
    .map_err(super::write_failed)?;
    if forwarding {
        return super::replay_forward::run(args, &deliveries, &story, term);
    }
    Ok(u8::from(story.troubled()))
}

/// Files in argument order; a directory's webhook files sorted by name
/// (capture names sort in delivery order).
fn files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| CliError::usage(format!("cannot list `{}`", p.display())).because(e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.extension()
                        .and_then(|x| x.to_str())
                        .is_some_and(|x| matches!(x, "json" | "jsonc" | "ndjson" | "jsonl"))
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(CliError::usage(format!(
                    "`{}` holds no .json, .jsonc, .ndjson or .jsonl files",
                    p.display()
                )));
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn lint_offer(offer: &str) -> Vec<lint::Finding> {
    match input::detect(offer.as_bytes()) {
        Ok(i) => lint::check(Some(&i), None, CallDirection::UserInitiated).findings,
        Err(_) => Vec::new(),
    }
}

/// Each offer answered by the bridge's own answerer on loopback, with no
/// connection made; the Graph requests it would send.
fn answer_all(story: &replay::Story) -> Result<Vec<render::Answering>, CliError> {
    let rt = super::runtime()?;
    let cfg = AnswererConfig {
        bind: vec![std::net::IpAddr::from([127, 0, 0, 1])],
        gather_timeout: Duration::from_millis(500),
        ..AnswererConfig::default()
    };
    let mut out = Vec::new();
    for c in &story.calls {
        let Some(offer) = c.offer() else { continue };
        let answer = rt.block_on(async {
            match answerer::answer(offer, &cfg).await {
                Ok(a) => {
                    let sdp = a.answer.clone();
                    let _ = a.pc.close().await;
                    Ok(sdp)
                }
                Err(e) => Err(format!("the bridge cannot answer this offer: {e:#}")),
            }
        });
        let requests = match &answer {
            Ok(sdp) => [Action::PreAccept, Action::Accept]
                .iter()
                .map(|a| {
                    let body = CallRequest::new(*a, &c.call_id, Some(sdp));
                    (
                        a.as_str().to_string(),
                        serde_json::to_value(&body).expect("serialisable"),
                    )
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        out.push(render::Answering {
            call_id: c.call_id.clone(),
            offer_findings: lint_offer(offer),
            answer: answer.map(|sdp| {
                let f = crate::io::bridge::lint_answer(offer, &sdp);
                (sdp, f)
            }),
            requests,
        });
    }
    Ok(out)
}
