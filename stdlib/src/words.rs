//! Values as their raw words, and back.
//!
//! Every value is one 64-bit word (an int its bits, a float its IEEE bits,
//! a string or list its interned id). `word` exposes that word as an int so
//! that values of different types can share one `[int]` list: this is how
//! the Soufflé front end carries records and ADTs (a record `[a, b]` of a
//! number and a symbol is the list `[a, word(b)]`). The inverses check the
//! id: a word that is no string (no list) faults with `BadConversion`
//! instead of reading past the interner.

use fold_runtime::plan::builtin::Fault;
use fold_runtime::value::intern;

builtins! {
    /// The word a value is stored as, as an int: an int itself, a float
    /// its IEEE bits, a string or list its interned id (which depends on
    /// the order values were first seen, so compare words only for
    /// equality).
    ///
    ///     word(7)    // 7
    ///     word(-1)   // -1
    WORD: word(T) -> int = |a, _| Ok(a[0]);

    /// The string whose word is `w`; a word that is no string faults
    /// (`BadConversion`).
    ///
    ///     word_str(-1)   // fault BadConversion
    WORD_STR: word_str(int) -> str =
        |a, _| intern::try_str_of(a[0]).map(|_| a[0]).ok_or(Fault::BadConversion);

    /// The float whose IEEE bits are `w`.
    ///
    ///     word_float(0)   // 0.0
    WORD_FLOAT: word_float(int) -> float = |a, _| Ok(a[0]);

    /// The list of words whose word is `w`; a word that is no list faults
    /// (`BadConversion`).
    ///
    ///     word_list(-1)   // fault BadConversion
    WORD_LIST: word_list(int) -> [int] =
        |a, _| intern::try_list_of(a[0]).map(|_| a[0]).ok_or(Fault::BadConversion);
}

#[cfg(test)]
mod tests {
    use fold_runtime::value::{from_float, intern, Type};

    use super::*;

    #[test]
    fn words_round_trip() {
        let none: &[Type] = &[];
        let s = intern::intern_str("a record field");
        let w = (WORD.eval)(&[s], &[Type::Str]).expect("a word");
        assert_eq!((WORD_STR.eval)(&[w], none), Ok(s));
        let l = intern::intern_list(&[1, 2]);
        assert_eq!((WORD_LIST.eval)(&[l], none), Ok(l));
        let f = from_float(2.5);
        assert_eq!((WORD_FLOAT.eval)(&[f], none), Ok(f));
        assert_eq!(
            (WORD_STR.eval)(&[u64::MAX], none),
            Err(Fault::BadConversion)
        );
    }
}
