//! The header row: BOM, quoting, exact names, case, duplicates, missing and unknown columns,
//! order. Decides what to check in each column of the records.

use super::columns::{column_for, Column};
use crate::diagnostic::{make_snippet, snippet_at, Diagnostic, Location};
use crate::dialect::{split_line, Fields};
use crate::report::Policy;
use crate::rules::{
    ColumnOrder, DuplicateColumn, HeaderCaseMismatch, MissingColumn, MissingHeader, UnknownColumn,
    Violation,
};
use crate::schema::Schema;

/// What the header analysis found.
#[derive(Debug)]
pub(crate) struct HeaderInfo {
    /// Header cell names (unquoted).
    pub names: Vec<String>,
    /// What to check in each CSV column.
    pub columns: Vec<Column>,
    /// The first line is data, not a header (PF101 with a matching field count).
    pub first_line_is_data: bool,
    /// The header rules' findings (the hooks' come from `run_hooks`).
    pub diags: Vec<Diagnostic>,
}

/// Header cells longer than this are kept shortened: no schema field name can be this long (a
/// whole schema has at most 20,000 characters), so no match is lost, and a 50 MB first line is
/// not copied into every structure that holds the header (it used 6 times the file in memory).
const MAX_NAME_BYTES: usize = 20_000;

