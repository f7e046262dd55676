//! ANSI styling that is a no-op when color is off, so renderers never branch.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

macro_rules! paint {
    ($($name:ident => $code:expr),* $(,)?) => {
        $(pub fn $name(&self, s: &str) -> String {
            if self.color { format!("\x1b[{}m{s}\x1b[0m", $code) } else { s.to_string() }
        })*
    };
}

impl Style {
    pub fn new(color: bool) -> Style {
        Style { color }
    }

    paint! {
        error => "1;31",
        warning => "1;33",
        info => "1;36",
        help => "1;32",
        bold => "1",
        dim => "2",
        gutter => "1;34",
        ok => "1;32",
    }

    /// Styles by severity name: error, warning, info.
    pub fn severity(&self, severity: &str, s: &str) -> String {
        match severity {
            "error" => self.error(s),
            "warning" => self.warning(s),
            _ => self.info(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_means_plain() {
        assert_eq!(Style::new(false).error("x"), "x");
        assert_eq!(Style::new(true).error("x"), "\x1b[1;31mx\x1b[0m");
    }
}
