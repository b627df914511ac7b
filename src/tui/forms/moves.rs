//! The forms of the handling method's moves (判定类型, 核实投诉, 调查评估, 解决方案, 回复客户,
//! …), all built from the one form widget. A form belongs to one complaint at the version
//! it was opened at; Ctrl+S turns it into a domain `Action` that the runner applies through
//! `Desk::act` with that version (optimistic concurrency). The classification form is
//! pre-filled from the keyword rules' suggestion, each suggested value marked as such until
//! the agent changes it: nothing is saved until the agent presses Ctrl+S. Classifying out
//! of scope and a declined reply show their reply script above the inputs (the party as
//! chosen); Ctrl+Y copies it. The classification form also shows the case library's most
//! similar published cards (one line each: category, party, lesson), found when it opens.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::desk::LibraryCard;
use crate::desk::script::{Subject, script};
use crate::domain::complaint::{Complaint, Intent, Scope};
use crate::domain::handling::{Action, Approval, EXTERNAL_BODIES, Mood, WaitOn};
use crate::domain::script::Moment;
use crate::domain::stage::Move;
use crate::domain::suggest::{Suggestion, suggest};
use crate::domain::zone::Zone;
use crate::error::{Error, Result};
use crate::i18n::{Catalog, configured};
use crate::text::{fit, sanitize_line, sanitize_lines};
use crate::tui::ctx::Ctx;
use crate::tui::msg::Effect;
use crate::tui::theme;
use crate::tui::widgets::form::{Form, FormStep, popup};
use crate::tui::widgets::script::{self as script_box, Said};

/// Rows of a multi-line input.
const MULTI_ROWS: u16 = 3;
/// Most rows of a script above a move form's inputs (Ctrl+Y copies the whole text).
const SCRIPT_ROWS: usize = 4;

/// An open move form.
#[derive(Debug, Clone)]
pub struct MoveForm {
    number: String,
    version: i64,
    mv: Move,
    scope: Option<Scope>,
    form: Form,
    /// The complaint in one line (who, where, what), for the form's head.
    head: String,
    /// Classification: what the rules suggested, when the form shows it.
    suggestion: Option<Suggestion>,
    /// Category name, for a suggestion from the category's default scope.
    category: String,
    /// The approval form: the plan waiting for the decision (amount and department, then
    /// the actions), one line each.
    approval: Vec<String>,
    /// What the move's script is filled from.
    subject: Subject,
    /// Classification: the case's category key and description, to find the case
    /// library's most similar cards by.
    similar_of: Option<(String, String)>,
    /// The case library's cards most like the case (classification), once found.
    similar: Vec<LibraryCard>,
}

fn options<K: AsRef<str>>(items: impl IntoIterator<Item = (K, String)>) -> Vec<(String, String)> {
    items
        .into_iter()
        .map(|(k, l)| (k.as_ref().to_string(), l))
        .collect()
}

fn severities(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    options(
        ctx.config
            .policy
            .severities
            .iter()
            .map(|s| (&s.key, ctx.config.severity_name(&s.key, ctx.lang))),
    )
}

fn parties(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    options(
        ctx.config
            .policy
            .parties
            .iter()
            .map(|p| (&p.key, ctx.config.party_name(&p.key, ctx.lang))),
    )
}

fn labelled(c: &Catalog, section: &str, keys: &[&str]) -> Vec<(String, String)> {
    options(
        keys.iter()
            .map(|k| (*k, c.text(&format!("{section}.{k}")).to_string())),
    )
}

/// The moods to choose from, "not noted" first.
fn moods(c: &Catalog) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), c.text("tui.mood_unnoted").to_string())];
    out.extend(options(Mood::ALL.map(|m| {
        (
            m.as_str(),
            c.text(&format!("mood.{}", m.as_str())).to_string(),
        )
    })));
    out
}

