//! A window of rows over a long list that the core reads in keyset pages ordered by
//! `(due time, id)`: at most `WINDOW_MAX` rows in memory, never the whole list. Forward, a
//! page follows the window's last row; back, the core has no "before" query, so the window
//! remembers the key each chunk it dropped from its front was read after (16 bytes and a
//! count per chunk) and reads that chunk again from there.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A row's place in its list: (due time in seconds, row id).
pub type Key = (i64, i64);

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
    /// The stretch before the window's first row.
    Back,
    /// The window again from where it starts (after a change).
    Reload,
}

/// A page to read: up to `limit` rows after `after` (None: from the start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fetch {
    /// Why.
    pub kind: FetchKind,
    /// The key the page follows.
    pub after: Option<Key>,
    /// How many rows at most.
    pub limit: u32,
}

/// What a navigation key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// Not a navigation key.
    Ignored,
    /// Moved (or nothing to move).
    Done,
    /// Moved; this page is needed.
    Load(Fetch),
}

/// The window's state.
#[derive(Debug, Clone)]
pub struct Window<T> {
    rows: Vec<T>,
    /// The key the first row follows (None: the list's start).
    start: Option<Key>,
    /// For each chunk dropped from the front, oldest first: the key it followed and how
    /// many rows it had.
    behind: Vec<(Option<Key>, usize)>,
    /// Rows before the window (as read; rows may have come or gone since).
    offset: u64,
    selected: usize,
    top: usize,
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
            start: None,
            behind: Vec::new(),
            offset: 0,
            selected: 0,
            top: 0,
            at_end: false,
            loading: false,
            loaded: false,
            pending: 0,
        }
    }
}

