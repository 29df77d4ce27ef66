//! The corpus: the vector file format (docs/VECTORS.md), the files embedded at build time,
//! their schema, the rules `lint` holds them to, and (in `generate`) the generator of the
//! generated files.

mod check;
pub mod evidence;
pub mod export;
pub mod generate;
mod lint;
mod load;
pub mod observation;
pub mod release;
mod schema;
mod types;

pub use lint::{lint, Oracle};
#[cfg(test)]
pub(crate) use load::embedded_args;
pub use load::{embedded, embedded_evidence, load_embedded, load_paths, parse, Evidence};
pub use schema::{observation_schema_errors, schema_errors, OBSERVATIONS_SCHEMA, SCHEMA};
pub use types::{
    Accumulated, Check, Claim, Expected, Generator, MixinRecipient, Note, Provenance, Subset,
    Vector, VectorFile, Verdict, SCHEMA_VERSION,
};