impl MoveForm {
    /// The form of `mv` for complaint `c`, filled with what is known (and, to classify, the
    /// suggestion of the keyword rules).
    pub fn open(ctx: &Ctx<'_>, c: &Complaint, mv: Move) -> MoveForm {
        let cat = ctx.catalog;
        let h = &c.handling;
        let mut suggestion = None;
        let form = match mv {
            Move::Classify => {
                let s = suggest(&ctx.config.policy, c);
                // A complaint classified before (still at intake) shows its decision; an
                // untriaged one the suggestion, marked.
                let fresh = c.scope.is_none();
                let scope = c.scope.or(s.scope);
                let party = c.party.clone().or_else(|| {
                    (fresh && scope == Some(Scope::Out))
                        .then(|| s.party.clone())
                        .flatten()
                });
                let severity = c.severity.clone().or_else(|| s.severity.clone());
                let spread = c.spread_risk || (fresh && s.spread_risk);
                let mut types = vec![(String::new(), cat.text("tui.no_type").to_string())];
                types.extend(options(
                    ctx.config
                        .policy
                        .types
                        .iter()
                        .map(|t| (&t.key, ctx.config.type_name(&t.key, ctx.lang))),
                ));
                let form = Form::new()
                    .choice(
                        "scope",
                        "label.scope",
                        labelled(cat, "scope", &["in", "out"]),
                        scope.map(Scope::as_str),
                    )
                    .suggested(fresh && scope.is_some())
                    .choice("party", "label.party", parties(ctx), party.as_deref())
                    .suggested(fresh && party.is_some())
                    .off_hint("tui.only_out_of_scope")
                    .choice(
                        "type",
                        "label.type",
                        types,
                        Some(c.complaint_type.as_deref().unwrap_or("")),
                    )
                    .choice(
                        "severity",
                        "label.severity",
                        severities(ctx),
                        severity.as_deref(),
                    )
                    .suggested(c.severity.is_none() && s.severity.is_some())
                    .choice(
                        "intent",
                        "label.intent",
                        labelled(cat, "intent", &["genuine", "venting", "unclear"]),
                        Some(c.intent.as_str()),
                    )
                    .hint("tui.intent_hint")
                    .tick("spread_risk", "label.spread_risk", spread)
                    .suggested(fresh && s.spread_risk)
                    .hint("tui.spread_hint")
                    .tick("explained", "label.explained", c.explained)
                    .hint("tui.explained_hint")
                    .off_hint("tui.only_out_of_scope");
                if fresh {
                    suggestion = Some(s);
                }
                form
            }
            Move::Verify => Form::new()
                .multi("motive", "label.motive", &h.motive, MULTI_ROWS)
                .text("outcome", "label.outcome", &c.outcome)
                .choice(
                    "mood",
                    "label.mood",
                    moods(cat),
                    Some(h.mood.map_or("", Mood::as_str)),
                )
                .hint("tui.mood_hint"),
            Move::Assess => Form::new()
                .multi("facts", "label.facts", &h.facts, MULTI_ROWS)
                .choice(
                    "severity",
                    "label.severity",
                    severities(ctx),
                    c.severity.as_deref(),
                ),
            Move::Plan => {
                let plan = h.plan.clone().unwrap_or_default();
                let promised = plan
                    .promised
                    .map(|t| crate::when::local_minutes(t, ctx.zone()))
                    .unwrap_or_default();
                let amount = plan.compensation.map(|a| a.to_string()).unwrap_or_default();
                Form::new()
                    .text("department", "label.department", &plan.department)
                    .multi("actions", "label.actions", &plan.actions, MULTI_ROWS)
                    .text("promised", "label.promised", &promised)
                    .hint("tui.date_hint")
                    .tick("confirmed", "label.confirmed", plan.confirmed)
                    .hint("tui.confirmed_hint")
                    .text("compensation", "label.compensation", &amount)
                    .hint("tui.amount_hint")
                    .text(
                        "gift",
                        "label.gift",
                        plan.gift.as_deref().unwrap_or_default(),
                    )
            }
            Move::Approve => Form::new()
                .choice(
                    "decision",
                    "label.decision",
                    options([
                        ("approve", cat.text("tui.approve_yes").to_string()),
                        ("decline", cat.text("tui.approve_no").to_string()),
                    ]),
                    Some("approve"),
                )
                .multi("note", "label.note", "", MULTI_ROWS)
                .off_hint("tui.only_when_declining"),
            Move::Reply => Form::new()
                .choice(
                    "accepted",
                    "label.reply",
                    options([
                        ("accepted", cat.text("tui.reply_accepted").to_string()),
                        ("declined", cat.text("tui.reply_declined").to_string()),
                    ]),
                    None,
                )
                .multi("alternatives", "label.alternatives", "", MULTI_ROWS)
                .off_hint("tui.only_declined"),
            Move::Remedied => Form::new().multi("note", "label.note", "", MULTI_ROWS),
            Move::Escalate => {
                let rank = c
                    .severity
                    .as_deref()
                    .and_then(|s| ctx.config.policy.severities.iter().position(|x| x.key == s));
                let next = ctx
                    .config
                    .policy
                    .severities
                    .get(rank.map_or(0, |r| r + 1))
                    .map(|s| s.key.clone());
                Form::new()
                    .multi("reason", "label.reason", "", MULTI_ROWS)
                    .choice(
                        "severity",
                        "label.severity",
                        severities(ctx),
                        next.as_deref(),
                    )
            }
            Move::Refer => Form::new()
                .choice("to", "label.to", parties(ctx), c.party.as_deref())
                .text("note", "label.note", ""),
            Move::External => Form::new()
                .choice(
                    "to",
                    "label.to",
                    labelled(cat, "external", &EXTERNAL_BODIES),
                    None,
                )
                .text("note", "label.note", ""),
            Move::WaitParty | Move::WaitCustomer => {
                let on = if mv == Move::WaitParty {
                    "third-party"
                } else {
                    "customer"
                };
                Form::new()
                    .choice("on", "label.on", labelled(cat, "wait", &[on]), Some(on))
                    .text("note", "label.note", "")
            }
            Move::Resume => Form::new().text("note", "label.note", ""),
            Move::Close => {
                let mut form = Form::new();
                if c.scope == Some(Scope::Out) {
                    form = form
                        .tick("referred", "label.referred", true)
                        .hint("tui.referred_hint");
                }
                form.multi("summary", "label.summary", "", MULTI_ROWS)
                    .text("root_cause", "label.root_cause", "")
                    .text("lesson", "label.lesson", "")
                    .tick("to_library", "label.to_library", false)
            }
            Move::Reopen => Form::new().multi("reason", "label.reason", "", MULTI_ROWS),
            Move::Transfer => Form::new()
                .text("handler", "label.transfer_to", "")
                .hint("tui.transfer_hint")
                .multi("reason", "label.reason", "", MULTI_ROWS),
        };
        let approval = h
            .plan
            .as_ref()
            .filter(|p| mv == Move::Approve && p.approval == Approval::Pending)
            .map(|p| {
                let head = format!(
                    "{} {}  {} {}",
                    cat.text("label.compensation"),
                    p.compensation.unwrap_or(0),
                    cat.text("label.department"),
                    sanitize_line(&p.department)
                );
                let actions = sanitize_lines(&p.actions)
                    .into_iter()
                    .take(MULTI_ROWS.into())
                    .enumerate()
                    .map(|(i, l)| {
                        let label = if i == 0 {
                            cat.text("label.actions")
                        } else {
                            ""
                        };
                        format!("{label} {l}")
                    });
                std::iter::once(head).chain(actions).collect()
            })
            .unwrap_or_default();
        let first = c.description.lines().next().unwrap_or_default();
        let category = ctx.config.category_name(&c.category, ctx.lang);
        let head = sanitize_line(&format!(
            "{}  {}  {}  {}",
            c.name, c.location, category, first
        ));
        let mut form = MoveForm {
            number: c.number.clone(),
            version: c.version,
            mv,
            scope: c.scope,
            form: form.focus_first(),
            head,
            suggestion,
            category,
            approval,
            subject: Subject::of(c, ctx.config),
            similar_of: (mv == Move::Classify).then(|| (c.category.clone(), c.description.clone())),
            similar: Vec::new(),
        };
        form.follow_choices();
        form
    }

