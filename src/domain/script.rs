//! Reply scripts (话术): what the agent says at each move of the handling method, configured
//! per category and scope, with variables (`{{name}}`, `{{party}}`, …). A script's texts are
//! parsed once, when the config is loaded, into literal and variable parts; a variable that
//! is unknown or not known at the script's moment is refused there, so a customer never hears
//! `{{…}}`.

use serde::{Deserialize, Serialize};

use crate::domain::complaint::{Complaint, Scope};
use crate::domain::stage::Stage;

/// The moments a script is for: the moves where the agent speaks to someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moment {
    /// Taking the complaint: thanks and an apology, without admitting fault (接受投诉).
    Intake,
    /// Out of scope: whose responsibility it is, said up front (丑话说在前).
    Explain,
    /// The first reply call owed to the customer (in scope).
    FirstReply,
    /// The chaser to the responsible party (out of scope).
    Chaser,
    /// A progress call to a waiting customer (also a promised callback).
    Progress,
    /// The plan was declined: the alternatives (回复客户).
    Declined,
    /// The revisit call after the remedy: is the customer satisfied (回访).
    Revisit,
}

impl Moment {
    /// Every moment, in the order of the method.
    pub const ALL: [Moment; 7] = [
        Moment::Intake,
        Moment::Explain,
        Moment::FirstReply,
        Moment::Chaser,
        Moment::Progress,
        Moment::Declined,
        Moment::Revisit,
    ];

    /// The name written in config and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Moment::Intake => "intake",
            Moment::Explain => "explain",
            Moment::FirstReply => "first_reply",
            Moment::Chaser => "chaser",
            Moment::Progress => "progress",
            Moment::Declined => "declined",
            Moment::Revisit => "revisit",
        }
    }

    /// Parses a moment's name (`-` for `_` too).
    pub fn parse(text: &str) -> Option<Moment> {
        let t = text.trim().replace('-', "_");
        Moment::ALL.into_iter().find(|m| m.as_str() == t)
    }

    /// Catalog key of the moment's display name.
    pub fn label_key(self) -> String {
        format!("moment.{}", self.as_str())
    }

    /// The moment of a call of `kind` (the call kinds of `domain::handling`).
    pub fn of_call(kind: &str) -> Option<Moment> {
        match kind {
            crate::domain::handling::FIRST_REPLY => Some(Moment::FirstReply),
            crate::domain::handling::CHASER => Some(Moment::Chaser),
            crate::domain::handling::PROMISED | crate::domain::handling::PROGRESS => {
                Some(Moment::Progress)
            }
            _ => None,
        }
    }

    /// The moment complaint `c` is at: what the agent says next (out of scope, the
    /// explanation until it was given, then progress). `category_scope` is the default
    /// scope of its category (an untriaged complaint goes by it).
    pub fn of_case(c: &Complaint, category_scope: Scope) -> Moment {
        let declined = c.handling.reply.as_ref().is_some_and(|r| !r.accepted);
        match (c.scope.unwrap_or(category_scope), c.stage) {
            (Scope::Out, Stage::Received) if !c.explained => Moment::Explain,
            (Scope::Out, _) => Moment::Progress,
            (_, _) if c.handling.waiting_on_customer => Moment::Progress,
            (_, Stage::Replied) if declined => Moment::Declined,
            (_, Stage::Remedied | Stage::Revisiting | Stage::Closed) => Moment::Revisit,
            _ => Moment::FirstReply,
        }
    }

    /// Whether `var` is known at this moment; `scope`: the scope a script is limited to
    /// (the party is known at a progress call only out of scope).
    pub fn knows(self, var: Var, scope: Option<Scope>) -> bool {
        use Moment::*;
        match var {
            Var::Name | Var::Category | Var::Site => true,
            Var::Number => self != Intake,
            Var::Party => {
                matches!(self, Explain | Chaser) || (self, scope) == (Progress, Some(Scope::Out))
            }
            Var::Due => matches!(self, FirstReply | Chaser | Progress),
            Var::Department => matches!(self, Declined | Revisit),
        }
    }
}

