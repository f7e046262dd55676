//! One simulated call from WhatsApp's side, start to end: the `connect`
//! webhook, the Graph API actions for this call, WhatsApp's timers, the
//! `terminate` webhook, and the report. `sim offer` uses the same driver with
//! an answer pasted by hand instead of webhooks and the Graph API.

use super::graph_api::{Command, Desk};
use super::peer::{PeerConfig, PeerState, WhatsAppPeer};
use super::webhooks::{Delivery, Sender};
use crate::core::graph::{Action, Rejection, success_body};
use crate::core::sim::call::{CallClock, End, Timers};
use crate::core::sim::diagnose::{Evidence, diagnose};
use crate::core::sim::report::{CallReport, GraphRequest, MediaIn, MediaOut, Milestones};
use crate::core::webhook::{Business, User, wacid};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, watch};

#[derive(Debug, Clone)]
pub struct CallSpec {
    pub index: usize,
    pub peer: PeerConfig,
    pub timers: Timers,
    /// How long the caller stays once media flows; `None` until the call is ended.
    pub talk: Option<Duration>,
    /// Keys the caller presses once media flows.
    pub dtmf: Option<String>,
    /// Writes what WhatsApp heard to `<dir>/call-<index>.wav`.
    pub record_dir: Option<PathBuf>,
    /// Business-initiated calls: how long the user's phone rings before they pick up.
    pub ring: Duration,
}

/// Progress of a call, for a live view.
#[derive(Debug, Clone)]
pub enum Event {
    Milestone {
        index: usize,
        call_id: String,
        at: Duration,
        what: String,
    },
    Ended(Box<CallReport>),
}

/// Meta's side of signalling: who the call is between, and where webhooks go.
#[derive(Clone)]
pub struct Meta {
    pub business: Business,
    pub desk: Arc<Desk>,
    pub webhooks: Option<Sender>,
}

struct Live {
    spec: CallSpec,
    call_id: String,
    peer: WhatsAppPeer,
    clock: CallClock,
    pre_accept_sdp: Option<String>,
    accepted: bool,
    ms: Milestones,
    graph: Vec<GraphRequest>,
    events: mpsc::UnboundedSender<Event>,
    dtmf_sent: bool,
    business_initiated: bool,
    /// The ACCEPTED status webhook a business-initiated call sends once media flows.
    accepted_hook: Option<(Sender, Business, User, Option<String>)>,
}

impl Live {
    /// A user-initiated call from its first moment: nothing answered yet.
    fn new(
        spec: CallSpec,
        call_id: String,
        peer: WhatsAppPeer,
        events: mpsc::UnboundedSender<Event>,
    ) -> Live {
        Live {
            clock: CallClock::new(spec.timers, spec.talk),
            spec,
            call_id,
            peer,
            pre_accept_sdp: None,
            accepted: false,
            ms: Milestones::default(),
            graph: Vec::new(),
            events,
            dtmf_sent: false,
            business_initiated: false,
            accepted_hook: None,
        }
    }

    fn emit(&self, at: Duration, what: impl Into<String>) {
        let _ = self.events.send(Event::Milestone {
            index: self.spec.index,
            call_id: self.call_id.clone(),
            at,
            what: what.into(),
        });
    }

