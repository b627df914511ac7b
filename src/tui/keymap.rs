//! Keys as data. Every pane and form declares its keys once, as a table of [`Binding`]s:
//! the key handling looks the command up there, and the F1 help and the footer hints are
//! drawn from the same table, so the three cannot drift apart. Global keys (F-keys and
//! Ctrl chords, which work while a Chinese input method holds the letters) are a table too.
//! A letter key of any table also works as Alt+letter: a Chinese input method's composer
//! takes the bare letters while it is on, but the terminal passes Alt chords to the app.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::i18n::Catalog;
use crate::tui::panes::Pane;

/// One key: a code and whether Ctrl or Alt is held (Shift is part of the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chord {
    code: KeyCode,
    ctrl: bool,
    alt: bool,
}

/// A key without Ctrl or Alt.
pub const fn key(code: KeyCode) -> Chord {
    Chord {
        code,
        ctrl: false,
        alt: false,
    }
}

/// A character typed alone (a shortcut where no text field has focus).
pub const fn ch(c: char) -> Chord {
    key(KeyCode::Char(c))
}

/// Ctrl and a letter.
pub const fn ctrl(c: char) -> Chord {
    Chord {
        code: KeyCode::Char(c),
        ctrl: true,
        alt: false,
    }
}

/// Alt and a character.
pub const fn alt(c: char) -> Chord {
    Chord {
        code: KeyCode::Char(c),
        ctrl: false,
        alt: true,
    }
}

impl Chord {
    /// Whether `event` is this key (Ctrl and Alt must match; a letter with Ctrl matches in
    /// either case, as terminals differ; a letter alone also matches with Alt).
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let alt = event.modifiers.contains(KeyModifiers::ALT);
        let alt_letter = alt && !ctrl && self.is_letter();
        if !alt_letter && (ctrl != self.ctrl || alt != self.alt) {
            return false;
        }
        match (self.code, event.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) if self.ctrl => a.eq_ignore_ascii_case(&b),
            (a, b) => a == b,
        }
    }

    /// Whether this is a letter typed alone (which Alt+that letter gives too).
    pub fn is_letter(&self) -> bool {
        self.char().is_some_and(|c| c.is_ascii_alphabetic())
    }

    /// The character of a key typed alone, if it is one.
    pub fn char(&self) -> Option<char> {
        match self.code {
            KeyCode::Char(c) if !self.ctrl && !self.alt => Some(c),
            _ => None,
        }
    }

    /// How the key is written in help text (`Ctrl+S`, `PgDn`, `j`).
    pub fn name(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift+Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Up => "Up".into(),
            KeyCode::Down => "Down".into(),
            KeyCode::Left => "Left".into(),
            KeyCode::Right => "Right".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other:?}"),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("Ctrl+{base}"),
            (_, true) => format!("Alt+{base}"),
            _ => base,
        }
    }
}

/// A row of the F1 help: the keys as written there and the catalog key of what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Help {
    /// The keys, as the help writes them (several bindings may share one row).
    pub keys: &'static str,
    /// Catalog key of the description.
    pub text: &'static str,
}

/// Keys and the command they give, with their help row and footer hint.
#[derive(Debug, Clone, Copy)]
pub struct Binding<C: 'static> {
    /// The keys; empty for keys a focused field takes itself (listed for the help only).
    pub chords: &'static [Chord],
    /// The command.
    pub cmd: C,
    /// The help row this binding starts (None: it shares the row above, or has none).
    pub help: Option<Help>,
    /// Its hint in the pane's footer (`Enter 详情`), if it has one: the place among the
    /// footer's hints (lowest first, then table order) and the catalog key.
    pub hint: Option<(u8, &'static str)>,
}

impl<C: Copy> Binding<C> {
    /// Keys giving `cmd`, with no help row or hint yet.
    pub const fn new(chords: &'static [Chord], cmd: C) -> Binding<C> {
        Binding {
            chords,
            cmd,
            help: None,
            hint: None,
        }
    }

    /// With a help row: `keys` as written there, `text` the catalog key of what they do.
    pub const fn help(mut self, keys: &'static str, text: &'static str) -> Binding<C> {
        self.help = Some(Help { keys, text });
        self
    }

    /// With a hint in the footer (a catalog key), in table order.
    pub const fn hint(self, hint: &'static str) -> Binding<C> {
        self.hint_at(0, hint)
    }

    /// With a hint in the footer at `place` (lowest first).
    pub const fn hint_at(mut self, place: u8, hint: &'static str) -> Binding<C> {
        self.hint = Some((place, hint));
        self
    }
}

