//! The forms of the callback queue and the revisit schedule, built from the one form
//! widget: log a call (its result, a note, and for "call later" when), promise a callback
//! (by when, a note), record a revisit (reached or not, satisfaction 1–5, a comment), record
//! a care call (the plan's question; reached or not, satisfaction 1–5, a note).
//! Ctrl+S turns a form into the effect the runner performs on the Desk; a refusal comes
//! back beside the input it concerns and the form keeps what was typed. Also the pieces the
//! two panes share: the phone on the notice line, local due times. A call to log and a
//! revisit show their reply script above the inputs; Ctrl+Y copies it.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::desk::Revisit;
use crate::desk::script::{Subject, script};
use crate::desk::{CallResult, CallbackRow, CareCall, CareResult};
use crate::domain::complaint::Complaint;
use crate::domain::script::Moment;
use crate::domain::zone::Zone;
use crate::error::{Error, Result};
use crate::present::{care_plan_name, care_question, role_name, short_minutes};
use crate::text::{fit, sanitize_line, wrap_hanging};
use crate::tui::ctx::Ctx;
use crate::tui::msg::Effect;
use crate::tui::theme;
use crate::tui::widgets::form::{Form, FormStep, popup};
use crate::tui::widgets::script::{self as script_box, Said};

/// Most rows of a script above a follow-up form's inputs (Ctrl+Y copies the whole text).
const SCRIPT_ROWS: usize = 4;

/// The results of a call, in the order the form offers them.
pub const CALL_RESULTS: [CallResult; 5] = [
    CallResult::Reached,
    CallResult::NoAnswer,
    CallResult::LeftMessage,
    CallResult::WrongNumber,
    CallResult::Later,
];

/// A callback kind by its name (the stored key when the catalog has none).
pub fn kind_name(ctx: &Ctx<'_>, kind: &str) -> String {
    sanitize_line(ctx.catalog.text_or(&format!("callback.{kind}"), kind))
}

/// A callback kind by its short name, for a list column (the full name, else the stored
/// key, when there is none).
pub fn short_kind_name(ctx: &Ctx<'_>, kind: &str) -> String {
    match ctx.catalog.text_or(&format!("tui.kind_{kind}"), "") {
        "" => kind_name(ctx, kind),
        short => short.to_string(),
    }
}

/// The text of a date input: empty is none; otherwise a date and time as the command line
/// takes it (`when::parse_datetime`), refused beside the input when it does not read.
fn parse_due(text: &str, zone: Zone) -> Result<Option<DateTime<Utc>>> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    crate::when::parse_datetime(t, "promised", zone).map(Some)
}

/// The satisfaction scores 1–5 with their names, as the forms offer them.
fn scores(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    (1..=5u8)
        .map(|n| {
            let key = format!("tui.satisfaction_{n}");
            (n.to_string(), ctx.catalog.text(&key).to_string())
        })
        .collect()
}

/// What a follow-up form records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowKind {
    /// An attempt on callback `callback_id`.
    Log {
        /// The callback.
        callback_id: i64,
    },
    /// A callback promised to the customer.
    Promise,
    /// The result of revisit `revisit_id`.
    Revisit {
        /// The revisit.
        revisit_id: i64,
    },
    /// The result of care call `care_id`.
    Care {
        /// The care call.
        care_id: i64,
        /// Its site, by name.
        site: String,
    },
}

/// An open follow-up form.
#[derive(Debug, Clone)]
pub struct FollowForm {
    kind: FollowKind,
    /// The complaint's number (empty for a care call).
    number: String,
    form: Form,
    /// The lines above the inputs: who and what (already sanitised).
    head: Vec<String>,
    /// The moment and values of the script shown, if the call has one.
    script: Option<(Moment, Subject)>,
}

fn complaint_line(c: &Complaint) -> String {
    let first = c.description.lines().next().unwrap_or_default();
    sanitize_line(&format!(
        "{}  {}  {}  {}",
        c.name, c.phone, c.location, first
    ))
}

