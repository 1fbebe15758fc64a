//! `reportpress_sha256(X)`: the SHA-256 of a value's bytes, as 64 lowercase hex digits (NULL
//! for NULL), a SQL function of every SQLite connection this process opens once [`install`]
//! has run. SQLite has no hash function of its own; with this one a report's signature
//! ([`super::query::signatures`]) is hashed where its rows are summed up, and 64 bytes travel
//! per signature instead of the summary (73 MB at 10,000 reports: BENCHMARKS.md, "Signatures
//! hashed inside SQLite").
//!
//! It is registered with `sqlite3_auto_extension`, which SQLite calls for each connection it
//! opens after: the `any` driver keeps its SQLite connection to itself, so there is no other
//! way to reach it. The SQLite is the one sqlx links (the bundled one of `libsqlite3-sys`,
//! one copy per binary).

use std::ffi::{c_char, c_int};
use std::sync::OnceLock;

use libsqlite3_sys as ffi;

use crate::model::digest::sha256_hex;

/// The function's name in SQL.
pub const NAME: &str = "reportpress_sha256";

/// Registers the function for every SQLite connection opened from now on; the result of the
/// first call, every time (SQLite's own error code when it refused).
pub fn install() -> Result<(), c_int> {
    static INSTALLED: OnceLock<c_int> = OnceLock::new();
    // SAFETY: `register` has the signature SQLite calls an extension's entry point with
    // (`sqlite3_auto_extension` takes it as `void (*)(void)` by its C declaration; the
    // binding spells out the real one).
    let code = *INSTALLED.get_or_init(|| unsafe { ffi::sqlite3_auto_extension(Some(register)) });
    if code == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(code)
    }
}

/// The entry point SQLite calls for each new connection `db`.
unsafe extern "C" fn register(
    db: *mut ffi::sqlite3,
    _error: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: `db` is the connection being opened; the name is NUL-terminated; one argument;
    // no user data, so nothing to destroy.
    unsafe {
        ffi::sqlite3_create_function_v2(
            db,
            c"reportpress_sha256".as_ptr(),
            1,
            ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC | ffi::SQLITE_INNOCUOUS,
            std::ptr::null_mut(),
            Some(sha256),
            None,
            None,
            None,
        )
    }
}

/// `reportpress_sha256(X)`: text and blobs hashed as stored (text that is not UTF-8 as its
/// bytes, as `CAST(X AS BLOB)` gives them), numbers as their text.
unsafe extern "C" fn sha256(
    ctx: *mut ffi::sqlite3_context,
    argc: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite passes `argc` (1, as registered) valid values in `argv`; the value's
    // bytes stay valid until the next call on it, and are copied into the hash before it;
    // SQLITE_TRANSIENT makes SQLite copy the result before `hex` is dropped.
    unsafe {
        if argc != 1 {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let value = *argv;
        if ffi::sqlite3_value_type(value) == ffi::SQLITE_NULL {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        // `blob` before `bytes`: the bytes are counted in the form `blob` left the value in.
        let data = ffi::sqlite3_value_blob(value).cast::<u8>();
        let len = usize::try_from(ffi::sqlite3_value_bytes(value)).unwrap_or(0);
        let bytes = if len == 0 {
            &[][..]
        } else if data.is_null() {
            // SQLite ran out of memory making the bytes (of a number, say): an error, not the
            // hash of nothing.
            ffi::sqlite3_result_error_nomem(ctx);
            return;
        } else {
            std::slice::from_raw_parts(data, len)
        };
        let hex = sha256_hex(bytes);
        ffi::sqlite3_result_text(
            ctx,
            hex.as_ptr().cast(),
            hex.len() as c_int,
            ffi::SQLITE_TRANSIENT(),
        );
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{AnyConnection, Connection, Row};

    use super::*;

    #[test]
    fn hashes_text_blobs_and_numbers_as_their_bytes_and_keeps_null() {
        sqlx::any::install_default_drivers();
        install().expect("registered");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let row = runtime.block_on(async {
            let mut conn = AnyConnection::connect("sqlite::memory:").await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {NAME}('abc') AS t, {NAME}(CAST('abc' AS BLOB)) AS b, \
                 {NAME}(x'ff00') AS raw, {NAME}(CAST(x'61ff0062' AS TEXT)) AS odd, \
                 {NAME}(12) AS n, {NAME}('') AS e, {NAME}(NULL) IS NULL AS null_kept"
            )))
            .fetch_one(&mut conn)
            .await
            .unwrap()
        });
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(row.get::<String, _>("t"), abc);
        assert_eq!(row.get::<String, _>("b"), abc);
        assert_eq!(row.get::<String, _>("raw"), sha256_hex(&[0xff, 0]));
        // Text that is not UTF-8, a NUL inside: every byte, not up to the NUL.
        assert_eq!(row.get::<String, _>("odd"), sha256_hex(b"a\xff\0b"));
        assert_eq!(row.get::<String, _>("n"), sha256_hex(b"12"));
        assert_eq!(row.get::<String, _>("e"), sha256_hex(b""));
        assert_eq!(row.get::<i64, _>("null_kept"), 1);
    }
}
