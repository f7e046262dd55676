//! The table of rules: what `--list-rules`, `--explain`, the man page and
//! the per-rule tests walk over. Each rule's `static` lives next to its check.

use super::Severity;
use super::rules::{codec, dtls, graph, ice, media, pair, summary, syntax};

/// A rule's identity and documentation. Stable: codes and names never change meaning.
#[derive(Debug)]
pub struct Rule {
    /// `WA003`.
    pub code: &'static str,
    /// `business-ice-lite`: kebab-case, for people.
    pub name: &'static str,
    pub severity: Severity,
    /// One line for `--list-rules`.
    pub summary: &'static str,
    /// Which SDPs the rule checks, in words.
    pub applies_to: &'static str,
    /// The general fix, shown as `help:`.
    pub hint: &'static str,
    /// What Meta does when this reaches it, when known.
    pub meta_error: Option<&'static str>,
    /// Markdown: what it checks, why it breaks calls, bad and good examples, source.
    pub doc: &'static str,
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}
impl Eq for Rule {}

pub static RULES: &[&Rule] = &[
    &syntax::MALFORMED_LINE,
    &syntax::LF_LINE_ENDINGS,
    &ice::BUSINESS_ICE_LITE,
    &dtls::DTLS_SETUP,
    &dtls::FINGERPRINT_COUNT,
    &dtls::FINGERPRINT_ALGORITHM,
    &ice::ICE_CREDENTIALS,
    &ice::NO_CANDIDATES,
    &ice::PRIVATE_CANDIDATES_ONLY,
    &ice::TRICKLE_ICE,
    &dtls::TRANSPORT_PROFILE,
    &dtls::SDES_CRYPTO,
    &media::MEDIA_SECTIONS,
    &codec::OPUS_MISSING,
    &pair::OPUS_PAYLOAD_TYPE,
    &codec::OPUS_FMTP,
    &codec::TELEPHONE_EVENT_MISSING,
    &codec::EXTRA_CODECS,
    &media::PTIME,
    &media::MULTIPLE_SSRC,
    &media::DIRECTION,
    &media::RTCP_MUX,
    &pair::MID_MISMATCH,
    &pair::BUNDLE_MISMATCH,
    &pair::NOT_IN_OFFER,
    &dtls::DTLS_ROLE_CONFLICT,
    &syntax::MALFORMED_ATTRIBUTE,
    &graph::GRAPH_SDP_TYPE,
    &graph::GRAPH_BODY,
    &syntax::ESCAPED_NEWLINES,
    &summary::WHATSAPP_SDP_SUMMARY,
];

/// By code (`WA003`, any case) or name (`business-ice-lite`).
pub fn find_rule(key: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(key) || r.name == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for r in RULES {
            assert!(codes.insert(r.code), "duplicate code {}", r.code);
            assert!(names.insert(r.name), "duplicate name {}", r.name);
            assert!(r.code.len() == 5 && r.code.starts_with("WA"), "{}", r.code);
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                r.name
            );
        }
    }

    #[test]
    fn every_rule_is_documented_in_the_template() {
        for r in RULES {
            for section in [
                "## What it checks",
                "## Why it breaks calls",
                "## Bad",
                "## Good",
                "## Source",
            ] {
                assert!(r.doc.contains(section), "{} lacks `{section}`", r.code);
            }
            assert!(
                r.doc.contains("../shared/reference/"),
                "{} names no reference file",
                r.code
            );
            assert!(!r.hint.is_empty() && !r.summary.is_empty(), "{}", r.code);
        }
    }

    #[test]
    fn lookup_by_code_or_name() {
        assert_eq!(find_rule("wa003").unwrap().name, "business-ice-lite");
        assert_eq!(find_rule("business-ice-lite").unwrap().code, "WA003");
        assert!(find_rule("WA999").is_none());
    }
}