/// A header cell as a name: shortened past [`MAX_NAME_BYTES`] to its start and its length.
fn cell_name(v: &[u8]) -> String {
    if v.len() <= MAX_NAME_BYTES {
        return String::from_utf8_lossy(v).into_owned();
    }
    let mut end = MAX_NAME_BYTES;
    while end > 0 && (v[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    format!(
        "{}… ({} bytes)",
        String::from_utf8_lossy(&v[..end]),
        v.len()
    )
}

/// Splits the header line (BOM and `\r` already removed) into names.
pub(crate) fn header_names(line: &[u8]) -> Vec<String> {
    let mut f = Fields::default();
    split_line(line, &mut f);
    (0..f.len()).map(|i| cell_name(f.value(line, i))).collect()
}

/// Analyses the header of `file`. `bom` is the length of a removed byte order mark.
pub(crate) fn analyse(file: &str, line: &[u8], bom: usize, schema: Option<&Schema>) -> HeaderInfo {
    let mut fields = Fields::default();
    split_line(line, &mut fields);
    let names: Vec<String> = (0..fields.len())
        .map(|i| cell_name(fields.value(line, i)))
        .collect();
    let mut diags = Vec::new();
    let at = |i: usize| {
        let span = fields.spans[i];
        Location {
            file: Some(file.to_string()),
            line: Some(1),
            column: Some(i as u32 + 1),
            field: Some(names[i].clone()),
            byte: Some((bom + span.raw_start) as u64),
        }
    };
    // The character column of every cell, counted once.
    let mut cols = Vec::with_capacity(fields.len());
    let mut chars = 0;
    let mut from = 0;
    for span in &fields.spans {
        let to = span.raw_start.min(line.len()).max(from);
        chars += crate::dialect::char_count(&line[from..to]);
        from = to;
        cols.push(chars + 1);
    }
    let snip = |i: usize| {
        let span = fields.spans[i];
        snippet_at(line, span.raw_start, span.raw_end, 100, cols[i])
    };

    let Some(schema) = schema else {
        let columns = names.iter().map(|n| Column::unknown(n)).collect();
        return HeaderInfo {
            names,
            columns,
            first_line_is_data: false,
            diags,
        };
    };

    // PF101: nothing in the first line names a schema field.
    let matches_any = names.iter().any(|n| {
        schema
            .fields
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case(n.trim()))
    });
    if !matches_any && !schema.fields.is_empty() {
        let same_count = names.len() == schema.fields.len();
        diags.push(
            MissingHeader {
                line,
                fields: schema.fields.iter().map(|f| f.name.as_str()).collect(),
            }
            .diagnostic()
            .at(Location {
                file: Some(file.to_string()),
                line: Some(1),
                byte: Some(bom as u64),
                ..Location::default()
            })
            .with_snippet(make_snippet(line, 0, line.len().min(80), 100)),
        );
        let columns = if same_count {
            schema
                .fields
                .iter()
                .map(|f| column_for(f, schema.dataset_type))
                .collect()
        } else {
            names.iter().map(|n| Column::unknown(n)).collect()
        };
        return HeaderInfo {
            names,
            columns,
            first_line_is_data: same_count,
            diags,
        };
    }

    // Map every column to a field.
    let mut used = vec![false; schema.fields.len()];
    let mut mapped: Vec<Option<usize>> = Vec::with_capacity(names.len());
    // A set, not a scan of the names before: a header of 10,000 repeated names took seconds.
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (i, name) in names.iter().enumerate() {
        if !seen.insert(name.as_str()) {
            diags.push(
                DuplicateColumn { name }
                    .diagnostic()
                    .at(at(i))
                    .with_snippet(snip(i)),
            );
            mapped.push(None);
            continue;
        }
        let exact = schema.fields.iter().position(|f| &f.name == name);
        if let Some(fi) = exact.filter(|&fi| !used[fi]) {
            used[fi] = true;
            mapped.push(Some(fi));
            continue;
        }
        let folded = schema
            .fields
            .iter()
            .enumerate()
            .position(|(fi, f)| !used[fi] && f.name.eq_ignore_ascii_case(name.trim()));
        if let Some(fi) = folded {
            used[fi] = true;
            mapped.push(Some(fi));
            let want = &schema.fields[fi].name;
            diags.push(
                HeaderCaseMismatch { name, field: want }
                    .diagnostic()
                    .at(at(i))
                    .with_snippet(snip(i)),
            );
            continue;
        }
        let suggestion = schema
            .fields
            .iter()
            .enumerate()
            .filter(|(fi, _)| !used[*fi])
            .map(|(_, f)| {
                (
                    edit_distance(&f.name.to_ascii_lowercase(), &name.to_ascii_lowercase()),
                    &f.name,
                )
            })
            .filter(|(d, _)| *d <= 2)
            .min();
        let unknown = UnknownColumn {
            name,
            suggestion: suggestion.map(|(_, s)| s.as_str()),
        };
        diags.push(unknown.diagnostic().at(at(i)).with_snippet(snip(i)));
        mapped.push(None);
    }

    // PF105: schema fields with no column, listed together as Personalize does.
    let missing: Vec<&str> = schema
        .fields
        .iter()
        .enumerate()
        .filter(|(fi, _)| !used[*fi])
        .map(|(_, f)| f.name.as_str())
        .collect();
    if !missing.is_empty() {
        let field = missing.first().map(|s| s.to_string());
        diags.push(
            MissingColumn {
                missing,
                fields: schema.fields.iter().map(|f| f.name.as_str()).collect(),
            }
            .diagnostic()
            .at(Location {
                file: Some(file.to_string()),
                line: Some(1),
                field,
                ..Location::default()
            })
            .with_snippet(make_snippet(line, line.len(), line.len(), 100)),
        );
    }

    // PF107: mapped columns must follow the schema's order.
    let order: Vec<usize> = mapped.iter().flatten().copied().collect();
    if order.windows(2).any(|w| w[0] > w[1]) {
        let first_bad = mapped
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.map(|fi| (i, fi)))
            .collect::<Vec<_>>()
            .windows(2)
            .find(|w| w[0].1 > w[1].1)
            .map(|w| w[1].0)
            .unwrap_or(0);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        let expected: Vec<&str> = sorted
            .iter()
            .map(|&fi| schema.fields[fi].name.as_str())
            .collect();
        let header_order: Vec<&str> = order
            .iter()
            .map(|&fi| schema.fields[fi].name.as_str())
            .collect();
        diags.push(
            ColumnOrder {
                header: header_order,
                schema: expected,
            }
            .diagnostic()
            .at(at(first_bad))
            .with_snippet(snip(first_bad)),
        );
    }

    let columns = names
        .iter()
        .zip(&mapped)
        .map(|(n, m)| match m {
            Some(fi) => {
                let mut p = column_for(&schema.fields[*fi], schema.dataset_type);
                p.name.clone_from(&schema.fields[*fi].name);
                p
            }
            None => Column::unknown(n),
        })
        .collect();
    HeaderInfo {
        names,
        columns,
        first_line_is_data: false,
        diags,
    }
}

