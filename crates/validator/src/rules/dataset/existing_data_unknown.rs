//! PF315 `existing-data-unknown`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use super::too_few_new_interactions::in_batch_collapse;

declare_rule! {
    /// ## What it does
    /// Notes that an INCREMENTAL interactions or action interactions import was planned without the
    /// dataset's existing data, and gives what is known instead: the batch's distinct records (after
    /// exact duplicates in the batch collapse) are an upper bound on the records it adds.
    ///
    /// ## Why is this bad?
    /// It is not: appending a day's events without a local copy of the whole dataset is the everyday
    /// INCREMENTAL import, and Personalize runs it. But an INCREMENTAL job into an interactions
    /// dataset needs at least 1,000 *new* records, and a record identical to one already in the
    /// dataset collapses into it and adds nothing. Without the existing data the plan cannot count
    /// those, so it reports the bound. With fewer than 1,000 distinct records the job fails whatever
    /// the dataset holds: that is PF310, an error. Items, users and actions have no such minimum and
    /// get no note.
    ///
    /// Readings taken: the existing data is *unknown* when it was neither given (`--existing`, the
    /// config's `existing`) nor fetched (`--existing-from-history`), and the account was not asked
    /// or lists an earlier ACTIVE import; it is *known to be empty* when the account lists no ACTIVE
    /// import or `--first-import` says so (then PF314 applies). The limits that depend on the whole
    /// dataset (repeat users PF302/PF303, a domain's event-type minimums PF306) are not judged on
    /// the batch alone in this state.
    ///
    /// ## Example
    /// `preflight validate --dataset-type interactions --mode incremental today.csv` with 1,500
    /// distinct interactions: at most 1,500 are new.
    ///
    /// Use instead: pass the dataset's bulk data with `--existing PATH` (an export made with
    /// `ingestionMode` `BULK`) or rebuild it with `--existing-from-history` to count exactly.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/updating-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    pub const PF315 = "PF315", "existing-data-unknown", Dataset, Info;
}

/// An INCREMENTAL interactions job planned without the existing data.
#[derive(Debug, Clone, Copy)]
pub struct ExistingDataUnknown {
    /// The batch's distinct records: at most this many are new.
    pub distinct: u64,
    /// The batch's records.
    pub records: u64,
    /// Repeated in the batch.
    pub repeated: u64,
}

impl Violation for ExistingDataUnknown {
    const RULE: &'static Rule = &PF315;
    fn message(&self) -> String {
        format!(
            "the existing data is unknown: at most {} new interactions (the batch's distinct records{}); pass --existing or --existing-from-history to count exactly",
            self.distinct,
            in_batch_collapse(self.records, self.repeated)
        )
    }
    fn help(&self) -> Option<String> {
        Some("records identical to ones already in the dataset collapse and do not count toward the 1000 new records an INCREMENTAL job needs: export only events newer than the last import".into())
    }
}
