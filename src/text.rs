//! Untrusted text made safe to draw: no control, escape, bidi, zero-width, line-separator or
//! tag character from a complaint (or a path someone typed) ever reaches the terminal. Stored text stays exactly as typed; this runs when
//! text is drawn (TUI) or printed for a person (CLI `table`/`text` formats).
//! Plus width-aware fitting of text into columns (Chinese characters are two columns wide).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns between tab stops when a tab is expanded.
pub const TAB_WIDTH: usize = 4;

/// Marks a newline inside a one-line cell.
pub const NEWLINE_MARK: char = '\u{23CE}'; // ⏎

/// Bidi controls, zero-width and format characters, the Unicode line and paragraph
/// separators (U+2028, U+2029: a line break to some terminals) and the tag characters
/// (U+E0000..U+E007F: invisible text).
fn is_bidi_or_invisible(c: char) -> bool {
    matches!(c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}'
        | '\u{180E}' | '\u{FFF9}'..='\u{FFFB}' | '\u{2028}' | '\u{2029}'
        | '\u{E0000}'..='\u{E007F}')
}

/// Characters that draw as nothing but blank space although they are not spaces: the Hangul
/// fillers, the blank Braille pattern, the combining grapheme joiner, Khmer's inherent vowels
/// and the variation selectors.
fn is_filler(c: char) -> bool {
    matches!(c,
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}' | '\u{034F}'
        | '\u{17B4}' | '\u{17B5}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Whether `c` shows nothing a reader could tell apart: a space, a control, an invisible or
/// format character, or a filler.
pub fn is_blank(c: char) -> bool {
    c.is_whitespace() || is_unsafe(c) || is_filler(c)
}

/// Whether `text` has at least one character a reader can see.
pub fn has_visible(text: &str) -> bool {
    !text.chars().all(is_blank)
}

/// Appends the inert, visible stand-in for a character that must not reach the terminal.
fn push_placeholder(out: &mut String, c: char) {
    match c {
        // C0 controls: the Control Pictures block (␀ … ␟), one column wide.
        '\u{0}'..='\u{1F}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
        '\u{7F}' => out.push('\u{2421}'), // ␡
        _ => {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        }
    }
}

/// `text` as a spreadsheet cell that no spreadsheet evaluates: one starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'` (the OWASP rule for CSV
/// injection).
pub fn spreadsheet_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Whether `c` must be replaced before drawing.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_or_invisible(c)
}

/// Sanitises one line of text (no newline expected; one is shown as ⏎).
pub fn sanitize_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut col = 0;
    for c in text.chars() {
        match c {
            '\t' => {
                let n = TAB_WIDTH - col % TAB_WIDTH;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\n' => {
                out.push(NEWLINE_MARK);
                col += 1;
            }
            '\r' => {}
            c if is_unsafe(c) => {
                let before = out.len();
                push_placeholder(&mut out, c);
                col += out[before..].width();
            }
            c => {
                out.push(c);
                col += c.width().unwrap_or(0);
            }
        }
    }
    out
}

/// A path as it may be echoed to a person: sanitised like any untrusted text (a file name
/// can hold escape sequences too).
pub fn sanitize_path(path: &std::path::Path) -> String {
    sanitize_line(&path.display().to_string())
}

/// Sanitises multi-line text into lines (CR LF and CR count as newlines).
pub fn sanitize_lines(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split(['\n', '\r'])
        .map(sanitize_line)
        .collect()
}

/// Pasted text made fit for a form field: line breaks normalised to `\n` (or to spaces for
/// a one-line field), tabs expanded, and every other control, escape, bidi or zero-width
/// character removed. Returns the text and how many characters were removed.
pub fn clean_pasted(text: &str, multi_line: bool) -> (String, usize) {
    let text = text
        .replace("\r\n", "\n")
        .replace(['\r', '\u{2028}', '\u{2029}'], "\n");
    let mut out = String::with_capacity(text.len());
    let mut removed = 0;
    for c in text.chars() {
        match c {
            '\n' if multi_line => out.push('\n'),
            '\n' => out.push(' '),
            '\t' => out.extend(std::iter::repeat_n(' ', TAB_WIDTH)),
            c if is_unsafe(c) => removed += 1,
            c => out.push(c),
        }
    }
    (out, removed)
}

/// Wraps one already-sanitised line into rows of at most `cols` columns. Continuation rows
/// are indented like the value of a `label  value` line (or like the line's own leading
/// spaces), so a long description stays in its column. Breaks after a space when one is
/// near, else between characters (Chinese has no spaces).
pub fn wrap_hanging(line: &str, cols: usize) -> Vec<String> {
    if cols == 0 || line.width() <= cols {
        return vec![line.to_string()];
    }
    let leading = line.len() - line.trim_start_matches(' ').len();
    let indent = if leading > 0 {
        leading
    } else {
        line.find("  ")
            .map(|i| i + line[i..].len() - line[i..].trim_start_matches(' ').len())
            .map_or(0, |value_at| line[..value_at].width())
    };
    let indent = if indent * 2 > cols { 0 } else { indent };
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut used = 0;
    let mut last_space: Option<usize> = None;
    for c in line.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > cols {
            let carry = match last_space {
                // Break after the space, if that leaves a good part of the row.
                Some(at) if row[..at].width() > cols / 2 => row.split_off(at + 1),
                _ => String::new(),
            };
            rows.push(row.trim_end().to_string());
            row = " ".repeat(indent);
            row.push_str(carry.trim_start());
            used = row.width();
            last_space = None;
        }
        if c == ' ' && used >= indent {
            last_space = Some(row.len());
        }
        row.push(c);
        used += w;
    }
    if !row.trim().is_empty() {
        rows.push(row);
    }
    rows
}

