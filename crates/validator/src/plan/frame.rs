//! The plan's relational steps in polars, on columns of 128-bit keys produced by our parser
//! (ARCHITECTURE.md#memory-grows-with-distinct-values-polars-is-fed-by-our-parser): the new
//! batch's in-batch deduplication, and the join of each chunk of
//! existing records against the batch.
//!
//! Keys are `UInt128` columns built from the capture's per-block vectors without copying (one
//! polars chunk per block). Only eager operations are used (`arg_unique`, `take`, inner
//! `join`, `sort`), so polars builds without its lazy engine.

use polars::prelude::*;

/// Column names.
const KEY: &str = "key";
const REC: &str = "rec";
const NIDX: &str = "nidx";
const EREC: &str = "erec";
const EROW: &str = "erow";

/// A `UInt128` column over per-block vectors, without copying them (one polars chunk each).
fn u128_column(name: &str, chunks: Vec<Vec<u128>>) -> PolarsResult<Column> {
    let mut ca = UInt128Chunked::from_vec(name.into(), Vec::new());
    for c in chunks.into_iter().filter(|c| !c.is_empty()) {
        let next = UInt128Chunked::from_vec(name.into(), c);
        if ca.is_empty() {
            ca = next;
        } else {
            ca.append_owned(next)?;
        }
    }
    Ok(ca.into_series().into_column())
}

fn index_column(name: &str, n: usize) -> PolarsResult<Column> {
    let n = IdxSize::try_from(n).map_err(
        |_| polars_err!(ComputeError: "{n} records is more than this build of polars can index"),
    )?;
    Ok(IdxCa::from_vec(name.into(), (0..n).collect()).into_column())
}

/// The new batch after in-batch deduplication.
#[derive(Debug)]
pub(crate) struct Batch {
    /// Columns `key` (the ID hash, or the identity for interactions), `rec` (the identity, ID
    /// types only) and `nidx` (0.. in batch order), one row per distinct record.
    pub frame: DataFrame,
    /// For each distinct record, its index among all the batch's keyed records (ascending).
    pub kept: Vec<IdxSize>,
    /// Keyed records in the batch.
    pub records: u64,
}

impl Batch {
    /// Distinct records.
    pub fn distinct(&self) -> usize {
        self.kept.len()
    }
}

/// Deduplicates the batch as Personalize would: by ID with the last occurrence winning (ID
/// types, `id` non-empty), or by identity with every later copy collapsing into the first.
pub(crate) fn dedupe(rec: Vec<Vec<u128>>, id: Option<Vec<Vec<u128>>>) -> PolarsResult<Batch> {
    let rec = u128_column(REC, rec)?;
    let n = rec.len();
    let (key, rec) = match id {
        Some(id) => (u128_column(KEY, id)?, Some(rec)),
        None => (rec.with_name(KEY.into()), None),
    };
    polars_ensure!(key.len() == n, ComputeError: "the batch has {} IDs for {n} records", key.len());
    let kept: Vec<IdxSize> = if rec.is_some() {
        // The last occurrence of an ID is the first in reverse order.
        let reversed = key.as_materialized_series().reverse();
        let last = n.saturating_sub(1) as IdxSize;
        let mut kept: Vec<IdxSize> = reversed
            .u128()?
            .arg_unique()?
            .into_no_null_iter()
            .map(|i| last - i)
            .collect();
        kept.sort_unstable();
        kept
    } else {
        key.as_materialized_series()
            .u128()?
            .arg_unique()?
            .into_no_null_iter()
            .collect()
    };
    let mut columns = Vec::with_capacity(3);
    if kept.len() == n {
        columns.push(key);
        columns.extend(rec);
    } else {
        let idx = IdxCa::from_vec("kept".into(), kept.clone());
        columns.push(key.take(&idx)?);
        if let Some(rec) = rec {
            columns.push(rec.take(&idx)?);
        }
    }
    columns.push(index_column(NIDX, kept.len())?);
    let frame = DataFrame::new_infer_height(columns)?;
    Ok(Batch {
        frame,
        kept,
        records: n as u64,
    })
}

