//! PF507 `numeric-outliers`.

use crate::diagnostic::{Diagnostic, Family, Rule, Severity};
use crate::rules::hooks::{InsightsCx, InsightsHook};
use crate::rules::Violation;
use crate::text::{num, pct};

declare_rule! {
    /// ## What it does
    /// Flags numeric columns with outliers: values outside Tukey's far-out fences, below Q1 - 3 IQR or above Q3 + 3 IQR.
    ///
    /// ## Why is this bad?
    /// Personalize's Data insights flags numeric outliers: a price of 999999 or a rating of -1 is
    /// usually a placeholder or a unit error, and it skews what the model learns from the column.
    /// The method is Tukey's fences with k = 3 on the column's quartiles (Q1, Q3; IQR = Q3 - Q1).
    /// Columns whose IQR is 0 are not judged (most values equal). TIMESTAMP and other `*TIMESTAMP`
    /// columns are left to the timestamp rules. Quartiles are exact while a column has at most
    /// 100,000 distinct values; beyond that values are grouped to 3 significant digits (a relative
    /// error under 0.5%).
    ///
    /// ## Example
    /// ```csv
    /// ITEM_ID,PRICE
    /// i1,10
    /// i2,12
    /// i3,11
    /// i4,13
    /// i5,99999
    /// ```
    /// Q1 = 11, Q3 = 13, IQR = 2: the fences are 5 and 19, so `99999` is an outlier.
    ///
    /// Use instead: fix or remove placeholder values (leave them empty if the field is nullable).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/analyzing-data.html>
    pub const PF507 = "PF507", "numeric-outliers", Insights, Warning;
}

/// Numeric values outside Tukey's far-out fences.
#[derive(Debug, Clone, Copy)]
pub struct NumericOutliers<'a> {
    /// The column's schema field name.
    pub name: &'a str,
    /// Values outside the fences.
    pub outliers: u64,
    /// Records with a value in the column (what the share of outliers is of).
    pub filled: u64,
    /// Q1 - 3 IQR and Q3 + 3 IQR.
    pub fences: (f64, f64),
    /// The first and third quartiles.
    pub quartiles: (f64, f64),
    /// The smallest and largest values.
    pub range: (f64, f64),
}

/// Detection: every numeric column whose quartiles found values outside the fences.
impl InsightsHook for NumericOutliers<'_> {
    fn check_insights(cx: &InsightsCx<'_>, out: &mut Vec<Diagnostic>) {
        for column in &cx.insights.columns {
            let Some(n) = column.numeric.as_ref().filter(|n| n.outliers > 0) else {
                continue;
            };
            let found = NumericOutliers {
                name: &column.name,
                outliers: n.outliers,
                filled: column.filled,
                fences: (n.low_fence, n.high_fence),
                quartiles: (n.q1, n.q3),
                range: (n.min, n.max),
            };
            out.push(found.diagnostic());
        }
    }
}

impl Violation for NumericOutliers<'_> {
    const RULE: &'static Rule = &PF507;
    fn message(&self) -> String {
        format!(
            "`{}` has {} outlier{} ({}) outside Tukey's fences [{}, {}] (Q1 {}, Q3 {}, k = 3); the values range from {} to {}",
            self.name,
            self.outliers,
            if self.outliers == 1 { "" } else { "s" },
            pct(self.outliers, self.filled),
            num(self.fences.0),
            num(self.fences.1),
            num(self.quartiles.0),
            num(self.quartiles.1),
            num(self.range.0),
            num(self.range.1)
        )
    }
    fn help(&self) -> Option<String> {
        Some("check for placeholder values (-1, 999999) and unit errors; leave unknown values empty if the field is nullable".into())
    }
}
