//! The Graph API `/calls` client: pre_accept, accept, reject, terminate,
//! with the bearer token (never printed), transient failures (5xx, 429,
//! transport errors) retried with backoff until a deadline, and Meta's
//! errors decoded and explained.

use crate::core::graph::{self, Action, CallRequest, GraphError};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct GraphClient {
    client: reqwest::Client,
    endpoint: String,
    token: String,
}

/// What a request came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub action: Action,
    pub status: Option<u16>,
    pub attempts: u32,
    pub took: Duration,
    pub error: Option<GraphFailure>,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// A failed request, explained.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphFailure {
    pub status: Option<u16>,
    pub code: Option<i64>,
    pub subcode: Option<i64>,
    pub message: String,
    pub details: Option<String>,
    pub meaning: Option<&'static str>,
    pub fix: Option<&'static str>,
    pub transient: bool,
}

impl std::fmt::Display for GraphFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(s) => write!(f, "HTTP {s}")?,
            None => write!(f, "no response")?,
        }
        if let Some(c) = self.code {
            write!(f, ", code {c}")?;
            if let Some(sc) = self.subcode {
                write!(f, "/{sc}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(d) = &self.details {
            write!(f, " ({d})")?;
        }
        if let Some(m) = self.meaning {
            write!(f, "; {m}")?;
        }
        Ok(())
    }
}

impl GraphClient {
    /// `base` is e.g. `https://graph.facebook.com`, `version` e.g. `v23.0`.
    pub fn new(
        base: &str,
        version: &str,
        phone_number_id: &str,
        token: &str,
    ) -> anyhow::Result<GraphClient> {
        Ok(GraphClient {
            client: super::http::client(Duration::from_secs(10))?,
            endpoint: format!(
                "{}/{version}/{phone_number_id}/calls",
                base.trim_end_matches('/')
            ),
            token: token.to_string(),
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Sends `action` for `call_id`, retrying transient failures until `deadline`.
    pub async fn call(
        &self,
        action: Action,
        call_id: &str,
        answer: Option<&str>,
        deadline: Instant,
    ) -> Outcome {
        let body = CallRequest::new(action, call_id, answer);
        let started = Instant::now();
        let mut attempts = 0;
        let mut gap = Duration::from_millis(100);
        loop {
            attempts += 1;
            let (status, error) = self.once(&body).await;
            let retry =
                error.as_ref().is_some_and(|e| e.transient) && Instant::now() + gap < deadline;
            if !retry {
                return Outcome {
                    action,
                    status,
                    attempts,
                    took: started.elapsed(),
                    error,
                };
            }
            tokio::time::sleep(gap).await;
            gap = (gap * 2).min(Duration::from_secs(2));
        }
    }

    async fn once(&self, body: &CallRequest) -> (Option<u16>, Option<GraphFailure>) {
        let r = self
            .client
            .post(&self.endpoint)
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await;
        let resp = match r {
            Ok(r) => r,
            Err(e) => {
                return (
                    None,
                    Some(GraphFailure {
                        status: None,
                        code: None,
                        subcode: None,
                        message: e.without_url().to_string(),
                        details: None,
                        meaning: None,
                        fix: Some("check --graph-url and the network"),
                        transient: true,
                    }),
                );
            }
        };
        let status = resp.status().as_u16();
        if resp.status().is_success() {
            return (Some(status), None);
        }
        let text = resp.text().await.unwrap_or_default();
        (Some(status), Some(failure(status, &text)))
    }
}

/// Decodes Meta's error body and explains its code.
pub fn failure(status: u16, body: &str) -> GraphFailure {
    let parsed: Option<GraphError> = serde_json::from_str(body).ok();
    let e = parsed.as_ref().map(|g| &g.error);
    let code = e.map(|e| e.code);
    let subcode = e.and_then(|e| e.error_subcode);
    let (meaning, fix) = code
        .and_then(|c| graph::explain(c, subcode))
        .map(|(m, f)| (Some(m), Some(f)))
        .unwrap_or((None, None));
    GraphFailure {
        status: Some(status),
        code,
        subcode,
        message: e
            .map(|e| e.message.clone())
            .unwrap_or_else(|| body.chars().take(200).collect()),
        details: e
            .and_then(|e| e.error_data.as_ref())
            .map(|d| d.details.clone()),
        meaning,
        fix,
        transient: status >= 500
            || status == 429
            || e.and_then(|e| e.is_transient).unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metas_errors_are_decoded_and_explained() {
        let real = include_str!(
            "../../testdata/corpus/graph-error-accept-multiple-fingerprints-stackoverflow-79767013.json"
        );
        let f = failure(400, real);
        assert_eq!((f.code, f.subcode), (Some(100), Some(2494010)));
        assert_eq!(f.details.as_deref(), Some("Fingerprint algo is not SHA256"));
        assert!(!f.transient);
        assert!(f.fix.unwrap().contains("WA005"));
        let text = f.to_string();
        assert!(
            text.starts_with(
                "HTTP 400, code 100/2494010: Invalid parameter (Fingerprint algo is not SHA256)"
            ),
            "{text}"
        );
        let busy = failure(503, "<html>oops</html>");
        assert!(busy.transient && busy.code.is_none());
        assert!(failure(429, "{}").transient);
    }
}
