//! The parser of the message syntax (see `mod.rs`).

use super::{MAX_DEPTH, Part, SyntaxError};

pub(super) struct Parser {
    chars: Vec<char>,
    pub(super) at: usize,
}

impl Parser {
    pub(super) fn new(text: &str) -> Self {
        Self { chars: text.chars().collect(), at: 0 }
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn word(&mut self) -> String {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '=' || c == '-') {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect()
    }

    /// Text and arguments up to an unmatched `}` (left unread) or the end.
    pub(super) fn message(&mut self, depth: usize, in_plural: bool) -> Result<Vec<Part>, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(SyntaxError::TooDeep);
        }
        let mut parts = Vec::new();
        let mut text = String::new();
        while let Some(c) = self.peek() {
            match c {
                '}' => break,
                '{' => {
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(self.argument(depth, in_plural)?);
                }
                '#' if in_plural => {
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Number);
                    self.at += 1;
                }
                '\'' => self.apostrophe(&mut text, in_plural),
                _ => {
                    text.push(c);
                    self.at += 1;
                }
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(parts)
    }

    fn apostrophe(&mut self, text: &mut String, in_plural: bool) {
        self.at += 1;
        match self.peek() {
            Some('\'') => {
                text.push('\'');
                self.at += 1;
            }
            Some(c) if c == '{' || c == '}' || (c == '#' && in_plural) => {
                // Quoted: everything up to the next lone apostrophe is text.
                while let Some(c) = self.peek() {
                    self.at += 1;
                    if c == '\'' {
                        if self.peek() == Some('\'') {
                            text.push('\'');
                            self.at += 1;
                        } else {
                            return;
                        }
                    } else {
                        text.push(c);
                    }
                }
            }
            _ => text.push('\''),
        }
    }

    /// `{name}` or `{name, plural|select, cases}`, starting at the `{`.
    fn argument(&mut self, depth: usize, in_plural: bool) -> Result<Part, SyntaxError> {
        let open = self.at + 1;
        self.at += 1;
        self.skip_space();
        let name = self.word();
        if name.is_empty() || name.contains(['=', '-']) {
            return Err(self.unclosed_or(open, SyntaxError::BadArgument(self.at + 1)));
        }
        self.skip_space();
        match self.peek() {
            Some('}') => {
                self.at += 1;
                return Ok(Part::Arg(name));
            }
            Some(',') => self.at += 1,
            None => return Err(SyntaxError::Unclosed(open)),
            Some(_) => return Err(self.unclosed_or(open, SyntaxError::BadArgument(self.at + 1))),
        }
        self.skip_space();
        let kind = self.word();
        if kind == "number" {
            self.skip_space();
            if self.peek() != Some('}') {
                return Err(self.unclosed_or(open, SyntaxError::BadArgument(self.at + 1)));
            }
            self.at += 1;
            return Ok(Part::NumberArg(name));
        }
        let plural = match kind.as_str() {
            "plural" => true,
            "select" => false,
            _ => return Err(self.unclosed_or(open, SyntaxError::BadArgument(self.at + 1))),
        };
        self.skip_space();
        if self.peek() != Some(',') {
            return Err(self.unclosed_or(open, SyntaxError::BadArgument(self.at + 1)));
        }
        self.at += 1;
        let mut cases = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some('}') => {
                    self.at += 1;
                    break;
                }
                None => return Err(SyntaxError::Unclosed(open)),
                Some(_) => {}
            }
            let selector = self.word();
            self.skip_space();
            if selector.is_empty() || self.peek() != Some('{') {
                return Err(self.unclosed_or(open, SyntaxError::BadArgument(self.at + 1)));
            }
            let inner_open = self.at + 1;
            self.at += 1;
            let inner = self.message(depth + 1, in_plural || plural)?;
            if self.peek() != Some('}') {
                return Err(SyntaxError::Unclosed(inner_open));
            }
            self.at += 1;
            cases.push((selector, inner));
        }
        if !cases.iter().any(|(s, _)| s == "other") {
            return Err(SyntaxError::NoOther(name));
        }
        Ok(Part::Choice { arg: name, plural, cases })
    }

    /// `Unclosed` when the text ends before a `}`, else `other`.
    fn unclosed_or(&self, open: usize, other: SyntaxError) -> SyntaxError {
        if self.chars[open..].contains(&'}') { other } else { SyntaxError::Unclosed(open) }
    }
}
