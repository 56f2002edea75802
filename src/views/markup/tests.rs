//! The formatter's tests: the set it writes, what stays literal, links, mentions, and property
//! tests over random mixtures of markup.

use super::*;
use crate::domain::UserId;
use proptest::prelude::*;

fn html(text: &str) -> String {
    message_html(text, &[])
}

#[test]
fn the_formatting_set() {
    assert_eq!(html("hello"), "<p>hello</p>");
    assert_eq!(html("one\ntwo"), "<p>one<br>two</p>");
    assert_eq!(
        html("**bold** *it* _it_ ~~gone~~ `x<y`"),
        "<p><strong>bold</strong> <em>it</em> <em>it</em> <del>gone</del> <code>x&#60;y</code></p>"
    );
    assert_eq!(
        html("```\nfn main() {\n  <b>\n}\n```"),
        "<pre><code>fn main() {\n  &#60;b&#62;\n}</code></pre>"
    );
    assert_eq!(html("> quoted\nstill"), "<blockquote><p>quoted<br>still</p></blockquote>");
    assert_eq!(html("a\n\nb"), "<p>a</p><p>b</p>");
}

#[test]
fn everything_else_is_literal() {
    assert_eq!(html("# not a heading"), "<p># not a heading</p>");
    assert_eq!(html("- one\n- two"), "<p>- one<br>- two</p>");
    assert_eq!(html("<b>hi</b>"), "<p>&#60;b&#62;hi&#60;/b&#62;</p>");
    assert_eq!(
        html("[x](https://e.example)"),
        "<p>[x](<a href=\"https://e.example\" rel=\"noopener noreferrer nofollow ugc\" target=\"_blank\">https://e.example</a>)</p>"
    );
    assert_eq!(html("![img](x.png)"), "<p>![img](x.png)</p>");
    assert_eq!(html("&#38; &#60;"), "<p>&#38;#38; &#38;#60;</p>");
    assert_eq!(html("    indented"), "<p>indented</p>");
    assert_eq!(html("---"), "<p>---</p>");
}

#[test]
fn links() {
    let rel = LINK_ATTRS;
    assert_eq!(
        html("see https://example.com/a?b=1&c=2."),
        format!(
            "<p>see <a href=\"https://example.com/a?b=1&#38;c=2\"{rel}>https://example.com/a?b=1&#38;c=2</a>.</p>"
        )
    );
    assert_eq!(
        html("www.example.com"),
        format!("<p><a href=\"http://www.example.com\"{rel}>www.example.com</a></p>")
    );
    assert_eq!(
        html("mail a@example.com"),
        format!("<p>mail <a href=\"mailto:a@example.com\"{rel}>a@example.com</a></p>")
    );
    assert_eq!(html("<javascript:alert(1)>"), "<p>&#60;javascript:alert(1)&#62;</p>");
    assert_eq!(html("javascript:alert(1)"), "<p>javascript:alert(1)</p>");
    assert_eq!(html("<data:text/html,x>"), "<p>&#60;data:text/html,x&#62;</p>");
    assert_eq!(
        html("<HTTPS://E.EXAMPLE>"),
        format!("<p><a href=\"HTTPS://E.EXAMPLE\"{rel}>HTTPS://E.EXAMPLE</a></p>")
    );
}

#[test]
fn mentions_are_marked() {
    let alice = UserId::generate();
    let mentions = [Mention { user: alice.clone(), name: "Alice B".into() }];
    let out = message_html("hi @alice b, and @Bob and **@Alice B**", &mentions);
    let span = format!("<span class=\"mention\" data-user=\"{alice}\">");
    assert_eq!(
        out,
        format!("<p>hi {span}@alice b</span>, and @Bob and <strong>{span}@Alice B</span></strong></p>")
    );
    assert_eq!(message_html("mail@alice b", &mentions), "<p>mail@alice b</p>", "an address is no mention");
    assert_eq!(message_html("@Alice Bx", &mentions), "<p>@Alice Bx</p>", "a longer word is someone else");
}

