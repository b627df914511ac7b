//! The case detail: everything about one complaint (fields, handling record, timeline, as
//! `show` prints them) and, at its foot, the moves of the handling method possible now, each
//! with the key that opens its form. Opened from a list with Enter. The phone is masked as
//! the core gives it; `n` asks the core for the full number (a recorded reveal), which then
//! shows at the top until the detail is closed. The escalation risk and the related cases
//! are part of the case file, and so are the cases merged into this one and the split links;
//! `1`–`9` open the case listed with that number. A merged case shows a banner naming its
//! primary (`P` opens it); `m` merges a case into a primary (asking its number, then showing
//! it before anything is written), `z` unmerges, `s` splits a second issue off. `l` makes a
//! closed case a draft card of the case library (a curator's move, refused to others).
//!
//! Each list pane has a [`Cover`]: the case open over it and the form of a move or a
//! follow-up over that (or over the list), so a case open in one pane stays open there
//! while another pane is used.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::desk::{CaseFile, LibraryCard};
use crate::domain::complaint::Complaint;
use crate::domain::handling::available_moves;
use crate::domain::merge::{Link, links_possible};
use crate::domain::stage::Move;
use crate::error::Error;
use crate::present::write_case_text;
use crate::text::{sanitize_line, width, wrap_hanging};
use crate::tui::ctx::Ctx;
use crate::tui::forms::followups::FollowForm;
use crate::tui::forms::links::LinkForm;
use crate::tui::forms::moves::MoveForm;
use crate::tui::keymap::{Binding, Help, ch, footer, help_rows, key, lookup};
use crate::tui::msg::{Effect, Notice, Out};
use crate::tui::theme;
use crate::tui::widgets::form::FormStep;
use crate::tui::widgets::script as script_box;
use crate::tui::widgets::window;

/// An open case.
#[derive(Debug, Clone)]
pub struct Detail {
    case: CaseFile,
    /// The case file as text, made once per case (not per frame or key).
    text: String,
    scroll: u16,
    /// The full phone number, once revealed (for as long as the detail is open).
    revealed: Option<String>,
}

/// The case file as people read it, in the context's language.
fn case_text(case: &CaseFile, ctx: &Ctx<'_>) -> String {
    let mut text = Vec::new();
    // Writing into memory cannot fail; an empty view would show if it did.
    let _ = write_case_text(&mut text, case, ctx.config, ctx.catalog);
    String::from_utf8_lossy(&text).into_owned()
}

/// What the detail's keys do (no text field has focus there, so bare letters work).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Close,
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Reveal,
    /// Open the linked case listed with this number (from 1): a related case, a case
    /// merged into this one, a split link ([`CaseFile::linked`]).
    Related(usize),
    /// Open the primary a merged case is merged into.
    Primary,
    /// Make the closed case a draft card of the case library.
    ToLibrary,
    /// Open the form of a linking move, when it is possible now.
    Link(Link),
    /// Open the form of the one of these moves that is possible now (the two waits share
    /// `w`: only one of them is ever possible).
    Open(&'static [Move]),
}

