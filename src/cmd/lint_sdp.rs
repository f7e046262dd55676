//! `wacall lint-sdp`: read up to two inputs, decide their roles, lint, print.

use super::{read_input, write_failed};
use crate::cli::{DirectionArg, LintSdpArgs};
use crate::core::input::{self, CallDirection, Input, InputError};
use crate::core::lint::{self, Counts, SdpKind, find_rule};
use crate::core::sdp::Sdp;
use crate::error::CliError;
use crate::output::{Term, lint as render};
use std::path::PathBuf;

pub fn run(args: &LintSdpArgs, term: &Term) -> Result<u8, CliError> {
    if args.list_rules {
        let r = if term.json {
            term.json_doc(&render::rules_json())
        } else {
            term.out(&render::rules_human(&term.out_style))
        };
        r.map_err(write_failed)?;
        return Ok(0);
    }
    if let Some(key) = &args.explain {
        let rule = find_rule(key).ok_or_else(|| {
            CliError::usage(format!("no rule `{key}`"))
                .hint("`wacall lint-sdp --list-rules` lists the codes and names")
        })?;
        let r = if term.json {
            term.json_doc(&render::explain_json(rule))
        } else {
            term.out(&render::explain_human(rule, &term.out_style))
        };
        r.map_err(write_failed)?;
        return Ok(0);
    }

    let slots = assign_paths(args)?;
    let mut loaded: Vec<(Option<SdpKind>, String, Input)> = Vec::new();
    for (slot, path) in slots {
        let (label, bytes) = read_input(&path)?;
        let input = input::detect(&bytes).map_err(|e| unreadable(&label, e))?;
        if let (Some(slot), Some(declared)) = (slot, input.declared)
            && slot != declared
        {
            return Err(CliError::usage(format!(
                "`{label}` holds an {} ({}), but was given as the {}",
                declared.as_str(),
                input.detected.describe(),
                slot.as_str()
            ))
            .hint(format!("pass it as the {}", declared.as_str())));
        }
        loaded.push((slot, label, input));
    }
    let refs: Vec<&Input> = loaded.iter().map(|(_, _, i)| i).collect();
    let flag = args.direction.map(|d| match d {
        DirectionArg::UserInitiated => CallDirection::UserInitiated,
        DirectionArg::BusinessInitiated => CallDirection::BusinessInitiated,
    });
    let (direction, source) = input::call_direction(flag, &refs);

    let kind_of = |slot: &Option<SdpKind>, i: &Input| slot.unwrap_or_else(|| input::guess_kind(i));
    let by_kind = |kind: SdpKind| loaded.iter().find(|(slot, _, i)| kind_of(slot, i) == kind);
    let (offer, answer) = (by_kind(SdpKind::Offer), by_kind(SdpKind::Answer));
    let checked = lint::check(offer.map(|x| &x.2), answer.map(|x| &x.2), direction);

    type Loaded = (Option<SdpKind>, String, Input);
    fn linted<'a>(
        entry: Option<&'a Loaded>,
        sdp: Option<&'a Sdp>,
        kind: SdpKind,
        direction: CallDirection,
    ) -> Option<render::Linted<'a>> {
        let ((_, label, input), sdp) = (entry?, sdp?);
        Some(render::Linted {
            label: label.clone(),
            input,
            sdp,
            role: input::role_in(direction, kind),
        })
    }
    let report = render::Report {
        inputs: [
            linted(offer, checked.offer.as_ref(), SdpKind::Offer, direction),
            linted(answer, checked.answer.as_ref(), SdpKind::Answer, direction),
        ]
        .into_iter()
        .flatten()
        .collect(),
        findings: &checked.findings,
        direction,
        direction_source: source,
    };
    let r = if term.json {
        term.json_doc(&render::json(&report))
    } else {
        term.out(&render::human(&report, &term.out_style))
    };
    r.map_err(write_failed)?;

    let c = Counts::of(&checked.findings);
    Ok(u8::from(
        c.errors > 0 || (args.deny_warnings && c.warnings > 0),
    ))
}

/// Which path is the offer and which the answer; `None` means "decide from the content".
fn assign_paths(args: &LintSdpArgs) -> Result<Vec<(Option<SdpKind>, PathBuf)>, CliError> {
    let positional: Vec<PathBuf> = [&args.first, &args.second]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let too_many = || {
        CliError::usage("more than one offer or answer given")
            .hint("pass at most one offer (OFFER or --offer) and one answer (ANSWER or --answer)")
    };
    let slots = match (&args.offer, &args.answer, positional.as_slice()) {
        (None, None, []) => {
            return Err(CliError::usage("nothing to lint")
                .hint("pass an offer and/or an answer: `wacall lint-sdp offer.sdp answer.sdp` (`-` reads stdin)"));
        }
        (None, None, [one]) => vec![(None, one.clone())],
        (None, None, [o, a]) => vec![
            (Some(SdpKind::Offer), o.clone()),
            (Some(SdpKind::Answer), a.clone()),
        ],
        (Some(o), None, rest) if rest.len() <= 1 => {
            let mut v = vec![(Some(SdpKind::Offer), o.clone())];
            v.extend(rest.iter().map(|a| (Some(SdpKind::Answer), a.clone())));
            v
        }
        (None, Some(a), rest) if rest.len() <= 1 => {
            let mut v: Vec<_> = rest
                .iter()
                .map(|o| (Some(SdpKind::Offer), o.clone()))
                .collect();
            v.push((Some(SdpKind::Answer), a.clone()));
            v
        }
        (Some(o), Some(a), []) => vec![
            (Some(SdpKind::Offer), o.clone()),
            (Some(SdpKind::Answer), a.clone()),
        ],
        _ => return Err(too_many()),
    };
    if slots.iter().filter(|(_, p)| p.as_os_str() == "-").count() > 1 {
        return Err(CliError::usage("stdin (`-`) given twice")
            .hint("read one input from stdin and the other from a file"));
    }
    Ok(slots)
}

fn unreadable(label: &str, e: InputError) -> CliError {
    let hint = match &e {
        InputError::Empty => {
            "pass a file holding an SDP, a webhook body or a Graph API request body"
        }
        InputError::Binary(_) => "pass the SDP as text (a .sdp file, or the JSON that carries it)",
        InputError::TooLarge(..) => "pass the SDP itself, or the webhook body that carries it",
        InputError::Json { .. } => "fix the JSON, or pass the SDP itself",
        InputError::NoSdp(_) => {
            "pass a `connect` webhook, or a pre_accept/accept/connect request body, or the SDP itself"
        }
        InputError::NotSdp(_) => {
            "an SDP starts with `v=0`; check that the file holds the SDP and not something else"
        }
    };
    CliError::usage(format!("cannot lint `{label}`"))
        .because(e)
        .hint(hint)
}
