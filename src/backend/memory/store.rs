//! The durable copy of the in-process backend (docs/decisions.md): rooms, members, names, tokens,
//! history and idle deadlines in the SQLite file beside the catalogue. The in-memory state stays
//! the fast path; every change is also sent, in order, to one writer task that applies what has
//! queued up in one transaction (group commit). Messages are published to the room only after
//! their transaction committed, so a message anyone saw (its sender's echo included) is stored;
//! the other changes a caller waits for (a room created, a join, a leave, a token) are
//! acknowledged after their commit too.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::pool::PoolConnection;
use sqlx::{Connection, Sqlite, SqliteConnection, SqlitePool};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::backend::{BackendError, BackendResult};
use crate::domain::{
    ChatMessage, ClientMsgId, DisplayName, RoomEvent, RoomId, RoomMeta, Seq, UnixMillis, UserId,
};

/// Changes applied in one transaction at most.
const BATCH: usize = 512;

/// A change to the durable copy.
pub(super) enum Change {
    /// A room, its name and topic, and its creator (its owner).
    Created { room: RoomId, user: UserId, name: DisplayName, meta: RoomMeta },
    /// The room's name or topic changed.
    Retitled { room: RoomId, meta: RoomMeta },
    /// The room's owner changed (`None`: no member left).
    Owner { room: RoomId, owner: Option<UserId> },
    /// The owner locked or unlocked the room.
    Locked { room: RoomId, locked: bool },
    /// The owner removed `user` until `until`.
    Removed { room: RoomId, user: UserId, until: UnixMillis },
    /// A new member.
    Joined { room: RoomId, user: UserId, name: DisplayName },
    /// A returning member got a numbered name.
    Renamed { room: RoomId, user: UserId, name: DisplayName },
    /// A member left for good.
    Left { room: RoomId, user: UserId },
    /// A member's API token.
    Token { room: RoomId, user: UserId, secret: String },
    /// A message, published to `to` once stored; the room keeps the last `keep`.
    Message { room: RoomId, message: ChatMessage, keep: usize, to: broadcast::Sender<Arc<RoomEvent>> },
    /// A kept message changed (edited, deleted, reacted to): its text, mentions and extra.
    Amended { room: RoomId, message: ChatMessage },
    /// The room's idle deadline was set (no one online) or cleared.
    Idle { room: RoomId, until: Option<UnixMillis> },
    /// The room expired.
    Deleted { room: RoomId },
}

struct Job {
    change: Change,
    done: Option<oneshot::Sender<BackendResult<()>>>,
}

/// The writer's inbox. Cheap to clone.
#[derive(Clone)]
pub(super) struct Store {
    jobs: mpsc::UnboundedSender<Job>,
}

impl Store {
    /// Starts the writer on `pool` (migrated).
    pub(super) fn start(pool: SqlitePool) -> Self {
        let (jobs, inbox) = mpsc::unbounded_channel();
        tokio::spawn(write_loop(pool, inbox));
        Self { jobs }
    }

    /// Queues `change`; nobody waits for it.
    pub(super) fn record(&self, change: Change) {
        let _ = self.jobs.send(Job { change, done: None });
    }

    /// Queues `change`; the receiver answers once it is committed.
    pub(super) fn commit(&self, change: Change) -> oneshot::Receiver<BackendResult<()>> {
        let (done, committed) = oneshot::channel();
        if let Err(mpsc::error::SendError(job)) = self.jobs.send(Job { change, done: Some(done) })
            && let Some(done) = job.done
        {
            let _ = done.send(Err(BackendError::Unavailable("state writer stopped".into())));
        }
        committed
    }
}

/// Waits for a commit.
pub(super) async fn committed(receiver: oneshot::Receiver<BackendResult<()>>) -> BackendResult<()> {
    receiver.await.unwrap_or_else(|_| Err(BackendError::Unavailable("state writer stopped".into())))
}

async fn write_loop(pool: SqlitePool, mut inbox: mpsc::UnboundedReceiver<Job>) {
    // The writer keeps one connection: taking one from the pool for every transaction costs a
    // round trip to the pool and wakes another thread, which at a few messages a second is
    // most of what storing them costs.
    let mut conn: Option<PoolConnection<Sqlite>> = None;
    while let Some(first) = inbox.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match inbox.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let result = match conn.take() {
            Some(c) => Ok(c),
            None => pool.acquire().await,
        };
        let result = match result {
            Ok(mut c) => {
                let applied = apply(&mut c, &batch).await;
                // A connection that failed is not kept: the next batch takes a fresh one.
                if applied.is_ok() {
                    conn = Some(c);
                }
                applied
            }
            Err(err) => Err(err),
        };
        if let Err(err) = &result {
            tracing::error!(error = %err, "cannot store changes in the SQLite file");
        }
        for job in batch {
            if result.is_ok()
                && let Change::Message { message, to, .. } = &job.change
            {
                // No receivers is fine: nobody watches the room on this node.
                let _ = to.send(Arc::new(RoomEvent::Message(message.clone())));
            }
            if let Some(done) = job.done {
                let _ = done
                    .send(result.as_ref().map(|_| ()).map_err(|e| BackendError::Unavailable(e.to_string())));
            }
        }
    }
}

/// A room's stored history is trimmed when a message's number is a multiple of this, so it
/// holds at most this many rows beyond what the room keeps (reading back keeps the newest).
const TRIM_EVERY: Seq = 32;

