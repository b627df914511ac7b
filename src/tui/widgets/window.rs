//! The one pager of every list: a window of rows over a long list that the core reads in
//! keyset pages ordered by `(sort key, id)`, at most `WINDOW_MAX` rows in memory, never the
//! whole list. Forward, a page follows the window's last row. Back, a list whose core has a
//! "before" query (the classification queue) reads the page before the window's first row
//! and jumps to the end with one read; a list without one (the follow-up queues) remembers
//! the key each chunk it dropped from its front was read after (16 bytes and a count per
//! chunk) and reads that chunk again from there. The keys are the same in every list.

use crossterm::event::KeyCode;

use crate::tui::keymap::{Binding, ch, ctrl, key};

/// A row's place in its list: (sort key, e.g. a time in seconds; row id).
pub type Key = (i64, i64);

/// A move through a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Go {
    /// One row down.
    Down,
    /// One row up.
    Up,
    /// A screen down.
    PageDown,
    /// A screen up.
    PageUp,
    /// Half a screen down.
    HalfDown,
    /// Half a screen up.
    HalfUp,
    /// The first row.
    Home,
    /// The last row.
    End,
}

/// The keys of every list (Ctrl+D / Ctrl+U as in vi and less).
pub const KEYS: &[Binding<Go>] = &[
    Binding::new(&[key(KeyCode::Down), ch('j')], Go::Down)
        .help("Up / Down / j / k", "help.list_move"),
    Binding::new(&[key(KeyCode::Up), ch('k')], Go::Up),
    Binding::new(&[key(KeyCode::PageDown), ch(' ')], Go::PageDown)
        .help("PgDn / Space / PgUp", "help.list_page"),
    Binding::new(&[key(KeyCode::PageUp)], Go::PageUp),
    Binding::new(&[ctrl('d')], Go::HalfDown).help("Ctrl+D / Ctrl+U", "help.list_half"),
    Binding::new(&[ctrl('u')], Go::HalfUp),
    Binding::new(&[key(KeyCode::Home), ch('g')], Go::Home)
        .help("Home / End / g / G", "help.list_ends"),
    Binding::new(&[key(KeyCode::End), ch('G')], Go::End),
];

/// Rows with a place in a keyset-paged list.
pub trait Keyed {
    /// The row's key.
    fn key(&self) -> Key;
}

/// Rows read per page.
pub const PAGE: u32 = 200;
/// Rows kept in memory at most.
const WINDOW_MAX: usize = 1_000;
/// Read the next page when the selection comes this close to the window's edge.
const PREFETCH: usize = 40;
/// Extra rows read when paging back, for rows added to that stretch since it was dropped.
const BACK_SLACK: usize = 50;

/// Why a page is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchKind {
    /// From the list's start (a new filter, Home).
    Start,
    /// After the window's last row.
    Next,
    /// A stretch dropped from the window's front, read again after its key.
    Back,
    /// The page before the window's first row (lists with a "before" query).
    Before,
    /// The list's last page (lists with a "before" query).
    Last,
    /// The window again from where it starts (after a change).
    Reload,
}

/// A page to read: up to `limit` rows after `key` (None: from the start), or for `Before`
/// and `Last`, the rows just before `key` (None: the end), in list order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fetch {
    /// Why.
    pub kind: FetchKind,
    /// The key the page follows (or precedes).
    pub key: Option<Key>,
    /// How many rows at most.
    pub limit: u32,
}

/// The window's state.
#[derive(Debug, Clone)]
pub struct Window<T> {
    rows: Vec<T>,
    /// Whether the core can read the page before a row.
    backward: bool,
    /// The key the first row follows (None: the list's start).
    start: Option<Key>,
    /// Lists read forward only: for each chunk dropped from the front, oldest first, the
    /// key it followed and how many rows it had.
    behind: Vec<(Option<Key>, usize)>,
    /// Rows before the window (as read or counted; rows may have come or gone since).
    offset: u64,
    /// How many rows the list has, as counted elsewhere (places the last page).
    count: Option<u64>,
    selected: usize,
    top: usize,
    at_start: bool,
    at_end: bool,
    loading: bool,
    loaded: bool,
    /// A move waiting for the page it needs.
    pending: isize,
}

