//! What a peer needs from the other side's description to reach it without
//! a WebRTC stack: ICE credentials, the DTLS certificate's SHA-256
//! fingerprint, and its UDP candidates for component 1.

use super::{Sdp, parse_candidate};
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transport {
    pub ufrag: String,
    pub pwd: String,
    /// The certificate's SHA-256 digest.
    pub fingerprint: Vec<u8>,
    pub candidates: Vec<SocketAddr>,
    /// The audio section's payload types, in the `m=` line's order.
    pub payload_types: Vec<u8>,
}

/// The audio section's transport (media-level attributes win over the
/// session's), or what is missing.
pub fn transport(text: &str) -> Result<Transport, String> {
    let sdp = Sdp::parse(text);
    let m = sdp.audio();
    let value = |key: &'static str| {
        sdp.scoped_value(m, key)
            .and_then(|a| a.value)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("the description has no a={key}"))
    };
    let (ufrag, pwd) = (value("ice-ufrag")?, value("ice-pwd")?);
    let fingerprint = sdp
        .scoped_attrs(m, "fingerprint")
        .into_iter()
        .filter_map(|a| a.value)
        .find_map(|v| {
            let (hash, hex) = v.trim().split_once(' ')?;
            hash.eq_ignore_ascii_case("sha-256").then(|| {
                hex.split(':')
                    .map(|b| u8::from_str_radix(b, 16).ok())
                    .collect::<Option<Vec<u8>>>()
            })?
        })
        .filter(|f| f.len() == 32)
        .ok_or("the description has no valid a=fingerprint:sha-256")?;
    let candidates = match m {
        Some(m) => sdp
            .media_attrs(m, "candidate")
            .filter_map(|a| parse_candidate(a.value?).ok())
            .filter(|c| c.component == 1 && c.transport == "udp")
            .filter_map(|c| Some(SocketAddr::new(c.address.parse::<IpAddr>().ok()?, c.port)))
            .collect(),
        None => vec![],
    };
    let payload_types = m
        .map(|m| m.formats.iter().filter_map(|f| f.parse().ok()).collect())
        .unwrap_or_default();
    Ok(Transport {
        payload_types,
        ufrag: ufrag.to_string(),
        pwd: pwd.to_string(),
        fingerprint,
        candidates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real WhatsApp offer: its credentials, fingerprint and every UDP
    /// candidate (IPv4 and IPv6).
    #[test]
    fn a_real_offer_gives_its_credentials_fingerprint_and_candidates() {
        let offer = std::fs::read_to_string(
            "testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp",
        )
        .unwrap();
        let t = transport(&offer).unwrap();
        let line = |k: &str| {
            offer
                .lines()
                .find_map(|l| l.trim().strip_prefix(k).map(str::to_string))
                .unwrap()
        };
        assert_eq!(t.ufrag, line("a=ice-ufrag:"));
        assert_eq!(t.pwd, line("a=ice-pwd:"));
        let hex: Vec<String> = t.fingerprint.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(
            format!("sha-256 {}", hex.join(":")).to_uppercase(),
            line("a=fingerprint:").to_uppercase()
        );
        let offered = offer
            .lines()
            .filter(|l| l.contains("a=candidate:") && l.contains(" udp "))
            .count();
        assert!(offered > 0 && t.candidates.len() == offered, "{t:?}");
        let m_line = line("m=audio ");
        let formats: Vec<u8> = m_line
            .split_whitespace()
            .skip(2)
            .map(|f| f.parse().unwrap())
            .collect();
        assert_eq!(t.payload_types, formats);
    }

    #[test]
    fn a_missing_password_or_fingerprint_is_named() {
        let base = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:u\r\n";
        assert_eq!(
            transport(base).unwrap_err(),
            "the description has no a=ice-pwd"
        );
        let with_pwd = format!("{base}a=ice-pwd:p\r\na=fingerprint:sha-1 00:11\r\n");
        assert!(transport(&with_pwd).unwrap_err().contains("sha-256"));
    }
}