/// The detail's keys; the moves' keys are also shown in the strip of moves at its foot.
const KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[key(KeyCode::Down), ch('j')], Cmd::Down)
        .help(
            "Up/Down/j/k PgUp/PgDn/Space Home/End/g/G",
            "help.detail_scroll",
        )
        .hint_at(1, "keys.scroll"),
    Binding::new(&[key(KeyCode::Up), ch('k')], Cmd::Up),
    Binding::new(&[key(KeyCode::PageDown), ch(' ')], Cmd::PageDown),
    Binding::new(&[key(KeyCode::PageUp)], Cmd::PageUp),
    Binding::new(&[key(KeyCode::Home), ch('g')], Cmd::Top),
    Binding::new(&[key(KeyCode::End), ch('G')], Cmd::Bottom),
    Binding::new(
        &[
            key(KeyCode::Esc),
            key(KeyCode::Backspace),
            key(KeyCode::Left),
            ch('q'),
        ],
        Cmd::Close,
    )
    .help("Esc / Backspace / Left / q", "help.close_detail")
    .hint_at(0, "keys.back"),
    Binding::new(&[ch('n'), ch('N')], Cmd::Reveal)
        .help("n", "help.reveal_phone")
        .hint_at(2, "keys.full_phone"),
    Binding::new(&[ch('1')], Cmd::Related(1)).help("1-9", "help.open_related"),
    Binding::new(&[ch('2')], Cmd::Related(2)),
    Binding::new(&[ch('3')], Cmd::Related(3)),
    Binding::new(&[ch('4')], Cmd::Related(4)),
    Binding::new(&[ch('5')], Cmd::Related(5)),
    Binding::new(&[ch('6')], Cmd::Related(6)),
    Binding::new(&[ch('7')], Cmd::Related(7)),
    Binding::new(&[ch('8')], Cmd::Related(8)),
    Binding::new(&[ch('9')], Cmd::Related(9)),
    Binding::new(&[ch('c')], Cmd::Open(&[Move::Classify])).help("c", "move.classify"),
    Binding::new(&[ch('v')], Cmd::Open(&[Move::Verify])).help("v", "move.verify"),
    Binding::new(&[ch('a')], Cmd::Open(&[Move::Assess])).help("a", "move.assess"),
    Binding::new(&[ch('p')], Cmd::Open(&[Move::Plan])).help("p", "move.plan"),
    Binding::new(&[ch('y')], Cmd::Open(&[Move::Approve])).help("y", "move.approve"),
    Binding::new(&[ch('r')], Cmd::Open(&[Move::Reply])).help("r", "move.reply"),
    Binding::new(&[ch('d')], Cmd::Open(&[Move::Remedied])).help("d", "move.remedied"),
    Binding::new(&[ch('e')], Cmd::Open(&[Move::Escalate])).help("e", "move.escalate"),
    Binding::new(&[ch('f')], Cmd::Open(&[Move::Refer])).help("f", "move.refer"),
    Binding::new(&[ch('b')], Cmd::Open(&[Move::External])).help("b", "move.external"),
    Binding::new(
        &[ch('w')],
        Cmd::Open(&[Move::WaitParty, Move::WaitCustomer]),
    )
    .help("w", "help.wait"),
    Binding::new(&[ch('u')], Cmd::Open(&[Move::Resume])).help("u", "move.resume"),
    Binding::new(&[ch('x')], Cmd::Open(&[Move::Close])).help("x", "move.close"),
    Binding::new(&[ch('o')], Cmd::Open(&[Move::Reopen])).help("o", "move.reopen"),
    Binding::new(&[ch('t')], Cmd::Open(&[Move::Transfer])).help("t", "move.transfer"),
    Binding::new(&[ch('m')], Cmd::Link(Link::Merge)).help("m", "link.merge"),
    Binding::new(&[ch('z')], Cmd::Link(Link::Unmerge)).help("z", "link.unmerge"),
    Binding::new(&[ch('s')], Cmd::Link(Link::Split)).help("s", "link.split"),
    Binding::new(&[ch('P')], Cmd::Primary).help("P", "help.open_primary"),
    Binding::new(&[ch('l')], Cmd::ToLibrary).help("l", "help.to_library"),
];

/// The first key the detail's table binds to `cmd`.
fn key_of(cmd: Cmd) -> char {
    KEYS.iter()
        .find(|b| b.cmd == cmd)
        .and_then(|b| b.chords.first())
        .and_then(|chord| chord.char())
        .unwrap_or('?')
}

/// The key that opens a linking move's form, as the detail's table binds it.
pub fn link_key(link: Link) -> char {
    key_of(Cmd::Link(link))
}

