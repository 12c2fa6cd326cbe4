//! Plain-text tables for the terminal (`--stats`, `foldc stats`,
//! `foldc bench`): columns padded to their widest cell, the first
//! `left` columns aligned left (names), the rest right (numbers).

/// Render `head` and `rows` as aligned lines.
pub fn render<R: AsRef<[String]>>(head: &[&str], rows: &[R], left: usize) -> String {
    let mut width: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, c) in width.iter_mut().zip(row.as_ref()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut l = String::new();
        for (i, (c, w)) in cells.zip(&width).enumerate() {
            let pad = w - c.chars().count();
            if i < left {
                l.push_str(c);
                l.extend(std::iter::repeat_n(' ', pad));
            } else {
                l.extend(std::iter::repeat_n(' ', pad));
                l.push_str(c);
            }
            l.push_str("  ");
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&mut head.iter().copied());
    for row in rows {
        line(&mut row.as_ref().iter().map(String::as_str));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn pads_names_left_and_numbers_right() {
        let rows = vec![
            vec!["extend".to_string(), "12".to_string()],
            vec!["x".to_string(), "3".to_string()],
        ];
        assert_eq!(
            super::render(&["rule", "events"], &rows, 1),
            "rule    events\nextend      12\nx            3\n"
        );
    }
}
