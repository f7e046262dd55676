//! How `lint-sdp` looks: rustc-style findings for people, one JSON document
//! for machines, and the rule list and documentation.

use super::Style;
use crate::core::input::{CallDirection, Input};
use crate::core::lint::{Counts, Finding, Place, RULES, Role, Rule, SdpKind};
use crate::core::sdp::{Ending, Sdp};
use serde_json::{Value, json};

/// One linted input, as the renderers need it.
pub struct Linted<'a> {
    /// The file name as given, or `<stdin>`.
    pub label: String,
    pub input: &'a Input,
    pub sdp: &'a Sdp,
    pub role: Role,
}

impl Linted<'_> {
    /// `crlf`, `lf`, `mixed`.
    fn endings(&self) -> &'static str {
        let lines = &self.sdp.lines;
        let crlf = lines.iter().filter(|l| l.ending == Ending::CrLf).count();
        let eof_ok = lines.last().is_none_or(|l| l.ending != Ending::Eof);
        match crlf {
            n if n == lines.len() => "crlf",
            n if n + 1 == lines.len() && !eof_ok => "crlf",
            0 => "lf",
            _ => "mixed",
        }
    }

    /// Where a finding points: `file:line:col`, or `file#field:line:col` inside JSON.
    fn location(&self, f: &Finding) -> String {
        match (&self.input.detected, f.place) {
            (d, Place::Sdp) if d.is_container() => {
                format!("{}#{}:{}:{}", self.label, self.field(), f.line, f.column)
            }
            _ => format!("{}:{}:{}", self.label, f.line, f.column),
        }
    }

    fn field(&self) -> &'static str {
        use crate::core::input::Detected;
        match &self.input.detected {
            Detected::Webhook { field, .. } => field,
            Detected::GraphRequest { .. } => "session.sdp",
            Detected::Description => "sdp",
            Detected::JsonString | Detected::RawSdp => "sdp",
        }
    }

    fn source_line(&self, f: &Finding) -> String {
        match f.place {
            Place::Sdp => self
                .sdp
                .lines
                .get(f.line.wrapping_sub(1))
                .map(|l| l.text.clone()),
            Place::Container => self
                .input
                .container
                .as_deref()
                .and_then(|c| c.lines().nth(f.line.wrapping_sub(1)))
                .map(str::to_string),
        }
        .unwrap_or_default()
    }
}

pub struct Report<'a> {
    pub inputs: Vec<Linted<'a>>,
    pub findings: &'a [Finding],
    pub direction: CallDirection,
    pub direction_source: &'static str,
}

impl Report<'_> {
    fn input(&self, slot: SdpKind) -> Option<&Linted<'_>> {
        self.inputs.iter().find(|i| i.role.kind == slot)
    }
}

