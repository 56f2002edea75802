//! A message's text as HTML: line breaks kept, a small formatting set (inline code, fenced code,
//! bold, italic, strikethrough, quotes), safe autolinks and `@name` mentions; everything else is
//! literal text (docs/formatting.md).
//!
//! The text is parsed by `markdown` (markdown-rs) with every construct outside that set turned
//! off (no raw HTML, no headings, lists, images or `[label](url)` links), and the tree is written
//! out here: each kind of node this module knows becomes one fixed tag, a link only for `http`,
//! `https` and `mailto` targets, and any other node becomes its source text, escaped. So no input
//! can produce a tag or attribute outside the set below; the property tests check it.

use markdown::mdast::Node;
use markdown::{Constructs, ParseOptions};

use crate::domain::Mention;

/// What every link carries: no referrer or opener for the target, no ranking credit, and a new
/// tab so the chat stays open.
const LINK_ATTRS: &str = r#" rel="noopener noreferrer nofollow ugc" target="_blank""#;

/// Link targets that may become links; anything else stays text.
const SCHEMES: [&str; 3] = ["http://", "https://", "mailto:"];

fn options() -> ParseOptions {
    ParseOptions {
        constructs: Constructs {
            attention: true,
            autolink: true,
            block_quote: true,
            character_escape: true,
            character_reference: false,
            code_indented: false,
            code_fenced: true,
            code_text: true,
            definition: false,
            frontmatter: false,
            gfm_autolink_literal: true,
            gfm_footnote_definition: false,
            gfm_label_start_footnote: false,
            gfm_strikethrough: true,
            gfm_table: false,
            gfm_task_list_item: false,
            hard_break_escape: false,
            hard_break_trailing: false,
            heading_atx: false,
            heading_setext: false,
            html_flow: false,
            html_text: false,
            label_start_image: false,
            label_start_link: false,
            label_end: false,
            list_item: false,
            math_flow: false,
            math_text: false,
            mdx_esm: false,
            mdx_expression_flow: false,
            mdx_expression_text: false,
            mdx_jsx_flow: false,
            mdx_jsx_text: false,
            thematic_break: false,
        },
        gfm_strikethrough_single_tilde: false,
        ..ParseOptions::default()
    }
}

/// Whether `text` may hold anything the parser would turn into markup. Most chat lines do not;
/// they skip the parser (and are written as it would write them: [`plain_html`]).
fn plain(text: &str) -> bool {
    !text.bytes().any(|b| matches!(b, b'*' | b'_' | b'`' | b'~' | b'>' | b'<' | b'\\' | b'@'))
        && !text.contains("://")
        && !text.contains("www.")
        && !text.contains("mailto:")
        && !text.contains("xmpp:")
}

/// Text without markup, as the parser writes it: paragraphs split at blank lines, each line
/// without its surrounding spaces and tabs.
fn plain_html(out: &mut String, text: &str) {
    let mut open = false;
    for line in text.split('\n').map(|l| l.trim_matches([' ', '\t'])) {
        if line.is_empty() {
            if open {
                out.push_str("</p>");
                open = false;
            }
            continue;
        }
        out.push_str(if open { "<br>" } else { "<p>" });
        open = true;
        escape_into(out, line);
    }
    if open {
        out.push_str("</p>");
    }
}

/// The HTML of a message's text. `mentions` are the members it mentions, as stored with it.
pub fn message_html(text: &str, mentions: &[Mention]) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4 + 16);
    if plain(text) {
        plain_html(&mut out, text);
        return out;
    }
    match markdown::to_mdast(text, &options()) {
        Ok(tree) => Writer { source: text, mentions, out: &mut out }.node(&tree),
        // Without MDX the parser has no errors; should one appear, show the text as typed.
        Err(_) => plain_html(&mut out, text),
    }
    out
}

struct Writer<'a> {
    source: &'a str,
    mentions: &'a [Mention],
    out: &'a mut String,
}

impl Writer<'_> {
    fn children(&mut self, nodes: &[Node]) {
        for n in nodes {
            self.node(n);
        }
    }

    fn wrapped(&mut self, tag: &str, nodes: &[Node]) {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
        self.children(nodes);
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
    }

    fn node(&mut self, node: &Node) {
        match node {
            Node::Root(n) => self.children(&n.children),
            Node::Paragraph(n) => self.wrapped("p", &n.children),
            Node::Text(n) => text_with_breaks(self.out, &n.value, self.mentions),
            Node::Break(_) => self.out.push_str("<br>"),
            Node::Strong(n) => self.wrapped("strong", &n.children),
            Node::Emphasis(n) => self.wrapped("em", &n.children),
            Node::Delete(n) => self.wrapped("del", &n.children),
            Node::Blockquote(n) => self.wrapped("blockquote", &n.children),
            Node::InlineCode(n) => {
                self.out.push_str("<code>");
                escape_into(self.out, &n.value);
                self.out.push_str("</code>");
            }
            Node::Code(n) => {
                self.out.push_str("<pre><code>");
                escape_into(self.out, &n.value);
                self.out.push_str("</code></pre>");
            }
            Node::Link(n) if SCHEMES.iter().any(|s| starts_with_ignore_case(&n.url, s)) => {
                self.out.push_str("<a href=\"");
                escape_into(self.out, &n.url);
                self.out.push('"');
                self.out.push_str(LINK_ATTRS);
                self.out.push('>');
                self.children(&n.children);
                self.out.push_str("</a>");
            }
            // A link to anywhere else (`<javascript:…>`), or a node of a construct this module
            // does not write: its source text, as typed.
            other => self.source_text(other),
        }
    }

    fn source_text(&mut self, node: &Node) {
        let slice = node.position().and_then(|p| self.source.get(p.start.offset..p.end.offset));
        match slice {
            Some(s) => text_with_breaks(self.out, s, &[]),
            None => {
                if let Some(children) = node.children() {
                    self.children(children);
                }
            }
        }
    }
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Escapes `text` into `out`, line breaks as `<br>`, mentions of `mentions` marked.
fn text_with_breaks(out: &mut String, text: &str, mentions: &[Mention]) {
    let mut lines = text.split('\n');
    if let Some(first) = lines.next() {
        with_mentions(out, first, mentions);
    }
    for line in lines {
        out.push_str("<br>");
        with_mentions(out, line, mentions);
    }
}

/// Escapes `text` into `out`, each `@name` of a mentioned member wrapped in a span that names
/// the member (`data-user`), so the page can highlight mentions of its viewer.
fn with_mentions(out: &mut String, text: &str, mentions: &[Mention]) {
    if mentions.is_empty() {
        escape_into(out, text);
        return;
    }
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        escape_into(out, &rest[..at]);
        let after = &rest[at + 1..];
        let word_before = rest[..at].chars().next_back().is_some_and(crate::domain::name_char);
        match crate::domain::mention_at(after, mentions).filter(|_| !word_before) {
            Some((m, len)) => {
                out.push_str("<span class=\"mention\" data-user=\"");
                escape_into(out, m.user.as_str());
                out.push_str("\">@");
                escape_into(out, &after[..len]);
                out.push_str("</span>");
                rest = &after[len..];
            }
            None => {
                out.push('@');
                rest = after;
            }
        }
    }
    escape_into(out, rest);
}

/// HTML-escapes `text` into `out` (text and double-quoted attribute values), with the same
/// entities as the templates.
pub fn escape_into(out: &mut String, text: &str) {
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let rep = match b {
            b'&' => "&#38;",
            b'<' => "&#60;",
            b'>' => "&#62;",
            b'"' => "&#34;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

#[cfg(test)]
mod tests;
