//! Property tests: random file sets go through `Builder` and come back out
//! of `Archive` unchanged (names, kinds, modes, data, order, lookups), and
//! random configurations rendered with random spacing and comments parse
//! back to the same entries.

use bootimg::{Archive, BuildError, Builder, Config, Kind, BLOCK};
use proptest::collection::vec;
use proptest::prelude::*;

/// One component: usually short, sometimes long enough that paths need
/// the ustar prefix field or do not fit at all.
fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9_.-]{1,12}",
        1 => "[a-zA-Z]{40,70}",
    ]
    .prop_filter("not . or ..", |c| c != "." && c != "..")
}

#[derive(Clone, Debug)]
struct Item {
    path: String,
    dir: bool,
    data: Vec<u8>,
}

fn item() -> impl Strategy<Value = Item> {
    (
        vec(component(), 1..5),
        any::<bool>(),
        vec(any::<u8>(), 0..1100),
    )
        .prop_map(|(parts, dir, data)| Item {
            path: parts.join("/"),
            dir,
            data: if dir { vec![] } else { data },
        })
}

/// Whether ustar can store `stored` (the name, with `/` for a directory):
/// in the name field, or split at some `/` (not a directory's trailing
/// one) into at most 155 bytes of prefix and 100 of name. Written
/// independently of the writer's GNU-style search for the split.
fn fits_ustar(stored: &str) -> bool {
    stored.len() <= 100
        || stored.char_indices().any(|(i, c)| {
            c == '/'
                && (1..=155).contains(&i)
                && i + 1 < stored.len()
                && stored.len() - i - 1 <= 100
                && !(stored.ends_with('/') && i == stored.len() - 1)
        })
}

/// `path` as NT code would ask for it: upper case, backslashes.
fn nt_form(path: &str) -> String {
    path.to_ascii_uppercase().replace('/', "\\")
}

/// Section names and keys.
const NAME: &str = "[A-Za-z0-9_.-]{1,10}";
/// Values: anything printable but `#`, with spaces to trim at either end.
const VALUE: &str = "[ A-Za-z0-9\\\\._=:-]{0,24}";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn file_sets_round_trip(items in vec(item(), 0..16)) {
        let mut builder = Builder::new();
        let mut accepted: Vec<Item> = Vec::new();
        for it in &items {
            let stored = if it.dir { format!("{}/", it.path) } else { it.path.clone() };
            let duplicate = accepted.iter().any(|a| a.path.eq_ignore_ascii_case(&it.path));
            let got = if it.dir {
                builder.try_add_dir(&it.path).map(|_| ())
            } else {
                builder.try_add_file(&it.path, &it.data).map(|_| ())
            };
            let want = if duplicate {
                Err(BuildError::Duplicate)
            } else if !fits_ustar(&stored) {
                Err(BuildError::NameTooLong)
            } else {
                Ok(())
            };
            prop_assert_eq!(got, want, "{}", it.path);
            if want.is_ok() {
                accepted.push(it.clone());
            }
        }
        let image = builder.finish();
        prop_assert_eq!(&image, &builder.finish());
        let expected_len: usize = accepted
            .iter()
            .map(|a| BLOCK + a.data.len().next_multiple_of(BLOCK))
            .sum::<usize>() + 2 * BLOCK;
        prop_assert_eq!(image.len(), expected_len);

        let archive = Archive::new(&image).unwrap();
        prop_assert_eq!(archive.len(), accepted.len());
        for (entry, want) in archive.entries().zip(&accepted) {
            prop_assert_eq!(entry.name(), want.path.as_str());
            prop_assert_eq!(entry.kind, if want.dir { Kind::Dir } else { Kind::File });
            prop_assert_eq!(entry.mode, if want.dir { 0o755 } else { 0o644 });
            prop_assert_eq!(entry.data, &want.data[..]);
            let found = archive.find_ci(&nt_form(&want.path)).unwrap();
            prop_assert_eq!(found, entry);
        }
    }

    #[test]
    fn configs_round_trip(
        sections in vec((NAME, vec((NAME, VALUE), 0..6)), 0..6),
        pads in vec("[ \t]{0,3}", 8),
        comments in vec(any::<bool>(), 8),
        crlf in any::<bool>(),
    ) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut text = String::from("# generated\n");
        let mut want = Vec::new();
        for (i, (section, pairs)) in sections.iter().enumerate() {
            let (p, q) = (&pads[i % 8], &pads[(i + 3) % 8]);
            let comment = if comments[i % 8] { "# s" } else { "" };
            text += &format!("{p}[{q}{section}{p}]{q}{comment}{nl}");
            for (j, (key, value)) in pairs.iter().enumerate() {
                let (p, q) = (&pads[(i + j) % 8], &pads[(i + 2 * j + 1) % 8]);
                let comment = if comments[(i + j) % 8] { "  # comment" } else { "" };
                text += &format!("{p}{key}{q}={p}{value}{q}{comment}{nl}");
                want.push((section.as_str(), key.as_str(), value.trim_matches([' ', '\t'])));
                if comments[j % 8] {
                    text += &format!("{q}{nl}");
                }
            }
        }
        let config = Config::parse(&text).unwrap();
        let got: Vec<_> = config.entries().map(|e| (e.section, e.key, e.value)).collect();
        prop_assert_eq!(&got, &want);
        for &(section, key, _) in &want {
            let last = want
                .iter()
                .rfind(|w| w.0.eq_ignore_ascii_case(section) && w.1.eq_ignore_ascii_case(key))
                .map(|w| w.2);
            prop_assert_eq!(config.get(&section.to_uppercase(), &key.to_lowercase()), last);
        }
        prop_assert_eq!(config.sections().count(), sections.len());
    }
}
