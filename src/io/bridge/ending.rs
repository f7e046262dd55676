//! Ending a bridged call: waiting for a stop, and hanging up cleanly
//! (media stopped, terminate or reject through the Graph API, connection closed).

use super::report::Run;
use super::{Event, Signalling};
use crate::core::bridge::Ending;
use crate::core::graph::Action;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Resolves when a stop is asked for; never if no one can ask.
pub(super) async fn wait_stop(stop: &mut watch::Receiver<Option<Ending>>) -> Ending {
    loop {
        if let Some(e) = stop.borrow_and_update().clone() {
            return e;
        }
        if stop.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Stops media, ends the call through the Graph API (terminate once
/// accepted, reject once only pre-accepted), closes the connection.
#[allow(clippy::too_many_arguments)]
pub(super) async fn end(
    r: &mut Run,
    link: &super::link::Link,
    stop_media: &watch::Sender<bool>,
    media: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    ending: Ending,
    sig: &Signalling,
    pre_accepted: bool,
    accepted: bool,
) -> Ending {
    let _ = stop_media.send(true);
    if let Some(media) = media {
        let _ = tokio::time::timeout(Duration::from_secs(2), media).await;
    }
    if let Signalling::Graph {
        client, call_id, ..
    } = sig
    {
        let action = match (accepted, pre_accepted) {
            // The caller hung up: the call is over on Meta's side already.
            _ if ending == Ending::HungUp => None,
            (true, _) => Some(Action::Terminate),
            (false, true) => Some(Action::Reject),
            _ => None,
        };
        if let Some(action) = action {
            let outcome = client
                .call(
                    action,
                    call_id,
                    None,
                    Instant::now() + Duration::from_secs(5),
                )
                .await;
            let _ = r.events.send(Event::Graph {
                at: r.at(),
                outcome,
            });
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), link.close()).await;
    ending
}
