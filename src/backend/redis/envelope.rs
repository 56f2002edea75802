//! The envelope every event travels in between instances, as the scripts publish it
//! (`lib.lua`, docs/redis.md "Events"), and how this node reads it.

use serde::Deserialize;

use crate::domain::{
    ChatMessage, ClientMsgId, DisplayName, EntryKind, Extra, MemberView, MessageText, PresenceChange,
    RoomEvent, RoomId, Seq, UserId, mentions_from_json,
};

/// The envelope. Its `node` member (the publishing instance) is read only by the subscriber,
/// as text ([`own_marker`]), to drop this node's own echoes.
#[derive(Deserialize)]
struct Envelope {
    /// Envelope version; this node understands 1.
    v: u32,
    #[serde(flatten)]
    body: Body,
}

#[derive(Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum Body {
    Msg {
        seq: Seq,
        user: String,
        name: String,
        text: String,
        at: i64,
        #[serde(default)]
        cid: String,
        /// Entry kind (`joined`, `left`); absent for a message.
        #[serde(default)]
        k: String,
        /// Mentions as JSON; absent for none.
        #[serde(default)]
        men: String,
        /// What it carries beyond its text, as JSON (`Extra`); absent for nothing.
        #[serde(default)]
        x: String,
    },
    Typing {
        user: String,
    },
    Ended,
    Presence {
        ver: u64,
        user: String,
        name: String,
        change: String,
        online: bool,
    },
}

impl Body {
    fn into_event(self) -> Option<RoomEvent> {
        match self {
            Body::Msg { seq, user, name, text, at, cid, k, men, x } => {
                Some(RoomEvent::Message(ChatMessage {
                    seq,
                    kind: EntryKind::parse(&k),
                    user: UserId::parse(&user)?,
                    name: DisplayName::from_stored(name),
                    text: MessageText::from_stored(text),
                    at,
                    client_id: ClientMsgId::parse(&cid),
                    mentions: mentions_from_json(&men),
                    extra: Extra::from_json(&x),
                }))
            }
            Body::Typing { user } => Some(RoomEvent::Typing { user: UserId::parse(&user)? }),
            Body::Ended => Some(RoomEvent::Ended),
            Body::Presence { ver, user, name, change, online } => Some(RoomEvent::Presence {
                version: ver,
                member: MemberView {
                    user: UserId::parse(&user)?,
                    name: DisplayName::from_stored(name),
                    online,
                },
                change: match change.as_str() {
                    "joined" => PresenceChange::Joined,
                    "online" => PresenceChange::Online,
                    "offline" => PresenceChange::Offline,
                    "left" => PresenceChange::Left,
                    _ => return None,
                },
            }),
        }
    }
}

/// Parses an envelope this node can use.
pub(super) fn parse_event(payload: &str) -> Option<RoomEvent> {
    let envelope: Envelope = serde_json::from_str(payload).ok()?;
    if envelope.v != 1 {
        return None;
    }
    envelope.body.into_event()
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
    match parse_event(payload)? {
        RoomEvent::Message(m) => Some(m),
        _ => None,
    }
}

/// What marks an envelope published by `node`: its `node` member as the scripts' JSON encoder
/// writes it. Found without parsing; it cannot occur inside a string value, where every quote
/// is escaped (`\"`).
pub(super) fn own_marker(node: &str) -> String {
    format!("\"node\":\"{node}\"")
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
        assert!(ours.contains(&own));
        assert!(!theirs.contains(&own));
        assert!(!typed.contains(&own));
    }

    #[test]
    fn envelopes_parse_into_events() {
        let user = UserId::generate();
        let msg = format!(
            r#"{{"v":1,"node":"n","room":"r","t":"msg","seq":4,"user":"{user}","name":"A","text":"hi","at":5,"cid":""}}"#
        );
        let Some(RoomEvent::Message(m)) = parse_event(&msg) else { panic!("a message") };
        assert_eq!((m.seq, m.text.as_str(), m.client_id), (4, "hi", None));
        let presence = format!(
            r#"{{"v":1,"node":"n","room":"r","t":"presence","ver":2,"user":"{user}","name":"A","change":"left","online":false}}"#
        );
        assert!(matches!(parse_event(&presence), Some(RoomEvent::Presence { version: 2, .. })));
        assert!(parse_event(&msg.replace("\"v\":1", "\"v\":2")).is_none(), "unknown version");
        assert!(parse_message(&presence).is_none());
        let typing = super::typing("n0de", &RoomId::generate(), &user);
        assert!(typing.contains(&own_marker("n0de")));
        assert_eq!(parse_event(&typing), Some(RoomEvent::Typing { user: user.clone() }));
    }
}
