//! Vector args cut to a size a person can read in a report line, a JUnit message or a
//! Markdown cell: a 10 MB body becomes its first and last bytes and its length.

use serde_json::Value;

/// Strings longer than this many characters are cut.
pub const MAX_STRING: usize = 96;
/// Arrays longer than this many elements are cut.
pub const MAX_ARRAY: usize = 16;

/// `args` with every long string cut in the middle (`0101ff…a1b2 (5000 bytes)` for hex,
/// the length in characters otherwise) and every long array cut after its first elements.
pub fn shorten(args: &Value) -> Value {
    match args {
        Value::String(s) if s.chars().count() > MAX_STRING => {
            let head: String = s.chars().take(40).collect();
            let tail: String = {
                let mut t: Vec<char> = s.chars().rev().take(16).collect();
                t.reverse();
                t.into_iter().collect()
            };
            let size = if s.len() % 2 == 0 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
                format!("{} bytes", s.len() / 2)
            } else {
                format!("{} characters", s.chars().count())
            };
            Value::String(format!("{head}…{tail} ({size})"))
        }
        Value::Array(items) if items.len() > MAX_ARRAY => {
            let mut out: Vec<Value> = items.iter().take(MAX_ARRAY).map(shorten).collect();
            out.push(Value::String(format!(
                "… {} more ({} in all)",
                items.len() - MAX_ARRAY,
                items.len()
            )));
            Value::Array(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(shorten).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shorten(v))).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_values_are_cut_and_short_ones_kept() {
        let body = "ab".repeat(5_000_000);
        let ids: Vec<String> = (0..100).map(|i| format!("id-{i}")).collect();
        let args = json!({"body": body, "session_ids": ids, "n": 1, "short": "0102",
            "text": "x".repeat(200)});
        let s = shorten(&args);
        let cut = s["body"].as_str().unwrap();
        assert!(
            cut.starts_with(&"ab".repeat(20)) && cut.ends_with("(5000000 bytes)"),
            "{cut}"
        );
        assert!(cut.len() < 100);
        assert_eq!(s["text"].as_str().unwrap().matches('x').count(), 56);
        assert!(s["text"].as_str().unwrap().ends_with("(200 characters)"));
        let ids = s["session_ids"].as_array().unwrap();
        assert_eq!(ids.len(), MAX_ARRAY + 1);
        assert_eq!(ids[MAX_ARRAY], "… 84 more (100 in all)");
        assert_eq!((&s["n"], &s["short"]), (&json!(1), &json!("0102")));
        assert_eq!(shorten(&json!({"a": [1, 2]})), json!({"a": [1, 2]}));
    }
}