/// Every tag the renderer may write, by name, with the attributes it may carry.
fn tag_allowed(tag: &str) -> bool {
    const BARE: [&str; 16] = [
        "p",
        "/p",
        "br",
        "strong",
        "/strong",
        "em",
        "/em",
        "del",
        "/del",
        "code",
        "/code",
        "pre",
        "/pre",
        "blockquote",
        "/blockquote",
        "/a",
    ];
    if BARE.contains(&tag) || tag == "/span" {
        return true;
    }
    if let Some(rest) = tag.strip_prefix("span class=\"mention\" data-user=\"") {
        return rest.ends_with('"') && !rest[..rest.len() - 1].contains('"');
    }
    if let Some(rest) = tag.strip_prefix("a href=\"") {
        let Some(url) = rest.strip_suffix(&format!("\"{LINK_ATTRS}")) else { return false };
        return !url.contains('"') && SCHEMES.iter().any(|s| starts_with_ignore_case(url, s));
    }
    false
}

fn check(out: &str) -> Result<(), TestCaseError> {
    let mut rest = out;
    while let Some(open) = rest.find('<') {
        prop_assert!(!rest[..open].contains('>'), "stray > in {out}");
        let close = rest[open..].find('>').map(|c| open + c);
        prop_assert!(close.is_some(), "unclosed tag in {out}");
        let close = close.unwrap_or_default();
        let tag = &rest[open + 1..close];
        prop_assert!(tag_allowed(tag), "tag <{tag}> not allowed in {out}");
        rest = &rest[close + 1..];
    }
    prop_assert!(!rest.contains('>'));
    let lower = out.to_ascii_lowercase();
    prop_assert!(!lower.contains("href=\"javascript:") && !lower.contains("href=\"data:"));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_input_makes_a_tag_outside_the_set(
        text in proptest::collection::vec(prop_oneof![
            Just("<".to_owned()), Just(">".to_owned()), Just("\"".to_owned()), Just("'".to_owned()),
            Just("&".to_owned()), Just("*".to_owned()), Just("_".to_owned()), Just("`".to_owned()),
            Just("```".to_owned()), Just("~~".to_owned()), Just("\n".to_owned()), Just("\\".to_owned()),
            Just("[".to_owned()), Just("](".to_owned()), Just(")".to_owned()), Just("!".to_owned()),
            Just("javascript:".to_owned()), Just("data:".to_owned()), Just("http://".to_owned()),
            Just("https://".to_owned()), Just("mailto:".to_owned()), Just("www.".to_owned()),
            Just("@".to_owned()), Just("Alice".to_owned()), Just("x.com".to_owned()), Just(" ".to_owned()),
            Just("<script>".to_owned()), Just("onerror=".to_owned()), Just("# ".to_owned()),
            Just("- ".to_owned()), Just("1. ".to_owned()), Just("    ".to_owned()), Just("&#x6a;".to_owned()),
            "[a-z0-9]{1,4}",
            "\\PC{1,3}",
        ], 0..40)
    ) {
        let text = text.concat();
        let alice = Mention { user: UserId::generate(), name: "Alice".into() };
        check(&message_html(&text, std::slice::from_ref(&alice)))?;
        check(&message_html(&text, &[]))?;
    }

    #[test]
    fn plain_text_skips_the_parser_with_the_same_result(text in "[a-zA-Z0-9 .,!?:;'\"()\\[\\]#&=+-]{0,12}(\n[ \t]*[a-zA-Z0-9 .,!?#&-]{0,12}){0,4}") {
        prop_assume!(plain(&text));
        let mut fast = String::new();
        plain_html(&mut fast, &text);
        let mut parsed = String::new();
        if let Ok(tree) = markdown::to_mdast(&text, &options()) {
            Writer { source: &text, mentions: &[], out: &mut parsed }.node(&tree);
        }
        prop_assert_eq!(fast, parsed);
    }
}
