//! PF010 `control-character`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags NUL and other control characters (except tab) inside values.
    ///
    /// ## Why is this bad?
    /// How Personalize treats control characters is not documented; preflight's default is a warning.
    /// They are invisible in most editors and usually come from a broken export or a binary column.
    /// In an ID they make two IDs that look equal different, so interactions and items no longer join;
    /// the docs ask for no special characters in IDs.
    ///
    /// ## Example
    /// Here `<NUL>` stands for the byte `00`:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1<NUL>,1596238243
    /// ```
    ///
    /// Use instead:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    pub const PF010 = "PF010", "control-character", File, Warning;
}

/// A control character in a line.
#[derive(Debug, Clone, Copy)]
pub struct ControlCharacter {
    /// The byte (below 0x20, not a tab).
    pub byte: u8,
}

impl Violation for ControlCharacter {
    const RULE: &'static Rule = &PF010;
    fn message(&self) -> String {
        let what = match self.byte {
            0 => "a NUL byte".to_string(),
            b'\r' => "a carriage return inside the line".to_string(),
            b => format!("the control character 0x{b:02X}"),
        };
        format!("the line contains {what}")
    }
    fn help(&self) -> Option<String> {
        Some(
            "remove control characters from the data; they usually come from a broken export"
                .into(),
        )
    }
}
