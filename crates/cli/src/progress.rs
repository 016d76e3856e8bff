//! The upload progress bar: drawn on stderr, only where someone watches it.

use preflight_uploader::Progress;

use crate::args::ProgressChoice;

/// Whether to draw a progress bar: on request, or on a terminal outside CI.
pub fn show_progress(choice: ProgressChoice, stderr_is_terminal: bool, is_ci: bool) -> bool {
    match choice {
        ProgressChoice::Always => true,
        ProgressChoice::Never => false,
        ProgressChoice::Auto => stderr_is_terminal && !is_ci,
    }
}

/// Whether the environment says this is CI (`CI` set to anything but `false` or `0`).
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// An indicatif bar of bytes.
#[derive(Debug)]
pub struct Bar(indicatif::ProgressBar);

impl Bar {
    pub fn new() -> Bar {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(0),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg:30!} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Bar(bar)
    }
}

impl Progress for Bar {
    fn begin(&self, total_bytes: u64) {
        self.0.set_length(total_bytes);
    }
    fn file(&self, name: &str) {
        self.0.set_message(name.to_string());
    }
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_shown_only_where_someone_watches() {
        use ProgressChoice::*;
        let table = [
            // (choice, stderr is a terminal, CI, shown)
            (Auto, true, false, true),
            (Auto, true, true, false),
            (Auto, false, false, false),
            (Auto, false, true, false),
            (Always, false, true, true),
            (Always, true, false, true),
            (Never, true, false, false),
            (Never, false, false, false),
        ];
        for (choice, tty, ci, shown) in table {
            assert_eq!(
                show_progress(choice, tty, ci),
                shown,
                "{choice:?} tty={tty} ci={ci}"
            );
        }
    }
}
