//! A spreadsheet's rows as intakes: which column is which field (Chinese or English
//! headers, the export's own, or `--map`), dates as spreadsheets write them, one row made
//! into the intake that [`crate::domain::complaint::validate`] checks like any other, and
//! the digest that tells a row imported before.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use sha2::{Digest, Sha256};

use crate::domain::complaint::{Channel, NewComplaint, ValidComplaint, halfwidth};
use crate::domain::handling;
use crate::domain::search::fold_char;
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
    /// Read past on purpose (`--map COLUMN=ignore`, or an export's column the import does
    /// not take: the stage, the version, …).
    Ignore,
}

impl Field {
    /// Every field a column may be mapped to.
    pub const ALL: [Field; 15] = [
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
            // What an export writes that the import does not take (its own number and time
            // are the desk's; the classification and handling are the importing desk's).
            Field::Ignore => &[
                "scope",
                "party",
                "type",
                "severity",
                "intent",
                "spread_risk",
                "explained",
                "stage",
                "version",
                "updated_at",
                "handler",
            ],
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

/// The cells of one row read into a [`SourceRow`] (dates in `zone`); a cell no field can
/// take is refused, naming its column.
pub fn read_row(
    cells: &[String],
    columns: &Columns,
    zone: Zone,
) -> std::result::Result<SourceRow, Refusal> {
    let mut new = NewComplaint {
        channel: columns.channel_assumed.then_some(Channel::Phone),
        ..NewComplaint::default()
    };
    let mut source_number = String::new();
    let mut result = String::new();
    let mut closed_at = None;
    for (i, field) in columns.fields.iter().enumerate() {
        let cell = unguard(cells.get(i).map_or("", String::as_str));
        match field {
            Field::Number => source_number = cell.trim().to_string(),
            Field::ReceivedAt if !cell.trim().is_empty() => {
                new.received_at = Some(sheet_time(cell, zone).map_err(|e| Refusal::at(i, e))?);
            }
            Field::Channel => {
                new.channel = Some(channel(cell).ok_or_else(|| {
                    Refusal::at(
                        i,
                        Error::new("import.bad_channel")
                            .arg("value", cell.trim())
                            .arg("known", CHANNEL_WORDS.map(|(w, _)| w).join(", ")),
                    )
                })?);
            }
            Field::Name => new.name = cell.to_string(),
            Field::Phone => new.phone = cell.to_string(),
            Field::Location => new.location = cell.to_string(),
            Field::Category => new.category = cell.to_string(),
            Field::Description => new.description = cell.to_string(),
            Field::Outcome => new.outcome = cell.to_string(),
            Field::Apologized => {
                new.apologized = yes_no(cell).ok_or_else(|| {
                    Refusal::at(i, Error::new("import.bad_flag").arg("value", cell.trim()))
                })?;
            }
            Field::Site => new.site = cell.to_string(),
            Field::ExtraCategories => {
                new.extra_categories = cell
                    .split([';', '；', ','])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(String::from)
                    .collect();
            }
            Field::Result => result = cell.to_string(),
            Field::ClosedAt if !cell.trim().is_empty() => {
                closed_at = Some((i, sheet_time(cell, zone).map_err(|e| Refusal::at(i, e))?));
            }
            Field::ReceivedAt | Field::ClosedAt | Field::Ignore => {}
        }
    }
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
    Ok(SourceRow {
        new,
        source_number,
        closing,
    })
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
fn yes_no(cell: &str) -> Option<bool> {
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
            ]),
            &[],
            &[],
        )
        .expect("resolve");
        assert_eq!(cols.fields[6], Field::Ignore);
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
        let row = read_row(&cells, &cols, zone()).expect("row");
        assert_eq!(row.new.channel, Some(Channel::Chat));
        assert_eq!(row.new.name, "=1+1");
        assert!(row.new.apologized);
        assert_eq!(row.closing.expect("closed").result, "已修好");
        let mut cells = cells;
        cells[7] = String::new();
        let refusal = read_row(&cells, &cols, zone()).expect_err("no date");
        assert_eq!(refusal.error.key, "import.result_without_close");
        assert_eq!(refusal.column, Some(6));
        cells[0] = "传真".into();
        let refusal = read_row(&cells, &cols, zone()).expect_err("channel");
        assert_eq!(
            (refusal.column, refusal.error.key),
            (Some(0), "import.bad_channel")
        );
    }
}