/// The key that opens a move's form, as the detail's table binds it.
pub fn move_key(mv: Move) -> char {
    KEYS.iter()
        .find_map(|b| match (b.cmd, b.chords.first()) {
            (Cmd::Open(moves), Some(chord)) if moves.contains(&mv) => chord.char(),
            _ => None,
        })
        .unwrap_or('?')
}

/// The move a key opens for `c`, if that move is possible now.
fn move_for(c: &Complaint, event: &KeyEvent) -> Option<Move> {
    match lookup(KEYS, event)? {
        Cmd::Open(moves) => available_moves(c).into_iter().find(|m| moves.contains(m)),
        _ => None,
    }
}

impl Detail {
    /// Shows `case` from its top.
    pub fn new(case: CaseFile, ctx: &Ctx<'_>) -> Detail {
        Detail {
            text: case_text(&case, ctx),
            case,
            scroll: 0,
            revealed: None,
        }
    }

    /// The case shown.
    pub fn case(&self) -> &CaseFile {
        &self.case
    }

    /// Shows a fresher copy of the same case where the reader was. A revealed number stays
    /// while the (masked) phone is the same.
    pub fn replace(&mut self, case: CaseFile, ctx: &Ctx<'_>) {
        if case.complaint.phone != self.case.complaint.phone {
            self.revealed = None;
        }
        self.text = case_text(&case, ctx);
        self.case = case;
    }

    /// Shows the full phone number the core revealed.
    pub fn reveal(&mut self, phone: String) {
        self.revealed = Some(phone);
    }

    /// The full phone number, when revealed.
    pub fn revealed(&self) -> Option<&str> {
        self.revealed.as_deref()
    }

    /// How far the text is scrolled (rows).
    pub fn scroll(&self) -> u16 {
        self.scroll
    }

    /// Scrolls the text by `cmd` (a scrolling command of the table); `area` is where the
    /// detail is drawn.
    fn scroll_by(&mut self, cmd: Cmd, ctx: &Ctx<'_>, area: Rect) {
        let (lines, _, text_h) = self.layout(ctx, area);
        let max = (lines.len() as u16).saturating_sub(text_h);
        let page = text_h.saturating_sub(1).max(1);
        let at = self.scroll.min(max);
        self.scroll = match cmd {
            Cmd::Down => at.saturating_add(1),
            Cmd::Up => at.saturating_sub(1),
            Cmd::PageDown => at.saturating_add(page),
            Cmd::PageUp => at.saturating_sub(page),
            Cmd::Top => 0,
            Cmd::Bottom => max,
            Cmd::Close
            | Cmd::Reveal
            | Cmd::Related(_)
            | Cmd::Primary
            | Cmd::ToLibrary
            | Cmd::Link(_)
            | Cmd::Open(_) => at,
        }
        .min(max);
    }

    /// The text rows (wrapped to the width), the rows of the moves strip, and the height
    /// left for the text.
    fn layout(&self, ctx: &Ctx<'_>, area: Rect) -> (Vec<String>, Vec<Line<'static>>, u16) {
        // Long lines wrap under their value's column.
        let inner_w = area.width.saturating_sub(2) as usize;
        let lines: Vec<String> = self
            .text
            .lines()
            .flat_map(|l| wrap_hanging(l, inner_w))
            .collect();
        let strip = self.strip(ctx, inner_w);
        let revealed_h = u16::from(self.revealed.is_some())
            + u16::from(self.case.complaint.merged_into.is_some());
        let inner_h = area.height.saturating_sub(2).saturating_sub(revealed_h);
        // The strip keeps at least one row of text above it.
        let strip_h = (strip.len() as u16).min(inner_h.saturating_sub(1));
        (lines, strip, inner_h - strip_h)
    }

