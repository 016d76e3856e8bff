//! PF310 `too-few-new-interactions`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags an INCREMENTAL import into an interactions or action interactions dataset that adds
    /// fewer than 1,000 new records once exact duplicates are collapsed.
    ///
    /// ## Why is this bad?
    /// Appending to an interactions dataset with an INCREMENTAL import job needs at least 1,000 *new*
    /// records. Interactions have no ID: a record identical to one already in the dataset (same
    /// timestamp and identical properties), or to an earlier one in the same batch, collapses into it
    /// and adds nothing. A batch of 1,500 rows of which 600 were already imported adds 900 records,
    /// and the job fails after it has run. `preflight plan` (or `validate --existing`) counts new
    /// records against the existing data with values compared by schema type.
    ///
    /// Readings taken, by what is known of the existing data:
    /// - *given* (`--existing`, `--existing-from-history`, the config's `existing`): the new
    ///   records are counted exactly, and fewer than 1,000 is an error;
    /// - *known to be empty* (the account lists no ACTIVE import, or `--first-import`): every
    ///   distinct record is new (and PF314 says INCREMENTAL is not accepted yet);
    /// - *unknown*: the batch's distinct records after in-batch collapse are an upper bound on the
    ///   new ones. Fewer than 1,000 fails whatever the dataset holds, so it is an error; with 1,000
    ///   or more the job may pass, and PF315 (info) gives the bound instead.
    ///
    /// The docs state the 1,000-new-records minimum for both Item interactions and Action
    /// interactions datasets, so both are checked.
    ///
    /// ## Example
    /// A daily export that overlaps the previous day's import:
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
    /// u1,i1,1596238243,click
    /// ```
    /// (1,500 rows, 600 of them already in the dataset).
    ///
    /// Use instead: export only events after the last imported timestamp, collect more days into one
    /// import, or send small increments with the PutEvents API.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/updating-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF310 = "PF310", "too-few-new-interactions", Dataset, Error;
}

/// An INCREMENTAL interactions job with fewer than 1,000 new records.
#[derive(Debug, Clone, Copy)]
pub enum TooFewNewInteractions {
    /// Counted against the existing data.
    Counted {
        /// New records.
        new: u64,
        /// Records that collapse into identical ones.
        collapsed: u64,
        /// The batch's records.
        records: u64,
        /// Identical to a record already in the dataset.
        existing: u64,
        /// Repeated in the batch.
        repeated: u64,
    },
    /// The existing data is unknown: the batch's distinct records bound the new ones.
    AtMost {
        /// The batch's distinct records.
        distinct: u64,
        /// The batch's records.
        records: u64,
        /// Repeated in the batch.
        repeated: u64,
    },
}

impl Violation for TooFewNewInteractions {
    const RULE: &'static Rule = &PF310;
    fn message(&self) -> String {
        match *self {
            TooFewNewInteractions::Counted {
                new,
                collapsed,
                records,
                existing,
                repeated,
            } => format!(
                "the INCREMENTAL import adds {new} new interaction{}: {collapsed} of its {records} record{} collapse into identical records ({existing} already in the dataset, {repeated} repeated in the batch); Personalize needs at least 1000 new records",
                if new == 1 { "" } else { "s" },
                if records == 1 { "" } else { "s" },
            ),
            TooFewNewInteractions::AtMost {
                distinct,
                records,
                repeated,
            } => format!(
                "the INCREMENTAL import has {distinct} distinct interaction{} after in-batch collapse{}, so it adds at most {distinct} new records whatever the dataset holds; Personalize needs at least 1000 new records",
                if distinct == 1 { "" } else { "s" },
                in_batch_collapse(records, repeated),
            ),
        }
    }
    fn help(&self) -> Option<String> {
        Some(
            match self {
                TooFewNewInteractions::Counted { .. } => "export only events newer than the last import, combine this batch with the next one, or send small increments with PutEvents",
                TooFewNewInteractions::AtMost { .. } => "combine this batch with the next one, or send small increments with PutEvents",
            }
            .into(),
        )
    }
}

/// ` (N of its M records repeat an earlier one in the batch)`, or nothing.
pub(crate) fn in_batch_collapse(records: u64, repeated: u64) -> String {
    if repeated > 0 {
        format!(" ({repeated} of its {records} records repeat an earlier one in the batch)")
    } else {
        String::new()
    }
}
