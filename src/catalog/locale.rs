//! Locale negotiation (docs/translating.md): `?lang=`, then the `lang` cookie, then
//! `Accept-Language`.

/// The viewer's locale preferences, most preferred first, as lowercase tags (`ko`, `pt-br`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Locales(Vec<String>);

/// Accepts `ko`, `en-US`, `zh-Hant-TW`: ASCII letters, digits and `-`, at most 35 characters
/// (the longest well-formed BCP 47 tags people use); lowercases it.
pub fn normalize_tag(raw: &str) -> Option<String> {
    let tag = raw.trim().replace('_', "-");
    let ok = !tag.is_empty()
        && tag.len() <= 35
        && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && tag.as_bytes()[0].is_ascii_alphabetic();
    ok.then(|| tag.to_ascii_lowercase())
}

impl Locales {
    /// Builds the preference list from the three sources, in that order.
    pub fn negotiate(query: Option<&str>, cookie: Option<&str>, accept_language: Option<&str>) -> Self {
        let mut tags: Vec<String> = Vec::new();
        let mut push = |tag: String| {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        };
        for explicit in [query, cookie].into_iter().flatten() {
            if let Some(tag) = normalize_tag(explicit) {
                push(tag);
            }
        }
        for tag in parse_accept_language(accept_language.unwrap_or("")) {
            push(tag);
        }
        Self(tags)
    }

    /// Preferences from a list of tags (tests, programs).
    pub fn from_tags(tags: &[&str]) -> Self {
        Self(tags.iter().filter_map(|t| normalize_tag(t)).collect())
    }

    /// The candidate locales to look a message up in, in order: each preference exactly, then
    /// its language, then `en`.
    pub fn fallback_chain(&self) -> Vec<&str> {
        let mut chain: Vec<&str> = Vec::with_capacity(self.0.len() * 2 + 1);
        for tag in &self.0 {
            for candidate in [tag.as_str(), language_of(tag)] {
                if !chain.contains(&candidate) {
                    chain.push(candidate);
                }
            }
        }
        if !chain.contains(&"en") {
            chain.push("en");
        }
        chain
    }

    /// The preferences, most preferred first.
    pub fn tags(&self) -> &[String] {
        &self.0
    }
}

fn language_of(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

/// Parses `Accept-Language` into tags ordered by quality (stable for equal quality), dropping
/// `*`, malformed entries and `q=0`.
fn parse_accept_language(header: &str) -> Vec<String> {
    let mut weighted: Vec<(u16, usize, String)> = header
        .split(',')
        .take(16)
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let tag = normalize_tag(pieces.next()?)?;
            let q = pieces.find_map(|p| p.trim().strip_prefix("q=")).map_or(Some(1000), thousandths)?;
            (q > 0).then_some((q, i, tag))
        })
        .collect();
    weighted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    weighted.into_iter().map(|(_, _, tag)| tag).collect()
}

/// A quality value (`q=0.8`) in thousandths, `0`–`1000`: a `0` or `1`, then at most three
/// decimals, as HTTP defines it. Anything else is malformed.
fn thousandths(q: &str) -> Option<u16> {
    let (whole, decimals) = q.trim().split_once('.').unwrap_or((q.trim(), ""));
    if decimals.len() > 3 || !decimals.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let fraction: u16 = if decimals.is_empty() { 0 } else { format!("{decimals:0<3}").parse().ok()? };
    Some((whole + fraction).min(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_beats_cookie_beats_header() {
        let l = Locales::negotiate(Some("ko"), Some("ja"), Some("en-US,en;q=0.9"));
        assert_eq!(l.tags(), ["ko", "ja", "en-us", "en"]);
    }

    #[test]
    fn accept_language_is_ordered_by_quality() {
        let l = Locales::negotiate(None, None, Some("en;q=0.5, ko-KR, fr;q=0, *;q=0.1, ja;q=0.8"));
        assert_eq!(l.tags(), ["ko-kr", "ja", "en"]);
        assert_eq!(l.fallback_chain(), ["ko-kr", "ko", "ja", "en"]);
    }

    #[test]
    fn quality_values_are_thousandths() {
        assert_eq!(thousandths("1"), Some(1000));
        assert_eq!(thousandths("0.8"), Some(800));
        assert_eq!(thousandths("0.125"), Some(125));
        assert_eq!(thousandths(" 0.05 "), Some(50));
        assert_eq!(thousandths("0"), Some(0));
        for bad in ["", "x", "2", "-1", "0.1234", "0.a", "1e0"] {
            assert_eq!(thousandths(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn garbage_is_ignored() {
        let l = Locales::negotiate(Some("<script>"), Some(""), Some(";;;,q=abc,ko;q=x"));
        assert!(l.tags().is_empty());
        assert_eq!(l.fallback_chain(), ["en"]);
    }
}
