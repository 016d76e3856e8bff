//! PF002 `invalid-utf8`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags bytes that are not valid UTF-8.
    ///
    /// ## Why is this bad?
    /// Personalize requires UTF-8 whenever the data contains any non-ASCII character.
    /// Files exported as Latin-1 or Windows-1252 (common for spreadsheet exports) contain bytes that
    /// are not UTF-8. Whether the job then fails or imports garbled values is not documented; either way
    /// a mangled ID no longer matches the same ID in the other datasets.
    ///
    /// ## Example
    /// Here `<E9>` stands for the single Windows-1252 byte for `é`:
    /// ```csv
    /// ITEM_ID,DESCRIPTION
    /// i1,"Caf<E9> au lait"
    /// ```
    ///
    /// Use instead (saved as UTF-8, where `é` is the two bytes `C3 A9`):
    /// ```csv
    /// ITEM_ID,DESCRIPTION
    /// i1,"Café au lait"
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    pub const PF002 = "PF002", "invalid-utf8", File, Error;
}

/// Bytes that are not UTF-8.
#[derive(Debug, Clone, Copy)]
pub enum InvalidUtf8<'a> {
    /// In a record: the invalid sequence.
    Record {
        /// The bytes of the invalid sequence, for the message (shown in hex).
        bytes: &'a [u8],
    },
    /// In the header line.
    Header,
}

impl Violation for InvalidUtf8<'_> {
    const RULE: &'static Rule = &PF002;
    fn message(&self) -> String {
        match self {
            InvalidUtf8::Record { bytes } => {
                let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
                format!("invalid UTF-8 byte sequence {}", hex.join(" "))
            }
            InvalidUtf8::Header => "invalid UTF-8 in the header".into(),
        }
    }
    fn help(&self) -> Option<String> {
        Some(match self {
            InvalidUtf8::Record { .. } => {
                "re-export the file as UTF-8 (for example `iconv -f latin1 -t utf-8`)".into()
            }
            InvalidUtf8::Header => "re-export the file as UTF-8".into(),
        })
    }
}
