//! ICE as the business side runs it toward WhatsApp's ICE-lite peer
//! (RFC 8445 §2.5: a lite agent is always controlled): we are the full,
//! controlling agent. Checks go to the offer's candidates of our socket's
//! family, round robin, every check interval, each nominating
//! (USE-CANDIDATE); the first answered one is the selected pair. Once
//! connected, consent (RFC 7675) is refreshed every 5 s and expires after
//! 30 s without an answer. The other side's own checks are answered.
//!
//! The simulated WhatsApp runs the lite side ([`Ice::lite`]): no checks of
//! its own, the pair its peer nominates is the selected one.

use crate::core::stun::{self, Builder, Class, Message};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How often consent is refreshed, and when it runs out (RFC 7675 §5.1).
pub const CONSENT_INTERVAL: Duration = Duration::from_secs(5);
pub const CONSENT_EXPIRY: Duration = Duration::from_secs(30);
/// Requests whose answers are still awaited: enough for a check interval
/// of 10 ms over several candidates, bounded so an unanswering peer costs
/// no memory.
const PENDING: usize = 32;

/// Both sides' ICE credentials.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub local_ufrag: String,
    pub local_pwd: String,
    pub remote_ufrag: String,
    pub remote_pwd: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IceState {
    Checking,
    Connected,
    Failed,
}

pub struct Ice {
    creds: Credentials,
    remotes: Vec<SocketAddr>,
    interval: Duration,
    /// Checks left before the connection fails, of `attempts`.
    attempts_left: u32,
    attempts: u32,
    next_remote: usize,
    next_check: Instant,
    pending: Vec<([u8; 12], SocketAddr)>,
    tie_breaker: [u8; 8],
    pub state: IceState,
    pub selected: Option<SocketAddr>,
    /// ICE-lite: answers checks, sends none.
    lite: bool,
    /// The last answer on the selected pair.
    heard: Instant,
}

/// Our peer-reflexive priority (RFC 8445 §5.1.2.1: type preference 110,
/// local preference 65535, component 1).
const PRIORITY: u32 = (110 << 24) | (65535 << 8) | 255;

impl Ice {
    pub fn new(
        creds: Credentials,
        remotes: Vec<SocketAddr>,
        interval: Duration,
        attempts: u32,
        now: Instant,
    ) -> Ice {
        Ice {
            creds,
            remotes,
            interval,
            attempts_left: attempts,
            attempts,
            next_remote: 0,
            next_check: now,
            pending: Vec::new(),
            tie_breaker: rand::random(),
            state: IceState::Checking,
            selected: None,
            lite: false,
            heard: now,
        }
    }

    /// The lite side, with our credentials; the other side's come with its
    /// description ([`Self::set_remote`]).
    pub fn lite(local_ufrag: String, local_pwd: String, now: Instant) -> Ice {
        let creds = Credentials {
            local_ufrag,
            local_pwd,
            remote_ufrag: String::new(),
            remote_pwd: String::new(),
        };
        Ice {
            lite: true,
            ..Ice::new(creds, vec![], Duration::from_secs(1), 0, now)
        }
    }

    pub fn set_remote(&mut self, ufrag: String, pwd: String) {
        self.creds.remote_ufrag = ufrag;
        self.creds.remote_pwd = pwd;
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.lite {
            return None;
        }
        match self.state {
            IceState::Failed => None,
            IceState::Checking => Some(self.next_check),
            IceState::Connected => Some(self.next_check.min(self.heard + CONSENT_EXPIRY)),
        }
    }

    /// Checks or consent requests now due, into `out`.
    pub fn handle_timeout(&mut self, now: Instant, out: &mut Vec<(Vec<u8>, SocketAddr)>) {
        if self.lite {
            return;
        }
        match self.state {
            IceState::Failed => {}
            IceState::Checking if now >= self.next_check => {
                if self.attempts_left == 0 || self.remotes.is_empty() {
                    self.state = IceState::Failed;
                    return;
                }
                self.attempts_left -= 1;
                let to = self.remotes[self.next_remote % self.remotes.len()];
                self.next_remote += 1;
                out.push((self.request(to, true), to));
                self.next_check = now + self.interval;
            }
            IceState::Connected if now >= self.heard + CONSENT_EXPIRY => {
                self.state = IceState::Failed;
            }
            IceState::Connected if now >= self.next_check => {
                if let Some(to) = self.selected {
                    out.push((self.request(to, false), to));
                }
                self.next_check = now + CONSENT_INTERVAL;
            }
            _ => {}
        }
    }