/// A file's first line as the header hooks see it (`rules::hooks::HeaderHook`).
#[derive(Debug)]
#[allow(
    dead_code,
    reason = "what every hook of the family is given; the hooks of today read only part of it"
)]
pub(crate) struct HeaderCx<'a> {
    /// The file as the user named it.
    pub file: &'a str,
    /// The header line, without its byte order mark and line ending.
    pub line: &'a [u8],
    /// The length of the byte order mark removed before `line` (0 or 3), for byte offsets.
    pub bom: usize,
    /// The line split into cells (raw spans into `line`, quoting included).
    pub fields: &'a Fields,
    /// The cells' names, unquoted.
    pub names: &'a [String],
    /// What the records' values are checked for, per column (unknown for a cell that names no
    /// schema field).
    pub columns: &'a [Column],
    /// The schema the file is checked against, if there is one.
    pub schema: Option<&'a Schema>,
}

impl HeaderCx<'_> {
    /// The location of cell `i` (0-based): line 1, its column, its name and its byte.
    pub fn at(&self, i: usize) -> Location {
        let span = self.fields.spans[i];
        Location {
            file: Some(self.file.to_string()),
            line: Some(1),
            column: Some(i as u32 + 1),
            field: self.names.get(i).cloned(),
            byte: Some((self.bom + span.raw_start) as u64),
        }
    }

    /// The header line with cell `i` underlined, for a finding's snippet.
    pub fn snippet(&self, i: usize) -> crate::diagnostic::Snippet {
        let span = self.fields.spans[i];
        let column = crate::dialect::char_count(&self.line[..span.raw_start.min(self.line.len())]);
        snippet_at(self.line, span.raw_start, span.raw_end, 100, column + 1)
    }
}

/// Runs the header hooks on a file's first line, analysed as `info`.
pub(crate) fn run_hooks(
    file: &str,
    line: &[u8],
    bom: usize,
    info: &HeaderInfo,
    schema: Option<&Schema>,
    policy: &Policy,
) -> Vec<Diagnostic> {
    let mut fields = Fields::default();
    split_line(line, &mut fields);
    let cx = HeaderCx {
        file,
        line,
        bom,
        fields: &fields,
        names: &info.names,
        columns: &info.columns,
        schema,
    };
    let mut out = Vec::new();
    crate::rules::hooks::header(policy, &cx, &mut out);
    out
}

/// Levenshtein distance for short names (header suggestions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 || a.len() > 200 || b.len() > 200 {
        return usize::MAX;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{builtin, DatasetType};

    #[test]
    fn a_huge_header_cell_is_kept_short() {
        // Regression (adversarial corpus): a 50 MB first line without a newline used 324 MB.
        let line = vec![b'x'; 1 << 20];
        let names = header_names(&line);
        assert_eq!(names.len(), 1);
        assert!(names[0].len() < MAX_NAME_BYTES + 32);
        assert!(
            names[0].ends_with("… (1048576 bytes)"),
            "{}",
            &names[0][19_990..]
        );
        let schema = builtin(DatasetType::Interactions, None, None).unwrap();
        let info = analyse("f.csv", &line, 0, Some(&schema));
        assert_eq!(info.names, names);
        // Short names are unchanged, multi-byte characters are cut whole.
        assert_eq!(header_names(b"USER_ID,ITEM_ID"), ["USER_ID", "ITEM_ID"]);
        let wide = "a".to_string() + &"é".repeat(MAX_NAME_BYTES);
        let name = cell_name(wide.as_bytes());
        let kept = name.split('…').next().unwrap();
        assert_eq!(kept, "a".to_string() + &"é".repeat(MAX_NAME_BYTES / 2 - 1));
    }

    #[test]
    fn a_header_of_many_repeated_names_takes_linear_time() {
        // Regression (adversarial corpus): each repeated name was compared with every name
        // before it, and its snippet counted the characters before it again: 10,000 names took
        // 7 s in a debug build, 50,000 would take minutes.
        let schema = builtin(DatasetType::Interactions, None, None).unwrap();
        let line = vec!["USER_ID"; 50_000].join(",");
        let start = std::time::Instant::now();
        let info = analyse("f.csv", line.as_bytes(), 0, Some(&schema));
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
        let dups: Vec<_> = info
            .diags
            .iter()
            .filter(|d| d.rule.code == "PF108")
            .collect();
        assert_eq!(dups.len(), 49_999);
        let last = dups.last().unwrap();
        assert_eq!(last.location.column, Some(50_000));
        let snippet = last.snippet.as_ref().unwrap();
        assert_eq!(snippet.line_col, 49_999 * 8 + 1);
    }
}
