//! Loads a fixture — rows written as TOML, one array of tables per database table — into a
//! PostgreSQL or SQLite database that has PostHog's tables. The embedded demo is seeded this
//! way, and so are the tests, so the same rows reach both databases.
//!
//! Values: strings, integers, floats and booleans as they are; a TOML table or array is stored
//! as compact JSON text (artefact `content`, task run `output`); the key `content_raw` is stored
//! verbatim into `content` (for exact JSON such as `null`s, or for malformed content). Columns
//! the database lacks are skipped, so one fixture serves every schema variant.

use sqlx::{AnyConnection, Connection};

use super::SourceError;
use super::schema::{ARTEFACTS, Dialect, LINKS, REPORTS, RUNS, Schema, TASKS, TEAMS, USERS};

/// Tables in insertion order.
pub const TABLES: [&str; 7] = [TEAMS, USERS, TASKS, RUNS, REPORTS, LINKS, ARTEFACTS];

fn dialect_of(conn: &AnyConnection) -> Dialect {
    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        Dialect::Sqlite
    } else {
        Dialect::Postgres
    }
}

/// Inserts every row of `fixture` in one transaction; returns how many rows were inserted.
pub async fn seed_toml(conn: &mut AnyConnection, fixture: &str) -> Result<usize, SourceError> {
    let doc: toml::Table =
        toml::from_str(fixture).map_err(|e| SourceError::Fixture(e.to_string()))?;
    if let Some(unknown) = doc.keys().find(|k| !TABLES.contains(&k.as_str())) {
        return Err(SourceError::Fixture(format!("unknown table {unknown}")));
    }
    let dialect = dialect_of(conn);
    let schema = Schema::introspect(conn, dialect).await?;
    let mut tx = conn.begin().await.map_err(SourceError::query("seeding"))?;
    let mut inserted = 0;
    for table in TABLES {
        if !schema.has_table(table) {
            continue;
        }
        let Some(rows) = doc.get(table) else { continue };
        let rows = rows
            .as_array()
            .ok_or_else(|| SourceError::Fixture(format!("{table} must be an array of tables")))?;
        for row in rows {
            let row = row
                .as_table()
                .ok_or_else(|| SourceError::Fixture(format!("a row of {table} is not a table")))?;
            insert(&mut tx, &schema, table, row).await?;
            inserted += 1;
        }
    }
    tx.commit().await.map_err(SourceError::query("seeding"))?;
    Ok(inserted)
}

enum Bind {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

async fn insert(
    conn: &mut AnyConnection,
    schema: &Schema,
    table: &str,
    row: &toml::Table,
) -> Result<(), SourceError> {
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for (key, value) in row {
        let column = if key == "content_raw" {
            "content"
        } else {
            key.as_str()
        };
        let Some(ty) = schema.column_type(table, column) else {
            continue;
        };
        let bind = match value {
            toml::Value::String(s) => Bind::Text(s.clone()),
            toml::Value::Integer(i) => Bind::Int(*i),
            toml::Value::Float(f) => Bind::Float(*f),
            toml::Value::Boolean(b) => Bind::Bool(*b),
            toml::Value::Datetime(d) => Bind::Text(d.to_string()),
            toml::Value::Array(_) | toml::Value::Table(_) => Bind::Text(
                serde_json::to_string(value).map_err(|e| SourceError::Fixture(e.to_string()))?,
            ),
        };
        let n = columns.len() + 1;
        let placeholder = match schema.dialect {
            Dialect::Postgres => format!("CAST(${n} AS {ty})"),
            Dialect::Sqlite => format!("?{n}"),
        };
        columns.push((column.to_string(), placeholder));
        values.push(bind);
    }
    if columns.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        columns
            .iter()
            .map(|(_, p)| p.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for value in values {
        q = match value {
            Bind::Text(s) => q.bind(s),
            Bind::Int(i) => q.bind(i),
            Bind::Float(f) => q.bind(f),
            Bind::Bool(b) => q.bind(b),
        };
    }
    q.execute(&mut *conn)
        .await
        .map_err(SourceError::query(&format!("inserting into {table}")))?;
    Ok(())
}
