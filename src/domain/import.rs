//! A spreadsheet's rows as intakes: which column is which field (Chinese or English
//! headers, the export's own, or `--map`), dates as spreadsheets write them, one row made
//! into the intake that [`crate::domain::complaint::validate`] checks like any other, and
//! the digest that tells a row imported before.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use sha2::{Digest, Sha256};

use crate::domain::complaint::{Channel, Intent, NewComplaint, ValidComplaint, halfwidth};
use crate::domain::handling;
use crate::domain::imported::{self, Handled, Parts, Vocabulary};
use crate::domain::search::fold_char;
use crate::domain::stage::Stage;
use crate::domain::zone::Zone;
use crate::error::{Error, Result};

/// Columns a file may have at most (a row of 30,000 cells is refused, not read).
pub const MAX_COLUMNS: usize = 200;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The logbook's own number (编号): kept in the `imported` event.
    Number,
    /// When it came in.
    ReceivedAt,
    /// How it came in.
    Channel,
    /// Complainant's name.
    Name,
    /// Phone.
    Phone,
    /// Unit, address.
    Location,
    /// Category key or name.
    Category,
    /// What happened.
    Description,
    /// What the customer asks for.
    Outcome,
    /// An apology was made.
    Apologized,
    /// The site.
    Site,
    /// Further categories, `;` between them.
    ExtraCategories,
    /// How it ended (处理结果): with a closing time, the complaint is imported closed.
    Result,
    /// When it was closed.
    ClosedAt,
    /// In or out of scope.
    Scope,
    /// Responsible party.
    Party,
    /// Complaint type.
    Type,
    /// Severity.
    Severity,
    /// What the complainant was after.
    Intent,
    /// Spread risk flagged.
    SpreadRisk,
    /// Responsibility explained up front.
    Explained,
    /// Where the case stands (状态).
    Stage,
    /// Who handled it.
    Handler,
    /// The customer's real motive.
    Motive,
    /// Facts found.
    Facts,
    /// The department responsible for the remedy.
    Department,
    /// What was to be done.
    Actions,
    /// The date promised.
    Promised,
    /// The department confirmed the plan.
    Confirmed,
    /// Compensation.
    Compensation,
    /// Approval of the compensation.
    Approval,
    /// A gift offered.
    Gift,
    /// The customer accepted the plan.
    Accepted,
    /// Alternatives offered when declined.
    Alternatives,
    /// Note when the remedy was carried out.
    RemedyNote,
    /// Referrals.
    Referrals,
    /// Root cause.
    RootCause,
    /// Lesson learnt.
    Lesson,
    /// Read past on purpose (`--map COLUMN=ignore`, or an export's column the import does
    /// not take: the stage, the version, …).
    Ignore,
}

impl Field {
    /// Every field a column may be mapped to.
    pub const ALL: [Field; 39] = [
        Field::Number,
        Field::ReceivedAt,
        Field::Channel,
        Field::Name,
        Field::Phone,
        Field::Location,
        Field::Category,
        Field::Description,
        Field::Outcome,
        Field::Apologized,
        Field::Site,
        Field::ExtraCategories,
        Field::Result,
        Field::ClosedAt,
        Field::Scope,
        Field::Party,
        Field::Type,
        Field::Severity,
        Field::Intent,
        Field::SpreadRisk,
        Field::Explained,
        Field::Stage,
        Field::Handler,
        Field::Motive,
        Field::Facts,
        Field::Department,
        Field::Actions,
        Field::Promised,
        Field::Confirmed,
        Field::Compensation,
        Field::Approval,
        Field::Gift,
        Field::Accepted,
        Field::Alternatives,
        Field::RemedyNote,
        Field::Referrals,
        Field::RootCause,
        Field::Lesson,
        Field::Ignore,
    ];

    /// The fields a file must have a column for.
    pub const REQUIRED: [Field; 5] = [
        Field::Name,
        Field::Phone,
        Field::Location,
        Field::Category,
        Field::Description,
    ];