impl<T> Default for Window<T> {
    fn default() -> Self {
        Window {
            rows: Vec::new(),
            backward: false,
            start: None,
            behind: Vec::new(),
            offset: 0,
            count: None,
            selected: 0,
            top: 0,
            at_start: true,
            at_end: false,
            loading: false,
            loaded: false,
            pending: 0,
        }
    }
}

/// The key just before `k` in keyset order: a page read after it starts at `k`'s row.
fn just_before((key, id): Key) -> Key {
    (key, id.saturating_sub(1))
}

impl<T: Keyed> Window<T> {
    /// A window over a list whose core reads backwards too.
    pub fn backward() -> Window<T> {
        Window {
            backward: true,
            ..Window::default()
        }
    }

    /// Reads the list from its start, the selection on the first row.
    pub fn start(&mut self) -> Fetch {
        self.behind.clear();
        self.start = None;
        self.offset = 0;
        self.selected = 0;
        self.top = 0;
        self.pending = 0;
        self.loading = true;
        Fetch {
            kind: FetchKind::Start,
            key: None,
            limit: PAGE,
        }
    }

    /// Reads the window again from where it starts, the selection kept where it was.
    pub fn reload(&mut self) -> Fetch {
        self.loading = true;
        self.pending = 0;
        Fetch {
            kind: FetchKind::Reload,
            key: self.start,
            limit: self.rows.len().clamp(PAGE as usize, WINDOW_MAX) as u32,
        }
    }

    /// On entering a list or after a change: the window read again where it is, or from
    /// the start the first time.
    pub fn enter(&mut self) -> Fetch {
        if self.loaded {
            self.reload()
        } else {
            self.start()
        }
    }

    /// The rows in view read again after a change elsewhere, unless a page is on its way
    /// (it is fresh).
    pub fn refresh(&mut self) -> Option<Fetch> {
        (!self.loading).then(|| self.enter())
    }

    /// Takes the list's size as counted elsewhere (it places the last page).
    pub fn set_count(&mut self, count: Option<u64>) {
        self.count = count;
    }

    /// Whether a page has arrived since the window was made.
    pub fn loaded(&self) -> bool {
        self.loaded
    }

    /// The rows in memory.
    pub fn rows(&self) -> &[T] {
        &self.rows
    }

    /// The selected row.
    pub fn selected(&self) -> Option<&T> {
        self.rows.get(self.selected)
    }

    /// Index of the selection among the rows in memory.
    pub fn selected_index(&self) -> usize {
        self.selected
    }

    /// Position of the selection in the whole list (0-based).
    pub fn position(&self) -> u64 {
        self.offset + self.selected as u64
    }

    /// How many rows there are up to the window's end.
    pub fn read(&self) -> u64 {
        self.offset + self.rows.len() as u64
    }

    /// How many rows the list has, when the window reaches its end.
    pub fn total(&self) -> Option<u64> {
        self.at_end.then(|| self.read())
    }

    /// The first row to draw in `height` rows so that the selection shows.
    pub fn top(&self, height: usize) -> usize {
        visible_top(self.top, self.selected, height)
    }

