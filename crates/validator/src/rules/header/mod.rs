//! Rules of the header family.

pub mod byte_order_mark;
pub mod column_order;
pub mod duplicate_column;
pub mod header_case_mismatch;
pub mod header_differs_between_files;
pub mod missing_column;
pub mod missing_header;
pub mod quoted_header;
pub mod unknown_column;

pub use byte_order_mark::PF103;
pub use column_order::PF107;
pub use duplicate_column::PF108;
pub use header_case_mismatch::PF104;
pub use header_differs_between_files::PF109;
pub use missing_column::PF105;
pub use missing_header::PF101;
pub use quoted_header::PF102;
pub use unknown_column::PF106;
