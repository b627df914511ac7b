//! The notice line above the status line: what just happened, in the reader's language,
//! coloured by whether it went well. A notice too long for one line takes a second one (a
//! refusal is read whole), cut only beyond that.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::desk::CallResult;
use crate::domain::merge::Link;
use crate::domain::stage::Stage;
use crate::domain::zone::Zone;
use crate::i18n::Catalog;
use crate::present::short_minutes;
use crate::text::{fit, sanitize_line, wrap_hanging};
use crate::tui::forms::agents::Change;
use crate::tui::msg::Notice;
use crate::tui::theme;

/// Rows a notice takes at most.
const MAX_ROWS: usize = 2;

/// Rows `notice` takes in `cols` columns: one, or two when it is longer (the last column
/// is left blank, so a notice that ends there is not taken for a cut one).
pub fn height(c: &Catalog, zone: Zone, notice: &Notice, now: DateTime<Utc>, cols: u16) -> u16 {
    if content(c, zone, notice, now).width() < usize::from(cols) {
        1
    } else {
        MAX_ROWS as u16
    }
}

/// Draws `notice` in `area` (times in it as of `now`): on one line, or wrapped when it is
/// longer (in the style of its first part).
pub fn render(
    c: &Catalog,
    zone: Zone,
    notice: &Notice,
    now: DateTime<Utc>,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let line = content(c, zone, notice, now);
    if area.height < MAX_ROWS as u16 {
        frame.render_widget(line, area);
        return;
    }
    let cols = usize::from(area.width).saturating_sub(1);
    let style = line.spans.first().map(|s| s.style).unwrap_or_default();
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let mut rows = wrap_hanging(&text, cols);
    if rows.len() > MAX_ROWS {
        let rest = rows.split_off(MAX_ROWS - 1).concat();
        rows.push(fit(&rest, cols));
    }
    let lines: Vec<Line<'_>> = rows.into_iter().map(|r| Line::styled(r, style)).collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// What `notice` says, styled.
fn content(c: &Catalog, zone: Zone, notice: &Notice, now: DateTime<Utc>) -> Line<'static> {
    let due_cell = |t: &DateTime<Utc>| short_minutes(*t, now, zone);
    let result_name = |r: &CallResult| c.text(&format!("callresult.{}", r.as_str())).to_string();
    let (text, style) = match notice {
        Notice::Saved(number) => (
            c.format("tui.saved", &[("number", number.clone())]),
            theme::success(),
        ),
        Notice::CallAttached(number) => (
            c.format("tui.call_attached", &[("number", number.clone())]),
            theme::success(),
        ),
        Notice::DraftRestored => (c.text("tui.draft_restored").to_string(), theme::success()),
        Notice::FormCleared => (c.text("tui.form_cleared").to_string(), theme::hint()),
        Notice::DraftKeptLocally => (c.text("tui.draft_kept_locally").to_string(), theme::error()),
        Notice::PasteCleaned(n) => (
            c.format("tui.paste_cleaned", &[("count", n.to_string())]),
            theme::error(),
        ),
        Notice::QuitHint => (c.text("tui.quit_hint").to_string(), theme::hint()),
        Notice::NoEarlier => (c.text("tui.no_earlier").to_string(), theme::hint()),
        Notice::ScriptCopied(moment) => (
            c.format(
                "script.copied",
                &[("moment", c.text(&moment.label_key()).to_string())],
            ),
            theme::success(),
        ),
        Notice::AgentChanged(change) => {
            let (key, args) = match change {
                Change::Added { name, role } => (
                    "tui.agent_added",
                    vec![
                        ("agent", sanitize_line(name)),
                        ("role", sanitize_line(role)),
                    ],
                ),
                Change::Disabled(name) => {
                    ("tui.agent_disabled", vec![("agent", sanitize_line(name))])
                }
                Change::Reset(name) => ("tui.agent_reset", vec![("agent", sanitize_line(name))]),
                Change::Sites { name, sites } => (
                    "tui.agent_sites",
                    vec![
                        ("agent", sanitize_line(name)),
                        ("sites", sites.join(c.text("label.list_separator"))),
                    ],
                ),
            };
            (c.format(key, &args), theme::success())
        }
        Notice::Revealed(number) => (
            c.format("tui.phone_revealed", &[("number", number.clone())]),
            theme::hint(),
        ),
        Notice::Acted { number, mv, stage } => (
            c.format(
                "tui.acted",
                &[
                    ("number", number.clone()),
                    ("move", c.text(&mv.label_key()).to_string()),
                    ("stage", c.text(stage.label_key()).to_string()),
                ],
            ),
            theme::success(),
        ),
        Notice::Linked {
            link,
            number,
            other,
        } => {
            let (key, name, value) = match link {
                Link::Merge => ("tui.merged", "primary", other.clone()),
                Link::Unmerge => (
                    "tui.unmerged",
                    "stage",
                    Stage::parse(other)
                        .map_or_else(|| other.clone(), |s| c.text(s.label_key()).to_string()),
                ),
                Link::Split => ("tui.split", "new", other.clone()),
            };
            (
                c.format(key, &[("number", number.clone()), (name, value)]),
                theme::success(),
            )
        }
        Notice::Logged {
            number,
            result,
            next,
            flagged,
        } => {
            let mut args = vec![("number", number.clone()), ("result", result_name(result))];
            let (key, style) = match (next, flagged) {
                (None, _) => ("tui.logged_done", theme::success()),
                (Some(due), None) => {
                    args.push(("due", due_cell(due)));
                    ("tui.logged_next", theme::success())
                }
                (Some(due), Some(n)) => {
                    args.push(("due", due_cell(due)));
                    args.push(("attempts", n.to_string()));
                    ("tui.logged_flagged", theme::error())
                }
            };
            (c.format(key, &args), style)
        }
        Notice::Promised { number, due } => (
            c.format(
                "tui.promised_done",
                &[("number", number.clone()), ("due", due_cell(due))],
            ),
            theme::success(),
        ),
        Notice::Revisited {
            number,
            stage,
            reached,
            reopened,
            ready,
        } => {
            let key = if *reopened {
                "tui.revisited_reopened"
            } else if *ready {
                "tui.revisited_ready"
            } else if *reached {
                "tui.revisited"
            } else {
                "tui.revisited_unreached"
            };
            let style = if *reopened || !*reached {
                theme::error()
            } else {
                theme::success()
            };
            (
                c.format(
                    key,
                    &[
                        ("number", number.clone()),
                        ("stage", c.text(stage.label_key()).to_string()),
                    ],
                ),
                style,
            )
        }
        Notice::CareRecorded {
            site,
            reached,
            next_due,
            flagged,
            opens,
            waiting,
        } => {
            let due = next_due.as_ref().map(due_cell).unwrap_or_default();
            let mut args = vec![("site", sanitize_line(site)), ("due", due)];
            let key = match (reached, flagged, opens) {
                (_, _, true) if *waiting => "tui.care_waiting",
                (_, _, true) => "tui.care_opens",
                (true, ..) if next_due.is_none() => "tui.care_made_last",
                (true, ..) => "tui.care_made",
                (false, None, _) => "tui.care_retry",
                (false, Some(n), _) => {
                    args.push(("attempts", n.to_string()));
                    "tui.care_flagged"
                }
            };
            let style = if *opens || flagged.is_some() {
                theme::error()
            } else {
                theme::success()
            };
            (c.format(key, &args), style)
        }
        Notice::CardPublished(id) => (
            c.format("tui.library_published", &[("id", id.to_string())]),
            theme::success(),
        ),
        Notice::CardEdited(id) => (
            c.format("tui.card_edited", &[("id", id.to_string())]),
            theme::success(),
        ),
        Notice::CardAdded { number, id } => (
            c.format(
                "tui.card_added",
                &[("number", number.clone()), ("id", id.to_string())],
            ),
            theme::success(),
        ),
        Notice::Escalated(n) => (
            c.format("tui.escalated", &[("count", n.to_string())]),
            theme::error(),
        ),
        Notice::Dial {
            name,
            phone,
            number,
        } => {
            let line = Line::from(vec![
                Span::styled(
                    format!(
                        " {} ",
                        c.format("tui.dial", &[("name", sanitize_line(name))])
                    ),
                    theme::hint(),
                ),
                Span::styled(format!("  {}  ", sanitize_line(phone)), theme::dial()),
                Span::styled(
                    format!(
                        " {}",
                        c.format("tui.dial_case", &[("number", number.clone())])
                    ),
                    theme::hint(),
                ),
            ]);
            return line;
        }
        Notice::Failed(e) => (sanitize_line(&c.render(e)), theme::error()),
    };
    Line::from(Span::styled(text, style))
}