impl<T: Keyed> Window<T> {
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
            after: None,
            limit: PAGE,
        }
    }

    /// Reads the window again from where it starts, the selection kept where it was.
    pub fn reload(&mut self) -> Fetch {
        self.loading = true;
        self.pending = 0;
        Fetch {
            kind: FetchKind::Reload,
            after: self.start,
            limit: self.rows.len().clamp(PAGE as usize, WINDOW_MAX) as u32,
        }
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
        match fetch.kind {
            FetchKind::Start => {
                self.rows = rows;
                self.at_end = !full;
                self.selected = 0;
                self.top = 0;
            }
            FetchKind::Reload => {
                if fetch.after != self.start {
                    // The window moved since (a later page replaced it): read it again.
                    return Some(self.reload());
                }
                if rows.is_empty() && self.start.is_some() {
                    // Everything from here on is gone: back to the start.
                    return Some(self.start());
                }
                self.rows = rows;
                self.at_end = !full;
                self.selected = self.selected.min(self.rows.len().saturating_sub(1));
            }
            FetchKind::Next => {
                if fetch.after != self.rows.last().map(Keyed::key) {
                    return None;
                }
                self.rows.extend(rows);
                self.at_end = !full;
                if self.rows.len() > WINDOW_MAX {
                    let drop = self.rows.len() - WINDOW_MAX;
                    self.behind.push((self.start, drop));
                    self.start = Some(self.rows[drop - 1].key());
                    self.rows.drain(..drop);
                    self.selected = self.selected.saturating_sub(drop);
                    self.top = self.top.saturating_sub(drop);
                    self.offset += drop as u64;
                }
            }
            FetchKind::Back => {
                if self.behind.last().map(|(k, _)| *k) != Some(fetch.after) {
                    return None;
                }
                self.behind.pop();
                let first = self.rows.first().map(Keyed::key);
                let mut merged: Vec<T> = rows
                    .into_iter()
                    .filter(|r| first.is_none_or(|f| r.key() < f))
                    .collect();
                let got = merged.len();
                merged.append(&mut self.rows);
                self.rows = merged;
                self.start = fetch.after;
                self.selected += got;
                self.top += got;
                self.offset = if self.behind.is_empty() {
                    0
                } else {
                    self.offset.saturating_sub(got as u64)
                };
                if self.rows.len() > WINDOW_MAX {
                    self.rows.truncate(WINDOW_MAX);
                    self.at_end = false;
                }
            }
        }
        let pending = std::mem::take(&mut self.pending);
        match self.move_by(pending, height) {
            Nav::Load(f) => Some(f),
            _ => None,
        }
    }

    /// Handles a navigation key (Up/Down, j/k, PgUp/PgDn, Ctrl+D/U, Home/End, g/G).
    pub fn nav(&mut self, key: &KeyEvent, height: usize) -> Nav {
        let page = height.max(1) as isize;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.move_by(1, height),
            KeyCode::Up | KeyCode::Char('k') => self.move_by(-1, height),
            KeyCode::PageDown => self.move_by(page, height),
            KeyCode::PageUp => self.move_by(-page, height),
            KeyCode::Char('d') if ctrl => self.move_by(page / 2, height),
            KeyCode::Char('u') if ctrl => self.move_by(-page / 2, height),
            KeyCode::Home | KeyCode::Char('g') if !ctrl => {
                if self.behind.is_empty() {
                    self.selected = 0;
                    self.top = 0;
                    Nav::Done
                } else {
                    Nav::Load(self.start())
                }
            }
            // Without a query from the end, End reads on page by page (the window keeps
            // its size) until the last row.
            KeyCode::End | KeyCode::Char('G') if !ctrl => self.move_by(isize::MAX / 2, height),
            _ => Nav::Ignored,
        }
    }

    /// Moves the selection; past the rows in memory it asks for the page it needs and
    /// finishes the move when that page arrives.
    pub fn move_by(&mut self, delta: isize, height: usize) -> Nav {
        if self.rows.is_empty() {
            return Nav::Done;
        }
        let last = self.rows.len() - 1;
        let target = self.selected as isize + delta;
        let mut step = Nav::Done;
        if target > last as isize {
            self.selected = last;
            if !self.at_end && !self.loading {
                self.pending = target - last as isize;
                step = self.load_next();
            }
        } else if target < 0 {
            self.selected = 0;
            if !self.behind.is_empty() && !self.loading {
                self.pending = target;
                step = self.load_back();
            }
        } else {
            self.selected = target as usize;
        }
        if step == Nav::Done && !self.loading {
            if !self.at_end && last - self.selected < PREFETCH {
                step = self.load_next();
            } else if !self.behind.is_empty() && self.selected < PREFETCH {
                step = self.load_back();
            }
        }
        self.top = visible_top(self.top, self.selected, height);
        step
    }

    fn load_next(&mut self) -> Nav {
        match self.rows.last() {
            Some(r) => {
                self.loading = true;
                Nav::Load(Fetch {
                    kind: FetchKind::Next,
                    after: Some(r.key()),
                    limit: PAGE,
                })
            }
            None => Nav::Done,
        }
    }

    fn load_back(&mut self) -> Nav {
        match self.behind.last() {
            Some((after, n)) => {
                self.loading = true;
                Nav::Load(Fetch {
                    kind: FetchKind::Back,
                    after: *after,
                    limit: (n + BACK_SLACK) as u32,
                })
            }
            None => Nav::Done,
        }
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

    #[derive(Debug, Clone, PartialEq)]
    struct Row(i64);

    impl Keyed for Row {
        fn key(&self) -> Key {
            (self.0 * 10, self.0)
        }
    }

    /// The list 1..=n, read like the core reads it.
    fn read(n: i64, f: Fetch) -> Vec<Row> {
        let from = f.after.map_or(1, |(_, id)| id + 1);
        (from..=n).take(f.limit as usize).map(Row).collect()
    }

    fn press(w: &mut Window<Row>, code: KeyCode) -> Nav {
        w.nav(&KeyEvent::new(code, KeyModifiers::NONE), 20)
    }

    /// Runs a navigation and every page it leads to against a list of `n`.
    fn drive(w: &mut Window<Row>, n: i64, mut nav: Nav) -> usize {
        let mut reads = 0;
        while let Nav::Load(f) = nav {
            reads += 1;
            nav = w.apply(f, read(n, f), 20).map_or(Nav::Done, Nav::Load);
        }
        reads
    }

    #[test]
    fn pages_forward_and_back_keeping_a_bounded_window() {
        let n = 3_000;
        let mut w = Window::default();
        let f = w.start();
        assert_eq!(f.after, None);
        assert_eq!(w.apply(f, read(n, f), 20), None);
        assert_eq!(w.rows().len(), 200);
        // Down to row 2,500: pages follow, the window never holds more than its maximum.
        for _ in 0..2_499 {
            let nav = press(&mut w, KeyCode::Down);
            drive(&mut w, n, nav);
            assert!(w.rows().len() <= WINDOW_MAX);
        }
        assert_eq!(w.selected(), Some(&Row(2_500)));
        assert_eq!(w.position(), 2_499);
        // Back up to the first row: the dropped stretches are read again.
        for _ in 0..2_499 {
            let nav = press(&mut w, KeyCode::Up);
            drive(&mut w, n, nav);
        }
        assert_eq!(w.selected(), Some(&Row(1)));
        assert_eq!(w.position(), 0);
        let ids: Vec<i64> = w.rows().iter().map(|r| r.0).collect();
        assert!(
            ids.windows(2).all(|p| p[1] == p[0] + 1),
            "no gap, no repeat"
        );
        // End reads on to the last row; Home goes back to the start.
        let nav = press(&mut w, KeyCode::End);
        assert!(drive(&mut w, n, nav) > 5);
        assert_eq!(w.selected(), Some(&Row(3_000)));
        assert_eq!(w.total(), Some(3_000));
        let nav = press(&mut w, KeyCode::Home);
        assert!(matches!(
            nav,
            Nav::Load(Fetch {
                kind: FetchKind::Start,
                ..
            })
        ));
        drive(&mut w, n, nav);
        assert_eq!(w.selected(), Some(&Row(1)));
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
        assert_eq!((f.kind, f.after, f.limit), (FetchKind::Reload, None, PAGE));
        // Row 5 was done meanwhile: the selection stays at the same place.
        let rows: Vec<Row> = read(10, f).into_iter().filter(|r| r.0 != 5).collect();
        w.apply(f, rows, 20);
        assert_eq!(w.selected(), Some(&Row(6)));
        // Everything done: the selection stays in bounds.
        let f = w.reload();
        w.apply(f, Vec::new(), 20);
        assert_eq!(w.selected(), None);
        assert_eq!(w.total(), Some(0));
    }

    #[test]
    fn a_stale_page_is_ignored() {
        let mut w = Window::default();
        let f = w.start();
        w.apply(f, read(500, f), 20);
        let stale = Fetch {
            kind: FetchKind::Next,
            after: Some((50, 5)),
            limit: PAGE,
        };
        assert_eq!(w.apply(stale, read(500, stale), 20), None);
        assert_eq!(w.rows().len(), 200);
    }
}
