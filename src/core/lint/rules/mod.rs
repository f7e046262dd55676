//! The checks, one file per family. `check_one` runs every single-SDP rule;
//! each decides from the role whether it applies.

pub(super) mod codec;
pub(super) mod dtls;
pub(super) mod graph;
pub(super) mod ice;
pub(super) mod media;
pub(super) mod pair;
pub(super) mod summary;
pub(super) mod syntax;

use super::context::{Ctx, Finding, PairCtx};
use super::{Subject, registry::Rule};

pub(super) fn check_one(subject: Subject, paired: bool, out: &mut Vec<Finding>) {
    let mut ctx = Ctx::new(subject, paired, out);
    syntax::check(&mut ctx);
    ice::check(&mut ctx);
    dtls::check(&mut ctx);
    media::check(&mut ctx);
    codec::check(&mut ctx);
    graph::check(&mut ctx);
    summary::check(&mut ctx);
}

pub(super) fn check_pair(offer: Subject, answer: Subject, out: &mut Vec<Finding>) {
    let mut ctx = PairCtx::new(offer, answer, out);
    pair::check(&mut ctx);
    dtls::check_pair(&mut ctx);
    codec::check_pair(&mut ctx);
}

/// Shorthand for the rule tables in each family.
#[allow(clippy::too_many_arguments)]
pub(super) const fn rule(
    code: &'static str,
    name: &'static str,
    severity: super::Severity,
    summary: &'static str,
    applies_to: &'static str,
    hint: &'static str,
    meta_error: Option<&'static str>,
    doc: &'static str,
) -> Rule {
    Rule {
        code,
        name,
        severity,
        summary,
        applies_to,
        hint,
        meta_error,
        doc,
    }
}
