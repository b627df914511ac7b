//! The reply script for a complaint (or an intake being typed) at a moment, rendered in an
//! interface language: the one renderer every front end uses.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::desk::{CaseFile, Desk};
use crate::domain::complaint::{Complaint, NewComplaint, Scope};
use crate::domain::script::{Moment, Values, Var, choose};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::when::local_minutes;

/// What a script is filled from: a complaint as stored, or as typed at intake.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    /// Category key (empty: none chosen yet).
    pub category: String,
    /// Scope decided, else the category's default.
    pub scope: Option<Scope>,
    /// The complainant's name as typed.
    pub name: String,
    /// The complaint's number (empty before it is recorded).
    pub number: String,
    /// The site, a configured key or free text.
    pub site: Option<String>,
    /// The location as typed.
    pub location: String,
    /// Responsible party key.
    pub party: Option<String>,
    /// The plan's department.
    pub department: Option<String>,
    /// When the call the script is for falls due.
    pub due: Option<DateTime<Utc>>,
}

impl Subject {
    /// A stored complaint (its scope and party; untriaged, its category's).
    pub fn of(c: &Complaint, config: &Config) -> Subject {
        let category = config.policy.find_category(&c.category);
        let untriaged = c.scope.is_none();
        Subject {
            category: c.category.clone(),
            scope: c.scope.or(category.map(|k| k.scope)),
            name: c.name.clone(),
            number: c.number.clone(),
            site: c.site.clone(),
            location: c.location.clone(),
            party: c
                .party
                .clone()
                .or_else(|| category.filter(|_| untriaged).and_then(|k| k.party.clone())),
            department: c.handling.plan.as_ref().map(|p| p.department.clone()),
            due: None,
        }
    }

    /// An intake being typed: the category (a key or a name) decides the scope.
    pub fn typed(new: &NewComplaint, config: &Config) -> Subject {
        let category = config.policy.find_category(&new.category);
        Subject {
            category: category.map(|k| k.key.clone()).unwrap_or_default(),
            scope: category.map(|k| k.scope),
            party: category.and_then(|k| k.party.clone()),
            name: new.name.clone(),
            site: Some(new.site.clone()).filter(|s| !s.trim().is_empty()),
            location: new.location.clone(),
            ..Subject::default()
        }
    }

    /// With the due time of the call the script is for.
    pub fn due(mut self, due: Option<DateTime<Utc>>) -> Subject {
        self.due = due;
        self
    }
}

/// A rendered script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The configured script's key.
    pub key: String,
    /// The moment it is for.
    pub moment: Moment,
    /// The text to say, every variable filled in.
    pub text: String,
}

/// The most specific script for `moment` and `subject`, rendered in `lang`; `None` when the
/// config has none for it; refused when a value it names is not known for this complaint.
pub fn script(
    config: &Config,
    lang: Lang,
    moment: Moment,
    subject: &Subject,
) -> Result<Option<Rendered>> {
    let category = Some(subject.category.as_str()).filter(|c| !c.is_empty());
    let Some(found) = choose(&config.scripts, moment, category, subject.scope) else {
        return Ok(None);
    };
    let site = subject
        .site
        .as_deref()
        .map(|s| config.site_name(s, lang))
        .or_else(|| Some(subject.location.clone()));
    let values = Values {
        name: Some(subject.name.clone()),
        number: Some(subject.number.clone()),
        category: category.map(|c| config.category_name(c, lang)),
        site,
        party: subject.party.as_deref().map(|p| config.party_name(p, lang)),
        due: subject
            .due
            .map(|t| local_minutes(t, config.policy.timezone)),
        department: subject.department.clone(),
    };
    let parsed = &found.parsed;
    let template = match lang {
        Lang::En => &parsed.en,
        Lang::ZhCn => &parsed.zh,
        Lang::ZhTw => &parsed.zh_tw,
    };
    let text = template
        .render(&values)
        .map_err(|var| unresolved(&found.key, var))?;
    Ok(Some(Rendered {
        key: found.key.clone(),
        moment,
        text,
    }))
}

fn unresolved(key: &str, var: Var) -> Error {
    Error::new("script.unresolved")
        .arg("script", key)
        .arg("variable", var.as_str())
        .arg("hint", format!("script.var_{}", var.as_str()))
}

/// The due time of the open call a script at `moment` is for, from a case file: the
/// earliest open callback of the moment's kinds.
pub fn call_due(file: &CaseFile, moment: Moment) -> Option<DateTime<Utc>> {
    file.callbacks
        .iter()
        .filter(|cb| cb.done_at.is_none() && Moment::of_call(&cb.kind) == Some(moment))
        .map(|cb| cb.due_at)
        .min()
}

impl Desk {
    /// The script for complaint `number` at `moment` (else the moment the case is at), in
    /// `lang`, with the due time of its open call; refused as opening the case is, and when
    /// the config has no script for it.
    pub fn script(&mut self, number: &str, moment: Option<Moment>, lang: Lang) -> Result<Rendered> {
        let file = self.open_case(number)?;
        let config = self.config();
        let c = &file.complaint;
        let default_scope = config
            .policy
            .find_category(&c.category)
            .map_or(Scope::In, |k| k.scope);
        let moment = moment.unwrap_or_else(|| Moment::of_case(c, default_scope));
        let subject = Subject::of(c, config).due(call_due(&file, moment));
        script(config, lang, moment, &subject)?
            .ok_or_else(|| Error::new("script.none").arg("moment", moment.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Preset;

    #[test]
    fn a_typed_intake_gets_its_category_script_in_each_language() {
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let new = NewComplaint {
            name: "王芳".into(),
            location: "3栋1201".into(),
            category: "墙面开裂".into(),
            ..NewComplaint::default()
        };
        let subject = Subject::typed(&new, &config);
        assert_eq!(subject.scope, Some(Scope::Out));
        let zh = script(&config, Lang::ZhCn, Moment::Intake, &subject)
            .expect("renders")
            .expect("a script");
        assert_eq!(zh.key, "intake-out");
        assert!(zh.text.starts_with("王芳您好"), "{}", zh.text);
        assert!(zh.text.contains("墙面开裂"), "{}", zh.text);
        let en = script(&config, Lang::En, Moment::Intake, &subject)
            .expect("renders")
            .expect("a script");
        assert!(en.text.starts_with("Thank you"), "{}", en.text);
        let tw = script(&config, Lang::ZhTw, Moment::Intake, &subject)
            .expect("renders")
            .expect("a script");
        assert!(tw.text.contains("謝謝"), "{}", tw.text);
        assert!(!tw.text.contains("{{"), "{}", tw.text);
    }

    #[test]
    fn a_value_the_complaint_lacks_is_refused_not_shown() {
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let mut c = Complaint::sample(1, "wall-crack", "墙裂了");
        let untriaged = Subject::of(&c, &config);
        assert_eq!(
            untriaged.party.as_deref(),
            Some("developer"),
            "the category's"
        );
        c.scope = Some(Scope::Out);
        let subject = Subject::of(&c, &config);
        let err = script(&config, Lang::ZhCn, Moment::Explain, &subject).expect_err("no party");
        assert_eq!(err.key, "script.unresolved");
        assert_eq!(err.get("variable"), Some("party"));
        c.party = Some("developer".into());
        let said = script(
            &config,
            Lang::ZhCn,
            Moment::Explain,
            &Subject::of(&c, &config),
        )
        .expect("renders")
        .expect("a script");
        assert_eq!(said.key, "explain-wall-crack");
        assert!(said.text.contains("开发商"), "{}", said.text);
        assert!(said.text.contains(&c.number), "{}", said.text);
    }
}