    /// Takes a page read for `fetch`; returns the next page a waiting move needs.
    pub fn apply(&mut self, fetch: Fetch, rows: Vec<T>, height: usize) -> Option<Fetch> {
        self.loading = false;
        self.loaded = true;
        let full = rows.len() >= fetch.limit as usize;
        let kept = self.selected().map(Keyed::key);
        match fetch.kind {
            FetchKind::Start => {
                self.rows = rows;
                self.at_start = true;
                self.at_end = !full;
                self.selected = 0;
                self.top = 0;
            }
            FetchKind::Reload => {
                if fetch.key != self.start {
                    // The window moved since (a later page replaced it): read it again.
                    return Some(self.reload());
                }
                if rows.is_empty() && self.start.is_some() {
                    // Everything from here on is gone: what is left to show is the end
                    // (read backwards where the list can), else the start.
                    return Some(if self.backward {
                        self.last()
                    } else {
                        self.start()
                    });
                }
                let place = self.selected;
                self.rows = rows;
                self.at_end = !full;
                // The selected row stays selected while it is listed, else the place.
                self.selected = kept
                    .and_then(|k| self.rows.iter().position(|r| r.key() == k))
                    .unwrap_or(place)
                    .min(self.rows.len().saturating_sub(1));
            }
            FetchKind::Next => {
                if fetch.key != self.rows.last().map(Keyed::key) {
                    return None;
                }
                self.rows.extend(rows);
                self.at_end = !full;
                if self.rows.len() > WINDOW_MAX {
                    let drop = self.rows.len() - WINDOW_MAX;
                    if !self.backward {
                        self.behind.push((self.start, drop));
                    }
                    self.start = Some(self.rows[drop - 1].key());
                    self.rows.drain(..drop);
                    self.selected = self.selected.saturating_sub(drop);
                    self.top = self.top.saturating_sub(drop);
                    self.offset += drop as u64;
                    self.at_start = false;
                }
            }
            FetchKind::Back => {
                if self.behind.last().map(|(k, _)| *k) != Some(fetch.key) {
                    return None;
                }
                self.behind.pop();
                let first = self.rows.first().map(Keyed::key);
                let rows = rows
                    .into_iter()
                    .filter(|r| first.is_none_or(|f| r.key() < f))
                    .collect();
                self.prepend(rows);
                self.start = fetch.key;
                self.at_start = self.behind.is_empty();
            }
            FetchKind::Before => {
                if fetch.key != self.rows.first().map(Keyed::key) {
                    return None;
                }
                self.prepend(rows);
                self.at_start = !full;
                self.start = self.start_key();
            }
            FetchKind::Last => {
                let got = rows.len();
                self.rows = rows;
                self.at_end = true;
                self.at_start = !full;
                self.offset = self.count.unwrap_or(0).saturating_sub(got as u64);
                self.start = self.start_key();
                self.selected = got.saturating_sub(1);
            }
        }
        if self.at_start {
            self.offset = 0;
        }
        let pending = std::mem::take(&mut self.pending);
        self.move_by(pending, height)
    }

    /// Puts rows read before the window in front of it (the far end dropped beyond the
    /// window's size), the selection on the same row.
    fn prepend(&mut self, mut rows: Vec<T>) {
        let got = rows.len();
        rows.append(&mut self.rows);
        self.rows = rows;
        self.selected += got;
        self.top += got;
        self.offset = self.offset.saturating_sub(got as u64);
        if self.rows.len() > WINDOW_MAX {
            self.rows.truncate(WINDOW_MAX);
            self.at_end = false;
        }
    }

    /// The key the window's first row follows, for a window read backwards.
    fn start_key(&self) -> Option<Key> {
        if self.at_start {
            None
        } else {
            self.rows.first().map(|r| just_before(r.key()))
        }
    }

    /// Reads the list's last page, the selection on its last row.
    fn last(&mut self) -> Fetch {
        self.behind.clear();
        self.pending = 0;
        self.loading = true;
        Fetch {
            kind: FetchKind::Last,
            key: None,
            limit: PAGE,
        }
    }

    /// Moves through the list; returns the page the move needs, if any.
    pub fn go(&mut self, go: Go, height: usize) -> Option<Fetch> {
        let page = height.max(1) as isize;
        match go {
            Go::Down => self.move_by(1, height),
            Go::Up => self.move_by(-1, height),
            Go::PageDown => self.move_by(page, height),
            Go::PageUp => self.move_by(-page, height),
            Go::HalfDown => self.move_by(page / 2, height),
            Go::HalfUp => self.move_by(-page / 2, height),
            Go::Home if self.at_start => {
                self.selected = 0;
                self.top = 0;
                None
            }
            Go::Home => Some(self.start()),
            Go::End if self.backward && !self.at_end => Some(self.last()),
            // Without a query from the end, End reads on page by page (the window keeps
            // its size) until the last row.
            Go::End => self.move_by(isize::MAX / 2, height),
        }
    }

