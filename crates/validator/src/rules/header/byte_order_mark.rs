//! PF103 `byte-order-mark`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a UTF-8 byte order mark (EF BB BF) before the header.
    ///
    /// ## Why is this bad?
    /// Whether Personalize strips a byte order mark is not documented; preflight's default is an error.
    /// If it is not stripped, the three invisible bytes become part of the first column name: `USER_ID`
    /// no longer matches the schema and the job fails with `Input CSV is missing the following columns`
    /// for a column that looks present. This has happened in a real import.
    /// Excel's "CSV UTF-8" format and several Windows tools write a BOM.
    ///
    /// ## Example
    /// Here `<BOM>` stands for the invisible bytes `EF BB BF`:
    /// ```csv
    /// <BOM>USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// ```
    ///
    /// Use instead (save as UTF-8 without BOM):
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html>
    pub const PF103 = "PF103", "byte-order-mark", Header, Error, fix = Safe;
}

/// A UTF-8 byte order mark at the start of the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct ByteOrderMark;

impl Violation for ByteOrderMark {
    const RULE: &'static Rule = &PF103;
    fn message(&self) -> String {
        "the file starts with a UTF-8 byte order mark (EF BB BF)".into()
    }
    fn help(&self) -> Option<String> {
        Some("save the file as UTF-8 without BOM (for example `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE`)".into())
    }
}
