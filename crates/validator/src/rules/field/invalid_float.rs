//! PF208 `invalid-float`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;
use crate::values::FloatError;

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

/// A value of a `float` or `double` field that is not one.
#[derive(Debug, Clone, Copy)]
pub struct InvalidFloat<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
    /// The value as read: unquoted and unescaped, not necessarily UTF-8.
    pub value: &'a [u8],
    /// `double` rather than `float`.
    pub double: bool,
    /// What is wrong with it.
    pub error: FloatError,
}

impl InvalidFloat<'_> {
    fn ty(&self) -> &'static str {
        if self.double {
            "double"
        } else {
            "float"
        }
    }
}

impl Violation for InvalidFloat<'_> {
    const RULE: &'static Rule = &PF208;
    fn message(&self) -> String {
        let what = match self.error {
            FloatError::NotFinite => "is not a finite number",
            FloatError::Separator => "uses a comma or a thousands separator",
            FloatError::Whitespace => "has surrounding spaces",
            FloatError::Range => "is out of range",
            FloatError::Syntax => "is not a number",
        };
        format!(
            "`{}` value {} {what} (`{}`)",
            self.name,
            quote_value(self.value, 60),
            self.ty()
        )
    }
    fn help(&self) -> Option<String> {
        Some(match self.error {
            FloatError::NotFinite => {
                "leave the value empty (if the field is nullable) or write a number".to_string()
            }
            FloatError::Separator => {
                "use `.` as the decimal point and no thousands separators, e.g. 1234.5".to_string()
            }
            FloatError::Whitespace => "remove the spaces".to_string(),
            FloatError::Range => format!("the value does not fit a `{}`", self.ty()),
            FloatError::Syntax => "write a plain decimal number, e.g. 12.5".to_string(),
        })
    }
}
