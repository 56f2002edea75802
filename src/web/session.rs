//! The browser's identity: a tower-sessions cookie session holding the rooms this browser
//! joined and its CSRF token. In the embedded default the sessions live in [`MemoryStore`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::domain::{RoomId, UserId, ids_random_secret, same_secret};
use crate::support::lock;

/// Session key of the [`Visitor`] record.
const VISITOR_KEY: &str = "visitor";

/// What the session remembers about a browser.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Visitor {
    /// Token every form carries, checked against cross-site request forgery
    /// (docs/security.md).
    pub csrf: String,
    /// Room id → this browser's user id in that room.
    pub rooms: HashMap<String, String>,
}

impl Visitor {
    /// Loads the visitor of `session` (an empty one if new).
    pub async fn load(session: &Session) -> Result<Self, session_store::Error> {
        Ok(session
            .get::<Visitor>(VISITOR_KEY)
            .await
            .map_err(|e| session_store::Error::Backend(e.to_string()))?
            .unwrap_or_default())
    }

    /// Loads the visitor, giving it a CSRF token (and so a session cookie) if it has none.
    pub async fn load_with_csrf(session: &Session) -> Result<Self, session_store::Error> {
        let mut visitor = Self::load(session).await?;
        if visitor.csrf.is_empty() {
            visitor.csrf = ids_random_secret(32);
            visitor.save(session).await?;
        }
        Ok(visitor)
    }

    /// Stores the visitor in the session.
    pub async fn save(&self, session: &Session) -> Result<(), session_store::Error> {
        session.insert(VISITOR_KEY, self).await.map_err(|e| session_store::Error::Backend(e.to_string()))
    }

    /// This browser's user in `room`, if it joined it.
    pub fn user_in(&self, room: &RoomId) -> Option<UserId> {
        self.rooms.get(room.as_str()).and_then(|u| UserId::parse(u))
    }

    /// Whether `token` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, token: &str) -> bool {
        !self.csrf.is_empty() && same_secret(&self.csrf, token)
    }
}

/// Sessions in process memory, for the embedded default. Unlike a plain map it forgets
/// expired sessions ([`MemoryStore::sweep`], run periodically), so it does not grow with
/// every visitor who ever came. Records are kept as compact JSON, not as parsed maps: a few
/// hundred bytes per browser instead of about a kilobyte.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    records: Arc<Mutex<HashMap<Id, Stored>>>,
}

#[derive(Debug)]
struct Stored {
    data: Box<[u8]>,
    expiry_date: OffsetDateTime,
}

impl Stored {
    fn new(record: &Record) -> session_store::Result<Self> {
        let data =
            serde_json::to_vec(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        Ok(Self { data: data.into_boxed_slice(), expiry_date: record.expiry_date })
    }
}

impl MemoryStore {
    /// Drops expired sessions.
    pub fn sweep(&self) {
        let now = OffsetDateTime::now_utc();
        lock(&self.records).retain(|_, r| r.expiry_date > now);
    }

    /// Sessions held (metrics, tests).
    pub fn len(&self) -> usize {
        lock(&self.records).len()
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let stored = Stored::new(record)?;
        let mut records = lock(&self.records);
        while records.contains_key(&record.id) {
            record.id = Id::default();
        }
        records.insert(record.id, stored);
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let stored = Stored::new(record)?;
        lock(&self.records).insert(record.id, stored);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let (data, expiry_date) = {
            let records = lock(&self.records);
            match records.get(id).filter(|r| r.expiry_date > OffsetDateTime::now_utc()) {
                Some(stored) => (stored.data.clone(), stored.expiry_date),
                None => return Ok(None),
            }
        };
        let data = serde_json::from_slice(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        lock(&self.records).remove(id);
        Ok(())
    }
}