    /// The moves possible now with their keys, wrapped to `cols` columns.
    fn strip(&self, ctx: &Ctx<'_>, cols: usize) -> Vec<Line<'static>> {
        let c = ctx.catalog;
        let moves: Vec<(char, String)> = available_moves(&self.case.complaint)
            .into_iter()
            .map(|mv| (move_key(mv), mv.label_key()))
            .chain(
                links_possible(&self.case.complaint)
                    .into_iter()
                    .map(|l| (link_key(l), l.label_key())),
            )
            .chain(
                self.case
                    .may_add_card
                    .then(|| (key_of(Cmd::ToLibrary), "tui.to_library".to_string())),
            )
            .collect();
        let lead = format!("{} ", c.text("tui.moves_now"));
        let mut rows: Vec<Line<'static>> = Vec::new();
        let mut row = vec![Span::styled(lead.clone(), theme::header())];
        let mut used = width(&lead);
        if moves.is_empty() {
            row.push(Span::styled(
                c.text("tui.moves_none").to_string(),
                theme::hint(),
            ));
            return vec![Line::from(row)];
        }
        for (key, label) in moves {
            let key = format!(" {key} ");
            let label = format!(" {}  ", c.text(&label));
            let w = width(&key) + width(&label);
            // The two spaces after a label may run past the edge.
            if used + w - 2 > cols && used > width(&lead) {
                rows.push(Line::from(std::mem::take(&mut row)));
                row.push(Span::raw(" ".repeat(width(&lead))));
                used = width(&lead);
            }
            row.push(Span::styled(key, theme::key()));
            row.push(Span::raw(label));
            used += w;
        }
        rows.push(Line::from(row));
        rows
    }

    /// Draws the case file (its text already sanitised and in the reader's language) and
    /// the moves possible now.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let (lines, strip, text_h) = self.layout(ctx, area);
        let max_scroll = (lines.len() as u16).saturating_sub(text_h);
        let title = c.format(
            "tui.case_title",
            &[
                ("number", self.case.complaint.number.clone()),
                (
                    "stage",
                    c.text(self.case.complaint.stage.label_key()).to_string(),
                ),
            ],
        );
        let block = Block::bordered()
            .title(Span::styled(title, theme::label_focused()))
            .title_bottom(Span::styled(
                footer(c, KEYS, &[] as &[Binding<Cmd>], "   "),
                theme::hint(),
            ))
            .border_style(theme::border_focused());
        let mut inner = block.inner(area);
        frame.render_widget(Clear, area);
        frame.render_widget(block, area);
        if let Some(primary) = &self.case.complaint.merged_into
            && inner.height > 0
        {
            let line = Line::from(vec![
                Span::styled(
                    format!(
                        " {} ",
                        c.format("tui.merged_banner", &[("primary", primary.clone())])
                    ),
                    theme::error(),
                ),
                Span::raw(" "),
                Span::styled(format!(" {} ", key_of(Cmd::Primary)), theme::key()),
                Span::raw(format!(" {}  ", c.text("tui.merged_banner_key"))),
                Span::styled(format!(" {} ", link_key(Link::Unmerge)), theme::key()),
                Span::raw(format!(" {}", c.text(&Link::Unmerge.label_key()))),
            ]);
            frame.render_widget(line, Rect { height: 1, ..inner });
            inner.y += 1;
            inner.height -= 1;
        }
        if let Some(phone) = &self.revealed
            && inner.height > 0
        {
            let line = Line::from(vec![
                Span::styled(
                    format!("{} ", c.text("tui.revealed_label")),
                    theme::header(),
                ),
                Span::styled(format!(" {} ", sanitize_line(phone)), theme::dial()),
                Span::styled(
                    format!(" {}", c.text("tui.revealed_recorded")),
                    theme::hint(),
                ),
            ]);
            frame.render_widget(line, Rect { height: 1, ..inner });
            inner.y += 1;
            inner.height -= 1;
        }
        let lines: Vec<Line<'_>> = lines.into_iter().map(Line::raw).collect();
        frame.render_widget(
            Paragraph::new(lines).scroll((self.scroll.min(max_scroll), 0)),
            Rect {
                height: text_h,
                ..inner
            },
        );
        let strip_h = inner.height.saturating_sub(text_h);
        if strip_h > 0 {
            frame.render_widget(
                Paragraph::new(strip),
                Rect {
                    y: inner.y + text_h,
                    height: strip_h,
                    ..inner
                },
            );
        }
    }
}

