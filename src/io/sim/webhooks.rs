//! Meta's webhook delivery, simulated: signed POSTs of the exact bytes,
//! retried on failure as Meta does, and the GET verification handshake.

use crate::core::webhook::{Envelope, signature};
use std::time::{Duration, Instant};

/// How deliveries are retried: Meta retries at once, then a few more times
/// with growing gaps (whatsapp-calling.md §1.1). Tests shorten the gaps.
#[derive(Debug, Clone)]
pub struct Retry {
    pub attempts: u32,
    pub first_gap: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 4,
            first_gap: Duration::from_secs(1),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Delivery {
    pub attempts: u32,
    /// The last HTTP status, if any response came.
    pub status: Option<u16>,
    pub error: Option<String>,
    pub took: Duration,
}

impl Delivery {
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    /// Several URLs take deliveries in turn, as behind a load balancer.
    urls: std::sync::Arc<Vec<String>>,
    next: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    app_secret: String,
    retry: Retry,
    /// Every body delivered, for a replay that must send one again.
    log: Option<tokio::sync::mpsc::UnboundedSender<Vec<u8>>>,
}

impl Sender {
    pub fn new(urls: &[String], app_secret: &str, retry: Retry) -> anyhow::Result<Sender> {
        anyhow::ensure!(!urls.is_empty(), "no webhook URL");
        Ok(Sender {
            client: super::super::http::client(Duration::from_secs(20))?,
            urls: std::sync::Arc::new(urls.to_vec()),
            next: std::sync::Arc::default(),
            app_secret: app_secret.to_string(),
            retry,
            log: None,
        })
    }

    /// Reports the bytes of every delivery made from now on.
    pub fn log_to(&mut self, tx: tokio::sync::mpsc::UnboundedSender<Vec<u8>>) {
        self.log = Some(tx);
    }

    /// POSTs one delivery: `X-Hub-Signature-256` over the exact bytes sent.
    pub async fn deliver(&self, envelope: &Envelope) -> Delivery {
        let body = serde_json::to_vec(envelope).expect("webhooks serialise");
        self.deliver_bytes(&body).await
    }

    pub async fn deliver_bytes(&self, body: &[u8]) -> Delivery {
        let started = Instant::now();
        let sig = signature(self.app_secret.as_bytes(), body);
        let mut out = Delivery {
            attempts: 0,
            status: None,
            error: None,
            took: Duration::ZERO,
        };
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let url = &self.urls[n % self.urls.len()];
        for attempt in 0..self.retry.attempts.max(1) {
            if attempt >= 2 {
                // Immediate retry first, then doubling gaps.
                tokio::time::sleep(self.retry.first_gap * 2u32.pow(attempt - 2)).await;
            }
            out.attempts += 1;
            let r = self
                .client
                .post(url)
                .header("content-type", "application/json")
                .header("x-hub-signature-256", &sig)
                .body(body.to_vec())
                .send()
                .await;
            match r {
                Ok(resp) => {
                    out.status = Some(resp.status().as_u16());
                    out.error = None;
                    if resp.status().is_success() {
                        break;
                    }
                }
                Err(e) => {
                    out.status = None;
                    out.error = Some(without_url(e));
                }
            }
        }
        out.took = started.elapsed();
        if let Some(log) = &self.log {
            let _ = log.send(body.to_vec());
        }
        out
    }

    /// The verification handshake: GET with `hub.mode=subscribe`,
    /// `hub.verify_token` and `hub.challenge`; the target must answer 200 with
    /// the challenge as its body.
    pub async fn verify(&self, verify_token: &str) -> anyhow::Result<()> {
        for url in self.urls.iter() {
            self.verify_one(url, verify_token).await?;
        }
        Ok(())
    }

    async fn verify_one(&self, url: &str, verify_token: &str) -> anyhow::Result<()> {
        let challenge = rand::random::<u32>().to_string();
        let resp = self
            .client
            .get(url)
            .query(&[
                ("hub.mode", "subscribe"),
                ("hub.verify_token", verify_token),
                ("hub.challenge", &challenge),
            ])
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("{}", without_url(e)))?;
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            anyhow::bail!("the verification GET got HTTP {status}");
        }
        if body.trim() != challenge {
            anyhow::bail!(
                "the verification GET got HTTP {status} but not the challenge back (expected `{challenge}`, got `{}`)",
                body.chars().take(40).collect::<String>()
            );
        }
        Ok(())
    }
}

/// reqwest's errors repeat the URL, which can hold a token in its query.
fn without_url(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut s = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}
