//! OpenAI's WebRTC calls endpoint, `POST /v1/realtime/calls`: where it is
//! (beside the Realtime WebSocket URL) and the request that turns our SDP
//! offer into OpenAI's answer.

use super::OpenAiConfig;
use anyhow::{anyhow, bail};
use std::net::IpAddr;

/// The calls endpoint for a Realtime WebSocket URL:
/// `wss://host/v1/realtime` → `https://host/v1/realtime/calls`.
pub fn calls_url(ws_url: &str) -> anyhow::Result<String> {
    let (scheme, rest) = ws_url
        .split_once("://")
        .ok_or_else(|| anyhow!("`{ws_url}` has no scheme"))?;
    let http = match scheme {
        "wss" => "https",
        "ws" => "http",
        other => bail!("`{ws_url}`: expected ws:// or wss://, got {other}://"),
    };
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    Ok(format!("{http}://{}/calls", rest.trim_end_matches('/')))
}

/// Whether the endpoint is on this machine (then our candidates are too).
pub fn loopback_host(url: &str) -> bool {
    let host = url
        .split_once("://")
        .map_or(url, |(_, r)| r)
        .split(['/', '?'])
        .next()
        .unwrap_or("");
    let host = host
        .rsplit_once(':')
        .map_or(host, |(h, _)| h)
        .trim_matches(['[', ']']);
    host == "localhost"
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip: IpAddr| ip.is_loopback())
}

/// `POST /v1/realtime/calls`: the offer and the session as multipart form
/// fields; OpenAI answers 201 with its SDP and the call's `Location`.
pub async fn post_offer(
    url: &str,
    cfg: &OpenAiConfig,
    offer: &str,
) -> anyhow::Result<(String, Option<String>)> {
    let client = crate::io::http::client(cfg.connect_timeout)?;
    let form = reqwest::multipart::Form::new()
        .text("sdp", offer.to_string())
        .text("session", cfg.session.webrtc_session().to_string());
    let resp = client
        .post(url)
        .bearer_auth(&cfg.key)
        .multipart(form)
        .send()
        .await
        .map_err(|e| {
            anyhow!(
                "OpenAI Realtime (WebRTC): cannot reach {url}: {}",
                e.without_url()
            )
        })?;
    let status = resp.status();
    let call_id = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .and_then(|l| l.rsplit('/').next())
        .map(str::to_string);
    let body = resp.text().await.unwrap_or_default();
    if !status.is_success() {
        let why = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| body.chars().take(200).collect());
        bail!(
            "OpenAI Realtime (WebRTC) refused the call: HTTP {status}: {why} (check OPENAI_API_KEY and --model)"
        );
    }
    if !body.starts_with("v=") {
        bail!("OpenAI Realtime (WebRTC) answered HTTP {status} without an SDP answer");
    }
    Ok((body, call_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calls_endpoint_sits_beside_the_socket() {
        assert_eq!(
            calls_url("wss://api.openai.com/v1/realtime").unwrap(),
            "https://api.openai.com/v1/realtime/calls"
        );
        assert_eq!(
            calls_url("ws://127.0.0.1:9000/v1/realtime/?model=x").unwrap(),
            "http://127.0.0.1:9000/v1/realtime/calls"
        );
        assert!(calls_url("https://x/v1/realtime").is_err());
        assert!(loopback_host("http://127.0.0.1:9/v1/realtime/calls"));
        assert!(loopback_host("http://[::1]:9/v1"));
        assert!(loopback_host("http://localhost:9/v1"));
        assert!(!loopback_host("https://api.openai.com/v1/realtime/calls"));
    }
}
