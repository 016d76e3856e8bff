//! PF208 `invalid-float`.

use crate::diagnostic::{Family, Rule, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a value of a `float` or `double` field that is not a plain decimal number (`NaN`, `inf`, `1,5`, `1 000`).
    ///
    /// ## Why is this bad?
    /// Numeric values may be whole numbers or decimals; the docs say nothing about NaN, infinity or
    /// locale formats. preflight's default (not documented) is to accept only plain decimals with `.` as
    /// the separator and no thousands separators: a decimal comma also splits the record unless quoted,
    /// and `NaN` or `1 000` are not numbers every reader agrees on. A value that does not parse as the
    /// schema type fails the import.
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,PRICE
    /// i1,"4,99"
    /// i2,NaN
    /// ```
    ///
    /// Use instead (leave the value empty only if the field's type allows `null`):
    /// ```csv
    /// ITEM_ID,PRICE
    /// i1,4.99
    /// i2,
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    pub const PF208 = "PF208", "invalid-float", Field, Error;
}