impl FollowForm {
    /// Logging an attempt on the callback of `row`.
    pub fn log(ctx: &Ctx<'_>, row: &CallbackRow) -> FollowForm {
        let c = ctx.catalog;
        let results = CALL_RESULTS
            .iter()
            .map(|r| {
                (
                    r.as_str().to_string(),
                    c.text(&format!("callresult.{}", r.as_str())).to_string(),
                )
            })
            .collect();
        let mut form = Form::new()
            .choice("result", "label.result", results, None)
            .text("note", "label.note", "")
            .text("promised", "tui.field_later", "")
            .hint("tui.later_hint")
            .off_hint("tui.only_later")
            .focus_first();
        form.set_enabled("promised", false);
        let cb = &row.callback;
        let head = vec![
            complaint_line(&row.complaint),
            c.format(
                "tui.attempts_so_far",
                &[
                    ("kind", kind_name(ctx, &cb.kind)),
                    ("due", short_minutes(cb.due_at, ctx.now, ctx.zone())),
                    ("attempts", cb.attempts.to_string()),
                    (
                        "flag",
                        ctx.config.policy.follow_up.failed_attempts_flag.to_string(),
                    ),
                ],
            ),
        ];
        let script = Moment::of_call(&cb.kind).map(|m| {
            (
                m,
                Subject::of(&row.complaint, ctx.config).due(Some(cb.due_at)),
            )
        });
        FollowForm {
            kind: FollowKind::Log { callback_id: cb.id },
            number: row.complaint.number.clone(),
            form,
            head,
            script,
        }
    }

    /// Promising complaint `c` a callback.
    pub fn promise(c: &Complaint) -> FollowForm {
        let form = Form::new()
            .text("promised", "tui.field_call_by", "")
            .hint("tui.date_hint_required")
            .text("note", "label.note", "")
            .focus_first();
        FollowForm {
            kind: FollowKind::Promise,
            number: c.number.clone(),
            form,
            head: vec![complaint_line(c)],
            script: None,
        }
    }

    /// Recording revisit `r` of complaint `c`.
    pub fn revisit(ctx: &Ctx<'_>, r: &Revisit, c: &Complaint) -> FollowForm {
        let cat = ctx.catalog;
        let form = Form::new()
            .tick("reached", "tui.field_reached", true)
            .hint("tui.reached_hint")
            .choice("satisfaction", "tui.field_satisfaction", scores(ctx), None)
            .off_hint("tui.only_reached")
            .multi("comment", "label.comment", "", 2)
            .focus_first();
        let head = vec![
            complaint_line(c),
            cat.format(
                "tui.revisit_head",
                &[
                    ("role", role_name(&r.role, ctx.config, ctx.lang)),
                    ("due", short_minutes(r.due_at, ctx.now, ctx.zone())),
                    (
                        "reopen",
                        ctx.config.policy.follow_up.reopen_at_or_below.to_string(),
                    ),
                ],
            ),
        ];
        FollowForm {
            kind: FollowKind::Revisit { revisit_id: r.id },
            number: c.number.clone(),
            form,
            head,
            script: Some((Moment::Revisit, Subject::of(c, ctx.config))),
        }
    }

    /// Recording care call `call`: the plan's question in the reader's language above the
    /// inputs.
    pub fn care(ctx: &Ctx<'_>, call: &CareCall) -> FollowForm {
        let (cat, config) = (ctx.catalog, ctx.config);
        let form = Form::new()
            .tick("reached", "tui.field_reached", true)
            .hint("tui.reached_hint")
            .choice("satisfaction", "tui.field_satisfaction", scores(ctx), None)
            .off_hint("tui.only_reached")
            .multi("note", "label.note", "", 2)
            .focus_first();
        let site = config.site_name(&call.site, ctx.lang);
        let contact = config.policy.site(&call.site);
        let who = contact.map_or_else(String::new, |s| {
            let name = s.contact.as_deref().unwrap_or_default();
            format!("{name}  {}", s.phone.as_deref().unwrap_or_default())
        });
        let head = vec![
            sanitize_line(&format!("{site}  {who}")),
            cat.format(
                "tui.care_head",
                &[
                    ("plan", care_plan_name(config, &call.plan, ctx.lang)),
                    ("role", role_name(&call.role, config, ctx.lang)),
                    ("due", short_minutes(call.due_at, ctx.now, ctx.zone())),
                    (
                        "reopen",
                        config.policy.follow_up.reopen_at_or_below.to_string(),
                    ),
                ],
            ),
            cat.format(
                "tui.care_ask",
                &[(
                    "question",
                    sanitize_line(&care_question(config, &call.plan, ctx.lang)),
                )],
            ),
        ];
        FollowForm {
            kind: FollowKind::Care {
                care_id: call.id,
                site,
            },
            number: String::new(),
            form,
            head,
            script: None,
        }
    }

