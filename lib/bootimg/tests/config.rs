//! The boot configuration rules (listed in `src/config.rs`), one test each,
//! with the exact line every error names.

use bootimg::{Config, ConfigEntry, ConfigError, ConfigErrorKind as K};

const EXAMPLE: &str = "\
# Triton boot configuration
[boot]
program = \\SystemRoot\\system32\\ntcmd.exe   # first program to start
args = 
[drivers]
load = i8042prt.sys kbdclass.sys beep.sys
";

fn err(text: &[u8]) -> ConfigError {
    match Config::parse(text) {
        Ok(c) => panic!("accepted: {:?}", c.entries().collect::<Vec<_>>()),
        Err(e) => e,
    }
}

fn at(line: usize, kind: K) -> ConfigError {
    ConfigError { line, kind }
}

#[test]
fn the_example() {
    let c = Config::parse(EXAMPLE).unwrap();
    assert_eq!(
        c.get("boot", "program"),
        Some("\\SystemRoot\\system32\\ntcmd.exe")
    );
    assert_eq!(c.get("boot", "args"), Some(""));
    assert_eq!(
        c.get("drivers", "load"),
        Some("i8042prt.sys kbdclass.sys beep.sys")
    );
    assert_eq!(c.get("boot", "load"), None);
    assert_eq!(c.get("nosuch", "program"), None);
    let entries: Vec<_> = c.entries().collect();
    assert_eq!(
        entries,
        [
            ConfigEntry {
                line: 3,
                section: "boot",
                key: "program",
                value: "\\SystemRoot\\system32\\ntcmd.exe"
            },
            ConfigEntry {
                line: 4,
                section: "boot",
                key: "args",
                value: ""
            },
            ConfigEntry {
                line: 6,
                section: "drivers",
                key: "load",
                value: "i8042prt.sys kbdclass.sys beep.sys"
            },
        ]
    );
    assert!(c.has_section("DRIVERS") && !c.has_section("driver"));
}

#[test]
fn names_are_case_insensitive_values_are_not() {
    let c = Config::parse("[Boot]\nProgram = NtCmd.EXE\n").unwrap();
    assert_eq!(c.get("BOOT", "PROGRAM"), Some("NtCmd.EXE"));
    assert_eq!(c.entries().next().unwrap().section, "Boot");
}

#[test]
fn whitespace_is_trimmed_around_everything() {
    let c = Config::parse("  [ boot ]  \n\t key\t=  a  b \t\n").unwrap();
    assert_eq!(c.get("boot", "key"), Some("a  b"));
    assert_eq!(c.sections().collect::<Vec<_>>(), ["boot"]);
}

#[test]
fn empty_values() {
    let c = Config::parse("[s]\na =\nb=\nc = # comment\n").unwrap();
    assert_eq!(
        [c.get("s", "a"), c.get("s", "b"), c.get("s", "c")],
        [Some(""); 3]
    );
}

#[test]
fn comments_anywhere() {
    let c = Config::parse("# top\n[s] # section\n# [t]\nk = v # trailing\n  # indented\n").unwrap();
    assert_eq!(c.entries().count(), 1);
    assert_eq!(c.get("s", "k"), Some("v"));
    assert!(!c.has_section("t"));
}

#[test]
fn value_may_hold_equals_signs() {
    let c = Config::parse("[s]\nargs = -x=1 -y==2\n").unwrap();
    assert_eq!(c.get("s", "args"), Some("-x=1 -y==2"));
}

#[test]
fn crlf_and_no_final_newline() {
    let c = Config::parse("[s]\r\na = 1\r\nb = 2").unwrap();
    assert_eq!(c.get("s", "a"), Some("1"));
    assert_eq!(c.get("s", "b"), Some("2"));
}

#[test]
fn byte_order_mark_is_skipped() {
    let c = Config::parse(b"\xEF\xBB\xBF[s]\nk = v\n").unwrap();
    assert_eq!(c.get("s", "k"), Some("v"));
    assert_eq!(c.text(), "[s]\nk = v\n");
}

