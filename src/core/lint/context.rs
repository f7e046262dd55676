//! Findings and the helpers rules use to report them at a line and column.

use super::{Role, SdpKind, Subject, registry::Rule};
use crate::core::sdp::{Media, Sdp};

/// Which text a finding's line and column count in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// The SDP itself (inside its JSON container, if any).
    Sdp,
    /// The JSON file that carried the SDP (a Graph API request body).
    Container,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static Rule,
    /// The input the finding is in.
    pub input: SdpKind,
    pub place: Place,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Characters to underline.
    pub width: usize,
    pub message: String,
    /// A fix specific to this finding; the rule's general hint otherwise.
    pub hint: Option<String>,
}

impl Finding {
    pub fn hint(&self) -> &str {
        self.hint.as_deref().unwrap_or(self.rule.hint)
    }
}

/// What a single-SDP rule sees.
pub(super) struct Ctx<'a> {
    pub sdp: &'a Sdp,
    pub role: Role,
    pub audio: Option<&'a Media>,
    pub subject: Subject<'a>,
    /// Linted together with its counterpart: rules that depend on the other
    /// side leave the judgement to the pair checks.
    pub paired: bool,
    out: &'a mut Vec<Finding>,
}

impl<'a> Ctx<'a> {
    pub fn new(subject: Subject<'a>, paired: bool, out: &'a mut Vec<Finding>) -> Self {
        Ctx {
            sdp: subject.sdp,
            role: subject.role,
            audio: subject.sdp.audio(),
            subject,
            paired,
            out,
        }
    }

    /// Reports at a whole line (0-based index into the SDP's lines).
    pub fn at_line(&mut self, rule: &'static Rule, idx: usize, message: String) -> &mut Finding {
        report_line(self.sdp, self.role.kind, self.out, rule, idx, None, message)
    }

    /// Reports at the first occurrence of `needle` on a line, or the whole line.
    pub fn at(
        &mut self,
        rule: &'static Rule,
        idx: usize,
        needle: &str,
        message: String,
    ) -> &mut Finding {
        report_line(
            self.sdp,
            self.role.kind,
            self.out,
            rule,
            idx,
            Some(needle),
            message,
        )
    }

    /// Reports at the audio section's `m=` line (or line 1): for things that are missing.
    pub fn missing(&mut self, rule: &'static Rule, message: String) -> &mut Finding {
        let idx = self.sdp.anchor(self.audio);
        self.at_line(rule, idx, message)
    }

    /// Reports at a position in the JSON container.
    pub fn in_container(
        &mut self,
        rule: &'static Rule,
        line: usize,
        column: usize,
        width: usize,
        message: String,
    ) {
        self.out.push(Finding {
            rule,
            input: self.role.kind,
            place: super::Place::Container,
            line,
            column,
            width,
            message,
            hint: None,
        });
    }
}

/// What a pair rule sees; findings go into the answer.
pub(super) struct PairCtx<'a> {
    pub offer: &'a Sdp,
    pub answer: &'a Sdp,
    pub offer_audio: Option<&'a Media>,
    pub answer_audio: Option<&'a Media>,
    pub answer_role: Role,
    out: &'a mut Vec<Finding>,
}

impl<'a> PairCtx<'a> {
    pub fn new(offer: Subject<'a>, answer: Subject<'a>, out: &'a mut Vec<Finding>) -> Self {
        PairCtx {
            offer: offer.sdp,
            answer: answer.sdp,
            offer_audio: offer.sdp.audio(),
            answer_audio: answer.sdp.audio(),
            answer_role: answer.role,
            out,
        }
    }

    pub fn at(
        &mut self,
        rule: &'static Rule,
        idx: usize,
        needle: &str,
        message: String,
    ) -> &mut Finding {
        report_line(
            self.answer,
            SdpKind::Answer,
            self.out,
            rule,
            idx,
            Some(needle),
            message,
        )
    }

    pub fn missing(&mut self, rule: &'static Rule, message: String) -> &mut Finding {
        let idx = self.answer.anchor(self.answer_audio);
        report_line(
            self.answer,
            SdpKind::Answer,
            self.out,
            rule,
            idx,
            None,
            message,
        )
    }
}

fn report_line<'o>(
    sdp: &Sdp,
    input: SdpKind,
    out: &'o mut Vec<Finding>,
    rule: &'static Rule,
    idx: usize,
    needle: Option<&str>,
    message: String,
) -> &'o mut Finding {
    let (line, column, width) = match sdp.lines.get(idx) {
        None => (1, 1, 1),
        Some(l) => match needle
            .filter(|n| !n.is_empty())
            .and_then(|n| Some((l.column_of(n)?, n)))
        {
            Some((col, n)) => (l.number, col, n.chars().count()),
            None => (l.number, 1, l.width()),
        },
    };
    out.push(Finding {
        rule,
        input,
        place: super::Place::Sdp,
        line,
        column,
        width,
        message,
        hint: None,
    });
    out.last_mut().expect("just pushed")
}

impl Finding {
    /// Replaces the rule's general hint with one for this finding.
    pub fn with_hint(&mut self, hint: impl Into<String>) {
        self.hint = Some(hint.into());
    }
}