    /// Moves the selection; past the rows in memory it asks for the page it needs and
    /// finishes the move when that page arrives.
    fn move_by(&mut self, delta: isize, height: usize) -> Option<Fetch> {
        if self.rows.is_empty() {
            return None;
        }
        let last = self.rows.len() - 1;
        let target = self.selected as isize + delta;
        let mut step = None;
        if target > last as isize {
            self.selected = last;
            if !self.at_end && !self.loading {
                self.pending = target - last as isize;
                step = self.load_next();
            }
        } else if target < 0 {
            self.selected = 0;
            if !self.at_start && !self.loading {
                self.pending = target;
                step = self.load_back();
            }
        } else {
            self.selected = target as usize;
        }
        if step.is_none() && !self.loading {
            if !self.at_end && last - self.selected < PREFETCH {
                step = self.load_next();
            } else if !self.at_start && self.selected < PREFETCH {
                step = self.load_back();
            }
        }
        self.top = visible_top(self.top, self.selected, height);
        step
    }

    fn load_next(&mut self) -> Option<Fetch> {
        let r = self.rows.last()?;
        let key = r.key();
        self.loading = true;
        Some(Fetch {
            kind: FetchKind::Next,
            key: Some(key),
            limit: PAGE,
        })
    }

    fn load_back(&mut self) -> Option<Fetch> {
        let fetch = if self.backward {
            Fetch {
                kind: FetchKind::Before,
                key: Some(self.rows.first()?.key()),
                limit: PAGE,
            }
        } else {
            let (after, n) = self.behind.last()?;
            Fetch {
                kind: FetchKind::Back,
                key: *after,
                limit: (n + BACK_SLACK) as u32,
            }
        };
        self.loading = true;
        Some(fetch)
    }
}

