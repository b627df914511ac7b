//! Spreadsheet files read row by row, never whole: CSV in whatever encoding it was saved
//! in (UTF-8 with or without a BOM, GB18030/GBK, Big5: found by reading the bytes, not the
//! name), and the first worksheet of an `.xlsx` workbook (after its unpacked size is
//! checked, so a zip bomb is refused unopened). Each refusal names what and where.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use calamine::{DataRef, Reader, Xlsx};
use encoding_rs::{BIG5, Decoder, DecoderResult, Encoding, GB18030, UTF_8};

use crate::domain::import::MAX_COLUMNS;
use crate::error::{Error, Result};
use crate::text::sanitize_path;

/// Unpacked bytes an `.xlsx` may hold in all (its worksheets, shared strings, styles).
pub const MAX_UNPACKED: u64 = 2 << 30;

/// Cells an `.xlsx` worksheet may hold.
pub const MAX_CELLS: u64 = 100_000_000;

/// Bytes one CSV line may hold before its end is seen.
const MAX_LINE: usize = 64 << 20;

/// Bytes of non-UTF-8 lines the encoding detector is given (enough to tell GBK from Big5).
const DETECTOR_BYTES: usize = 1 << 20;

/// One row of a file: its line (CSV) or row number (xlsx), from 1, and its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Where it starts in the file, as people count.
    pub line: u64,
    /// The cells as text.
    pub cells: Vec<String>,
}

/// What reading a file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInfo {
    /// The text encoding (`UTF-8`, `GB18030`, `Big5`; `xlsx` for a workbook).
    pub encoding: &'static str,
}

/// The kinds of file read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Csv,
    Xlsx,
}

/// Reads `path` row by row, the header row first, each row that holds anything given to
/// `row`; `progress` hears the bytes read so far (of the file's length). A row `row`
/// refuses stops the reading with that error.
pub fn read(
    path: &Path,
    row: &mut dyn FnMut(Record) -> Result<()>,
    progress: &mut dyn FnMut(u64),
) -> Result<SheetInfo> {
    let kind = kind(path)?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len == 0 {
        return Err(Error::new("import.empty_file").arg("path", sanitize_path(path)));
    }
    match kind {
        Kind::Csv => {
            let encoding = sniff(path, file)?;
            let file = File::open(path).map_err(|e| Error::io(path, e))?;
            read_csv(path, file, encoding, row, progress)?;
            // encoding_rs names GB18030 in lower case (the WHATWG label).
            let name = if encoding == GB18030 {
                "GB18030"
            } else {
                encoding.name()
            };
            Ok(SheetInfo { encoding: name })
        }
        Kind::Xlsx => {
            check_unpacked(path, file)?;
            read_xlsx(path, row, progress)?;
            Ok(SheetInfo { encoding: "xlsx" })
        }
    }
}

fn kind(path: &Path) -> Result<Kind> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") | Some("txt") => Ok(Kind::Csv),
        Some("xlsx") => Ok(Kind::Xlsx),
        _ => Err(Error::new("import.unknown_kind").arg("path", sanitize_path(path))),
    }
}

/// The encoding of a CSV file, from every line's bytes: a BOM or valid UTF-8 throughout is
/// UTF-8; otherwise the detector's guess among GB18030 and Big5. A NUL byte is a binary file;
/// UTF-8 lines beside lines that are not is a file of mixed encodings.
fn sniff(path: &Path, mut file: File) -> Result<&'static Encoding> {
    let shown = sanitize_path(path);
    let mut buf = vec![0u8; 1 << 20];
    let mut carry: Vec<u8> = Vec::new();
    let mut line = 0u64;
    let mut first_utf8: Option<u64> = None;
    let mut first_other: Option<u64> = None;
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let mut fed = 0usize;
    let mut start = true;
    let mut bom = false;
    let mut any_text = false;
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        let chunk = &buf[..n];
        if chunk.contains(&0) {
            return Err(Error::new("import.binary").arg("path", &shown));
        }
        let mut rest = chunk;
        if start && n > 0 {
            start = false;
            if let Some(r) = rest.strip_prefix(b"\xEF\xBB\xBF") {
                bom = true;
                rest = r;
            }
        }
        for part in rest.split_inclusive(|b| *b == b'\n') {
            carry.extend_from_slice(part);
            if carry.len() > MAX_LINE {
                return Err(Error::new("import.line_too_long")
                    .arg("line", line + 1)
                    .arg("max", MAX_LINE));
            }
            if !part.ends_with(b"\n") {
                continue;
            }
            line += 1;
            classify(&carry, line, &mut first_utf8, &mut first_other);
            any_text |= carry.iter().any(|b| !b.is_ascii_whitespace());
            if fed < DETECTOR_BYTES && !carry.is_ascii() && std::str::from_utf8(&carry).is_err() {
                fed += carry.len();
                detector.feed(&carry, false);
            }
            carry.clear();
        }
        if n == 0 {
            break;
        }
    }
    // The last line, without a line end.
    if !carry.is_empty() {
        line += 1;
        classify(&carry, line, &mut first_utf8, &mut first_other);
        any_text |= carry.iter().any(|b| !b.is_ascii_whitespace());
        if fed < DETECTOR_BYTES && std::str::from_utf8(&carry).is_err() {
            detector.feed(&carry, false);
        }
    }
    if !any_text {
        return Err(Error::new("import.empty_file").arg("path", &shown));
    }
    match (first_utf8, first_other) {
        (_, None) => Ok(UTF_8),
        (Some(u), Some(o)) => Err(Error::new("import.mixed_encodings")
            .arg("path", &shown)
            .arg("utf8_line", u)
            .arg("other_line", o)),
        (None, Some(o)) if bom => Err(Error::new("import.mixed_encodings")
            .arg("path", &shown)
            .arg("utf8_line", 1)
            .arg("other_line", o)),
        (None, Some(_)) => {
            detector.feed(&[], true);
            let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
            if guess == GB18030 || guess == encoding_rs::GBK {
                Ok(GB18030)
            } else if guess == BIG5 {
                Ok(BIG5)
            } else {
                Err(Error::new("import.unknown_encoding")
                    .arg("path", &shown)
                    .arg("guess", guess.name()))
            }
        }
    }
}

