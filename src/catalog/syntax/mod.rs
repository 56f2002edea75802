//! The catalogue's message syntax (docs/translating.md): text with `{name}` placeholders, and
//! plural and select forms written the ICU MessageFormat way —
//! `{n, plural, one {# member} other {# members}}`, `{who, select, you {…} other {…}}` — where
//! `#` is the number and plural forms follow CLDR's rules for the message's language
//! (`icu_plurals`). An apostrophe quotes a brace (`'{'`); `''` is one apostrophe; any other
//! apostrophe is just text, so "You're" needs no escaping.

use std::fmt::Write as _;

use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;
use icu_decimal::options::{DecimalFormatterOptions, GroupingStrategy};
use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules};

mod parse;
#[cfg(test)]
mod tests;

use parse::Parser;

/// Nesting deeper than this is refused (a plural inside a select inside a plural is plenty).
const MAX_DEPTH: usize = 4;

/// One piece of a parsed message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// `{name}`: the argument's value.
    Arg(String),
    /// `#` inside a plural form: the number, written the language's way.
    Number,
    /// `{name, number}`: the argument, a number written the language's way.
    NumberArg(String),
    /// `{name, plural, …}` or `{name, select, …}`.
    Choice {
        /// The argument chosen on.
        arg: String,
        /// Plural (by number) or select (by text).
        plural: bool,
        /// Each selector (`one`, `=0`, `other`, a select key) and its message.
        cases: Vec<(String, Vec<Part>)>,
    },
}

/// A parsed message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message(Vec<Part>);

/// Why a text is not a well-formed message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    /// A `{` without its `}`.
    #[error("a brace opened at character {0} is never closed")]
    Unclosed(usize),
    /// A `}` without its `{`.
    #[error("a closing brace at character {0} has no opening brace")]
    Unopened(usize),
    /// Something other than a name, `plural` or `select` inside braces.
    #[error("character {0}: expected {{name}}, {{name, plural, …}} or {{name, select, …}}")]
    BadArgument(usize),
    /// A plural or select without an `other` form.
    #[error("{{{0}, …}} needs an “other” form")]
    NoOther(String),
    /// Nested too deep.
    #[error("forms are nested too deeply")]
    TooDeep,
}

impl Message {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, SyntaxError> {
        let mut parser = Parser::new(text);
        let parts = parser.message(0, false)?;
        match parser.peek() {
            Some('}') => Err(SyntaxError::Unopened(parser.at + 1)),
            _ => Ok(Message(parts)),
        }
    }

    /// A message that is all text (a value that failed to parse still shows as typed).
    pub fn literal(text: &str) -> Self {
        Message(vec![Part::Text(text.to_owned())])
    }

    /// The message with `args` filled in, plural forms chosen by `rules`.
    pub fn format(&self, rules: Option<&NumberRules>, args: &[(&str, &str)]) -> String {
        let mut out = String::new();
        write_parts(&mut out, &self.0, rules, args, None);
        out
    }

    /// The names of the arguments it uses, sorted, without repeats.
    pub fn arguments(&self) -> Vec<String> {
        let mut names = Vec::new();
        walk(&self.0, &mut |part| match part {
            Part::Arg(name) | Part::NumberArg(name) | Part::Choice { arg: name, .. } => {
                names.push(name.clone())
            }
            _ => {}
        });
        names.sort();
        names.dedup();
        names
    }

    /// The plural arguments and the plural categories each one's forms name.
    pub fn plurals(&self) -> Vec<(String, Vec<String>)> {
        let mut found = Vec::new();
        walk(&self.0, &mut |part| {
            if let Part::Choice { arg, plural: true, cases } = part {
                let categories = cases.iter().filter(|(s, _)| !s.starts_with('=')).map(|(s, _)| s.clone());
                found.push((arg.clone(), categories.collect()));
            }
        });
        found
    }

    /// The message written back as source text, each text piece passed through `text`.
    pub fn rewrite(&self, text: &dyn Fn(&str) -> String) -> String {
        let mut out = String::new();
        write_source(&mut out, &self.0, text, false);
        out
    }
}

fn walk(parts: &[Part], visit: &mut dyn FnMut(&Part)) {
    for part in parts {
        visit(part);
        if let Part::Choice { cases, .. } = part {
            for (_, inner) in cases {
                walk(inner, visit);
            }
        }
    }
}

/// The CLDR name of a plural category.
pub fn category_name(category: PluralCategory) -> &'static str {
    match category {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

fn write_parts(
    out: &mut String,
    parts: &[Part],
    rules: Option<&NumberRules>,
    args: &[(&str, &str)],
    number: Option<&str>,
) {
    let value = |name: &str| args.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    for part in parts {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Arg(name) => match value(name) {
                Some(v) => out.push_str(v),
                None => {
                    let _ = write!(out, "{{{name}}}");
                }
            },
            Part::Number => write_number(out, number.unwrap_or("#"), rules),
            Part::NumberArg(name) => match value(name) {
                Some(v) => write_number(out, v, rules),
                None => {
                    let _ = write!(out, "{{{name}, number}}");
                }
            },
            Part::Choice { arg, plural, cases } => {
                let given = value(arg).unwrap_or("");
                let chosen = if *plural {
                    let exact = format!("={given}");
                    let category = given
                        .parse::<u64>()
                        .ok()
                        .zip(rules)
                        .map_or(PluralCategory::Other, |(n, rules)| rules.category(n));
                    cases
                        .iter()
                        .find(|(s, _)| *s == exact)
                        .or_else(|| cases.iter().find(|(s, _)| s == category_name(category)))
                } else {
                    cases.iter().find(|(s, _)| s == given)
                };
                let chosen = chosen.or_else(|| cases.iter().find(|(s, _)| s == "other"));
                if let Some((_, inner)) = chosen {
                    let number = if *plural { Some(given) } else { number };
                    write_parts(out, inner, rules, args, number);
                }
            }
        }
    }
}

