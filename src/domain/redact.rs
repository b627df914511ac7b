//! Taking the person out of a case's text (脱敏), for the case library: the complainant's name,
//! phone and unit/room as typed in the case's fields, and any name, phone number or unit/room
//! written inside the free text, each replaced by a placeholder in the desk's language
//! (〔业主〕〔电话〕〔房号〕, [resident] [phone] [unit]).
//!
//! Every detector marks spans of the text; overlapping spans are settled (the earliest, then
//! the longest, wins) and the text is written again once, so a placeholder is never looked at
//! again. What is looked for:
//! * names: the name as typed (with an honorific after it), its surname with an honorific
//!   (王先生, 王女士, 王阿姨, 老王), its given name; any common surname with a resident's
//!   honorific (李阿姨, 陳太太); Mr/Mrs/Ms/Miss/Dr and a name; the parts of a Latin name;
//!   an identity card number;
//! * phones: mobiles with or without +86 and separators, masked ones (138****5678),
//!   landlines with an area code, 400/800 numbers, the complainant's own digits in any
//!   format, "尾号5678";
//! * units: the location as typed; 3栋2单元1201, 12-1201室, 1201房, 1号楼, B座, 5楼, a
//!   number after 楼上/楼下/隔壁/对门 or before 的/家, a bare three or four digits before
//!   a word that is no measure (维修802防水层), the room of the unit alone; Room 12B, Flat 3, Unit 5, Apt 4C, Block 2.

use std::sync::LazyLock;

use regex::Regex;

/// The complainant as the case's fields hold them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Person<'a> {
    /// Name as typed.
    pub name: &'a str,
    /// Phone as typed.
    pub phone: &'a str,
    /// Unit/room (the location) as typed.
    pub unit: &'a str,
}

/// The placeholders, in the desk's language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    /// For a person's name.
    pub person: String,
    /// For a phone number.
    pub phone: String,
    /// For a unit or room.
    pub unit: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Person,
    Phone,
    Unit,
}

/// A resident's honorifics after a surname (王先生, 陈太太): any common surname with one of
/// these is a person.
const RESIDENT_TITLES: &str = "先生|女士|小姐|阿姨|叔叔|大爷|大妈|大姐|大哥|奶奶|爷爷|太太|阿婆|阿伯|婆婆|伯伯|\
    大爺|大媽|爺爺|業主|业主";

/// Further titles after the complainant's own surname (王老师, 王师傅, 王总).
const OWN_TITLES: &str = "老师|老師|师傅|師傅|总|總|经理|經理|老板|老闆|医生|醫生|同学|同學|姐|哥";

/// Common surnames (Simplified and Traditional), for the honorific rule.
const SURNAMES: &str = "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許\
    韩韓冯馮邓鄧曹彭曾肖萧蕭田董袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈\
    夏韦韋付方白邹鄒孟熊秦邱江尹薛闫閆段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯常温溫\
    康施文牛樊葛邢安齐齊易乔喬伍庞龐颜顏倪庄莊聂聶章鲁魯岳翟殷詹申欧歐耿关關兰蘭焦俞左柳甘祝包宁寧尚符舒阮\
    柯纪紀梅童凌毕畢单單季裴霍涂成苗谷盛曲翁冉骆駱蓝藍路游辛靳管柴蒙鲍鮑华華喻祁蒲房滕屈饶饒解牟艾尤阳陽时時\
    穆农農司卓古吉缪繆简簡车車项項连連芦蘆麦麥褚娄婁窦竇戚岑景党宫宮费費卜冷晏席卫衛米柏宗瞿桂全佟应應臧闵閔\
    苟邬鄔边邊卞姬师師和仇栾欒隋商刁沙荣榮巫寇桑郎甄丛叢仲虞敖巩鞏明佘池查麻苑迟遲邝鄺";

/// Two-character surnames.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "歐陽", "司马", "司馬", "上官", "诸葛", "諸葛", "东方", "東方", "皇甫", "令狐", "慕容",
    "尉迟", "尉遲", "公孙", "公孫", "长孙", "長孫", "宇文", "司徒", "夏侯", "端木", "轩辕", "軒轅",
];

/// Digits as typed in Chinese text: ASCII, full-width, Chinese numerals.
const NUMERAL: &str = "[0-9０-９一二三四五六七八九十百零〇两兩]";

