//! The web page, embedded in the binary: plain HTML, a little JavaScript, no framework.

/// `GET /`.
pub const HTML: &str = include_str!("page/index.html");
/// `GET /app.js`.
pub const JS: &str = include_str!("page/app.js");
/// `GET /style.css`.
pub const CSS: &str = include_str!("page/style.css");