/// The command `event` gives in `table`, if any.
pub fn lookup<C: Copy>(table: &[Binding<C>], event: &KeyEvent) -> Option<C> {
    table
        .iter()
        .find(|b| b.chords.iter().any(|c| c.matches(event)))
        .map(|b| b.cmd)
}

/// The help rows of a table, in order.
pub fn help_rows<C>(table: &[Binding<C>]) -> impl Iterator<Item = Help> + '_ {
    table.iter().filter_map(|b| b.help)
}

/// The footer: the hints of `table` in their order, then those of `globals`, `gap` apart.
pub fn footer<C, D>(
    catalog: &Catalog,
    table: &[Binding<C>],
    globals: &[Binding<D>],
    gap: &str,
) -> String {
    let mut hints: Vec<(u8, &str)> = table.iter().filter_map(|b| b.hint).collect();
    hints.sort_by_key(|(place, _)| *place);
    hints
        .into_iter()
        .chain(globals.iter().filter_map(|b| b.hint))
        .map(|(_, k)| catalog.text(k))
        .collect::<Vec<_>>()
        .join(gap)
}

/// Whether a key may type into a field: no Ctrl or Alt held (an Alt chord is a command,
/// never text).
pub fn plain(event: &KeyEvent) -> bool {
    !event
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

/// Whether the app should act on the event: presses (and auto-repeats), never releases.
pub fn is_press(key: &KeyEvent) -> bool {
    matches!(key.kind, KeyEventKind::Press | KeyEventKind::Repeat)
}

/// An action available from every pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Global {
    /// Show or hide the help.
    Help,
    /// Go to a pane.
    Pane(Pane),
    /// Quit (the draft is kept).
    Quit,
    /// Lock the screen now (the draft is kept for its agent).
    Lock,
    /// Ctrl+C: say how to quit.
    QuitHint,
    /// Search every case (the cases pane's query line).
    Search,
    /// Open a case by its number.
    GoTo,
    /// Open or close the agents overlay (roles that manage agents).
    Agents,
}

/// The global keys (checked before any pane's; Alt+1..7 for terminals that keep the F-keys
/// for themselves).
pub const GLOBAL: &[Binding<Global>] = &[
    Binding::new(&[ctrl('c')], Global::QuitHint),
    Binding::new(&[key(KeyCode::F(1))], Global::Help).help("F1", "help.help"),
    Binding::new(&[key(KeyCode::F(2))], Global::Pane(Pane::Intake)).help("F2-F8", "help.panes"),
    Binding::new(&[key(KeyCode::F(3))], Global::Pane(Pane::Classification)),
    Binding::new(&[key(KeyCode::F(4))], Global::Pane(Pane::Callbacks)),
    Binding::new(&[key(KeyCode::F(5))], Global::Pane(Pane::Revisits)),
    Binding::new(&[key(KeyCode::F(6))], Global::Pane(Pane::Cases)),
    Binding::new(&[key(KeyCode::F(7))], Global::Pane(Pane::Dashboard)),
    Binding::new(&[key(KeyCode::F(8))], Global::Pane(Pane::Library)),
    Binding::new(&[alt('1')], Global::Pane(Pane::Intake)).help("Alt+1..7", "help.panes"),
    Binding::new(&[alt('2')], Global::Pane(Pane::Classification)),
    Binding::new(&[alt('3')], Global::Pane(Pane::Callbacks)),
    Binding::new(&[alt('4')], Global::Pane(Pane::Revisits)),
    Binding::new(&[alt('5')], Global::Pane(Pane::Cases)),
    Binding::new(&[alt('6')], Global::Pane(Pane::Dashboard)),
    Binding::new(&[alt('7')], Global::Pane(Pane::Library)),
    // Said once for every table (the Alt chords are matched in `Chord::matches`).
    Binding::new(&[], Global::Help).help("Alt+a..z", "help.alt_letters"),
    Binding::new(&[ctrl('f')], Global::Search).help("Ctrl+F", "help.search"),
    Binding::new(&[ctrl('g')], Global::GoTo).help("Ctrl+G", "help.goto"),
    Binding::new(&[key(KeyCode::F(9))], Global::Agents).help("F9", "help.agents"),
    Binding::new(&[ctrl('l')], Global::Lock).help("Ctrl+L", "help.lock"),
    Binding::new(&[ctrl('q')], Global::Quit).help("Ctrl+Q", "help.quit"),
];

