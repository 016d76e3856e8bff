//! PF207 `invalid-integer`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a value of an `int` or `long` field that is not an integer literal in range (`1596238243.0`, `12 `, `1e5`).
    ///
    /// ## Why is this bad?
    /// An `int` or `long` value must be a plain integer that fits the type. Exports that pass through
    /// floating point (pandas turns a column with a missing value into `1596238243.0`), ISO dates in
    /// TIMESTAMP, exponents and padding spaces cannot be read as the schema type, so the import fails.
    /// Rejecting `1596238243.0` is not documented; preflight's default is an error, since it is not an
    /// integer literal.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243.0
    /// u2,i7,2020-07-31T23:30:43Z
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// u2,i7,1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF207 = "PF207", "invalid-integer", Field, Error;
}
