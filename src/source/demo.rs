//! The embedded demo archive: the SQLite archive schema, seeded from `fixtures/demo.toml`.

use sqlx::AnyConnection;

use super::{ARCHIVE_SCHEMA, SourceError, seed};

const FIXTURE: &str = include_str!("../../fixtures/demo.toml");

pub async fn populate(conn: &mut AnyConnection) -> Result<(), SourceError> {
    sqlx::raw_sql(ARCHIVE_SCHEMA)
        .execute(&mut *conn)
        .await
        .map_err(SourceError::query("creating the demo archive"))?;
    seed::seed_toml(conn, FIXTURE).await?;
    Ok(())
}
