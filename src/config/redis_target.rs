//! `REDIS_URL` or `REDIS_CLUSTER_NODES`: one Redis server or a Redis Cluster (docs/redis.md).

use std::fmt;

use super::{ConfigError, err, redact_url};

/// Where the shared state lives: one Redis server, or a Redis Cluster (docs/redis.md).
#[derive(Clone, PartialEq, Eq)]
pub enum RedisTarget {
    /// `REDIS_URL`: one server (`redis://` or `rediss://`, with a database number).
    Single(String),
    /// `REDIS_CLUSTER_NODES`: seed nodes of a cluster as `redis://[user:password@]host:port`
    /// URLs (the setting accepts bare `host:port`); the clients learn the rest of the cluster
    /// from them.
    Cluster(Vec<String>),
}

impl RedisTarget {
    /// The target the two settings describe; both at once is a mistake worth refusing.
    pub(super) fn from_settings(
        url: Option<String>,
        nodes: Option<String>,
    ) -> Result<Option<Self>, ConfigError> {
        match (url, nodes) {
            (Some(_), Some(_)) => Err(err(
                "REDIS_CLUSTER_NODES",
                "set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a cluster), not both".into(),
            )),
            (Some(url), None) if url.starts_with("redis://") || url.starts_with("rediss://") => {
                Ok(Some(Self::Single(url)))
            }
            (Some(_), None) => Err(err("REDIS_URL", "expected a redis:// or rediss:// URL".into())),
            (None, Some(list)) => {
                let nodes = list
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(cluster_node)
                    .collect::<Result<Vec<_>, _>>()?;
                if nodes.is_empty() {
                    return Err(err("REDIS_CLUSTER_NODES", "expected host:port,host:port,…".into()));
                }
                Ok(Some(Self::Cluster(nodes)))
            }
            (None, None) => Ok(None),
        }
    }
}

impl fmt::Debug for RedisTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Single(url) => f.debug_tuple("Single").field(&redact_url(url)).finish(),
            Self::Cluster(nodes) => f
                .debug_tuple("Cluster")
                .field(&nodes.iter().map(|n| redact_url(n)).collect::<Vec<_>>())
                .finish(),
        }
    }
}

/// One seed node as a URL: `host:port` → `redis://host:port`; URLs pass as they are. A cluster
/// has no databases, so a path is refused.
fn cluster_node(node: &str) -> Result<String, ConfigError> {
    let url = if node.contains("://") { node.to_owned() } else { format!("redis://{node}") };
    let rest = url.strip_prefix("redis://").or_else(|| url.strip_prefix("rediss://"));
    let address = rest.map(|r| r.rsplit('@').next().unwrap_or(r));
    match address.and_then(|a| a.rsplit_once(':')) {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => Ok(url),
        _ => Err(err("REDIS_CLUSTER_NODES", format!("{node:?} is not a node like 10.0.0.5:6379"))),
    }
}

#[cfg(test)]
mod tests {
    use super::RedisTarget;
    use crate::config::tests::from;

    #[test]
    fn redis_is_one_server_or_a_cluster() {
        let one = from(&[("REDIS_URL", "redis://r:6379/2")]).unwrap();
        assert_eq!(one.redis, Some(RedisTarget::Single("redis://r:6379/2".into())));
        let cluster =
            from(&[("REDIS_CLUSTER_NODES", "10.0.0.5:7000, rediss://u:pw@10.0.0.6:7001,")]).unwrap();
        assert_eq!(
            cluster.redis,
            Some(RedisTarget::Cluster(vec![
                "redis://10.0.0.5:7000".into(),
                "rediss://u:pw@10.0.0.6:7001".into()
            ]))
        );
        assert!(!format!("{cluster:?}").contains("pw@"), "the password is redacted");
        let both = from(&[("REDIS_URL", "redis://r"), ("REDIS_CLUSTER_NODES", "r:7000")]).unwrap_err();
        assert_eq!(both.var, "REDIS_CLUSTER_NODES");
        for bad in ["r", "r:0", ":7000", "r:port", ","] {
            let e = from(&[("REDIS_CLUSTER_NODES", bad)]).unwrap_err();
            assert_eq!(e.var, "REDIS_CLUSTER_NODES", "{bad}");
        }
    }
}
