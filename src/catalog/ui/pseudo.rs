//! The pseudo-locale `en-xa` (docs/translating.md): every English string with its letters
//! swapped for accented look-alikes, lengthened by 40 % and bracketed `⟦…⟧`, placeholders and
//! plural forms kept. A page in `en-xa` shows at a glance any text that skipped the catalogue
//! (plain ASCII words) and whether the layout holds longer translations; the test suite reads
//! every page and live fragment in it.

use crate::catalog::syntax::Message;

/// The pseudo-locale's tag (`?lang=en-xa`); never offered in the language menu.
pub const PSEUDO_TAG: &str = "en-xa";

const LOWER: [char; 26] = [
    'ȧ', 'ƀ', 'ƈ', 'ḓ', 'ḗ', 'ƒ', 'ɠ', 'ħ', 'ī', 'ĵ', 'ķ', 'ŀ', 'ḿ', 'ƞ', 'ǿ', 'ƥ', 'ɋ', 'ř', 'ş', 'ŧ', 'ŭ',
    'ṽ', 'ẇ', 'ẋ', 'ẏ', 'ẑ',
];
const UPPER: [char; 26] = [
    'Ȧ', 'Ɓ', 'Ƈ', 'Ḓ', 'Ḗ', 'Ƒ', 'Ɠ', 'Ħ', 'Ī', 'Ĵ', 'Ķ', 'Ŀ', 'Ḿ', 'Ƞ', 'Ǿ', 'Ƥ', 'Ɋ', 'Ř', 'Ş', 'Ŧ', 'Ŭ',
    'Ṽ', 'Ẇ', 'Ẋ', 'Ẏ', 'Ẑ',
];

fn accent(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'a'..='z' => LOWER[(c as u8 - b'a') as usize],
            'A'..='Z' => UPPER[(c as u8 - b'A') as usize],
            c => c,
        })
        .collect()
}

/// The pseudo-translation of the English `text`.
pub fn pseudo_text(text: &str) -> String {
    let message = Message::parse(text).unwrap_or_else(|_| Message::literal(text));
    // Letters of the text pieces only (every form of a plural counts; the padding errs long).
    let letters = std::cell::Cell::new(0);
    let body = message.rewrite(&|piece| {
        letters.set(letters.get() + piece.chars().filter(|c| c.is_alphabetic()).count());
        accent(piece)
    });
    let letters = letters.get();
    let padding = "·".repeat((letters * 2).div_ceil(5));
    format!("⟦{body}{padding}⟧")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::syntax::number_rules;

    #[test]
    fn pseudo_text_keeps_placeholders_and_forms_and_has_no_ascii_letters() {
        let text = pseudo_text("{n, plural, one {# member} other {# members}} in {room}");
        let rules = number_rules("en");
        let shown = Message::parse(&text).unwrap().format(rules.as_ref(), &[("n", "2"), ("room", "Lobby")]);
        assert_eq!(shown, "⟦2 ḿḗḿƀḗřş īƞ Lobby······⟧");
        assert!(!pseudo_text("You're invited").chars().any(|c| c.is_ascii_alphabetic()));
    }
}