/// Display width in terminal columns.
pub fn width(text: &str) -> usize {
    text.width()
}

/// Fits already-sanitised `text` into exactly `cols` columns: cut with `~` when too wide,
/// padded with spaces when narrow. A wide character never straddles the edge.
pub fn fit(text: &str, cols: usize) -> String {
    let total = text.width();
    if total <= cols {
        let mut s = text.to_string();
        s.extend(std::iter::repeat_n(' ', cols - total));
        return s;
    }
    if cols == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > cols - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('~');
    used += 1;
    out.extend(std::iter::repeat_n(' ', cols - used));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_cells_never_start_a_formula() {
        assert_eq!(spreadsheet_text("=1+1"), "'=1+1");
        assert_eq!(spreadsheet_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_text("-2"), "'-2");
        assert_eq!(spreadsheet_text("\tx"), "'\tx");
        assert_eq!(spreadsheet_text("7栋"), "7栋");
        assert_eq!(spreadsheet_text(""), "");
    }
    use proptest::prelude::*;

    #[test]
    fn pasted_text_keeps_lines_and_loses_controls() {
        let (text, removed) = clean_pasted("楼上漏水\r\n第二行\u{1b}[2J\u{202e}\tx", true);
        assert_eq!(text, "楼上漏水\n第二行[2J    x");
        assert_eq!(removed, 2);
        assert_eq!(clean_pasted("138\r\n0013", false).0, "138 0013");
    }

    #[test]
    fn long_lines_wrap_under_their_value() {
        let rows = wrap_hanging("投诉内容  厨房水管爆裂，水一直漫到客厅", 20);
        assert_eq!(
            rows,
            vec![
                "投诉内容  厨房水管爆",
                "          裂，水一直",
                "          漫到客厅"
            ]
        );
        let rows = wrap_hanging("Description  the kitchen pipe burst last night", 30);
        assert_eq!(
            rows,
            vec![
                "Description  the kitchen pipe",
                "             burst last night"
            ]
        );
        assert!(rows.iter().all(|r| r.width() <= 30));
        assert_eq!(wrap_hanging("短", 10), vec!["短"]);
    }

    #[test]
    fn escape_sequences_become_inert() {
        let s = sanitize_line("\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}abc");
        assert_eq!(s, "\u{241b}]0;pwned\u{2407}\u{241b}[2J<U+202E>abc");
        assert!(!s.chars().any(is_unsafe));
    }

    #[test]
    fn tabs_newlines_and_c1() {
        assert_eq!(sanitize_line("a\tb"), "a   b");
        assert_eq!(sanitize_line("漏\t水"), "漏  水");
        assert_eq!(sanitize_lines("一\r\n二\n三"), vec!["一", "二", "三"]);
        assert_eq!(sanitize_line("x\u{9b}31m"), "x<U+009B>31m");
        assert_eq!(sanitize_line("a\u{200b}b\u{feff}"), "a<U+200B>b<U+FEFF>");
    }

    #[test]
    fn line_separators_and_tags_become_inert() {
        assert_eq!(sanitize_line("a\u{2028}b\u{2029}c"), "a<U+2028>b<U+2029>c");
        assert_eq!(
            sanitize_line("x\u{E0041}\u{E007F}y"),
            "x<U+E0041><U+E007F>y"
        );
        assert_eq!(
            sanitize_path(std::path::Path::new("/tmp/\u{1b}[31mred\u{2028}.db")),
            "/tmp/\u{241b}[31mred<U+2028>.db"
        );
        let (pasted, removed) = clean_pasted("一\u{2028}二\u{E0041}", true);
        assert_eq!((pasted.as_str(), removed), ("一\n二", 1));
        assert_eq!(clean_pasted("一\u{2029}二", false).0, "一 二");
    }

    #[test]
    fn blank_and_invisible_text_has_nothing_visible() {
        for blank in [
            "\u{200B}",
            "\u{3164}\u{3164}",
            "\u{2800}",
            "\u{FEFF} \u{3000}",
            "\u{E0041}\u{E0042}",
            "\u{115F}\u{1160}\u{FFA0}",
            "\u{2028}",
            "",
        ] {
            assert!(!has_visible(blank), "{blank:?}");
        }
        for name in ["张伟", "a", "李\u{200B}娜", "\u{3164}王"] {
            assert!(has_visible(name), "{name:?}");
        }
    }

    #[test]
    fn placeholders_are_not_ambiguous_width() {
        for c in ['\u{241b}', '\u{2407}', '\u{2421}', NEWLINE_MARK, '~'] {
            assert_eq!(c.width(), c.width_cjk(), "{c:?} is ambiguous width");
        }
    }

    #[test]
    fn fit_respects_display_width() {
        assert_eq!(fit("漏水", 6), "漏水  ");
        assert_eq!(fit("卫生间漏水", 6), "卫生~ ");
        assert_eq!(width(&fit("卫生间漏水", 6)), 6);
        assert_eq!(fit("abcdef", 4), "abc~");
        assert_eq!(fit("abc", 0), "");
    }

    proptest! {
        #[test]
        fn nothing_unsafe_survives(s in any::<String>()) {
            for line in sanitize_lines(&s) {
                prop_assert!(!line.chars().any(is_unsafe), "{line:?}");
            }
            prop_assert!(!sanitize_line(&s).chars().any(is_unsafe));
        }

        #[test]
        fn fit_is_exact(s in "[a-z漏水测试\u{1b}\t]{0,30}", cols in 0usize..40) {
            let f = fit(&sanitize_line(&s), cols);
            prop_assert_eq!(width(&f), cols);
        }
    }
}
