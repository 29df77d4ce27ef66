//! HTML by hand: one escaping function for text and attributes, and the page frame every
//! page shares. Every string that comes from data (vector comments, implementation error
//! messages, command lines) goes through [`esc`]; nothing else writes data into a page.

use std::fmt::Write;

/// Escapes text for an HTML text node or a double- or single-quoted attribute value.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text and then turns `backtick spans` into `<code>`: the one piece of markup that
/// hand-written findings and reasons use. Escaping comes first, so a span cannot carry markup.
pub fn esc_code_spans(s: &str) -> String {
    let escaped = esc(s);
    let mut out = String::with_capacity(escaped.len());
    let mut parts = escaped.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    // An odd number of backticks leaves the last one as it is.
    let pairs = rest.len() / 2 * 2;
    for (i, part) in rest.iter().enumerate() {
        if i < pairs {
            if i % 2 == 0 {
                let _ = write!(out, "<code>{part}</code>");
            } else {
                out.push_str(part);
            }
        } else {
            out.push('`');
            out.push_str(part);
        }
    }
    out
}

/// A page under construction: `root` is the relative path back to the site root
/// (`""` or `"../"`), so every link works from `file://`.
pub struct Page {
    root: &'static str,
    title: String,
    body: String,
}

impl Page {
    /// Starts a page at `depth` 0 (the root) or 1 (a folder below it).
    pub fn new(depth: usize, title: &str) -> Page {
        Page {
            root: if depth == 0 { "" } else { "../" },
            title: title.to_owned(),
            body: String::new(),
        }
    }

    /// The relative path to the site root.
    pub fn root(&self) -> &'static str {
        self.root
    }

    /// Appends markup that the caller built from escaped parts.
    pub fn push(&mut self, html: &str) {
        self.body.push_str(html);
    }

    /// The finished document.
    pub fn finish(self) -> String {
        let r = self.root;
        format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title} · sealcheck</title>\n<link rel=\"stylesheet\" href=\"{r}style.css\">\n\
             </head>\n<body>\n<header><a class=\"home\" href=\"{r}index.html\">sealcheck</a>\n\
             <nav><a href=\"{r}index.html\">overview</a> <a href=\"{r}interop/index.html\">interop</a> \
             <a href=\"{r}vectors.html\">vectors</a></nav>\n\
             <form class=\"search\" role=\"search\" onsubmit=\"return false\">\
             <input id=\"q\" type=\"search\" placeholder=\"search vector ids and comments\" \
             autocomplete=\"off\" aria-label=\"search vectors\">\
             <ol id=\"results\"></ol></form>\n</header>\n<main>\n{body}</main>\n\
             <script src=\"{r}search.js\" data-root=\"{r}\"></script>\n</body>\n</html>\n",
            title = esc(&self.title),
            body = self.body,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_markup_character_is_escaped() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'q'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"
        );
        assert_eq!(esc("plain ✓"), "plain ✓");
    }

    #[test]
    fn code_spans_are_made_after_escaping() {
        assert_eq!(
            esc_code_spans("a `<b>` c `d` e"),
            "a <code>&lt;b&gt;</code> c <code>d</code> e"
        );
        assert_eq!(esc_code_spans("odd ` tick"), "odd ` tick");
        assert_eq!(esc_code_spans("`x` and ` y"), "<code>x</code> and ` y");
    }

    #[test]
    fn the_frame_escapes_the_title_and_links_relative_to_the_root() {
        let mut p = Page::new(1, "a <b> title");
        p.push("<p>body</p>");
        let html = p.finish();
        assert!(html.contains("<title>a &lt;b&gt; title · sealcheck</title>"));
        assert!(html.contains("href=\"../style.css\""));
        assert!(html.contains("src=\"../search.js\" data-root=\"../\""));
        assert!(html.contains("<p>body</p>"));
        assert!(
            !html.contains("http"),
            "nothing is fetched from the network"
        );
    }
}
