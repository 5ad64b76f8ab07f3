//! The boot configuration (`boot.cfg`): a small line-oriented text format,
//! parsed without allocating so `ntos` can read it before it has a heap.
//!
//! ```text
//! # Triton boot configuration
//! [boot]
//! program = \SystemRoot\system32\ntcmd.exe   # first program to start
//! args =
//! [drivers]
//! load = i8042prt.sys kbdclass.sys beep.sys
//! ```
//!
//! Rules:
//! - The text is UTF-8 (an optional leading byte-order mark is skipped, as
//!   Windows editors write one). Lines end with LF or CRLF.
//! - `#` starts a comment that runs to the end of the line, anywhere on it;
//!   so a value cannot contain `#` (NT paths and file names do not need it).
//! - Control characters other than tab are refused anywhere, comments
//!   included: they have no business in a configuration and a stray NUL or
//!   CR would otherwise end up inside an NT string.
//! - `[name]` starts a section; `key = value` sets a key in the current
//!   section. Section names and keys are non-empty runs of ASCII letters,
//!   digits, `_`, `-` and `.`, compared case-insensitively (NT's habit).
//!   Spaces and tabs around names, keys and values are trimmed; a value may
//!   be empty, and keeps its inner spaces and its case.
//! - A key before any section header is an error, as is any other line.
//! - A section may appear more than once (its keys merge) and a key may be
//!   set more than once: [`Config::get`] returns the last value, as later
//!   lines override earlier ones; [`Config::get_all`] returns all of them.
//!
//! Everything is validated by [`Config::parse`]; lookups then re-scan the
//! text (a boot configuration is a few hundred bytes), so each call is
//! linear in its length and nothing needs storage.

use core::fmt;

/// What is wrong with a configuration line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// The text is not valid UTF-8 (the line holds the first bad byte).
    NotUtf8,
    /// A control character other than tab.
    ControlChar,
    /// `[` without a closing `]`.
    UnclosedSection,
    /// Something other than a comment after `[section]`.
    TextAfterSection,
    /// A section name that is empty or has a character outside
    /// `A-Z a-z 0-9 _ - .`.
    BadSectionName,
    /// A line that is neither blank, a comment, a section header nor has `=`.
    MissingEquals,
    /// A key that is empty or has a character outside `A-Z a-z 0-9 _ - .`.
    BadKey,
    /// `key = value` before the first section header.
    KeyOutsideSection,
}

impl fmt::Display for ConfigErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigErrorKind::NotUtf8 => "not valid UTF-8",
            ConfigErrorKind::ControlChar => "control character",
            ConfigErrorKind::UnclosedSection => "`[` without `]`",
            ConfigErrorKind::TextAfterSection => "text after `[section]`",
            ConfigErrorKind::BadSectionName => {
                "section name must be letters, digits, `_`, `-` or `.`"
            }
            ConfigErrorKind::MissingEquals => "expected `key = value`, `[section]` or a comment",
            ConfigErrorKind::BadKey => "key must be letters, digits, `_`, `-` or `.`",
            ConfigErrorKind::KeyOutsideSection => "key before the first `[section]`",
        })
    }
}

/// Why a configuration was refused: the 1-based line and what is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub kind: ConfigErrorKind,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "boot configuration line {}: {}", self.line, self.kind)
    }
}

/// One `key = value` line of a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigEntry<'a> {
    /// 1-based line number.
    pub line: usize,
    /// The section it is in, as written.
    pub section: &'a str,
    /// The key, as written.
    pub key: &'a str,
    /// The value, trimmed; may be empty.
    pub value: &'a str,
}

/// What one line is.
enum Line<'a> {
    Blank,
    Section(&'a str),
    Pair(&'a str, &'a str),
}

/// Trims spaces and tabs only: other whitespace is either a control
/// character (refused) or Unicode that should stay part of a value.
fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// Section names and keys: non-empty ASCII letters, digits, `_`, `-`, `.`.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Classifies one line (without its line terminator).
fn parse_line(line: &str) -> Result<Line<'_>, ConfigErrorKind> {
    if line.chars().any(|c| (c < ' ' && c != '\t') || c == '\x7f') {
        return Err(ConfigErrorKind::ControlChar);
    }
    let content = trim(line.split('#').next().unwrap_or(""));
    if content.is_empty() {
        return Ok(Line::Blank);
    }
    if let Some(rest) = content.strip_prefix('[') {
        let (name, after) = rest
            .split_once(']')
            .ok_or(ConfigErrorKind::UnclosedSection)?;
        if !trim(after).is_empty() {
            return Err(ConfigErrorKind::TextAfterSection);
        }
        let name = trim(name);
        return if is_name(name) {
            Ok(Line::Section(name))
        } else {
            Err(ConfigErrorKind::BadSectionName)
        };
    }
    let (key, value) = content
        .split_once('=')
        .ok_or(ConfigErrorKind::MissingEquals)?;
    let key = trim(key);
    if !is_name(key) {
        return Err(ConfigErrorKind::BadKey);
    }
    Ok(Line::Pair(key, trim(value)))
}

