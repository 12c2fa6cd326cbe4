//! Strings: case, trimming, searching, splitting, and the text-folding
//! generators `words` and `sentences`.
//!
//! Lengths and positions count characters (Unicode scalar values), never
//! bytes, so no index can land inside a character: `substr("héllo", 1, 3)`
//! is `"éll"`. Ordering of strings (by bytes) lives in `value::compare`.

use fold_runtime::plan::builtin::Fault;
use fold_runtime::value::{from_bool, from_int, to_int, Type, Word};

use crate::decl::{check_str_size, from_len, new_list, new_str, text};

/// The marks that end a sentence (see the text-folding design).
const SENTENCE_ENDS: [char; 4] = ['.', '!', '?', ';'];

builtins! {
    /// The number of characters in a string (not bytes).
    ///
    ///     len("héllo")   // 5
    LEN: len(str) -> int = |a, _| Ok(from_len(text(a[0]).chars().count()));

    /// The string in lowercase (full Unicode case mapping).
    ///
    ///     lower("Little Birds")   // "little birds"
    LOWER: lower(str) -> str = |a, _| Ok(new_str(&text(a[0]).to_lowercase()));

    /// The string in uppercase (full Unicode case mapping: `ß` becomes `SS`).
    ///
    ///     upper("Little")   // "LITTLE"
    UPPER: upper(str) -> str = |a, _| Ok(new_str(&text(a[0]).to_uppercase()));

    /// The string without leading and trailing whitespace.
    ///
    ///     trim("  sing \n")   // "sing"
    TRIM: trim(str) -> str = |a, _| Ok(new_str(text(a[0]).trim()));

    /// Whether the second string occurs in the first. Every string
    /// contains `""`.
    ///
    ///     contains("little birds", "bird")   // true
    CONTAINS: contains(str, str) -> bool =
        |a, _| Ok(from_bool(text(a[0]).contains(text(a[1]))));

    /// `regex_match(s, pattern)`: whether the whole of `s` matches the
    /// regular expression (the `regex` crate's syntax). A pattern that
    /// does not parse faults (`InvalidArgument`), so neither a test nor
    /// its negation holds, as in Soufflé.
    ///
    ///     regex_match("abba", "a.*a")   // true
    ///     regex_match("abba", "b+")     // false
    ///     regex_match("abba", "a{x")    // fault InvalidArgument
    REGEX_MATCH: regex_match(str, str) -> bool = |a, _| {
        crate::pattern::whole_match(text(a[0]), text(a[1]))
            .map(from_bool)
            .ok_or(Fault::InvalidArgument)
    };

    /// Whether the string begins with the prefix.
    ///
    ///     starts_with("little", "lit")   // true
    STARTS_WITH: starts_with(str, str) -> bool =
        |a, _| Ok(from_bool(text(a[0]).starts_with(text(a[1]))));

    /// Whether the string ends with the suffix.
    ///
    ///     ends_with("birds", "ds")   // true
    ENDS_WITH: ends_with(str, str) -> bool =
        |a, _| Ok(from_bool(text(a[0]).ends_with(text(a[1]))));

    /// `index_of(s, sub)`: the character position of the first `sub` in
    /// `s`, or -1 if there is none.
    ///
    ///     index_of("héllo", "l")   // 2
    ///     index_of("hello", "z")   // -1
    INDEX_OF: index_of(str, str) -> int = index_of;

    /// `replace(s, from, to)`: `s` with every `from` replaced by `to`. An
    /// empty `from` faults (`InvalidArgument`), as does a result over 64 MiB.
    ///
    ///     replace("a-b-c", "-", " ")   // "a b c"
    ///     replace("abc", "", "x")      // fault InvalidArgument
    REPLACE: replace(str, str, str) -> str = replace;

    /// `substr(s, start, len)`: `len` characters of `s` from character
    /// `start` on. A negative `start` or `len`, or one reaching past the
    /// end of `s`, faults (`IndexOutOfRange`).
    ///
    ///     substr("little birds", 7, 5)   // "birds"
    ///     substr("abc", 2, 5)            // fault IndexOutOfRange
    SUBSTR: substr(str, int, int) -> str = substr;

    /// `substr_clamped(s, start, len)`: `substr` as Soufflé (C++'s
    /// `std::string::substr`) runs it: `len` is cut at the end of `s` (a
    /// negative `len` reaches the end), and a `start` outside `s` gives
    /// `""` instead of a fault.
    ///
    ///     substr_clamped("abc", 1, 5)    // "bc"
    ///     substr_clamped("12", 22, 12)   // ""
    SUBSTR_CLAMPED: substr_clamped(str, int, int) -> str = substr_clamped;

    /// `split(s, sep)`: the pieces of `s` between each `sep`, keeping
    /// empty ones. An empty `sep` faults (`InvalidArgument`).
    ///
    ///     split("a,b,,c", ",")   // ["a", "b", "", "c"]
    ///     split("abc", "")       // fault InvalidArgument
    SPLIT: split(str, str) -> [str] = split;

    /// The words of a text: maximal runs of letters, lowercased. Digits
    /// and punctuation separate words and are dropped.
    ///
    ///     words("Little birds, sing!")   // ["little", "birds", "sing"]
    WORDS: words(str) -> [str] = |a, _| Ok(words(text(a[0])));

    /// The sentences of a text: the pieces between `.`, `!`, `?` and `;`,
    /// trimmed, with empty pieces dropped.
    ///
    ///     sentences("Little birds sing. Dogs sing!")   // ["Little birds sing", "Dogs sing"]
    SENTENCES: sentences(str) -> [str] = |a, _| Ok(sentences(text(a[0])));

    /// `repeat(s, n)`: `s` repeated `n` times. A negative `n` or a result
    /// over 64 MiB faults (`InvalidArgument`).
    ///
    ///     repeat("ab", 3)   // "ababab"
    REPEAT: repeat(str, int) -> str = repeat;
}

