//! The filters of the cases pane (F6): the form that sets them (stage, scope, category,
//! severity, handler, received from / to, site, location prefix) and the line that says which are
//! active. The values are checked by the desk's one rule ([`search_filter`]), which needs the
//! configuration only: Ctrl+S checks without a database, and a refusal stays beside its input.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use chrono::{DateTime, Utc};

use crate::desk::{FilterText, SearchFilter, View, search_filter};
use crate::domain::complaint::{Channel, Scope};
use crate::domain::stage::Stage;
use crate::text::{fit, sanitize_line};
use crate::tui::ctx::Ctx;
use crate::tui::theme;
use crate::tui::widgets::form::{Form, FormStep, popup};

/// The key of the "any" option of each choice.
const ANY: &str = "";

/// Filters applied to the cases pane: as typed (to show and to edit again) and as checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    typed: FilterText,
    filter: SearchFilter,
}

impl Filters {
    /// Whether any filter is set (a view the pane has no tab for counts as one).
    pub fn is_active(&self) -> bool {
        self.typed.has_filters() || self.filter.view != View::All
    }

    /// The filters `typed` sets, checked by the desk's rule (None when it refuses them).
    pub fn checked_text(ctx: &Ctx<'_>, typed: FilterText) -> Option<Filters> {
        let filter = search_filter(&ctx.config.policy, &typed).ok()?;
        Some(Filters { typed, filter })
    }

    /// Only the cases received before `to` (to the second, finer than a typed time).
    pub fn set_received_before(&mut self, to: DateTime<Utc>) {
        self.filter.to = Some(to);
    }

    /// Only the cases of `view`, one the pane has no tab for (shown among the filters).
    pub fn set_view(&mut self, view: View) {
        self.typed.view = view;
        self.filter.view = view;
    }

    /// The filters as typed (no text, the default view).
    pub fn typed(&self) -> &FilterText {
        &self.typed
    }

    /// The filters as checked (no text, the default view).
    pub fn filter(&self) -> &SearchFilter {
        &self.filter
    }

    /// The active filters in one line for `ctx`'s language, sanitised (None: no filter).
    pub fn summary(&self, ctx: &Ctx<'_>) -> Option<String> {
        if !self.is_active() {
            return None;
        }
        let c = ctx.catalog;
        let t = &self.typed;
        let part = |key: &str, value: String| c.format(key, &[("value", value)]);
        let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let mut parts = Vec::new();
        if let Some(stage) = t.stage {
            parts.push(part(
                "tui.filter_on_stage",
                c.text(stage.label_key()).into(),
            ));
        }
        if let Some(scope) = t.scope {
            let name = c.text(&format!("scope.{}", scope.as_str())).to_string();
            parts.push(part("tui.filter_on_scope", name));
        }
        if let Some(key) = &self.filter.category {
            let name = ctx.config.category_name(key, ctx.lang);
            parts.push(part("tui.filter_on_category", name));
            if self.filter.main_category {
                parts.push(c.text("dash.filter_main_category").to_string());
            }
        }
        if let Some(key) = &self.filter.severity {
            let name = ctx.config.severity_name(key, ctx.lang);
            parts.push(part("tui.filter_on_severity", name));
        }
        if let Some(h) = given(&t.handler) {
            parts.push(part("tui.filter_on_handler", h));
        }
        if let Some(site) = &self.filter.site {
            let args = [
                ("label", c.text("label.site").to_string()),
                ("value", ctx.config.site_name(site, ctx.lang)),
            ];
            parts.push(c.format("tui.filter_on_site", &args));
        }
        if let Some(l) = given(&t.location) {
            parts.push(part("tui.filter_on_location", l));
        }
        if self.filter.view != View::All {
            let key = format!("queue.{}", self.filter.view.as_str());
            parts.push(part("dash.filter_on_view", c.text(&key).to_string()));
        }
        if let Some(channel) = t.channel {
            let name = c.text(&format!("channel.{}", channel.as_str())).to_string();
            parts.push(part("dash.filter_on_channel", name));
        }
        if let Some(key) = &self.filter.party {
            parts.push(part(
                "dash.filter_on_party",
                ctx.config.party_name(key, ctx.lang),
            ));
        }
        match (given(&t.closed_from), given(&t.closed_to)) {
            (None, None) => {}
            (from, to) => parts.push(c.format(
                "dash.filter_on_closed",
                &[
                    ("from", from.unwrap_or_default()),
                    ("to", to.unwrap_or_default()),
                ],
            )),
        }
        let dates = |from, to| [("from", from), ("to", to)];
        match (given(&t.from), given(&t.to)) {
            (Some(from), Some(to)) => {
                parts.push(c.format("tui.filter_on_received", &dates(from, to)));
            }
            (Some(from), None) => {
                parts.push(c.format("tui.filter_on_from", &dates(from, String::new())));
            }
            (None, Some(to)) => {
                parts.push(c.format("tui.filter_on_to", &dates(String::new(), to)));
            }
            (None, None) => {}
        }
        let all = parts.join(c.text("tui.filter_separator"));
        Some(sanitize_line(
            &c.format("tui.filters_active", &[("filters", all)]),
        ))
    }
}

