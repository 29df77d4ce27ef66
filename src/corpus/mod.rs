//! The corpus: the vector file format (docs/VECTORS.md), the files embedded at build time,
//! their schema, the rules `lint` holds them to, and (in `generate`) the generator of the
//! generated files.

mod check;
pub mod export;
pub mod generate;
mod lint;
mod load;
pub mod release;
mod schema;
mod types;

pub use lint::{lint, Oracle};
pub use load::{embedded, load_embedded, load_paths, parse};
pub use schema::{schema_errors, SCHEMA};
pub use types::{
    Accumulated, Check, Expected, Generator, MixinRecipient, Note, Provenance, Vector, VectorFile,
    Verdict, SCHEMA_VERSION,
};
