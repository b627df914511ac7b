//! Pieces of the list panes' tables: cells fitted to column widths, the marks that say a
//! row's state without colour, the filter bar with its legend and the selection's place.

use chrono::{DateTime, Utc};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::domain::zone::Zone;
use crate::present::this_year;
use crate::text::{fit, width};
use crate::tui::theme;
use crate::tui::widgets::window::{Keyed, Window};

/// Columns the marks take.
pub const MARKS: usize = 3;
/// Narrowest and widest the phone column gets.
pub const PHONE_MIN: usize = 11;
/// The widest phone shown whole (`+86 138 0000 1234`).
pub const PHONE_MAX: usize = 17;

/// Width of a time column (`MM-DD HH:MM`, see `present::short_minutes`).
pub const TIME: usize = 11;
/// Width of a time column that shows a year (`YYYY-MM-DD HH:MM`).
const TIME_YEAR: usize = 16;

/// Width of a time column holding `times`: room for the year when one of them is not in the
/// year of `now` (in the desk's zone).
pub fn time_width(
    mut times: impl Iterator<Item = DateTime<Utc>>,
    now: DateTime<Utc>,
    zone: Zone,
) -> usize {
    if times.all(|t| this_year(t, now, zone)) {
        TIME
    } else {
        TIME_YEAR
    }
}

/// Width of a column of labels (a stage, a category, a kind, a role): its widest cell in
/// memory and its header, so that neither is ever cut.
pub fn label_width(header: &str, cells: impl Iterator<Item = usize>) -> usize {
    cells.chain([width(header)]).max().unwrap_or(0)
}

/// The marks of a row, each a character that says it without colour.
pub fn marks(overdue: bool, flagged: bool, risk: bool) -> Vec<Span<'static>> {
    let mark = |on: bool, c: &'static str, style: Style| {
        if on {
            Span::styled(c, style)
        } else {
            Span::raw(" ")
        }
    };
    vec![
        mark(overdue, "!", theme::overdue()),
        mark(flagged, "#", theme::flagged()),
        mark(risk, "*", theme::risk()),
    ]
}

/// The selection's place in the list: `n / total`, or `n / read+` while the end is not
/// read yet.
pub fn position_text<T: Keyed>(window: &Window<T>) -> String {
    if window.rows().is_empty() {
        return String::new();
    }
    let n = window.position() + 1;
    match window.total() {
        Some(t) => format!("{n} / {t}"),
        None => format!("{n} / {}+", window.read()),
    }
}

/// The first line of a list: `left` (filters or parts), then the legend and the position
/// on the right, each left out when there is no room.
pub fn bar_line(
    mut left: Vec<Span<'static>>,
    legend: &str,
    position: &str,
    cols: usize,
) -> Line<'static> {
    let used: usize = left.iter().map(Span::width).sum();
    let mut right = Vec::new();
    let mut right_w = 0;
    if !position.is_empty() && used + width(position) + 1 < cols {
        right_w += width(position) + 1;
        right.push(Span::raw(format!("{position} ")));
    }
    if !legend.is_empty() && used + right_w + width(legend) + 2 < cols {
        right_w += width(legend) + 2;
        right.insert(0, Span::styled(format!("{legend}  "), theme::hint()));
    }
    if used > cols {
        let text: String = left.iter().map(|s| s.content.as_ref()).collect();
        return Line::raw(fit(&text, cols));
    }
    left.push(Span::raw(
        " ".repeat(cols - used - right_w.min(cols - used)),
    ));
    left.extend(right);
    Line::from(left)
}

/// Cells fitted to their widths, one space apart (a column of width zero is left out).
pub fn cells_line<const N: usize>(widths: &[usize; N], cells: [String; N]) -> String {
    let mut out = String::new();
    let mut first = true;
    for (cell, w) in cells.iter().zip(widths) {
        if *w == 0 {
            continue;
        }
        if !first {
            out.push(' ');
        }
        first = false;
        out.push_str(&fit(cell, *w));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_is_as_wide_as_the_list() {
        let line = bar_line(vec![Span::raw("[a 全部]")], "! 逾期", "3 / 9", 40);
        assert_eq!(line.width(), 40);
        let line = bar_line(vec![Span::raw("[a 全部]")], "! 逾期", "3 / 9", 8);
        assert_eq!(line.width(), 8);
        let line = bar_line(vec![Span::raw("[a 全部]")], "! 逾期", "3 / 9", 5);
        assert_eq!(line.width(), 5);
    }
}
