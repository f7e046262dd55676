//! Opening the Realtime WebSocket, and saying clearly why it did not open.

use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DialError {
    /// Will not get better by retrying: a bad key, model or URL.
    #[error("{0}")]
    Refused(String),
    /// Might: the network, a timeout, a 5xx or 429.
    #[error("{0}")]
    Transient(String),
}

/// `wss://api.openai.com/v1/realtime?model=...` with the key as a bearer token.
pub fn url(base: &str, model: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}model={model}")
}

pub async fn dial(
    base: &str,
    model: &str,
    key: &str,
    timeout: Duration,
) -> Result<Socket, DialError> {
    crate::io::http::install_crypto();
    let target = url(base, model);
    let mut req = target.as_str().into_client_request().map_err(|e| {
        DialError::Refused(format!(
            "`{base}` is not a WebSocket URL ({e}); fix --openai-url"
        ))
    })?;
    let auth = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
        DialError::Refused("the OpenAI key has characters a header cannot carry".into())
    })?;
    req.headers_mut().insert("Authorization", auth);
    match tokio::time::timeout(
        timeout,
        tokio_tungstenite::connect_async_with_config(req, Some(ws_config()), false),
    )
    .await
    {
        Err(_) => Err(DialError::Transient(format!(
            "no WebSocket from {base} within {} s",
            timeout.as_secs()
        ))),
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(WsError::Http(resp))) => {
            let status = resp.status().as_u16();
            let body = resp
                .body()
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).to_string())
                .unwrap_or_default();
            let detail = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
                .unwrap_or_else(|| body.chars().take(200).collect());
            let why = match status {
                401 => "the key was refused: check OPENAI_API_KEY (or the .env file)",
                403 => "the key may not use the Realtime API or this model",
                404 => "no Realtime endpoint there: check --openai-url and --model",
                429 => "rate limited or out of quota",
                _ => "the server refused the WebSocket",
            };
            let msg = format!("OpenAI answered HTTP {status}: {why}. {detail}");
            if status == 429 || status >= 500 {
                Err(DialError::Transient(msg))
            } else {
                Err(DialError::Refused(msg))
            }
        }
        Ok(Err(e)) => Err(DialError::Transient(format!("cannot reach {base}: {e}"))),
    }
}

/// Realtime frames are a few KiB; tungstenite's default 128 KiB read buffer
/// is zeroed on every read, which cost the stand-in a fifth of its CPU and
/// each call 128 KiB, so both ends read through 16 KiB.
pub fn ws_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(16 * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_goes_in_the_query() {
        assert_eq!(
            url("wss://api.openai.com/v1/realtime", "gpt-realtime"),
            "wss://api.openai.com/v1/realtime?model=gpt-realtime"
        );
        assert_eq!(
            url("ws://127.0.0.1:1/x?a=b", "m"),
            "ws://127.0.0.1:1/x?a=b&model=m"
        );
    }
}