    /// The field's key (`--map COLUMN=KEY`; the export's header with `--headers keys`).
    pub fn key(self) -> &'static str {
        match self {
            Field::Number => "number",
            Field::ReceivedAt => "received_at",
            Field::Channel => "channel",
            Field::Name => "name",
            Field::Phone => "phone",
            Field::Location => "location",
            Field::Category => "category",
            Field::Description => "description",
            Field::Outcome => "outcome",
            Field::Apologized => "apologized",
            Field::Site => "site",
            Field::ExtraCategories => "extra_categories",
            Field::Result => "result",
            Field::ClosedAt => "closed_at",
            Field::Scope => "scope",
            Field::Party => "party",
            Field::Type => "type",
            Field::Severity => "severity",
            Field::Intent => "intent",
            Field::SpreadRisk => "spread_risk",
            Field::Explained => "explained",
            Field::Stage => "stage",
            Field::Handler => "handler",
            Field::Motive => "motive",
            Field::Facts => "facts",
            Field::Department => "department",
            Field::Actions => "actions",
            Field::Promised => "promised",
            Field::Confirmed => "confirmed",
            Field::Compensation => "compensation",
            Field::Approval => "approval",
            Field::Gift => "gift",
            Field::Accepted => "accepted",
            Field::Alternatives => "alternatives",
            Field::RemedyNote => "remedy_note",
            Field::Referrals => "referrals",
            Field::RootCause => "root_cause",
            Field::Lesson => "lesson",
            Field::Ignore => "ignore",
        }
    }

    /// The field named by its key.
    pub fn parse(key: &str) -> Option<Field> {
        let key = normalise_header(key);
        Field::ALL
            .into_iter()
            .find(|f| normalise_header(f.key()) == key)
    }

    /// The keys of every field, for a message.
    pub fn key_list() -> String {
        Field::ALL.map(Field::key).join(", ")
    }

    /// Headers people write for this field (compared after [`normalise_header`]).
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::Number => &[
                "编号",
                "投诉编号",
                "工单号",
                "单号",
                "序号",
                "no",
                "no.",
                "id",
                "ticket",
            ],
            Field::ReceivedAt => &[
                "受理时间",
                "来电时间",
                "投诉时间",
                "受理日期",
                "来电日期",
                "投诉日期",
                "登记时间",
                "日期",
                "时间",
                "received",
                "date",
                "datetime",
                "receivedtime",
            ],
            Field::Channel => &["渠道", "受理渠道", "投诉渠道", "来源", "方式", "source"],
            Field::Name => &[
                "投诉人",
                "姓名",
                "客户姓名",
                "投诉人姓名",
                "联系人",
                "业主",
                "客户",
                "complainant",
                "customer",
                "customername",
            ],
            Field::Phone => &[
                "电话",
                "联系电话",
                "手机",
                "手机号",
                "电话号码",
                "联系方式",
                "tel",
                "telephone",
                "mobile",
                "phonenumber",
            ],
            Field::Location => &[
                "房号",
                "地址",
                "地点",
                "房号/地点",
                "位置",
                "门牌",
                "address",
                "unit",
                "room",
            ],
            Field::Category => &["类别", "投诉类别", "分类", "投诉类型", "问题类别"],
            Field::Description => &[
                "投诉内容",
                "内容",
                "问题描述",
                "事由",
                "投诉事项",
                "情况",
                "描述",
                "details",
                "complaint",
            ],
            Field::Outcome => &[
                "客户诉求",
                "诉求",
                "客户要求",
                "要求",
                "desiredoutcome",
                "request",
            ],
            Field::Apologized => &["已致歉", "致歉", "是否致歉", "apology"],
            Field::Site => &["小区", "所属小区", "项目", "站点", "客户单位"],
            Field::ExtraCategories => &["其他类别"],
            Field::Result => &[
                "处理结果",
                "结果",
                "处理情况",
                "处理意见",
                "结案说明",
                "resolution",
                "summary",
            ],
            Field::ClosedAt => &[
                "结案时间",
                "结案日期",
                "关闭时间",
                "完成时间",
                "closed",
                "closedtime",
            ],
            Field::Scope => &["责任归属", "是否物业责任", "责任判定"],
            Field::Party => &["责任方", "责任单位"],
            Field::Type => &["投诉性质", "性质"],
            Field::Severity => &["等级", "投诉等级", "严重程度", "紧急程度", "级别"],
            Field::Intent => &["投诉意图", "意图"],
            Field::SpreadRisk => &["扩散风险", "舆情风险"],
            Field::Explained => &["已说明责任", "已事先说明"],
            Field::Stage => &["状态", "处理状态", "进度", "处理进度", "status"],
            Field::Handler => &["处理人", "经办人", "跟进人", "负责人", "责任人"],
            Field::Motive => &["真实动机", "动机"],
            Field::Facts => &["调查情况", "核查情况", "调查结果", "核实情况"],
            Field::Department => &["责任部门", "处理部门"],
            Field::Actions => &["处理措施", "整改措施", "解决方案"],
            Field::Promised => &["承诺时间", "承诺日期", "承诺完成时间"],
            Field::Confirmed => &["部门已确认"],
            Field::Compensation => &["补偿", "补偿金额", "赔偿金额"],
            Field::Approval => &["审批", "审批情况"],
            Field::Gift => &["礼品", "赠品"],
            Field::Accepted => &["客户接受", "是否接受"],
            Field::Alternatives => &["替代方案"],
            Field::RemedyNote => &["补救说明", "补救情况"],
            Field::Referrals => &["转交记录", "转介记录"],
            Field::RootCause => &["原因", "根本原因", "原因分析"],
            Field::Lesson => &["经验教训", "教训"],
            // What an export writes that the import does not take: the desk's own version
            // and time of the last change.
            Field::Ignore => &["version", "updated_at"],
        }
    }
}