fn direction_name(d: CallDirection) -> &'static str {
    match d {
        CallDirection::UserInitiated => "user-initiated",
        CallDirection::BusinessInitiated => "business-initiated",
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub fn human(report: &Report, s: &Style) -> String {
    let mut out = String::new();
    for i in &report.inputs {
        out.push_str(&format!(
            "{:<7}{}: {}, {} line endings; {} in a {} call ({})\n",
            i.role.kind.as_str(),
            s.bold(&i.label),
            i.input.detected.describe(),
            i.endings().to_uppercase(),
            i.role.describe(),
            direction_name(report.direction),
            report.direction_source,
        ));
    }
    out.push('\n');
    for f in report.findings {
        let Some(i) = report.input(f.input) else {
            continue;
        };
        out.push_str(&finding(i, f, s));
        out.push('\n');
    }
    let c = Counts::of(report.findings);
    let verdict = if c.errors > 0 {
        s.error("would fail on WhatsApp")
    } else if c.warnings > 0 {
        s.warning("no errors; read the warnings")
    } else {
        s.ok("no problems found")
    };
    out.push_str(&format!(
        "{} {}, {}, {}: {verdict}\n",
        s.bold("summary:"),
        plural(c.errors, "error"),
        plural(c.warnings, "warning"),
        plural(c.infos, "info"),
    ));
    out
}

fn finding(i: &Linted, f: &Finding, s: &Style) -> String {
    let sev = f.rule.severity.as_str();
    let number = f.line.to_string();
    let pad = " ".repeat(number.len());
    let bar = s.gutter("|");
    let caret = format!(
        "{}{}",
        " ".repeat(f.column.saturating_sub(1)),
        "^".repeat(f.width.max(1))
    );
    let mut out = format!(
        "{}: {}\n{pad}{} {}\n{pad} {bar}\n{} {bar} {}\n{pad} {bar} {}\n",
        s.severity(sev, &format!("{sev}[{}]", f.rule.code)),
        s.bold(&f.message),
        s.gutter("-->"),
        i.location(f),
        s.gutter(&number),
        i.source_line(f),
        s.severity(sev, &caret),
    );
    out.push_str(&format!(
        "{pad} {} {} {}\n",
        s.gutter("="),
        s.help("help:"),
        f.hint()
    ));
    if let Some(m) = f.rule.meta_error {
        out.push_str(&format!(
            "{pad} {} {} {m}\n",
            s.gutter("="),
            s.bold("meta:")
        ));
    }
    out
}

pub fn json(report: &Report) -> Value {
    let inputs: Vec<Value> = report
        .inputs
        .iter()
        .map(|i| {
            json!({
                "input": i.role.kind.as_str(),
                "file": i.label,
                "detected": i.input.detected.token(),
                "description": i.input.detected.describe(),
                "author": i.role.author,
                "role": i.role.describe(),
                "line_endings": i.endings(),
            })
        })
        .collect();
    let findings: Vec<Value> = report
        .findings
        .iter()
        .filter_map(|f| {
            let i = report.input(f.input)?;
            let field = match f.place {
                Place::Sdp if i.input.detected.is_container() => Some(i.field()),
                _ => None,
            };
            Some(json!({
                "code": f.rule.code,
                "name": f.rule.name,
                "severity": f.rule.severity,
                "input": f.input.as_str(),
                "file": i.label,
                "field": field,
                "line": f.line,
                "column": f.column,
                "message": f.message,
                "hint": f.hint(),
                "meta_error": f.rule.meta_error,
            }))
        })
        .collect();
    json!({
        "direction": direction_name(report.direction),
        "inputs": inputs,
        "findings": findings,
        "summary": Counts::of(report.findings),
    })
}

pub fn rules_human(s: &Style) -> String {
    let mut out = String::new();
    for r in RULES {
        let sev = r.severity.as_str();
        out.push_str(&format!(
            "{}  {}  {:<24} {}\n",
            s.bold(r.code),
            s.severity(sev, &format!("{sev:<7}")),
            r.name,
            r.summary
        ));
    }
    out.push_str(&format!(
        "\n{} rules; `wacall lint-sdp --explain WA003` shows one in full\n",
        RULES.len()
    ));
    out
}

fn rule_json(r: &Rule, with_doc: bool) -> Value {
    let mut v = json!({
        "code": r.code,
        "name": r.name,
        "severity": r.severity,
        "summary": r.summary,
        "applies_to": r.applies_to,
        "hint": r.hint,
        "meta_error": r.meta_error,
    });
    if with_doc {
        v["doc"] = Value::String(r.doc.to_string());
    }
    v
}

pub fn rules_json() -> Value {
    Value::Array(RULES.iter().map(|r| rule_json(r, false)).collect())
}

pub fn explain_human(r: &Rule, s: &Style) -> String {
    let sev = r.severity.as_str();
    let mut out = format!(
        "{} {} ({})\n{} {}\n{} {}\n",
        s.bold(r.code),
        s.bold(r.name),
        s.severity(sev, sev),
        s.dim("applies to:"),
        r.applies_to,
        s.help("fix:"),
        r.hint,
    );
    if let Some(m) = r.meta_error {
        out.push_str(&format!("{} {m}\n", s.dim("meta:")));
    }
    out.push('\n');
    out.push_str(r.doc.trim_end());
    out.push('\n');
    out
}

pub fn explain_json(r: &Rule) -> Value {
    rule_json(r, true)
}