/// A number the language's way (a value that is not a whole number, as given).
fn write_number(out: &mut String, value: &str, rules: Option<&NumberRules>) {
    match (value.parse::<u64>(), rules) {
        (Ok(n), Some(rules)) => out.push_str(&rules.number(n)),
        _ => out.push_str(value),
    }
}

fn write_source(out: &mut String, parts: &[Part], text: &dyn Fn(&str) -> String, in_plural: bool) {
    for part in parts {
        match part {
            Part::Text(t) => {
                for c in text(t).chars() {
                    match c {
                        '{' | '}' => {
                            let _ = write!(out, "'{c}'");
                        }
                        '#' if in_plural => out.push_str("'#'"),
                        '\'' => out.push_str("''"),
                        c => out.push(c),
                    }
                }
            }
            Part::Arg(name) => {
                let _ = write!(out, "{{{name}}}");
            }
            Part::Number => out.push('#'),
            Part::NumberArg(name) => {
                let _ = write!(out, "{{{name}, number}}");
            }
            Part::Choice { arg, plural, cases } => {
                let _ = write!(out, "{{{arg}, {}, ", if *plural { "plural" } else { "select" });
                for (i, (selector, inner)) in cases.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    let _ = write!(out, "{selector} {{");
                    write_source(out, inner, text, in_plural || *plural);
                    out.push('}');
                }
                out.push('}');
            }
        }
    }
}

/// A language's rules for numbers, from CLDR (ICU4X's compiled-in data): its plural
/// categories, and its digits and grouping.
#[derive(Debug)]
pub struct NumberRules {
    plurals: Option<PluralRules>,
    decimals: Option<DecimalFormatter>,
}

impl NumberRules {
    /// The plural category of `n`.
    fn category(&self, n: u64) -> PluralCategory {
        self.plurals.as_ref().map_or(PluralCategory::Other, |rules| rules.category_for(n))
    }

    /// `n` written the language's way (its digits; grouping from five digits on, so years
    /// stay `2026`).
    pub fn number(&self, n: u64) -> String {
        match &self.decimals {
            Some(decimals) => decimals.format(&Decimal::from(n)).to_string(),
            None => n.to_string(),
        }
    }
}

/// The number rules of `tag` (the root rules — "other" only, ASCII digits — for a language
/// CLDR lacks). `Some` always; an `Option` so that callers holding none format as the root.
pub fn number_rules(tag: &str) -> Option<NumberRules> {
    let locale = Locale::try_from_str(tag).unwrap_or(Locale::UNKNOWN);
    let plurals = PluralRules::try_new_cardinal((&locale).into())
        .or_else(|_| PluralRules::try_new_cardinal((&Locale::UNKNOWN).into()))
        .ok();
    let options: DecimalFormatterOptions = GroupingStrategy::Min2.into();
    let decimals = DecimalFormatter::try_new((&locale).into(), options).ok();
    Some(NumberRules { plurals, decimals })
}

/// The plural categories a language distinguishes, CLDR order, `other` last.
pub fn categories_of(rules: Option<&NumberRules>) -> Vec<&'static str> {
    match rules.and_then(|r| r.plurals.as_ref()) {
        Some(plurals) => plurals.categories().map(category_name).collect(),
        None => vec!["other"],
    }
}

/// Why a translation does not fit its source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// Not well-formed.
    Syntax(SyntaxError),
    /// Placeholders differ: what the source has, what the translation has.
    Arguments {
        /// The source's.
        expected: Vec<String>,
        /// The translation's.
        found: Vec<String>,
    },
    /// A number's plural forms lack categories the language needs.
    MissingForms {
        /// The number's placeholder.
        arg: String,
        /// The categories it lacks.
        missing: Vec<&'static str>,
    },
}

/// Checks `translation` against `source` for a language with `rules`: well-formed, the same
/// placeholders, and every plural category the language needs for each number the source
/// pluralizes (a plain `{n}` is enough for a language with one form).
pub fn check(source: &Message, translation: &str, rules: Option<&NumberRules>) -> Result<Message, Mismatch> {
    let parsed = Message::parse(translation).map_err(Mismatch::Syntax)?;
    let (expected, found) = (source.arguments(), parsed.arguments());
    if expected != found {
        return Err(Mismatch::Arguments { expected, found });
    }
    let needed = categories_of(rules);
    let given = parsed.plurals();
    let mut pluralized: Vec<String> = source.plurals().into_iter().map(|(arg, _)| arg).collect();
    pluralized.extend(given.iter().map(|(arg, _)| arg.clone()));
    pluralized.sort();
    pluralized.dedup();
    for arg in pluralized {
        let forms: Vec<&String> = given.iter().filter(|(a, _)| *a == arg).flat_map(|(_, c)| c).collect();
        if forms.is_empty() && needed.len() <= 1 {
            continue;
        }
        // Each plural of the argument must have every form (checked per occurrence).
        for (_, categories) in given.iter().filter(|(a, _)| *a == arg) {
            let missing: Vec<&'static str> =
                needed.iter().copied().filter(|c| !categories.iter().any(|g| g == c)).collect();
            if !missing.is_empty() {
                return Err(Mismatch::MissingForms { arg, missing });
            }
        }
        if forms.is_empty() {
            return Err(Mismatch::MissingForms { arg, missing: needed.clone() });
        }
    }
    Ok(parsed)
}
