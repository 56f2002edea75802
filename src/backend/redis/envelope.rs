//! The envelope every event travels in between instances, as the scripts publish it
//! (`lib.lua`, docs/redis.md "Events"), and how this node reads it.

use std::borrow::Cow;

use serde::Deserialize;

use crate::domain::{
    ChatMessage, ClientMsgId, DisplayName, EntryKind, Extra, MemberView, MessageText, PresenceChange,
    RoomEvent, RoomId, Seq, UserId, mentions_from_json,
};

/// The envelope, every kind's members in one flat struct: its `t` says which it is and which
/// members it needs. Read in one pass, borrowing what it can (serde's internally tagged enums
/// would buffer every member first). Its `node` member (the publishing instance) is read only
/// by the subscriber, as text ([`own_marker`]), to drop this node's own echoes.
#[derive(Deserialize)]
struct Envelope<'a> {
    /// Envelope version; this node understands 1.
    v: u32,
    #[serde(borrow)]
    t: Cow<'a, str>,
    seq: Option<Seq>,
    #[serde(borrow)]
    user: Option<Cow<'a, str>>,
    name: Option<String>,
    text: Option<String>,
    at: Option<i64>,
    #[serde(default, borrow)]
    cid: Cow<'a, str>,
    /// Entry kind (`joined`, `left`); absent for a message.
    #[serde(default, borrow)]
    k: Cow<'a, str>,
    /// Mentions as JSON; absent for none.
    #[serde(default, borrow)]
    men: Cow<'a, str>,
    /// What it carries beyond its text, as JSON (`Extra`); absent for nothing.
    #[serde(default, borrow)]
    x: Cow<'a, str>,
    ver: Option<u64>,
    #[serde(borrow)]
    change: Option<Cow<'a, str>>,
    online: Option<bool>,
}

impl Envelope<'_> {
    fn into_event(self) -> Option<RoomEvent> {
        match &*self.t {
            "msg" => Some(RoomEvent::Message(ChatMessage {
                seq: self.seq?,
                kind: EntryKind::parse(&self.k),
                user: UserId::parse(&self.user?)?,
                name: DisplayName::from_stored(self.name?),
                text: MessageText::from_stored(self.text?),
                at: self.at?,
                client_id: ClientMsgId::parse(&self.cid),
                mentions: mentions_from_json(&self.men),
                extra: Extra::from_json(&self.x),
            })),
            "typing" => Some(RoomEvent::Typing { user: UserId::parse(&self.user?)? }),
            "ended" => Some(RoomEvent::Ended),
            "presence" => Some(RoomEvent::Presence {
                version: self.ver?,
                member: MemberView {
                    user: UserId::parse(&self.user?)?,
                    name: DisplayName::from_stored(self.name?),
                    online: self.online?,
                },
                change: match self.change?.as_ref() {
                    "joined" => PresenceChange::Joined,
                    "online" => PresenceChange::Online,
                    "offline" => PresenceChange::Offline,
                    "left" => PresenceChange::Left,
                    _ => return None,
                },
            }),
            _ => None,
        }
    }
}

/// Parses an envelope this node can use.
pub(super) fn parse_event(payload: &[u8]) -> Option<RoomEvent> {
    let envelope: Envelope = serde_json::from_slice(payload).ok()?;
    if envelope.v != 1 {
        return None;
    }
    envelope.into_event()
}

/// The envelope of a typing notice, published by this node (`node`) straight from Rust: it
/// is stored nowhere, so no script is needed. Written as the scripts' encoder writes, so
/// [`own_marker`] finds this node's own.
pub(super) fn typing(node: &str, room: &RoomId, user: &UserId) -> String {
    #[derive(serde::Serialize)]
    struct Typing<'a> {
        v: u32,
        t: &'static str,
        node: &'a str,
        room: &'a RoomId,
        user: &'a UserId,
    }
    serde_json::to_string(&Typing { v: 1, t: "typing", node, room, user }).unwrap_or_default()
}

/// Parses a message payload (published, or read from history).
pub(super) fn parse_message(payload: &str) -> Option<ChatMessage> {
    match parse_event(payload.as_bytes())? {
        RoomEvent::Message(m) => Some(m),
        _ => None,
    }
}

/// What marks an envelope published by `node`: its `node` member as the scripts' JSON encoder
/// writes it. Found without parsing; it cannot occur inside a string value, where every quote
/// is escaped (`\"`).
pub(super) struct OwnMarker(memchr::memmem::Finder<'static>);

impl OwnMarker {
    /// Whether `payload` was published by this node.
    pub(super) fn is_in(&self, payload: &[u8]) -> bool {
        self.0.find(payload).is_some()
    }
}

/// [`OwnMarker`] of `node`.
pub(super) fn own_marker(node: &str) -> OwnMarker {
    OwnMarker(memchr::memmem::Finder::new(format!("\"node\":\"{node}\"").as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_events_are_told_apart_without_parsing() {
        let own = own_marker("n0de");
        let ours = r#"{"room":"r","t":"msg","node":"n0de","text":"hi","v":1}"#;
        let theirs = r#"{"room":"r","t":"msg","node":"other","text":"hi","v":1}"#;
        // Someone typing our marker into a message: the encoder escapes its quotes.
        let typed = r#"{"room":"r","t":"msg","node":"other","text":"\"node\":\"n0de\"","v":1}"#;
        assert!(own.is_in(ours.as_bytes()));
        assert!(!own.is_in(theirs.as_bytes()));
        assert!(!own.is_in(typed.as_bytes()));
    }

    #[test]
    fn envelopes_parse_into_events() {
        let user = UserId::generate();
        let msg = format!(
            r#"{{"v":1,"node":"n","room":"r","t":"msg","seq":4,"user":"{user}","name":"A","text":"hi","at":5,"cid":""}}"#
        );
        let Some(RoomEvent::Message(m)) = parse_event(msg.as_bytes()) else { panic!("a message") };
        assert_eq!((m.seq, m.text.as_str(), m.client_id), (4, "hi", None));
        let presence = format!(
            r#"{{"v":1,"node":"n","room":"r","t":"presence","ver":2,"user":"{user}","name":"A","change":"left","online":false}}"#
        );
        assert!(matches!(parse_event(presence.as_bytes()), Some(RoomEvent::Presence { version: 2, .. })));
        assert!(parse_event(msg.replace("\"v\":1", "\"v\":2").as_bytes()).is_none(), "unknown version");
        assert!(parse_message(&presence).is_none());
        let typing = super::typing("n0de", &RoomId::generate(), &user);
        assert!(own_marker("n0de").is_in(typing.as_bytes()));
        assert_eq!(parse_event(typing.as_bytes()), Some(RoomEvent::Typing { user: user.clone() }));
    }
}