static ROOM: LazyLock<Regex> = LazyLock::new(|| re(r"\d{3,4}"));
static ID_CARD: LazyLock<Regex> = LazyLock::new(|| re(r"[1-9]\d{16}[\dXx]"));
static MOBILE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:\+?86[\s-]?)?1\d{2}[\s-]?[\d*＊xX]{4}[\s-]?[\d*＊]{4}"));
static LANDLINE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}[\s-]?)\d{3,4}[\s-]?\d{4}(?:\s?(?:-|转|轉|ext\.?)\s?\d{1,5})?",
    )
});
static SERVICE_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"[48]00[\s-]?\d{3}[\s-]?\d{4}"));
static MASKED: LazyLock<Regex> = LazyLock::new(|| re(r"\d{2,4}[*＊]{3,}\d{2,4}"));
static TAIL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:尾号|尾號|末四位|后四位|後四位)(?:是|为|為)?\s*\d{3,4}"));
static UNIT_CN: LazyLock<Regex> = LazyLock::new(|| {
    let part = format!(
        "(?:(?:{NUMERAL}+|[A-Za-zＡ-Ｚ])(?:号楼|號樓|号院|號院|栋|棟|幢|座|单元|單元|楼|樓|层|層|室|房|户|戶))"
    );
    re(&format!(
        r"{part}+(?:[\s-]?\d{{2,4}}(?:室|房|号|號|户|戶)?)?|\d{{1,3}}-\d{{1,3}}-\d{{2,4}}(?:室|房|号|號)?|\d{{1,3}}-\d{{3,4}}(?:室|房|号|號)?|\d{{3,4}}(?:室|房|号房|號房|户|戶)"
    ))
});
static NEIGHBOUR: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:楼上|樓上|楼下|樓下|隔壁|对门|對門|对面|對面)(?:的|住的)?(\d{3,4}[A-Za-z]?)")
});
static RESIDENT_OF: LazyLock<Regex> =
    LazyLock::new(|| re(r"(\d{3,4})(?:的|家|住户|住戶|业主|業主)"));
static BARE_NUMBER: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{3,4})[ \t]?(\p{Han})"));

/// What may follow a bare number that is not a room: measures, dates, times.
const MEASURES: &str = "元块塊角分秒天年月日号號次个個米平方时時小周週位人斤吨噸度件台臺辆輛张張条條克升岁歲倍期届屆页頁字";

/// Public numbers that are no one's room (emergency, hotlines).
const PUBLIC_NUMBERS: [&str; 8] = ["110", "119", "120", "122", "114", "12345", "12315", "12369"];

static UNIT_EN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:room|rm\.?|flat|unit|apt\.?|apartment|suite|block|blk\.?|building|bldg\.?|tower|house|no\.)\s*#?\s*[0-9]+[A-Za-z]?(?:[-/][0-9A-Za-z]+)*|(?i)(?:floor|fl\.?)\s*[0-9]+|[0-9]+(?:st|nd|rd|th)\s+floor",
    )
});
static TITLE_EN: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Madam|Mister|Auntie|Uncle)\.?\s+[A-Z][a-z]+(?:[\s-][A-Z][a-z]+)?")
});
static RESIDENT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        "(?:老|小)?[{SURNAMES}](?:{RESIDENT_TITLES})|(?:{})(?:{RESIDENT_TITLES})",
        COMPOUND_SURNAMES.join("|")
    ))
});

/// A pattern of this module (written here, tested below).
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("redact pattern {pattern}: {e}"))
}

