//! The browser's identity: a tower-sessions cookie session holding the rooms this browser
//! joined (and, for translators, who signed in). Stored only from the moment a browser creates
//! or joins a room or signs in, under a fresh id each time. In the embedded default the
//! sessions live in [`MemoryStore`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::domain::{RoomId, UserId};
use crate::support::lock;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "c2c_session";

/// Whether the request carries a session cookie, whether or not its session still exists.
pub fn sent_session_cookie(headers: &axum::http::HeaderMap) -> bool {
    super::locale::cookie_value(headers, SESSION_COOKIE).is_some()
}

/// Session key of the [`Visitor`] record.
const VISITOR_KEY: &str = "visitor";
/// Session key of the signed-in translator's name (`/translate`).
pub const TRANSLATOR_KEY: &str = "translator";

fn store_error(err: tower_sessions::session::Error) -> session_store::Error {
    match err {
        tower_sessions::session::Error::Store(err) => err,
        other => session_store::Error::Backend(other.to_string()),
    }
}

/// What the session remembers about a browser. Stored only once the browser joined a room:
/// page views store nothing (docs/security.md).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Visitor {
    /// Room id → this browser's user id in that room.
    pub rooms: HashMap<String, String>,
    /// Room id → until when the room's owner keeps this browser out (it was removed).
    #[serde(default)]
    pub removed: HashMap<String, i64>,
}

impl Visitor {
    /// Loads the visitor of `session` (an empty one if new).
    pub async fn load(session: &Session) -> Result<Self, session_store::Error> {
        Ok(session.get::<Visitor>(VISITOR_KEY).await.map_err(store_error)?.unwrap_or_default())
    }

    async fn save(&self, session: &Session) -> Result<(), session_store::Error> {
        session.insert(VISITOR_KEY, self).await.map_err(store_error)
    }

    /// Records that this browser is `user` in `room`. The session gets a new id: one known
    /// before (planted in this browser by someone else, say) is worth nothing after.
    pub async fn enter(
        &mut self,
        session: &Session,
        room: &RoomId,
        user: &UserId,
    ) -> Result<(), session_store::Error> {
        self.rooms.insert(room.to_string(), user.to_string());
        session.cycle_id().await.map_err(store_error)?;
        self.save(session).await
    }

    /// Forgets `room`. A browser in no room that no translator signed in with keeps no
    /// session at all.
    pub async fn forget(&mut self, session: &Session, room: &RoomId) -> Result<(), session_store::Error> {
        self.rooms.remove(room.as_str());
        if !self.rooms.is_empty() {
            return self.save(session).await;
        }
        if session.get_value(TRANSLATOR_KEY).await.map_err(store_error)?.is_some() {
            session.remove_value(VISITOR_KEY).await.map_err(store_error)?;
            return Ok(());
        }
        session.flush().await.map_err(store_error)
    }

    /// The room's owner removed this browser's member: it forgets the membership and stays out
    /// of `room` until `until` (the session is kept for that, even with no room left).
    pub async fn removed_from(
        &mut self,
        session: &Session,
        room: &RoomId,
        until: i64,
    ) -> Result<(), session_store::Error> {
        self.rooms.remove(room.as_str());
        let now = crate::domain::now_millis();
        self.removed.retain(|_, until| *until > now);
        self.removed.insert(room.to_string(), until);
        self.save(session).await
    }

    /// Whether the room's owner keeps this browser out of `room` now.
    pub fn kept_out_of(&self, room: &RoomId) -> bool {
        self.removed.get(room.as_str()).is_some_and(|until| *until > crate::domain::now_millis())
    }

    /// This browser's user in `room`, if it joined it.
    pub fn user_in(&self, room: &RoomId) -> Option<UserId> {
        self.rooms.get(room.as_str()).and_then(|u| UserId::parse(u))
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
