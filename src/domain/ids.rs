//! Identifiers. Room and user ids are random (CSPRNG), URL-safe and validated before any lookup
//! (docs/security.md), so a malformed id never reaches the backend.

use std::fmt;

/// URL-safe alphabet of base64url; 6 bits per character.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Length of generated room and user ids: 16 characters × 6 bits = 96 random bits, enough that
/// guessing a live room's link is hopeless.
pub const ID_LEN: usize = 16;

/// `n` random characters from [`ALPHABET`], drawn from the operating system's CSPRNG.
fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    // The OS random source failing is not something a chat server can recover from; it would
    // otherwise hand out predictable room ids.
    if let Err(err) = getrandom::fill(&mut bytes) {
        panic!("operating system random source failed: {err}");
    }
    bytes.iter().map(|b| char::from(ALPHABET[usize::from(b & 63)])).collect()
}

/// Compares secrets (tokens, CSRF values) in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A random, URL-safe, opaque token of `n` characters (session-bound API tokens, CSRF tokens).
pub fn random_secret(n: usize) -> String {
    random_token(n)
}

fn is_id(s: &str) -> bool {
    s.len() == ID_LEN && s.bytes().all(in_alphabet)
}

/// Whether `b` is one of [`ALPHABET`]'s characters (without searching it: every event read
/// from Redis checks its ids).
fn in_alphabet(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

macro_rules! random_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh random id.
            pub fn generate() -> Self {
                Self(random_token(ID_LEN))
            }

            /// Accepts exactly the shape [`Self::generate`] produces; anything else is `None`.
            pub fn parse(s: &str) -> Option<Self> {
                is_id(s).then(|| Self(s.to_owned()))
            }

            /// The id as text (URL-safe, no escaping needed).
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| serde::de::Error::custom("not an id"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

random_id!(
    /// A room, named in its share link `/r/{roomId}`.
    RoomId
);
random_id!(
    /// One membership of one room: a person who joined a room under a display name.
    UserId
);

/// Identifies one live connection (a socket, or the page-view heartbeat of a browser without
/// JavaScript) of a member, so a member with two tabs stays online until the last one closes.
#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct ConnId(String);

impl ConnId {
    /// A fresh id for a new socket.
    pub fn generate() -> Self {
        Self(random_token(12))
    }

    /// The pseudo-connection of page views: joining, loading the chat page or the no-JavaScript
    /// log counts as being present for one presence TTL.
    pub fn page() -> Self {
        Self("page".to_owned())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Per-room message sequence number: 1, 2, 3, … in the order the backend stored them.
pub type Seq = u64;

/// The client's id for one message it sends, so a resubmitted form or a message re-sent after a
/// reconnect is stored once (docs/protocol.md). 1–64 URL-safe characters.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ClientMsgId(String);

impl ClientMsgId {
    /// `None` for empty or malformed ids: a message without a usable id is simply not de-duplicated.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(s.to_owned()))
    }

    /// A fresh id, for the hidden field of a server-rendered composer.
    pub fn generate() -> Self {
        Self(random_token(16))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back_and_differ() {
        let a = RoomId::generate();
        let b = RoomId::generate();
        assert_ne!(a, b);
        assert_eq!(RoomId::parse(a.as_str()), Some(a.clone()));
        assert!(a.as_str().len() >= 10);
    }

    #[test]
    fn malformed_room_ids_are_rejected() {
        for bad in [
            "",
            "short",
            "abcdefghijklmno",
            "abcdefghijklmnopq",
            "abcdefgh/jklmnop",
            "abcdefgh.jklmnop",
            "가나다라마바사아자차카타파하가나",
        ] {
            assert_eq!(RoomId::parse(bad), None, "{bad:?}");
        }
        assert!(RoomId::parse("abcdefgh-jklm_op").is_some());
    }

    #[test]
    fn the_alphabet_check_is_the_alphabet() {
        for b in 0..=u8::MAX {
            assert_eq!(in_alphabet(b), ALPHABET.contains(&b), "{b}");
        }
    }

    #[test]
    fn client_ids_are_bounded() {
        assert!(ClientMsgId::parse("abc-123_X").is_some());
        assert!(ClientMsgId::parse("").is_none());
        assert!(ClientMsgId::parse(&"a".repeat(65)).is_none());
        assert!(ClientMsgId::parse("a b").is_none());
    }
}