/// A value a script may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Var {
    /// The complainant's name as typed (`{{name}}`).
    Name,
    /// The complaint's number (`{{number}}`).
    Number,
    /// The category's name (`{{category}}`).
    Category,
    /// The site's name, else the location as typed (`{{site}}`).
    Site,
    /// The responsible party's name (`{{party}}`).
    Party,
    /// When the call is due, local time to the minute (`{{due}}`).
    Due,
    /// The department of the remedy plan (`{{department}}`).
    Department,
}

impl Var {
    /// Every variable.
    pub const ALL: [Var; 7] = [
        Var::Name,
        Var::Number,
        Var::Category,
        Var::Site,
        Var::Party,
        Var::Due,
        Var::Department,
    ];

    /// The name written between the braces.
    pub fn as_str(self) -> &'static str {
        match self {
            Var::Name => "name",
            Var::Number => "number",
            Var::Category => "category",
            Var::Site => "site",
            Var::Party => "party",
            Var::Due => "due",
            Var::Department => "department",
        }
    }

    fn parse(text: &str) -> Option<Var> {
        Var::ALL.into_iter().find(|v| v.as_str() == text)
    }
}

/// One piece of a parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Var(Var),
}

/// A script's text parsed into literal and variable parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Template(Vec<Part>);

/// Why a text is refused as a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// Nothing but blanks.
    Empty,
    /// A `{{` without its `}}`.
    Unclosed,
    /// A name no variable has.
    Unknown(String),
    /// A variable not known at the script's moment.
    NotAvailable(Var),
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TemplateError::Empty => write!(f, "the text may not be empty"),
            TemplateError::Unclosed => write!(f, "a {{{{ is not closed with }}}}"),
            TemplateError::Unknown(name) => {
                let known: Vec<String> = Var::ALL
                    .iter()
                    .map(|v| format!("{{{{{}}}}}", v.as_str()))
                    .collect();
                write!(
                    f,
                    "unknown variable {{{{{name}}}}}; known: {}",
                    known.join(", ")
                )
            }
            TemplateError::NotAvailable(var) => {
                write!(f, "{{{{{}}}}} is not known at this moment", var.as_str())
            }
        }
    }
}

impl Template {
    /// Parses `text`, refusing an empty text, an unclosed `{{`, an unknown variable and a
    /// variable `known` refuses.
    pub fn parse(text: &str, known: impl Fn(Var) -> bool) -> Result<Template, TemplateError> {
        if text.trim().is_empty() {
            return Err(TemplateError::Empty);
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 2..];
            let close = after.find("}}").ok_or(TemplateError::Unclosed)?;
            let name = after[..close].trim();
            if name.contains("{{") {
                return Err(TemplateError::Unclosed);
            }
            let var = Var::parse(name).ok_or_else(|| TemplateError::Unknown(name.to_string()))?;
            if !known(var) {
                return Err(TemplateError::NotAvailable(var));
            }
            parts.push(Part::Var(var));
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Template(parts))
    }

    /// The variables the text names, in order.
    pub fn vars(&self) -> impl Iterator<Item = Var> + '_ {
        self.0.iter().filter_map(|p| match p {
            Part::Var(v) => Some(*v),
            Part::Text(_) => None,
        })
    }

    /// The text with every variable filled in, or the first variable `values` lacks.
    pub fn render(&self, values: &Values) -> Result<String, Var> {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Var(v) => out.push_str(values.get(*v).ok_or(*v)?),
            }
        }
        Ok(out)
    }
}

/// The values a script is filled with; `None` (or blank): not known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    /// The complainant's name.
    pub name: Option<String>,
    /// The complaint's number.
    pub number: Option<String>,
    /// The category's name.
    pub category: Option<String>,
    /// The site's name, else the location.
    pub site: Option<String>,
    /// The responsible party's name.
    pub party: Option<String>,
    /// The due time, written for people.
    pub due: Option<String>,
    /// The plan's department.
    pub department: Option<String>,
}

