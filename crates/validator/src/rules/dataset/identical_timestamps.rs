//! PF309 `identical-timestamps`.

use crate::diagnostic::{Diagnostic, Family, Rule, Severity};
use crate::rules::hooks::{DatasetCx, DatasetHook};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags interactions that all have the same TIMESTAMP.
    ///
    /// ## Why is this bad?
    /// When every record has the same timestamp, the export almost always wrote its own run time instead
    /// of the event time. The 2023 Data Insights flagged this because User-Segmentation training fails
    /// on such data, and time-aware recipes lose the order and recency of events.
    /// The import itself succeeds.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596240000
    /// u2,i7,1596240000
    /// u1,i9,1596240000
    /// ```
    ///
    /// Use instead (the time each event happened):
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// u2,i7,1596238301
    /// u1,i9,1596239112
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/analyzing-data.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    pub const PF309 = "PF309", "identical-timestamps", Dataset, Warning;
}

/// Every interaction at the same TIMESTAMP.
#[derive(Debug, Clone, Copy)]
pub struct IdenticalTimestamps {
    /// Interactions with a TIMESTAMP.
    pub interactions: u64,
    /// The TIMESTAMP.
    pub timestamp: i64,
}

impl Violation for IdenticalTimestamps {
    const RULE: &'static Rule = &PF309;
    fn message(&self) -> String {
        format!(
            "all {} interactions have the same TIMESTAMP {}",
            self.interactions, self.timestamp
        )
    }
    fn help(&self) -> Option<String> {
        Some("use each event's own time; a constant timestamp usually means the export time was written instead".into())
    }
}

/// Detection: at least two interactions with a TIMESTAMP, all the same.
impl DatasetHook for IdenticalTimestamps {
    fn check_dataset(cx: &DatasetCx<'_>, out: &mut Vec<Diagnostic>) {
        let Some(t) = cx.timestamps else { return };
        if cx.dataset_type.is_interactions() && t.count >= 2 && t.min == t.max {
            let found = IdenticalTimestamps {
                interactions: t.count,
                timestamp: t.min,
            };
            out.push(found.diagnostic());
        }
    }
}
