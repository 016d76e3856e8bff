//! PF303 `low-share-of-repeat-users`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags interactions where fewer than 1% of users have at least 2 interactions.
    ///
    /// ## Why is this bad?
    /// A newer training requirement, on top of the 25-user minimum: at least 1% of all users must
    /// have two or more interactions. The import succeeds; training is expected to fail later (the
    /// message is not documented). The usual cause is an anonymous session or cookie ID used as USER_ID,
    /// so that most "users" have a single event. It is a warning because later imports may add history.
    ///
    /// ## Example
    /// Interactions from 200,000 users, of whom 1,500 (0.75%) have at least two interactions; most
    /// USER_ID values are one-visit cookie IDs.
    ///
    /// Use instead: use a stable user ID (for example the account ID of logged-in users), or leave out
    /// one-off anonymous sessions, so that at least 1% of users have two or more interactions.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/limits.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    pub const PF303 = "PF303", "low-share-of-repeat-users", Dataset, Warning;
}

/// Under 1% of the users with two interactions or more.
#[derive(Debug, Clone, Copy)]
pub struct LowShareOfRepeatUsers {
    /// Users with two interactions or more.
    pub repeat: u64,
    /// All users.
    pub users: u64,
}

impl Violation for LowShareOfRepeatUsers {
    const RULE: &'static Rule = &PF303;
    fn message(&self) -> String {
        format!(
            "{} of {} users ({:.2}%) have at least 2 interactions; training needs at least 1%",
            self.repeat,
            self.users,
            self.repeat as f64 * 100.0 / self.users as f64
        )
    }
    fn help(&self) -> Option<String> {
        Some("import more history per user, or check that USER_ID is the right column".into())
    }
}
