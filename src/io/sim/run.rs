//! A run of simulated calls against a bridge: the fake Graph API up, the
//! webhook target verified, N calls at a concurrency of C.

use super::call::{CallSpec, Event, Meta, fresh_call_id, run_bic_call, run_meta_call};
use super::graph_api::{GraphApi, Injection, Seen};
use super::webhooks::{Retry, Sender};
use crate::core::sim::report::CallReport;
use crate::core::webhook::Business;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Deliveries go to each in turn.
    pub webhook_urls: Vec<String>,
    pub app_secret: String,
    pub verify_token: Option<String>,
    pub graph_listen: SocketAddr,
    pub graph_token: String,
    pub business: Business,
    pub calls: usize,
    pub concurrency: usize,
    /// Every call's settings; `index` is set per call.
    pub call: CallSpec,
    pub retry: Retry,
    pub injections: Vec<Injection>,
    /// The first `concurrency` calls start evenly over this long.
    pub ramp: Duration,
}

pub struct Sim {
    pub graph: GraphApi,
    cfg: SimConfig,
    webhooks: Sender,
}

impl Sim {
    /// Starts the Graph API and, with a verify token, runs the GET handshake.
    pub async fn start(cfg: SimConfig) -> anyhow::Result<Sim> {
        let graph = GraphApi::start(
            cfg.graph_listen,
            &cfg.graph_token,
            &cfg.business.phone_number_id,
        )
        .await?;
        for i in &cfg.injections {
            graph.desk.inject(i.clone());
        }
        let webhooks = Sender::new(&cfg.webhook_urls, &cfg.app_secret, cfg.retry.clone())?;
        if let Some(token) = &cfg.verify_token {
            webhooks
                .verify(token)
                .await
                .map_err(|e| anyhow::anyhow!("webhook verification failed: {e:#}"))?;
        }
        Ok(Sim {
            graph,
            cfg,
            webhooks,
        })
    }

    /// Graph API requests as they arrive.
    pub fn log_requests(&self) -> mpsc::UnboundedReceiver<Seen> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.graph.desk.log_to(tx);
        rx
    }

    /// Runs every call; reports come back in call order.
    pub async fn run(
        &self,
        events: mpsc::UnboundedSender<Event>,
        stop: watch::Receiver<bool>,
    ) -> Vec<CallReport> {
        let meta = self.meta();
        let gate = Arc::new(Semaphore::new(self.cfg.concurrency.max(1)));
        let mut set = JoinSet::new();
        let began = tokio::time::Instant::now();
        let c = self.cfg.concurrency.max(1);
        for index in 1..=self.cfg.calls {
            if index <= c && !self.cfg.ramp.is_zero() {
                let at = self.cfg.ramp.mul_f64((index - 1) as f64 / c as f64);
                tokio::time::sleep_until(began + at).await;
            }
            let Ok(permit) = gate.clone().acquire_owned().await else {
                break;
            };
            if *stop.borrow() {
                break;
            }
            let mut spec = self.cfg.call.clone();
            spec.index = index;
            if let Some(dir) = &spec.record_dir {
                let _ = std::fs::create_dir_all(dir);
            }
            let (meta, events, stop) = (meta.clone(), events.clone(), stop.clone());
            set.spawn(async move {
                let report = run_meta_call(spec, meta, fresh_call_id(), events.clone(), stop).await;
                let _ = events.send(Event::Ended(Box::new(report.clone())));
                drop(permit);
                report
            });
        }
        let mut reports: Vec<CallReport> = Vec::new();
        while let Some(r) = set.join_next().await {
            if let Ok(r) = r {
                reports.push(r);
            }
        }
        reports.sort_by_key(|r| r.index);
        reports
    }

    /// One call, for this business and with this call id (a replay
    /// schedules its calls itself and must know their ids up front).
    pub async fn run_one(
        &self,
        spec: CallSpec,
        business: Business,
        call_id: String,
        events: mpsc::UnboundedSender<Event>,
        stop: watch::Receiver<bool>,
    ) -> CallReport {
        self.graph.serve_number(&business.phone_number_id);
        let meta = Meta {
            business,
            ..self.meta()
        };
        let report = run_meta_call(spec, meta, call_id, events.clone(), stop).await;
        let _ = events.send(Event::Ended(Box::new(report.clone())));
        report
    }

    /// Reports the bytes of every webhook delivered from now on.
    pub fn log_webhooks(&mut self) -> mpsc::UnboundedReceiver<Vec<u8>> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.webhooks.log_to(tx);
        rx
    }

    /// POSTs a body as Meta would, signed, with Meta's retries.
    pub async fn deliver(&self, body: &[u8]) -> super::webhooks::Delivery {
        self.webhooks.deliver_bytes(body).await
    }

    fn meta(&self) -> Meta {
        Meta {
            business: self.cfg.business.clone(),
            desk: self.graph.desk.clone(),
            webhooks: Some(self.webhooks.clone()),
        }
    }

    /// Waits for the bridge to place up to N business-initiated calls
    /// (Graph `connect`), each within `wait` of the last, and runs them.
    pub async fn serve_business_initiated(
        &self,
        events: mpsc::UnboundedSender<Event>,
        mut stop: watch::Receiver<bool>,
        wait: Duration,
    ) -> Vec<CallReport> {
        let mut connects = self.graph.desk.take_connects();
        let mut set = JoinSet::new();
        for index in 1..=self.cfg.calls {
            let cmd = tokio::select! {
                c = connects.recv() => c,
                _ = tokio::time::sleep(wait) => None,
                _ = stop.changed() => None,
            };
            let Some(cmd) = cmd else { break };
            let mut spec = self.cfg.call.clone();
            spec.index = index;
            let (meta, events, stop) = (self.meta(), events.clone(), stop.clone());
            set.spawn(async move {
                let report = run_bic_call(spec, meta, cmd, events.clone(), stop).await;
                let _ = events.send(Event::Ended(Box::new(report.clone())));
                report
            });
        }
        let mut reports: Vec<CallReport> = set.join_all().await;
        reports.sort_by_key(|r| r.index);
        reports
    }
}
