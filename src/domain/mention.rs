//! `@name` mentions: which members a message mentions, found once when it is posted and stored
//! with it, and where in a text a stored mention appears (docs/formatting.md).

use std::collections::HashMap;

use super::{MemberView, UserId};

/// A member a message mentions, with the name the message used for them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mention {
    /// The member.
    #[serde(rename = "u")]
    pub user: UserId,
    /// Their display name when the message was posted.
    #[serde(rename = "n")]
    pub name: String,
}

/// Mentions one message may hold at most; a text naming more members marks the first ones.
pub const MAX_MENTIONS: usize = 20;

/// If `after` (the text right after an `@`) starts with the name of one of `mentions`
/// (compared without case) followed by something that cannot continue a name, that mention and
/// the length in bytes of the name as written. The longest name wins (`@Ann Lee` over `@Ann`).
pub fn mention_at<'m>(after: &str, mentions: &'m [Mention]) -> Option<(&'m Mention, usize)> {
    mentions
        .iter()
        .filter_map(|m| prefix_len(after, &m.name).map(|len| (m, len)))
        .filter(|(_, len)| !after[*len..].chars().next().is_some_and(name_char))
        .max_by_key(|(_, len)| *len)
}

/// Whether `c` continues a word, so an `@` right after it (`mail@example`) or a name right
/// before it (`@Annabel` for `Ann`) is no mention.
pub fn name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The byte length of `name` at the start of `text`, compared character by character without
/// case.
fn prefix_len(text: &str, name: &str) -> Option<usize> {
    if name.is_empty() {
        return None;
    }
    let mut chars = text.char_indices();
    for want in name.chars() {
        let (_, got) = chars.next()?;
        if got != want && !got.to_lowercase().eq(want.to_lowercase()) {
            return None;
        }
    }
    Some(chars.next().map_or(text.len(), |(i, _)| i))
}

/// `@`s of one text looked at, at most: a text of nothing but `@`s costs no more than this.
const MAX_ATS: usize = 100;

/// The members `text` mentions (`@` + a member's display name), each once, in the order they
/// first appear, at most [`MAX_MENTIONS`]. Costs a few hash lookups per `@` whatever the
/// number of members: each place a name could end (before a character that cannot continue a
/// name, within the longest name's length) is looked up in a map of lowercased names.
pub fn find_mentions(text: &str, members: &[MemberView]) -> Vec<Mention> {
    if !text.contains('@') {
        return Vec::new();
    }
    let longest = members.iter().map(|m| m.name.as_str().chars().count()).max().unwrap_or(0);
    let by_name: HashMap<String, &MemberView> =
        members.iter().map(|m| (m.name.as_str().to_lowercase(), m)).collect();
    let mut found: Vec<Mention> = Vec::new();
    for (at, _) in text.match_indices('@').take(MAX_ATS) {
        if found.len() == MAX_MENTIONS {
            break;
        }
        if text[..at].chars().next_back().is_some_and(name_char) {
            continue;
        }
        let after = &text[at + 1..];
        // Each end a name could have, longest first.
        let ends: Vec<usize> = after
            .char_indices()
            .skip(1)
            .map(|(i, _)| i)
            .chain(std::iter::once(after.len()))
            .take(longest)
            .filter(|&end| !after[end..].chars().next().is_some_and(name_char))
            .collect();
        let hit = ends.iter().rev().find_map(|&end| by_name.get(&after[..end].to_lowercase()));
        if let Some(m) = hit
            && !found.iter().any(|f| f.user == m.user)
        {
            found.push(Mention { user: m.user.clone(), name: m.name.as_str().to_owned() });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DisplayName;

    fn member(name: &str) -> MemberView {
        MemberView { user: UserId::generate(), name: DisplayName::from_stored(name.into()), online: true }
    }

    #[test]
    fn a_big_room_and_a_text_of_ats_stay_cheap() {
        let members: Vec<MemberView> = (0..10_000).map(|i| member(&format!("member {i}"))).collect();
        let text = "@member 9999 ".repeat(150) + &"@".repeat(1500);
        let started = std::time::Instant::now();
        let found = find_mentions(&text, &members);
        assert_eq!(found.len(), 1);
        assert!(started.elapsed() < std::time::Duration::from_millis(200), "{:?}", started.elapsed());
    }

    #[test]
    fn mentions_are_found_once_longest_name_first() {
        let (ann, ann_lee, bob) = (member("Ann"), member("Ann Lee"), member("Bob"));
        let members = [ann.clone(), ann_lee.clone(), bob.clone()];
        let found = find_mentions("@ann lee and @BOB, @bob again, @Anna", &members);
        let users: Vec<_> = found.iter().map(|m| m.user.clone()).collect();
        assert_eq!(users, [ann_lee.user.clone(), bob.user.clone()]);
        assert!(find_mentions("mail@bob", &members).is_empty(), "an address is no mention");
        assert_eq!(find_mentions("@Bob", &members)[0].user, bob.user, "at the very end");
        assert!(find_mentions("@", &members).is_empty());
        assert_eq!(find_mentions("@Ann.", &members)[0].user, ann.user);
        assert!(find_mentions("no one", &members).is_empty());
        assert_eq!(
            mention_at("ÉVA!", &[Mention { user: ann.user, name: "éva".into() }]).map(|(_, l)| l),
            Some(4)
        );
    }
}
