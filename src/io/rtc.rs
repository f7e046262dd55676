//! webrtc-rs 0.21 set up for WhatsApp calls, shared by both sides: codecs
//! registered so that real WhatsApp offers match, peer events as a channel,
//! and one RTP track whose packets we number ourselves.

use anyhow::Context;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::interceptor_registry::{
    configure_rtcp_reports, configure_simulcast_extension_headers, configure_twcc_receiver_only,
};
use rtc::peer_connection::configuration::media_engine::{
    MIME_TYPE_OPUS, MIME_TYPE_TELEPHONE_EVENT,
};
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RtpCodecKind,
};
use std::sync::Arc;
use tokio::sync::mpsc;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{
    MediaEngine, PeerConnectionEventHandler, RTCIceConnectionState, RTCIceGatheringState,
    RTCPeerConnectionState, Registry,
};

/// Payload types and the Opus fmtp to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codecs {
    pub opus_pt: u8,
    /// What to register for Opus. webrtc-rs keeps only exact fmtp matches when
    /// any exist (deps.md §1 gotcha 2), so a bridge registers a line that
    /// conflicts with nothing WhatsApp offers; the simulator registers the
    /// offer's own.
    pub opus_fmtp: String,
    pub dtmf_pt: Option<u8>,
}

impl Codecs {
    /// The payload types we send: Opus, and DTMF if the offer had it.
    pub fn payload_types(&self) -> Vec<u8> {
        [Some(self.opus_pt), self.dtmf_pt]
            .into_iter()
            .flatten()
            .collect()
    }

    pub fn opus(&self) -> RTCRtpCodec {
        RTCRtpCodec {
            mime_type: MIME_TYPE_OPUS.into(),
            clock_rate: 48000,
            channels: 2,
            sdp_fmtp_line: self.opus_fmtp.clone(),
            rtcp_feedback: vec![],
        }
    }
}

pub fn media_engine(c: &Codecs) -> anyhow::Result<(MediaEngine, Registry)> {
    let mut me = MediaEngine::default();
    me.register_codec(
        RTCRtpCodecParameters {
            rtp_codec: c.opus(),
            payload_type: c.opus_pt,
        },
        RtpCodecKind::Audio,
    )
    .context("register Opus")?;
    if let Some(pt) = c.dtmf_pt {
        me.register_codec(
            RTCRtpCodecParameters {
                rtp_codec: RTCRtpCodec {
                    mime_type: MIME_TYPE_TELEPHONE_EVENT.into(),
                    clock_rate: 8000,
                    channels: 0,
                    sdp_fmtp_line: "0-15".into(),
                    rtcp_feedback: vec![],
                },
                payload_type: pt,
            },
            RtpCodecKind::Audio,
        )
        .context("register telephone-event")?;
    }
    // webrtc-rs's default set without NACK: its rtcp-fb is registered for
    // video only, so for audio its two interceptors only copied each packet
    // through their queues (a tenth of `serve`'s copying at 300 calls).
    // Sender and receiver reports: RTCP keeps a quiet call alive past Meta's
    // 30 s timer. TWCC stays: it is what the answer's `transport-cc` promises.
    configure_simulcast_extension_headers(&mut me).context("register header extensions")?;
    let registry =
        configure_twcc_receiver_only(Registry::new(), &mut me).context("register TWCC")?;
    Ok((me, configure_rtcp_reports(registry)))
}

/// A local audio track with one fixed SSRC, for webrtc-rs's peer connection.
pub fn audio_track(
    c: &Codecs,
    ssrc: u32,
    stream_id: &str,
    track_id: &str,
) -> Arc<TrackLocalStaticRTP> {
    Arc::new(TrackLocalStaticRTP::new(audio_stream(
        c, ssrc, stream_id, track_id,
    )))
}