/// Results that come back to the case open over a list pane, or to its forms.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A case asked for (Enter in a list, or read again after a conflict).
    Opened(Box<CaseFile>),
    /// A fresher copy of a case that is open (after a change here or elsewhere).
    Refreshed(Box<CaseFile>),
    /// The full phone number of a complaint, revealed by the core (and recorded).
    Revealed {
        /// The complaint.
        number: String,
        /// Its phone in full.
        phone: String,
    },
    /// A move was applied: the complaint as it is now.
    Acted(Box<Complaint>),
    /// The desk refused a move (a rule, a stale version, a failed write); nothing changed.
    ActRefused(Error),
    /// The desk refused a follow-up form; nothing changed.
    FollowRefused(Error),
    /// The primary a case is to be merged into, found (shown before the merge).
    MergeFound {
        /// The case to merge.
        number: String,
        /// The primary as it is now.
        primary: Box<Complaint>,
    },
    /// A merge, an unmerge or a split was made.
    Linked {
        /// Which.
        link: Link,
        /// The complaint.
        number: String,
        /// The primary (merge), the stage key it is back at (unmerge), the new complaint
        /// (split).
        other: String,
    },
    /// The desk refused a linking move (or the primary to merge into); nothing changed.
    LinkRefused(Error),
    /// A closed case became a draft card of the case library.
    CardAdded {
        /// The case.
        number: String,
        /// The card.
        id: i64,
    },
    /// The published case cards most like a case being classified.
    Similar {
        /// The case.
        number: String,
        /// The cards, most similar first.
        cards: Vec<LibraryCard>,
    },
}

/// What covers a list pane: the case open over it, and the form of a move (over the case
/// or the list) or of a follow-up.
#[derive(Debug, Clone, Default)]
pub struct Cover {
    detail: Option<Detail>,
    form: Option<MoveForm>,
    follow: Option<FollowForm>,
    link: Option<LinkForm>,
}

impl Cover {
    /// The case open, if any.
    pub fn detail(&self) -> Option<&Detail> {
        self.detail.as_ref()
    }

    /// The move form open, if any.
    pub fn move_form(&self) -> Option<&MoveForm> {
        self.form.as_ref()
    }

    /// The follow-up form open, if any.
    pub fn follow_form(&self) -> Option<&FollowForm> {
        self.follow.as_ref()
    }

    /// The form of a linking move open, if any.
    pub fn link_form(&self) -> Option<&LinkForm> {
        self.link.as_ref()
    }

    /// Whether anything covers the list (keys and pasted text go here first).
    pub fn is_up(&self) -> bool {
        self.detail.is_some() || self.form.is_some() || self.follow.is_some() || self.link.is_some()
    }

    /// The number of the case open, if any.
    pub fn number(&self) -> Option<&str> {
        self.detail
            .as_ref()
            .map(|d| d.case.complaint.number.as_str())
    }

    /// Closes a case that is only being read (a half-typed form keeps it open).
    pub fn close_reading(&mut self) {
        if self.form.is_none() && self.follow.is_none() && self.link.is_none() {
            self.detail = None;
        }
    }

    /// Opens a move's form (over the list or the case); the classification form asks for
    /// the case library's most similar cards.
    pub fn open_form(&mut self, form: MoveForm) -> Out {
        let similar = form.similar_effect();
        self.form = Some(form);
        similar.map_or_else(Out::none, Out::effect)
    }

    /// Opens a follow-up form.
    pub fn open_follow(&mut self, form: FollowForm) {
        self.follow = Some(form);
    }

    /// Closes the follow-up form (it was recorded).
    pub fn close_follow(&mut self) {
        self.follow = None;
    }

