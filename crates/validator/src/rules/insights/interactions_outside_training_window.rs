//! PF508 `interactions-outside-training-window`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::text::pct;

declare_rule! {
    /// ## What it does
    /// Flags interactions that fall outside the window a recipe trains on: for item interactions, those older than the most recent 500 million (the quota, adjustable; 3 billion for User-Personalization-v2 and Personalized-Ranking-v2); for action interactions, those older than 6 weeks before the latest.
    ///
    /// ## Why is this bad?
    /// Training uses only the most recent interactions up to the quota, and Next-Best-Action scores
    /// an action only from action interactions within 6 weeks of the latest action-interaction
    /// timestamp. Older records are imported and stored but not used, which costs import time and
    /// money and can hide the fact that recent data is thin. Ages are counted in whole UTC days:
    /// interactions on days before the day the window starts.
    ///
    /// ## Example
    /// An action interactions file spanning 2023-01-01 to 2023-06-30: the records before
    /// 2023-05-19 (6 weeks before the latest) do not count toward Next-Best-Action's per-action
    /// minimums.
    ///
    /// Use instead: import recent data, or raise the training quota if you need more history.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/native-recipe-next-best-action.html>
    pub const PF508 = "PF508", "interactions-outside-training-window", Insights, Info;
}

/// Interactions older than the window training uses.
#[derive(Debug, Clone, Copy)]
pub struct InteractionsOutsideTrainingWindow<'a> {
    /// Interactions before the window.
    pub older: u64,
    /// Interactions with a valid TIMESTAMP.
    pub dated: u64,
    /// The window's first day (`YYYY-MM-DD`).
    pub start: &'a str,
    /// What the window is.
    pub window: &'a str,
    /// Action interactions (Next-Best-Action's window).
    pub actions: bool,
}

impl Violation for InteractionsOutsideTrainingWindow<'_> {
    const RULE: &'static Rule = &PF508;
    fn message(&self) -> String {
        format!(
            "{} of {} interactions ({}) are from before {}, outside the window: {}",
            self.older,
            self.dated,
            pct(self.older, self.dated),
            self.start,
            self.window
        )
    }
    fn help(&self) -> Option<String> {
        Some(
            if self.actions {
                "older action interactions do not count toward an action's 50 TAKEN and 50 NOT_TAKEN or VIEWED interactions (PF514); import recent data"
            } else {
                "import only the recent history you need, or raise the training quota"
            }
            .into(),
        )
    }
}
