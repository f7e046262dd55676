//! How each kind of simulated call starts and is driven to its end: a
//! user-initiated call through webhooks and the Graph API, one answered by
//! hand (`sim offer`), and a business-initiated one.

use super::*;

/// Runs one call through webhooks and the fake Graph API until it ends.
pub async fn run_meta_call(
    spec: CallSpec,
    meta: Meta,
    call_id: String,
    events: mpsc::UnboundedSender<Event>,
    mut stop: watch::Receiver<bool>,
) -> CallReport {
    let user = caller(spec.index);
    let peer = match WhatsAppPeer::new(spec.peer.clone()).await {
        Ok(p) => p,
        Err(e) => return failed_to_start(&spec, call_id, e),
    };
    let mut commands = meta.desk.open(&call_id);
    let mut live = Live::new(spec, call_id.clone(), peer, events);
    live.emit(
        Duration::ZERO,
        format!(
            "offered {call_id} (WhatsApp media at {})",
            live.peer.media_address()
        ),
    );
    let mut attempts = 0;
    if let Some(w) = &meta.webhooks {
        let env = meta
            .business
            .connect_offer(&user, &call_id, unix_now(), live.peer.offer());
        let d = w.deliver(&env).await;
        attempts = d.attempts;
        live.emit(live.peer.elapsed(), delivery_text("connect", &d));
        if d.ok() {
            live.ms.webhook_delivered = Some(live.peer.elapsed());
        } else {
            meta.desk.close(&call_id);
            let why = format!(
                "the connect webhook was not delivered ({})",
                delivery_text("connect", &d)
            );
            return live.finish(End::Aborted(why), None, &user, attempts).await;
        }
    }
    let end = drive(&mut live, Some(&mut commands), &mut stop).await;
    meta.desk.close(&call_id);
    live.finish(end, Some(&meta), &user, attempts).await
}

/// Runs one call from an already offered peer and a pasted answer (`sim offer`).
pub async fn run_direct_call(
    spec: CallSpec,
    peer: WhatsAppPeer,
    answer: &str,
    events: mpsc::UnboundedSender<Event>,
    mut stop: watch::Receiver<bool>,
) -> CallReport {
    let mut live = Live::new(spec, "pasted-offer".into(), peer, events);
    let (verdict, _) = live.act(Action::Accept, Some(answer)).await;
    let end = match verdict {
        Ok(_) => {
            live.emit(live.peer.elapsed(), "answer applied, call accepted");
            drive(&mut live, None, &mut stop).await
        }
        Err(r) => End::Aborted(
            r.body
                .error
                .error_data
                .map(|d| d.details)
                .unwrap_or_default(),
        ),
    };
    live.finish(end, None, &caller(0), 0).await
}

