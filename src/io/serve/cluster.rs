//! Several `wacall serve` instances behind one load balancer, with Redis
//! for ownership and routing (no home-made cluster protocol):
//!
//! - a call belongs to the instance that answered it: `wacall:call:{id}`
//!   holds the owner, set only if unset (a connect delivered to two
//!   instances is answered once) and kept alive while the call is;
//! - a request for a call that lands elsewhere (Meta's `terminate`, the
//!   control API's `DELETE`) is published on the owner's channel
//!   `wacall:to:{instance}`;
//! - every instance keeps `wacall:alive:{instance}` alive; when one expires
//!   the others notice, and one of them (a lock decides) reports the calls
//!   the dead instance held (`wacall:calls:{instance}`) as lost.

use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::mpsc;

const INSTANCES: &str = "wacall:instances";

fn call_key(call_id: &str) -> String {
    format!("wacall:call:{call_id}")
}
fn alive_key(id: &str) -> String {
    format!("wacall:alive:{id}")
}
fn calls_key(id: &str) -> String {
    format!("wacall:calls:{id}")
}
fn channel(id: &str) -> String {
    format!("wacall:to:{id}")
}

/// What another instance asks this one to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// End this call (its `terminate` or a `DELETE` reached another instance).
    HangUp { call_id: String, why: String },
}

#[derive(Clone)]
pub struct Cluster {
    conn: MultiplexedConnection,
    pub id: String,
    ttl: Duration,
}

/// An instance that stopped renewing its key, and the calls it held.
#[derive(Debug, Clone, PartialEq)]
pub struct Lost {
    pub instance: String,
    pub calls: Vec<String>,
}

fn secs(d: Duration) -> u64 {
    d.as_secs().max(1)
}