/// The lines of `text` with 1-based numbers, LF or CRLF terminated.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}

/// A checked boot configuration over borrowed text.
#[derive(Clone, Copy, Debug)]
pub struct Config<'a> {
    text: &'a str,
}

impl<'a> Config<'a> {
    /// Checks `text` (bytes or a string) by the rules in the module comment.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(text: &'a T) -> Result<Config<'a>, ConfigError> {
        let bytes = text.as_ref();
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = core::str::from_utf8(bytes).map_err(|e| {
            let good = bytes.get(..e.valid_up_to()).unwrap_or(&[]);
            let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
            ConfigError {
                line,
                kind: ConfigErrorKind::NotUtf8,
            }
        })?;
        let mut in_section = false;
        for (line, l) in lines(text) {
            match parse_line(l).map_err(|kind| ConfigError { line, kind })? {
                Line::Blank => {}
                Line::Section(_) => in_section = true,
                Line::Pair(..) if !in_section => {
                    return Err(ConfigError {
                        line,
                        kind: ConfigErrorKind::KeyOutsideSection,
                    })
                }
                Line::Pair(..) => {}
            }
        }
        Ok(Config { text })
    }

    /// Every `key = value` line, in order.
    pub fn entries(&self) -> ConfigEntries<'a> {
        ConfigEntries {
            lines: self.text.split('\n'),
            number: 0,
            section: "",
        }
    }

    /// The last value of `key` in `section` (both case-insensitive).
    pub fn get(&self, section: &str, key: &str) -> Option<&'a str> {
        self.get_all(section, key).last()
    }

    /// Every value of `key` in `section` (both case-insensitive), in order.
    pub fn get_all<'q>(&self, section: &'q str, key: &'q str) -> impl Iterator<Item = &'a str> + 'q
    where
        'a: 'q,
    {
        self.section(section)
            .filter(move |(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// The `(key, value)` pairs of `section` (case-insensitive), in order,
    /// across all headers naming it.
    pub fn section<'q>(&self, section: &'q str) -> impl Iterator<Item = (&'a str, &'a str)> + 'q
    where
        'a: 'q,
    {
        self.entries()
            .filter(move |e| e.section.eq_ignore_ascii_case(section))
            .map(|e| (e.key, e.value))
    }

    /// The section names of the headers, in order, as written (a name
    /// appears once per header).
    pub fn sections(&self) -> impl Iterator<Item = &'a str> {
        lines(self.text).filter_map(|(_, l)| match parse_line(l) {
            Ok(Line::Section(name)) => Some(name),
            _ => None,
        })
    }

    /// Whether a header names `section` (case-insensitive).
    pub fn has_section(&self, section: &str) -> bool {
        self.sections().any(|s| s.eq_ignore_ascii_case(section))
    }

    /// The text (without a byte-order mark).
    pub fn text(&self) -> &'a str {
        self.text
    }
}

/// Iterator over the `key = value` lines of a [`Config`].
#[derive(Clone, Debug)]
pub struct ConfigEntries<'a> {
    lines: core::str::Split<'a, char>,
    number: usize,
    section: &'a str,
}

impl<'a> Iterator for ConfigEntries<'a> {
    type Item = ConfigEntry<'a>;

    fn next(&mut self) -> Option<ConfigEntry<'a>> {
        // Every line was checked by `parse`; a line that somehow did not
        // parse is skipped rather than trusted. Each call consumes lines, so
        // the walk ends after the last one.
        for l in self.lines.by_ref() {
            self.number += 1;
            let l = l.strip_suffix('\r').unwrap_or(l);
            match parse_line(l) {
                Ok(Line::Section(name)) => self.section = name,
                Ok(Line::Pair(key, value)) => {
                    return Some(ConfigEntry {
                        line: self.number,
                        section: self.section,
                        key,
                        value,
                    })
                }
                _ => {}
            }
        }
        None
    }
}
