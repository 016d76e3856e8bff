//! PF513 `actions-beyond-training-limit`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::text::{thousands, Holds};

declare_rule! {
    /// ## What it does
    /// Flags an Actions dataset with more than 1,000 distinct actions (or action interactions with
    /// more than 1,000 distinct ACTION_IDs when no Actions dataset is given). `plan` counts the
    /// Actions dataset after the job.
    ///
    /// ## Why is this bad?
    /// Next-Best-Action considers at most 1,000 actions in training and recommendations. Beyond that,
    /// Personalize picks which; the import succeeds and nothing says which actions were left out.
    /// This is information, not a defect: nothing to fix if a subset is what you want.
    ///
    /// ## Example
    /// An Actions dataset with 1,400 promotions, most of them expired years ago.
    ///
    /// Use instead: import only the actions you want recommended (at most 1,000), for example by
    /// dropping expired ones.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/actions-datasets.html>
    pub const PF513 = "PF513", "actions-beyond-training-limit", Insights, Info;
}

/// More actions than Next-Best-Action considers.
#[derive(Debug, Clone, Copy)]
pub struct ActionsBeyondTrainingLimit {
    /// Distinct action IDs training would consider, counted from what was read (see `holds`).
    pub actions: u64,
    /// How they are known.
    pub holds: Holds,
    /// Actions training considers.
    pub limit: u64,
}

impl Violation for ActionsBeyondTrainingLimit {
    const RULE: &'static Rule = &PF513;
    fn message(&self) -> String {
        format!(
            "{} {} actions; Next-Best-Action considers at most {} of them in training and recommendations, picked by Personalize",
            self.holds.phrase(),
            thousands(self.actions),
            thousands(self.limit)
        )
    }
    fn help(&self) -> Option<String> {
        Some(format!(
            "nothing to fix if that is intended; otherwise import only the actions you want recommended (at most {})",
            thousands(self.limit)
        ))
    }
}
