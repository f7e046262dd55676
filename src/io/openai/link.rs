//! The task that owns the Realtime socket: writes what the conversation
//! queues, reads what the server says, and when the socket drops, redials
//! with backoff and restores the session, or gives up with the reason.

use super::socket::{self, DialError, Socket};
use super::{OpenAiConfig, Shared};
use crate::core::realtime::ServerEvent;
use futures_util::{SinkExt, StreamExt};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message;

/// Dials, sends `session.update`, and waits for `session.updated`.
pub(super) async fn open(
    cfg: &OpenAiConfig,
    shared: &Arc<Mutex<Shared>>,
) -> anyhow::Result<Socket> {
    let mut ws = socket::dial(&cfg.url, &cfg.session.model, &cfg.key, cfg.connect_timeout)
        .await
        .map_err(|e| anyhow::anyhow!("OpenAI Realtime: {e}"))?;
    configure(&mut ws, cfg, shared).await?;
    Ok(ws)
}

async fn configure(
    ws: &mut Socket,
    cfg: &OpenAiConfig,
    shared: &Arc<Mutex<Shared>>,
) -> anyhow::Result<()> {
    let out = {
        let mut s = shared.lock().unwrap();
        s.conv.connected();
        s.conv.drain()
    };
    for o in out {
        ws.send(Message::text(o.event.to_json())).await?;
    }
    let deadline = tokio::time::sleep(cfg.connect_timeout);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            m = ws.next() => match m {
                Some(Ok(Message::Text(t))) => {
                    let parsed = ServerEvent::parse(&t);
                    shared.lock().unwrap().conv.on_text(&t, Instant::now());
                    match parsed {
                        Ok(ServerEvent::SessionUpdated) => return Ok(()),
                        Ok(ServerEvent::Error { kind, code, message }) => anyhow::bail!(
                            "OpenAI Realtime refused the session: {kind}{}: {message} (check --model and the session options)",
                            code.map(|c| format!(" ({c})")).unwrap_or_default()
                        ),
                        _ => {}
                    }
                }
                Some(Ok(Message::Close(f))) => anyhow::bail!(
                    "OpenAI Realtime closed the socket before the session was ready{}",
                    f.map(|f| format!(": {} {}", u16::from(f.code), f.reason)).unwrap_or_default()
                ),
                Some(Ok(_)) => {}
                Some(Err(e)) => anyhow::bail!("OpenAI Realtime: the socket failed before the session was ready: {e}"),
                None => anyhow::bail!("OpenAI Realtime closed the socket before the session was ready"),
            },
            _ = &mut deadline => anyhow::bail!(
                "OpenAI Realtime: no session.updated within {} s", cfg.connect_timeout.as_secs()
            ),
        }
    }
}

/// Until the far end is dropped: one socket after another.
pub(super) async fn run(
    mut ws: Socket,
    cfg: OpenAiConfig,
    shared: Arc<Mutex<Shared>>,
    wake: Arc<Notify>,
) {
    loop {
        let why = serve(&mut ws, &shared, &wake).await;
        let lost_at = Instant::now();
        {
            let mut s = shared.lock().unwrap();
            s.conv.disconnected();
            s.note("openai", format!("connection lost ({why}); reconnecting"));
        }
        match redial(&cfg, &shared).await {
            Ok(new) => {
                ws = new;
                shared.lock().unwrap().note(
                    "openai",
                    format!(
                        "reconnected in {} ms; session and transcript restored",
                        lost_at.elapsed().as_millis()
                    ),
                );
                wake.notify_one();
            }
            Err(e) => {
                let mut s = shared.lock().unwrap();
                s.failure = Some(format!(
                    "the OpenAI connection was lost and could not be restored: {e}"
                ));
                return;
            }
        }
    }
}

/// One socket's life; returns why it ended.
async fn serve(ws: &mut Socket, shared: &Arc<Mutex<Shared>>, wake: &Notify) -> String {
    loop {
        // Anything queued goes out first, including what reading just queued.
        let out = shared.lock().unwrap().conv.drain();
        for o in out {
            if let Err(e) = ws.send(Message::text(o.event.to_json())).await {
                return format!("write failed: {e}");
            }
            if let Some(at) = o.heard_at {
                shared.lock().unwrap().append_latency.push(at.elapsed());
            }
        }
        tokio::select! {
            _ = wake.notified() => {}
            m = ws.next() => match m {
                Some(Ok(Message::Text(t))) => shared.lock().unwrap().conv.on_text(&t, Instant::now()),
                Some(Ok(Message::Close(f))) => {
                    return f.map_or("closed by the server".into(), |f| format!("closed by the server: {} {}", u16::from(f.code), f.reason));
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return format!("read failed: {e}"),
                None => return "the server went away".into(),
            },
        }
    }
}

async fn redial(cfg: &OpenAiConfig, shared: &Arc<Mutex<Shared>>) -> anyhow::Result<Socket> {
    let until = Instant::now() + cfg.reconnect_for;
    let mut backoff = Duration::from_millis(100);
    let mut last = String::new();
    while Instant::now() < until {
        let left = until.saturating_duration_since(Instant::now());
        match socket::dial(
            &cfg.url,
            &cfg.session.model,
            &cfg.key,
            cfg.connect_timeout.min(left),
        )
        .await
        {
            Ok(mut ws) => match configure(&mut ws, cfg, shared).await {
                Ok(()) => return Ok(ws),
                Err(e) => {
                    last = format!("{e:#}");
                    shared.lock().unwrap().conv.disconnected();
                }
            },
            Err(DialError::Refused(e)) => anyhow::bail!(e),
            Err(DialError::Transient(e)) => last = e,
        }
        tokio::time::sleep(backoff.min(until.saturating_duration_since(Instant::now()))).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
    anyhow::bail!("gave up after {} s: {last}", cfg.reconnect_for.as_secs())
}