    /// The keys of what is on top, for the help (None: the list's own).
    pub fn help(&self) -> Option<Vec<Help>> {
        if let Some(link) = &self.link {
            return Some(link.help());
        }
        let open = (self.form.as_ref().map(|f| (f.form(), f.may_script())))
            .or_else(|| self.follow.as_ref().map(|f| (f.form(), f.may_script())));
        if let Some((form, scripted)) = open {
            let script = script_box::help().filter(|_| scripted && !form.is_asking());
            Some(form.help().into_iter().chain(script).collect())
        } else if self.detail.is_some() {
            Some(help_rows(KEYS).collect())
        } else {
            None
        }
    }

    /// A key for the form on top, else the case: Ctrl+S turns a form into its effect,
    /// Esc or Ctrl+W leaves it.
    pub fn key(&mut self, key: KeyEvent, ctx: &Ctx<'_>) -> Out {
        let said = || match (&self.form, &self.follow) {
            (Some(form), _) if !form.form().is_asking() => form.script(ctx),
            (None, Some(form)) if !form.form().is_asking() => form.script(ctx),
            _ => None,
        };
        if let Some(out) = script_box::key(&key, said) {
            return out;
        }
        if let Some(form) = &mut self.form {
            return match form.key(key) {
                FormStep::Submit => match form.action(ctx) {
                    Ok(action) if form.to_library() => Out::effect(Effect::CloseToLibrary {
                        number: form.number().to_string(),
                        version: form.version(),
                        action: Box::new(action),
                    }),
                    Ok(action) => Out::effect(Effect::Act {
                        number: form.number().to_string(),
                        version: form.version(),
                        action: Box::new(action),
                    }),
                    Err(err) => {
                        form.refused(err.clone());
                        Out::notice(Notice::Failed(err))
                    }
                },
                FormStep::Cancel => {
                    self.form = None;
                    Out::none()
                }
                FormStep::Changed(_) | FormStep::Nothing => Out::none(),
            };
        }
        if let Some(form) = &mut self.link {
            return match form.key(key) {
                (_, Some(effect)) => Out::effect(effect),
                (FormStep::Submit, None) => match form.effect() {
                    Ok(effect) => Out::effect(effect),
                    Err(err) => {
                        form.refused(err.clone());
                        Out::notice(Notice::Failed(err))
                    }
                },
                (FormStep::Cancel, None) => {
                    self.link = None;
                    Out::none()
                }
                (FormStep::Changed(_) | FormStep::Nothing, None) => Out::none(),
            };
        }
        if let Some(form) = &mut self.follow {
            return match form.key(key) {
                FormStep::Submit => match form.effect(ctx) {
                    Ok(effect) => Out::effect(effect),
                    Err(err) => {
                        form.refused(err.clone());
                        Out::notice(Notice::Failed(err))
                    }
                },
                FormStep::Cancel => {
                    self.follow = None;
                    Out::none()
                }
                FormStep::Changed(_) | FormStep::Nothing => Out::none(),
            };
        }
        let Some(detail) = &mut self.detail else {
            return Out::none();
        };
        match lookup(KEYS, &key) {
            Some(Cmd::Close) => self.detail = None,
            Some(Cmd::Reveal) => {
                return Out::effect(Effect::RevealPhone(detail.case.complaint.number.clone()));
            }
            Some(Cmd::Related(n)) => {
                if let Some(number) = detail.case.linked().get(n - 1) {
                    return Out::effect(Effect::OpenCase((*number).to_string()));
                }
            }
            Some(Cmd::Primary) => {
                if let Some(primary) = &detail.case.complaint.merged_into {
                    return Out::effect(Effect::OpenCase(primary.clone()));
                }
            }
            Some(Cmd::ToLibrary) if detail.case.may_add_card => {
                return Out::effect(Effect::AddCard(detail.case.complaint.number.clone()));
            }
            Some(Cmd::ToLibrary) => {}
            Some(Cmd::Link(link)) if links_possible(&detail.case.complaint).contains(&link) => {
                self.link = Some(LinkForm::open(ctx, &detail.case, link));
            }
            Some(Cmd::Link(_)) => {}
            Some(Cmd::Open(_)) => {
                if let Some(mv) = move_for(&detail.case.complaint, &key) {
                    let form = MoveForm::open(ctx, &detail.case.complaint, mv);
                    return self.open_form(form);
                }
            }
            Some(cmd) => detail.scroll_by(cmd, ctx, ctx.body()),
            None => {}
        }
        Out::none()
    }

