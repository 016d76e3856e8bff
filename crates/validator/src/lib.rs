//! `preflight-validator`: checks Amazon Personalize schemas and bulk-import CSV files against
//! every documented rule, in one parallel pass over the data.
//!
//! The library never prints and never touches the network: it reads bytes and returns a
//! [`Report`] of [`Diagnostic`]s. The `preflight` binary renders them.

#![deny(missing_docs)]

pub mod diagnostic;
pub mod dialect;
mod engine;
pub mod fix;
mod hash;
mod import_mode;
pub mod input;
pub mod insights;
pub mod line_filter;
pub mod plan;
pub mod report;
pub mod rules;
pub mod schema;
mod sync;
pub mod temp;
mod text;
pub mod training;
pub mod values;

pub use diagnostic::{Applicability, Diagnostic, Family, Level, Location, Rule, Severity, Snippet};
pub use engine::{check_schema_source, validate, Error, Options, SchemaSource};
pub use fix::{fix, fix_into, FixError, FixOptions, FixSummary, Rewrite};
pub use import_mode::ImportMode;
pub use input::{non_csv_name, resolve, InputError, InputFile, OnceReader, Source};
pub use insights::{insights, InsightOptions, InsightSet, Insights};
pub use line_filter::{LineCursor, LineSet};
pub use plan::{
    disk_estimate, plan, DiskEstimate, Existing, ExistingState, IdCounts, Mode, NewIdCounts, Plan,
    PlanError, PlanOptions,
};
pub use report::{Collector, FileSummary, Policy, Report, RuleCount, Summary};
pub use schema::{DatasetType, Domain, FieldType, Schema, SchemaField};
