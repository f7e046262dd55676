//! Line grammar (RFC 8866 §5), line endings, and the grammar of the
//! attributes other rules rely on.

use super::super::Severity::{Error, Warning};
use super::super::{context::Ctx, registry::Rule};
use super::rule;
use crate::core::sdp::{Ending, LineKind, parse_candidate, parse_fmtp, parse_rtpmap};

pub static MALFORMED_LINE: Rule = rule(
    "WA001",
    "malformed-line",
    Error,
    "a line breaks the RFC 8866 grammar: `<type>=<value>`, known types, required order",
    "every SDP",
    "write each line as `<letter>=<value>` with no spaces around `=`, in RFC 8866 order: v o s [i u e p c b] t [r z k] a, then m [i c b k] a per section",
    Some("the Graph API refuses the request: \"Invalid Connection info, for example, sdp, ice\""),
    include_str!("../docs/WA001.md"),
);

pub static LF_LINE_ENDINGS: Rule = rule(
    "WA002",
    "lf-line-endings",
    Warning,
    "the business SDP uses LF (or CR) line endings where Meta asks for CRLF",
    "business offer and answer",
    "end every line with CRLF (`\\r\\n`), including the last one; in JSON that is the two escapes `\\r\\n`",
    None,
    include_str!("../docs/WA002.md"),
);

pub static MALFORMED_ATTRIBUTE: Rule = rule(
    "WA027",
    "malformed-attribute",
    Error,
    "an attribute the call depends on has a value that does not parse, or conflicts with an earlier one",
    "every SDP",
    "fix the value to its RFC grammar, and state single-valued attributes (setup, mid, ice-ufrag, ice-pwd, ptime) once per section",
    Some("the Graph API refuses the request: \"Invalid Connection info, for example, sdp, ice\""),
    include_str!("../docs/WA027.md"),
);

pub static ESCAPED_NEWLINES: Rule = rule(
    "WA030",
    "escaped-newlines",
    Error,
    "the SDP holds literal `\\r\\n` escapes instead of line breaks (JSON-encoded twice)",
    "every SDP",
    "encode the SDP into JSON once: serialise the string itself, not a string that already holds `\\\\r\\\\n`",
    Some("the Graph API refuses the request: the whole SDP reads as one malformed line"),
    include_str!("../docs/WA030.md"),
);

pub(super) fn check(ctx: &mut Ctx) {
    if ctx.subject.escaped_newlines {
        ctx.at_line(
            &ESCAPED_NEWLINES,
            0,
            "the SDP came with literal `\\r\\n` escapes, not line breaks; it was decoded here to check the rest".into(),
        );
    }
    lines(ctx);
    order(ctx);
    endings(ctx);
    attributes(ctx);
}

const KNOWN_TYPES: &str = "vosiuepcbtrzkam";

fn lines(ctx: &mut Ctx) {
    let sdp = ctx.sdp;
    let last_field = sdp.lines.iter().rposition(|l| l.kind != LineKind::Blank);
    for (idx, line) in sdp.lines.iter().enumerate() {
        match &line.kind {
            LineKind::Malformed(reason) => {
                ctx.at_line(&MALFORMED_LINE, idx, format!("malformed line: {reason}"));
            }
            LineKind::Blank if last_field.is_some_and(|l| idx < l) => {
                ctx.at_line(&MALFORMED_LINE, idx, "empty line inside the SDP".into());
            }
            LineKind::Field(t) if !KNOWN_TYPES.contains(*t) => {
                ctx.at_line(&MALFORMED_LINE, idx, format!("unknown line type `{t}=`"));
            }
            LineKind::Field(t) => {
                if let Some(problem) = field_problem(*t, line.value()) {
                    ctx.at_line(&MALFORMED_LINE, idx, problem);
                }
            }
            LineKind::Blank => {}
        }
    }
}

