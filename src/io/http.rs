//! One HTTP client setup for the whole program: rustls with the ring
//! provider (already in the build through webrtc), no aws-lc, no OpenSSL.

use std::sync::Once;
use std::time::Duration;

static PROVIDER: Once = Once::new();

/// rustls needs a process-wide provider before any TLS client is built.
pub fn install_crypto() {
    PROVIDER.call_once(|| {
        // Fails only if another provider was installed first, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A client with this request timeout, shared by everyone who asks for
/// one: building one reads and parses the system's root certificates,
/// which cost a busy `serve` milliseconds per call, and sharing also
/// shares the connection pool.
pub fn client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    static CLIENTS: std::sync::Mutex<Vec<(Duration, reqwest::Client)>> =
        std::sync::Mutex::new(Vec::new());
    let mut clients = CLIENTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, c)) = clients.iter().find(|(t, _)| *t == timeout) {
        return Ok(c.clone());
    }
    install_crypto();
    let c = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("wacall/", env!("CARGO_PKG_VERSION")))
        .build()?;
    clients.push((timeout, c.clone()));
    Ok(c)
}
