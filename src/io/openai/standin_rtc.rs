//! The stand-in's WebRTC endpoint, `POST /v1/realtime/calls`, as OpenAI
//! serves it: the offer and the session as multipart form fields (or the
//! bare SDP with `?model=`), a bearer key, `201 Created` with the SDP answer
//! and a `Location`. The call then runs the same pure stand-in as the
//! WebSocket: caller audio from the Opus track (decoded, 24 kHz), events on
//! the `oai-events` data channel, and its answers spoken on its own Opus
//! track in real time. As on WebRTC, audio deltas do not travel as events,
//! the output buffer is reported (`output_audio_buffer.started`, `.stopped`,
//! `.cleared`), and a barge-in is handled by the server: its audio stops and
//! the item is truncated to what was played.

use super::standin_server::{Connection, Dir, Live, StandInServerConfig};
use crate::core::audio::{Decoder, Encoder, FRAME, Resampler};
use crate::core::realtime::events::decode_pcm;
use crate::core::realtime::standin::{StandIn, known_model};
use crate::core::rtp::Packetizer;
use crate::io::answerer::{self, AnswererConfig};
use crate::io::rtc::PeerEvent;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_remote::TrackRemoteEvent;

#[derive(Clone)]
struct Ctx {
    cfg: StandInServerConfig,
    conns: Arc<Mutex<Vec<Connection>>>,
    refused: Arc<Mutex<u64>>,
}

/// Serves one HTTP connection (the accept loop saw a `POST`).
pub(super) async fn serve_http(
    tcp: TcpStream,
    cfg: StandInServerConfig,
    conns: Arc<Mutex<Vec<Connection>>>,
    refused: Arc<Mutex<u64>>,
) {
    let app = axum::Router::new()
        .route("/v1/realtime/calls", post(create_call))
        .with_state(Ctx {
            cfg,
            conns,
            refused,
        });
    let service = hyper_util::service::TowerToHyperService::new(app);
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(hyper_util::rt::TokioIo::new(tcp), service)
        .await;
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"error": {"message": message, "type": "invalid_request_error", "code": code, "param": null}});
    (status, axum::Json(body)).into_response()
}

async fn create_call(
    State(ctx): State<Ctx>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let ok = match &ctx.cfg.key {
        Some(k) => bearer == k,
        None => !bearer.is_empty(),
    };
    if !ok {
        *ctx.refused.lock().unwrap() += 1;
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
        );
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (sdp, session) = if content_type.starts_with("multipart/form-data") {
        let Ok(mut form) = Multipart::from_request(request, &()).await else {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The multipart body could not be read.",
            );
        };
        let (mut sdp, mut session) = (None, Value::Null);
        while let Ok(Some(field)) = form.next_field().await {
            let name = field.name().unwrap_or("").to_string();
            let text = field.text().await.unwrap_or_default();
            match name.as_str() {
                "sdp" => sdp = Some(text),
                "session" => match serde_json::from_str(&text) {
                    Ok(v) => session = v,
                    Err(e) => {
                        return error(
                            StatusCode::BAD_REQUEST,
                            "invalid_json",
                            &format!("'session' is not valid JSON: {e}"),
                        );
                    }
                },
                _ => {}
            }
        }
        (sdp, session)
    } else if content_type.starts_with("application/sdp") {
        let body = axum::body::to_bytes(request.into_body(), 1 << 20)
            .await
            .unwrap_or_default();
        (
            Some(String::from_utf8_lossy(&body).to_string()),
            json!({"type": "realtime", "model": query.get("model")}),
        )
    } else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Send multipart/form-data with 'sdp' and 'session', or application/sdp.",
        );
    };
    let Some(sdp) = sdp.filter(|s| s.starts_with("v=")) else {
        return error(
            StatusCode::BAD_REQUEST,
            "missing_required_parameter",
            "Missing required parameter: 'sdp'.",
        );
    };
    let model = session["model"]
        .as_str()
        .or(query.get("model").map(String::as_str))
        .unwrap_or("gpt-realtime")
        .to_string();
    if !known_model(&model) {
        return error(
            StatusCode::BAD_REQUEST,
            "model_not_found",
            &format!("The model `{model}` does not exist or you do not have access to it."),
        );
    }
    let answered = match answerer::answer(
        &sdp,
        &AnswererConfig {
            bind: vec![IpAddr::from([127, 0, 0, 1])],
            ..AnswererConfig::default()
        },
    )
    .await
    {
        Ok(a) => a,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_offer",
                &format!("The SDP offer cannot be answered: {e:#}"),
            );
        }
    };
    let index = {
        let mut c = ctx.conns.lock().unwrap();
        c.push(Connection {
            opened: Instant::now(),
            model: model.clone(),
            log: Default::default(),
            frames: Vec::new(),
            live: Live::default(),
        });
        c.len() - 1
    };
    if session.is_object() {
        capture(&ctx, index, Dir::Session, &session.to_string());
    }
    let answer = answered.answer.clone();
    tokio::spawn(run_call(answered, model, session, ctx, index));
    Response::builder()
        .status(StatusCode::CREATED)
        .header(header::CONTENT_TYPE, "application/sdp")
        .header(
            header::LOCATION,
            format!("/v1/realtime/calls/rtc_standin{index:06}"),
        )
        .body(axum::body::Body::from(answer))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// What the call's loop reacts to.
