//! PF104 `header-case-mismatch`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a header name that matches a schema field only when case is ignored (`user_id` for `USER_ID`).
    ///
    /// ## Why is this bad?
    /// Header names must map to the schema field names. Whether the match ignores case is not
    /// documented; preflight's default is an exact, case-sensitive match, so `user_id` does not satisfy
    /// a field `USER_ID` and the column would be reported missing (`Input CSV is missing the following columns`).
    /// The help line gives the schema's spelling.
    ///
    /// ## Example
    /// With a schema whose fields are `USER_ID`, `ITEM_ID`, `TIMESTAMP`:
    /// ```csv
    /// user_id,item_id,timestamp
    /// u1,i1,1596238243
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html>
    pub const PF104 = "PF104", "header-case-mismatch", Header, Error, fix = Safe;
}

/// A header name that matches a schema field only when case or spaces are ignored.
#[derive(Debug, Clone, Copy)]
pub struct HeaderCaseMismatch<'a> {
    /// The header cell as written (`user_id`).
    pub name: &'a str,
    /// The schema field it matches.
    pub field: &'a str,
}

impl Violation for HeaderCaseMismatch<'_> {
    const RULE: &'static Rule = &PF104;
    fn message(&self) -> String {
        format!(
            "header `{}` matches the schema field `{}` only when case or spaces are ignored",
            self.name, self.field
        )
    }
    fn help(&self) -> Option<String> {
        Some(format!(
            "rename the column to `{}`: header names must match schema fields exactly",
            self.field
        ))
    }
}