/// Notes whether `line` is UTF-8 holding more than ASCII, or not UTF-8 at all.
fn classify(bytes: &[u8], line: u64, utf8: &mut Option<u64>, other: &mut Option<u64>) {
    if bytes.is_ascii() {
        return;
    }
    let slot = if std::str::from_utf8(bytes).is_ok() {
        utf8
    } else {
        other
    };
    slot.get_or_insert(line);
}

/// A reader of a file's text in `encoding` as UTF-8; bytes that are not text in it are an
/// error naming the line. Counts the bytes read, the lines and the double quotes seen.
struct Decoded<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    done: bool,
    encoding: &'static Encoding,
    bytes: u64,
    lines: u64,
    quotes: u64,
}

impl<R: Read> Decoded<R> {
    fn new(inner: R, encoding: &'static Encoding) -> Self {
        Decoded {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            input: vec![0; 1 << 16],
            start: 0,
            end: 0,
            eof: false,
            done: false,
            encoding,
            bytes: 0,
            lines: 1,
            quotes: 0,
        }
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.done {
                return Ok(0);
            }
            if self.start == self.end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.bytes += n as u64;
                self.start = 0;
                self.end = n;
                self.eof = n == 0;
            }
            if out.len() < 4 {
                return Err(io::Error::other("read buffer too small"));
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.start..self.end],
                out,
                self.eof,
            );
            self.start += read;
            let text = &out[..written];
            self.lines += text.iter().filter(|b| **b == b'\n').count() as u64;
            self.quotes += text.iter().filter(|b| **b == b'"').count() as u64;
            if let DecoderResult::Malformed(..) = result {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    NotText {
                        encoding: self.encoding.name(),
                        line: self.lines,
                    },
                ));
            }
            self.done = self.eof && result == DecoderResult::InputEmpty;
            if written > 0 || self.done {
                return Ok(written);
            }
        }
    }
}

/// Bytes that are not text in the file's encoding.
#[derive(Debug)]
struct NotText {
    encoding: &'static str,
    line: u64,
}

impl std::fmt::Display for NotText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: not {} text", self.line, self.encoding)
    }
}

impl std::error::Error for NotText {}

fn read_csv(
    path: &Path,
    file: File,
    encoding: &'static Encoding,
    row: &mut dyn FnMut(Record) -> Result<()>,
    progress: &mut dyn FnMut(u64),
) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(Decoded::new(
            BufReader::with_capacity(1 << 16, file),
            encoding,
        ));
    let mut record = csv::StringRecord::new();
    let mut last: Option<(u64, bool)> = None;
    let mut rows = 0u64;
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| csv_error(path, e))?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() > MAX_COLUMNS {
            return Err(Error::new("import.too_many_columns")
                .arg("line", line)
                .arg("count", record.len())
                .arg("max", MAX_COLUMNS));
        }
        rows += 1;
        if rows.is_multiple_of(1024) {
            progress(reader.get_ref().bytes);
        }
        last = Some((line, record.iter().any(|c| c.contains('\n'))));
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        row(Record {
            line,
            cells: record.iter().map(String::from).collect(),
        })?;
    }
    // A quote never closed swallows the rest of the file into its field: the quotes do not
    // pair up, and the last record runs over several lines.
    if let Some((line, multi)) = last
        && reader.get_ref().quotes % 2 == 1
        && multi
    {
        return Err(Error::new("import.unclosed_quote")
            .arg("path", sanitize_path(path))
            .arg("line", line));
    }
    progress(reader.get_ref().bytes);
    Ok(())
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => match io.get_ref().and_then(|e| e.downcast_ref::<NotText>()) {
            Some(n) => Error::new("import.not_text")
                .arg("path", sanitize_path(path))
                .arg("line", n.line)
                .arg("encoding", n.encoding),
            None => Error::io(path, io),
        },
        other => Error::new("import.bad_csv")
            .arg("path", sanitize_path(path))
            .arg("line", line.unwrap_or(0))
            .arg("detail", format!("{other:?}")),
    }
}

