//! The search index: every vector's id, page and the start of its comment, as a script that
//! sets a global (a JSON file could not be read from `file://`).

use super::{file_stem, SiteData};

/// Characters of a comment kept in the index.
pub const COMMENT_CHARS: usize = 160;

/// `search-index.js`.
pub fn index_js(data: &SiteData) -> String {
    let mut entries = Vec::new();
    for (_, file) in &data.files {
        for v in &file.tests {
            let mut comment: String = v.comment.chars().take(COMMENT_CHARS).collect();
            if comment.len() < v.comment.len() {
                comment.push('…');
            }
            entries.push(serde_json::json!([
                v.id,
                format!("v/{}.html", file_stem(&v.id)),
                comment
            ]));
        }
    }
    let json = serde_json::to_string(&entries).unwrap_or_else(|_| "[]".into());
    // No `<` at all, so the text is inert even if someone pastes it into a page.
    format!(
        "window.SEALCHECK_INDEX = {};\n",
        json.replace('<', "\\u003c")
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
    )
}
