//! The offer WhatsApp sends, and the way back.
//!
//! The wire offer has the exact shape of a real WhatsApp offer (session-level
//! ICE-lite, `a=mid:audio`, Opus at 111 with WhatsApp's fmtp, DTMF at 126,
//! one SSRC, host candidates, an ice-pwd ending in `==`), or the audio
//! section of any captured offer (`--offer-template`). The media peer behind
//! it is webrtc-rs, which names its own section `0`; `internal_answer`
//! translates the bridge's answer into the peer's terms, and `BusinessSdp`
//! keeps what the answer really said for the gate and the report.

use super::gate::BusinessSdp;
use crate::core::sdp::{LineKind, Sdp, parse_fmtp, parse_rtpmap};
use std::fmt::Write as _;
use std::net::SocketAddr;

/// The audio section a simulated WhatsApp offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioTemplate {
    pub mid: String,
    /// Formats on the `m=` line, in order.
    pub formats: Vec<String>,
    /// `a=rtpmap`, `a=rtcp-fb`, `a=fmtp`, `a=extmap` lines, in order, without `a=`.
    pub codec_lines: Vec<String>,
    /// `a=maxptime`, `a=ptime`, without `a=`.
    pub ptime_lines: Vec<String>,
    pub opus_pt: u8,
    pub opus_fmtp: String,
    pub dtmf_pt: Option<u8>,
    /// The SSRC's cname (WhatsApp: `WhatsAppAudioStream1`).
    pub cname: String,
    /// The msid track id (WhatsApp: `WhatsAppTrack1`).
    pub track_id: String,
}

impl AudioTemplate {
    /// The widest audio this caller captures (its Opus
    /// `sprop-maxcapturerate`), so the widest it codes.
    pub fn capture_hz(&self) -> Option<u32> {
        crate::core::sdp::parse_fmtp(&format!("{} {}", self.opus_pt, self.opus_fmtp))
            .ok()?
            .get("sprop-maxcapturerate")?
            .parse()
            .ok()
    }

    /// The shape of every real WhatsApp offer seen in 2025-2026 (whatsapp-calling.md §3.1).
    pub fn whatsapp() -> AudioTemplate {
        AudioTemplate {
            mid: "audio".into(),
            formats: vec!["111".into(), "126".into()],
            codec_lines: vec![
                "rtpmap:111 opus/48000/2".into(),
                "rtcp-fb:111 transport-cc".into(),
                format!("fmtp:111 {WHATSAPP_OPUS_FMTP}"),
                "rtpmap:126 telephone-event/8000".into(),
            ],
            ptime_lines: vec!["maxptime:20".into(), "ptime:20".into()],
            opus_pt: 111,
            opus_fmtp: WHATSAPP_OPUS_FMTP.into(),
            dtmf_pt: Some(126),
            cname: "WhatsAppAudioStream1".into(),
            track_id: "WhatsAppTrack1".into(),
        }
    }

