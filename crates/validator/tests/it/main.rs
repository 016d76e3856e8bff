//! The integration tests of the validator: one test binary (each area a module).

mod engine;
mod insights;
mod line_filter;
mod plan;
mod reader_source;
mod schema_fuzz;
