//! The forms of the moves that link cases (issue 19): merge this case into a primary (the
//! primary's number, then a question showing the primary — its number, place and first line
//! — before anything is written), unmerge it, split a second issue off it (category,
//! description and the place, the case's own until changed). Each belongs to one complaint
//! at the version it was opened at; Ctrl+S turns it into its effect, which the runner
//! applies through the desk with that version.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::desk::CaseFile;
use crate::domain::complaint::Complaint;
use crate::domain::merge::{Link, check_merge};
use crate::error::{Error, Result};
use crate::present::place;
use crate::text::{fit, sanitize_line, sanitize_lines, width};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Binding, Help, ch, footer, help_rows, key, lookup};
use crate::tui::msg::Effect;
use crate::tui::theme;
use crate::tui::widgets::form::{Form, FormStep, popup};

/// Rows of the description input.
const DESCRIPTION_ROWS: u16 = 3;

/// The answer to "merge into this case?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Merge,
    Back,
}

/// The keys of the merge question.
const KEYS: &[Binding<Answer>] = &[
    Binding::new(&[key(KeyCode::Enter), ch('y'), ch('Y')], Answer::Merge)
        .help("Enter / y", "help.merge_confirm")
        .hint_at(0, "keys.merge_confirm"),
    Binding::new(&[key(KeyCode::Esc), ch('n'), ch('N')], Answer::Back)
        .help("Esc / n", "help.merge_back")
        .hint_at(1, "keys.merge_back"),
];

/// The primary a merge would go into, as the question shows it.
#[derive(Debug, Clone)]
struct Primary {
    number: String,
    /// Its place (site and location), sanitised.
    place: String,
    /// The first line of its description, sanitised.
    first_line: String,
}

/// An open form of a linking move.
#[derive(Debug, Clone)]
pub struct LinkForm {
    number: String,
    version: i64,
    link: Link,
    form: Form,
    /// The primary found, waiting for the agent's answer (a merge only).
    primary: Option<Primary>,
}

impl LinkForm {
    /// The form of `link` for the case `case` shows.
    pub fn open(ctx: &Ctx<'_>, case: &CaseFile, link: Link) -> LinkForm {
        let form = match link {
            Link::Merge => Form::new()
                .text("into", "label.primary", "")
                .hint("tui.merge_hint")
                .text("reason", "label.reason", ""),
            Link::Unmerge => Form::new().text("reason", "label.reason", ""),
            Link::Split => {
                let categories = ctx
                    .config
                    .policy
                    .categories
                    .iter()
                    .map(|c| (c.key.clone(), ctx.config.category_name(&c.key, ctx.lang)))
                    .collect();
                Form::new()
                    .choice("category", "label.category", categories, None)
                    .multi("description", "label.description", "", DESCRIPTION_ROWS)
                    .text("location", "label.location", &case.complaint.location)
            }
        };
        LinkForm {
            number: case.complaint.number.clone(),
            version: case.complaint.version,
            link,
            form: form.focus_first(),
            primary: None,
        }
    }

    /// The complaint the form is for.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The move.
    pub fn link(&self) -> Link {
        self.link
    }

    /// The form's inputs.
    pub fn form(&self) -> &Form {
        &self.form
    }

    /// Whether the merge question (the primary shown) is up.
    pub fn is_confirming(&self) -> bool {
        self.primary.is_some()
    }

    /// The keys in force, for the help.
    pub fn help(&self) -> Vec<Help> {
        if self.primary.is_some() {
            help_rows(KEYS).collect()
        } else {
            self.form.help()
        }
    }

    /// A key: to the question when it is up (Enter/y merges, Esc/n goes back to the
    /// form), else to the form. `Some` is the effect to run.
    pub fn key(&mut self, key: KeyEvent) -> (FormStep, Option<Effect>) {
        if self.primary.is_some() {
            return match lookup(KEYS, &key) {
                Some(Answer::Merge) => {
                    let into = self.primary.take().map(|p| p.number).unwrap_or_default();
                    let effect = Effect::Merge {
                        number: self.number.clone(),
                        version: self.version,
                        into,
                        reason: self.form.text_of("reason"),
                    };
                    (FormStep::Nothing, Some(effect))
                }
                Some(Answer::Back) => {
                    self.primary = None;
                    (FormStep::Nothing, None)
                }
                None => (FormStep::Nothing, None),
            };
        }
        (self.form.key(key), None)
    }