/// The audio track's description with one fixed SSRC, as `rtc` takes it.
pub fn audio_stream(c: &Codecs, ssrc: u32, stream_id: &str, track_id: &str) -> MediaStreamTrack {
    MediaStreamTrack::new(
        stream_id.to_string(),
        track_id.to_string(),
        track_id.to_string(),
        RtpCodecKind::Audio,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                ssrc: Some(ssrc),
                ..Default::default()
            },
            codec: c.opus(),
            ..Default::default()
        }],
    )
}

/// What a peer connection reports.
pub enum PeerEvent {
    Ice(RTCIceConnectionState),
    State(RTCPeerConnectionState),
    GatheringComplete,
    Track(Arc<dyn TrackRemote>),
    /// A data channel the other side opened.
    DataChannel(Arc<dyn webrtc::data_channel::DataChannel>),
}

/// Waits, at most `within`, for candidate gathering to finish; the other
/// events that came meanwhile are returned in order, and whether time ran out.
pub async fn await_gathering(
    events: &mut mpsc::UnboundedReceiver<PeerEvent>,
    within: std::time::Duration,
) -> (Vec<PeerEvent>, bool) {
    let deadline = tokio::time::sleep(within);
    tokio::pin!(deadline);
    let mut early = Vec::new();
    loop {
        tokio::select! {
            e = events.recv() => match e {
                Some(PeerEvent::GatheringComplete) | None => return (early, false),
                Some(other) => early.push(other),
            },
            _ = &mut deadline => return (early, true),
        }
    }
}

/// A handler that turns callbacks into [`PeerEvent`]s on a channel.
pub struct Events(pub mpsc::UnboundedSender<PeerEvent>);

impl Events {
    pub fn channel() -> (Arc<Events>, mpsc::UnboundedReceiver<PeerEvent>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Arc::new(Events(tx)), rx)
    }
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Events {
    async fn on_ice_connection_state_change(&self, s: RTCIceConnectionState) {
        let _ = self.0.send(PeerEvent::Ice(s));
    }
    async fn on_connection_state_change(&self, s: RTCPeerConnectionState) {
        let _ = self.0.send(PeerEvent::State(s));
    }
    async fn on_ice_gathering_state_change(&self, s: RTCIceGatheringState) {
        if s == RTCIceGatheringState::Complete {
            let _ = self.0.send(PeerEvent::GatheringComplete);
        }
    }
    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let _ = self.0.send(PeerEvent::Track(track));
    }
    async fn on_data_channel(&self, dc: Arc<dyn webrtc::data_channel::DataChannel>) {
        let _ = self.0.send(PeerEvent::DataChannel(dc));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn gathering_keeps_earlier_events_in_order_and_leaves_later_ones() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tx.send(PeerEvent::Ice(RTCIceConnectionState::Checking))
            .unwrap();
        tx.send(PeerEvent::State(RTCPeerConnectionState::Connecting))
            .unwrap();
        tx.send(PeerEvent::GatheringComplete).unwrap();
        tx.send(PeerEvent::State(RTCPeerConnectionState::Connected))
            .unwrap();
        let (early, timed_out) = await_gathering(&mut rx, Duration::from_secs(5)).await;
        assert!(!timed_out);
        assert!(matches!(
            early.as_slice(),
            [
                PeerEvent::Ice(RTCIceConnectionState::Checking),
                PeerEvent::State(RTCPeerConnectionState::Connecting)
            ]
        ));
        assert!(matches!(
            rx.try_recv(),
            Ok(PeerEvent::State(RTCPeerConnectionState::Connected))
        ));
    }

    #[tokio::test]
    async fn gathering_that_never_completes_times_out_with_what_came() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tx.send(PeerEvent::Ice(RTCIceConnectionState::Checking))
            .unwrap();
        let (early, timed_out) = await_gathering(&mut rx, Duration::from_millis(20)).await;
        assert!(timed_out);
        assert_eq!(early.len(), 1);
        drop(tx);
    }
}