/// Runs one business-initiated call: the business's `connect` request
/// (`cmd`) is answered by the simulated WhatsApp, which rings, sends the
/// `connect` webhook with its answer, then `ACCEPTED` once media flows.
pub async fn run_bic_call(
    spec: CallSpec,
    meta: Meta,
    cmd: Command,
    events: mpsc::UnboundedSender<Event>,
    mut stop: watch::Receiver<bool>,
) -> CallReport {
    let to = cmd.request.to.clone().unwrap_or_default();
    let user = User {
        name: to.clone(),
        wa_id: to,
    };
    let opaque = cmd.request.biz_opaque_callback_data.clone();
    let call_id = fresh_call_id();
    let offer = cmd.request.sdp.clone().unwrap_or_default();
    let (peer, answer) = match WhatsAppPeer::answering(spec.peer.clone(), &offer).await {
        Ok(x) => x,
        Err(e) => {
            let refusal =
                Rejection::invalid_parameter(format!("Invalid Connection info: {e:#}"), None);
            let _ = cmd.reply.send(Err(refusal));
            return failed_to_start(&spec, call_id, e);
        }
    };
    let mut commands = meta.desk.open(&call_id);
    let _ = cmd
        .reply
        .send(Ok(crate::core::graph::connect_body(&call_id)));
    let mut live = Live {
        business_initiated: true,
        accepted_hook: meta
            .webhooks
            .clone()
            .map(|w| (w, meta.business.clone(), user.clone(), opaque.clone())),
        ..Live::new(spec, call_id.clone(), peer, events)
    };
    let from = live.peer.media_address();
    live.emit(
        Duration::ZERO,
        format!(
            "the business called {} ({call_id}); WhatsApp answers from {from}",
            user.wa_id
        ),
    );
    live.graph.push(GraphRequest {
        at: Some(Duration::ZERO),
        action: "connect".into(),
        status: 200,
        details: None,
    });
    let mut attempts = 0;
    if let Some(w) = &meta.webhooks {
        let ringing =
            meta.business
                .status(&user, &call_id, unix_now(), "RINGING", opaque.as_deref());
        let d = w.deliver(&ringing).await;
        live.emit(live.peer.elapsed(), delivery_text("status RINGING", &d));
        tokio::select! {
            _ = tokio::time::sleep(live.spec.ring) => {}
            _ = stop.changed() => {}
        }
        let env =
            meta.business
                .connect_answer(&user, &call_id, unix_now(), &answer, opaque.as_deref());
        let d = w.deliver(&env).await;
        attempts = d.attempts;
        live.emit(live.peer.elapsed(), delivery_text("connect", &d));
        if d.ok() {
            live.ms.webhook_delivered = Some(live.peer.elapsed());
        }
    }
    // The user picked up: WhatsApp's answer is out and the call is on.
    let at = live.peer.elapsed();
    live.clock.answered(at);
    live.clock.accept(at);
    live.ms.answer = Some(at);
    live.ms.accept = Some(at);
    live.accepted = true;
    live.peer.accept();
    let end = drive(&mut live, Some(&mut commands), &mut stop).await;
    meta.desk.close(&call_id);
    live.finish(end, Some(&meta), &user, attempts).await
}

async fn drive(
    live: &mut Live,
    mut commands: Option<&mut mpsc::UnboundedReceiver<Command>>,
    stop: &mut watch::Receiver<bool>,
) -> End {
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let mut setting_up = true;
    loop {
        tokio::select! {
            cmd = async {
                match commands.as_deref_mut() {
                    Some(rx) => rx.recv().await,
                    None => std::future::pending().await,
                }
            } => {
                match cmd {
                    Some(c) => if let Some(end) = live.command(c).await {
                        live.clock.end(live.peer.elapsed(), end.clone());
                        return end;
                    },
                    None => commands = None,
                }
            }
            _ = tick.tick() => {
                if let Some(end) = live.poll() {
                    return end;
                }
                if live.ms.first_rtp_in.is_some()
                    && live.ms.first_rtp_out.is_some()
                    && let Some((w, business, user, opaque)) = live.accepted_hook.take()
                {
                    let accepted = business.status(&user, &live.call_id, unix_now(), "ACCEPTED", opaque.as_deref());
                    let d = w.deliver(&accepted).await;
                    live.emit(live.peer.elapsed(), delivery_text("status ACCEPTED", &d));
                }
                // Media flows both ways: a look every 100 ms is enough from
                // here (milestones carry their own times), and 50 a second
                // per call were a tenth of a loaded simulator's CPU.
                if setting_up && live.ms.first_rtp_in.is_some() && live.ms.first_rtp_out.is_some() {
                    setting_up = false;
                    let every = Duration::from_millis(100);
                    tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
                }
            }
            _ = stop.changed() => {
                if *stop.borrow() {
                    return End::Aborted("stopped by the user".into());
                }
            }
        }
    }
}

fn failed_to_start(spec: &CallSpec, call_id: String, e: anyhow::Error) -> CallReport {
    let d = crate::core::sim::diagnose::Diagnosis {
        ok: false,
        layer: None,
        reason: format!("the simulated WhatsApp peer did not start: {e:#}"),
        notes: vec![],
    };
    CallReport::new(spec.index, call_id, d, End::Aborted(format!("{e:#}")))
}