    /// The other side can answer from now on (WhatsApp once `pre_accept`
    /// is in): the next check goes at once instead of at the end of the
    /// interval, whose earlier checks it dropped. The attempts start over
    /// from here: they were spent on a peer that could not answer, and a
    /// slow `pre_accept` must not leave ICE no time once it can.
    pub fn nudge(&mut self, now: Instant) {
        if !self.lite && self.state == IceState::Checking {
            self.next_check = self.next_check.min(now);
            self.attempts_left = self.attempts;
        }
    }

    fn request(&mut self, to: SocketAddr, nominate: bool) -> Vec<u8> {
        let transaction: [u8; 12] = rand::random();
        if self.pending.len() == PENDING {
            self.pending.remove(0);
        }
        self.pending.push((transaction, to));
        let username = format!("{}:{}", self.creds.remote_ufrag, self.creds.local_ufrag);
        let mut b = Builder::new(Class::Request, stun::BINDING, transaction)
            .attr(stun::USERNAME, username.as_bytes())
            .attr(stun::PRIORITY, &PRIORITY.to_be_bytes())
            .attr(stun::ICE_CONTROLLING, &self.tie_breaker);
        if nominate {
            b = b.attr(stun::USE_CANDIDATE, &[]);
        }
        b.integrity(self.creds.remote_pwd.as_bytes())
            .fingerprint()
            .build()
    }

    /// A STUN message from `from`: an answer to one of our checks, or a
    /// check of theirs to answer (into `out`). Anything unauthenticated is
    /// dropped, as RFC 8445 §7.3 and §7.2.5.2 say.
    pub fn handle_stun(
        &mut self,
        now: Instant,
        from: SocketAddr,
        data: &[u8],
        out: &mut Vec<(Vec<u8>, SocketAddr)>,
    ) {
        let Ok(m) = Message::parse(data) else {
            return;
        };
        if m.method != stun::BINDING || m.verify_fingerprint(data) == Some(false) {
            return;
        }
        match m.class {
            Class::Request => {
                let username = format!("{}:{}", self.creds.local_ufrag, self.creds.remote_ufrag);
                let ok = m.username().as_deref() == Some(&username)
                    && m.verify_integrity(data, self.creds.local_pwd.as_bytes()) == Some(true);
                if ok {
                    let reply = Builder::new(Class::Success, stun::BINDING, m.transaction)
                        .xor_mapped_address(from)
                        .integrity(self.creds.local_pwd.as_bytes())
                        .fingerprint()
                        .build();
                    out.push((reply, from));
                    // RFC 8445 §7.3.1.5: the controlled side selects the
                    // pair a valid check nominates.
                    if self.lite && m.has(stun::USE_CANDIDATE) && self.selected.is_none() {
                        self.selected = Some(from);
                        self.state = IceState::Connected;
                    }
                }
            }
            Class::Success | Class::Error => {
                let Some(i) = self
                    .pending
                    .iter()
                    .position(|(t, to)| *t == m.transaction && *to == from)
                else {
                    return;
                };
                if m.verify_integrity(data, self.creds.remote_pwd.as_bytes()) != Some(true) {
                    return;
                }
                self.pending.remove(i);
                if m.class == Class::Error || self.state == IceState::Failed {
                    return;
                }
                if self.selected.is_none() {
                    self.selected = Some(from);
                    self.state = IceState::Connected;
                    self.next_check = now + CONSENT_INTERVAL;
                }
                if self.selected == Some(from) {
                    self.heard = now;
                }
            }
            Class::Indication => {}
        }
    }

    /// Whether `from` is one of the offer's candidates (datagrams from
    /// anywhere else are not this call's).
    /// The lite side knows its peer only from its checks: everything is
    /// let through to them.
    pub fn knows(&self, from: SocketAddr) -> bool {
        self.lite || self.remotes.contains(&from)
    }
}

#[cfg(test)]
#[path = "ice_tests.rs"]
mod tests;