impl Cluster {
    /// Connects, announces this instance and listens on its channel.
    pub async fn join(
        url: &str,
        id: &str,
        ttl: Duration,
    ) -> anyhow::Result<(Cluster, mpsc::UnboundedReceiver<Command>)> {
        let client = redis::Client::open(url).map_err(|e| {
            anyhow::anyhow!(
                "--redis `{}` is not a Redis URL: {e}",
                without_password(url)
            )
        })?;
        let url = without_password(url);
        let connect = async {
            let conn = client.get_multiplexed_async_connection().await?;
            let pubsub = client.get_async_pubsub().await?;
            Ok::<_, redis::RedisError>((conn, pubsub))
        };
        let (conn, mut pubsub) = tokio::time::timeout(Duration::from_secs(5), connect)
            .await
            .map_err(|_| anyhow::anyhow!("Redis at {url} did not answer within 5 s"))?
            .map_err(|e| anyhow::anyhow!("cannot connect to Redis at {url}: {e}"))?;
        pubsub.subscribe(channel(id)).await?;
        let cluster = Cluster {
            conn,
            id: id.to_string(),
            ttl,
        };
        let mut c = cluster.conn.clone();
        let taken: bool = redis::cmd("SET")
            .arg(alive_key(id))
            .arg(unix_ms())
            .arg("NX")
            .arg("EX")
            .arg(secs(ttl))
            .query_async::<Option<String>>(&mut c)
            .await?
            .is_some();
        anyhow::ensure!(
            taken,
            "another live instance is called `{id}`: give each one its own --instance-id"
        );
        let _: () = c.sadd(INSTANCES, id).await?;
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut messages = pubsub.into_on_message();
            while let Some(m) = messages.next().await {
                let Ok(text) = m.get_payload::<String>() else {
                    continue;
                };
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if v["op"] == "hang_up"
                    && let Some(call_id) = v["call_id"].as_str()
                {
                    let why = v["why"].as_str().unwrap_or("").to_string();
                    let cmd = Command::HangUp {
                        call_id: call_id.to_string(),
                        why,
                    };
                    if tx.send(cmd).is_err() {
                        break;
                    }
                }
            }
        });
        Ok((cluster, rx))
    }

    /// Takes ownership of a call; `Err(owner)` when another instance has it.
    pub async fn claim(
        &self,
        call_id: &str,
        from: Option<&str>,
    ) -> anyhow::Result<Result<(), String>> {
        let mut c = self.conn.clone();
        let info = json!({"owner": self.id, "from": from, "startedAtMs": unix_ms()}).to_string();
        let set: Option<String> = redis::cmd("SET")
            .arg(call_key(call_id))
            .arg(&info)
            .arg("NX")
            .arg("EX")
            .arg(secs(self.ttl) * 3)
            .query_async(&mut c)
            .await?;
        if set.is_some() {
            let _: () = c.sadd(calls_key(&self.id), call_id).await?;
            return Ok(Ok(()));
        }
        Ok(Err(self.owner(call_id).await?.unwrap_or_default()))
    }

    /// The call has ended here.
    pub async fn release(&self, call_id: &str) -> anyhow::Result<()> {
        let mut c = self.conn.clone();
        let _: () = c.del(call_key(call_id)).await?;
        let _: () = c.srem(calls_key(&self.id), call_id).await?;
        Ok(())
    }

    pub async fn owner(&self, call_id: &str) -> anyhow::Result<Option<String>> {
        let mut c = self.conn.clone();
        let info: Option<String> = c.get(call_key(call_id)).await?;
        Ok(info
            .and_then(|i| serde_json::from_str::<Value>(&i).ok())
            .and_then(|v| v["owner"].as_str().map(str::to_string)))
    }

    /// Asks the owner to end a call; false when no instance is listening.
    pub async fn hang_up_on(&self, owner: &str, call_id: &str, why: &str) -> anyhow::Result<bool> {
        let mut c = self.conn.clone();
        let msg = json!({"op": "hang_up", "call_id": call_id, "why": why, "from": self.id});
        let receivers: u64 = c.publish(channel(owner), msg.to_string()).await?;
        Ok(receivers > 0)
    }

    /// Renews this instance's and its calls' keys, then looks for instances
    /// whose key has expired and reports their calls (once, across instances).
    pub async fn beat(&self, live: &[String]) -> anyhow::Result<Vec<Lost>> {
        let mut c = self.conn.clone();
        let _: () = c
            .set_ex(alive_key(&self.id), unix_ms(), secs(self.ttl))
            .await?;
        for call_id in live {
            let _: () = c
                .expire(call_key(call_id), (secs(self.ttl) * 3) as i64)
                .await?;
        }
        let mut lost = Vec::new();
        let members: Vec<String> = c.smembers(INSTANCES).await?;
        for other in members.into_iter().filter(|m| *m != self.id) {
            let alive: bool = c.exists(alive_key(&other)).await?;
            if alive {
                continue;
            }
            // One instance reports a death; the lock outlives the report.
            let lock: Option<String> = redis::cmd("SET")
                .arg(format!("wacall:reaping:{other}"))
                .arg(&self.id)
                .arg("NX")
                .arg("EX")
                .arg(secs(self.ttl) * 10)
                .query_async(&mut c)
                .await?;
            if lock.is_none() {
                continue;
            }
            let calls: Vec<String> = c.smembers(calls_key(&other)).await?;
            for call_id in &calls {
                let _: () = c.del(call_key(call_id)).await?;
            }
            let _: () = c.del(calls_key(&other)).await?;
            let _: () = c.srem(INSTANCES, &other).await?;
            lost.push(Lost {
                instance: other,
                calls,
            });
        }
        Ok(lost)
    }

    /// A clean exit: this instance is gone and holds nothing.
    pub async fn leave(&self) -> anyhow::Result<()> {
        let mut c = self.conn.clone();
        let _: () = c.del(alive_key(&self.id)).await?;
        let _: () = c.del(calls_key(&self.id)).await?;
        let _: () = c.srem(INSTANCES, &self.id).await?;
        Ok(())
    }

    pub fn beat_every(&self) -> Duration {
        self.ttl / 3
    }
}

/// The URL as it may be shown: a password in it never is.
pub fn without_password(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, rest)), Some(_)) => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
            format!("{scheme}://***@{host}")
        }
        _ => url.to_string(),
    }
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            super::without_password("redis://:s3cret@db:6379/0"),
            "redis://***@db:6379/0"
        );
        assert_eq!(
            super::without_password("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
    }
}
