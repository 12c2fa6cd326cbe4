//! Small text helpers of the report: HTML escaping and numbers for people.

/// Text for HTML (element content and quoted attributes).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// `n` with thin spaces between groups of three digits (1 234 567).
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    out
}

/// Nanoseconds in the unit that shows three significant digits.
pub fn duration(nanos: u64) -> String {
    let n = nanos as f64;
    if n >= 1e9 {
        format!("{:.2} s", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1} ms", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.0} µs", n / 1e3)
    } else {
        format!("{nanos} ns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1\u{2009}000");
        assert_eq!(group(1234567), "1\u{2009}234\u{2009}567");
        assert_eq!(duration(512), "512 ns");
        assert_eq!(duration(45_600), "46 µs");
        assert_eq!(duration(12_345_678), "12.3 ms");
        assert_eq!(duration(2_500_000_000), "2.50 s");
        assert_eq!(escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }
}
