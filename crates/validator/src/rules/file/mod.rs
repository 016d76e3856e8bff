//! Rules of the file family.

pub mod blank_line;
pub mod control_character;
pub mod crlf_line_endings;
pub mod empty_file;
pub mod empty_file_in_folder;
pub mod file_in_subfolder;
pub mod invalid_utf8;
pub mod no_records;
pub mod non_csv_file_in_folder;
pub mod not_plain_csv;
pub mod utf16_encoding;

pub use blank_line::PF006;
pub use control_character::PF010;
pub use crlf_line_endings::PF005;
pub use empty_file::PF001;
pub use empty_file_in_folder::PF011;
pub use file_in_subfolder::PF007;
pub use invalid_utf8::PF002;
pub use no_records::PF009;
pub use non_csv_file_in_folder::PF008;
pub use not_plain_csv::PF004;
pub use utf16_encoding::PF003;