#[test]
fn empty_text() {
    for text in ["", "\n\n", "# only a comment"] {
        let c = Config::parse(text).unwrap();
        assert_eq!(c.entries().count(), 0);
        assert_eq!(c.sections().count(), 0);
    }
}

#[test]
fn repeated_keys_and_sections() {
    let c = Config::parse("[d]\nload = a.sys\n[boot]\nx = 1\n[D]\nload = b.sys\nLOAD = c.sys\n")
        .unwrap();
    assert_eq!(c.get("d", "load"), Some("c.sys"), "the last value wins");
    assert_eq!(
        c.get_all("d", "load").collect::<Vec<_>>(),
        ["a.sys", "b.sys", "c.sys"]
    );
    assert_eq!(
        c.section("d").collect::<Vec<_>>(),
        [("load", "a.sys"), ("load", "b.sys"), ("LOAD", "c.sys")]
    );
    assert_eq!(c.sections().collect::<Vec<_>>(), ["d", "boot", "D"]);
}

#[test]
fn non_utf8_names_the_line() {
    assert_eq!(err(b"[s]\nk = caf\xE9\n"), at(2, K::NotUtf8));
    assert_eq!(err(b"\xFF"), at(1, K::NotUtf8));
    // Cut in the middle of a character on line 3.
    assert_eq!(err(b"[s]\n\nk = \xC3"), at(3, K::NotUtf8));
    // Non-ASCII UTF-8 is fine in values and comments.
    let c = Config::parse("[s]\nk = café # ünïcode\n").unwrap();
    assert_eq!(c.get("s", "k"), Some("café"));
}

#[test]
fn control_characters() {
    assert_eq!(err(b"[s]\nk = a\0b\n"), at(2, K::ControlChar));
    assert_eq!(err(b"# bell \x07\n"), at(1, K::ControlChar));
    assert_eq!(err(b"[s]\nk = a\rb\n"), at(2, K::ControlChar));
    assert_eq!(err(b"[s]\n\x7f\n"), at(2, K::ControlChar));
    // A CR is allowed only as part of CRLF.
    assert_eq!(err(b"[s]\r\r\n"), at(1, K::ControlChar));
}

#[test]
fn section_header_errors() {
    assert_eq!(err(b"[boot\n"), at(1, K::UnclosedSection));
    assert_eq!(err(b"\n[boot] x\n"), at(2, K::TextAfterSection));
    assert_eq!(err(b"[boot]]\n"), at(1, K::TextAfterSection));
    assert_eq!(err(b"[]\n"), at(1, K::BadSectionName));
    assert_eq!(err(b"[  ]\n"), at(1, K::BadSectionName));
    assert_eq!(err(b"[a b]\n"), at(1, K::BadSectionName));
    assert_eq!(err(b"[a[b]\n"), at(1, K::BadSectionName));
    assert_eq!(err("[bööt]\n".as_bytes()), at(1, K::BadSectionName));
    // `#` starts a comment, so this header is never closed.
    assert_eq!(err(b"[a#b]\n"), at(1, K::UnclosedSection));
    assert!(Config::parse("[a-b_c.d9]\n").is_ok());
}

#[test]
fn key_errors() {
    assert_eq!(err(b"[s]\njust words\n"), at(2, K::MissingEquals));
    assert_eq!(err(b"[s]\n= value\n"), at(2, K::BadKey));
    assert_eq!(err(b"[s]\na key = value\n"), at(2, K::BadKey));
    assert_eq!(err(b"[s]\nk\\ = value\n"), at(2, K::BadKey));
    assert_eq!(err(b"k = v\n[s]\n"), at(1, K::KeyOutsideSection));
    assert_eq!(err(b"[s]\nk = v\n]\n"), at(3, K::MissingEquals));
}

#[test]
fn the_first_error_is_reported() {
    assert_eq!(err(b"[s]\nok = 1\nbad\n[\n"), at(3, K::MissingEquals));
}

#[test]
fn errors_display_the_line() {
    let e = err(b"[s]\n\nbad\n");
    assert_eq!(
        e.to_string(),
        "boot configuration line 3: expected `key = value`, `[section]` or a comment"
    );
}
