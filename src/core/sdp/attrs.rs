//! Grammars of the attributes the rules look inside: `a=candidate` (RFC 8839
//! §5.1), `a=rtpmap` (RFC 8866 §6.6) and `a=fmtp` (RFC 8866 §6.15).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub foundation: String,
    pub component: u16,
    pub transport: String,
    pub priority: u32,
    pub address: String,
    pub port: u16,
    /// `host`, `srflx`, `prflx` or `relay`.
    pub typ: String,
}

/// `a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...`
pub fn parse_candidate(value: &str) -> Result<Candidate, String> {
    let f: Vec<&str> = value.split(' ').collect();
    if f.len() < 8 {
        return Err(format!("expected at least 8 fields, found {}", f.len()));
    }
    let num = |i: usize, what: &str| -> Result<u64, String> {
        f[i].parse::<u64>()
            .map_err(|_| format!("{what} `{}` is not a number", f[i]))
    };
    let component = num(1, "component")?;
    let priority = num(3, "priority")?;
    let port = num(5, "port")?;
    if f[6] != "typ" {
        return Err(format!("expected `typ` as the 7th field, found `{}`", f[6]));
    }
    if component == 0 || component > 256 {
        return Err(format!("component {component} is outside 1-256"));
    }
    let priority =
        u32::try_from(priority).map_err(|_| format!("priority {priority} exceeds 2^32-1"))?;
    let port = u16::try_from(port).map_err(|_| format!("port {port} exceeds 65535"))?;
    if f[0].is_empty() || f[0].len() > 32 {
        return Err("foundation must be 1-32 characters".into());
    }
    Ok(Candidate {
        foundation: f[0].to_string(),
        component: component as u16,
        transport: f[2].to_ascii_lowercase(),
        priority,
        address: f[4].to_string(),
        port,
        typ: f[7].to_string(),
    })
}

/// Whether an address can be reached from WhatsApp's media servers on the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    Public,
    /// RFC 1918, RFC 6598 (carrier-grade NAT) and IPv6 unique-local addresses.
    Private,
    Loopback,
    LinkLocal,
    /// 0.0.0.0 or ::.
    Unspecified,
    /// An mDNS name (`<uuid>.local`) that only resolves on the same LAN.
    Mdns,
    /// Neither an IP address nor an mDNS name.
    Hostname,
}

impl AddressClass {
    pub fn of(address: &str) -> AddressClass {
        match address.parse::<IpAddr>() {
            Ok(IpAddr::V4(a)) => v4_class(a),
            Ok(IpAddr::V6(a)) => v6_class(a),
            Err(_) if address.to_ascii_lowercase().ends_with(".local") => AddressClass::Mdns,
            Err(_) => AddressClass::Hostname,
        }
    }

    pub fn reachable_from_internet(self) -> bool {
        matches!(self, AddressClass::Public | AddressClass::Hostname)
    }

    pub fn describe(self) -> &'static str {
        match self {
            AddressClass::Public => "public",
            AddressClass::Private => "private",
            AddressClass::Loopback => "loopback",
            AddressClass::LinkLocal => "link-local",
            AddressClass::Unspecified => "unspecified",
            AddressClass::Mdns => "mDNS",
            AddressClass::Hostname => "hostname",
        }
    }
}