    /// Pasted text goes into the open form.
    pub fn paste(&mut self, text: &str) -> Out {
        let removed = match (&mut self.form, &mut self.follow, &mut self.link) {
            (Some(form), _, _) => form.paste(text),
            (None, Some(form), _) => form.paste(text),
            (None, None, Some(form)) => form.paste(text),
            (None, None, None) => 0,
        };
        if removed > 0 {
            Out::notice(Notice::PasteCleaned(removed))
        } else {
            Out::none()
        }
    }

    /// Takes a case result. `here`: this cover is over the pane in view, where the request
    /// was made; a fresher copy of a case goes to every cover showing it.
    pub fn update(&mut self, msg: &Msg, here: bool, ctx: &Ctx<'_>) -> Out {
        match msg {
            Msg::Opened(case) => {
                let number = &case.complaint.number;
                // A form of that case now applies to what the agent sees (after a conflict).
                if let Some(form) = &mut self.form
                    && form.number() == number
                {
                    form.set_version(case.complaint.version);
                }
                match &mut self.detail {
                    Some(d) if &d.case.complaint.number == number => {
                        d.replace((**case).clone(), ctx);
                    }
                    _ if here => self.detail = Some(Detail::new((**case).clone(), ctx)),
                    _ => {}
                }
                Out::none()
            }
            Msg::Refreshed(case) => {
                if let Some(d) = &mut self.detail
                    && d.case.complaint.number == case.complaint.number
                {
                    d.replace((**case).clone(), ctx);
                }
                Out::none()
            }
            Msg::Revealed { number, phone } => {
                if let Some(d) = &mut self.detail
                    && &d.case.complaint.number == number
                {
                    d.reveal(phone.clone());
                }
                if here {
                    Out::notice(Notice::Revealed(number.clone()))
                } else {
                    Out::none()
                }
            }
            Msg::Acted(c) if here => {
                let mv = self.form.take().map_or(Move::Classify, |f| f.mv());
                Out::notice(Notice::Acted {
                    number: c.number.clone(),
                    mv,
                    stage: c.stage,
                })
                .changed(&c.number)
            }
            // The form stays with what was typed, the reason beside the input it concerns
            // and whole on the notice line. When someone else changed the complaint
            // meanwhile, it is read again and shown; saving again applies the form to what
            // is shown now.
            Msg::ActRefused(err) if here => {
                let Some(form) = &mut self.form else {
                    return Out::notice(Notice::Failed(err.clone()));
                };
                form.refused(err.clone());
                let out = Out::notice(Notice::Failed(err.clone()));
                if err.key == "error.conflict" {
                    let number = form.number().to_string();
                    Out::effect(Effect::OpenCase(number.clone()))
                        .with_notice(Notice::Failed(err.clone()))
                        .changed(&number)
                } else {
                    out
                }
            }
            Msg::FollowRefused(err) if here => {
                if let Some(form) = &mut self.follow {
                    form.refused(err.clone());
                }
                Out::notice(Notice::Failed(err.clone()))
            }
            Msg::MergeFound { number, primary } if here => {
                let (Some(form), Some(detail)) = (&mut self.link, &self.detail) else {
                    return Out::none();
                };
                if form.number() != number {
                    return Out::none();
                }
                match form.found(ctx, &detail.case, primary) {
                    Ok(()) => Out::none(),
                    Err(err) => {
                        form.refused(err.clone());
                        Out::notice(Notice::Failed(err))
                    }
                }
            }
            Msg::Linked {
                link,
                number,
                other,
            } if here => {
                // The case is read again wherever it is open (the app's `after`).
                self.link = None;
                Out::notice(Notice::Linked {
                    link: *link,
                    number: number.clone(),
                    other: other.clone(),
                })
                .changed(number)
            }
            Msg::LinkRefused(err) if here => {
                if let Some(form) = &mut self.link {
                    form.refused(err.clone());
                }
                Out::notice(Notice::Failed(err.clone()))
            }
            Msg::CardAdded { number, id } if here => Out::notice(Notice::CardAdded {
                number: number.clone(),
                id: *id,
            })
            .changed(number),
            Msg::Similar { number, cards } => {
                if let Some(form) = &mut self.form
                    && form.number() == number
                {
                    form.set_similar(cards.clone());
                }
                Out::none()
            }
            Msg::Acted(_)
            | Msg::ActRefused(_)
            | Msg::FollowRefused(_)
            | Msg::MergeFound { .. }
            | Msg::CardAdded { .. }
            | Msg::Linked { .. }
            | Msg::LinkRefused(_) => Out::none(),
        }
    }

