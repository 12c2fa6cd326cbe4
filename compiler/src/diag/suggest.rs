//! "Did you mean ...?" for misspelt names.

/// The candidate closest to `name` by edit distance (a swap of neighbours
/// counts as one edit), if it is close enough to be a plausible typo: at
/// most a third of the name's length, rounded up. Candidates whose length
/// alone rules them out are skipped, and the tables are reused, so that a
/// program with thousands of names and errors is still checked at once.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    closest_within(name, candidates, name.chars().count().div_ceil(3))
}

/// [`closest`], within `limit` edits.
pub fn closest_within<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
    limit: usize,
) -> Option<&'a str> {
    let a: Vec<char> = name.chars().collect();
    // A one- or two-letter name is close to every other short name.
    if a.len() < 3 {
        return None;
    }
    let mut osa = Osa::default();
    candidates
        .filter(|c| *c != name && c.len().abs_diff(name.len()) <= limit * 4)
        .filter_map(|c| {
            osa.b.clear();
            osa.b.extend(c.chars());
            (osa.b.len().abs_diff(a.len()) <= limit).then(|| (osa.distance(&a), c))
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Edit distance over characters with adjacent transpositions (optimal
/// string alignment), keeping its buffers from one call to the next.
#[derive(Default)]
struct Osa {
    b: Vec<char>,
    /// Rows `i - 2`, `i - 1` and `i` of the table.
    rows: [Vec<usize>; 3],
}

impl Osa {
    /// The distance from `a` to `self.b`.
    fn distance(&mut self, a: &[char]) -> usize {
        let (b, n) = (&self.b, self.b.len());
        for row in &mut self.rows {
            row.clear();
            row.resize(n + 1, 0);
        }
        for (j, cell) in self.rows[1].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            let [two, one, cur] = &mut self.rows;
            cur[0] = i;
            for j in 1..=n {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (one[j] + 1).min(cur[j - 1] + 1).min(one[j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(two[j - 2] + 1);
                }
                cur[j] = best;
            }
            self.rows.rotate_left(1);
        }
        self.rows[1][n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: &str, b: &str) -> usize {
        let mut osa = Osa::default();
        osa.b.extend(b.chars());
        osa.distance(&a.chars().collect::<Vec<_>>())
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["reach", "edge", "node"];
        assert_eq!(closest("reahc", names.into_iter()), Some("reach"));
        assert_eq!(closest("edges", names.into_iter()), Some("edge"));
        assert_eq!(closest("zzz", names.into_iter()), None);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("reahc", "reach"), 1);
    }
}