fn v4_class(a: Ipv4Addr) -> AddressClass {
    let o = a.octets();
    if a.is_unspecified() {
        AddressClass::Unspecified
    } else if a.is_loopback() {
        AddressClass::Loopback
    } else if a.is_link_local() {
        AddressClass::LinkLocal
    } else if a.is_private() || (o[0] == 100 && (64..128).contains(&o[1])) {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

fn v6_class(a: Ipv6Addr) -> AddressClass {
    let first = a.segments()[0];
    if let Some(v4) = a.to_ipv4_mapped() {
        v4_class(v4)
    } else if a.is_unspecified() {
        AddressClass::Unspecified
    } else if a.is_loopback() {
        AddressClass::Loopback
    } else if first & 0xffc0 == 0xfe80 {
        AddressClass::LinkLocal
    } else if first & 0xfe00 == 0xfc00 {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

/// `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpMap {
    pub pt: String,
    pub encoding: String,
    pub clock_rate: u32,
    pub channels: Option<u16>,
}

impl RtpMap {
    pub fn is(&self, encoding: &str) -> bool {
        self.encoding.eq_ignore_ascii_case(encoding)
    }

    /// `opus/48000/2` style, as written in SDP.
    pub fn spec(&self) -> String {
        match self.channels {
            Some(c) => format!("{}/{}/{}", self.encoding, self.clock_rate, c),
            None => format!("{}/{}", self.encoding, self.clock_rate),
        }
    }
}

pub fn parse_rtpmap(value: &str) -> Result<RtpMap, String> {
    let (pt, rest) = value
        .split_once(' ')
        .ok_or("expected `<payload type> <encoding>/<clock rate>`")?;
    valid_pt(pt)?;
    let mut parts = rest.split('/');
    let encoding = parts.next().unwrap_or("");
    if encoding.is_empty() {
        return Err("the encoding name is empty".into());
    }
    let clock_rate = parts
        .next()
        .ok_or("missing `/<clock rate>`")?
        .parse()
        .map_err(|_| "the clock rate is not a number".to_string())?;
    let channels = match parts.next() {
        None => None,
        Some(c) => Some(
            c.parse()
                .map_err(|_| "the channel count is not a number".to_string())?,
        ),
    };
    if parts.next().is_some() {
        return Err("too many `/` fields".into());
    }
    Ok(RtpMap {
        pt: pt.to_string(),
        encoding: encoding.to_string(),
        clock_rate,
        channels,
    })
}

/// `a=fmtp:<pt> <param>=<value>;...`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fmtp {
    pub pt: String,
    /// Parameters in order; names lowercased. A parameter without `=` has an empty value.
    pub params: Vec<(String, String)>,
}

impl Fmtp {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub fn parse_fmtp(value: &str) -> Result<Fmtp, String> {
    let (pt, rest) = value
        .split_once(' ')
        .ok_or("expected `<payload type> <parameters>`")?;
    valid_pt(pt)?;
    let params = rest
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_string()),
            None => (p.to_ascii_lowercase(), String::new()),
        })
        .collect();
    Ok(Fmtp {
        pt: pt.to_string(),
        params,
    })
}

fn valid_pt(pt: &str) -> Result<(), String> {
    match pt.parse::<u8>() {
        Ok(n) if n <= 127 => Ok(()),
        _ => Err(format!("payload type `{pt}` is not a number in 0-127")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatsapp_candidates_parse() {
        let c = parse_candidate(
            "2617197009 1 udp 2122262783 2a03:2880:f36b:131:face:b00c:0:699c 3484 typ host generation 0 network-cost 50",
        )
        .unwrap();
        assert_eq!(c.port, 3484);
        assert_eq!(c.typ, "host");
        assert_eq!(AddressClass::of(&c.address), AddressClass::Public);
    }

    #[test]
    fn candidate_errors_name_the_field() {
        assert!(
            parse_candidate("1 1 udp x 1.2.3.4 9 typ host")
                .unwrap_err()
                .contains("priority")
        );
        assert!(
            parse_candidate("1 1 udp 1 1.2.3.4 70000 typ host")
                .unwrap_err()
                .contains("65535")
        );
        assert!(
            parse_candidate("1 1 udp 1 1.2.3.4 9 type host")
                .unwrap_err()
                .contains("typ")
        );
        assert!(parse_candidate("1 1 udp").is_err());
    }

    #[test]
    fn address_classes() {
        for (a, c) in [
            ("10.1.2.3", AddressClass::Private),
            ("172.16.0.1", AddressClass::Private),
            ("192.168.68.117", AddressClass::Private),
            ("100.64.0.1", AddressClass::Private),
            ("127.0.0.1", AddressClass::Loopback),
            ("169.254.1.1", AddressClass::LinkLocal),
            ("0.0.0.0", AddressClass::Unspecified),
            ("fe80::1", AddressClass::LinkLocal),
            ("fd00::1", AddressClass::Private),
            ("::1", AddressClass::Loopback),
            ("::ffff:10.0.0.1", AddressClass::Private),
            ("123.176.34.233", AddressClass::Public),
            (
                "0c3f3a4e-1b2c-4d5e-8f90-123456789abc.local",
                AddressClass::Mdns,
            ),
        ] {
            assert_eq!(AddressClass::of(a), c, "{a}");
        }
    }

    #[test]
    fn rtpmap_and_fmtp() {
        let r = parse_rtpmap("111 opus/48000/2").unwrap();
        assert!(r.is("OPUS"));
        assert_eq!((r.clock_rate, r.channels), (48000, Some(2)));
        assert_eq!(
            parse_rtpmap("126 telephone-event/8000").unwrap().channels,
            None
        );
        assert!(parse_rtpmap("111").is_err());
        assert!(parse_rtpmap("300 opus/48000/2").is_err());
        assert!(parse_rtpmap("111 opus/fast").is_err());
        let f = parse_fmtp("111 maxplaybackrate=16000; minptime=20;useinbandfec=1").unwrap();
        assert_eq!(f.get("minptime"), Some("20"));
        assert_eq!(f.get("maxplaybackrate"), Some("16000"));
        assert_eq!(f.params.len(), 3);
    }
}
