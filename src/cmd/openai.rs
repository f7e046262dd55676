//! `--to openai` settings from flags, the environment and `.env`, and
//! `wacall sim openai`, the stand-in for the Realtime API.

use crate::cli::{OpenAiArgs, OpenAiTransport, SimOpenAiArgs, VadKind};
use crate::core::realtime::standin::StandInConfig;
use crate::core::realtime::{Prices, SessionConfig, Vad};
use crate::error::CliError;
use crate::io::bridge::FarEndSetup;
use crate::io::farend::FarEnd;
use crate::io::openai::standin_server::{StandInServer, StandInServerConfig};
use crate::io::openai::webrtc::OpenAiRtc;
use crate::io::openai::{OpenAi, OpenAiConfig, Transport};
use crate::output::Term;
use std::path::Path;
use std::time::Duration;

/// OPENAI_API_KEY, or the same line in `./.env`.
pub fn api_key(env: Option<String>, dotenv: &Path) -> Result<String, CliError> {
    let from_file = || -> Option<String> {
        let text = std::fs::read_to_string(dotenv).ok()?;
        text.lines().find_map(|l| {
            let l = l.trim().strip_prefix("export ").unwrap_or(l.trim());
            let v = l.strip_prefix("OPENAI_API_KEY=")?.trim();
            Some(v.trim_matches(|c| c == '"' || c == '\'').to_string())
        })
    };
    env.filter(|k| !k.trim().is_empty())
        .or_else(from_file)
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            CliError::usage("--to openai needs an OpenAI API key")
                .hint("set OPENAI_API_KEY, or put OPENAI_API_KEY=... in a .env file here")
        })
}

pub fn config(args: &OpenAiArgs, key: String) -> Result<OpenAiConfig, CliError> {
    let instructions = match &args.instructions_file {
        Some(p) => std::fs::read_to_string(p).map_err(|e| {
            CliError::usage(format!("cannot read --instructions-file `{}`", p.display())).because(e)
        })?,
        None => args
            .instructions
            .clone()
            .unwrap_or_else(|| SessionConfig::default().instructions),
    };
    let mut prices = Prices::for_model(&args.model);
    for p in &args.price {
        let bad = || {
            CliError::usage(format!("--price `{p}` is not NAME=USD"))
                .hint("for example --price audio-out=64 (US dollars per million tokens)")
        };
        let (name, usd) = p.split_once('=').ok_or_else(bad)?;
        let usd: f64 = usd.trim().parse().map_err(|_| bad())?;
        if !(usd.is_finite() && usd >= 0.0) {
            return Err(bad());
        }
        prices
            .set(name.trim(), usd)
            .map_err(|e| CliError::usage(format!("--price: {e}")))?;
    }
    if !(args.openai_url.starts_with("wss://") || args.openai_url.starts_with("ws://")) {
        return Err(CliError::usage(format!(
            "--openai-url `{}` is not a ws:// or wss:// URL",
            args.openai_url
        )));
    }
    Ok(OpenAiConfig {
        url: args.openai_url.clone(),
        key,
        session: SessionConfig {
            model: args.model.clone(),
            voice: args.voice.clone(),
            instructions,
            vad: match args.vad {
                VadKind::Server => Vad::Server,
                VadKind::Semantic => Vad::Semantic,
            },
            transcription: (args.transcription_model != "none")
                .then(|| args.transcription_model.clone()),
            greeting: args.greeting.clone(),
        },
        prices,
        connect_timeout: Duration::from_secs(10),
        reconnect_for: Duration::from_secs(15),
        transport: match args.openai_transport {
            OpenAiTransport::Websocket => Transport::WebSocket,
            OpenAiTransport::Webrtc => Transport::WebRtc,
        },
    })
}

/// The far end, connecting while the call does.
pub fn setup(cfg: OpenAiConfig) -> FarEndSetup {
    FarEndSetup {
        name: format!("openai:{}", cfg.session.model),
        ready: Box::pin(async move {
            Ok(match cfg.transport {
                Transport::WebSocket => Box::new(OpenAi::connect(cfg).await?) as Box<dyn FarEnd>,
                Transport::WebRtc => Box::new(OpenAiRtc::connect(cfg).await?),
            })
        }),
    }
}

pub async fn sim(args: &SimOpenAiArgs, term: &Term) -> Result<u8, CliError> {
    if !(args.pace.is_finite() && args.pace >= 0.5 && args.pace <= 100.0) {
        return Err(CliError::usage("--pace must be between 0.5 and 100"));
    }
    let server = StandInServer::start(
        args.listen,
        StandInServerConfig {
            key: args.accept_key.clone(),
            standin: StandInConfig {
                pace: args.pace,
                garbage: args.garbage,
                ..StandInConfig::default()
            },
            drop_first_after: args.drop_after.map(Duration::from_secs_f64),
            capture: false,
        },
    )
    .await
    .map_err(|e| CliError::usage("cannot start the OpenAI stand-in").because(e))?;
    let url = server.url();
    if term.json {
        term.out(&format!(
            "{}\n",
            serde_json::json!({"event": "listening", "url": url})
        ))
        .map_err(super::write_failed)?;
    } else {
        term.out(&format!(
            "OpenAI Realtime stand-in listening: --openai-url {url}\n"
        ))
        .map_err(super::write_failed)?;
    }
    let mut stop = super::stop_signal();
    let limit = tokio::time::sleep(
        args.duration
            .map_or(Duration::from_secs(86_400 * 365), Duration::from_secs_f64),
    );
    tokio::select! {
        _ = stop.changed() => {}
        _ = limit => {}
    }
    let conns = server.logs();
    let truncations: usize = conns.iter().map(|c| c.log.truncations.len()).sum();
    let responses: usize = conns.iter().map(|c| c.log.responses.len()).sum();
    let summary = format!(
        "stand-in: {} connection(s), {responses} response(s), {truncations} truncation(s)\n",
        conns.len()
    );
    if term.json {
        term.out(&format!(
            "{}\n",
            serde_json::json!({"event": "summary", "connections": conns.len(), "responses": responses, "truncations": truncations})
        ))
        .map_err(super::write_failed)?;
    } else {
        term.out(&summary).map_err(super::write_failed)?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_from_env_or_dotenv() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join(".env");
        assert_eq!(api_key(Some("sk-a".into()), &env).unwrap(), "sk-a");
        let e = api_key(None, &env).unwrap_err();
        assert!(e.hint.unwrap().contains("OPENAI_API_KEY"));
        std::fs::write(&env, "OTHER=1\nexport OPENAI_API_KEY=\"sk-file\"\n").unwrap();
        assert_eq!(api_key(None, &env).unwrap(), "sk-file");
        assert_eq!(api_key(Some("  ".into()), &env).unwrap(), "sk-file");
    }
}
