//! The reply script (话术) beside a form: the configured words for this moment, rendered by
//! the desk, wrapped by display width; Ctrl+Y copies it to the terminal's clipboard (OSC 52).
//! The key is declared once here; the forms showing a script look it up before their own.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::desk::script::Rendered;
use crate::error::{Error, Result};
use crate::text::{fit, sanitize_lines, width, wrap_hanging};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Binding, Help, ctrl, footer, help_rows, lookup};
use crate::tui::msg::{Effect, Notice, Out};
use crate::tui::theme;

/// What the script's keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Copy,
}

/// The script's keys (Ctrl+Y: text fields have focus beside it).
const KEYS: &[Binding<Cmd>] = &[Binding::new(&[ctrl('y')], Cmd::Copy)
    .help("Ctrl+Y", "script.help_copy")
    .hint("script.key_copy")];

/// The script for a form: rendered, none configured, or a value it names not known.
pub type Said = Result<Option<Rendered>>;

/// The help rows of the script's keys.
pub fn help() -> impl Iterator<Item = Help> {
    help_rows(KEYS)
}

/// What `key` does to the script shown (`said`, rendered only for a script key), if it is
/// a script key: copies the text (the whole of it) and says so, or says why there is
/// nothing to copy.
pub fn key(key: &KeyEvent, said: impl FnOnce() -> Option<Said>) -> Option<Out> {
    lookup(KEYS, key)?;
    Some(match said()? {
        Ok(Some(s)) => {
            Out::effect(Effect::Copy(s.text)).with_notice(Notice::ScriptCopied(s.moment))
        }
        Ok(None) => Out::notice(Notice::Failed(Error::new("script.nothing"))),
        Err(e) => Out::notice(Notice::Failed(e)),
    })
}

/// The script's title: the moment, and the copy key.
fn title(ctx: &Ctx<'_>, said: &Said) -> String {
    let c = ctx.catalog;
    match said {
        Ok(Some(s)) => c.format(
            "script.title",
            &[("moment", c.text(&s.moment.label_key()).to_string())],
        ),
        _ => c.text("script.title_plain").to_string(),
    }
}

/// The script's text as lines `cols` wide (sanitised, cut by display width), or the
/// reason there is none.
pub fn lines(ctx: &Ctx<'_>, said: &Said, cols: usize) -> Vec<Line<'static>> {
    match said {
        Ok(Some(s)) => sanitize_lines(&s.text)
            .iter()
            .flat_map(|l| wrap(l, cols.max(1)))
            .map(Line::raw)
            .collect(),
        Ok(None) => vec![Line::styled(
            fit(ctx.catalog.text("script.none_here"), cols),
            theme::hint(),
        )],
        Err(e) => {
            // A value not typed yet is no failure: the script shows once it is.
            let (said, style) = if e.key == "script.unresolved" {
                let hint = e.get("hint").unwrap_or_default();
                let waiting = Error::new("script.waiting").arg("hint", hint);
                (ctx.catalog.render(&waiting), theme::hint())
            } else {
                (ctx.catalog.render(e), theme::error())
            };
            wrap_hanging(&said, cols.max(1))
                .into_iter()
                .map(|l| Line::styled(l, style))
                .collect()
        }
    }
}

/// Punctuation a Chinese line does not start with: it goes to the row above, with the
/// character before it.
const NO_LINE_START: &str = "，。、；：？！）」』》…,.;:?!)";

/// Wraps a sanitised line of a script into rows of at most `cols` columns: between words
/// in English, between characters in Chinese, never starting a row with closing punctuation.
fn wrap(line: &str, cols: usize) -> Vec<String> {
    let mut rows = Vec::new();
    let mut row = String::new();
    for c in line.chars() {
        if width(&row) + width(c.encode_utf8(&mut [0; 4])) > cols && !row.is_empty() {
            let carry = if NO_LINE_START.contains(c) {
                row.pop().map(String::from).unwrap_or_default()
            } else if c.is_ascii_alphanumeric() {
                match row.rfind(' ') {
                    Some(at) if at > 0 => row.split_off(at + 1),
                    _ => String::new(),
                }
            } else {
                String::new()
            };
            rows.push(row.trim_end().to_string());
            row = carry;
            if c == ' ' {
                continue;
            }
        }
        row.push(c);
    }
    if !row.trim().is_empty() {
        rows.push(row);
    }
    rows
}

/// Lines for a form's head: a title line with the copy key, then at most `max` lines of
/// the script (the last one cut when there is more: the copy takes the whole text).
pub fn head_lines(ctx: &Ctx<'_>, said: &Said, cols: usize, max: usize) -> Vec<Line<'static>> {
    let keys = footer(ctx.catalog, KEYS, &[] as &[Binding<Cmd>], "  ");
    let head = format!("{}  {keys}", title(ctx, said));
    let mut out = vec![Line::styled(fit(&head, cols), theme::label())];
    let mut text = lines(ctx, said, cols);
    if text.len() > max {
        text.truncate(max);
        if let Some(last) = text.last_mut() {
            let cut: String = last.spans.iter().map(|s| s.content.as_ref()).collect();
            *last = Line::raw(fit(&format!("{} ~", cut.trim_end()), cols));
        }
    }
    out.extend(text);
    out
}

/// How many rows a bordered script box `width` wide needs for `said`.
pub fn height(ctx: &Ctx<'_>, said: &Said, width: u16) -> u16 {
    lines(ctx, said, usize::from(width.saturating_sub(2))).len() as u16 + 2
}

/// Draws the script in a bordered box over `area`, its copy key in the bottom border.
pub fn render(ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect, said: &Said) {
    let keys = footer(ctx.catalog, KEYS, &[] as &[Binding<Cmd>], "  ");
    let block = Block::bordered()
        .title(Span::styled(title(ctx, said), theme::label()))
        .title_bottom(Span::styled(keys, theme::hint()))
        .border_style(theme::border());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(
        Paragraph::new(lines(ctx, said, usize::from(inner.width))),
        inner,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_never_starts_with_closing_punctuation() {
        let rows = wrap("张伟您好，谢谢您打电话告诉我们，给您添麻烦了。", 10);
        // 们 goes down with the comma after it.
        assert_eq!(
            rows,
            [
                "张伟您好，",
                "谢谢您打电",
                "话告诉我",
                "们，给您添",
                "麻烦了。"
            ]
        );
        assert!(rows.iter().all(|r| width(r) <= 10));
        let rows = wrap("Thank you for calling us, 张伟.", 12);
        assert_eq!(rows, ["Thank you", "for calling", "us, 张伟."]);
    }
}
