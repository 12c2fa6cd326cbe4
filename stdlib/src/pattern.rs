//! Compiled regular expressions for `regex_match`, cached per thread:
//! a rule tests one pattern against many strings, and compiling it for
//! every event would cost more than the match.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

/// Patterns kept per thread before the cache starts over.
const CACHE_LIMIT: usize = 256;

thread_local! {
    static CACHE: RefCell<HashMap<String, Option<Regex>>> = RefCell::new(HashMap::new());
}

/// Whether all of `text` matches `pattern`; a pattern that does not
/// compile matches nothing.
pub fn whole_match(text: &str, pattern: &str) -> bool {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(pattern) {
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            let anchored = Regex::new(&format!("^(?:{pattern})$")).ok();
            cache.insert(pattern.to_string(), anchored);
        }
        cache
            .get(pattern)
            .and_then(Option::as_ref)
            .is_some_and(|re| re.is_match(text))
    })
}
