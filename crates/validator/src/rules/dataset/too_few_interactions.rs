//! PF301 `too-few-interactions`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an interactions import with fewer than 1,000 records.
    ///
    /// ## Why is this bad?
    /// Every import job into an interactions dataset, FULL or INCREMENTAL, needs at least 1,000
    /// records, and appending with INCREMENTAL needs at least 1,000 new records; a smaller import
    /// fails. Training also needs at least 1,000 interactions,
    /// counted after any event-type or event-value filtering.
    /// Small daily increments and sample files are the usual cause.
    ///
    /// ## Example
    /// A daily INCREMENTAL export with 640 records:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,click
    /// ```
    /// (and 639 more rows).
    ///
    /// Use instead: collect several days into one import of at least 1,000 records, or send small
    /// increments with the PutEvents API instead of an import job.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/updating-datasets.html>
    pub const PF301 = "PF301", "too-few-interactions", Dataset, Error;
}

/// Fewer than 1,000 interaction records.
#[derive(Debug, Clone, Copy)]
pub enum TooFewInteractions {
    /// In one import job.
    Import {
        /// The job's records.
        records: u64,
    },
    /// In the dataset after an INCREMENTAL job (the plan, with the existing data given).
    AfterIncrementalJob {
        /// What the dataset holds after the job.
        records: u64,
        /// Of those, the existing records.
        existing: u64,
    },
}

impl Violation for TooFewInteractions {
    const RULE: &'static Rule = &PF301;
    fn message(&self) -> String {
        match *self {
            TooFewInteractions::Import { records } => format!(
                "the import has {records} interaction record{}; every interactions import job needs at least 1000",
                if records == 1 { "" } else { "s" }
            ),
            TooFewInteractions::AfterIncrementalJob { records, existing } => format!(
                "after the job the dataset holds {records} interaction{} ({existing} existing, {} new); Personalize needs at least 1000 to train",
                if records == 1 { "" } else { "s" },
                records.saturating_sub(existing)
            ),
        }
    }
    fn help(&self) -> Option<String> {
        Some("add records, or combine this batch with the next one before importing".into())
    }
}