/// `text` with the person in `who` and any name, phone or unit in it replaced by `marks`.
pub fn redact(text: &str, who: &Person<'_>, marks: &Marks) -> String {
    let mut spans: Vec<(usize, usize, Kind)> = Vec::new();
    own_spans(text, who, &mut spans);
    let digit_guard = |s: usize, e: usize| {
        !text[..s].ends_with(|c: char| c.is_ascii_digit())
            && !text[e..].starts_with(|c: char| c.is_ascii_digit())
    };
    for (pattern, kind) in [
        (&*ID_CARD, Kind::Person),
        (&*MOBILE, Kind::Phone),
        (&*LANDLINE, Kind::Phone),
        (&*SERVICE_LINE, Kind::Phone),
        (&*MASKED, Kind::Phone),
    ] {
        for m in pattern.find_iter(text) {
            if digit_guard(m.start(), m.end()) {
                spans.push((m.start(), m.end(), kind));
            }
        }
    }
    for m in TAIL.find_iter(text) {
        spans.push((m.start(), m.end(), Kind::Phone));
    }
    for m in UNIT_CN.find_iter(text) {
        if digit_guard(m.start(), m.end()) {
            spans.push((m.start(), m.end(), Kind::Unit));
        }
    }
    for pattern in [&*NEIGHBOUR, &*RESIDENT_OF] {
        for c in pattern.captures_iter(text) {
            if let Some(n) = c.get(1).filter(|n| digit_guard(n.start(), n.end())) {
                spans.push((n.start(), n.end(), Kind::Unit));
            }
        }
    }
    // A bare room number in Chinese text (楼上802, 维修702顶棚): three or four digits
    // followed by a character that is no measure.
    for c in BARE_NUMBER.captures_iter(text) {
        if let (Some(n), Some(next)) = (c.get(1), c.get(2)) {
            let before_ok = !text[..n.start()]
                .ends_with(|ch: char| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '.' | '/'));
            if before_ok
                && !MEASURES.contains(next.as_str())
                && !PUBLIC_NUMBERS.contains(&n.as_str())
            {
                spans.push((n.start(), n.end(), Kind::Unit));
            }
        }
    }
    let letter_guard = |s: usize, e: usize| {
        !text[..s].ends_with(|c: char| c.is_ascii_alphanumeric())
            && !text[e..].starts_with(|c: char| c.is_ascii_alphanumeric())
    };
    for (pattern, kind) in [(&*UNIT_EN, Kind::Unit), (&*TITLE_EN, Kind::Person)] {
        for m in pattern.find_iter(text) {
            if letter_guard(m.start(), m.end()) {
                spans.push((m.start(), m.end(), kind));
            }
        }
    }
    for m in RESIDENT.find_iter(text) {
        spans.push((m.start(), m.end(), Kind::Person));
    }
    write(text, spans, marks)
}