/// A header as it is compared: folded as search folds it (half-width, lower case,
/// Simplified), without spaces, `_`, `-`, `*` and colons.
pub fn normalise_header(text: &str) -> String {
    text.chars()
        .map(fold_char)
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '*' | ':' | '\u{feff}'))
        .collect()
}

/// Which field each column of a file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// Per column, its field.
    pub fields: Vec<Field>,
    /// The headers as the file spells them.
    pub headers: Vec<String>,
    /// The file has no channel column: every row came in by phone.
    pub channel_assumed: bool,
}

impl Columns {
    /// Recognises `headers`: first by `maps` (`--map COLUMN=FIELD`, the column as the file
    /// spells it), then by `labels` (the field labels of every interface language, as the
    /// export writes them), then by the fields' keys and [`Field::synonyms`]. A column
    /// recognised by none, two columns of one field, or a required field without a column is
    /// refused, naming them.
    pub fn resolve(
        headers: &[String],
        labels: &[(Field, String)],
        maps: &[(String, Field)],
    ) -> Result<Columns> {
        if headers.len() > MAX_COLUMNS {
            return Err(Error::new("import.too_many_columns")
                .arg("line", 1)
                .arg("count", headers.len())
                .arg("max", MAX_COLUMNS));
        }
        for (column, _) in maps {
            let wanted = normalise_header(column);
            if !headers.iter().any(|h| normalise_header(h) == wanted) {
                return Err(Error::new("import.map_unknown_column")
                    .arg("column", column)
                    .arg("columns", headers.join(", ")));
            }
        }
        let mut fields = Vec::with_capacity(headers.len());
        let mut unknown = Vec::new();
        for header in headers {
            let h = normalise_header(header);
            let field = maps
                .iter()
                .find(|(c, _)| normalise_header(c) == h)
                .map(|(_, f)| *f)
                .or_else(|| {
                    labels
                        .iter()
                        .find(|(_, l)| normalise_header(l) == h)
                        .map(|(f, _)| *f)
                })
                .or_else(|| {
                    Field::ALL.into_iter().find(|f| {
                        *f != Field::Ignore && normalise_header(f.key()) == h
                            || f.synonyms().iter().any(|s| normalise_header(s) == h)
                    })
                });
            match field {
                Some(f) => fields.push(f),
                None if h.is_empty() => fields.push(Field::Ignore),
                None => {
                    unknown.push(header.trim().to_string());
                    fields.push(Field::Ignore);
                }
            }
        }
        if !unknown.is_empty() {
            return Err(Error::new("import.unknown_columns")
                .arg("columns", unknown.join(", "))
                .arg("fields", Field::key_list()));
        }
        for field in Field::ALL.into_iter().filter(|f| *f != Field::Ignore) {
            let named: Vec<&str> = fields
                .iter()
                .zip(headers)
                .filter(|(f, _)| **f == field)
                .map(|(_, h)| h.trim())
                .collect();
            if named.len() > 1 {
                return Err(Error::new("import.same_field")
                    .arg("field", field.key())
                    .arg("columns", named.join(", ")));
            }
        }
        let missing: Vec<&str> = Field::REQUIRED
            .into_iter()
            .filter(|f| !fields.contains(f))
            .map(Field::key)
            .collect();
        if !missing.is_empty() {
            return Err(Error::new("import.missing_columns")
                .arg("fields", missing.join(", "))
                .arg("columns", headers.join(", ")));
        }
        let channel_assumed = !fields.contains(&Field::Channel);
        Ok(Columns {
            fields,
            headers: headers.to_vec(),
            channel_assumed,
        })
    }