    /// Pasted text into the focused input; how many unsafe characters were left out.
    pub fn paste(&mut self, text: &str) -> usize {
        self.form.paste(text).1
    }

    /// What Ctrl+S asks of the desk: the primary looked up first (a merge), the move
    /// (an unmerge, a split); refused when a required input is empty.
    pub fn effect(&self) -> Result<Effect> {
        let text = |id: &str| self.form.text_of(id);
        Ok(match self.link {
            Link::Merge => {
                let into = text("into").trim().to_string();
                if into.is_empty() {
                    return Err(Error::new("error.required").arg("field", "primary"));
                }
                Effect::MergeLookup {
                    number: self.number.clone(),
                    into,
                }
            }
            Link::Unmerge => Effect::Unmerge {
                number: self.number.clone(),
                version: self.version,
                reason: text("reason"),
            },
            Link::Split => Effect::Split {
                number: self.number.clone(),
                version: self.version,
                category: self.form.chosen("category").unwrap_or_default().to_string(),
                description: text("description"),
                location: text("location"),
            },
        })
    }

    /// The primary the agent typed, found: refused at once when the merge could not be made
    /// (the domain's rule, on the case as shown and the primary as found), else shown in
    /// the question.
    pub fn found(&mut self, ctx: &Ctx<'_>, case: &CaseFile, primary: &Complaint) -> Result<()> {
        check_merge(&case.complaint, primary, case.absorbed.len())?;
        let first_line = sanitize_lines(&primary.description)
            .into_iter()
            .next()
            .unwrap_or_default();
        self.primary = Some(Primary {
            number: primary.number.clone(),
            place: sanitize_line(&place(primary, ctx.config, ctx.lang)),
            first_line,
        });
        Ok(())
    }

    /// Shows a refusal beside the input it concerns, else above the inputs.
    pub fn refused(&mut self, err: Error) {
        self.primary = None;
        let field = match (self.link, err.key) {
            (Link::Merge, _) => Some("into"),
            (Link::Split, "error.unknown_category") => Some("category"),
            (Link::Split, "error.required" | "error.too_long") => {
                Some(err.get("field").unwrap_or("description"))
            }
            _ => None,
        }
        .map(str::to_string);
        self.form.refuse(err, field.as_deref());
    }

    /// Draws the form as a popup over `area`, and the merge question over it when up.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let title = c.format(
            "tui.form_title",
            &[
                ("move", c.text(&self.link.label_key()).to_string()),
                ("number", self.number.clone()),
            ],
        );
        let head_key = match self.link {
            Link::Merge => "tui.merge_head",
            Link::Unmerge => "tui.unmerge_head",
            Link::Split => "tui.split_head",
        };
        let head = c.format(head_key, &[("number", self.number.clone())]);
        popup(
            ctx,
            frame,
            area,
            &title,
            &|cols| vec![Line::styled(fit(&head, cols), theme::hint())],
            &self.form,
        );
        if let Some(p) = &self.primary {
            let question = c.format(
                "tui.merge_question",
                &[
                    ("number", self.number.clone()),
                    ("primary", p.number.clone()),
                ],
            );
            let keys = footer(c, KEYS, &[] as &[Binding<Answer>], "  ");
            let rows = [question, p.place.clone(), p.first_line.clone()];
            let w = rows
                .iter()
                .map(|r| width(r))
                .chain([width(&keys)])
                .max()
                .unwrap_or(0) as u16
                + 4;
            let w = w.min(area.width).min(64);
            let inner = usize::from(w.saturating_sub(2));
            let lines: Vec<Line<'_>> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let style = if i == 0 {
                        theme::header()
                    } else {
                        theme::hint()
                    };
                    Line::styled(fit(r, inner), style)
                })
                .collect();
            crate::tui::widgets::question_box(
                frame,
                area,
                w,
                c.text("tui.merge_title"),
                keys,
                lines,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;

    #[test]
    fn the_merge_question_keys() {
        check_table(KEYS);
    }
}
