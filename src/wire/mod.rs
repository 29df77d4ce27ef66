//! Bytes on the wire: a bounds-checked cursor, hex and base64, dissections and stages.

mod codec;
mod dissect;
mod reader;
mod stage;

pub use codec::{
    from_base64_any, from_hex, from_hex_or_base64, to_base64_std, to_base64_url, to_hex, Codec,
};
pub use dissect::{Dissection, Field, FieldKind, Measures};
pub use reader::Reader;
pub use stage::Stage;