    /// The column of `field`, if the file has one.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.fields.iter().position(|f| *f == field)
    }

    /// The column a validation error is about (its `field` argument), if the file has it.
    pub fn column_for_error(&self, err: &Error) -> Option<usize> {
        let field = match err.get("field")? {
            "extra_categories" => Field::ExtraCategories,
            "summary" => Field::Result,
            key => Field::parse(key)?,
        };
        self.column_of(field)
    }
}

/// A row of the file made into an intake, with how it ended if it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    /// The intake, for [`crate::domain::complaint::validate`].
    pub new: NewComplaint,
    /// The logbook's own number, if it has one.
    pub source_number: String,
    /// The result and the closing time, when the row has them.
    pub closing: Option<Closing>,
    /// The classification and handling record the row carries.
    pub record: Handled,
    /// The stage a closed row is imported at (`None`: open, it starts at triage).
    pub closed_stage: Option<Stage>,
}

/// How an imported complaint ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Closing {
    /// When it was closed.
    pub at: DateTime<Utc>,
    /// What was done (the closing summary).
    pub result: String,
}

/// A refusal of one cell (or of the row, `column` `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The column, if one cell is at fault.
    pub column: Option<usize>,
    /// Why.
    pub error: Error,
}

impl Refusal {
    fn at(column: usize, error: Error) -> Refusal {
        Refusal {
            column: Some(column),
            error,
        }
    }
}

