//! Values PostHog stores in artefact content that are secrets, not history: an implementation
//! dispatch's or handover's `worker_token` is the lease a worker holds the row with
//! (`products/signals/backend/artefact_schemas.py`). It is never shown, whatever the row holds:
//! the stored text is rewritten before anything renders it, even when it is not valid JSON.

use std::borrow::Cow;

/// The JSON keys whose string values are hidden.
const SECRET_KEYS: [&str; 1] = ["worker_token"];
/// What a hidden value reads as.
pub const HIDDEN: &str = "(lease secret, not shown)";

/// `raw` with the string value of every secret key replaced by [`HIDDEN`]. Works on the text,
/// so malformed JSON is covered too; valid JSON stays valid.
pub fn hide(raw: &str) -> Cow<'_, str> {
    if !SECRET_KEYS.iter().any(|k| raw.contains(k)) {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    'scan: while !rest.is_empty() {
        for key in SECRET_KEYS {
            let quoted = format!("\"{key}\"");
            if let Some(tail) = rest.strip_prefix(quoted.as_str())
                && let Some((gap, value_len)) = string_value(tail)
            {
                out.push_str(&quoted);
                out.push_str(&tail[..gap]);
                out.push('"');
                out.push_str(HIDDEN);
                out.push('"');
                rest = &tail[gap + value_len..];
                continue 'scan;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    Cow::Owned(out)
}

/// After a key: the length of `\s*:\s*` and of the string literal that follows it.
fn string_value(tail: &str) -> Option<(usize, usize)> {
    let after_ws = tail.trim_start();
    let colon = after_ws.strip_prefix(':')?;
    let value = colon.trim_start();
    let gap = tail.len() - value.len();
    let body = value.strip_prefix('"')?;
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some((gap, i + 2)),
            _ => {}
        }
    }
    // Unterminated: hide to the end.
    Some((gap, value.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_hidden_and_json_stays_json() {
        let raw = r#"{"decision_id":"d","status":"processing","worker_token":"5f0c6a8e-1b2c-4d3e-8f9a-0b1c2d3e4f5a","lease_until":"2026-10-01T10:00:00Z"}"#;
        let hidden = hide(raw);
        assert!(!hidden.contains("5f0c6a8e"), "{hidden}");
        let value: serde_json::Value = serde_json::from_str(&hidden).unwrap();
        assert_eq!(value["worker_token"], HIDDEN);
        assert_eq!(value["lease_until"], "2026-10-01T10:00:00Z");
    }

    #[test]
    fn malformed_rows_and_escapes_are_covered() {
        let raw = r#"{"worker_token" : "ab\"cd", "x": 1"#;
        assert!(!hide(raw).contains("ab"));
        let raw = r#"{"worker_token":"unterminated"#;
        assert!(!hide(raw).contains("unterminated"));
        assert_eq!(hide(r#"{"worker_token":null}"#), r#"{"worker_token":null}"#);
        assert_eq!(hide("no secrets"), "no secrets");
    }
}
