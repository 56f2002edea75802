//! What can happen to a message after it was posted (docs/messages.md): its author edits it
//! (within the edit window) or deletes it (the owner may delete any), anyone answers it (a
//! reply quotes it) or reacts to it with an emoji. Each action is an entry of the room's
//! history ([`EntryKind::Edited`], [`EntryKind::Deleted`], [`EntryKind::Reacted`]) and also
//! changes the message it acts on, so a page of history shows every message in its final
//! state. Both backends apply the same rules ([`apply`]; the Redis scripts' `act.lua` mirrors
//! it).

use serde::{Deserialize, Serialize};

use super::{ChatMessage, DisplayName, EntryKind, Mention, MessageText, Seq, UnixMillis, UserId};

/// Bytes of the answered message a reply quotes at most.
pub const QUOTE_BYTES: usize = 200;
/// Different emoji one message may carry at most.
pub const MAX_EMOJI_PER_MESSAGE: usize = 20;
/// Reactions one message may carry at most (all emoji and members together): what one message
/// can make the server store stays bounded, however many members a room has.
pub const MAX_REACTIONS_PER_MESSAGE: usize = 100;
/// The palette offered first (any other emoji can be typed).
pub const PALETTE: [&str; 6] = ["👍", "❤️", "😂", "🎉", "😮", "🙏"];

/// The message a reply answers: its number, its author's name and the start of its text, as
/// they were when it was answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// The answered message.
    #[serde(rename = "s")]
    pub seq: Seq,
    /// Its author's name.
    #[serde(rename = "n")]
    pub name: String,
    /// The start of its text ([`quote_of`]).
    #[serde(rename = "q")]
    pub quote: String,
}

/// One emoji on a message and who put it there, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// The emoji.
    #[serde(rename = "e")]
    pub emoji: String,
    /// The members who reacted with it (never empty).
    pub by: Vec<Mention>,
}

/// What an entry carries beyond its text: for a message, the message it answers and what
/// happened to it since; for an action, the message it acts on. Stored as JSON ([`Extra::to_json`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extra {
    /// For an action: the message it acts on.
    #[serde(rename = "to", default, skip_serializing_if = "is_zero")]
    pub target: Seq,
    /// For a message: the message it answers.
    #[serde(rename = "re", default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<Reply>,
    /// When its author last edited it.
    #[serde(rename = "ed", default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<UnixMillis>,
    /// Deleted: its text is gone, a tombstone remains.
    #[serde(rename = "del", default, skip_serializing_if = "is_false")]
    pub deleted: bool,
    /// Its reactions (for a reaction entry: the message's reactions after it).
    #[serde(rename = "rx", default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
}

fn is_zero(n: &Seq) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Extra {
    /// As stored: JSON, or empty when there is nothing.
    pub fn to_json(&self) -> String {
        if *self == Self::default() { String::new() } else { serde_json::to_string(self).unwrap_or_default() }
    }

    /// Read back from storage; anything unreadable is nothing.
    pub fn from_json(s: &str) -> Self {
        if s.is_empty() { Self::default() } else { serde_json::from_str(s).unwrap_or_default() }
    }
}

/// The start of `text` a reply quotes: at most [`QUOTE_BYTES`] bytes, cut between characters.
pub fn quote_of(text: &str) -> String {
    let mut end = text.len().min(QUOTE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// An emoji a member reacts with: one short run of pictographs (a flag, a skin tone or a
/// family joined by zero-width joiners included), nothing that reads as words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emoji(String);

impl Emoji {
    /// The emoji `s` holds, if it is one.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.chars().count() <= 12
            && s.chars().all(emoji_char)
            && s.chars().any(|c| (u32::from(c) >= 0xA9 && !is_joiner(c)) || c == '\u{20E3}');
        ok.then(|| Self(s.to_owned()))
    }

    /// The emoji.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Characters that join or modify pictographs: zero-width joiner, variation selectors, the
/// keycap mark, tag characters (subdivision flags).
fn is_joiner(c: char) -> bool {
    matches!(u32::from(c), 0x200D | 0xFE0E | 0xFE0F | 0x20E3 | 0xE0020..=0xE007F)
}

fn emoji_char(c: char) -> bool {
    let n = u32::from(c);
    // Keycaps start with a digit, '#' or '*'.
    if c.is_ascii() {
        return c.is_ascii_digit() || c == '#' || c == '*';
    }
    is_joiner(c)
        || (0x1F000..=0x1FAFF).contains(&n)
        || (0x2000..=0x2BFF).contains(&n) && !c.is_whitespace() && !(0x2028..=0x206F).contains(&n)
        || matches!(n, 0xA9 | 0xAE | 0x3030 | 0x303D | 0x3297 | 0x3299)
}

/// An action on message `target`.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Its author replaces its text (and so the members it mentions).
    Edit {
        /// The message.
        target: Seq,
        /// The new text.
        text: MessageText,
        /// The members the new text mentions.
        mentions: Vec<Mention>,
    },
    /// Its author, or the room's owner, deletes it.
    Delete {
        /// The message.
        target: Seq,
    },
    /// A member adds their reaction with `emoji`, or takes it back if they had.
    React {
        /// The message.
        target: Seq,
        /// The emoji.
        emoji: Emoji,
    },
}

impl Action {
    /// The message it acts on.
    pub fn target(&self) -> Seq {
        match self {
            Action::Edit { target, .. } | Action::Delete { target } | Action::React { target, .. } => *target,
        }
    }

    /// Its name in storage and scripts.
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Edit { .. } => "edit",
            Action::Delete { .. } => "delete",
            Action::React { .. } => "react",
        }
    }
}