    /// What the form records.
    pub fn kind(&self) -> &FollowKind {
        &self.kind
    }

    /// The complaint's number.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The form's inputs.
    pub fn form(&self) -> &Form {
        &self.form
    }

    /// Whether the form shows a script.
    pub fn may_script(&self) -> bool {
        self.script.is_some()
    }

    /// The script of the call, if it has one.
    pub fn script(&self, ctx: &Ctx<'_>) -> Option<Said> {
        let (moment, subject) = self.script.as_ref()?;
        Some(script(ctx.config, ctx.lang, *moment, subject))
    }

    /// Inputs that apply only with some choices: the time of "call later", the
    /// satisfaction of a customer reached.
    fn follow_choices(&mut self) {
        if self.form.is_enabled("result") {
            let later = self.form.chosen("result") == Some(CallResult::Later.as_str());
            self.form.set_enabled("promised", later);
        }
        if matches!(
            self.kind,
            FollowKind::Revisit { .. } | FollowKind::Care { .. }
        ) {
            let reached = self.form.ticked("reached");
            self.form.set_enabled("satisfaction", reached);
        }
    }

    /// Handles a key.
    pub fn key(&mut self, key: KeyEvent) -> FormStep {
        let step = self.form.key(key);
        if matches!(step, FormStep::Changed("result" | "reached")) {
            self.follow_choices();
        }
        step
    }

    /// Pasted text into the focused text input; how many unsafe characters were left out.
    pub fn paste(&mut self, text: &str) -> usize {
        self.form.paste(text).1
    }

    /// Shows a refusal beside the input it concerns (the focus there), else above the
    /// inputs.
    pub fn refused(&mut self, err: Error) {
        let field = match (err.key, err.get("field")) {
            // The desk names its due time `due`; the form's date input is `promised`.
            ("error.promise_past", _) | (_, Some("due")) => Some("promised"),
            ("error.satisfaction_range", _) => Some("satisfaction"),
            // A revisit's comment is the reason a case reopens.
            (_, Some("reason")) => Some("comment"),
            _ => None,
        };
        self.form.refuse(err, field);
    }

    /// The refusal shown, if any.
    pub fn error(&self) -> Option<&Error> {
        self.form.error().map(|(_, e)| e)
    }

