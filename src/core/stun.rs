//! STUN (RFC 8489) as ICE uses it (RFC 8445 §7): enough to read a
//! connectivity check, verify its MESSAGE-INTEGRITY, and write binding
//! responses and errors. The simulated WhatsApp side uses this to see what a
//! bridge's checks say (role, credentials, nomination) and to answer as
//! WhatsApp does.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use std::net::{IpAddr, SocketAddr};

pub const MAGIC_COOKIE: u32 = 0x2112_a442;
pub const BINDING: u16 = 0x0001;

pub const USERNAME: u16 = 0x0006;
pub const MESSAGE_INTEGRITY: u16 = 0x0008;
pub const ERROR_CODE: u16 = 0x0009;
pub const XOR_MAPPED_ADDRESS: u16 = 0x0020;
pub const PRIORITY: u16 = 0x0024;
pub const USE_CANDIDATE: u16 = 0x0025;
pub const FINGERPRINT: u16 = 0x8028;
pub const ICE_CONTROLLED: u16 = 0x8029;
pub const ICE_CONTROLLING: u16 = 0x802a;

const FINGERPRINT_XOR: u32 = 0x5354_554e;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Request,
    Indication,
    Success,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub class: Class,
    pub method: u16,
    pub transaction: [u8; 12],
    /// Attributes in order, with the byte offset of each one's header.
    pub attrs: Vec<(u16, Vec<u8>, usize)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StunError {
    #[error("not a STUN message")]
    NotStun,
    #[error("truncated STUN message")]
    Truncated,
}

/// RFC 7983: the first byte of STUN is 0-3, and the magic cookie follows.
pub fn is_stun(b: &[u8]) -> bool {
    b.len() >= 20 && b[0] < 4 && u32::from_be_bytes([b[4], b[5], b[6], b[7]]) == MAGIC_COOKIE
}

impl Message {
    pub fn parse(b: &[u8]) -> Result<Message, StunError> {
        if !is_stun(b) {
            return Err(StunError::NotStun);
        }
        let kind = u16::from_be_bytes([b[0], b[1]]);
        let len = u16::from_be_bytes([b[2], b[3]]) as usize;
        if b.len() < 20 + len || !len.is_multiple_of(4) {
            return Err(StunError::Truncated);
        }
        let class = match ((kind >> 7) & 0b10) | ((kind >> 4) & 0b1) {
            0 => Class::Request,
            1 => Class::Indication,
            2 => Class::Success,
            _ => Class::Error,
        };
        let method = (kind & 0x000f) | ((kind >> 1) & 0x0070) | ((kind >> 2) & 0x0f80);
        let mut transaction = [0u8; 12];
        transaction.copy_from_slice(&b[8..20]);
        let mut attrs = Vec::new();
        let mut at = 20;
        while at + 4 <= 20 + len {
            let t = u16::from_be_bytes([b[at], b[at + 1]]);
            let l = u16::from_be_bytes([b[at + 2], b[at + 3]]) as usize;
            if at + 4 + l > 20 + len {
                return Err(StunError::Truncated);
            }
            attrs.push((t, b[at + 4..at + 4 + l].to_vec(), at));
            at += 4 + l.div_ceil(4) * 4;
        }
        Ok(Message {
            class,
            method,
            transaction,
            attrs,
        })
    }

    pub fn attr(&self, t: u16) -> Option<&[u8]> {
        self.attrs
            .iter()
            .find(|(k, _, _)| *k == t)
            .map(|(_, v, _)| v.as_slice())
    }

    pub fn has(&self, t: u16) -> bool {
        self.attr(t).is_some()
    }

