//! The message syntax: filling, refusing, checking translations, rewriting.

use super::*;

fn fmt(source: &str, tag: &str, args: &[(&str, &str)]) -> String {
    Message::parse(source).unwrap().format(number_rules(tag).as_ref(), args)
}

#[test]
fn placeholders_plurals_and_selects_are_filled() {
    let members = "{n, plural, =0 {no one} one {# member} other {# members}}";
    assert_eq!(fmt(members, "en", &[("n", "1")]), "1 member");
    assert_eq!(fmt(members, "en", &[("n", "2")]), "2 members");
    assert_eq!(fmt(members, "en", &[("n", "0")]), "no one");
    let ru = "{n, plural, one {# участник} few {# участника} many {# участников} other {# участника}}";
    assert_eq!(fmt(ru, "ru", &[("n", "21")]), "21 участник");
    assert_eq!(fmt(ru, "ru", &[("n", "3")]), "3 участника");
    assert_eq!(fmt(ru, "ru", &[("n", "11")]), "11 участников");
    assert_eq!(fmt("멤버 {n}명", "ko", &[("n", "1")]), "멤버 1명");
    // Numbers in the language's digits and grouping: `#` and `{n, number}`.
    assert_eq!(fmt("{n, plural, other {# أعضاء}}", "ar-EG", &[("n", "12")]), "١٢ أعضاء");
    assert_eq!(fmt("{n, number} · {n}", "en", &[("n", "12345")]), "12,345 · 12345");
    assert_eq!(fmt("{y, number}", "en", &[("y", "2026")]), "2026", "no separator below five digits");
    assert_eq!(fmt("{n, number}", "fr", &[("n", "x")]), "x");
    let who = "{who, select, you {You} other {{name}}} left";
    assert_eq!(fmt(who, "en", &[("who", "you"), ("name", "Ann")]), "You left");
    assert_eq!(fmt(who, "en", &[("who", "x"), ("name", "Ann")]), "Ann left");
    assert_eq!(
        fmt("You're '{'literal'}' {x}, ''quoted''", "en", &[("x", "1")]),
        "You're {literal} 1, 'quoted'"
    );
}

#[test]
fn malformed_text_is_refused_with_where() {
    assert_eq!(Message::parse("Hi {name"), Err(SyntaxError::Unclosed(4)));
    assert_eq!(Message::parse("Hi name}"), Err(SyntaxError::Unopened(8)));
    assert_eq!(Message::parse("{n, plural, one {x}}"), Err(SyntaxError::NoOther("n".into())));
    assert!(matches!(Message::parse("{n, date}"), Err(SyntaxError::BadArgument(_))));
    assert!(matches!(Message::parse("{n, number, percent}"), Err(SyntaxError::BadArgument(_))));
    assert!(matches!(Message::parse("{ }"), Err(SyntaxError::BadArgument(_))));
    let deep = "{a, select, other {{b, select, other {{c, select, other {{d, select, other {{e, select, other {x}}}}}}}}}}";
    assert_eq!(Message::parse(deep), Err(SyntaxError::TooDeep));
}

#[test]
fn translations_keep_placeholders_and_the_forms_their_language_needs() {
    let source = Message::parse("{n, plural, one {# member} other {# members}}").unwrap();
    let (ko, ru, en) = (number_rules("ko"), number_rules("ru"), number_rules("en"));
    let (ko, ru, en) = (ko.as_ref(), ru.as_ref(), en.as_ref());
    assert!(check(&source, "멤버 {n}명", ko).is_ok());
    assert!(check(&source, "{n, plural, other {멤버 #명}}", ko).is_ok());
    assert_eq!(
        check(&source, "{n, plural, one {# участник} other {# участника}}", ru),
        Err(Mismatch::MissingForms { arg: "n".into(), missing: vec!["few", "many"] })
    );
    assert_eq!(
        check(&source, "{n} участников", ru),
        Err(Mismatch::MissingForms { arg: "n".into(), missing: vec!["one", "few", "many", "other"] })
    );
    assert_eq!(
        check(&source, "{count} members", en),
        Err(Mismatch::Arguments { expected: vec!["n".into()], found: vec!["count".into()] })
    );
    assert!(matches!(check(&source, "{n", en), Err(Mismatch::Syntax(_))));
    assert_eq!(categories_of(number_rules("xx-unknown").as_ref()), ["other"]);
}

#[test]
fn rewriting_keeps_the_structure() {
    let m = Message::parse("It's {n, plural, one {# '{'x'}'} other {# y}} for {name}").unwrap();
    let upper = m.rewrite(&|t| t.to_uppercase());
    assert_eq!(upper, "IT''S {n, plural, one {# '{'X'}'} other {# Y}} FOR {name}");
    assert_eq!(
        Message::parse(&upper).unwrap().format(number_rules("en").as_ref(), &[("n", "1"), ("name", "a")]),
        "IT'S 1 {X} FOR a"
    );
}
