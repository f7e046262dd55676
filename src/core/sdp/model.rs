//! A structural view over tokenized SDP: the session section and the media
//! sections, with every attribute still pointing at its line.

use super::tokenize::{Line, LineKind, tokenize};

/// A half-open range of line indices (0-based) in [`Sdp::lines`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    pub start: usize,
    pub end: usize,
}

/// One `m=` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// The lines of the section, the `m=` line first.
    pub section: Section,
    /// `audio`, `video`, `application`...
    pub kind: String,
    /// `None` when the port field is not a number.
    pub port: Option<u16>,
    pub proto: String,
    /// Payload types (or other formats) in the order of the `m=` line.
    pub formats: Vec<String>,
}

impl Media {
    /// Index of the `m=` line.
    pub fn line(&self) -> usize {
        self.section.start
    }
}

/// One `a=` line.
#[derive(Debug, Clone, Copy)]
pub struct Attr<'a> {
    /// Index of the line in [`Sdp::lines`].
    pub idx: usize,
    pub line: &'a Line,
    pub key: &'a str,
    pub value: Option<&'a str>,
}

impl<'a> Attr<'a> {
    pub fn value_or_empty(&self) -> &'a str {
        self.value.unwrap_or("")
    }
}

#[derive(Debug, Clone)]
pub struct Sdp {
    pub lines: Vec<Line>,
    /// From the first line to the first `m=` line.
    pub session: Section,
    pub media: Vec<Media>,
}

impl Sdp {
    pub fn parse(text: &str) -> Sdp {
        let lines = tokenize(text);
        let m_lines: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].kind == LineKind::Field('m'))
            .collect();
        let first_m = m_lines.first().copied().unwrap_or(lines.len());
        let media = m_lines
            .iter()
            .enumerate()
            .map(|(n, &start)| {
                let end = m_lines.get(n + 1).copied().unwrap_or(lines.len());
                let mut fields = lines[start].value().split(' ');
                let kind = fields.next().unwrap_or("").to_string();
                let port = fields
                    .next()
                    .and_then(|p| p.split('/').next())
                    .and_then(|p| p.parse().ok());
                let proto = fields.next().unwrap_or("").to_string();
                let formats = fields
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect();
                Media {
                    section: Section { start, end },
                    kind,
                    port,
                    proto,
                    formats,
                }
            })
            .collect();
        Sdp {
            session: Section {
                start: 0,
                end: first_m,
            },
            lines,
            media,
        }
    }

    /// The attributes of one section, in order.
    pub fn attrs(&self, section: Section) -> impl Iterator<Item = Attr<'_>> {
        (section.start..section.end.min(self.lines.len())).filter_map(move |idx| {
            let line = &self.lines[idx];
            line.attribute().map(|(key, value)| Attr {
                idx,
                line,
                key,
                value,
            })
        })
    }

    /// Session attributes named `key`.
    pub fn session_attrs<'a>(&'a self, key: &'a str) -> impl Iterator<Item = Attr<'a>> {
        self.attrs(self.session).filter(move |a| a.key == key)
    }

    /// Attributes named `key` of one media section.
    pub fn media_attrs<'a>(&'a self, m: &Media, key: &'a str) -> impl Iterator<Item = Attr<'a>> {
        self.attrs(m.section).filter(move |a| a.key == key)
    }

    /// Attributes that may sit at session or media level (fingerprint, setup,
    /// ice-ufrag...): the session's first, then the media section's.
    pub fn scoped_attrs<'a>(&'a self, m: Option<&Media>, key: &'a str) -> Vec<Attr<'a>> {
        let mut all: Vec<Attr<'a>> = self.session_attrs(key).collect();
        if let Some(m) = m {
            all.extend(self.media_attrs(m, key));
        }
        all
    }

    /// The effective value of a session-or-media attribute: the media level wins.
    pub fn scoped_value<'a>(&'a self, m: Option<&Media>, key: &'a str) -> Option<Attr<'a>> {
        self.scoped_attrs(m, key).into_iter().last()
    }

    /// The first audio section.
    pub fn audio(&self) -> Option<&Media> {
        self.media.iter().find(|m| m.kind == "audio")
    }

    /// The first line of a given type (`'v'`, `'o'`, `'c'`...) in a section.
    pub fn field(&self, section: Section, ty: char) -> Option<usize> {
        (section.start..section.end).find(|&i| self.lines[i].kind == LineKind::Field(ty))
    }

    /// Where to point when something is missing from the audio section: its
    /// `m=` line, or the first line when there is no audio.
    pub fn anchor(&self, m: Option<&Media>) -> usize {
        m.map(Media::line).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n\
        m=audio 3484 UDP/TLS/RTP/SAVPF 111 126\r\na=mid:audio\r\na=setup:actpass\r\n\
        m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\n";

    #[test]
    fn sections_and_attributes() {
        let sdp = Sdp::parse(OFFER);
        assert_eq!(sdp.session, Section { start: 0, end: 5 });
        assert_eq!(sdp.media.len(), 2);
        let audio = sdp.audio().unwrap();
        assert_eq!(audio.port, Some(3484));
        assert_eq!(audio.proto, "UDP/TLS/RTP/SAVPF");
        assert_eq!(audio.formats, ["111", "126"]);
        assert_eq!(sdp.session_attrs("ice-lite").count(), 1);
        let mid: Vec<_> = sdp.media_attrs(audio, "mid").collect();
        assert_eq!(mid.len(), 1);
        assert_eq!(mid[0].value, Some("audio"));
        assert_eq!(mid[0].line.number, 7);
        assert_eq!(
            sdp.scoped_value(Some(audio), "setup").unwrap().value,
            Some("actpass")
        );
    }

    #[test]
    fn tolerates_missing_fields() {
        let sdp = Sdp::parse("m=\nm=audio\nm=audio x");
        assert_eq!(sdp.media.len(), 2, "`m=` alone is malformed, not a section");
        assert_eq!(sdp.media[0].port, None);
        assert_eq!(sdp.media[1].port, None);
        assert!(sdp.media[0].formats.is_empty());
    }
}