/// The spans of the complainant's own name, phone and unit as the fields hold them.
fn own_spans(text: &str, who: &Person<'_>, spans: &mut Vec<(usize, usize, Kind)>) {
    let unit = who.unit.trim();
    if unit.chars().count() >= 2 {
        push_literal(text, unit, Kind::Unit, spans);
    }
    // The room number of the unit alone (702 of 5栋1单元702).
    for room in ROOM.find_iter(unit) {
        let pattern = re(&format!(r"(?:^|\D)({})(?:\D|$)", room.as_str()));
        for c in pattern.captures_iter(text) {
            if let Some(n) = c.get(1) {
                spans.push((n.start(), n.end(), Kind::Unit));
            }
        }
    }
    let digits: String = who
        .phone
        .chars()
        .map(crate::domain::complaint::halfwidth)
        .filter(char::is_ascii_digit)
        .collect();
    let local = digits
        .strip_prefix("0086")
        .or_else(|| digits.strip_prefix("86").filter(|d| d.len() == 11))
        .unwrap_or(&digits);
    if local.len() >= 5 {
        let spaced: Vec<String> = local.chars().map(String::from).collect();
        let pattern = re(&format!(r"(?:\+?86[\s-]?)?{}", spaced.join(r"[\s\-.]?")));
        for m in pattern.find_iter(text) {
            spans.push((m.start(), m.end(), Kind::Phone));
        }
    }
    let name = who.name.trim();
    if name.is_empty() {
        return;
    }
    if name.chars().all(is_han) {
        han_name(text, name, spans);
    } else {
        latin_name(text, name, spans);
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// A Chinese name: whole (with a title after it), its surname with a title or 老/小 before
/// it, and its given name of two characters or more.
fn han_name(text: &str, name: &str, spans: &mut Vec<(usize, usize, Kind)>) {
    let titles = format!("{RESIDENT_TITLES}|{OWN_TITLES}");
    let surname = COMPOUND_SURNAMES
        .iter()
        .find(|s| name.starts_with(**s) && name.len() > s.len())
        .map_or_else(
            || name.chars().next().map(String::from).unwrap_or_default(),
            |s| (*s).to_string(),
        );
    let given = &name[surname.len()..];
    let mut forms = vec![format!("{}(?:{titles})?", regex::escape(name))];
    if !given.is_empty() {
        let s = regex::escape(&surname);
        forms.push(format!("{s}(?:{titles})|(?:老|小){s}"));
    }
    if given.chars().count() >= 2 {
        forms.push(regex::escape(given));
    }
    let pattern = re(&forms.join("|"));
    for m in pattern.find_iter(text) {
        spans.push((m.start(), m.end(), Kind::Person));
    }
}

/// A Latin name: whole, and each of its parts of two letters or more as a word.
fn latin_name(text: &str, name: &str, spans: &mut Vec<(usize, usize, Kind)>) {
    let mut forms = vec![regex::escape(name)];
    forms.extend(
        name.split(|c: char| c.is_whitespace() || c == ',' || c == '.')
            .filter(|p| p.chars().count() >= 2)
            .map(regex::escape),
    );
    let pattern = re(&format!("(?i)(?:{})", forms.join("|")));
    for m in pattern.find_iter(text) {
        let whole_word = !text[..m.start()].ends_with(|c: char| c.is_alphanumeric() && !is_han(c))
            && !text[m.end()..].starts_with(|c: char| c.is_alphanumeric() && !is_han(c));
        if whole_word {
            spans.push((m.start(), m.end(), Kind::Person));
        }
    }
}

/// Every occurrence of `needle` (as typed, ASCII case aside).
fn push_literal(text: &str, needle: &str, kind: Kind, spans: &mut Vec<(usize, usize, Kind)>) {
    let pattern = re(&format!("(?i){}", regex::escape(needle)));
    for m in pattern.find_iter(text) {
        spans.push((m.start(), m.end(), kind));
    }
}

/// `text` written again with `spans` replaced: the earliest span wins, then the longest;
/// a span overlapping one kept is dropped, and neighbouring spans of one kind become one
/// placeholder.
fn write(text: &str, mut spans: Vec<(usize, usize, Kind)>, marks: &Marks) -> String {
    spans.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut last: Option<(usize, Kind)> = None;
    for (s, e, kind) in spans {
        if s < at {
            continue;
        }
        let between = &text[at..s];
        match last {
            Some((end, k)) if k == kind && end == s => {}
            Some((end, k)) if k == kind && end == at && between.trim().is_empty() => {}
            _ => {
                out.push_str(between);
                out.push_str(match kind {
                    Kind::Person => &marks.person,
                    Kind::Phone => &marks.phone,
                    Kind::Unit => &marks.unit,
                });
            }
        }
        at = e;
        last = Some((e, kind));
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zh() -> Marks {
        Marks {
            person: "〔业主〕".into(),
            phone: "〔电话〕".into(),
            unit: "〔房号〕".into(),
        }
    }

    fn en() -> Marks {
        Marks {
            person: "[resident]".into(),
            phone: "[phone]".into(),
            unit: "[unit]".into(),
        }
    }

    const WANG: Person<'static> = Person {
        name: "王建国",
        phone: "138 1234 5678",
        unit: "3栋2单元1201",
    };

    fn r(text: &str) -> String {
        redact(text, &WANG, &zh())
    }

    #[test]
    fn the_name_as_typed_and_its_forms() {
        assert_eq!(r("王建国来电反映漏水"), "〔业主〕来电反映漏水");
        assert_eq!(r("王建国先生很生气"), "〔业主〕很生气");
        assert_eq!(r("王先生说上周已报修"), "〔业主〕说上周已报修");
        assert_eq!(r("王女士的家人"), "〔业主〕的家人");
        assert_eq!(r("王阿姨反映"), "〔业主〕反映");
        assert_eq!(r("老王说物业不管"), "〔业主〕说物业不管");
        assert_eq!(r("建国说他等了三天"), "〔业主〕说他等了三天");
        assert_eq!(r("王师傅上门"), "〔业主〕上门");
        // Other residents named by a surname and a resident's title go too.
        assert_eq!(r("楼上李阿姨家的洗衣机"), "楼上〔业主〕家的洗衣机");
        assert_eq!(r("陳太太也投訴過"), "〔业主〕也投訴過");
        assert_eq!(r("欧阳女士"), "〔业主〕");
        // Staff titles of other surnames stay: they are the desk's, not the resident's.
        assert_eq!(r("工程部李经理确认"), "工程部李经理确认");
        // Words that only look like a title stay.
        assert_eq!(r("这位女士很着急"), "这位女士很着急");
    }

    #[test]
    fn phone_numbers_in_any_format() {
        assert_eq!(r("电话13812345678"), "电话〔电话〕");
        assert_eq!(r("电话 138-1234-5678 打不通"), "电话 〔电话〕 打不通");
        assert_eq!(r("+86 138 1234 5678"), "〔电话〕");
        assert_eq!(r("留了另一个号码13987654321"), "留了另一个号码〔电话〕");
        assert_eq!(r("139-8765-4321 是她女儿"), "〔电话〕 是她女儿");
        assert_eq!(r("手机138****5678"), "手机〔电话〕");
        assert_eq!(r("座机010-62345678转8"), "座机〔电话〕");
        assert_eq!(r("座机（0755）2345 6789"), "座机〔电话〕");
        assert_eq!(r("拨打400-820-8820投诉"), "拨打〔电话〕投诉");
        assert_eq!(r("尾号5678的手机"), "〔电话〕的手机");
        assert_eq!(r("138.1234.5678"), "〔电话〕");
        // Amounts, dates and times stay.
        assert_eq!(r("补偿200元，2026-11-20处理"), "补偿200元，2026-11-20处理");
        assert_eq!(r("工单号20261120001"), "工单号20261120001");
    }

    #[test]
    fn units_and_rooms() {
        assert_eq!(r("3栋2单元1201漏水"), "〔房号〕漏水");
        assert_eq!(r("住在3栋2单元1201室"), "住在〔房号〕");
        assert_eq!(r("12-1201室天花板"), "〔房号〕天花板");
        assert_eq!(r("1201房的业主"), "〔房号〕的业主");
        assert_eq!(r("1号楼电梯"), "〔房号〕电梯");
        assert_eq!(r("B座1502"), "〔房号〕");
        assert_eq!(r("三栋五楼"), "〔房号〕");
        assert_eq!(r("楼上1302漏水到楼下"), "楼上〔房号〕漏水到楼下");
        assert_eq!(r("隔壁的502装修"), "隔壁的〔房号〕装修");
        assert_eq!(r("5-2-301"), "〔房号〕");
        assert_eq!(r("１２０１室"), "〔房号〕");
        // A bare room number before a word, and the room of the unit alone.
        assert_eq!(r("维修802防水层"), "维修〔房号〕防水层");
        assert_eq!(r("1201卫生间"), "〔房号〕卫生间");
        assert_eq!(r("1901 卫生间防水层破损"), "〔房号〕 卫生间防水层破损");
        assert_eq!(r("找过物业 1201 的情况"), "找过物业 〔房号〕 的情况");
        // Counts, durations, money, years and public numbers stay.
        assert_eq!(r("等了3天，来了2次"), "等了3天，来了2次");
        assert_eq!(
            r("赔偿300元，等了120分钟，2025年装修"),
            "赔偿300元，等了120分钟，2025年装修"
        );
        assert_eq!(r("打120急救，拨12345热线"), "打120急救，拨12345热线");
        assert_eq!(r("12月3号上门"), "12月3号上门");
    }

    #[test]
    fn a_realistic_record() {
        let text = "王建国（138 1234 5678）反映3栋2单元1201卫生间天花板渗水，怀疑是楼上1302的\
                    防水层破损。王先生称已联系过1302的李阿姨，对方不配合。另留电话021-5432 1098。";
        assert_eq!(
            r(text),
            "〔业主〕（〔电话〕）反映〔房号〕卫生间天花板渗水，怀疑是楼上〔房号〕的\
             防水层破损。〔业主〕称已联系过〔房号〕的〔业主〕，对方不配合。另留电话〔电话〕。"
        );
    }

    #[test]
    fn english_text() {
        let who = Person {
            name: "Li Ming",
            phone: "+86 139 0000 1111",
            unit: "Flat 3B, Block 2",
        };
        let text = "Mr Li of Flat 3B, Block 2 called from 139-0000-1111: water from Room 12B \
                    above. Ming says Mrs Chan on the 4th floor saw it too.";
        assert_eq!(
            redact(text, &who, &en()),
            "[resident] of [unit] called from [phone]: water from [unit] \
             above. [resident] says [resident] on the [unit] saw it too."
        );
        // A name part inside another word stays.
        assert_eq!(redact("Limited access", &who, &en()), "Limited access");
    }

    #[test]
    fn identity_numbers_are_a_person() {
        assert_eq!(r("身份证110101199003071234"), "身份证〔业主〕");
    }

    #[test]
    fn nothing_to_take_leaves_the_text() {
        let text = "电梯困人十五分钟，维保单位到场较慢。";
        assert_eq!(r(text), text);
        assert_eq!(redact(text, &Person::default(), &zh()), text);
    }
}