fn index_of(a: &[Word], _: &[Type]) -> Result<Word, Fault> {
    let s = text(a[0]);
    Ok(match s.find(text(a[1])) {
        Some(byte) => from_len(s[..byte].chars().count()),
        None => from_int(-1),
    })
}

fn replace(a: &[Word], _: &[Type]) -> Result<Word, Fault> {
    let (s, from, to) = (text(a[0]), text(a[1]), text(a[2]));
    if from.is_empty() {
        return Err(Fault::InvalidArgument);
    }
    // Only a longer replacement can grow the string past the cap.
    if to.len() > from.len() {
        let growth = s.matches(from).count().checked_mul(to.len() - from.len());
        check_str_size(growth.and_then(|g| g.checked_add(s.len())))?;
    }
    Ok(new_str(&s.replace(from, to)))
}

fn substr(a: &[Word], _: &[Type]) -> Result<Word, Fault> {
    let s = text(a[0]);
    let start = char_offset(s, to_int(a[1]))?;
    let end = start + char_offset(&s[start..], to_int(a[2]))?;
    Ok(new_str(&s[start..end]))
}

fn substr_clamped(a: &[Word], _: &[Type]) -> Result<Word, Fault> {
    let s = text(a[0]);
    let Ok(start) = char_offset(s, to_int(a[1])) else {
        return Ok(new_str(""));
    };
    let rest = &s[start..];
    let len = usize::try_from(to_int(a[2])).unwrap_or(usize::MAX);
    let end = rest
        .char_indices()
        .map(|(at, _)| at)
        .nth(len)
        .unwrap_or(rest.len());
    Ok(new_str(&rest[..end]))
}

/// The byte offset of character `n` of `s`; `n` may be the character count
/// (the end of the string), nothing further.
fn char_offset(s: &str, n: i64) -> Result<usize, Fault> {
    let n = usize::try_from(n).map_err(|_| Fault::IndexOutOfRange)?;
    s.char_indices()
        .map(|(at, _)| at)
        .chain(std::iter::once(s.len()))
        .nth(n)
        .ok_or(Fault::IndexOutOfRange)
}

fn split(a: &[Word], _: &[Type]) -> Result<Word, Fault> {
    let sep = text(a[1]);
    if sep.is_empty() {
        return Err(Fault::InvalidArgument);
    }
    let pieces: Vec<Word> = text(a[0]).split(sep).map(new_str).collect();
    Ok(new_list(&pieces))
}

fn words(s: &str) -> Word {
    let words: Vec<Word> = s
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(|w| new_str(&w.to_lowercase()))
        .collect();
    new_list(&words)
}

fn sentences(s: &str) -> Word {
    let sentences: Vec<Word> = s
        .split(SENTENCE_ENDS)
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .map(new_str)
        .collect();
    new_list(&sentences)
}