    /// The complaint's number.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The version the form applies to.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// Applies the form to `version` from now on (after the agent saw a newer complaint).
    pub fn set_version(&mut self, version: i64) {
        self.version = version;
    }

    /// The move.
    pub fn mv(&self) -> Move {
        self.mv
    }

    /// The form's inputs.
    pub fn form(&self) -> &Form {
        &self.form
    }

    /// What finds the case library's cards most like the case (the classification form).
    pub fn similar_effect(&self) -> Option<Effect> {
        self.similar_of
            .as_ref()
            .map(|(category, description)| Effect::SimilarCards {
                number: self.number.clone(),
                category: category.clone(),
                description: description.clone(),
            })
    }

    /// Shows the case library's cards most like the case above the inputs.
    pub fn set_similar(&mut self, cards: Vec<LibraryCard>) {
        if self.similar_of.is_some() {
            self.similar = cards;
        }
    }

    /// The similar cards shown.
    pub fn similar(&self) -> &[LibraryCard] {
        &self.similar
    }

    /// Whether the move may show a script (classifying, replying).
    pub fn may_script(&self) -> bool {
        matches!(self.mv, Move::Classify | Move::Reply)
    }

    /// The script of the move as the form stands: the explanation when out of scope is
    /// chosen (naming the party chosen), the alternatives when the plan is declined.
    pub fn script(&self, ctx: &Ctx<'_>) -> Option<Said> {
        let mut subject = self.subject.clone();
        let moment = match self.mv {
            Move::Classify if self.form.chosen("scope") == Some("out") => {
                subject.scope = Some(Scope::Out);
                subject.party = self.form.chosen("party").map(str::to_string);
                Moment::Explain
            }
            Move::Reply if self.form.chosen("accepted") == Some("declined") => Moment::Declined,
            _ => return None,
        };
        Some(script(ctx.config, ctx.lang, moment, &subject))
    }

