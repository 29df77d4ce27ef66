//! The conformance site (`sealcheck site`): static HTML built from the committed reports, the
//! interop matrix and the embedded corpus. It works from `file://`, fetches nothing at view
//! time and needs no framework: one shared stylesheet, one small script for the search box,
//! and a search index loaded as a script (browsers refuse `fetch` on `file://`).

mod html;
mod impls;
mod interop_pages;
mod names;
mod overview;
mod search;
mod vectors;

pub use html::{esc, esc_code_spans};
pub use names::file_stem;

use crate::corpus::{self, VectorFile};
use crate::engine::{Expectations, VectorResult};
use crate::interop::InteropReport;
use crate::report::Report;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The manifest of committed reports: `reports/implementations.json`.
pub const MANIFEST: &str = "reports/implementations.json";

/// One implementation as the manifest describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImplementationEntry {
    /// The page name: `[a-z0-9-]`.
    pub id: String,
    /// The name people know it by.
    pub name: String,
    /// Its version, with what it runs on.
    pub version: String,
    /// The adapter folder.
    pub adapter: String,
    /// How the adapter is run.
    pub command: String,
    /// Its JSON report, relative to the repository root.
    pub report: String,
    /// Its expectations file, relative to the repository root.
    pub expectations: String,
    /// Its name in the interop report, if it took part.
    #[serde(default)]
    pub interop: Option<String>,
    /// What was found in it, one finding per entry (backtick spans become code).
    #[serde(default)]
    pub findings: Vec<String>,
}

/// The manifest file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// For people.
    #[serde(default)]
    pub comment: String,
    /// Every committed row, in overview order.
    pub implementations: Vec<ImplementationEntry>,
}

/// One implementation with its report and expectations loaded.
#[derive(Debug, Clone)]
pub struct Implementation {
    /// What the manifest says.
    pub entry: ImplementationEntry,
    /// Its report.
    pub report: Report,
    /// Its expectations file.
    pub expectations: Expectations,
}

/// Everything the site is built from.
#[derive(Debug, Clone)]
pub struct SiteData {
    /// The corpus, file by file.
    pub files: Vec<(String, VectorFile)>,
    /// The implementations, in overview order.
    pub implementations: Vec<Implementation>,
    /// The interop matrix, if there is one.
    pub interop: Option<InteropReport>,
}

impl SiteData {
    /// Loads the manifest, every report and expectations file it names, and
    /// `reports/interop.json` if present, from the repository at `root`; the corpus is the
    /// embedded one.
    pub fn load(root: &Path) -> Result<SiteData, String> {
        let manifest_path = root.join(MANIFEST);
        let text = std::fs::read_to_string(&manifest_path)
            .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", manifest_path.display()))?;
        let mut implementations = Vec::new();
        for entry in manifest.implementations {
            if entry.id.is_empty()
                || !entry
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            {
                return Err(format!("{MANIFEST}: id {:?} is not [a-z0-9.-]+", entry.id));
            }
            let report = Report::load(&root.join(&entry.report))?;
            let expectations = Expectations::load(&root.join(&entry.expectations), false)?;
            implementations.push(Implementation {
                entry,
                report,
                expectations,
            });
        }
        let interop_path: PathBuf = root.join("reports/interop.json");
        let interop = if interop_path.exists() {
            Some(InteropReport::load(&interop_path)?)
        } else {
            None
        };
        Ok(SiteData {
            files: corpus::load_embedded()?,
            implementations,
            interop,
        })
    }

    /// Every implementation's result for each vector id, in overview order.
    pub fn results_by_vector(&self) -> HashMap<&str, Vec<(usize, &VectorResult)>> {
        let mut map: HashMap<&str, Vec<(usize, &VectorResult)>> = HashMap::new();
        for (i, imp) in self.implementations.iter().enumerate() {
            for r in &imp.report.results {
                map.entry(r.id.as_str()).or_default().push((i, r));
            }
        }
        map
    }
}

/// What a build wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Built {
    /// Pages written.
    pub pages: usize,
    /// Bytes written, all files.
    pub bytes: u64,
}

/// A file of the site: its path under the output folder and its contents.
pub type SiteFile = (String, String);

/// Every file of the site, in memory: pages, the stylesheet, the script and the index.
pub fn render(data: &SiteData) -> Vec<SiteFile> {
    let mut files: Vec<SiteFile> = vec![
        ("style.css".into(), include_str!("assets/style.css").into()),
        ("search.js".into(), include_str!("assets/search.js").into()),
        ("search-index.js".into(), search::index_js(data)),
        ("index.html".into(), overview::overview(data)),
        ("vectors.html".into(), overview::vector_list(data)),
    ];
    files.extend(impls::pages(data));
    files.extend(vectors::pages(data));
    files.extend(interop_pages::pages(data));
    files
}

/// Builds the site into `out` (created if missing; files of an earlier build are replaced).
pub fn build(data: &SiteData, out: &Path) -> Result<Built, String> {
    let files = render(data);
    let mut built = Built::default();
    for dir in ["impl", "v", "interop"] {
        let d = out.join(dir);
        if d.exists() {
            std::fs::remove_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        }
    }
    for (rel, text) in &files {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        built.bytes += text.len() as u64;
        if rel.ends_with(".html") {
            built.pages += 1;
        }
    }
    Ok(built)
}

/// The relative link from a page at `depth` to a vector's page.
pub fn vector_href(root: &str, id: &str) -> String {
    format!("{root}v/{}.html", file_stem(id))
}

/// The relative link from a page to an implementation's page.
pub fn impl_href(root: &str, id: &str) -> String {
    format!("{root}impl/{}.html", file_stem(id))
}

/// The relative link to an interop test page.
pub fn test_href(root: &str, test: &str) -> String {
    format!("{root}interop/{}.html", file_stem(test))
}

#[cfg(test)]
mod tests;
