//! What survives a restart of the embedded default: browser sessions in the SQLite file.

use std::collections::HashMap;

use c2c::catalog::Db;
use c2c::web::sqlite_sessions::SqliteStore;
use time::{Duration, OffsetDateTime};
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};

/// A migrated SQLite file of its own, removed afterwards.
struct TempDb(std::path::PathBuf);

impl TempDb {
    fn new() -> Self {
        Self(std::env::temp_dir().join(format!("c2c-durable-{}.sqlite3", c2c::domain::RoomId::generate())))
    }

    async fn open(&self) -> Db {
        let db = Db::open(&format!("sqlite://{}", self.0.display())).await.unwrap();
        db.migrate().await.unwrap();
        db
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

fn record(expires_in: Duration) -> Record {
    let data = HashMap::from([("visitor".to_owned(), serde_json::json!({"rooms": {"r": "u"}}))]);
    Record { id: Id::default(), data, expiry_date: OffsetDateTime::now_utc() + expires_in }
}

#[tokio::test]
async fn sessions_outlive_the_process_and_expire_on_schedule() {
    let file = TempDb::new();
    let (mut live, mut stale) = (record(Duration::days(7)), record(Duration::seconds(-5)));
    {
        let store = SqliteStore::new(file.open().await.sqlite().unwrap().clone());
        store.create(&mut live).await.unwrap();
        store.create(&mut stale).await.unwrap();
        live.data.insert("translator".into(), serde_json::json!("Minji"));
        store.save(&live).await.unwrap();
    }
    // A new process: a new pool on the same file.
    let store = SqliteStore::new(file.open().await.sqlite().unwrap().clone());
    let loaded = store.load(&live.id).await.unwrap().expect("the session is still there");
    assert_eq!(loaded.data, live.data);
    assert_eq!(loaded.expiry_date.unix_timestamp(), live.expiry_date.unix_timestamp());
    assert!(store.load(&stale.id).await.unwrap().is_none(), "an expired session is not loaded");
    assert_eq!(store.sweep().await.unwrap(), 1);
    assert_eq!(store.count().await.unwrap(), 1);
    store.delete(&live.id).await.unwrap();
    assert!(store.load(&live.id).await.unwrap().is_none());
}