impl Values {
    fn get(&self, var: Var) -> Option<&str> {
        let v = match var {
            Var::Name => &self.name,
            Var::Number => &self.number,
            Var::Category => &self.category,
            Var::Site => &self.site,
            Var::Party => &self.party,
            Var::Due => &self.due,
            Var::Department => &self.department,
        };
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

/// A configured script (`[[scripts]]`): its moment, what it is limited to, its texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// Stable key.
    pub key: String,
    /// The moment it is for.
    pub moment: Moment,
    /// Only for complaints of this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Only for complaints of this scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Chinese (Simplified).
    pub zh: String,
    /// For zh-TW screens; when absent, `zh` converted to Traditional (Taiwan usage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh_tw: Option<String>,
    /// English.
    pub en: String,
    /// The texts parsed, made when the config is loaded ([`Script::compile`]).
    #[serde(skip)]
    pub parsed: Parsed,
}

/// A script's texts parsed: Chinese (Simplified), zh-TW, English.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Chinese (Simplified).
    pub zh: Template,
    /// zh-TW.
    pub zh_tw: Template,
    /// English.
    pub en: Template,
}

impl Script {
    /// Parses the texts; `zh_tw` is the zh-TW text (written, or `zh` converted). A refusal
    /// names the text (`zh`, `zh_tw`, `en`) and why.
    pub fn compile(&mut self, zh_tw: &str) -> Result<(), (&'static str, TemplateError)> {
        let (moment, scope) = (self.moment, self.scope);
        let parse = |field: &'static str, text: &str| {
            Template::parse(text, |v| moment.knows(v, scope)).map_err(|e| (field, e))
        };
        let tw_field = if self.zh_tw.is_some() { "zh_tw" } else { "zh" };
        self.parsed = Parsed {
            zh: parse("zh", &self.zh)?,
            zh_tw: parse(tw_field, zh_tw)?,
            en: parse("en", &self.en)?,
        };
        Ok(())
    }

    /// How specific the script is: its category counts more than its scope.
    fn rank(&self) -> u8 {
        u8::from(self.category.is_some()) * 2 + u8::from(self.scope.is_some())
    }

    /// Whether the script applies to a complaint of `category` in `scope`.
    fn fits(&self, moment: Moment, category: Option<&str>, scope: Option<Scope>) -> bool {
        self.moment == moment
            && self.category.as_deref().is_none_or(|c| Some(c) == category)
            && self.scope.is_none_or(|s| Some(s) == scope)
    }
}