fn repeat(a: &[Word], _: &[Type]) -> Result<Word, Fault> {
    let s = text(a[0]);
    let n = usize::try_from(to_int(a[1])).map_err(|_| Fault::InvalidArgument)?;
    check_str_size(s.len().checked_mul(n))?;
    Ok(new_str(&s.repeat(n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decl::testing::{b, call, i, s, strs};
    use crate::decl::MAX_STR_BYTES;
    use proptest::prelude::*;

    #[test]
    fn len_counts_characters() {
        assert_eq!(call(&LEN, &[s("")]), Ok(i(0)));
        assert_eq!(call(&LEN, &[s("héllo")]), Ok(i(5)));
    }

    #[test]
    fn case_and_trim() {
        assert_eq!(call(&LOWER, &[s("Little ÉTÉ")]), Ok(s("little été")));
        assert_eq!(call(&UPPER, &[s("straße")]), Ok(s("STRASSE")));
        assert_eq!(call(&TRIM, &[s("\t a b \n")]), Ok(s("a b")));
        assert_eq!(call(&TRIM, &[s("   ")]), Ok(s("")));
    }

    #[test]
    fn searching() {
        assert_eq!(call(&CONTAINS, &[s("birds"), s("ird")]), Ok(b(true)));
        assert_eq!(call(&CONTAINS, &[s("birds"), s("")]), Ok(b(true)));
        assert_eq!(call(&CONTAINS, &[s("birds"), s("dog")]), Ok(b(false)));
        assert_eq!(call(&STARTS_WITH, &[s("birds"), s("bi")]), Ok(b(true)));
        assert_eq!(call(&STARTS_WITH, &[s("birds"), s("ds")]), Ok(b(false)));
        assert_eq!(call(&ENDS_WITH, &[s("birds"), s("ds")]), Ok(b(true)));
        assert_eq!(call(&ENDS_WITH, &[s("birds"), s("bi")]), Ok(b(false)));
        assert_eq!(call(&INDEX_OF, &[s("héllo"), s("llo")]), Ok(i(2)));
        assert_eq!(call(&INDEX_OF, &[s("hello"), s("")]), Ok(i(0)));
        assert_eq!(call(&INDEX_OF, &[s("hello"), s("z")]), Ok(i(-1)));
    }

    #[test]
    fn replace_and_its_faults() {
        let a_b = [s("a-b--c"), s("-"), s("+")];
        assert_eq!(call(&REPLACE, &a_b), Ok(s("a+b++c")));
        assert_eq!(call(&REPLACE, &[s("abc"), s("bc"), s("")]), Ok(s("a")));
        assert_eq!(
            call(&REPLACE, &[s("abc"), s(""), s("x")]),
            Err(Fault::InvalidArgument)
        );
        // Each of 64 Ki characters becoming 2 KiB would be 128 MiB.
        let big = "x".repeat(64 << 10);
        let long = "y".repeat(2 << 10);
        assert_eq!(
            call(&REPLACE, &[s(&big), s("x"), s(&long)]),
            Err(Fault::InvalidArgument)
        );
    }

    #[test]
    fn substr_clamped_cuts_at_the_end_as_souffle_does() {
        assert_eq!(call(&SUBSTR_CLAMPED, &[s("abc"), i(1), i(5)]), Ok(s("bc")));
        assert_eq!(call(&SUBSTR_CLAMPED, &[s("abc"), i(1), i(-1)]), Ok(s("bc")));
        assert_eq!(call(&SUBSTR_CLAMPED, &[s("12"), i(22), i(12)]), Ok(s("")));
        assert_eq!(call(&SUBSTR_CLAMPED, &[s("abc"), i(-1), i(1)]), Ok(s("")));
        assert_eq!(
            call(&SUBSTR_CLAMPED, &[s("héllo"), i(1), i(2)]),
            Ok(s("él"))
        );
    }

    #[test]
    fn substr_counts_characters_and_faults_out_of_range() {
        let s5 = s("héllo");
        assert_eq!(call(&SUBSTR, &[s5, i(1), i(3)]), Ok(s("éll")));
        assert_eq!(call(&SUBSTR, &[s5, i(0), i(5)]), Ok(s5));
        assert_eq!(call(&SUBSTR, &[s5, i(5), i(0)]), Ok(s("")));
        for (start, len) in [
            (6, 0),
            (4, 2),
            (-1, 1),
            (0, -1),
            (i64::MAX, 1),
            (1, i64::MAX),
        ] {
            assert_eq!(
                call(&SUBSTR, &[s5, i(start), i(len)]),
                Err(Fault::IndexOutOfRange),
                "substr(\"héllo\", {start}, {len})"
            );
        }
    }

    #[test]
    fn split_keeps_empty_pieces() {
        assert_eq!(
            call(&SPLIT, &[s(",a,,b,"), s(",")]),
            Ok(strs(&["", "a", "", "b", ""]))
        );
        assert_eq!(call(&SPLIT, &[s(""), s(",")]), Ok(strs(&[""])));
        assert_eq!(call(&SPLIT, &[s("a::b"), s("::")]), Ok(strs(&["a", "b"])));
        assert_eq!(
            call(&SPLIT, &[s("abc"), s("")]),
            Err(Fault::InvalidArgument)
        );
    }

    #[test]
    fn words_are_lowercase_letter_runs() {
        let text = s("Little birds, sing! Don't 42x Été");
        let expected = strs(&["little", "birds", "sing", "don", "t", "x", "été"]);
        assert_eq!(call(&WORDS, &[text]), Ok(expected));
        assert_eq!(call(&WORDS, &[s(" ,.! 12 ")]), Ok(strs(&[])));
    }

    #[test]
    fn sentences_split_on_marks_and_drop_empty_pieces() {
        let text = s("a b c d. a c!  b d? a b; ;. ");
        let expected = strs(&["a b c d", "a c", "b d", "a b"]);
        assert_eq!(call(&SENTENCES, &[text]), Ok(expected));
        assert_eq!(call(&SENTENCES, &[s("no mark")]), Ok(strs(&["no mark"])));
        assert_eq!(call(&SENTENCES, &[s("...")]), Ok(strs(&[])));
    }

    #[test]
    fn repeat_and_its_faults() {
        assert_eq!(call(&REPEAT, &[s("ab"), i(3)]), Ok(s("ababab")));
        assert_eq!(call(&REPEAT, &[s("ab"), i(0)]), Ok(s("")));
        assert_eq!(call(&REPEAT, &[s(""), i(i64::MAX)]), Ok(s("")));
        assert_eq!(
            call(&REPEAT, &[s("ab"), i(-1)]),
            Err(Fault::InvalidArgument)
        );
        assert_eq!(
            call(&REPEAT, &[s("ab"), i(i64::MAX)]),
            Err(Fault::InvalidArgument)
        );
        let over = i((MAX_STR_BYTES + 1) as i64);
        assert_eq!(call(&REPEAT, &[s("a"), over]), Err(Fault::InvalidArgument));
    }

    proptest! {
        #[test]
        fn text_builtins_never_panic(
            text in any::<String>(),
            sep in any::<String>(),
            start in any::<i64>(),
            len in any::<i64>(),
            near in 0i64..40,
        ) {
            let t = s(&text);
            let _ = call(&WORDS, &[t]);
            let _ = call(&SENTENCES, &[t]);
            let _ = call(&SPLIT, &[t, s(&sep)]);
            let _ = call(&SUBSTR, &[t, i(start), i(len)]);
            let _ = call(&SUBSTR, &[t, i(near), i(near / 2)]);
        }

        #[test]
        fn split_pieces_rejoin_to_the_text(text in any::<String>(), sep in ".{1,3}") {
            let pieces = call(&SPLIT, &[s(&text), s(&sep)]).expect("non-empty separator");
            prop_assert_eq!(texts(pieces).join(&sep), text);
        }

        #[test]
        fn substr_takes_characters(
            text in any::<String>(),
            start in 0usize..20,
            len in 0usize..20,
        ) {
            let chars: Vec<char> = text.chars().collect();
            let got = call(&SUBSTR, &[s(&text), i(start as i64), i(len as i64)]);
            if start + len <= chars.len() {
                let expected: String = chars[start..start + len].iter().collect();
                prop_assert_eq!(got, Ok(s(&expected)));
            } else {
                prop_assert_eq!(got, Err(Fault::IndexOutOfRange));
            }
        }

        #[test]
        fn words_are_nonempty_and_lowercase(text in any::<String>()) {
            let found = call(&WORDS, &[s(&text)]).expect("words never faults");
            for word in texts(found) {
                prop_assert!(!word.is_empty());
                prop_assert_eq!(word.to_lowercase(), word);
            }
        }

        #[test]
        fn sentences_are_trimmed_and_unmarked(text in any::<String>()) {
            let found = call(&SENTENCES, &[s(&text)]).expect("sentences never faults");
            for sentence in texts(found) {
                prop_assert!(!sentence.is_empty());
                prop_assert_eq!(sentence.trim(), sentence);
                prop_assert!(!sentence.contains(SENTENCE_ENDS));
            }
        }
    }

    fn texts(list: Word) -> Vec<&'static str> {
        crate::decl::items(list).iter().map(|w| text(*w)).collect()
    }
}