/// The cells of one row read into a [`SourceRow`] (dates in `zone`, values by `words`);
/// a cell no field can take is refused, naming its column.
pub fn read_row(
    cells: &[String],
    columns: &Columns,
    zone: Zone,
    words: &Vocabulary,
) -> std::result::Result<SourceRow, Refusal> {
    let mut new = NewComplaint {
        channel: columns.channel_assumed.then_some(Channel::Phone),
        ..NewComplaint::default()
    };
    let mut source_number = String::new();
    let mut result = String::new();
    let mut closed_at = None;
    let mut record = Handled::default();
    let mut parts = Parts::default();
    let mut summary = handling::Summary {
        summary: String::new(),
        root_cause: String::new(),
        lesson: String::new(),
    };
    for (i, field) in columns.fields.iter().enumerate() {
        let cell = unguard(cells.get(i).map_or("", String::as_str));
        let at = |e: Error| Refusal::at(i, e);
        let text = |key: &'static str| handling::text(cell, key, false).map_err(at);
        let flag = || words.flag(cell).map_err(at);
        match field {
            Field::Number => source_number = cell.trim().to_string(),
            Field::ReceivedAt if !cell.trim().is_empty() => {
                new.received_at = Some(sheet_time(cell, zone).map_err(at)?);
            }
            Field::Channel => {
                new.channel = Some(channel(cell).ok_or_else(|| {
                    at(Error::new("import.bad_channel")
                        .arg("value", cell.trim())
                        .arg("known", CHANNEL_WORDS.map(|(w, _)| w).join(", ")))
                })?);
            }
            Field::Name => new.name = cell.to_string(),
            Field::Phone => new.phone = cell.to_string(),
            Field::Location => new.location = cell.to_string(),
            Field::Category => new.category = cell.to_string(),
            Field::Description => new.description = cell.to_string(),
            Field::Outcome => new.outcome = cell.to_string(),
            Field::Apologized => {
                new.apologized = yes_no(cell)
                    .or_else(|| words.flag(cell).ok().flatten())
                    .ok_or_else(|| at(Error::new("import.bad_flag").arg("value", cell.trim())))?;
            }
            Field::Site => new.site = cell.to_string(),
            Field::ExtraCategories => {
                new.extra_categories = cell
                    .split([';', '；', ',', '、'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(String::from)
                    .collect();
            }
            Field::Result => result = cell.to_string(),
            Field::ClosedAt if !cell.trim().is_empty() => {
                closed_at = Some((i, sheet_time(cell, zone).map_err(at)?));
            }
            Field::Scope => {
                record.scope = words.scope(cell).map_err(at)?;
            }
            Field::Party => record.party = words.choice("party", cell).map_err(at)?,
            Field::Type => record.complaint_type = words.choice("type", cell).map_err(at)?,
            Field::Severity => record.severity = words.choice("severity", cell).map_err(at)?,
            Field::Intent => {
                record.intent = words
                    .choice("intent", cell)
                    .map_err(at)?
                    .and_then(|k| Intent::parse(&k));
            }
            Field::SpreadRisk => record.spread_risk = flag()?.unwrap_or(false),
            Field::Explained => record.explained = flag()?.unwrap_or(false),
            Field::Stage => record.stage = words.stage(cell).map_err(at)?,
            Field::Handler => record.handler = text("handler")?,
            Field::Motive => record.handling.motive = text("motive")?,
            Field::Facts => record.handling.facts = text("facts")?,
            Field::Department => parts.department = text("department")?,
            Field::Actions => parts.actions = text("actions")?,
            Field::Promised if !cell.trim().is_empty() => {
                parts.promised = Some(sheet_time(cell, zone).map_err(at)?);
            }
            Field::Confirmed => parts.confirmed = flag()?,
            Field::Compensation if !cell.trim().is_empty() => {
                let amount = halfwidth_digits(cell);
                parts.compensation =
                    Some(amount.parse().map_err(|_| {
                        at(Error::new("import.bad_amount").arg("value", cell.trim()))
                    })?);
            }
            Field::Approval => parts.approval = words.approval(cell).map_err(at)?,
            Field::Gift => parts.gift = text("gift")?,
            Field::Accepted => parts.accepted = flag()?,
            Field::Alternatives => parts.alternatives = text("alternatives")?,
            Field::RemedyNote => record.handling.remedy_note = text("remedy_note")?,
            Field::Referrals => {
                record.handling.referrals = words.referrals(cell, zone).map_err(at)?;
            }
            Field::RootCause => summary.root_cause = text("root_cause")?,
            Field::Lesson => summary.lesson = text("lesson")?,
            Field::ReceivedAt
            | Field::ClosedAt
            | Field::Promised
            | Field::Compensation
            | Field::Ignore => {}
        }
    }
    parts.into_handling(&mut record.handling);
    let closing = match closed_at {
        None if result.trim().is_empty() => None,
        None => {
            let column = columns.column_of(Field::Result).unwrap_or_default();
            return Err(Refusal::at(
                column,
                Error::new("import.result_without_close"),
            ));
        }
        Some((i, at)) => {
            let result =
                handling::text(&result, "summary", false).map_err(|e| Refusal::at(i, e))?;
            Some(Closing { at, result })
        }
    };
    if let Some(c) = &closing {
        summary.summary = c.result.clone();
    }
    if closing.is_some() || !summary.root_cause.is_empty() || !summary.lesson.is_empty() {
        record.handling.summary = Some(summary);
    }
    let closed_stage =
        imported::check(&mut record, closing.is_some()).map_err(|error| Refusal {
            column: columns.column_for_error(&error),
            error,
        })?;
    Ok(SourceRow {
        new,
        source_number,
        closing,
        record,
        closed_stage,
    })
}

/// Full-width digits and separators made half-width, thousands separators dropped.
fn halfwidth_digits(cell: &str) -> String {
    cell.trim()
        .chars()
        .map(halfwidth)
        .filter(|c| !matches!(c, ',' | ' '))
        .collect()
}

/// Checks a validated row's closing against its receipt and `now` (a complaint is closed
/// after it came in, and not in the future); the refusal names the closing column.
pub fn check_closing(
    valid: &ValidComplaint,
    closing: Option<&Closing>,
    columns: &Columns,
    now: DateTime<Utc>,
) -> std::result::Result<(), Refusal> {
    let Some(c) = closing else { return Ok(()) };
    let column = columns.column_of(Field::ClosedAt);
    let refuse = |key| Refusal {
        column,
        error: Error::new(key).arg("value", c.at.to_rfc3339()),
    };
    if c.at < valid.received_at {
        return Err(refuse("import.closed_before_received"));
    }
    if c.at > now + Duration::minutes(5) {
        return Err(refuse("import.closed_in_future"));
    }
    Ok(())
}

/// A cell as typed: the `'` an export puts before a text that would start a formula
/// (`text::spreadsheet_text`) taken off again.
fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// The words a channel cell may hold besides the channel's key (Traditional folded to
/// Simplified before they are compared).
const CHANNEL_WORDS: [(&str, Channel); 15] = [
    ("电话", Channel::Phone),
    ("来电", Channel::Phone),
    ("热线", Channel::Phone),
    ("来访", Channel::WalkIn),
    ("上门", Channel::WalkIn),
    ("现场", Channel::WalkIn),
    ("短信", Channel::Sms),
    ("邮件", Channel::Email),
    ("微信", Channel::Chat),
    ("在线", Channel::Chat),
    ("微信/在线", Channel::Chat),
    ("网页", Channel::Web),
    ("网站", Channel::Web),
    ("信函", Channel::Letter),
    ("来信", Channel::Letter),
];

/// The channel a cell names, by key (`phone`, `walk-in`, …) or a word of [`CHANNEL_WORDS`].
fn channel(cell: &str) -> Option<Channel> {
    let t = normalise_header(cell);
    Channel::parse(&t)
        .or_else(|| Channel::parse(&cell.trim().to_lowercase()))
        .or_else(|| {
            CHANNEL_WORDS
                .iter()
                .find(|(w, _)| normalise_header(w) == t)
                .map(|(_, c)| *c)
        })
}

/// A yes/no cell: empty is no.
pub(crate) fn yes_no(cell: &str) -> Option<bool> {
    match normalise_header(cell).as_str() {
        "" | "否" | "no" | "n" | "false" | "0" | "未" | "无" => Some(false),
        "是" | "yes" | "y" | "true" | "1" | "已" | "有" | "✓" | "√" => Some(true),
        _ => None,
    }
}

/// A time as spreadsheets write it, in the desk's `zone` when it names none: RFC 3339;
/// `2026-11-30`, `2026/11/30 14:05[:09]`, `2026.11.30`, `2026年11月30日[ 14时05分]`; or an
/// Excel serial number (days since 1899-12-30, the fraction the time of day). A day that
/// does not exist (2026-02-30) is refused as such.
pub fn sheet_time(text: &str, zone: Zone) -> Result<DateTime<Utc>> {
    let t = text.trim();
    let bad = || Error::new("import.bad_date").arg("value", t);
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc));
    }
    if let Some(local) = excel_serial(t) {
        return Ok(zone.instant(local));
    }
    let spaced: String = t
        .chars()
        .map(|c| match halfwidth(c) {
            '年' | '月' | '/' | '.' => '-',
            '日' | '号' | 'T' => ' ',
            '时' | '點' | '点' => ':',
            '分' | '秒' => ' ',
            c => c,
        })
        .collect();
    let (date, time) = spaced
        .trim()
        .split_once(' ')
        .map_or((spaced.trim(), ""), |(d, t)| (d, t.trim()));
    let numbers = |s: &str, sep: char| -> Option<Vec<u32>> {
        s.split(sep)
            .filter(|p| !p.is_empty())
            .map(|p| p.trim().parse::<u32>().ok())
            .collect()
    };
    let ymd = numbers(date, '-')
        .filter(|v| v.len() == 3)
        .ok_or_else(bad)?;
    let year = i32::try_from(ymd[0])
        .ok()
        .filter(|y| (1900..=9999).contains(y));
    let year = year.ok_or_else(bad)?;
    let day = NaiveDate::from_ymd_opt(year, ymd[1], ymd[2])
        .ok_or_else(|| Error::new("import.no_such_day").arg("value", t))?;
    let hms = if time.is_empty() {
        vec![0, 0]
    } else {
        numbers(time, ':')
            .filter(|v| (1..=3).contains(&v.len()))
            .ok_or_else(bad)?
    };
    let at = NaiveTime::from_hms_opt(
        hms[0],
        hms.get(1).copied().unwrap_or(0),
        hms.get(2).copied().unwrap_or(0),
    )
    .ok_or_else(bad)?;
    Ok(zone.instant(day.and_time(at)))
}

