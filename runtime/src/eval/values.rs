//! Value operations that both backends perform the same way: joining
//! strings and lists, and slicing. The interpreter calls them directly;
//! native code through the runtime's callbacks ([`super::native`]).

use crate::plan::builtin::Fault;
use crate::value::intern;
use crate::value::Word;

/// `str + str`, built in the scratch `text`.
pub(crate) fn concat_str(text: &mut String, x: Word, y: Word) -> Word {
    text.clear();
    text.push_str(intern::str_of(x));
    text.push_str(intern::str_of(y));
    intern::intern_str(text)
}

/// `[T] + [T]`, built on top of the scratch stack `list`.
pub(crate) fn concat_list(list: &mut Vec<Word>, x: Word, y: Word) -> Word {
    let start = list.len();
    list.extend_from_slice(intern::list_of(x));
    list.extend_from_slice(intern::list_of(y));
    let id = intern::intern_list(&list[start..]);
    list.truncate(start);
    id
}

/// `b[lo..hi]`: a list by element, or (`is_str`) a string by characters,
/// never splitting a UTF-8 sequence.
pub(crate) fn slice(
    text: &mut String,
    b: Word,
    lo: Option<i64>,
    hi: Option<i64>,
    is_str: bool,
) -> Result<Word, Fault> {
    if !is_str {
        let xs = intern::list_of(b);
        let (l, h) = bounds(lo, hi, xs.len())?;
        return Ok(intern::intern_list(&xs[l..h]));
    }
    let s = intern::str_of(b);
    let chars = if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    };
    let (l, h) = bounds(lo, hi, chars)?;
    if s.is_ascii() {
        return Ok(intern::intern_str(&s[l..h]));
    }
    text.clear();
    text.extend(s.chars().skip(l).take(h - l));
    Ok(intern::intern_str(text))
}

/// `lo..hi` within `0..=len`, defaults `0` and `len`; anything outside, or
/// `lo > hi`, faults.
fn bounds(lo: Option<i64>, hi: Option<i64>, len: usize) -> Result<(usize, usize), Fault> {
    let lo = lo.unwrap_or(0);
    let hi = hi.unwrap_or(len as i64);
    if lo < 0 || hi < lo || hi > len as i64 {
        return Err(Fault::IndexOutOfRange);
    }
    Ok((lo as usize, hi as usize))
}
