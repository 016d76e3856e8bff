//! PF209 `invalid-boolean`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;

declare_rule! {
    /// ## What it does
    /// Flags a value of a `boolean` field other than `true` or `false`.
    ///
    /// ## Why is this bad?
    /// The 2023 docs required lowercase `true` or `false` for `boolean` fields, so `True`, `TRUE`, `1` or
    /// `yes` do not match the type. The current docs go further: Personalize does not use `boolean` fields
    /// for training or filtering at all (see PF418) and recommend a string with `True`/`False` or an
    /// `int`/`long` with 0 and 1 instead. Reporting other spellings as an error is preflight's default.
    ///
    /// ## Example
    /// With `IS_MEMBER` of type `boolean`:
    /// ```csv
    /// USER_ID,IS_MEMBER
    /// u1,True
    /// ```
    ///
    /// Use instead (better still, make the field a categorical string):
    /// ```csv
    /// USER_ID,IS_MEMBER
    /// u1,true
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF209 = "PF209", "invalid-boolean", Field, Error;
}

/// A value of a `boolean` field that is not `true` or `false`.
#[derive(Debug, Clone, Copy)]
pub struct InvalidBoolean<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
    /// The value as read: unquoted and unescaped, not necessarily UTF-8.
    pub value: &'a [u8],
}

impl Violation for InvalidBoolean<'_> {
    const RULE: &'static Rule = &PF209;
    fn message(&self) -> String {
        format!(
            "`{}` value {} is not `true` or `false`",
            self.name,
            quote_value(self.value, 60)
        )
    }
    fn help(&self) -> Option<String> {
        Some("write lowercase true or false".into())
    }
}