/// An Excel serial date-time (the 1900 system; 1 is 1900-01-01), if `t` is one.
fn excel_serial(t: &str) -> Option<NaiveDateTime> {
    if !t.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let v: f64 = t.parse().ok()?;
    excel_days(v)
}

/// The local time of an Excel serial `v` (days since 1899-12-30, the fraction the time of
/// day, to the second); `None` out of the range spreadsheets use.
pub fn excel_days(v: f64) -> Option<NaiveDateTime> {
    if !(1.0..2_958_466.0).contains(&v) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(NaiveTime::MIN);
    let seconds = (v * 86_400.0).round() as i64;
    epoch.checked_add_signed(Duration::seconds(seconds))
}

/// The digest that identifies a source row: of its validated fields (not of its cells, so
/// the same row in another column order or encoding is the same row), 128 bits.
pub fn row_digest(valid: &ValidComplaint, closing: Option<&Closing>, source_number: &str) -> u128 {
    let mut h = Sha256::new();
    let received = valid.received_at.timestamp().to_string();
    let closed = closing
        .map(|c| c.at.timestamp().to_string())
        .unwrap_or_default();
    let parts = [
        source_number,
        &received,
        valid.channel.as_str(),
        &valid.name,
        &valid.phone_norm,
        &valid.location,
        &valid.category,
        &valid.description,
        &valid.outcome,
        valid.site.as_deref().unwrap_or(""),
        &closed,
        closing.map_or("", |c| c.result.as_str()),
    ];
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    let mut first = [0u8; 16];
    first.copy_from_slice(&h.finalize()[..16]);
    u128::from_be_bytes(first)
}