    /// The effect the form asks for, or why it cannot be one yet (a choice not made, a
    /// date that does not read); the desk checks the rest.
    pub fn effect(&self, ctx: &Ctx<'_>) -> Result<Effect> {
        let f = &self.form;
        let choose = |id: &'static str, label: &str| {
            Error::new("tui.choose_required")
                .arg("field", id)
                .arg("label", ctx.catalog.text(label))
        };
        let number = self.number.clone();
        let satisfaction = || -> Result<Option<u8>> {
            if !f.ticked("reached") {
                return Ok(None);
            }
            f.chosen("satisfaction")
                .and_then(|s| s.parse::<u8>().ok())
                .map(Some)
                .ok_or_else(|| choose("satisfaction", "tui.field_satisfaction"))
        };
        Ok(match self.kind {
            FollowKind::Log { callback_id } => {
                let result = f
                    .chosen("result")
                    .and_then(|k| CALL_RESULTS.into_iter().find(|r| r.as_str() == k))
                    .ok_or_else(|| choose("result", "label.result"))?;
                let later = if result == CallResult::Later {
                    parse_due(&f.text_of("promised"), ctx.zone())?
                } else {
                    None
                };
                Effect::LogCallback {
                    number,
                    callback_id,
                    result,
                    note: f.text_of("note"),
                    later,
                }
            }
            FollowKind::Promise => {
                let due = parse_due(&f.text_of("promised"), ctx.zone())?.ok_or_else(|| {
                    Error::new("tui.due_required")
                        .arg("field", "promised")
                        .arg("label", ctx.catalog.text("tui.field_call_by"))
                })?;
                Effect::PromiseCallback {
                    number,
                    due,
                    note: f.text_of("note"),
                }
            }
            FollowKind::Revisit { revisit_id } => Effect::RecordRevisit {
                number,
                revisit_id,
                satisfaction: satisfaction()?,
                comment: f.text_of("comment"),
            },
            FollowKind::Care { care_id, .. } => Effect::RecordCareCall {
                care_id,
                result: satisfaction()?.map_or(CareResult::Unreached, CareResult::Reached),
                note: f.text_of("note"),
            },
        })
    }

    /// Draws the form as a popup over `area`.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let (key, subject) = match &self.kind {
            FollowKind::Log { .. } => ("tui.log_title", ("number", self.number.clone())),
            FollowKind::Promise => ("tui.promise_title", ("number", self.number.clone())),
            FollowKind::Revisit { .. } => ("tui.revisit_title", ("number", self.number.clone())),
            FollowKind::Care { site, .. } => ("tui.care_title", ("site", sanitize_line(site))),
        };
        let title = c.format(key, &[subject]);
        // The complaint on one line (its free text cut), what is owed wrapped.
        let head = |cols: usize| -> Vec<Line<'static>> {
            let mut lines = Vec::new();
            for (i, l) in self.head.iter().enumerate() {
                if i == 0 {
                    lines.push(Line::styled(fit(l, cols), theme::hint()));
                } else {
                    let rows = wrap_hanging(l, cols).into_iter();
                    lines.extend(rows.map(|r| Line::styled(r, theme::label())));
                }
            }
            if let Some(said) = self.script(ctx) {
                lines.extend(script_box::head_lines(ctx, &said, cols, SCRIPT_ROWS));
            }
            lines
        };
        popup(ctx, frame, area, &title, &head, &self.form);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Preset};
    use crate::desk::Callback;
    use crate::i18n::Lang;
    use crate::tui::widgets::form::tests::check_tab_order;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn config() -> Config {
        Config::preset(Preset::PropertyManagement).expect("preset")
    }

    fn ctx(config: &Config) -> Ctx<'_> {
        Ctx::new(config, Lang::ZhCn)
    }

    fn complaint() -> Complaint {
        Complaint::sample(1, "leak", "漏水")
    }

    fn row() -> CallbackRow {
        let c = complaint();
        CallbackRow {
            callback: Callback {
                id: 7,
                kind: "first_reply".into(),
                due_at: c.received_at,
                owner: None,
                note: String::new(),
                done_at: None,
                attempts: 1,
                level: 0,
            },
            complaint: c,
            overdue: true,
            flagged: false,
        }
    }

    fn press(f: &mut FollowForm, code: KeyCode) -> FormStep {
        f.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn type_text(f: &mut FollowForm, text: &str) {
        for ch in text.chars() {
            press(f, KeyCode::Char(ch));
        }
    }

    #[test]
    fn a_call_later_asks_when_and_reads_the_date() {
        let config = config();
        let ctx = ctx(&config);
        let mut f = FollowForm::log(&ctx, &row());
        assert_eq!(f.form().focus(), Some("result"));
        let err = f.effect(&ctx).expect_err("no result chosen");
        assert_eq!(err.get("field"), Some("result"));
        assert!(!f.form().is_enabled("promised"));
        press(&mut f, KeyCode::Left);
        assert_eq!(f.form().chosen("result"), Some("later"));
        assert!(f.form().is_enabled("promised"));
        press(&mut f, KeyCode::Tab);
        type_text(&mut f, "晚上再打");
        press(&mut f, KeyCode::Tab);
        type_text(&mut f, "明天下午");
        let err = f.effect(&ctx).expect_err("not a date");
        f.refused(err);
        assert_eq!(f.form().error().map(|(at, _)| at), Some(Some("promised")));
        for _ in 0.."明天下午".chars().count() {
            press(&mut f, KeyCode::Backspace);
        }
        type_text(&mut f, "2026-11-25 14:00");
        let Effect::LogCallback {
            callback_id,
            result,
            note,
            later,
            ..
        } = f.effect(&ctx).expect("effect")
        else {
            panic!("a log effect");
        };
        assert_eq!((callback_id, result), (7, CallResult::Later));
        assert_eq!(note, "晚上再打");
        assert!(later.is_some());
        // The desk's refusal of a past time goes to the same input.
        f.refused(Error::new("error.promise_past").arg("field", "due"));
        assert_eq!(f.form().focus(), Some("promised"));
    }

    /// An open revisit of `c` by the agent, due when it was received.
    fn revisit(c: &Complaint) -> Revisit {
        Revisit {
            id: 3,
            role: "agent".into(),
            due_at: c.received_at,
            done_at: None,
            reached: None,
            satisfaction: None,
            comment: String::new(),
            attempts: 0,
        }
    }

    #[test]
    fn a_revisit_not_reached_has_no_satisfaction() {
        let config = config();
        let ctx = ctx(&config);
        let c = complaint();
        let r = revisit(&c);
        let mut f = FollowForm::revisit(&ctx, &r, &c);
        assert!(f.form().ticked("reached"));
        let err = f.effect(&ctx).expect_err("satisfaction needed");
        assert_eq!(err.get("field"), Some("satisfaction"));
        press(&mut f, KeyCode::Char(' '));
        assert!(!f.form().is_enabled("satisfaction"));
        assert_eq!(
            f.effect(&ctx).expect("effect"),
            Effect::RecordRevisit {
                number: c.number.clone(),
                revisit_id: 3,
                satisfaction: None,
                comment: String::new(),
            }
        );
        press(&mut f, KeyCode::Char(' '));
        press(&mut f, KeyCode::Tab);
        type_text(&mut f, "2");
        assert_eq!(f.form().chosen("satisfaction"), Some("2"));
    }

    /// The care form asks the plan's question in the reader's language (zh-TW: the
    /// Simplified question converted, the preset giving none), and records not reached.
    #[test]
    fn a_care_call_asks_the_plans_question_and_records_not_reached() {
        let config = config();
        let call = CareCall {
            id: 4,
            site: "binjiang".into(),
            plan: "quarterly-reps".into(),
            role: "supervisor".into(),
            due_at: complaint().received_at,
            done_at: None,
            reached: None,
            satisfaction: None,
            note: String::new(),
            attempts: 0,
            complaint_id: None,
        };
        let tw = Ctx::new(&config, Lang::ZhTw);
        let f = FollowForm::care(&tw, &call);
        assert!(f.head[0].starts_with("濱江壹號  李代表"), "{}", f.head[0]);
        assert!(f.head[2].contains("最近小區的保潔"), "{}", f.head[2]);
        let ctx = ctx(&config);
        let mut f = FollowForm::care(&ctx, &call);
        assert!(f.head[2].contains("最近小区的保洁"), "{}", f.head[2]);
        let err = f.effect(&ctx).expect_err("satisfaction needed");
        assert_eq!(err.get("field"), Some("satisfaction"));
        press(&mut f, KeyCode::Char(' '));
        press(&mut f, KeyCode::Tab);
        type_text(&mut f, "没人接");
        assert_eq!(
            f.effect(&ctx).expect("effect"),
            Effect::RecordCareCall {
                care_id: 4,
                result: CareResult::Unreached,
                note: "没人接".into(),
            }
        );
    }

    #[test]
    fn tab_visits_every_input_that_applies_and_says_which_it_skipped() {
        let config = config();
        let ctx = ctx(&config);
        let c = complaint();
        let r = revisit(&c);
        let mut log = FollowForm::log(&ctx, &row());
        let care = CareCall {
            id: 4,
            site: "lvjing".into(),
            plan: "quarterly-reps".into(),
            role: "supervisor".into(),
            due_at: c.received_at,
            done_at: None,
            reached: None,
            satisfaction: None,
            note: String::new(),
            attempts: 0,
            complaint_id: None,
        };
        for mut f in [
            log.clone(),
            FollowForm::promise(&c),
            FollowForm::revisit(&ctx, &r, &c),
            FollowForm::care(&ctx, &care),
        ] {
            let shown = f.form().clone();
            check_tab_order(&shown, || {
                press(&mut f, KeyCode::Tab);
                f.form().focus()
            });
        }
        // The time of a call later is skipped, and the form says so.
        press(&mut log, KeyCode::Tab);
        assert_eq!(log.form().focus(), Some("note"));
        press(&mut log, KeyCode::Tab);
        assert_eq!(log.form().focus(), Some("result"));
        assert_eq!(log.form().passed().collect::<Vec<_>>(), ["promised"]);
    }

    #[test]
    fn a_promise_needs_a_time() {
        let config = config();
        let ctx = ctx(&config);
        let f = FollowForm::promise(&complaint());
        let err = f.effect(&ctx).expect_err("no time");
        assert_eq!(
            (err.key, err.get("field")),
            ("tui.due_required", Some("promised"))
        );
    }
}