/// The filter form, open over the cases list.
#[derive(Debug, Clone)]
pub struct FilterForm {
    form: Form,
    /// The view the filters carry (the dashboard's drill-downs set one), kept as it is.
    view: View,
    /// Whether the category is the main one only (a drill-down's), kept as it is.
    main_category: bool,
}

/// `(key, label)` options: "any" first, then `items`.
fn with_any(
    ctx: &Ctx<'_>,
    items: impl IntoIterator<Item = (String, String)>,
) -> Vec<(String, String)> {
    let mut options = vec![(
        ANY.to_string(),
        ctx.catalog.text("tui.filter_any").to_string(),
    )];
    options.extend(items);
    options
}

impl FilterForm {
    /// The form filled with `filters`.
    pub fn open(ctx: &Ctx<'_>, filters: &Filters) -> FilterForm {
        let c = ctx.catalog;
        let (t, f) = (&filters.typed, &filters.filter);
        let policy = &ctx.config.policy;
        let stages = with_any(
            ctx,
            Stage::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), c.text(s.label_key()).to_string())),
        );
        let scopes = with_any(
            ctx,
            [Scope::In, Scope::Out].iter().map(|s| {
                let key = s.as_str();
                (key.to_string(), c.text(&format!("scope.{key}")).to_string())
            }),
        );
        let categories = with_any(
            ctx,
            policy
                .categories
                .iter()
                .map(|k| (k.key.clone(), ctx.config.category_name(&k.key, ctx.lang))),
        );
        let severities = with_any(
            ctx,
            policy
                .severities
                .iter()
                .map(|s| (s.key.clone(), ctx.config.severity_name(&s.key, ctx.lang))),
        );
        let channels = with_any(
            ctx,
            Channel::ALL.iter().map(|ch| {
                let key = ch.as_str();
                (
                    key.to_string(),
                    c.text(&format!("channel.{key}")).to_string(),
                )
            }),
        );
        let parties = with_any(
            ctx,
            policy
                .parties
                .iter()
                .map(|p| (p.key.clone(), ctx.config.party_name(&p.key, ctx.lang))),
        );
        let form = Form::new()
            .choice(
                "stage",
                "label.stage",
                stages,
                Some(t.stage.map_or(ANY, Stage::as_str)),
            )
            .choice(
                "scope",
                "label.scope",
                scopes,
                Some(t.scope.map_or(ANY, Scope::as_str)),
            )
            .choice(
                "category",
                "label.category",
                categories,
                Some(f.category.as_deref().unwrap_or(ANY)),
            )
            .choice(
                "severity",
                "label.severity",
                severities,
                Some(f.severity.as_deref().unwrap_or(ANY)),
            )
            .text("handler", "label.handler", &t.handler)
            .hint("tui.filter_handler_hint")
            .text("received_from", "tui.filter_from", &t.from)
            .hint("tui.filter_from_hint")
            .text("received_to", "tui.filter_to", &t.to)
            .hint("tui.filter_to_hint")
            .text("site", "label.site", &t.site)
            .hint("tui.filter_site_hint")
            .text("location", "label.location", &t.location)
            .hint("tui.filter_location_hint")
            .choice(
                "channel",
                "label.channel",
                channels,
                Some(t.channel.map_or(ANY, Channel::as_str)),
            )
            .choice(
                "party",
                "dash.party",
                parties,
                Some(f.party.as_deref().unwrap_or(ANY)),
            )
            .text("closed_from", "dash.closed_from", &t.closed_from)
            .hint("tui.filter_from_hint")
            .text("closed_to", "dash.closed_to", &t.closed_to)
            .hint("tui.filter_to_hint")
            .focus_first();
        FilterForm {
            form,
            view: f.view,
            main_category: f.main_category,
        }
    }

    /// The form's inputs.
    pub fn form(&self) -> &Form {
        &self.form
    }

    /// Handles a key.
    pub fn key(&mut self, key: KeyEvent) -> FormStep {
        self.form.key(key)
    }

    /// Pasted text into the focused text input; how many unsafe characters were left out.
    pub fn paste(&mut self, text: &str) -> usize {
        self.form.paste(text).1
    }

    /// The filters as typed in the form.
    pub fn typed(&self) -> FilterText {
        let f = &self.form;
        let chosen = |id| f.chosen(id).filter(|k| !k.is_empty());
        FilterText {
            stage: chosen("stage").and_then(Stage::parse),
            scope: chosen("scope").and_then(Scope::parse),
            category: chosen("category").unwrap_or_default().to_string(),
            severity: chosen("severity").unwrap_or_default().to_string(),
            handler: f.text_of("handler"),
            from: f.text_of("received_from"),
            to: f.text_of("received_to"),
            site: f.text_of("site"),
            location: f.text_of("location"),
            channel: chosen("channel").and_then(Channel::parse),
            party: chosen("party").unwrap_or_default().to_string(),
            closed_from: f.text_of("closed_from"),
            closed_to: f.text_of("closed_to"),
            view: self.view,
            main_category: self.main_category,
            ..FilterText::default()
        }
    }

    /// The filters the form sets, checked by the desk's rule; a refusal is shown under the
    /// input it names (the form stays as typed) and gives None.
    pub fn checked(&mut self, ctx: &Ctx<'_>) -> Option<Filters> {
        let typed = self.typed();
        match search_filter(&ctx.config.policy, &typed) {
            Ok(filter) => Some(Filters { typed, filter }),
            Err(e) => {
                self.form.refuse(e, None);
                None
            }
        }
    }

    /// Draws the form as a popup over `area`.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let head = |cols: usize| {
            vec![Line::styled(
                fit(c.text("tui.filter_head"), cols),
                theme::hint(),
            )]
        };
        popup(
            ctx,
            frame,
            area,
            c.text("tui.filter_title"),
            &head,
            &self.form,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Preset};
    use crate::i18n::Lang;
    use crate::tui::widgets::form::tests::check_tab_order;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn press(f: &mut FilterForm, code: KeyCode) -> FormStep {
        f.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn type_text(f: &mut FilterForm, text: &str) {
        for ch in text.chars() {
            press(f, KeyCode::Char(ch));
        }
    }

    #[test]
    fn the_form_reads_back_what_it_was_opened_with_and_says_it_in_a_line() {
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let ctx = Ctx::new(&config, Lang::ZhCn);
        let mut f = FilterForm::open(&ctx, &Filters::default());
        assert_eq!(f.form().focus(), Some("stage"));
        assert_eq!(f.typed(), FilterText::default(), "every choice on any");
        let none = f.checked(&ctx).expect("no filter");
        assert!(!none.is_active());
        assert_eq!(none.summary(&ctx), None);
        press(&mut f, KeyCode::Right);
        press(&mut f, KeyCode::Right);
        assert_eq!(f.typed().stage, Some(Stage::Verified));
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Tab);
        type_text(&mut f, "漏");
        assert_eq!(f.typed().category, "leak");
        for _ in 0..5 {
            press(&mut f, KeyCode::Tab);
        }
        // A configured site by a name in the other script: its key filters, its name shows.
        assert_eq!(f.form().focus(), Some("site"));
        type_text(&mut f, "香樹灣");
        press(&mut f, KeyCode::Tab);
        assert_eq!(f.form().focus(), Some("location"));
        type_text(&mut f, "3栋");
        let filters = f.checked(&ctx).expect("filters");
        assert_eq!(filters.filter().category.as_deref(), Some("leak"));
        assert_eq!(filters.filter().site.as_deref(), Some("xiangshu"));
        assert_eq!(
            filters.summary(&ctx).as_deref(),
            Some("筛选：阶段 已核实；类别 漏水；小区 香树湾；地点 3栋*")
        );
        let mut again = FilterForm::open(&ctx, &filters);
        assert_eq!(again.typed(), *filters.typed(), "opened again as applied");
        let shown = again.form().clone();
        check_tab_order(&shown, || {
            press(&mut again, KeyCode::Tab);
            again.form().focus()
        });
    }

    #[test]
    fn a_date_that_does_not_read_is_refused_under_its_input() {
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let ctx = Ctx::new(&config, Lang::En);
        let mut f = FilterForm::open(&ctx, &Filters::default());
        f.form.focus_on("received_to");
        type_text(&mut f, "next week");
        assert!(f.checked(&ctx).is_none());
        assert_eq!(
            f.form().error().map(|(at, _)| at),
            Some(Some("received_to"))
        );
        assert_eq!(f.typed().to, "next week", "kept as typed");
    }

    #[test]
    fn a_site_not_configured_filters_as_typed() {
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let ctx = Ctx::new(&config, Lang::En);
        let mut f = FilterForm::open(&ctx, &Filters::default());
        f.form.focus_on("site");
        type_text(&mut f, "海底捞 国贸店");
        let filters = f.checked(&ctx).expect("filters");
        assert_eq!(filters.filter().site.as_deref(), Some("海底捞 国贸店"));
        assert_eq!(
            filters.summary(&ctx).as_deref(),
            Some("Filters: Estate 海底捞 国贸店")
        );
    }
}
