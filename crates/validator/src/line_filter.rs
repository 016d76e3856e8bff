//! Sets of line numbers, for reporting row-level findings only on some lines of a file (the
//! lines a pull request added or changed).
//!
//! A [`LineSet`] is a sorted list of disjoint ranges, so a membership test is a binary search
//! and a scan over a block's lines in order is a [`LineCursor`] that only moves forward.

use std::ops::RangeInclusive;

/// A set of 1-based physical line numbers, stored as sorted, disjoint, half-open ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineSet {
    /// `(start, end)` with `start < end`: lines `start..end`. Sorted, disjoint, not adjacent.
    ranges: Vec<(u64, u64)>,
}

impl LineSet {
    /// The empty set: no line is selected.
    pub fn empty() -> Self {
        LineSet::default()
    }

    /// A set from inclusive ranges in any order; overlapping and adjacent ranges are merged and
    /// empty ones (`5..=4`) dropped.
    pub fn from_ranges(ranges: impl IntoIterator<Item = RangeInclusive<u64>>) -> Self {
        let mut v: Vec<(u64, u64)> = ranges
            .into_iter()
            .filter(|r| r.start() <= r.end())
            .map(|r| (*r.start(), r.end().saturating_add(1)))
            .collect();
        v.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::with_capacity(v.len());
        for (s, e) in v {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        LineSet { ranges: merged }
    }

    /// Whether no line is selected.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// How many lines are selected.
    pub fn len(&self) -> u64 {
        self.ranges.iter().map(|(s, e)| e - s).sum()
    }

    /// Whether `line` is selected (a binary search).
    pub fn contains(&self, line: u64) -> bool {
        // The first range that ends after `line`; it holds `line` if it starts at or before it.
        let i = self.ranges.partition_point(|&(_, e)| e <= line);
        self.ranges.get(i).is_some_and(|&(s, _)| s <= line)
    }

    /// The ranges, as inclusive ranges in order.
    pub fn ranges(&self) -> impl Iterator<Item = RangeInclusive<u64>> + '_ {
        self.ranges.iter().map(|&(s, e)| s..=e - 1)
    }

    /// A cursor for testing lines in increasing order, starting at `line`.
    pub fn cursor(&self, line: u64) -> LineCursor<'_> {
        let i = self.ranges.partition_point(|&(_, e)| e <= line);
        LineCursor {
            rest: &self.ranges[i..],
        }
    }
}

/// Tests lines in increasing order in amortised constant time. Asking about a line smaller than
/// an earlier one gives a wrong answer.
#[derive(Debug, Clone)]
pub struct LineCursor<'a> {
    rest: &'a [(u64, u64)],
}

impl LineCursor<'_> {
    /// Whether `line` is selected; `line` must not be smaller than the previous one asked.
    #[inline]
    pub fn contains(&mut self, line: u64) -> bool {
        while let Some(&(s, e)) = self.rest.first() {
            if line < e {
                return s <= line;
            }
            self.rest = &self.rest[1..];
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[expect(clippy::reversed_empty_ranges, reason = "an empty range, on purpose")]
    fn merges_sorts_and_drops_empty_ranges() {
        let s = LineSet::from_ranges([10..=12, 2..=3, 4..=4, 11..=15, 20..=19]);
        assert_eq!(s.ranges().collect::<Vec<_>>(), vec![2..=4, 10..=15]);
        assert_eq!(s.len(), 9);
        assert!(LineSet::empty().is_empty());
        assert!(!LineSet::empty().contains(1));
    }

    #[test]
    fn contains_and_cursor_agree() {
        let s = LineSet::from_ranges([3..=5, 9..=9, 100..=200]);
        let mut c = s.cursor(1);
        for line in 1..=250 {
            let want = (3..=5).contains(&line) || line == 9 || (100..=200).contains(&line);
            assert_eq!(s.contains(line), want, "line {line}");
            assert_eq!(c.contains(line), want, "cursor at line {line}");
        }
        // A cursor that starts in the middle of the set.
        let mut c = s.cursor(150);
        assert!(c.contains(150));
        assert!(c.contains(200));
        assert!(!c.contains(201));
    }

    #[test]
    fn cursor_skips_ranges_between_sparse_lines() {
        let s = LineSet::from_ranges((0..1000).map(|i| i * 10..=i * 10));
        let mut c = s.cursor(0);
        assert!(c.contains(5000));
        assert!(!c.contains(5001));
        assert!(c.contains(9990));
        assert!(!c.contains(10_000));
    }
}
