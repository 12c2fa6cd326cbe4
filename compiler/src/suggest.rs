//! "Did you mean ...?" for misspelt names.

/// The candidate closest to `name` by edit distance, if it is close enough
/// to be a plausible typo (at most a third of the name's length, at least 1).
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .filter(|c| *c != name)
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["reach", "edge", "node"];
        assert_eq!(closest("reahc", names.into_iter()), Some("reach"));
        assert_eq!(closest("edges", names.into_iter()), Some("edge"));
        assert_eq!(closest("zzz", names.into_iter()), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
