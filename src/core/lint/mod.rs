//! WhatsApp's SDP rules as data: each rule is a documented unit with a stable
//! code, and checking is a pure function from SDP text to findings.
//!
//! An SDP plays one of four roles (who wrote it, offer or answer); each rule
//! checks the roles it is about. Pair rules compare an offer with its answer
//! and point into the answer.

mod context;
mod registry;
mod rules;

pub use context::{Finding, Place};
pub use registry::{RULES, Rule, find_rule};

use crate::core::input::{self, CallDirection, GraphFacts, Input};
use crate::core::sdp::Sdp;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Who wrote an SDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Author {
    Business,
    WhatsApp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SdpKind {
    Offer,
    Answer,
}

impl SdpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SdpKind::Offer => "offer",
            SdpKind::Answer => "answer",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Role {
    pub author: Author,
    pub kind: SdpKind,
}

impl Role {
    pub fn describe(self) -> &'static str {
        match (self.author, self.kind) {
            (Author::WhatsApp, SdpKind::Offer) => "WhatsApp's offer",
            (Author::WhatsApp, SdpKind::Answer) => "WhatsApp's answer",
            (Author::Business, SdpKind::Offer) => "business offer",
            (Author::Business, SdpKind::Answer) => "business answer",
        }
    }

    pub fn is_business(self) -> bool {
        self.author == Author::Business
    }
}

/// One SDP to check, with what the input around it said.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub sdp: &'a Sdp,
    pub role: Role,
    /// Facts about the Graph API request body the SDP came in, if it came in one.
    pub graph: Option<&'a GraphFacts>,
    /// The SDP text held literal `\r\n` escapes that had to be decoded.
    pub escaped_newlines: bool,
}

/// Checks an offer, an answer, or both, and returns the findings sorted by
/// input (offer first), line and code.
pub fn lint(offer: Option<Subject>, answer: Option<Subject>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let paired = offer.is_some() && answer.is_some();
    for subject in [offer, answer].into_iter().flatten() {
        rules::check_one(subject, paired, &mut findings);
    }
    if let (Some(offer), Some(answer)) = (offer, answer) {
        rules::check_pair(offer, answer, &mut findings);
    }
    findings.sort_by(|a, b| {
        (a.input, a.place, a.line, a.column, a.rule.code).cmp(&(
            b.input,
            b.place,
            b.line,
            b.column,
            b.rule.code,
        ))
    });
    findings.dedup_by(|a, b| {
        a.rule.code == b.rule.code
            && a.input == b.input
            && a.line == b.line
            && a.message == b.message
    });
    findings
}

/// The parsed SDPs of a check and its findings.
#[derive(Debug, Clone)]
pub struct Checked {
    pub offer: Option<Sdp>,
    pub answer: Option<Sdp>,
    pub findings: Vec<Finding>,
}

/// Parses and lints detected inputs in the roles `direction` gives them.
pub fn check(offer: Option<&Input>, answer: Option<&Input>, direction: CallDirection) -> Checked {
    let offer_sdp = offer.map(|i| Sdp::parse(&i.sdp));
    let answer_sdp = answer.map(|i| Sdp::parse(&i.sdp));
    fn subject<'a>(
        i: &'a Input,
        sdp: &'a Sdp,
        direction: CallDirection,
        kind: SdpKind,
    ) -> Subject<'a> {
        Subject {
            sdp,
            role: input::role_in(direction, kind),
            graph: i.graph.as_ref(),
            escaped_newlines: i.escaped_newlines,
        }
    }
    let findings = lint(
        offer
            .zip(offer_sdp.as_ref())
            .map(|(i, s)| subject(i, s, direction, SdpKind::Offer)),
        answer
            .zip(answer_sdp.as_ref())
            .map(|(i, s)| subject(i, s, direction, SdpKind::Answer)),
    );
    Checked {
        offer: offer_sdp,
        answer: answer_sdp,
        findings,
    }
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of(findings: &[Finding]) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            match f.rule.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }
}
