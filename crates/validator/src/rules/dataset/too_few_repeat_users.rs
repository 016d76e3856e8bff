//! PF302 `too-few-repeat-users`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags interactions with fewer than 25 users who have at least 2 interactions each.
    ///
    /// ## Why is this bad?
    /// Training a solution version or recommender needs at least 25 unique users with at least 2
    /// interactions each. The import succeeds, but training fails later with
    /// `Create failed. Dataset has fewer than 25 users with at least 2 interactions each.`
    /// For useful recommendations AWS suggests at least 50,000 interactions from at least 1,000 users
    /// with two or more each. It is a warning because later imports may add the missing history.
    ///
    /// ## Example
    /// An interactions file of 1,200 rows from 1,180 users, of whom only 10 have a second interaction.
    ///
    /// Use instead: import a longer history (more months of events) so that returning users show up,
    /// and check that USER_ID is a stable user key rather than a session ID.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html>
    pub const PF302 = "PF302", "too-few-repeat-users", Dataset, Warning;
}

/// Fewer than 25 users with two interactions or more.
#[derive(Debug, Clone, Copy)]
pub struct TooFewRepeatUsers {
    /// Users with two interactions or more.
    pub repeat: u64,
    /// All users.
    pub users: u64,
}

impl Violation for TooFewRepeatUsers {
    const RULE: &'static Rule = &PF302;
    fn message(&self) -> String {
        format!(
            "only {} of {} users have at least 2 interactions; training needs 25",
            self.repeat, self.users
        )
    }
    fn help(&self) -> Option<String> {
        Some("import more history per user before training (this import alone is not enough)".into())
    }
}