    /// Inputs that apply only with some choices: the responsible party and the
    /// responsibility explained out of scope, the alternatives when the plan is declined,
    /// the note when the compensation is declined.
    fn follow_choices(&mut self) {
        let out = self.form.chosen("scope") == Some("out");
        self.form.set_enabled("party", out);
        self.form.set_enabled("explained", out);
        let declined = self.form.chosen("accepted") == Some("declined");
        self.form.set_enabled("alternatives", declined);
        if self.mv == Move::Approve {
            let declining = self.form.chosen("decision") == Some("decline");
            self.form.set_enabled("note", declining);
        }
    }

    /// Handles a key.
    pub fn key(&mut self, key: KeyEvent) -> FormStep {
        let step = self.form.key(key);
        if matches!(step, FormStep::Changed("scope" | "accepted" | "decision")) {
            self.follow_choices();
        }
        step
    }

    /// Pasted text into the focused text input; how many unsafe characters were left out.
    pub fn paste(&mut self, text: &str) -> usize {
        self.form.paste(text).1
    }

    /// Shows a refusal beside the input it concerns (the input a rule without a `field`
    /// is about, else the error's `field`), the focus there; else above the inputs.
    pub fn refused(&mut self, err: Error) {
        let field = match err.key {
            "error.explain_first" => Some("explained"),
            "error.promise_unconfirmed" => Some("confirmed"),
            "error.promise_past" => Some("promised"),
            "error.compensation_zero" | "error.over_every_limit" => Some("compensation"),
            "error.not_higher" | "error.severity_highest" => Some("severity"),
            "error.close_referred_only" | "error.close_needs_summary" => Some("referred"),
            "error.over_limit" | "error.not_permitted" => Some("decision"),
            _ => None,
        };
        self.form.refuse(err, field);
    }

    /// The refusal shown, if any.
    pub fn error(&self) -> Option<&Error> {
        self.form.error().map(|(_, e)| e)
    }

    /// Whether the close also makes the case a draft card of the case library (the tick).
    pub fn to_library(&self) -> bool {
        self.mv == Move::Close && self.form.ticked("to_library")
    }

