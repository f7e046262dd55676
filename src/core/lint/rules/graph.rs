//! The Graph API request body around the SDP: `sdp_type`, `action`, and the
//! fields Meta requires. Positions point into the JSON file.

use super::super::Severity::Error;
use super::super::{context::Ctx, registry::Rule};
use super::rule;
use crate::core::input::GraphFacts;

pub static GRAPH_SDP_TYPE: Rule = rule(
    "WA028",
    "graph-sdp-type",
    Error,
    "`session.sdp_type` does not fit the action: `answer` for pre_accept/accept, `offer` for connect",
    "Graph API /calls request bodies",
    "send `\"sdp_type\": \"answer\"` with pre_accept and accept (Meta's parameter table says \"offer\"; that is a documentation error)",
    Some("the call never connects (whatsapp-api-js shipped \"offer\" and fixed it in PR #522)"),
    include_str!("../docs/WA028.md"),
);

pub static GRAPH_BODY: Rule = rule(
    "WA029",
    "graph-body",
    Error,
    "the Graph API request body lacks a field Meta requires, or uses the legacy `connection.webrtc.sdp`",
    "Graph API /calls request bodies",
    "send `{\"messaging_product\":\"whatsapp\",\"call_id\":...,\"action\":\"pre_accept\"|\"accept\",\"session\":{\"sdp_type\":\"answer\",\"sdp\":...}}`",
    Some("Graph API 400, code 100: invalid parameter"),
    include_str!("../docs/WA029.md"),
);

const ACTIONS: [&str; 5] = ["pre_accept", "accept", "reject", "terminate", "connect"];

pub(super) fn check(ctx: &mut Ctx) {
    let Some(g) = ctx.subject.graph else { return };
    body(ctx, g);
    let want = match g.action.as_deref() {
        Some("pre_accept" | "accept") => "answer",
        Some("connect") => "offer",
        _ => return,
    };
    let action = g.action.as_deref().unwrap_or_default();
    match g.sdp_type.as_deref() {
        Some(t) if t == want => {}
        Some(t) => {
            let (l, c, w) = g.position("sdp_type");
            ctx.in_container(
                &GRAPH_SDP_TYPE,
                l,
                c,
                w,
                format!("`{action}` carries `\"sdp_type\": \"{t}\"`; it must be \"{want}\""),
            );
        }
        None => {
            let (l, c, w) = g.position("session");
            ctx.in_container(
                &GRAPH_SDP_TYPE,
                l,
                c,
                w,
                format!("`session` has no `sdp_type`; `{action}` needs \"{want}\""),
            );
        }
    }
}

fn body(ctx: &mut Ctx, g: &GraphFacts) {
    let report = |ctx: &mut Ctx, key: &str, message: String| {
        let (l, c, w) = g.position(key);
        ctx.in_container(&GRAPH_BODY, l, c, w, message);
    };
    if g.messaging_product.as_deref() != Some("whatsapp") {
        report(
            ctx,
            "messaging_product",
            "`messaging_product` must be \"whatsapp\"".into(),
        );
    }
    match g.action.as_deref() {
        None => report(ctx, "action", "no `action`".into()),
        Some(a) if !ACTIONS.contains(&a) => report(
            ctx,
            "action",
            format!("unknown action `{a}`; Meta knows {}", ACTIONS.join(", ")),
        ),
        Some("pre_accept" | "accept") if g.call_id.is_none() => report(
            ctx,
            "call_id",
            "no `call_id`: Meta cannot tell which call this answers".into(),
        ),
        Some("connect") if g.to.is_none() => {
            report(ctx, "to", "no `to`: the number to call".into())
        }
        Some(_) => {}
    }
    if g.legacy_connection {
        report(
            ctx,
            "connection",
            "the legacy `connection.webrtc.sdp` field: Meta's FAQ says to use `session.sdp`".into(),
        );
    }
}
