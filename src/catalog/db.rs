//! The catalogue's database: SQLite or PostgreSQL, one pool of the right kind (sqlx `Any`
//! was rejected: with `sqlite::memory:` every connection gets its own empty database).

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// Migrations, embedded so the binary needs no files beside it: portable ones both dialects
/// accept, and each dialect's own (triggers; SQLite's tables of the embedded default), applied in
/// version order.
const PORTABLE: &[(i64, &str, &str)] = &[
    (1, "error_info", include_str!("../../migrations/0001_error_info.sql")),
    (2, "seed en ko", include_str!("../../migrations/0002_seed_en_ko.sql")),
];
const SQLITE: &[(i64, &str, &str)] = &[
    (3, "translator columns", include_str!("../../migrations/sqlite/0003_translator.sql")),
    (6, "sessions", include_str!("../../migrations/sqlite/0006_sessions.sql")),
    (7, "rooms", include_str!("../../migrations/sqlite/0007_rooms.sql")),
    (8, "history entries", include_str!("../../migrations/sqlite/0008_history_entries.sql")),
    (10, "room identity columns", include_str!("../../migrations/sqlite/0010_room_identity.sql")),
    (12, "owner actions tables", include_str!("../../migrations/sqlite/0012_owner_actions.sql")),
    (13, "message actions columns", include_str!("../../migrations/sqlite/0013_message_actions.sql")),
    (16, "ui_text touch", include_str!("../../migrations/sqlite/0016_ui_text_touch.sql")),
];
const POSTGRES: &[(i64, &str, &str)] = &[
    (3, "translator columns", include_str!("../../migrations/postgres/0003_translator.sql")),
    (16, "ui_text touch", include_str!("../../migrations/postgres/0016_ui_text_touch.sql")),
];
/// Portable migrations that come after the dialects' own.
const PORTABLE_LATER: &[(i64, &str, &str)] = &[
    (4, "name rules", include_str!("../../migrations/0004_name_rules.sql")),
    (5, "too many connections", include_str!("../../migrations/0005_too_many_connections.sql")),
    (9, "room identity", include_str!("../../migrations/0009_room_identity.sql")),
    (11, "owner actions", include_str!("../../migrations/0011_owner_actions.sql")),
    (14, "message actions", include_str!("../../migrations/0014_message_actions.sql")),
    (15, "ui_text", include_str!("../../migrations/0015_ui_text.sql")),
];

/// Why the database could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL is neither `sqlite:` nor `postgres:`.
    #[error("unsupported database URL (expected sqlite://… or postgres://…)")]
    UnsupportedUrl,
    /// sqlx failed.
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A pool for the catalogue's database.
#[derive(Clone, Debug)]
pub enum Db {
    /// The embedded default: a file next to the process.
    Sqlite(SqlitePool),
    /// Production: shared by every instance.
    Postgres(PgPool),
}

type Row = (String, String, String);

impl Db {
    /// Opens a pool for `url`. SQLite files are created if missing (WAL mode); PostgreSQL
    /// connects lazily so a database that is down does not stop the chat from starting.
    pub async fn open(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // In WAL mode NORMAL survives a crash of the process (a commit is in the WAL
                // file in the OS's hands); only a power loss can take the last commits.
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(2));
            let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(2))
                .connect_lazy(url)?;
            Ok(Db::Postgres(pool))
        } else {
            Err(DbError::UnsupportedUrl)
        }
    }

    fn migrator(&self) -> Migrator {
        let dialect = match self {
            Db::Sqlite(_) => SQLITE,
            Db::Postgres(_) => POSTGRES,
        };
        let mut all: Vec<&(i64, &str, &str)> = PORTABLE.iter().chain(dialect).chain(PORTABLE_LATER).collect();
        all.sort_by_key(|(version, _, _)| *version);
        let migrations = all
            .into_iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect();
        Migrator::with_migrations(migrations)
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrator = self.migrator();
        match self {
            Db::Sqlite(pool) => migrator.run(pool).await?,
            Db::Postgres(pool) => migrator.run(pool).await?,
        }
        Ok(())
    }

    /// Every row of one table as (code or name, locale, message).
    pub async fn load(&self, kind: Kind) -> Result<Vec<Row>, DbError> {
        let sql = match kind {
            Kind::Error => "SELECT code, locale, message FROM error_info",
            Kind::Ui => "SELECT name, locale, message FROM ui_text",
        };
        let rows = match self {
            Db::Sqlite(pool) => sqlx::query_as::<_, Row>(sql).fetch_all(pool).await?,
            Db::Postgres(pool) => sqlx::query_as::<_, Row>(sql).fetch_all(pool).await?,
        };
        Ok(rows)
    }

    /// The SQLite pool, when the database is SQLite (the embedded default keeps its state there).
    pub fn sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Db::Sqlite(pool) => Some(pool),
            Db::Postgres(_) => None,
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        match self {
            Db::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.is_ok(),
            Db::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.is_ok(),
        }
    }
}

