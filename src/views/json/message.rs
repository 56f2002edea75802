//! A message as programs get it, in its current state: in the socket's `msg` frames and from
//! the REST API (docs/api.md), described in the OpenAPI document.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{ChatMessage, Reaction, Seq, UserId};
use crate::views::clock;

/// A message in its current state, as programs get it: in `msg` frames and from the REST API
/// (docs/api.md).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = MessageInfo)]
pub struct MessageJson<'a> {
    /// The room's sequence number of the message.
    id: Seq,
    /// Its author.
    #[schema(value_type = String)]
    from: &'a UserId,
    /// Its author's name when they sent it.
    name: &'a str,
    /// Its text as typed (empty once deleted).
    text: &'a str,
    /// When it was sent, RFC 3339 UTC.
    timestamp: String,
    /// The members it mentions; absent for none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<String>)]
    mentions: Vec<&'a UserId>,
    /// The message it answers; absent for none.
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_to: Option<ReplyJson<'a>>,
    /// When its author last edited it; absent if never.
    #[serde(skip_serializing_if = "Option::is_none")]
    edited_at: Option<String>,
    /// Deleted (its text is empty): a tombstone; absent if not.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    deleted: bool,
    /// Its reactions; absent for none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    reactions: Vec<ReactionJson<'a>>,
}

impl<'a> MessageJson<'a> {
    /// Message `m` as programs get it.
    pub fn new(m: &'a ChatMessage) -> Self {
        Self {
            id: m.seq,
            from: &m.user,
            name: m.name.as_str(),
            text: m.text.as_str(),
            timestamp: clock(m.at).0,
            mentions: m.mentions.iter().map(|x| &x.user).collect(),
            reply_to: m.extra.reply.as_ref().map(|r| ReplyJson { id: r.seq, name: &r.name, quote: &r.quote }),
            edited_at: m.extra.edited.map(|at| clock(at).0),
            deleted: m.extra.deleted,
            reactions: reactions_json(&m.extra.reactions),
        }
    }
}

/// The message a reply answers, as it was when answered: its id, its author's name and the
/// start of its text (200 bytes at most).
#[derive(Serialize, ToSchema)]
#[schema(as = ReplyInfo)]
pub struct ReplyJson<'a> {
    /// Its id.
    id: Seq,
    /// Its author's name.
    name: &'a str,
    /// The start of its text.
    quote: &'a str,
}

/// An emoji on a message and who reacted with it, in order.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ReactionInfo)]
pub struct ReactionJson<'a> {
    /// The emoji.
    emoji: &'a str,
    /// Who reacted with it.
    #[schema(value_type = Vec<String>)]
    user_ids: Vec<&'a UserId>,
    /// Their names.
    #[schema(value_type = Vec<String>)]
    names: Vec<&'a str>,
}

/// A message's reactions as programs get them (frames, REST, the JSON transcript).
pub(crate) fn reactions_json(reactions: &[Reaction]) -> Vec<ReactionJson<'_>> {
    reactions
        .iter()
        .map(|r| ReactionJson {
            emoji: &r.emoji,
            user_ids: r.by.iter().map(|b| &b.user).collect(),
            names: r.by.iter().map(|b| b.name.as_str()).collect(),
        })
        .collect()
}