enum In {
    Caller(Bytes),
    Client(String),
    Open,
    Gone,
}

/// How long a call with no media and no events is kept.
const IDLE: Duration = Duration::from_secs(30);

async fn run_call(a: answerer::Answered, model: String, session: Value, ctx: Ctx, index: usize) {
    let started = Instant::now();
    let shared = Arc::new(Mutex::new(StandIn::new(ctx.cfg.standin.clone(), &model)));
    ctx.conns.lock().unwrap()[index].live = Live(Some(shared.clone()));
    let ai = || shared.lock().unwrap();
    if session.is_object() {
        // The session given with the call is in force before the first event.
        let update = json!({"type": "session.update", "session": session}).to_string();
        let _ = ai().on_client(&update, 0);
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<In>();
    let mut dc: Option<Arc<dyn DataChannel>> = None;
    let mut pending: Vec<String> = ai().hello();
    let (Ok(mut enc), Ok(mut dec)) = (Encoder::new(32_000), Decoder::new()) else {
        return;
    };
    let (Ok(mut down), Ok(mut up)) = (
        Resampler::new(48_000, 24_000, FRAME),
        Resampler::new(24_000, 48_000, 120),
    ) else {
        return;
    };
    let mut packetizer = Packetizer::new(a.ssrc, rand::random(), rand::random());
    let mut out_audio: VecDeque<i16> = VecDeque::new();
    // The item being spoken and how much of it the caller was sent (48 kHz samples).
    let mut speaking: Option<(String, String, usize)> = None;
    let mut ticker = tokio::time::interval(crate::io::media::FRAME_TIME);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut events = a.events;
    let (mut pcm, mut pcm24) = (Vec::new(), Vec::new());
    let mut last_activity = Instant::now();
    // Ids for the events only WebRTC has (the stand-in numbers its own).
    let mut obs = 0u64;
    let eid = |n: &mut u64| {
        *n += 1;
        format!("event_standin_rtc{n:06}")
    };
    loop {
        let now = started.elapsed().as_millis() as u64;
        let mut said: Vec<String> = Vec::new();
        tokio::select! {
            e = events.recv() => match e {
                Some(PeerEvent::Track(track)) => {
                    let tx = tx.clone();
                    tokio::spawn(async move {
                        while let Some(e) = track.poll().await {
                            if let TrackRemoteEvent::OnRtpPacket(p) = e && tx.send(In::Caller(p.payload)).is_err() {
                                break;
                            }
                        }
                    });
                }
                Some(PeerEvent::DataChannel(channel)) => {
                    dc = Some(channel.clone());
                    let tx = tx.clone();
                    tokio::spawn(async move {
                        while let Some(e) = channel.poll().await {
                            let msg = match e {
                                DataChannelEvent::OnOpen => In::Open,
                                DataChannelEvent::OnMessage(m) => In::Client(String::from_utf8_lossy(&m.data).to_string()),
                                DataChannelEvent::OnClose => In::Gone,
                                _ => continue,
                            };
                            if tx.send(msg).is_err() {
                                break;
                            }
                        }
                    });
                }
                Some(PeerEvent::State(webrtc::peer_connection::RTCPeerConnectionState::Failed | webrtc::peer_connection::RTCPeerConnectionState::Closed)) | None => break,
                Some(_) => {}
            },
            Some(m) = rx.recv() => {
                last_activity = Instant::now();
                match m {
                    In::Caller(payload) => {
                        pcm.clear();
                        if dec.decode(&payload, &mut pcm).is_ok() {
                            pcm24.clear();
                            down.push(&pcm, &mut pcm24);
                            said = ai().audio(&pcm24, now);
                        }
                    }
                    In::Client(text) => {
                        capture(&ctx, index, Dir::FromClient, &text);
                        said = ai().on_client(&text, now);
                    }
                    In::Open => said = std::mem::take(&mut pending),
                    In::Gone => break,
                }
            }
            _ = ticker.tick() => {
                said = ai().poll(now);
                let mut frame = [0i16; FRAME];
                let taken = FRAME.min(out_audio.len());
                for (s, x) in frame.iter_mut().zip(out_audio.drain(..taken)) {
                    *s = x;
                }
                if let Some(sp) = speaking.as_mut() {
                    sp.2 += taken;
                }
                if let Ok(payload) = enc.encode(&frame) {
                    let (sequence_number, timestamp) = packetizer.next(FRAME as u32);
                    let _ = a.track.write_rtp(::rtc::rtp::Packet {
                        header: ::rtc::rtp::Header { version: 2, payload_type: a.codecs.opus_pt, sequence_number, timestamp, ssrc: a.ssrc, ..Default::default() },
                        payload: Bytes::from(payload),
                    }).await;
                }
                if out_audio.is_empty() && let Some((response_id, _, _)) = speaking.take() {
                    said.push(json!({"type": "output_audio_buffer.stopped", "event_id": eid(&mut obs), "response_id": response_id}).to_string());
                }
                if last_activity.elapsed() > IDLE {
                    break;
                }
            }
        }
        // What the stand-in said, as WebRTC carries it.
        let mut out = Vec::new();
        for text in said {
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            match v["type"].as_str() {
                Some("response.output_audio.delta") => {
                    if let Some(Ok(pcm)) = v["delta"].as_str().map(decode_pcm) {
                        let mut wide = Vec::new();
                        up.push(&pcm, &mut wide);
                        out_audio.extend(wide);
                    }
                    let (rid, iid) = (
                        v["response_id"].as_str().unwrap_or("").to_string(),
                        v["item_id"].as_str().unwrap_or("").to_string(),
                    );
                    if speaking.as_ref().is_none_or(|s| s.1 != iid) {
                        out.push(json!({"type": "output_audio_buffer.started", "event_id": eid(&mut obs), "response_id": rid}).to_string());
                        speaking = Some((rid, iid, 0));
                    }
                }
                Some("input_audio_buffer.speech_started") if speaking.is_some() => {
                    out.push(text);
                    out_audio.clear();
                    up.reset();
                    if let Some((rid, iid, sent)) = speaking.take() {
                        out.push(json!({"type": "output_audio_buffer.cleared", "event_id": eid(&mut obs), "response_id": rid}).to_string());
                        out.push(json!({"type": "conversation.item.truncated", "event_id": eid(&mut obs), "item_id": iid, "content_index": 0, "audio_end_ms": sent / 48}).to_string());
                    }
                }
                _ => out.push(text),
            }
        }
        match &dc {
            Some(channel) if pending.is_empty() => {
                for text in out {
                    capture(&ctx, index, Dir::ToClient, &text);
                    let _ = channel.send_text(&text).await;
                }
            }
            _ => pending.extend(out),
        }
    }
    let _ = a.pc.close().await;
}

fn capture(ctx: &Ctx, index: usize, dir: Dir, text: &str) {
    if ctx.cfg.capture {
        ctx.conns.lock().unwrap()[index]
            .frames
            .push((dir, text.to_string()));
    }
}
