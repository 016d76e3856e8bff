//! PF311 `incremental-import-too-large`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an INCREMENTAL import whose files hold more than 1 GB (10^9 bytes) in total.
    ///
    /// ## Why is this bad?
    /// Personalize limits the data of one INCREMENTAL dataset import job to 1 GB for every dataset
    /// type; a larger job fails. preflight counts 1 GB as 10^9 bytes, the stricter reading, so a
    /// batch it accepts fits either way. The quota is adjustable: if yours was raised, pass the new
    /// limit with `--max-incremental-bytes`.
    ///
    /// ## Example
    /// `preflight plan --mode incremental --existing dataset/ today/` where `today/` holds 1.4 GB.
    ///
    /// Use instead: split the batch into several INCREMENTAL jobs of at most 1 GB each, or replace the
    /// dataset with a FULL import (up to 100 GB) that contains the existing data too.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF311 = "PF311", "incremental-import-too-large", Dataset, Error;
}

/// An INCREMENTAL job over its size limit.
#[derive(Debug, Clone, Copy)]
pub struct IncrementalImportTooLarge {
    /// The job's bytes.
    pub bytes: u64,
    /// The most bytes one INCREMENTAL import job may read (1 GB).
    pub limit: u64,
}

impl Violation for IncrementalImportTooLarge {
    const RULE: &'static Rule = &PF311;
    fn message(&self) -> String {
        format!(
            "the INCREMENTAL import holds {} bytes; one INCREMENTAL job takes at most {} bytes",
            self.bytes, self.limit
        )
    }
    fn help(&self) -> Option<String> {
        Some("split the batch into several INCREMENTAL jobs, or pass your raised quota with --max-incremental-bytes".into())
    }
}