    /// Whether a case hides the list.
    pub fn hides_list(&self) -> bool {
        self.detail.is_some()
    }

    /// The keys in force over a list: those of what covers it, else the pager's, the
    /// list's own `keys` and what its marks mean.
    pub fn help_over<C>(&self, keys: &[Binding<C>], legend: &[Help]) -> Vec<Help> {
        self.help().unwrap_or_else(|| {
            help_rows(window::KEYS)
                .chain(help_rows(keys))
                .chain(legend.iter().copied())
                .collect()
        })
    }

    /// Draws the list with `list` unless a case hides it, then what covers it.
    pub fn render_over(
        &self,
        ctx: &Ctx<'_>,
        frame: &mut Frame<'_>,
        area: Rect,
        list: impl FnOnce(&mut Frame<'_>),
    ) {
        if !self.hides_list() {
            list(frame);
        }
        self.render(ctx, frame, area);
    }

    /// Draws the case over the list (when one is open) and the open form over that.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        if let Some(detail) = &self.detail {
            detail.render(ctx, frame, area);
        }
        if let Some(form) = &self.form {
            form.render(ctx, frame, area);
        }
        if let Some(form) = &self.follow {
            form.render(ctx, frame, area);
        }
        if let Some(form) = &self.link {
            form.render(ctx, frame, area);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::complaint::Scope;
    use crate::tui::keymap::tests::check_table;
    use crossterm::event::KeyModifiers;

    fn move_for_key(c: &Complaint, k: char) -> Option<Move> {
        move_for(c, &KeyEvent::new(KeyCode::Char(k), KeyModifiers::NONE))
    }

    #[test]
    fn the_detail_keys() {
        check_table(KEYS);
    }

    #[test]
    fn keys_open_only_the_moves_possible_now() {
        let mut c = Complaint::sample(1, "leak", "漏水");
        assert_eq!(move_for_key(&c, 'c'), Some(Move::Classify));
        assert_eq!(move_for_key(&c, 'v'), None, "classify first");
        c.scope = Some(Scope::In);
        c.severity = Some("minor".into());
        assert_eq!(move_for_key(&c, 'v'), Some(Move::Verify));
        assert_eq!(move_for_key(&c, 'w'), Some(Move::WaitCustomer));
        assert_eq!(move_for_key(&c, 'x'), None);
        // Every move has its own key, but the two waits (never possible together).
        let mut keys: Vec<char> = Move::ALL.iter().map(|m| move_key(*m)).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Move::ALL.len() - 1);
        assert!(!keys.contains(&'?'), "every move has a key");
    }
}