    /// The action the form asks for, or why it cannot be one yet (a choice not made, a
    /// date or an amount that does not read); the domain checks the rest.
    pub fn action(&self, ctx: &Ctx<'_>) -> Result<Action> {
        let f = &self.form;
        let text = |id: &str| f.text_of(id);
        let required = |id: &'static str, label: &str| -> Result<String> {
            f.chosen(id).map(str::to_string).ok_or_else(|| {
                Error::new("tui.choose_required")
                    .arg("field", id)
                    .arg("label", ctx.catalog.text(label))
            })
        };
        Ok(match self.mv {
            Move::Classify => {
                let scope = match required("scope", "label.scope")?.as_str() {
                    "out" => Scope::Out,
                    _ => Scope::In,
                };
                let out = scope == Scope::Out;
                Action::Classify {
                    scope,
                    party: f.chosen("party").filter(|_| out).map(str::to_string),
                    complaint_type: f
                        .chosen("type")
                        .filter(|t| !t.is_empty())
                        .map(str::to_string),
                    severity: required("severity", "label.severity")?,
                    intent: f
                        .chosen("intent")
                        .and_then(Intent::parse)
                        .unwrap_or_default(),
                    spread_risk: f.ticked("spread_risk"),
                    explained: out && f.ticked("explained"),
                }
            }
            Move::Verify => Action::Verify {
                motive: text("motive"),
                outcome: text("outcome"),
                mood: f.chosen("mood").and_then(Mood::parse),
            },
            Move::Assess => Action::Assess {
                facts: text("facts"),
                severity: f.chosen("severity").map(str::to_string),
            },
            Move::Plan => Action::Plan {
                department: text("department"),
                actions: text("actions"),
                promised: parse_datetime(&text("promised"), ctx.zone())?,
                confirmed: f.ticked("confirmed"),
                compensation: parse_amount(&text("compensation"))?,
                gift: Some(text("gift")).filter(|g| !g.trim().is_empty()),
            },
            Move::Approve if f.chosen("decision") == Some("decline") => {
                Action::Decline { note: text("note") }
            }
            Move::Approve => Action::Approve,
            Move::Reply => {
                let accepted = required("accepted", "label.reply")? == "accepted";
                Action::Reply {
                    accepted,
                    alternatives: if accepted {
                        String::new()
                    } else {
                        text("alternatives")
                    },
                }
            }
            Move::Remedied => Action::Remedied { note: text("note") },
            Move::Escalate => Action::Escalate {
                reason: text("reason"),
                severity: f.chosen("severity").map(str::to_string),
            },
            Move::Refer | Move::External => Action::Refer {
                to: required("to", "label.to")?,
                note: text("note"),
            },
            Move::WaitParty | Move::WaitCustomer => Action::Wait {
                on: if f.chosen("on") == Some("third-party") {
                    WaitOn::ThirdParty
                } else {
                    WaitOn::Customer
                },
                note: text("note"),
            },
            Move::Resume => Action::Resume { note: text("note") },
            Move::Close => Action::Close {
                summary: text("summary"),
                root_cause: text("root_cause"),
                lesson: text("lesson"),
                referred: self.scope == Some(Scope::Out) && f.ticked("referred"),
            },
            Move::Reopen => Action::Reopen {
                reason: text("reason"),
            },
            Move::Transfer => Action::Transfer {
                to: text("handler"),
                reason: text("reason"),
            },
        })
    }

    /// The lines above the inputs: the complaint, then what the suggestion rests on or the
    /// compensation waiting for approval.
    fn head_lines(&self, ctx: &Ctx<'_>, cols: usize) -> Vec<Line<'static>> {
        let c = ctx.catalog;
        let mut lines = vec![Line::styled(fit(&self.head, cols), theme::hint())];
        if let Some(s) = &self.suggestion {
            let basis = if !s.matched.is_empty() {
                let words: Vec<String> = s
                    .matched
                    .iter()
                    .map(|w| sanitize_line(&configured(w, ctx.lang)))
                    .collect();
                Some(c.format(
                    "tui.suggested_keywords",
                    &[("keywords", words.join(c.text("label.list_separator")))],
                ))
            } else if s.scope.is_some() {
                Some(c.format(
                    "tui.suggested_category",
                    &[("category", self.category.clone())],
                ))
            } else {
                None
            };
            if let Some(b) = basis {
                lines.push(Line::styled(fit(&b, cols), theme::suggested()));
            }
        }
        if !self.similar.is_empty() {
            lines.push(Line::styled(
                fit(c.text("tui.similar_cards"), cols),
                theme::header(),
            ));
            lines.extend(
                self.similar
                    .iter()
                    .map(|card| Line::raw(fit(&similar_line(ctx, card), cols))),
            );
        }
        if !self.approval.is_empty() {
            lines.extend(self.approval.iter().map(|a| Line::raw(fit(a, cols))));
            lines.push(Line::styled(
                fit(c.text("tui.approve_confirm"), cols),
                theme::hint(),
            ));
        }
        if let Some(said) = self.script(ctx) {
            lines.extend(script_box::head_lines(ctx, &said, cols, SCRIPT_ROWS));
        }
        lines
    }

    /// Draws the form as a popup over `area`; the terminal cursor goes to the caret of the
    /// focused text input (so the input method's window follows).
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let title = c.format(
            "tui.form_title",
            &[
                ("move", c.text(&self.mv.label_key()).to_string()),
                ("number", self.number.clone()),
            ],
        );
        popup(
            ctx,
            frame,
            area,
            &title,
            &|cols| self.head_lines(ctx, cols),
            &self.form,
        );
    }
}

