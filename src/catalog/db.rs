//! The catalogue's database: SQLite or PostgreSQL, one pool of the right kind (sqlx `Any`
//! was rejected: with `sqlite::memory:` every connection gets its own empty database).

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

/// Migrations, embedded so the binary needs no files beside it. One portable set: the schema
/// is plain SQL both dialects accept.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "error_info",
        include_str!("../../migrations/0001_error_info.sql"),
    ),
    (
        2,
        "seed en ko",
        include_str!("../../migrations/0002_seed_en_ko.sql"),
    ),
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
                .busy_timeout(Duration::from_secs(2));
            let pool = SqlitePoolOptions::new()
                .max_connections(2)
                .connect_with(options)
                .await?;
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

    fn migrator() -> Migrator {
        let migrations = MIGRATIONS
            .iter()
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
        let migrator = Self::migrator();
        match self {
            Db::Sqlite(pool) => migrator.run(pool).await?,
            Db::Postgres(pool) => migrator.run(pool).await?,
        }
        Ok(())
    }

    /// Every row of `error_info` as (code, locale, message).
    pub async fn load(&self) -> Result<Vec<Row>, DbError> {
        const SQL: &str = "SELECT code, locale, message FROM error_info";
        let rows = match self {
            Db::Sqlite(pool) => sqlx::query_as::<_, Row>(SQL).fetch_all(pool).await?,
            Db::Postgres(pool) => sqlx::query_as::<_, Row>(SQL).fetch_all(pool).await?,
        };
        Ok(rows)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        match self {
            Db::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.is_ok(),
            Db::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.is_ok(),
        }
    }
}