/// The F1 hint that ends the desk panes' footers.
pub const HELP_HINT: &[Binding<Global>] = &[Binding::new(&[], Global::Help).hint("keys.help")];

/// The Ctrl+Q hint that ends the footers of the screens before the desk.
pub const QUIT_HINT: &[Binding<Global>] = &[Binding::new(&[], Global::Quit).hint("keys.quit")];

/// The global action of a key, if it has one.
pub fn global(event: &KeyEvent) -> Option<Global> {
    lookup(GLOBAL, event)
}

#[cfg(test)]
pub mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    /// Checks a key table: no key gives two commands (Alt+letter counts as the letter
    /// where the table binds the letter alone), every key is named in its help row, and
    /// every key a row names is bound in it (the keys of a binding without a row of its
    /// own belong to the row above; keys before the first row are left out of the help;
    /// a row with no key bound is for keys a field takes itself). The catalog keys it uses
    /// are checked with every other key used in the source.
    pub fn check_table<C: Copy + std::fmt::Debug>(table: &[Binding<C>]) {
        let mut seen: Vec<Chord> = Vec::new();
        for (help, chords) in rows(table) {
            for chord in &chords {
                assert!(!seen.contains(chord), "{} bound twice", chord.name());
                seen.push(*chord);
            }
            let Some(help) = help.filter(|h| !h.keys.is_empty() && !chords.is_empty()) else {
                continue;
            };
            for chord in &chords {
                assert!(
                    names(help.keys, chord),
                    "{} is missing from its help row {:?}",
                    chord.name(),
                    help.keys
                );
            }
            for word in words(help.keys) {
                assert!(
                    chords.iter().any(|c| names(word, c)),
                    "{word} is in the help row {:?} but not bound there",
                    help.keys
                );
            }
        }
        for chord in &seen {
            if let KeyCode::Char(c) = chord.code
                && chord.alt
            {
                assert!(
                    !seen.contains(&ch(c)),
                    "{} is also the letter {c} with Alt",
                    chord.name()
                );
            }
        }
    }

    /// The help rows of a table with the keys each one covers.
    fn rows<C>(table: &[Binding<C>]) -> Vec<(Option<Help>, Vec<Chord>)> {
        let mut rows: Vec<(Option<Help>, Vec<Chord>)> = vec![(None, Vec::new())];
        for b in table {
            if b.help.is_some() {
                rows.push((b.help, Vec::new()));
            }
            if let Some((_, chords)) = rows.last_mut() {
                chords.extend_from_slice(b.chords);
            }
        }
        rows
    }

    /// The keys a help row writes: `a / b`, `Up/Down` and `/` alone.
    fn words(written: &str) -> impl Iterator<Item = &str> {
        let alone = written.trim() == "/";
        written
            .split(' ')
            .flat_map(move |w| {
                if alone {
                    vec![w]
                } else {
                    w.split('/').collect()
                }
            })
            .filter(|w| !w.is_empty())
    }

    /// Whether the help text `written` names `chord` (in either case, as a row writes `m`
    /// for `m` and `M`; a digit may be written in a range: `1-5`, `Alt+1..5`).
    fn names(written: &str, chord: &Chord) -> bool {
        let name = chord.name();
        if words(written).any(|w| w.eq_ignore_ascii_case(&name)) {
            return true;
        }
        // A range of function keys: F2-F8.
        if let KeyCode::F(n) = chord.code
            && !chord.alt
            && words(written).any(|w| {
                let mut ends = w
                    .split('-')
                    .map(|e| e.strip_prefix('F').map(str::parse::<u8>));
                matches!((ends.next(), ends.next()),
                    (Some(Some(Ok(a))), Some(Some(Ok(b)))) if a <= n && n <= b)
            })
        {
            return true;
        }
        let digit = chord.char().or(match chord.code {
            KeyCode::Char(c) if chord.alt => Some(c),
            _ => None,
        });
        let Some(d) = digit.and_then(|c| c.to_digit(10)) else {
            return false;
        };
        words(written).any(|w| {
            let (prefix, range) = match w.strip_prefix("Alt+") {
                Some(range) => (true, range),
                None => (false, w),
            };
            let mut ends = range.split(['-', '.']).filter(|e| !e.is_empty());
            prefix == chord.alt
                && matches!((ends.next().map(str::parse::<u32>), ends.next().map(str::parse::<u32>)),
                    (Some(Ok(a)), Some(Ok(b))) if a <= d && d <= b)
        })
    }

    /// A letter key also works with Alt; a pane's own Alt chords stay its own; the globals
    /// take no Alt+letter (it would hide a pane's letter).
    #[test]
    fn letters_also_work_with_alt() {
        const TABLE: &[Binding<u8>] = &[
            Binding::new(&[ch('c'), ch('C')], 1),
            Binding::new(&[ch('f')], 2),
            Binding::new(&[ch('F')], 3),
            Binding::new(&[ch('1')], 4),
            Binding::new(&[key(KeyCode::F(3))], 5),
        ];
        let with = |c, m| lookup(TABLE, &press(KeyCode::Char(c), m));
        assert_eq!(with('c', KeyModifiers::ALT), Some(1));
        assert_eq!(with('C', KeyModifiers::ALT | KeyModifiers::SHIFT), Some(1));
        // The case is kept: Alt+f and Alt+Shift+f are two keys, as f and F are.
        assert_eq!(with('f', KeyModifiers::ALT), Some(2));
        assert_eq!(with('F', KeyModifiers::ALT | KeyModifiers::SHIFT), Some(3));
        // Only letters: Alt+digits are the globals'; Ctrl+Alt and Ctrl are not a letter.
        assert_eq!(with('1', KeyModifiers::ALT), None);
        assert_eq!(with('c', KeyModifiers::ALT | KeyModifiers::CONTROL), None);
        assert_eq!(with('c', KeyModifiers::CONTROL), None);
        assert!(!plain(&press(KeyCode::Char('c'), KeyModifiers::ALT)));
        assert!(plain(&press(KeyCode::Char('C'), KeyModifiers::SHIFT)));
        for b in GLOBAL {
            for chord in b.chords {
                assert!(
                    !(chord.alt
                        && matches!(chord.code, KeyCode::Char(c) if c.is_ascii_alphabetic())),
                    "{} is global",
                    chord.name()
                );
            }
        }
    }

    #[test]
    #[should_panic(expected = "also the letter")]
    fn a_table_may_not_bind_alt_and_the_letter() {
        const TABLE: &[Binding<u8>] = &[
            Binding::new(&[ch('c')], 1).help("c", "help.classify"),
            Binding::new(&[alt('c')], 2).help("Alt+c", "help.refresh"),
        ];
        check_table(TABLE);
    }

    #[test]
    #[should_panic(expected = "not bound there")]
    fn a_help_row_names_only_its_keys() {
        const TABLE: &[Binding<u8>] =
            &[Binding::new(&[key(KeyCode::PageDown)], 1).help("PgDn / PgUp", "help.list_page")];
        check_table(TABLE);
    }

    #[test]
    fn function_keys_and_chords() {
        check_table(GLOBAL);
        assert_eq!(
            global(&press(KeyCode::F(1), KeyModifiers::NONE)),
            Some(Global::Help)
        );
        assert_eq!(
            global(&press(KeyCode::F(3), KeyModifiers::NONE)),
            Some(Global::Pane(Pane::Classification))
        );
        assert_eq!(
            global(&press(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            Some(Global::Quit)
        );
        assert_eq!(
            global(&press(KeyCode::Char('L'), KeyModifiers::CONTROL)),
            Some(Global::Lock)
        );
        assert_eq!(
            global(&press(KeyCode::Char('2'), KeyModifiers::ALT)),
            Some(Global::Pane(Pane::Classification))
        );
        // Bare letters are text.
        assert_eq!(global(&press(KeyCode::Char('q'), KeyModifiers::NONE)), None);
        assert_eq!(global(&press(KeyCode::Char('l'), KeyModifiers::NONE)), None);
        assert_eq!(global(&press(KeyCode::F(10), KeyModifiers::NONE)), None);
        assert_eq!(
            global(&press(KeyCode::F(8), KeyModifiers::NONE)),
            Some(Global::Pane(Pane::Library))
        );
        assert_eq!(
            global(&press(KeyCode::Char('7'), KeyModifiers::ALT)),
            Some(Global::Pane(Pane::Library))
        );
        assert_eq!(
            global(&press(KeyCode::F(9), KeyModifiers::NONE)),
            Some(Global::Agents)
        );
    }

    #[test]
    fn every_pane_has_its_function_key() {
        for pane in Pane::ALL {
            let f = press(KeyCode::F(pane.function_key()), KeyModifiers::NONE);
            assert_eq!(global(&f), Some(Global::Pane(pane)));
        }
    }

    #[test]
    fn releases_are_ignored() {
        let mut k = press(KeyCode::Char('a'), KeyModifiers::NONE);
        assert!(is_press(&k));
        k.kind = KeyEventKind::Release;
        assert!(!is_press(&k));
    }
}