async fn apply(conn: &mut SqliteConnection, batch: &[Job]) -> Result<(), sqlx::Error> {
    // One change on its own (a message at a quiet moment, most often) needs no transaction of
    // its own making: one statement commits by itself, one round trip to SQLite's thread
    // instead of three.
    if let [job] = batch
        && !matches!(&job.change, Change::Message { message, .. } if message.seq % TRIM_EVERY == 0)
        && !matches!(&job.change, Change::Created { .. } | Change::Deleted { .. })
    {
        return apply_one(conn, &job.change).await;
    }
    let mut tx = conn.begin().await?;
    // A room's history is trimmed once in a while (TRIM_EVERY), after its last new message.
    let mut trim: HashMap<&RoomId, (Seq, usize)> = HashMap::new();
    for job in batch {
        apply_one(&mut tx, &job.change).await?;
        if let Change::Message { room, message, keep, .. } = &job.change
            && (message.seq % TRIM_EVERY == 0 || trim.contains_key(room))
        {
            trim.insert(room, (message.seq, *keep));
        }
    }
    for (room, (last, keep)) in trim {
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        sqlx::query("DELETE FROM messages WHERE room = ? AND seq <= ?")
            .bind(room.as_str())
            .bind(seq_arg(last).saturating_sub(keep))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

async fn apply_one(tx: &mut SqliteConnection, change: &Change) -> Result<(), sqlx::Error> {
    match change {
        Change::Created { room, user, name, meta } => {
            sqlx::query(
                "INSERT INTO rooms (id, idle_until, name, topic, owner, creator) VALUES (?, NULL, ?, ?, ?, ?)",
            )
            .bind(room.as_str())
            .bind(meta.name_str())
            .bind(meta.topic_str())
            .bind(user.as_str())
            .bind(name.as_str())
            .execute(&mut *tx)
            .await?;
            insert_member(tx, room, user, name).await?;
        }
        Change::Joined { room, user, name } => insert_member(tx, room, user, name).await?,
        Change::Renamed { room, user, name } => {
            sqlx::query("UPDATE members SET name = ? WHERE room = ? AND user = ?")
                .bind(name.as_str())
                .bind(room.as_str())
                .bind(user.as_str())
                .execute(&mut *tx)
                .await?;
        }
        Change::Left { room, user } => {
            sqlx::query("DELETE FROM members WHERE room = ? AND user = ?")
                .bind(room.as_str())
                .bind(user.as_str())
                .execute(&mut *tx)
                .await?;
        }
        Change::Token { room, user, secret } => {
            sqlx::query("UPDATE members SET token = ? WHERE room = ? AND user = ?")
                .bind(secret)
                .bind(room.as_str())
                .bind(user.as_str())
                .execute(&mut *tx)
                .await?;
        }
        // The room's numbering needs no row of its own: the newest kept message carries it.
        Change::Message { room, message: m, .. } => {
            sqlx::query(
                "INSERT OR IGNORE INTO messages (room, seq, user, name, text, at, cid, kind, mentions, extra) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(room.as_str())
            .bind(seq_arg(m.seq))
            .bind(m.user.as_str())
            .bind(m.name.as_str())
            .bind(m.text.as_str())
            .bind(m.at)
            .bind(m.client_id.as_ref().map(ClientMsgId::as_str))
            .bind(m.kind.as_str())
            .bind(m.mentions_json())
            .bind(m.extra.to_json())
            .execute(&mut *tx)
            .await?;
        }
        Change::Amended { room, message: m } => {
            sqlx::query("UPDATE messages SET text = ?, mentions = ?, extra = ? WHERE room = ? AND seq = ?")
                .bind(m.text.as_str())
                .bind(m.mentions_json())
                .bind(m.extra.to_json())
                .bind(room.as_str())
                .bind(seq_arg(m.seq))
                .execute(&mut *tx)
                .await?;
        }
        Change::Retitled { room, meta } => {
            sqlx::query("UPDATE rooms SET name = ?, topic = ? WHERE id = ?")
                .bind(meta.name_str())
                .bind(meta.topic_str())
                .bind(room.as_str())
                .execute(&mut *tx)
                .await?;
        }
        Change::Owner { room, owner } => {
            sqlx::query("UPDATE rooms SET owner = ? WHERE id = ?")
                .bind(owner.as_ref().map(UserId::as_str))
                .bind(room.as_str())
                .execute(&mut *tx)
                .await?;
        }
        Change::Locked { room, locked } => {
            sqlx::query("UPDATE rooms SET locked = ? WHERE id = ?")
                .bind(locked)
                .bind(room.as_str())
                .execute(&mut *tx)
                .await?;
        }
        Change::Removed { room, user, until } => {
            sqlx::query("INSERT OR REPLACE INTO removed (room, user, until) VALUES (?, ?, ?)")
                .bind(room.as_str())
                .bind(user.as_str())
                .bind(until)
                .execute(&mut *tx)
                .await?;
        }
        Change::Idle { room, until } => {
            sqlx::query("UPDATE rooms SET idle_until = ? WHERE id = ?")
                .bind(until)
                .bind(room.as_str())
                .execute(&mut *tx)
                .await?;
        }
        Change::Deleted { room } => {
            for sql in [
                "DELETE FROM removed WHERE room = ?",
                "DELETE FROM messages WHERE room = ?",
                "DELETE FROM members WHERE room = ?",
                "DELETE FROM rooms WHERE id = ?",
            ] {
                sqlx::query(sql).bind(room.as_str()).execute(&mut *tx).await?;
            }
        }
    }
    Ok(())
}

async fn insert_member(
    tx: &mut SqliteConnection,
    room: &RoomId,
    user: &UserId,
    name: &DisplayName,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT OR REPLACE INTO members (room, user, name, token) VALUES (?, ?, ?, NULL)")
        .bind(room.as_str())
        .bind(user.as_str())
        .bind(name.as_str())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

fn seq_arg(seq: Seq) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}