/// The catalogue's two tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `error_info`: error messages by code.
    Error,
    /// `ui_text`: interface strings by name.
    Ui,
}

impl Kind {
    /// The table and its key column.
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Kind::Error => ("error_info", "code"),
            Kind::Ui => ("ui_text", "name"),
        }
    }
}

/// One catalogue row as the translators' page shows it.
#[derive(Clone, Debug)]
pub struct CatalogRow {
    /// Error code or interface string name.
    pub code: String,
    /// Locale tag.
    pub locale: String,
    /// The message, with `{placeholders}`.
    pub message: String,
    /// `YYYY-MM-DD HH:MM:SS` (UTC), comparable as text.
    pub updated_at: String,
    /// Who edited it last through the translators' page.
    pub updated_by: Option<String>,
}

impl Db {
    /// Every row of one table with its edit stamps.
    pub async fn rows(&self, kind: Kind) -> Result<Vec<CatalogRow>, DbError> {
        type Stamped = (String, String, String, String, Option<String>);
        let (table, column) = kind.table();
        let rows = match self {
            Db::Sqlite(pool) => {
                let sql = format!(
                    "SELECT {column}, locale, message, CAST(updated_at AS TEXT) AS updated_at, updated_by FROM {table}"
                );
                sqlx::query_as::<_, Stamped>(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?
            }
            Db::Postgres(pool) => {
                let sql = format!(
                    "SELECT {column}, locale, message, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS') AS updated_at, \
                     updated_by FROM {table}"
                );
                sqlx::query_as::<_, Stamped>(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|(code, locale, message, updated_at, updated_by)| CatalogRow {
                code,
                locale,
                message,
                updated_at,
                updated_by,
            })
            .collect())
    }

    /// Inserts or replaces one message, stamping the time and the editor.
    pub async fn save(
        &self,
        kind: Kind,
        code: &str,
        locale: &str,
        message: &str,
        by: &str,
    ) -> Result<(), DbError> {
        let (table, column) = kind.table();
        let sql = format!(
            "INSERT INTO {table} ({column}, locale, message, updated_at, updated_by) \
             VALUES ($1, $2, $3, CURRENT_TIMESTAMP, $4) \
             ON CONFLICT ({column}, locale) DO UPDATE SET message = excluded.message, \
             updated_at = CURRENT_TIMESTAMP, updated_by = excluded.updated_by"
        );
        // The table and column names are constants of `Kind`; the values are bound.
        let sql = sqlx::AssertSqlSafe(sql);
        match self {
            Db::Sqlite(pool) => {
                sqlx::query(sql).bind(code).bind(locale).bind(message).bind(by).execute(pool).await?;
            }
            Db::Postgres(pool) => {
                sqlx::query(sql).bind(code).bind(locale).bind(message).bind(by).execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Writes the interface strings a release ships (name, locale, text): missing rows are
    /// added, and rows no translator has edited (`updated_by` NULL) follow the release's text.
    pub async fn ship(&self, texts: &[(&str, &str, &str)]) -> Result<(), DbError> {
        const SQL: &str = "INSERT INTO ui_text (name, locale, message, updated_at) \
             VALUES ($1, $2, $3, CURRENT_TIMESTAMP) \
             ON CONFLICT (name, locale) DO UPDATE SET message = excluded.message, updated_at = CURRENT_TIMESTAMP \
             WHERE ui_text.updated_by IS NULL AND ui_text.message <> excluded.message";
        match self {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                for (name, locale, text) in texts {
                    sqlx::query(SQL).bind(name).bind(locale).bind(text).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                for (name, locale, text) in texts {
                    sqlx::query(SQL).bind(name).bind(locale).bind(text).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }
}