/// A row digest as stored: 32 hex digits.
pub fn digest_hex(digest: u128) -> String {
    format!("{digest:032x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> Zone {
        Zone::named("Asia/Shanghai").expect("zone")
    }

    fn local(t: DateTime<Utc>) -> String {
        zone().local(t).format("%Y-%m-%d %H:%M:%S").to_string()
    }

    #[test]
    fn spreadsheet_dates() {
        for (text, want) in [
            ("2026-11-30", "2026-11-30 00:00:00"),
            ("2026/11/30 14:05", "2026-11-30 14:05:00"),
            ("2026/1/3 4:05:09", "2026-01-03 04:05:09"),
            ("2026.11.30", "2026-11-30 00:00:00"),
            ("2026年11月30日", "2026-11-30 00:00:00"),
            ("2026年11月30日 14时05分", "2026-11-30 14:05:00"),
            ("２０２６－１１－３０ １４:０５", "2026-11-30 14:05:00"),
            ("2026-11-30T14:05:00+08:00", "2026-11-30 14:05:00"),
            ("46356", "2026-11-30 00:00:00"),
            ("46356.5", "2026-11-30 12:00:00"),
        ] {
            let t = sheet_time(text, zone()).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert_eq!(local(t), want, "{text}");
        }
        assert_eq!(
            sheet_time("2026-02-30", zone())
                .expect_err("no such day")
                .key,
            "import.no_such_day"
        );
        for bad in ["昨天", "2026-13", "30/11/2026", "2026-11-30 25:00", "0"] {
            assert!(sheet_time(bad, zone()).is_err(), "{bad}");
        }
    }

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_and_english_headers_are_recognised() {
        let cols = Columns::resolve(
            &headers(&[
                "编号",
                "来电时间",
                "姓名",
                "联系电话",
                "房号",
                "类别",
                "投诉内容",
                "处理结果",
                "结案时间",
            ]),
            &[],
            &[],
        )
        .expect("resolve");
        assert_eq!(cols.fields[1], Field::ReceivedAt);
        assert_eq!(cols.fields[8], Field::ClosedAt);
        assert!(cols.channel_assumed);
        let cols = Columns::resolve(
            &headers(&[
                "Name",
                "Phone",
                "Location",
                "Category",
                "Description",
                "Channel",
                "Stage",
                "Version",
                "处理人",
            ]),
            &[],
            &[],
        )
        .expect("resolve");
        assert_eq!(cols.fields[6], Field::Stage);
        assert_eq!(cols.fields[7], Field::Ignore);
        assert_eq!(cols.fields[8], Field::Handler);
        assert!(!cols.channel_assumed);
    }

    #[test]
    fn unknown_and_doubled_columns_are_refused_and_maps_decide() {
        let h = headers(&["姓名", "电话", "房号", "类别", "投诉内容", "楼栋经理"]);
        let err = Columns::resolve(&h, &[], &[]).expect_err("unknown");
        assert_eq!(err.key, "import.unknown_columns");
        assert_eq!(err.get("columns"), Some("楼栋经理"));
        let maps = [("楼栋经理".to_string(), Field::Ignore)];
        Columns::resolve(&h, &[], &maps).expect("mapped");
        let maps = [("楼栋经理".to_string(), Field::Name)];
        let err = Columns::resolve(&h, &[], &maps).expect_err("twice");
        assert_eq!(err.key, "import.same_field");
        let maps = [("nowhere".to_string(), Field::Name)];
        let err = Columns::resolve(&h, &[], &maps).expect_err("no such column");
        assert_eq!(err.key, "import.map_unknown_column");
        let err = Columns::resolve(&headers(&["姓名", "电话"]), &[], &[]).expect_err("missing");
        assert_eq!(err.key, "import.missing_columns");
        let wide: Vec<String> = (0..30_000).map(|i| format!("c{i}")).collect();
        let err = Columns::resolve(&wide, &[], &[]).expect_err("wide");
        assert_eq!(err.key, "import.too_many_columns");
    }

    #[test]
    fn a_row_reads_into_an_intake_with_its_closing() {
        let cols = Columns::resolve(
            &headers(&[
                "渠道",
                "姓名",
                "电话",
                "房号",
                "类别",
                "投诉内容",
                "处理结果",
                "结案时间",
                "已致歉",
            ]),
            &[],
            &[],
        )
        .expect("resolve");
        let cells = headers(&[
            "微信",
            "'=1+1",
            "02155556666",
            "3栋",
            "漏水",
            "漏水",
            "已修好",
            "2026-11-30",
            "是",
        ]);
        let row = read_row(&cells, &cols, zone(), &Vocabulary::default()).expect("row");
        assert_eq!(row.new.channel, Some(Channel::Chat));
        assert_eq!(row.new.name, "=1+1");
        assert!(row.new.apologized);
        assert_eq!(row.closing.expect("closed").result, "已修好");
        let mut cells = cells;
        cells[7] = String::new();
        let refusal = read_row(&cells, &cols, zone(), &Vocabulary::default()).expect_err("no date");
        assert_eq!(refusal.error.key, "import.result_without_close");
        assert_eq!(refusal.column, Some(6));
        cells[0] = "传真".into();
        let refusal = read_row(&cells, &cols, zone(), &Vocabulary::default()).expect_err("channel");
        assert_eq!(
            (refusal.column, refusal.error.key),
            (Some(0), "import.bad_channel")
        );
    }
}