/// One existing record that matches a distinct batch record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Match {
    /// The batch record (`nidx`).
    pub new: IdxSize,
    /// The existing record's row in its chunk.
    pub row: IdxSize,
    /// Whether the whole record is identical (always true for interactions).
    pub same: bool,
}

/// Joins a chunk of existing records (`key`, and `rec` for ID types, one vector per block) with
/// the batch: every (batch record, existing row) pair with the same key; for ID types in
/// existing-row order.
pub(crate) fn join_chunk(
    batch: &Batch,
    key: Vec<Vec<u128>>,
    rec: Option<Vec<Vec<u128>>>,
) -> PolarsResult<Vec<Match>> {
    let key = u128_column(KEY, key)?;
    let rows = key.len();
    if rows == 0 || batch.frame.height() == 0 {
        return Ok(Vec::new());
    }
    let mut columns = vec![key];
    let by_id = rec.is_some();
    if let Some(rec) = rec {
        columns.push(u128_column(EREC, rec)?);
    }
    columns.push(index_column(EROW, rows)?);
    let chunk = DataFrame::new_infer_height(columns)?;
    let mut joined =
        batch
            .frame
            .join(&chunk, [KEY], [KEY], JoinArgs::new(JoinType::Inner), None)?;
    if by_id && joined.height() > 1 {
        // The last existing record of an ID decides: matches in existing order.
        joined = joined.sort([EROW], SortMultipleOptions::default())?;
    }
    let new = joined.column(NIDX)?.idx()?;
    let row = joined.column(EROW)?.idx()?;
    let same: Option<BooleanChunked> = if by_id {
        let a = joined.column(REC)?.as_materialized_series();
        let b = joined.column(EREC)?.as_materialized_series();
        Some(a.equal(b)?)
    } else {
        None
    };
    let mut out = Vec::with_capacity(joined.height());
    match same {
        Some(same) => {
            for ((n, r), s) in new
                .into_no_null_iter()
                .zip(row.into_no_null_iter())
                .zip(same.iter())
            {
                out.push(Match {
                    new: n,
                    row: r,
                    same: s.unwrap_or(false),
                });
            }
        }
        None => {
            for (n, r) in new.into_no_null_iter().zip(row.into_no_null_iter()) {
                out.push(Match {
                    new: n,
                    row: r,
                    same: true,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interactions_keep_the_first_copy() {
        let b = dedupe(vec![vec![5, 7], vec![5, 9, 7, 1]], None).unwrap();
        assert_eq!(b.records, 6);
        assert_eq!(b.kept, vec![0, 1, 3, 5]);
        let m = join_chunk(&b, vec![vec![9, 8], vec![5, 9]], None).unwrap();
        let mut pairs: Vec<(IdxSize, IdxSize)> = m.iter().map(|m| (m.new, m.row)).collect();
        pairs.sort_by_key(|p| p.1);
        assert_eq!(pairs, vec![(2, 0), (0, 2), (2, 3)]);
    }

    #[test]
    fn ids_keep_the_last_occurrence() {
        // IDs 1, 2, 1, 3, 2: the last 1 is record 2, the last 2 is record 4.
        let b = dedupe(
            vec![vec![10, 20, 11, 30, 21]],
            Some(vec![vec![1, 2, 1], vec![3, 2]]),
        )
        .unwrap();
        assert_eq!(b.kept, vec![2, 3, 4]);
        // Existing: ID 2 identical to the kept 2 (21), ID 1 different, ID 9 unknown.
        let m = join_chunk(&b, vec![vec![2, 1, 9]], Some(vec![vec![21, 10, 90]])).unwrap();
        assert_eq!(
            m,
            vec![
                Match {
                    new: 2,
                    row: 0,
                    same: true
                },
                Match {
                    new: 0,
                    row: 1,
                    same: false
                },
            ]
        );
    }

    #[test]
    fn empty_inputs() {
        let b = dedupe(Vec::new(), None).unwrap();
        assert_eq!(b.distinct(), 0);
        assert!(join_chunk(&b, vec![vec![1]], None).unwrap().is_empty());
    }
}