    pub fn username(&self) -> Option<String> {
        self.attr(USERNAME)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    pub fn error_code(&self) -> Option<u16> {
        let v = self.attr(ERROR_CODE)?;
        (v.len() >= 4).then(|| u16::from(v[2] & 0x7) * 100 + u16::from(v[3]))
    }

    pub fn xor_mapped_address(&self) -> Option<SocketAddr> {
        decode_xor_address(self.attr(XOR_MAPPED_ADDRESS)?, &self.transaction)
    }

    /// Checks MESSAGE-INTEGRITY (HMAC-SHA1 with the short-term password,
    /// RFC 8489 §14.5) over `raw`, the bytes this message was parsed from.
    /// `None` when the message carries no MESSAGE-INTEGRITY.
    pub fn verify_integrity(&self, raw: &[u8], key: &[u8]) -> Option<bool> {
        let (_, value, offset) = self
            .attrs
            .iter()
            .find(|(k, _, _)| *k == MESSAGE_INTEGRITY)?;
        let mut covered = raw[..*offset].to_vec();
        // The length field counts up to and including MESSAGE-INTEGRITY.
        let len = (*offset + 24 - 20) as u16;
        covered[2..4].copy_from_slice(&len.to_be_bytes());
        Some(hmac_sha1(key, &covered)[..] == value[..])
    }

    /// Checks FINGERPRINT (CRC-32 xor 0x5354554e, RFC 8489 §14.7). `None` when absent.
    pub fn verify_fingerprint(&self, raw: &[u8]) -> Option<bool> {
        let (_, value, offset) = self.attrs.iter().find(|(k, _, _)| *k == FINGERPRINT)?;
        let mut covered = raw[..*offset].to_vec();
        let len = (*offset + 8 - 20) as u16;
        covered[2..4].copy_from_slice(&len.to_be_bytes());
        let crc = crc32fast::hash(&covered) ^ FINGERPRINT_XOR;
        Some(value[..] == crc.to_be_bytes())
    }
}

fn hmac_sha1(key: &[u8], data: &[u8]) -> [u8; 20] {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn xor_bytes(transaction: &[u8; 12]) -> [u8; 16] {
    let mut x = [0u8; 16];
    x[..4].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    x[4..].copy_from_slice(transaction);
    x
}

fn decode_xor_address(v: &[u8], transaction: &[u8; 12]) -> Option<SocketAddr> {
    if v.len() < 8 {
        return None;
    }
    let x = xor_bytes(transaction);
    let port = u16::from_be_bytes([v[2] ^ x[0], v[3] ^ x[1]]);
    let ip = match v[1] {
        1 => IpAddr::from([v[4] ^ x[0], v[5] ^ x[1], v[6] ^ x[2], v[7] ^ x[3]]),
        2 if v.len() >= 20 => {
            let mut a = [0u8; 16];
            for i in 0..16 {
                a[i] = v[4 + i] ^ x[i];
            }
            IpAddr::from(a)
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

fn encode_xor_address(addr: SocketAddr, transaction: &[u8; 12]) -> Vec<u8> {
    let x = xor_bytes(transaction);
    let port = addr.port().to_be_bytes();
    let mut v = vec![0, 0, port[0] ^ x[0], port[1] ^ x[1]];
    match addr.ip() {
        IpAddr::V4(ip) => {
            v[1] = 1;
            v.extend(ip.octets().iter().zip(x).map(|(a, b)| a ^ b));
        }
        IpAddr::V6(ip) => {
            v[1] = 2;
            v.extend(ip.octets().iter().zip(x).map(|(a, b)| a ^ b));
        }
    }
    v
}

/// Writes a STUN message attribute by attribute; `integrity` and
/// `fingerprint` close it as RFC 8489 §14.5 and §14.7 require.
pub struct Builder {
    buf: Vec<u8>,
    transaction: [u8; 12],
}

impl Builder {
    pub fn new(class: Class, method: u16, transaction: [u8; 12]) -> Builder {
        let c = match class {
            Class::Request => 0,
            Class::Indication => 1,
            Class::Success => 2,
            Class::Error => 3,
        };
        let kind = (method & 0x000f)
            | ((method & 0x0070) << 1)
            | ((method & 0x0f80) << 2)
            | ((c & 1) << 4)
            | ((c & 2) << 7);
        let mut buf = Vec::with_capacity(96);
        buf.extend(kind.to_be_bytes());
        buf.extend([0, 0]);
        buf.extend(MAGIC_COOKIE.to_be_bytes());
        buf.extend(transaction);
        Builder { buf, transaction }
    }

    fn set_len(&mut self, extra: usize) {
        let len = (self.buf.len() - 20 + extra) as u16;
        self.buf[2..4].copy_from_slice(&len.to_be_bytes());
    }

    pub fn attr(mut self, t: u16, value: &[u8]) -> Builder {
        self.buf.extend(t.to_be_bytes());
        self.buf.extend((value.len() as u16).to_be_bytes());
        self.buf.extend(value);
        self.buf.resize(self.buf.len().div_ceil(4) * 4, 0);
        self.set_len(0);
        self
    }

    pub fn xor_mapped_address(self, addr: SocketAddr) -> Builder {
        let v = encode_xor_address(addr, &self.transaction);
        self.attr(XOR_MAPPED_ADDRESS, &v)
    }

    pub fn error_code(self, code: u16, reason: &str) -> Builder {
        let mut v = vec![0, 0, (code / 100) as u8, (code % 100) as u8];
        v.extend(reason.as_bytes());
        self.attr(ERROR_CODE, &v)
    }

    pub fn integrity(mut self, key: &[u8]) -> Builder {
        self.set_len(24);
        let mac = hmac_sha1(key, &self.buf);
        self.attr(MESSAGE_INTEGRITY, &mac)
    }

    pub fn fingerprint(mut self) -> Builder {
        self.set_len(8);
        let crc = crc32fast::hash(&self.buf) ^ FINGERPRINT_XOR;
        self.attr(FINGERPRINT, &crc.to_be_bytes())
    }

    pub fn build(self) -> Vec<u8> {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 5769 §2.1-2.2 test vectors.
    const PASSWORD: &[u8] = b"VOkJxbRl1RmTxUk/WvJxBt";
    const REQUEST: &str = "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74\
        002400046e0001ff80290008932ff9b151263b36000600096576746a3a6836765920202000080014\
        9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf";
    const RESPONSE: &str = "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220\
        00200008 0001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96";

    fn bytes(hex_text: &str) -> Vec<u8> {
        hex::decode(hex_text.replace(' ', "")).unwrap()
    }

    #[test]
    fn rfc5769_request() {
        let raw = bytes(REQUEST);
        let m = Message::parse(&raw).unwrap();
        assert_eq!((m.class, m.method), (Class::Request, BINDING));
        assert_eq!(m.username().as_deref(), Some("evtj:h6vY"));
        assert!(m.has(ICE_CONTROLLED) && !m.has(ICE_CONTROLLING));
        assert_eq!(m.verify_integrity(&raw, PASSWORD), Some(true));
        assert_eq!(m.verify_integrity(&raw, b"wrong"), Some(false));
        assert_eq!(m.verify_fingerprint(&raw), Some(true));
    }

    #[test]
    fn rfc5769_response_and_rebuild() {
        let raw = bytes(RESPONSE);
        let m = Message::parse(&raw).unwrap();
        assert_eq!(m.class, Class::Success);
        assert_eq!(
            m.xor_mapped_address(),
            Some("192.0.2.1:32853".parse().unwrap())
        );
        assert_eq!(m.verify_integrity(&raw, PASSWORD), Some(true));
        // Rebuilding the same attributes with our builder gives the RFC's bytes.
        let software = m.attr(0x8022).unwrap().to_vec();
        let built = Builder::new(Class::Success, BINDING, m.transaction)
            .attr(0x8022, &software)
            .xor_mapped_address("192.0.2.1:32853".parse().unwrap())
            .integrity(PASSWORD)
            .fingerprint()
            .build();
        // The RFC pads SOFTWARE with a space, we with zero: compare the rest.
        assert_eq!(built.len(), raw.len());
        let back = Message::parse(&built).unwrap();
        assert_eq!(back.verify_integrity(&built, PASSWORD), Some(true));
        assert_eq!(back.verify_fingerprint(&built), Some(true));
        assert_eq!(back.xor_mapped_address(), m.xor_mapped_address());
    }

    #[test]
    fn error_and_success_responses_are_signed() {
        let tx = [7u8; 12];
        let e = Builder::new(Class::Error, BINDING, tx)
            .error_code(487, "Role Conflict")
            .integrity(b"pw")
            .fingerprint()
            .build();
        let m = Message::parse(&e).unwrap();
        assert_eq!((m.class, m.error_code()), (Class::Error, Some(487)));
        assert_eq!(m.verify_integrity(&e, b"pw"), Some(true));

        let ok = Builder::new(Class::Success, BINDING, tx)
            .xor_mapped_address("127.0.0.1:1000".parse().unwrap())
            .integrity(b"pw")
            .fingerprint()
            .build();
        let m = Message::parse(&ok).unwrap();
        assert_eq!(m.xor_mapped_address(), "127.0.0.1:1000".parse().ok());
        assert_eq!(m.verify_integrity(&ok, b"pw"), Some(true));
        assert_eq!(m.verify_fingerprint(&ok), Some(true));
    }

    #[test]
    fn garbage_is_not_stun() {
        assert!(!is_stun(&[0x80; 40]));
        assert_eq!(Message::parse(&[0; 10]), Err(StunError::NotStun));
        let mut raw = bytes(REQUEST);
        raw.truncate(60);
        assert_eq!(Message::parse(&raw), Err(StunError::Truncated));
    }
}