/// A similar card in one line: its number, category and party, then its lesson (else its
/// root cause, reply or facts).
fn similar_line(ctx: &Ctx<'_>, card: &LibraryCard) -> String {
    let mut who = ctx.config.category_name(&card.category, ctx.lang);
    if !card.party.is_empty() {
        who = format!("{who} · {}", ctx.config.party_name(&card.party, ctx.lang));
    }
    let t = &card.text;
    let gist = [&t.lesson, &t.root_cause, &t.reply, &t.facts]
        .into_iter()
        .find_map(|text| text.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or_default();
    sanitize_line(&format!("#{}  {who}  {gist}", card.id))
}

/// A date and time as the command line takes it (`when::parse_datetime`); empty: none.
pub fn parse_datetime(text: &str, zone: Zone) -> Result<Option<DateTime<Utc>>> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    crate::when::parse_datetime(t, "promised", zone).map(Some)
}

/// A whole amount of money (full-width digits, as a Chinese input method types them,
/// included). Empty: none.
pub fn parse_amount(text: &str) -> Result<Option<u32>> {
    let t: String = text
        .trim()
        .chars()
        .map(crate::domain::complaint::halfwidth)
        .collect();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u32>().map(Some).map_err(|_| {
        Error::new("tui.bad_amount")
            .arg("field", "compensation")
            .arg("value", sanitize_line(text.trim()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Preset};
    use crate::domain::stage::Stage;
    use crate::i18n::Lang;
    use crate::tui::widgets::form::tests::check_tab_order;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn config() -> Config {
        Config::preset(Preset::PropertyManagement).expect("preset")
    }

    fn ctx(config: &Config) -> Ctx<'_> {
        Ctx::new(config, Lang::ZhCn)
    }

    fn complaint(category: &str, description: &str) -> Complaint {
        Complaint::sample(1, category, description)
    }

    fn press(f: &mut MoveForm, code: KeyCode) -> FormStep {
        f.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn the_classification_form_is_prefilled_from_the_suggestion_and_marked() {
        let config = config();
        let ctx = ctx(&config);
        let c = complaint("leak", "开发商交房的墙面开裂，已经三年了");
        let f = MoveForm::open(&ctx, &c, Move::Classify);
        let form = f.form();
        assert_eq!(form.chosen("scope"), Some("out"));
        assert_eq!(form.chosen("party"), Some("developer"));
        assert!(form.is_suggested("scope") && form.is_suggested("party"));
        assert!(form.is_enabled("party") && form.is_enabled("explained"));
        assert!(
            !form.ticked("explained"),
            "the agent ticks it, never the rules"
        );
        assert_eq!(form.chosen("intent"), Some("unclear"));
        assert_eq!(form.chosen("type"), Some(""), "no type");
        // The suggestion is only a start: nothing chosen for severity means no action.
        let err = f.action(&ctx).expect_err("severity required");
        assert_eq!(
            (err.key, err.get("field")),
            ("tui.choose_required", Some("severity"))
        );
    }

    fn card(id: i64, party: &str, lesson: &str) -> LibraryCard {
        let at = chrono::DateTime::<Utc>::UNIX_EPOCH;
        LibraryCard {
            id,
            category: "leak".into(),
            party: party.into(),
            text: crate::desk::CardText {
                facts: "楼上卫生间渗水到〔房号〕".into(),
                lesson: lesson.into(),
                ..Default::default()
            },
            status: crate::desk::CardStatus::Published,
            version: 2,
            created_at: at,
            updated_at: at,
            published_at: Some(at),
        }
    }

    /// Only the classification form asks for the similar cards; they show above its
    /// inputs one line each, the party named, the lesson first, the text made safe.
    #[test]
    fn the_classification_form_shows_the_similar_cards_of_the_library() {
        let config = config();
        let ctx = ctx(&config);
        let c = complaint("leak", "楼上漏水");
        let mut f = MoveForm::open(&ctx, &c, Move::Classify);
        assert_eq!(
            f.similar_effect(),
            Some(Effect::SimilarCards {
                number: c.number.clone(),
                category: "leak".into(),
                description: "楼上漏水".into(),
            })
        );
        let head = |f: &MoveForm| -> Vec<String> {
            f.head_lines(&ctx, 70)
                .iter()
                .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
                .collect()
        };
        assert!(!head(&f).iter().any(|l| l.contains("典型案例")));
        f.set_similar(vec![
            card(7, "developer", "先查楼上防水\x1b[2J再谈赔偿"),
            card(9, "", ""),
        ]);
        let lines = head(&f);
        let at = lines
            .iter()
            .position(|l| l.contains("相似的典型案例"))
            .expect("the cards' heading");
        assert!(lines[at + 1].starts_with("#7  "), "{lines:?}");
        assert!(lines[at + 1].contains("开发商"), "{lines:?}");
        assert!(lines[at + 1].contains("先查楼上防水"), "{lines:?}");
        assert!(!lines[at + 1].contains('\x1b'), "{lines:?}");
        assert!(
            lines[at + 2].contains("楼上卫生间渗水"),
            "no lesson: the facts"
        );

        let mut verify = MoveForm::open(&ctx, &c, Move::Verify);
        assert_eq!(verify.similar_effect(), None);
        verify.set_similar(vec![card(7, "", "x")]);
        assert!(verify.similar().is_empty());
    }

    /// Out of scope chosen, the explanation names the party chosen; in scope, no script;
    /// a declined reply, the alternatives' script. Ctrl+Y copies the whole text.
    #[test]
    fn the_script_follows_the_choices_and_is_copied() {
        let config = config();
        let ctx = ctx(&config);
        let c = complaint("wall-crack", "墙面开裂");
        let mut f = MoveForm::open(&ctx, &c, Move::Classify);
        let said = f.script(&ctx).expect("out of scope").expect("renders");
        let said = said.expect("configured");
        assert_eq!(
            (said.key.as_str(), said.moment),
            ("explain-wall-crack", Moment::Explain)
        );
        assert!(said.text.contains("开发商"), "{}", said.text);
        let ctrl_y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL);
        let out = script_box::key(&ctrl_y, || Some(Ok(Some(said.clone())))).expect("the copy key");
        assert_eq!(out.effects, vec![crate::tui::msg::Effect::Copy(said.text)]);
        press(&mut f, KeyCode::Left);
        assert!(f.script(&ctx).is_none(), "in scope: nothing to explain");

        let mut c = complaint("leak", "漏水");
        c.stage = Stage::RemedyPlanned;
        c.handling.plan = Some(crate::domain::handling::Plan {
            department: "工程部".into(),
            ..Default::default()
        });
        let mut f = MoveForm::open(&ctx, &c, Move::Reply);
        assert!(f.script(&ctx).is_none(), "nothing chosen yet");
        press(&mut f, KeyCode::Left);
        assert_eq!(f.form().chosen("accepted"), Some("declined"));
        let said = f.script(&ctx).expect("declined").expect("renders");
        assert!(said.expect("configured").text.contains("工程部"));
    }

    #[test]
    fn in_scope_turns_off_party_and_explained() {
        let config = config();
        let ctx = ctx(&config);
        let c = complaint("wall-crack", "墙面开裂");
        let mut f = MoveForm::open(&ctx, &c, Move::Classify);
        assert_eq!(f.form().chosen("scope"), Some("out"));
        assert!(
            f.form().is_suggested("scope"),
            "the category's default scope"
        );
        press(&mut f, KeyCode::Left);
        assert_eq!(f.form().chosen("scope"), Some("in"));
        assert!(!f.form().is_enabled("party"));
        press(&mut f, KeyCode::Tab);
        assert_eq!(f.form().focus(), Some("type"), "party skipped");
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Right);
        let action = f.action(&ctx).expect("action");
        assert_eq!(
            action,
            Action::Classify {
                scope: Scope::In,
                party: None,
                complaint_type: None,
                severity: "minor".into(),
                intent: Intent::Unclear,
                spread_risk: false,
                explained: false,
            }
        );
    }

    #[test]
    fn plan_dates_and_amounts_are_read_or_refused_beside_their_input() {
        assert_eq!(parse_amount(" ３００ ").expect("amount"), Some(300));
        assert_eq!(parse_amount("").expect("none"), None);
        let err = parse_amount("三百").expect_err("not digits");
        assert_eq!(err.get("field"), Some("compensation"));
        assert_eq!(parse_datetime(" ", Zone::UTC).expect("none"), None);
        assert!(
            parse_datetime("2026-11-25 10:00", Zone::UTC)
                .expect("date")
                .is_some()
        );
        assert!(
            parse_datetime("2026-11-25T10:00:00+08:00", Zone::UTC)
                .expect("rfc 3339")
                .is_some()
        );
        let err = parse_datetime("下周一", Zone::UTC).expect_err("not a date");
        assert_eq!(err.get("field"), Some("promised"));

        let config = config();
        let ctx = ctx(&config);
        let mut c = complaint("leak", "漏水");
        c.scope = Some(Scope::In);
        c.stage = Stage::Assessed;
        let mut f = MoveForm::open(&ctx, &c, Move::Plan);
        assert_eq!(f.form().focus(), Some("department"));
        for _ in 0..2 {
            press(&mut f, KeyCode::Tab);
        }
        for ch in "明天".chars() {
            press(&mut f, KeyCode::Char(ch));
        }
        let err = f.action(&ctx).expect_err("bad date");
        f.refused(err);
        assert_eq!(f.form().error().map(|(at, _)| at), Some(Some("promised")));
        // A rule without a field names its input too.
        f.refused(Error::new("error.promise_unconfirmed"));
        assert_eq!(f.form().focus(), Some("confirmed"));
    }

    #[test]
    fn every_form_of_every_stage_builds_or_says_what_to_choose() {
        let config = config();
        for lang in [Lang::ZhCn, Lang::En] {
            let ctx = Ctx::new(&config, lang);
            for stage in Stage::ALL {
                for scope in [None, Some(Scope::In), Some(Scope::Out)] {
                    let mut c = complaint("leak", "漏水");
                    c.stage = stage;
                    c.scope = scope;
                    c.severity = scope.map(|_| "general".to_string());
                    for mv in Move::ALL {
                        let f = MoveForm::open(&ctx, &c, mv);
                        assert_eq!(f.mv(), mv);
                        if let Err(e) = f.action(&ctx) {
                            assert_eq!(e.key, "tui.choose_required", "{mv:?}: {e:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn tab_visits_every_input_that_applies_in_every_move_form() {
        let config = config();
        let ctx = ctx(&config);
        for stage in Stage::ALL {
            for scope in [None, Some(Scope::In), Some(Scope::Out)] {
                let mut c = complaint("leak", "漏水");
                (c.stage, c.scope) = (stage, scope);
                for mv in Move::ALL {
                    let mut f = MoveForm::open(&ctx, &c, mv);
                    let shown = f.form().clone();
                    check_tab_order(&shown, || {
                        press(&mut f, KeyCode::Tab);
                        f.form().focus()
                    });
                }
            }
        }
    }

    #[test]
    fn only_the_approve_form_shows_the_plan_awaiting_approval_and_may_decline() {
        let config = config();
        let ctx = ctx(&config);
        let mut c = complaint("leak", "漏水");
        c.scope = Some(Scope::In);
        c.stage = Stage::RemedyPlanned;
        c.handling.plan = Some(crate::domain::handling::Plan {
            department: "工程部".into(),
            actions: "更换防水层".into(),
            compensation: Some(500),
            approval: Approval::Pending,
            ..Default::default()
        });
        let reply = MoveForm::open(&ctx, &c, Move::Reply);
        assert!(reply.approval.is_empty(), "the reply form never approves");
        let mut f = MoveForm::open(&ctx, &c, Move::Approve);
        assert_eq!(
            f.approval.len(),
            2,
            "amount and department, then the actions"
        );
        assert!(f.approval[1].contains("更换防水层"));
        assert_eq!(f.action(&ctx).expect("approve"), Action::Approve);
        press(&mut f, KeyCode::Right);
        assert!(f.form().is_enabled("note"));
        assert_eq!(
            f.action(&ctx).expect("decline"),
            Action::Decline {
                note: String::new()
            }
        );
    }

    #[test]
    fn a_declined_reply_asks_for_alternatives() {
        let config = config();
        let ctx = ctx(&config);
        let mut c = complaint("leak", "漏水");
        c.scope = Some(Scope::In);
        c.stage = Stage::RemedyPlanned;
        let mut f = MoveForm::open(&ctx, &c, Move::Reply);
        assert!(!f.form().is_enabled("alternatives"));
        press(&mut f, KeyCode::Left);
        assert_eq!(f.form().chosen("accepted"), Some("declined"));
        assert!(f.form().is_enabled("alternatives"));
        press(&mut f, KeyCode::Tab);
        for ch in "先修补".chars() {
            press(&mut f, KeyCode::Char(ch));
        }
        assert_eq!(
            f.action(&ctx).expect("action"),
            Action::Reply {
                accepted: false,
                alternatives: "先修补".into()
            }
        );
    }
}