    /// The audio section of a captured offer: codecs, fmtp, ptime and SSRC
    /// attributes; its transport (credentials, fingerprint, candidates) is
    /// replaced by the simulator's own.
    pub fn from_offer(text: &str) -> Result<AudioTemplate, String> {
        let sdp = Sdp::parse(text);
        let audio = sdp.audio().ok_or("the offer has no `m=audio` section")?;
        let mut t = AudioTemplate {
            mid: sdp
                .media_attrs(audio, "mid")
                .next()
                .map(|a| a.value_or_empty().to_string())
                .unwrap_or_else(|| "audio".into()),
            formats: audio.formats.clone(),
            codec_lines: Vec::new(),
            ptime_lines: Vec::new(),
            opus_pt: 0,
            opus_fmtp: String::new(),
            dtmf_pt: None,
            cname: "WhatsAppAudioStream1".into(),
            track_id: "WhatsAppTrack1".into(),
        };
        let mut opus = None;
        for a in sdp.attrs(audio.section) {
            let v = a.value_or_empty();
            let line = format!("{}:{v}", a.key);
            match a.key {
                "rtpmap" => {
                    let map =
                        parse_rtpmap(v).map_err(|e| format!("line {}: {e}", a.line.number))?;
                    if map.is("opus") {
                        opus = Some(map.pt.parse::<u8>().map_err(|e| e.to_string())?);
                    } else if map.is("telephone-event") && map.clock_rate == 8000 {
                        t.dtmf_pt = map.pt.parse().ok();
                    }
                    t.codec_lines.push(line);
                }
                "fmtp" | "rtcp-fb" | "extmap" => t.codec_lines.push(line),
                "ptime" | "maxptime" => t.ptime_lines.push(line),
                "ssrc" => {
                    if let Some(cname) = v
                        .split_once(' ')
                        .and_then(|(_, rest)| rest.strip_prefix("cname:"))
                    {
                        t.cname = cname.to_string();
                    }
                }
                "msid" => {
                    if let Some((_, track)) = v.split_once(' ') {
                        t.track_id = track.to_string();
                    }
                }
                _ => {}
            }
        }
        t.opus_pt = opus.ok_or("the offer's audio section has no Opus")?;
        t.opus_fmtp = sdp
            .media_attrs(audio, "fmtp")
            .filter_map(|a| parse_fmtp(a.value_or_empty()).ok())
            .find(|f| f.pt == t.opus_pt.to_string())
            .map(|f| {
                f.params
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .unwrap_or_default();
        Ok(t)
    }
}

pub const WHATSAPP_OPUS_FMTP: &str = "maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;sprop-maxcapturerate=16000;useinbandfec=1";

/// The simulator's own transport for one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transport {
    pub session_id: u64,
    pub ice_ufrag: String,
    pub ice_pwd: String,
    /// `AB:CD:...`, the sha-256 of the peer's certificate.
    pub fingerprint: String,
    pub candidates: Vec<SocketAddr>,
    pub ssrc: u32,
    pub stream_id: String,
}

/// The wire offer, CRLF line endings, trailing CRLF, as WhatsApp sends it.
pub fn build_offer(t: &AudioTemplate, tr: &Transport) -> String {
    let mut s = String::new();
    let mut line = |l: &str| {
        s.push_str(l);
        s.push_str("\r\n");
    };
    line("v=0");
    line(&format!("o=- {} 2 IN IP4 127.0.0.1", tr.session_id));
    line("s=-");
    line("t=0 0");
    line(&format!("a=group:BUNDLE {}", t.mid));
    line(&format!("a=msid-semantic: WMS {}", tr.stream_id));
    line("a=ice-lite");
    let first = tr
        .candidates
        .first()
        .copied()
        .unwrap_or_else(|| "0.0.0.0:9".parse().unwrap());
    line(&format!(
        "m=audio {} UDP/TLS/RTP/SAVPF {}",
        first.port(),
        t.formats.join(" ")
    ));
    let family = if first.is_ipv4() { "IP4" } else { "IP6" };
    line(&format!("c=IN {family} {}", first.ip()));
    line("a=rtcp:9 IN IP4 0.0.0.0");
    for c in &tr.candidates {
        // WhatsApp's IPv4 and IPv6 host priorities (whatsapp-calling.md §3.1).
        let priority = if c.is_ipv4() {
            2122260223u32
        } else {
            2122262783
        };
        let foundation = foundation(&c.ip().to_string());
        line(&format!(
            "a=candidate:{foundation} 1 udp {priority} {} {} typ host generation 0 network-cost 50",
            c.ip(),
            c.port()
        ));
    }
    line(&format!("a=ice-ufrag:{}", tr.ice_ufrag));
    line(&format!("a=ice-pwd:{}", tr.ice_pwd));
    line(&format!("a=fingerprint:sha-256 {}", tr.fingerprint));
    line("a=setup:actpass");
    line(&format!("a=mid:{}", t.mid));
    line("a=sendrecv");
    line(&format!("a=msid:{} {}", tr.stream_id, t.track_id));
    line("a=rtcp-mux");
    for c in &t.codec_lines {
        line(&format!("a={c}"));
    }
    for p in &t.ptime_lines {
        line(&format!("a={p}"));
    }
    line(&format!("a=ssrc:{} cname:{}", tr.ssrc, t.cname));
    s
}

/// A stable 32-bit foundation per address, as ICE agents derive them.
fn foundation(address: &str) -> u32 {
    crc32fast::hash(address.as_bytes())
}

/// What the answer says, for the gate and the report.
pub fn answer_facts(answer: &str) -> BusinessSdp {
    let sdp = Sdp::parse(answer);
    let audio = sdp.audio();
    BusinessSdp {
        ice_lite: !sdp.scoped_attrs(audio, "ice-lite").is_empty(),
        setup: sdp
            .scoped_value(audio, "setup")
            .map(|a| a.value_or_empty().to_string()),
        ice_ufrag: sdp
            .scoped_value(audio, "ice-ufrag")
            .map(|a| a.value_or_empty().to_string()),
    }
}

/// The bridge's answer in the media peer's own terms: its mid, no ICE-lite
/// (the gate plays that part), the peer always the DTLS server (WhatsApp
/// never starts DTLS), no header extensions it did not offer.
pub fn internal_answer(answer: &str, wire_mid: &str, internal_mid: &str) -> String {
    let sdp = Sdp::parse(answer);
    let mut out = String::with_capacity(answer.len());
    for line in &sdp.lines {
        let text = &line.text;
        if line.kind != LineKind::Field('a') {
            let _ = write!(out, "{text}\r\n");
            continue;
        }
        let (key, value) = line.attribute().unwrap_or(("", None));
        let rewritten = match (key, value) {
            ("ice-lite", _) | ("extmap", _) | ("extmap-allow-mixed", _) | ("ice-options", _) => {
                continue;
            }
            ("setup", _) => "a=setup:active".to_string(),
            ("mid", Some(m)) if m == wire_mid => format!("a=mid:{internal_mid}"),
            ("group", Some(g)) if g.starts_with("BUNDLE") => {
                let mids: Vec<&str> = g
                    .split(' ')
                    .skip(1)
                    .map(|m| if m == wire_mid { internal_mid } else { m })
                    .collect();
                format!("a=group:BUNDLE {}", mids.join(" "))
            }
            _ => text.clone(),
        };
        let _ = write!(out, "{rewritten}\r\n");
    }
    out
}

/// WhatsApp's answer to a business offer: the peer's own answer, with its
/// media address as its one host candidate (WhatsApp-style priorities)
/// in place of what webrtc-rs wrote.
pub fn wire_answer(local: &str, front: SocketAddr) -> String {
    let sdp = Sdp::parse(local);
    let mut out = String::with_capacity(local.len());
    for line in &sdp.lines {
        let text = line.text.as_str();
        let (key, _) = line.attribute().unwrap_or(("", None));
        if key == "candidate" || key == "end-of-candidates" {
            continue;
        }
        if line.kind == LineKind::Field('m') {
            let rest = text
                .split_once(' ')
                .and_then(|(_, r)| r.split_once(' '))
                .map(|(_, r)| r)
                .unwrap_or("");
            let _ = write!(out, "m=audio {} {rest}\r\n", front.port());
            continue;
        }
        if line.kind == LineKind::Field('c')
            && sdp.media.iter().any(|m| line.number > m.section.start)
        {
            let family = if front.is_ipv4() { "IP4" } else { "IP6" };
            let _ = write!(out, "c=IN {family} {}\r\n", front.ip());
            let priority = if front.is_ipv4() {
                2122260223u32
            } else {
                2122262783
            };
            let _ = write!(
                out,
                "a=candidate:{} 1 udp {priority} {} {} typ host generation 0 network-cost 50\r\n",
                foundation(&front.ip().to_string()),
                front.ip(),
                front.port()
            );
            continue;
        }
        let _ = write!(out, "{text}\r\n");
    }
    out
}

/// 16 alphanumeric characters, like WhatsApp's ufrag.
pub fn random_ufrag(rng: &mut impl FnMut() -> u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..16)
        .map(|_| ALPHABET[(rng() % ALPHABET.len() as u64) as usize] as char)
        .collect()
}

/// 16 random bytes in base64: 24 characters ending in `==`, like WhatsApp's ice-pwd.
pub fn random_pwd(rng: &mut impl FnMut() -> u64) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes: Vec<u8> = (0..16).map(|_| rng() as u8).collect();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

#[cfg(test)]
#[path = "offer_tests.rs"]
mod tests;
