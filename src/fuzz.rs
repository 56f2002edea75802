//! Property tests that throw arbitrary input at every parser user input reaches: display names,
//! messages, ids, locales and `Accept-Language`, durations, placeholders, socket frames and API
//! tokens. None may panic, and each must keep its invariant. Bounded (a few thousand cases
//! each), so `cargo test` runs them every time.

use proptest::prelude::*;

use crate::backend::split_token;
use crate::catalog::{Locales, normalize_tag, placeholders_in};
use crate::config::parse_duration;
use crate::domain::{ClientMsgId, DisplayName, Limits, MessageText, RoomId, TextError};

fn config() -> ProptestConfig {
    ProptestConfig { cases: 2000, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn names_are_trimmed_bounded_and_clean(raw in "\\PC*|[\\x00-\\x20a-z가-힣]{0,40}") {
        let limits = Limits::default();
        match DisplayName::parse(&raw, &limits) {
            Ok(name) => {
                let collapsed: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
                let composed: String = unicode_normalization::UnicodeNormalization::nfc(collapsed.chars()).collect();
                prop_assert_eq!(name.as_str(), composed.as_str());
                prop_assert!(!name.key().is_empty());
                prop_assert!(!name.as_str().is_empty());
                prop_assert!(name.as_str().chars().count() <= limits.max_name_chars);
                prop_assert!(!name.as_str().chars().any(char::is_control));
            }
            Err(e) => prop_assert!(matches!(e, TextError::NameRequired | TextError::NameTooLong | TextError::NameInvalid | TextError::NameInvisible)),
        }
    }

    #[test]
    fn messages_keep_no_control_characters_but_newlines(raw in any::<String>()) {
        let limits = Limits::default();
        if let Ok(text) = MessageText::parse(&raw, &limits) {
            prop_assert!(!text.as_str().is_empty());
            prop_assert!(text.as_str().chars().count() <= limits.max_message_chars);
            prop_assert!(text.as_str().chars().all(|c| !c.is_control() || c == '\n' || c == '\t'));
        }
    }

    #[test]
    fn ids_accept_only_their_own_shape(raw in any::<String>()) {
        if let Some(id) = RoomId::parse(&raw) {
            prop_assert_eq!(id.as_str().len(), 16);
            prop_assert!(id.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        }
        if let Some(cid) = ClientMsgId::parse(&raw) {
            prop_assert!(cid.as_str().len() <= 64);
        }
        let _ = split_token(&raw);
    }

    #[test]
    fn locale_negotiation_never_panics(q in any::<Option<String>>(), c in any::<Option<String>>(), a in any::<Option<String>>()) {
        let locales = Locales::negotiate(q.as_deref(), c.as_deref(), a.as_deref());
        let chain = locales.fallback_chain();
        prop_assert_eq!(chain.last().copied(), Some("en"));
        for tag in locales.tags() {
            let again = normalize_tag(tag);
            prop_assert_eq!(again.as_deref(), Some(tag.as_str()));
        }
    }

    #[test]
    fn accept_language_lists_parse(header in "([a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})?(;q=[01](\\.[0-9]{1,3})?)?, ?){0,8}") {
        let locales = Locales::negotiate(None, None, Some(&header));
        prop_assert!(locales.tags().len() <= 8);
    }

    #[test]
    fn durations_and_placeholders_never_panic(raw in any::<String>()) {
        let _ = parse_duration(&raw);
        for name in placeholders_in(&raw) {
            let braced = format!("{{{}}}", name);
            prop_assert!(raw.contains(&braced));
        }
    }

    #[test]
    fn socket_frames_never_panic(raw in any::<String>(), t in "join|msg|ping|leave|x", room in any::<String>()) {
        let _ = crate::live::json::parse_frame(&raw);
        let framed = serde_json::json!({"t": t, "roomId": room, "text": raw, "token": raw}).to_string();
        let _ = crate::live::json::parse_frame(&framed);
        let _ = crate::live::parse_composer(&raw);
        let _ = crate::live::parse_composer(&serde_json::json!({"text": raw, "HEADERS": {}}).to_string());
    }
}