/// The grammar of the fields the rules read.
fn field_problem(t: char, value: &str) -> Option<String> {
    let f: Vec<&str> = value.split(' ').collect();
    match t {
        'v' if value != "0" => Some(format!("`v={value}`: the only SDP version is 0")),
        'o' if f.len() != 6 => Some(format!(
            "`o=` needs 6 fields (username sess-id sess-version nettype addrtype address), found {}",
            f.len()
        )),
        'c' if f.len() != 3 || f[0] != "IN" || !matches!(f[1], "IP4" | "IP6") => {
            Some("`c=` must read `IN IP4 <address>` or `IN IP6 <address>`".into())
        }
        't' if f.len() != 2 || f.iter().any(|n| n.parse::<u64>().is_err()) => {
            Some("`t=` must be two numbers, e.g. `t=0 0`".into())
        }
        'm' if f.len() < 4 => Some(
            "`m=` needs `<media> <port> <proto> <format>...`, e.g. `m=audio 9 UDP/TLS/RTP/SAVPF 111 126`".into(),
        ),
        'm' if f[1].split('/').next().and_then(|p| p.parse::<u16>().ok()).is_none() => {
            Some(format!("`m=` port `{}` is not a number in 0-65535", f[1]))
        }
        'm' if let Some(dup) = f[3..].iter().enumerate().find(|(i, x)| f[3..*i + 3].contains(x)) => {
            Some(format!("`m=` lists format {} twice", dup.1))
        }
        _ => None,
    }
}

/// RFC 8866 §5 fixes the order of lines within the session and media sections.
fn order(ctx: &mut Ctx) {
    let sdp = ctx.sdp;
    let first = sdp.lines.iter().position(|l| l.kind != LineKind::Blank);
    match first.map(|i| (i, &sdp.lines[i].kind)) {
        Some((_, LineKind::Field('v'))) => {}
        Some((i, _)) => {
            ctx.at_line(&MALFORMED_LINE, i, "an SDP must start with `v=0`".into());
            return;
        }
        None => return,
    }
    for t in ['o', 's', 't'] {
        if sdp.field(sdp.session, t).is_none() {
            ctx.at_line(
                &MALFORMED_LINE,
                0,
                format!("the session section has no `{t}=` line"),
            );
        }
    }
    let session_rank = |t: char| {
        "vosiuepcbt".find(t).or(match t {
            'r' => Some(9),
            'z' => Some(10),
            'k' => Some(11),
            'a' => Some(12),
            _ => None,
        })
    };
    check_order(
        ctx,
        sdp.session.start,
        sdp.session.end,
        &session_rank,
        "v o s i u e p c b t r z k a",
    );
    for m in &sdp.media {
        let media_rank = |t: char| "micbka".find(t);
        check_order(
            ctx,
            m.section.start,
            m.section.end,
            &media_rank,
            "m i c b k a",
        );
    }
}

fn check_order(
    ctx: &mut Ctx,
    start: usize,
    end: usize,
    rank: &dyn Fn(char) -> Option<usize>,
    expected: &str,
) {
    let mut highest: Option<(usize, char)> = None;
    for idx in start..end {
        let LineKind::Field(t) = ctx.sdp.lines[idx].kind else {
            continue;
        };
        if !KNOWN_TYPES.contains(t) {
            continue;
        }
        match (rank(t), highest) {
            (None, _) => {
                ctx.at_line(
                    &MALFORMED_LINE,
                    idx,
                    format!("`{t}=` does not belong in this section (order: {expected})"),
                );
            }
            (Some(r), Some((h, prev))) if r < h => {
                ctx.at_line(
                    &MALFORMED_LINE,
                    idx,
                    format!("`{t}=` comes after `{prev}=` (order: {expected})"),
                );
            }
            (Some(r), _) => {
                if highest.is_none_or(|(h, _)| r >= h) {
                    highest = Some((r, t));
                }
            }
        }
    }
}