/// The first visible row that keeps `selected` on screen, moving as little as possible.
pub fn visible_top(top: usize, selected: usize, height: usize) -> usize {
    let height = height.max(1);
    if selected < top {
        selected
    } else if selected >= top + height {
        selected + 1 - height
    } else {
        top
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::{lookup, tests::check_table};
    use crossterm::event::{KeyEvent, KeyModifiers};

    #[derive(Debug, Clone, PartialEq)]
    struct Row(i64);

    impl Keyed for Row {
        fn key(&self) -> Key {
            (self.0 * 10, self.0)
        }
    }

    /// The list 1..=n, read like the core reads it (both ways).
    fn read(n: i64, f: Fetch) -> Vec<Row> {
        match f.kind {
            FetchKind::Before | FetchKind::Last => {
                let to = f.key.map_or(n, |(_, id)| id - 1);
                let from = (to - i64::from(f.limit) + 1).max(1);
                (from..=to).map(Row).collect()
            }
            _ => {
                let from = f.key.map_or(1, |(_, id)| id + 1);
                (from..=n).take(f.limit as usize).map(Row).collect()
            }
        }
    }

    fn press(w: &mut Window<Row>, code: KeyCode) -> Option<Fetch> {
        let go = lookup(KEYS, &KeyEvent::new(code, KeyModifiers::NONE)).expect("a list key");
        w.go(go, 20)
    }

    /// Runs a move and every page it leads to against a list of `n`.
    fn drive(w: &mut Window<Row>, n: i64, mut next: Option<Fetch>) -> usize {
        let mut reads = 0;
        while let Some(f) = next {
            reads += 1;
            next = w.apply(f, read(n, f), 20);
        }
        reads
    }

    #[test]
    fn the_keys_of_every_list() {
        check_table(KEYS);
        let space = KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE);
        assert_eq!(lookup(KEYS, &space), Some(Go::PageDown));
        let half = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(lookup(KEYS, &half), Some(Go::HalfDown));
        let text = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(lookup(KEYS, &text), None);
    }

    #[test]
    fn pages_forward_and_back_keeping_a_bounded_window() {
        for mut w in [Window::default(), Window::backward()] {
            let n = 3_000;
            w.set_count(Some(3_000));
            let f = w.start();
            assert_eq!(f.key, None);
            assert_eq!(w.apply(f, read(n, f), 20), None);
            assert_eq!(w.rows().len(), 200);
            // Down to row 2,500: pages follow, the window never holds more than its maximum.
            for _ in 0..2_499 {
                let next = press(&mut w, KeyCode::Down);
                drive(&mut w, n, next);
                assert!(w.rows().len() <= WINDOW_MAX);
            }
            assert_eq!(w.selected(), Some(&Row(2_500)));
            assert_eq!(w.position(), 2_499);
            // Back up to the first row: the stretches before are read again.
            for _ in 0..2_499 {
                let next = press(&mut w, KeyCode::Up);
                drive(&mut w, n, next);
                assert!(w.rows().len() <= WINDOW_MAX);
            }
            assert_eq!(w.selected(), Some(&Row(1)));
            assert_eq!(w.position(), 0);
            let ids: Vec<i64> = w.rows().iter().map(|r| r.0).collect();
            assert!(
                ids.windows(2).all(|p| p[1] == p[0] + 1),
                "no gap, no repeat"
            );
            // End reaches the last row (one read where the list reads backwards); Home
            // goes back to the start.
            let next = press(&mut w, KeyCode::End);
            let reads = drive(&mut w, n, next);
            assert!(if w.backward { reads == 1 } else { reads > 5 });
            assert_eq!(w.selected(), Some(&Row(3_000)));
            assert_eq!(w.position(), 2_999);
            assert_eq!(w.total(), Some(3_000));
            // PgUp from the end reads the page before (or the dropped chunk) in place.
            for _ in 0..30 {
                let next = press(&mut w, KeyCode::PageUp);
                drive(&mut w, n, next);
            }
            assert_eq!(w.selected(), Some(&Row(2_400)));
            let next = press(&mut w, KeyCode::Home);
            assert!(matches!(
                next,
                Some(Fetch {
                    kind: FetchKind::Start,
                    ..
                })
            ));
            drive(&mut w, n, next);
            assert_eq!(w.selected(), Some(&Row(1)));
        }
    }

    #[test]
    fn a_reload_reads_the_window_again_and_keeps_the_selection() {
        let mut w = Window::default();
        let f = w.start();
        w.apply(f, read(10, f), 20);
        for _ in 0..4 {
            press(&mut w, KeyCode::Down);
        }
        let f = w.reload();
        assert_eq!((f.kind, f.key, f.limit), (FetchKind::Reload, None, PAGE));
        // Row 5 was done meanwhile: the selection stays at the same place.
        let rows: Vec<Row> = read(10, f).into_iter().filter(|r| r.0 != 5).collect();
        w.apply(f, rows, 20);
        assert_eq!(w.selected(), Some(&Row(6)));
        // A row added before it: the selected row stays selected.
        let f = w.reload();
        let mut rows = read(10, f);
        rows.insert(0, Row(0));
        w.apply(f, rows, 20);
        assert_eq!(w.selected(), Some(&Row(6)));
        // Everything done: the selection stays in bounds.
        let f = w.reload();
        w.apply(f, Vec::new(), 20);
        assert_eq!(w.selected(), None);
        assert_eq!(w.total(), Some(0));
    }

    #[test]
    fn a_window_read_backwards_goes_to_the_end_when_its_rows_are_gone() {
        let mut w = Window::backward();
        w.set_count(Some(500));
        let f = w.start();
        w.apply(f, read(500, f), 20);
        let next = press(&mut w, KeyCode::End);
        drive(&mut w, 500, next);
        assert_eq!(w.selected(), Some(&Row(500)));
        // Every row in view left the list: the end of what is left shows.
        let f = w.reload();
        let next = w.apply(f, Vec::new(), 20);
        assert!(matches!(
            next,
            Some(Fetch {
                kind: FetchKind::Last,
                ..
            })
        ));
        drive(&mut w, 250, next);
        assert_eq!(w.selected(), Some(&Row(250)));
    }

    #[test]
    fn a_stale_page_is_ignored() {
        let mut w = Window::default();
        let f = w.start();
        w.apply(f, read(500, f), 20);
        let stale = Fetch {
            kind: FetchKind::Next,
            key: Some((50, 5)),
            limit: PAGE,
        };
        assert_eq!(w.apply(stale, read(500, stale), 20), None);
        assert_eq!(w.rows().len(), 200);
    }
}