    /// Notes new milestones; returns the end if a timer fired.
    fn poll(&mut self) -> Option<End> {
        let st = self.peer.state();
        let now = self.peer.elapsed();
        let seen = &st.seen;
        let updates = [
            (
                &mut self.ms.first_check,
                seen.first_check,
                "first connectivity check from the business",
            ),
            (
                &mut self.ms.ice_connected,
                seen.ice_connected,
                "ICE connected",
            ),
            (
                &mut self.ms.client_hello,
                seen.client_hello,
                "DTLS ClientHello from the business",
            ),
            (
                &mut self.ms.dtls_connected,
                st.timeline.dtls_connected,
                "DTLS connected",
            ),
            (
                &mut self.ms.first_rtp_in,
                seen.first_rtp_in,
                "first RTP from the business",
            ),
            (
                &mut self.ms.first_rtp_out,
                seen.first_rtp_out,
                "first RTP to the business",
            ),
        ];
        let mut news = Vec::new();
        for (slot, value, what) in updates {
            if slot.is_none()
                && let Some(at) = value
            {
                *slot = Some(at);
                news.push((at, what));
            }
        }
        news.sort();
        for (at, what) in news {
            self.emit(at, what);
        }
        if !self.dtmf_sent
            && let (Some(keys), Some(out)) = (&self.spec.dtmf, seen.first_rtp_out)
            && now > out + Duration::from_millis(500)
        {
            self.peer.send_dtmf(keys);
            self.dtmf_sent = true;
            self.emit(now, format!("caller pressed {keys}"));
        }
        let last = match (seen.last_media_in, st.timeline.dtls_connected) {
            (Some(m), _) => Some(m),
            (None, d) => d,
        };
        let before = self.clock.accepted_at();
        let end = self.clock.poll(now, seen.first_rtp_in, last);
        if before.is_none()
            && self.clock.accepted_by_media
            && let Some(at) = self.clock.accepted_at()
        {
            self.ms.accept = Some(at);
            self.peer.accept();
            self.emit(
                at,
                "first media packet before accept: WhatsApp counts it as the accept",
            );
        }
        end
    }

    async fn command(&mut self, cmd: Command) -> Option<End> {
        let at = self.peer.elapsed();
        let action = cmd.request.action;
        let (verdict, end) = self
            .act(cmd.request.action, cmd.request.sdp.as_deref())
            .await;
        let (status, details) = match &verdict {
            Ok(_) => (200, None),
            Err(r) => (
                r.status,
                r.body.error.error_data.as_ref().map(|d| d.details.clone()),
            ),
        };
        self.graph.push(GraphRequest {
            at: Some(at),
            action: action.as_str().into(),
            status,
            details: details.clone(),
        });
        let what = match &details {
            None => format!("{} (200)", action.as_str()),
            Some(d) => format!("{} refused ({status}): {d}", action.as_str()),
        };
        self.emit(at, what);
        let _ = cmd.reply.send(verdict);
        end
    }

    async fn act(
        &mut self,
        action: Action,
        sdp: Option<&str>,
    ) -> (Result<Value, Rejection>, Option<End>) {
        let at = self.peer.elapsed();
        let refuse = |d: String| (Err(Rejection::invalid_parameter(d, None)), None);
        match action {
            Action::PreAccept => {
                if self.pre_accept_sdp.is_some() || self.accepted {
                    return refuse("the call was already pre-accepted or accepted".into());
                }
                let sdp = sdp.unwrap_or_default();
                if let Err(e) = self.answer(sdp, at).await {
                    return refuse(format!("Invalid Connection info: {e:#}"));
                }
                self.pre_accept_sdp = Some(sdp.to_string());
                (Ok(success_body()), None)
            }
            Action::Accept => {
                if self.accepted && !self.clock.accepted_by_media {
                    return refuse("the call was already accepted".into());
                }
                let sdp = sdp.unwrap_or_default();
                match &self.pre_accept_sdp {
                    Some(pre) if pre != sdp => {
                        return refuse(
                            "the SDP in accept does not match the SDP in pre_accept".into(),
                        );
                    }
                    Some(_) => {}
                    None => {
                        if let Err(e) = self.answer(sdp, at).await {
                            return refuse(format!("Invalid Connection info: {e:#}"));
                        }
                    }
                }
                self.accepted = true;
                self.clock.accept(at);
                self.ms.accept.get_or_insert(at);
                self.peer.accept();
                (Ok(success_body()), None)
            }
            Action::Reject if self.accepted => {
                refuse("an accepted call cannot be rejected; use terminate".into())
            }
            Action::Reject => (Ok(success_body()), Some(End::Rejected)),
            Action::Terminate => (Ok(success_body()), Some(End::TerminatedByBusiness)),
            Action::Connect => refuse("connect is not a call action".into()),
        }
    }

    async fn answer(&mut self, sdp: &str, at: Duration) -> anyhow::Result<()> {
        self.peer.apply_answer(sdp).await?;
        self.clock.answered(at);
        self.ms.answer.get_or_insert(at);
        Ok(())
    }

