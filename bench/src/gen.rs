//! Deterministic input generators: a seeded splitmix64, a random directed graph
//! (for `tc`) and a random recursive tree (for `sg`). Same seed and sizes give
//! the same file on every machine.

use std::collections::HashSet;

use crate::workload::Pair;

/// The default seed of generated inputs.
pub const SEED: u64 = 0x00f0_1dc0_be4c_0001;

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough to draw
/// benchmark graphs.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift; the bias is below 2^-40
    /// for every `n` used here.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

/// splitmix64's output function; also the row hash of the output fingerprint.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `edges` distinct directed edges among `nodes` nodes, no self-loops, each
/// drawn uniformly (in the order drawn).
pub fn random_graph(nodes: u64, edges: u64, seed: u64) -> Result<Vec<Pair>, String> {
    if nodes < 2 || edges > nodes * (nodes - 1) {
        return Err(format!(
            "a graph of {nodes} nodes has room for at most {} edges, asked for {edges}",
            nodes.saturating_mul(nodes.saturating_sub(1))
        ));
    }
    let mut rng = SplitMix64::new(seed ^ mix64(nodes) ^ mix64(edges).rotate_left(17));
    let mut seen = HashSet::with_capacity(edges as usize);
    let mut out = Vec::with_capacity(edges as usize);
    while (out.len() as u64) < edges {
        let a = rng.below(nodes) as i64;
        let b = rng.below(nodes) as i64;
        if a != b && seen.insert((a, b)) {
            out.push((a, b));
        }
    }
    Ok(out)
}

/// A random recursive tree on `nodes` nodes: node `i > 0` gets a parent drawn
/// uniformly from `0..i`. Rows are `(parent, child)`.
pub fn random_tree(nodes: u64, seed: u64) -> Vec<Pair> {
    let mut rng = SplitMix64::new(seed ^ mix64(nodes));
    (1..nodes)
        .map(|i| (rng.below(i) as i64, i as i64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_reference() {
        // First outputs of splitmix64 seeded with 0 (from the reference C code).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn graph_is_deterministic_distinct_and_loop_free() {
        let g = random_graph(50, 400, SEED).unwrap();
        assert_eq!(g, random_graph(50, 400, SEED).unwrap());
        assert_eq!(g.len(), 400);
        assert!(g
            .iter()
            .all(|&(a, b)| a != b && (0..50).contains(&a) && (0..50).contains(&b)));
        let set: HashSet<_> = g.iter().collect();
        assert_eq!(set.len(), 400);
        assert!(random_graph(3, 7, SEED).is_err());
    }

    #[test]
    fn tree_parents_precede_children() {
        let t = random_tree(1000, SEED);
        assert_eq!(t.len(), 999);
        assert!(t
            .iter()
            .enumerate()
            .all(|(i, &(p, c))| c == i as i64 + 1 && p < c));
        assert_eq!(t, random_tree(1000, SEED));
    }
}