/// Why an action was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActRefusal {
    /// The message is not (or no longer) there: never was, fell out of history, deleted, or
    /// not a message at all.
    Gone,
    /// Only its author (for a deletion: or the room's owner) may do that.
    NotAuthor,
    /// The edit window has passed.
    WindowPassed,
    /// The message carries as many reactions as it may.
    TooManyReactions,
}

/// Who acts, and when.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    /// The member.
    pub user: &'a UserId,
    /// Their name now.
    pub name: &'a DisplayName,
    /// Whether they own the room.
    pub owner: bool,
    /// Now.
    pub now: UnixMillis,
    /// How long after posting its author may edit a message.
    pub edit_window_ms: UnixMillis,
}

/// Until when the author of a message posted `at` may edit it.
pub fn edit_deadline(at: UnixMillis, edit_window_ms: UnixMillis) -> UnixMillis {
    at.saturating_add(edit_window_ms)
}

/// Applies `action` by `actor` to `target` (the message it names): changes it, and returns
/// the history entry that records the action (numbered 0: the backend numbers it).
pub fn apply(action: &Action, actor: Actor<'_>, target: &mut ChatMessage) -> Result<ChatMessage, ActRefusal> {
    if target.kind != EntryKind::Text || target.extra.deleted {
        return Err(ActRefusal::Gone);
    }
    let mine = &target.user == actor.user;
    let mut entry =
        ChatMessage::notice(0, EntryKind::Text, actor.user.clone(), actor.name.clone(), actor.now);
    entry.extra.target = target.seq;
    match action {
        Action::Edit { text, mentions, .. } => {
            if !mine {
                return Err(ActRefusal::NotAuthor);
            }
            if actor.now > edit_deadline(target.at, actor.edit_window_ms) {
                return Err(ActRefusal::WindowPassed);
            }
            target.text = text.clone();
            target.mentions = mentions.clone();
            target.extra.edited = Some(actor.now);
            entry.kind = EntryKind::Edited;
            entry.text = text.clone();
            entry.mentions = mentions.clone();
            entry.extra.edited = Some(actor.now);
        }
        Action::Delete { .. } => {
            if !mine && !actor.owner {
                return Err(ActRefusal::NotAuthor);
            }
            target.text = MessageText::from_stored(String::new());
            target.mentions.clear();
            target.extra.edited = None;
            target.extra.deleted = true;
            target.extra.reactions.clear();
            entry.kind = EntryKind::Deleted;
            entry.extra.deleted = true;
        }
        Action::React { emoji, .. } => {
            toggle(&mut target.extra.reactions, emoji.as_str(), actor)?;
            entry.kind = EntryKind::Reacted;
            entry.text = MessageText::from_stored(emoji.as_str().to_owned());
            entry.extra.reactions = target.extra.reactions.clone();
        }
    }
    Ok(entry)
}

/// Adds `actor`'s reaction with `emoji`, or takes it back.
fn toggle(reactions: &mut Vec<Reaction>, emoji: &str, actor: Actor<'_>) -> Result<(), ActRefusal> {
    if let Some(i) = reactions.iter().position(|r| r.emoji == emoji) {
        let by = &mut reactions[i].by;
        if let Some(j) = by.iter().position(|m| &m.user == actor.user) {
            by.remove(j);
            if by.is_empty() {
                reactions.remove(i);
            }
            return Ok(());
        }
    }
    let total: usize = reactions.iter().map(|r| r.by.len()).sum();
    let new_emoji = !reactions.iter().any(|r| r.emoji == emoji);
    if total >= MAX_REACTIONS_PER_MESSAGE || (new_emoji && reactions.len() >= MAX_EMOJI_PER_MESSAGE) {
        return Err(ActRefusal::TooManyReactions);
    }
    let me = Mention { user: actor.user.clone(), name: actor.name.as_str().to_owned() };
    match reactions.iter_mut().find(|r| r.emoji == emoji) {
        Some(r) => r.by.push(me),
        None => reactions.push(Reaction { emoji: emoji.to_owned(), by: vec![me] }),
    }
    Ok(())
}

#[cfg(test)]
mod tests;