    async fn finish(
        mut self,
        end: End,
        meta: Option<&Meta>,
        user: &User,
        webhook_attempts: u32,
    ) -> CallReport {
        let at = self.peer.elapsed();
        self.ms.ended = Some(at);
        let st = self.peer.state();
        if let Some(m) = meta
            && let Some(w) = &m.webhooks
        {
            let now = unix_now();
            let picked_up = self
                .clock
                .accepted_at()
                .map(|a| (now - (at.saturating_sub(a)).as_secs() as i64, now));
            let direction = if self.business_initiated {
                "BUSINESS_INITIATED"
            } else {
                "USER_INITIATED"
            };
            let env = m.business.terminate(
                user,
                &self.call_id,
                direction,
                now,
                end.status(),
                picked_up,
                end.error(),
            );
            let d = w.deliver(&env).await;
            self.emit(self.peer.elapsed(), delivery_text("terminate", &d));
        }
        if let Some(dir) = &self.spec.record_dir {
            let path = dir.join(format!("call-{}.wav", self.spec.index));
            if let Err(e) = crate::io::media::write_wav(&path, &self.peer.recording()) {
                self.emit(self.peer.elapsed(), format!("could not record: {e:#}"));
            }
        }
        let heard = self.peer.analysis();
        self.peer.close().await;
        let mut r = report(&self, &st, end, webhook_attempts);
        r.heard = heard;
        r
    }
}

fn report(live: &Live, st: &PeerState, end: End, webhook_attempts: u32) -> CallReport {
    let d = diagnose(&Evidence {
        answer: st.answer.as_ref(),
        seen: &st.seen,
        timeline: &st.timeline,
        end: Some(&end),
        decoded_packets: st.heard_packets,
        sent_packets: st.sent_packets,
        opus_pt: live.peer.opus_pt(),
        media_address: live.peer.media_address(),
        business_initiated: live.business_initiated,
    });
    let mut r = CallReport::new(live.spec.index, live.call_id.clone(), d, end);
    r.milestones = live.ms.clone();
    r.setup = live.ms.setup();
    r.media_in = MediaIn {
        packets: st.rtp_in.packets,
        lost: st.rtp_in.lost(),
        loss_percent: st.rtp_in.loss_fraction() * 100.0,
        jitter_ms: st.rtp_in.jitter_ms(48_000),
        payload_types: st.rtp_in.payload_types.clone(),
        ssrcs: st.rtp_in.ssrcs.len(),
        decoded_packets: st.heard_packets,
        concealed_frames: st.heard_concealed,
        dtmf: st.heard_digits.clone(),
    };
    r.media_out = MediaOut {
        packets: st.seen.rtp_out,
        dtmf_packets: st.sent_dtmf_packets,
        skipped_frames: st.sent_skipped,
        write_errors: st.sent_errors,
    };
    r.graph_requests = live.graph.clone();
    r.business_certificate = st.seen.certificate;
    r.webhook_attempts = webhook_attempts;
    r
}

fn delivery_text(what: &str, d: &Delivery) -> String {
    let attempts = if d.attempts == 1 {
        String::new()
    } else {
        format!(", {} attempts", d.attempts)
    };
    match (d.status, &d.error) {
        (Some(s), _) if d.ok() => format!(
            "webhook `{what}` delivered: HTTP {s} in {} ms{attempts}",
            d.took.as_millis()
        ),
        (Some(s), _) => format!("webhook `{what}` refused: HTTP {s}{attempts}"),
        (None, Some(e)) => format!("webhook `{what}` not delivered: {e}{attempts}"),
        (None, None) => format!("webhook `{what}` not delivered{attempts}"),
    }
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// A simulated caller (a reserved fictional number, never a real person's).
pub fn caller(index: usize) -> User {
    let wa_id = format!("1555010{:04}", index % 10_000);
    User {
        name: format!("Simulated caller {index}"),
        wa_id,
    }
}

/// A new call id in WhatsApp's format.
pub fn fresh_call_id() -> String {
    let id_bytes: [u8; 40] = rand::random();
    wacid(&id_bytes)
}

mod start;

pub use start::{run_bic_call, run_direct_call, run_meta_call};