/// Refuses a workbook whose parts unpack to more than [`MAX_UNPACKED`] bytes, counting what
/// they really unpack to (a part's stated size may lie).
fn check_unpacked(path: &Path, file: File) -> Result<()> {
    let shown = sanitize_path(path);
    let not_xlsx = |e: &dyn std::fmt::Display| {
        Error::new("import.bad_xlsx")
            .arg("path", &shown)
            .arg("detail", e)
    };
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| not_xlsx(&e))?;
    let mut total = 0u64;
    let mut sink = vec![0u8; 1 << 16];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| not_xlsx(&e))?;
        if total.saturating_add(part.size()) > MAX_UNPACKED {
            return Err(bomb(&shown));
        }
        loop {
            let n = part.read(&mut sink).map_err(|e| not_xlsx(&e))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_UNPACKED {
                return Err(bomb(&shown));
            }
        }
    }
    Ok(())
}

fn bomb(shown: &str) -> Error {
    Error::new("import.xlsx_too_big")
        .arg("path", shown)
        .arg("max", MAX_UNPACKED >> 20)
}

fn read_xlsx(
    path: &Path,
    row: &mut dyn FnMut(Record) -> Result<()>,
    progress: &mut dyn FnMut(u64),
) -> Result<()> {
    let shown = sanitize_path(path);
    let not_xlsx = |e: &dyn std::fmt::Display| {
        Error::new("import.bad_xlsx")
            .arg("path", &shown)
            .arg("detail", e)
    };
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut book: Xlsx<BufReader<File>> =
        Xlsx::new(BufReader::new(file)).map_err(|e| not_xlsx(&e))?;
    let name = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| Error::new("import.empty_file").arg("path", &shown))?;
    let mut cells = book
        .worksheet_cells_reader(&name)
        .map_err(|e| not_xlsx(&e))?;
    let mut current: Option<(u32, Vec<String>)> = None;
    let mut count = 0u64;
    let mut emit = |r: u32, v: Vec<String>| -> Result<()> {
        if v.iter().all(|c| c.trim().is_empty()) {
            return Ok(());
        }
        row(Record {
            line: u64::from(r) + 1,
            cells: v,
        })
    };
    while let Some(cell) = cells.next_cell().map_err(|e| not_xlsx(&e))? {
        count += 1;
        if count > MAX_CELLS {
            return Err(Error::new("import.too_many_cells")
                .arg("path", &shown)
                .arg("max", MAX_CELLS));
        }
        let (r, c) = cell.get_position();
        let c = c as usize;
        if c >= MAX_COLUMNS {
            return Err(Error::new("import.too_many_columns")
                .arg("line", u64::from(r) + 1)
                .arg("count", c + 1)
                .arg("max", MAX_COLUMNS));
        }
        if current.as_ref().is_some_and(|(at, _)| *at != r)
            && let Some((at, v)) = current.take()
        {
            emit(at, v)?;
        }
        let (_, values) = current.get_or_insert_with(|| (r, Vec::new()));
        if values.len() <= c {
            values.resize(c + 1, String::new());
        }
        values[c] = cell_text(cell.get_value());
        if count.is_multiple_of(65_536) {
            progress(count);
        }
    }
    if let Some((at, v)) = current.take() {
        emit(at, v)?;
    }
    Ok(())
}

/// A worksheet cell as text: dates as `YYYY-MM-DD HH:MM:SS`, whole numbers without a
/// decimal point.
fn cell_text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => d
            .as_datetime()
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| d.as_f64().to_string()),
        DataRef::Error(e) => format!("#{e:?}"),
        DataRef::Empty => String::new(),
    }
}

/// The size of `path`, for the progress of [`read`].
pub fn size(path: &Path) -> Result<u64> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| Error::io(path, e))
}

/// Whether `path` is read as a workbook (its progress counts cells, not bytes).
pub fn is_workbook(path: &Path) -> bool {
    kind(path).is_ok_and(|k| k == Kind::Xlsx)
}
