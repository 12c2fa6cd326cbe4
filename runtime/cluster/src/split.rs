//! Cutting a CSV file into chunks of at most N records, never inside a
//! record (a quoted field may hold line breaks): each chunk is the file's
//! header line followed by whole records, byte for byte as in the file.

/// One piece of a file.
pub struct Piece {
    pub bytes: Vec<u8>,
    pub rows: u64,
}

/// Cut `data` (a CSV file with a header line; `name` names it in errors)
/// into pieces of at most `rows_per_piece` records.
pub fn split_csv(data: &[u8], rows_per_piece: usize, name: &str) -> Result<Vec<Piece>, String> {
    let rows_per_piece = rows_per_piece.max(1);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    // Record starts, in bytes; the first record is the header.
    let mut starts: Vec<usize> = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                let at = record.position().map(|p| p.byte()).unwrap_or(0);
                starts.push(at as usize);
            }
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(format!("`{name}` line {line}: cannot split: {e}"));
            }
        }
    }
    if starts.len() <= 1 {
        return Ok(Vec::new());
    }
    let header = &data[..starts[1]];
    let records = &starts[1..];
    let mut pieces = Vec::new();
    for group in records.chunks(rows_per_piece) {
        let from = group[0];
        let last = group[group.len() - 1];
        let to = starts
            .iter()
            .find(|&&s| s > last)
            .copied()
            .unwrap_or(data.len());
        let mut bytes = Vec::with_capacity(header.len() + to - from);
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(&data[from..to]);
        pieces.push(Piece {
            bytes,
            rows: group.len() as u64,
        });
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_between_records_keeping_quoted_line_breaks() {
        let data = b"a,b\n1,\"x\ny\"\n2,z\n3,w";
        let pieces = split_csv(data, 2, "t.csv").unwrap();
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0].bytes, b"a,b\n1,\"x\ny\"\n2,z\n");
        assert_eq!(pieces[0].rows, 2);
        assert_eq!(pieces[1].bytes, b"a,b\n3,w");
        assert_eq!(pieces[1].rows, 1);
    }

    #[test]
    fn header_only_gives_nothing() {
        assert!(split_csv(b"a,b\n", 5, "t.csv").unwrap().is_empty());
    }
}
