//! Splits SDP text into lines that remember where they came from.
//!
//! The `sdp` crates parse fail-fast and drop positions, which is useless to a
//! linter that must point at line 7, column 3 and report every problem at
//! once. This tokenizer accepts any text, never panics, and classifies each
//! line by the RFC 8866 §5 grammar (`<type>=<value>`) without judging it; the
//! rules do the judging.

/// Larger inputs are refused before tokenizing: a real SDP is 1–3 KiB, and a
/// bound keeps a pasted log or a binary file from costing memory or time.
pub const MAX_SDP_BYTES: usize = 256 * 1024;

/// How a line ended. RFC 8866 and Meta ask for CRLF; LF is common in pasted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    CrLf,
    Lf,
    /// A lone carriage return, which some tools leave behind when they mangle CRLF.
    Cr,
    /// The last line had no line ending at all.
    Eof,
}

/// What a line is, by the grammar alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// `<type>=<value>` with one lowercase ASCII letter as the type.
    Field(char),
    /// An empty or whitespace-only line.
    Blank,
    /// Anything else; the reason says what is wrong.
    Malformed(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub number: usize,
    /// The line without its ending.
    pub text: String,
    pub ending: Ending,
    pub kind: LineKind,
}

impl Line {
    /// The value after `x=`, or "" for lines that are not fields.
    pub fn value(&self) -> &str {
        match self.kind {
            // A field starts with an ASCII letter and '=', so byte 2 is a char boundary.
            LineKind::Field(_) => &self.text[2..],
            _ => "",
        }
    }

    /// For `a=` lines: the attribute name and its value, if any (`a=key:value`).
    pub fn attribute(&self) -> Option<(&str, Option<&str>)> {
        if self.kind != LineKind::Field('a') {
            return None;
        }
        let v = self.value();
        Some(match v.split_once(':') {
            Some((k, val)) => (k, Some(val)),
            None => (v, None),
        })
    }

    /// Number of characters on the line, for underlining the whole of it.
    pub fn width(&self) -> usize {
        self.text.chars().count().max(1)
    }

    /// 1-based character column of `needle` in the line, if present.
    pub fn column_of(&self, needle: &str) -> Option<usize> {
        let byte = self.text.find(needle)?;
        Some(self.text[..byte].chars().count() + 1)
    }
}

/// Splits `text` into lines. Every byte of the input ends up in exactly one line.
pub fn tokenize(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (body, ending, consumed) = match rest.find(['\r', '\n']) {
            None => (rest, Ending::Eof, rest.len()),
            Some(i) if rest.as_bytes()[i] == b'\n' => (&rest[..i], Ending::Lf, i + 1),
            Some(i) if rest.as_bytes().get(i + 1) == Some(&b'\n') => {
                (&rest[..i], Ending::CrLf, i + 2)
            }
            Some(i) => (&rest[..i], Ending::Cr, i + 1),
        };
        lines.push(Line {
            number: lines.len() + 1,
            text: body.to_string(),
            ending,
            kind: classify(body),
        });
        rest = &rest[consumed..];
    }
    lines
}

fn classify(line: &str) -> LineKind {
    if line.trim().is_empty() {
        return LineKind::Blank;
    }
    let bytes = line.as_bytes();
    match (bytes.first(), bytes.get(1)) {
        (Some(t), Some(b'=')) if t.is_ascii_lowercase() => {
            if bytes.len() == 2 {
                LineKind::Malformed("the line has a type but no value")
            } else if line.ends_with([' ', '\t']) {
                LineKind::Malformed("trailing whitespace after the value")
            } else {
                LineKind::Field(*t as char)
            }
        }
        (Some(t), Some(b'=')) if t.is_ascii_uppercase() => {
            LineKind::Malformed("the type letter must be lowercase")
        }
        (Some(b' ' | b'\t'), _) => LineKind::Malformed("leading whitespace before the type"),
        (Some(_), Some(b' ')) => LineKind::Malformed("whitespace between the type and '='"),
        _ => LineKind::Malformed("not a `<type>=<value>` line"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_endings_and_numbers() {
        let lines = tokenize("v=0\r\no=- 1 2 IN IP4 0.0.0.0\ns=-\rt=0 0");
        let endings: Vec<_> = lines.iter().map(|l| l.ending).collect();
        assert_eq!(endings, [Ending::CrLf, Ending::Lf, Ending::Cr, Ending::Eof]);
        assert_eq!(lines[3].number, 4);
        assert_eq!(lines[3].value(), "0 0");
    }

    #[test]
    fn classifies_grammar_errors() {
        let kinds: Vec<_> = tokenize("V=0\n a=x\nhello\na=\n\na=setup:active \n")
            .into_iter()
            .map(|l| l.kind)
            .collect();
        assert!(matches!(kinds[0], LineKind::Malformed(m) if m.contains("lowercase")));
        assert!(matches!(kinds[1], LineKind::Malformed(m) if m.contains("leading")));
        assert!(matches!(kinds[2], LineKind::Malformed(_)));
        assert!(matches!(kinds[3], LineKind::Malformed(m) if m.contains("no value")));
        assert_eq!(kinds[4], LineKind::Blank);
        assert!(matches!(kinds[5], LineKind::Malformed(m) if m.contains("trailing")));
    }

    #[test]
    fn attribute_split() {
        let l = &tokenize("a=fmtp:111 minptime=10;useinbandfec=1")[0];
        assert_eq!(
            l.attribute(),
            Some(("fmtp", Some("111 minptime=10;useinbandfec=1")))
        );
        assert_eq!(
            tokenize("a=rtcp-mux")[0].attribute(),
            Some(("rtcp-mux", None))
        );
        assert_eq!(l.column_of("minptime"), Some(12));
    }

    #[test]
    fn multibyte_text_does_not_panic() {
        let lines = tokenize("é=1\na=x:ü\n\u{0}");
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].attribute(), Some(("x", Some("ü"))));
    }
}
