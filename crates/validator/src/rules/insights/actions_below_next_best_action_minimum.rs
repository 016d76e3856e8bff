//! PF514 `actions-below-next-best-action-minimum`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::quote_value;
use crate::text::thousands;

declare_rule! {
    /// ## What it does
    /// Counts, in an action interactions dataset, the actions that have at least 50 `TAKEN` and at
    /// least 50 `NOT_TAKEN` or `VIEWED` action interactions within 6 weeks of the latest action
    /// interaction, and flags the others by example. `plan` counts it for a FULL import (the batch
    /// is then the whole dataset); `insights` for the files it is given.
    ///
    /// ## Why is this bad?
    /// Next-Best-Action gives an action a propensity score only once it has at least 50 action
    /// interactions with the `TAKEN` event type and at least 50 with `NOT_TAKEN` or `VIEWED`, all
    /// within 6 weeks of the latest interaction timestamp of the dataset. Until then the action is
    /// recommended without personalization, with a score of 0. The import succeeds either way.
    /// Days are whole UTC days, as for PF508: the window starts 42 days before the day of the latest
    /// action interaction. Event types are matched as PF222 matches them (any case; `not taken` or
    /// `not_taken`). Exact duplicate records are counted before they collapse.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ACTION_ID,TIMESTAMP,EVENT_TYPE
    /// u1,join-loyalty,1709251200,TAKEN
    /// u2,join-loyalty,1709251260,VIEWED
    /// ```
    /// With only these two records, `join-loyalty` has 1 `TAKEN` and 1 `VIEWED`: no score.
    ///
    /// Use instead: import at least 50 `TAKEN` and 50 `NOT_TAKEN` or `VIEWED` interactions per
    /// action from the last 6 weeks (or stream them with PutActionInteractions).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/native-recipe-next-best-action.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/action-interactions-datasets.html>
    pub const PF514 = "PF514", "actions-below-next-best-action-minimum", Insights, Info;
}

/// Actions without enough recent interactions for Next-Best-Action to score them.
#[derive(Debug, Clone)]
pub struct ActionsBelowNextBestActionMinimum<'a> {
    /// Actions with the minimum.
    pub meeting: u64,
    /// Actions counted.
    pub actions: u64,
    /// There are more actions than counted.
    pub more: bool,
    /// Actions below the minimum.
    pub below: u64,
    /// The window's first day and the latest day, if any timestamp was valid.
    pub window: Option<(&'a str, &'a str)>,
    /// The first actions below it: (ACTION_ID, TAKEN, NOT_TAKEN or VIEWED).
    pub examples: Vec<(&'a str, u64, u64)>,
    /// The minimum of each kind.
    pub minimum: u64,
}

impl Violation for ActionsBelowNextBestActionMinimum<'_> {
    const RULE: &'static Rule = &PF514;
    fn message(&self) -> String {
        let window = match self.window {
            Some((start, latest)) => {
                format!(" from {start} on (6 weeks before the latest, {latest})")
            }
            None => " (no action interaction has a valid TIMESTAMP)".to_string(),
        };
        let examples: Vec<String> = self
            .examples
            .iter()
            .map(|(action, taken, other)| {
                format!(
                    "{} ({taken} TAKEN, {other} NOT_TAKEN/VIEWED)",
                    quote_value(action.as_bytes(), 40)
                )
            })
            .collect();
        let min = self.minimum;
        format!(
            "{} of {}{} actions {} at least {min} TAKEN and {min} NOT_TAKEN or VIEWED action interactions{window}; Next-Best-Action gives the other {} a score of 0 until they do: {}{}",
            thousands(self.meeting),
            if self.more { "more than " } else { "" },
            thousands(self.actions),
            if self.meeting == 1 { "has" } else { "have" },
            thousands(self.below),
            examples.join(", "),
            if self.below > self.examples.len() as u64 { ", …" } else { "" }
        )
    }
    fn help(&self) -> Option<String> {
        Some("import recent TAKEN and NOT_TAKEN or VIEWED interactions for those actions (interactions older than 6 weeks before the latest do not count)".into())
    }
}
