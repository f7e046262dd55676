//! A simulated call's life on WhatsApp's side, on a clock the caller
//! supplies: the accept window, the 20 s "no media at start" and 30 s
//! "silence mid-call" timers (whatsapp-calling.md §2.3), and how it ended.

use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// From the `connect` webhook to `accept` (Meta: 30-60 s).
    pub accept_window: Duration,
    /// After accept, with no media from the business (138021).
    pub no_media: Duration,
    /// Mid-call, with neither RTP nor RTCP from the business (138021).
    pub silence: Duration,
}

impl Default for Timers {
    fn default() -> Timers {
        Timers {
            accept_window: Duration::from_secs(60),
            no_media: Duration::from_secs(20),
            silence: Duration::from_secs(30),
        }
    }
}

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum End {
    /// The simulated caller hung up after the planned time.
    Completed,
    /// The business sent `terminate`.
    TerminatedByBusiness,
    /// The business sent `reject`.
    Rejected,
    /// No `accept` within the accept window.
    NotAnswered,
    /// 138021: no media from the business after accept.
    NoMediaAtStart,
    /// 138021: media stopped mid-call.
    MediaTimeout,
    /// The simulator stopped the call (Ctrl-C, or its own error).
    Aborted(String),
}

impl End {
    /// `status` of the terminate webhook.
    pub fn status(&self) -> &'static str {
        match self {
            End::Completed | End::TerminatedByBusiness => "COMPLETED",
            _ => "FAILED",
        }
    }

    /// The calling error code the terminate webhook carries, with Meta's text.
    pub fn error(&self) -> Option<(i64, &'static str)> {
        match self {
            End::NoMediaAtStart | End::MediaTimeout => Some((
                138021,
                "WhatsApp client terminated the call due to not receiving any media for a long time. Please try again",
            )),
            _ => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            End::Completed => "the caller hung up after the planned time".into(),
            End::TerminatedByBusiness => "the business terminated the call".into(),
            End::Rejected => "the business rejected the call".into(),
            End::NotAnswered => "not answered: no accept within the accept window".into(),
            End::NoMediaAtStart => "138021: no media from the business after accept".into(),
            End::MediaTimeout => "138021: media from the business stopped mid-call".into(),
            End::Aborted(why) => format!("aborted: {why}"),
        }
    }
}

/// The clock of one call; all times are offsets from the offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallClock {
    timers: Timers,
    /// How long the simulated caller stays once media flows; `None` stays until ended.
    talk: Option<Duration>,
    answered: Option<Duration>,
    accepted: Option<Duration>,
    /// The first media packet, not `accept`, started the call (WhatsApp counts either).
    pub accepted_by_media: bool,
    ended: Option<(Duration, End)>,
}

impl CallClock {
    pub fn new(timers: Timers, talk: Option<Duration>) -> CallClock {
        CallClock {
            timers,
            talk,
            answered: None,
            accepted: None,
            accepted_by_media: false,
            ended: None,
        }
    }

    pub fn answered(&mut self, at: Duration) {
        self.answered.get_or_insert(at);
    }

    pub fn accept(&mut self, at: Duration) {
        self.accepted.get_or_insert(at);
    }

    pub fn accepted_at(&self) -> Option<Duration> {
        self.accepted
    }

    pub fn ended(&self) -> Option<&(Duration, End)> {
        self.ended.as_ref()
    }

    /// Ends the call now, unless it already ended.
    pub fn end(&mut self, at: Duration, end: End) -> &(Duration, End) {
        self.ended.get_or_insert((at, end))
    }

    /// Checks the timers at `now`, given the business's first media and its
    /// latest media (RTP or RTCP). Returns the end when one fires.
    pub fn poll(
        &mut self,
        now: Duration,
        first_rtp: Option<Duration>,
        last_media: Option<Duration>,
    ) -> Option<End> {
        if self.ended.is_some() {
            return None;
        }
        if self.accepted.is_none()
            && self.answered.is_some()
            && let Some(first) = first_rtp
        {
            self.accepted = Some(first);
            self.accepted_by_media = true;
        }
        let end = match (self.accepted, first_rtp) {
            (None, _) if now >= self.timers.accept_window => Some(End::NotAnswered),
            (None, _) => None,
            (Some(a), None) if now >= a + self.timers.no_media => Some(End::NoMediaAtStart),
            (Some(_), None) => None,
            (Some(a), Some(first)) => {
                let last = last_media.unwrap_or(first).max(a);
                if now >= last + self.timers.silence {
                    Some(End::MediaTimeout)
                } else if self.talk.is_some_and(|t| now >= first.max(a) + t) {
                    Some(End::Completed)
                } else {
                    None
                }
            }
        };
        if let Some(e) = &end {
            self.ended = Some((now, e.clone()));
        }
        end
    }

    /// When `poll` next needs to run for a timer to fire on time.
    pub fn next_deadline(
        &self,
        first_rtp: Option<Duration>,
        last_media: Option<Duration>,
    ) -> Option<Duration> {
        if self.ended.is_some() {
            return None;
        }
        Some(match (self.accepted, first_rtp) {
            (None, _) => self.timers.accept_window,
            (Some(a), None) => a + self.timers.no_media,
            (Some(a), Some(first)) => {
                let silence = last_media.unwrap_or(first).max(a) + self.timers.silence;
                match self.talk {
                    Some(t) => silence.min(first.max(a) + t),
                    None => silence,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn no_media_after_accept_is_138021_at_20_s() {
        let mut c = CallClock::new(Timers::default(), None);
        c.answered(s(1));
        c.accept(s(2));
        assert_eq!(c.poll(s(21), None, None), None);
        assert_eq!(c.next_deadline(None, None), Some(s(22)));
        assert_eq!(c.poll(s(22), None, None), Some(End::NoMediaAtStart));
        assert_eq!(c.ended().unwrap().1.error().unwrap().0, 138021);
        assert_eq!(c.poll(s(99), None, None), None, "ends once");
    }

    #[test]
    fn silence_mid_call_and_rtcp_keeps_it_alive() {
        let t = Timers {
            silence: s(30),
            ..Timers::default()
        };
        let mut c = CallClock::new(t, None);
        c.answered(s(0));
        c.accept(s(1));
        // RTP until 10 s, then only RTCP until 50 s: still alive at 79 s.
        assert_eq!(c.poll(s(79), Some(s(1)), Some(s(50))), None);
        assert_eq!(
            c.poll(s(80), Some(s(1)), Some(s(50))),
            Some(End::MediaTimeout)
        );
    }

    #[test]
    fn first_media_counts_as_accept() {
        let mut c = CallClock::new(Timers::default(), Some(s(5)));
        c.answered(s(1));
        assert_eq!(c.poll(s(2), Some(s(2)), Some(s(2))), None);
        assert!(c.accepted_by_media);
        assert_eq!(c.accepted_at(), Some(s(2)));
        assert_eq!(c.poll(s(7), Some(s(2)), Some(s(7))), Some(End::Completed));
    }

    #[test]
    fn not_answered_and_configurable_windows() {
        let t = Timers {
            accept_window: s(3),
            no_media: s(1),
            silence: s(1),
        };
        let mut c = CallClock::new(t, None);
        assert_eq!(c.poll(s(2), None, None), None);
        assert_eq!(c.poll(s(3), None, None), Some(End::NotAnswered));
        assert_eq!(End::NotAnswered.status(), "FAILED");
        assert_eq!(End::Completed.status(), "COMPLETED");
    }
}