fn endings(ctx: &mut Ctx) {
    if !ctx.role.is_business() {
        return;
    }
    let lines = &ctx.sdp.lines;
    let bad: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].ending != Ending::CrLf)
        .collect();
    let Some(&first) = bad.first() else { return };
    let count = |e: Ending| bad.iter().filter(|&&i| lines[i].ending == e).count();
    let (lf, cr, none) = (count(Ending::Lf), count(Ending::Cr), count(Ending::Eof));
    let mut parts = Vec::new();
    if lf > 0 {
        parts.push(format!("{lf} of {} lines end in LF", lines.len()));
    }
    if cr > 0 {
        parts.push(format!("{cr} in a lone CR"));
    }
    if none > 0 {
        parts.push("the last line has no line ending".to_string());
    }
    let message = format!("{}; Meta asks for CRLF after every line", parts.join(", "));
    ctx.at_line(&LF_LINE_ENDINGS, first, message);
}

fn attributes(ctx: &mut Ctx) {
    let sdp = ctx.sdp;
    let mut sections = vec![sdp.session];
    sections.extend(sdp.media.iter().map(|m| m.section));
    for section in sections {
        let mut seen: Vec<(&str, &str, usize)> = Vec::new();
        for a in sdp.attrs(section) {
            let v = a.value_or_empty();
            let problem = match a.key {
                "rtpmap" => parse_rtpmap(v).err(),
                "fmtp" => parse_fmtp(v).err(),
                "candidate" => parse_candidate(v).err(),
                "setup" if !matches!(v, "active" | "passive" | "actpass" | "holdconn") => Some(
                    format!("`{v}` is not a setup role; use active, passive, actpass or holdconn"),
                ),
                "fingerprint" => fingerprint_form(v),
                "ssrc" => ssrc_form(v),
                "mid" | "ice-ufrag" | "ice-pwd" if v.is_empty() => {
                    Some("the value is empty".into())
                }
                "ptime" | "maxptime" if v.parse::<f32>().map(|n| n <= 0.0).unwrap_or(true) => {
                    Some(format!("`{v}` is not a positive number of milliseconds"))
                }
                "extmap" => extmap_form(v),
                "group" if v.split(' ').count() < 2 => {
                    Some("expected `<semantics> <mid>...`".into())
                }
                _ => None,
            };
            if let Some(p) = problem {
                ctx.at_line(&MALFORMED_ATTRIBUTE, a.idx, format!("`a={}`: {p}", a.key));
            }
            if matches!(
                a.key,
                "setup" | "mid" | "ice-ufrag" | "ice-pwd" | "ptime" | "maxptime"
            ) {
                match seen.iter().find(|(k, _, _)| *k == a.key) {
                    Some((_, prev, line)) if *prev != v => {
                        ctx.at_line(
                            &MALFORMED_ATTRIBUTE,
                            a.idx,
                            format!(
                                "a second `a={}` (`{v}`) conflicts with `{prev}` on line {line}",
                                a.key
                            ),
                        );
                    }
                    Some(_) => {}
                    None => seen.push((a.key, v, a.line.number)),
                }
            }
        }
    }
}

fn fingerprint_form(v: &str) -> Option<String> {
    match v.split_once(' ') {
        Some((algo, hex)) if !algo.is_empty() && !hex.is_empty() => None,
        _ => Some("expected `<hash function> <hex bytes>`, e.g. `sha-256 AB:CD:...`".into()),
    }
}

fn ssrc_form(v: &str) -> Option<String> {
    let (id, attr) = v.split_once(' ').unwrap_or((v, ""));
    if id.parse::<u32>().is_err() {
        Some(format!("SSRC `{id}` is not a 32-bit number"))
    } else if attr.is_empty() {
        Some("expected `<ssrc> <attribute>[:<value>]`, e.g. `1234 cname:x`".into())
    } else {
        None
    }
}

fn extmap_form(v: &str) -> Option<String> {
    let (id, uri) = v.split_once(' ').unwrap_or((v, ""));
    let id = id.split('/').next().unwrap_or("");
    match id.parse::<u8>() {
        Ok(1..=255) if !uri.trim().is_empty() => None,
        _ => Some("expected `<id 1-255>[/<direction>] <uri>`".into()),
    }
}
