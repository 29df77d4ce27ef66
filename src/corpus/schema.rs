//! The JSON Schemas the corpus's files validate against, so `lint` and CI check the data
//! itself and not only what the types happen to parse.

use serde_json::Value;
use std::sync::OnceLock;

/// The JSON Schema (draft 2020-12) every vector file validates against.
pub const SCHEMA: &str = include_str!("../../vectors/schema/vectors.schema.json");

/// The JSON Schema every observation file (vectors/observations/) validates against.
pub const OBSERVATIONS_SCHEMA: &str = include_str!("../../vectors/schema/observations.schema.json");

type Compiled = OnceLock<Result<jsonschema::Validator, String>>;

/// Validates one vector file's text against [`SCHEMA`]; one message per violation.
pub fn schema_errors(text: &str) -> Vec<String> {
    // Compiled once: lint validates every file of the corpus against it.
    static VALIDATOR: Compiled = OnceLock::new();
    errors(&VALIDATOR, SCHEMA, text)
}

/// Validates one observation file's text against [`OBSERVATIONS_SCHEMA`].
pub fn observation_schema_errors(text: &str) -> Vec<String> {
    static VALIDATOR: Compiled = OnceLock::new();
    errors(&VALIDATOR, OBSERVATIONS_SCHEMA, text)
}

fn errors(compiled: &Compiled, schema: &str, text: &str) -> Vec<String> {
    let validator = compiled.get_or_init(|| {
        let schema: Value = serde_json::from_str(schema)
            .map_err(|e| format!("the embedded schema is not JSON: {e}"))?;
        jsonschema::draft202012::new(&schema)
            .map_err(|e| format!("the embedded schema does not compile: {e}"))
    });
    let validator = match validator {
        Ok(v) => v,
        Err(e) => return vec![e.clone()],
    };
    let instance: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return vec![format!("not JSON: {e}")],
    };
    validator
        .iter_errors(&instance)
        .map(|e| {
            let at = e.instance_path().to_string();
            // The root's JSON pointer is the empty string: say so in words.
            let at = if at.is_empty() {
                "the root".to_owned()
            } else {
                at
            };
            format!("{e} (at {at})")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{embedded, parse};

    #[test]
    fn every_embedded_file_validates_against_the_schema() {
        assert!(!embedded().is_empty());
        for (path, text) in embedded() {
            assert_eq!(schema_errors(text), Vec::<String>::new(), "{path}");
            parse(path, text).unwrap();
        }
    }

    #[test]
    fn the_schema_rejects_what_the_types_reject() {
        let bad = r#"{"schema_version":1,"format":"mixin","op":"mixin.checksum","description":"d",
            "tests":[{"id":"mixin.checksum/x/y","comment":"c","args":{},"expected":{"result":"valid","stage":"key","provenance":[{"kind":"reference","source":"s"}]}}]}"#;
        assert!(
            !schema_errors(bad).is_empty(),
            "a valid vector with a stage and no output"
        );
        let unknown = r#"{"schema_version":1,"format":"mixin","op":"mixin.checksum","description":"d","tests":[],"extra":1}"#;
        // Each op's args and ok have their own schema: a mistyped or missing argument, a
        // byte string that is not hex, or a wrong output field does not pass.
        let file = |args: &str, ok: &str| {
            format!(
                r#"{{"schema_version":1,"format":"mixin","op":"mixin.decrypt","description":"d","number_of_tests":1,"tests":[{{"id":"mixin.decrypt/x/y","comment":"c","args":{args},"expected":{{"result":"valid","ok":{ok},"provenance":[{{"kind":"reference","source":"s"}}]}}}}]}}"#
            )
        };
        let good = r#"{"private_key":"00","session_id":"s","body":"ab"}"#;
        assert_eq!(
            schema_errors(&file(good, r#"{"plaintext":""}"#)),
            Vec::<String>::new()
        );
        for (args, ok) in [
            (
                r#"{"private_key":"00","sesion_id":"s","body":"ab"}"#,
                r#"{"plaintext":""}"#,
            ),
            (r#"{"private_key":"00","body":"ab"}"#, r#"{"plaintext":""}"#),
            (
                r#"{"private_key":"0g","session_id":"s","body":"ab"}"#,
                r#"{"plaintext":""}"#,
            ),
            (
                r#"{"private_key":"00","session_id":"s","body":"abc"}"#,
                r#"{"plaintext":""}"#,
            ),
            (good, r#"{"message":""}"#),
        ] {
            assert!(!schema_errors(&file(args, ok)).is_empty(), "{args} {ok}");
        }
        assert!(!schema_errors(unknown).is_empty());
        assert!(parse("x", unknown).is_err());
        let errors = schema_errors("[2]");
        assert!(
            errors.iter().any(|e| e.ends_with("(at the root)")),
            "{errors:?}"
        );
        // The test count is required, and must be right.
        let uncounted = file(good, r#"{"plaintext":""}"#).replace(r#""number_of_tests":1,"#, "");
        assert!(!schema_errors(&uncounted).is_empty());
        let miscounted = file(good, r#"{"plaintext":""}"#)
            .replace(r#""number_of_tests":1"#, r#""number_of_tests":2"#);
        assert!(parse("x", &miscounted)
            .unwrap_err()
            .contains("number_of_tests says 2"));
    }

    #[test]
    fn stage_sets_are_read_and_checked() {
        let file = |expected: &str| {
            format!(
                r#"{{"schema_version":1,"format":"mixin","op":"mixin.checksum","description":"d","number_of_tests":1,"tests":[{{"id":"mixin.checksum/x/y","comment":"c","args":{{"session_ids":[]}},"expected":{expected}}}]}}"#
            )
        };
        let prov = r#""provenance":[{"kind":"reference","source":"s"}]"#;
        let set = file(&format!(
            r#"{{"result":"invalid","stages":["session_count","length"],{prov}}}"#
        ));
        assert_eq!(schema_errors(&set), Vec::<String>::new());
        let f = parse("x", &set).unwrap();
        let e = &f.tests[0].expected;
        assert_eq!(e.stage, Some(crate::wire::Stage::SessionCount));
        assert_eq!(
            e.stage_set(),
            vec![crate::wire::Stage::SessionCount, crate::wire::Stage::Length]
        );
        // Written back as it was read.
        let again = serde_json::to_value(&f).unwrap();
        assert_eq!(
            again["tests"][0]["expected"]["stages"],
            serde_json::json!(["session_count", "length"])
        );
        assert!(again["tests"][0]["expected"].get("stage").is_none());
        for bad in [
            format!(r#"{{"result":"invalid","stage":"length","stages":["length","key"],{prov}}}"#),
            format!(r#"{{"result":"invalid","stages":["length"],{prov}}}"#),
            format!(
                r#"{{"result":"valid","ok":{{"checksum":""}},"stages":["length","key"],{prov}}}"#
            ),
        ] {
            assert!(!schema_errors(&file(&bad)).is_empty(), "{bad}");
        }
        assert!(parse(
            "x",
            &file(&format!(
                r#"{{"result":"invalid","stages":["length"],{prov}}}"#
            ))
        )
        .is_err());
        assert!(parse(
            "x",
            &file(&format!(
                r#"{{"result":"invalid","stage":"length","stages":["length","key"],{prov}}}"#
            ))
        )
        .is_err());
    }
}
