//! PF312 `full-import-too-large`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a FULL import whose files hold more than 100 GB (10^11 bytes) in total.
    ///
    /// ## Why is this bad?
    /// Personalize limits the data of one FULL dataset import job to 100 GB; a larger job fails. For
    /// item interactions the limit rises to 1 TB when the "item interactions considered" quota is
    /// raised: pass the limit you have with `--max-full-bytes`. preflight counts 1 GB as 10^9 bytes.
    ///
    /// ## Example
    /// `preflight plan --mode full history/` where `history/` holds 140 GB of interactions.
    ///
    /// Use instead: import the most recent 100 GB (Personalize trains on the most recent interactions
    /// anyway), or ask for the quota increase first.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF312 = "PF312", "full-import-too-large", Dataset, Error;
}

/// A FULL job over its size limit.
#[derive(Debug, Clone, Copy)]
pub struct FullImportTooLarge {
    /// The job's bytes.
    pub bytes: u64,
    /// The most bytes one FULL import job may read (100 GB).
    pub limit: u64,
}

impl Violation for FullImportTooLarge {
    const RULE: &'static Rule = &PF312;
    fn message(&self) -> String {
        format!(
            "the FULL import holds {} bytes; one FULL job takes at most {} bytes",
            self.bytes, self.limit
        )
    }
    fn help(&self) -> Option<String> {
        Some("import less (the most recent data matters most), or pass your raised quota with --max-full-bytes".into())
    }
}
