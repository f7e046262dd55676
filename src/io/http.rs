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

pub fn client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    install_crypto();
    Ok(reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("wacall/", env!("CARGO_PKG_VERSION")))
        .build()?)
}