/// The most specific script for `moment` and a complaint of `category` in `scope`: category
/// and scope over category over scope over neither; the first written among equals.
pub fn choose<'s>(
    scripts: &'s [Script],
    moment: Moment,
    category: Option<&str>,
    scope: Option<Scope>,
) -> Option<&'s Script> {
    scripts
        .iter()
        .filter(|s| s.fits(moment, category, scope))
        .fold(None, |best: Option<&Script>, s| match best {
            Some(b) if b.rank() >= s.rank() => Some(b),
            _ => Some(s),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(key: &str, moment: Moment, category: Option<&str>, scope: Option<Scope>) -> Script {
        let mut s = Script {
            key: key.into(),
            moment,
            category: category.map(str::to_string),
            scope,
            zh: format!("{key}：{{{{name}}}}您好"),
            zh_tw: None,
            en: format!("{key}: hello {{{{name}}}}"),
            parsed: Parsed::default(),
        };
        let tw = s.zh.clone();
        s.compile(&tw).expect("compiles");
        s
    }

    fn all_values() -> Values {
        Values {
            name: Some("张伟".into()),
            number: Some("20261122-0007".into()),
            category: Some("漏水".into()),
            site: Some("翠苑小区".into()),
            party: Some("开发商".into()),
            due: Some("2026-11-23 10:00".into()),
            department: Some("维修部".into()),
        }
    }

    #[test]
    fn every_variable_is_rendered() {
        let text = "{{name}}|{{number}}|{{category}}|{{ site }}|{{party}}|{{due}}|{{department}}";
        let t = Template::parse(text, |_| true).expect("parses");
        assert_eq!(t.vars().count(), Var::ALL.len());
        assert_eq!(
            t.render(&all_values()).as_deref(),
            Ok("张伟|20261122-0007|漏水|翠苑小区|开发商|2026-11-23 10:00|维修部")
        );
        let plain = Template::parse("没有变量 { } }}", |_| true).expect("parses");
        assert_eq!(
            plain.render(&Values::default()).as_deref(),
            Ok("没有变量 { } }}")
        );
    }

    #[test]
    fn a_missing_value_is_never_left_as_braces() {
        let t = Template::parse("{{party}}负责", |_| true).expect("parses");
        let values = Values {
            party: Some("  ".into()),
            ..all_values()
        };
        assert_eq!(t.render(&values), Err(Var::Party));
    }

    #[test]
    fn bad_texts_are_refused() {
        let any = |_| true;
        assert_eq!(Template::parse(" \n", any), Err(TemplateError::Empty));
        assert_eq!(
            Template::parse("您好{{name", any),
            Err(TemplateError::Unclosed)
        );
        assert_eq!(
            Template::parse("您好{{na{{me}}", any),
            Err(TemplateError::Unclosed)
        );
        assert_eq!(
            Template::parse("您好{{nmae}}", any),
            Err(TemplateError::Unknown("nmae".into()))
        );
        let err = TemplateError::Unknown("nmae".into()).to_string();
        assert!(
            err.starts_with("unknown variable {{nmae}}; known: {{name}}"),
            "{err}"
        );
    }

    #[test]
    fn a_variable_not_known_at_the_moment_is_refused() {
        let mut s = script("x", Moment::Intake, None, None);
        s.zh = "您的投诉编号是{{number}}".into();
        let tw = s.zh.clone();
        assert_eq!(
            s.compile(&tw),
            Err(("zh", TemplateError::NotAvailable(Var::Number)))
        );
        let mut s = script("x", Moment::Progress, None, None);
        s.en = "{{party}} is on it".into();
        let tw = s.zh.clone();
        assert_eq!(
            s.compile(&tw),
            Err(("en", TemplateError::NotAvailable(Var::Party)))
        );
        s.scope = Some(Scope::Out);
        assert_eq!(s.compile(&tw), Ok(()), "out of scope the party is known");
        assert!(!Moment::FirstReply.knows(Var::Department, None));
        assert!(Moment::Declined.knows(Var::Department, None));
        assert!(!Moment::Revisit.knows(Var::Due, None));
    }

    #[test]
    fn the_most_specific_script_is_chosen() {
        let scripts = [
            script("default", Moment::Explain, None, None),
            script("out", Moment::Explain, None, Some(Scope::Out)),
            script("leak", Moment::Explain, Some("leak"), None),
            script("leak-out", Moment::Explain, Some("leak"), Some(Scope::Out)),
            script("intake", Moment::Intake, None, None),
        ];
        let key = |category, scope| {
            choose(&scripts, Moment::Explain, category, scope).map(|s| s.key.as_str())
        };
        assert_eq!(key(Some("leak"), Some(Scope::Out)), Some("leak-out"));
        assert_eq!(key(Some("leak"), Some(Scope::In)), Some("leak"));
        assert_eq!(key(Some("noise"), Some(Scope::Out)), Some("out"));
        assert_eq!(key(Some("noise"), None), Some("default"));
        assert_eq!(key(None, None), Some("default"));
        assert_eq!(
            choose(&scripts, Moment::Revisit, None, None).map(|s| s.key.as_str()),
            None
        );
    }

    #[test]
    fn moments_read_and_follow_the_case() {
        for m in Moment::ALL {
            assert_eq!(Moment::parse(m.as_str()), Some(m));
        }
        assert_eq!(Moment::parse("first-reply"), Some(Moment::FirstReply));
        assert_eq!(Moment::of_call("chaser"), Some(Moment::Chaser));
        assert_eq!(Moment::of_call("promised"), Some(Moment::Progress));
        let c = Complaint::sample(1, "leak", "漏水");
        assert_eq!(Moment::of_case(&c, Scope::In), Moment::FirstReply);
        assert_eq!(Moment::of_case(&c, Scope::Out), Moment::Explain);
        let explained = Complaint {
            explained: true,
            ..c
        };
        assert_eq!(Moment::of_case(&explained, Scope::Out), Moment::Progress);
    }
}
