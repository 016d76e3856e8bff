//! PF211 `categorical-value-too-long`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a categorical value longer than 1,000 characters (the whole cell, `|` separators included).
    ///
    /// ## Why is this bad?
    /// Categorical values in Items, Users and Actions data are limited to 1,000 characters, and the docs
    /// say a longer value fails the import job (most likely with
    /// `Length cannot be more than 1000 characters for COLUMN_NAME`). preflight measures the whole cell
    /// including the `|` separators, the stricter reading of the limit. Long cells usually hold every tag
    /// a system ever attached, or text that belongs in a textual field.
    ///
    /// ## Example
    /// Here the GENRES cell is 1,240 characters long:
    /// ```csv
    /// ITEM_ID,GENRES
    /// i1,Action|Adventure|Animation|Biography|...|Western
    /// ```
    ///
    /// Use instead (the categories that matter):
    /// ```csv
    /// ITEM_ID,GENRES
    /// i1,Action|Adventure
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF211 = "PF211", "categorical-value-too-long", Field, Error;
}

/// A categorical value longer than 1,000 characters.
#[derive(Debug, Clone, Copy)]
pub struct CategoricalValueTooLong<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
    /// Its length in characters.
    pub chars: usize,
}

impl Violation for CategoricalValueTooLong<'_> {
    const RULE: &'static Rule = &PF211;
    fn message(&self) -> String {
        format!(
            "categorical `{}` is {} characters long; the limit is 1000",
            self.name, self.chars
        )
    }
    fn help(&self) -> Option<String> {
        Some("shorten the values or split them into several categorical fields; a longer value fails the import".into())
    }
}
