//! The layout pass: Python's tokenizer rules for lines and indentation, turned into
//! marker characters (INDENT / DEDENT / NEWLINE) that the pest grammar can match.
//!
//! The output text keeps every byte of the input at the same relative place: removed
//! text (comments, backslash continuations, line ends, newlines inside brackets) is
//! blanked with spaces, and each inserted 3-byte marker is recorded in an offset map so
//! any position in the output maps back to the user's file.
//!
//! Rejected alternative: pest's PUSH/PEEK indentation stack, which handles blank lines,
//! brackets and error messages poorly.

use super::ast::Span;
use super::error::{line_col, SyntaxError, SyntaxErrorKind};

pub const INDENT: char = '\u{E000}';
pub const DEDENT: char = '\u{E001}';
pub const NEWLINE: char = '\u{E002}';
const MARKER_LEN: usize = 3;

/// CPython's tokenizer limits.
const MAX_PAREN_DEPTH: usize = 200;
const MAX_INDENT_DEPTH: usize = 100;
const TAB_SIZE: usize = 8;

/// The text handed to pest and the map from its offsets back to the source.
#[derive(Debug)]
pub struct Layout {
    pub text: String,
    /// A bracket left open at the end of the file. The text is still returned so the
    /// grammar can report an earlier error first, as CPython's token-by-token parser does.
    pub unclosed: Option<SyntaxError>,
    /// Sorted by output offset: from `out` on, output offset `o` is source offset
    /// `src + (o - out)`; for a marker entry every offset inside the marker maps to `src`.
    map: Vec<MapEntry>,
}

#[derive(Debug, Clone, Copy)]
struct MapEntry {
    out: usize,
    src: usize,
    marker: bool,
}

impl Layout {
    /// Maps an offset in [`Layout::text`] to an offset in the original source.
    pub fn to_source(&self, out: usize) -> usize {
        let idx = self.map.partition_point(|e| e.out <= out);
        if idx == 0 {
            return out;
        }
        let e = self.map[idx - 1];
        if e.marker {
            e.src
        } else {
            e.src + (out - e.out)
        }
    }

    pub fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.to_source(start), self.to_source(end))
    }
}

/// Which block header the previous logical line was, for "expected an indented block".
#[derive(Clone)]
struct Header {
    what: &'static str,
    line: usize,
    /// Where the header's line ends (CPython reports a missing body at EOF there).
    end: usize,
}

struct Scanner<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    out: String,
    map: Vec<MapEntry>,
    /// (column with tabs to 8, column with tabs as 1)
    indents: Vec<(usize, usize)>,
    brackets: Vec<(u8, usize)>,
    line: usize,
    /// True once the current logical line has a token.
    has_content: bool,
    /// Last significant byte of the logical line (to see a trailing `:`).
    last_sig: u8,
    /// First word of the logical line and where it starts.
    first_word: Option<(usize, usize)>,
    second_word: Option<(usize, usize)>,
    /// Tokens seen so far in the logical line.
    tok_count: usize,
    logical_line_no: usize,
    pending_header: Option<Header>,
    /// The previous logical line started with a block keyword (even without its colon,
    /// so that the grammar can report "expected ':'" instead of "unexpected indent").
    prev_was_header: bool,
}

fn err(kind: SyntaxErrorKind, msg: impl Into<String>, start: usize, end: usize) -> SyntaxError {
    SyntaxError::new(kind, msg, Span::new(start, end))
}

fn syntax(msg: impl Into<String>, start: usize, end: usize) -> SyntaxError {
    err(SyntaxErrorKind::SyntaxError, msg, start, end)
}

/// Runs the layout pass over the whole file (a leading BOM is skipped, not removed, so
/// offsets still index `source`).
pub fn layout(source: &str) -> Result<Layout, SyntaxError> {
    let start = if source.starts_with('\u{feff}') { 3 } else { 0 };
    let mut s = Scanner {
        src: source,
        bytes: source.as_bytes(),
        pos: start,
        out: String::with_capacity(source.len() + source.len() / 8 + 16),
        map: Vec::new(),
        indents: vec![(0, 0)],
        brackets: Vec::new(),
        line: 1,
        has_content: false,
        last_sig: 0,
        first_word: None,
        second_word: None,
        tok_count: 0,
        logical_line_no: 1,
        pending_header: None,
        prev_was_header: false,
    };
    if start > 0 {
        s.map.push(MapEntry { out: 0, src: start, marker: false });
    }
    let unclosed = match s.run() {
        Ok(()) => None,
        Err(e) if e.code == "coro::syntax::unclosed_bracket" => Some(e),
        Err(e) => return Err(e),
    };
    Ok(Layout { text: s.out, map: s.map, unclosed })
}

impl<'a> Scanner<'a> {
    fn push_marker(&mut self, c: char) {
        self.map.push(MapEntry { out: self.out.len(), src: self.pos, marker: true });
        self.out.push(c);
        self.map.push(MapEntry { out: self.out.len(), src: self.pos, marker: false });
        debug_assert_eq!(c.len_utf8(), MARKER_LEN);
    }

    fn copy(&mut self, n: usize) {
        let end = (self.pos + n).min(self.bytes.len());
        self.out.push_str(&self.src[self.pos..end]);
        self.pos = end;
    }

    fn blank(&mut self, n: usize) {
        let end = (self.pos + n).min(self.bytes.len());
        for _ in self.pos..end {
            self.out.push(' ');
        }
        self.pos = end;
    }

    fn peek(&self, off: usize) -> u8 {
        self.bytes.get(self.pos + off).copied().unwrap_or(0)
    }

    fn at_eof(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Length of the line end at `pos` (`\n`, `\r\n`, `\r`), or 0.
    fn eol_len(&self, pos: usize) -> usize {
        match self.bytes.get(pos) {
            Some(b'\n') => 1,
            Some(b'\r') => {
                if self.bytes.get(pos + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                }
            }
            _ => 0,
        }
    }

    fn line_end(&self, from: usize) -> usize {
        let mut i = from;
        while i < self.bytes.len() && self.bytes[i] != b'\n' && self.bytes[i] != b'\r' {
            i += 1;
        }
        i
    }

    fn run(&mut self) -> Result<(), SyntaxError> {
        loop {
            if self.at_eof() {
                return self.finish();
            }
            self.line_start()?;
            self.rest_of_line()?;
        }
    }

    /// Measures the indentation of a physical line that starts a logical line and emits
    /// INDENT/DEDENT markers (or an indentation error).
    fn line_start(&mut self) -> Result<(), SyntaxError> {
        let line_begin = self.pos;
        let (mut col, mut alt) = (0usize, 0usize);
        loop {
            match self.peek(0) {
                b' ' => {
                    col += 1;
                    alt += 1;
                }
                b'\t' => {
                    col = (col / TAB_SIZE + 1) * TAB_SIZE;
                    alt += 1;
                }
                b'\x0C' => {
                    col = 0;
                    alt = 0;
                }
                _ => break,
            }
            self.copy(1);
        }
        // Blank and comment-only lines take no part in indentation.
        let c = self.peek(0);
        if self.at_eof() || c == b'#' || c == b'\n' || c == b'\r' {
            return Ok(());
        }
        if c == b'\\' && self.eol_len(self.pos + 1) > 0 {
            // A continuation right after indentation: CPython treats the indentation of
            // this line as the line's; keep going with that.
        }
        let indent_chars = self.src[line_begin..self.pos].chars().count();
        let (top, alt_top) = self.indents.last().copied().unwrap_or((0, 0));
        let header = self.pending_header.take();
        let (pos, line) = (self.pos, self.line);
        let tab_error = move || {
            err(SyntaxErrorKind::TabError, "inconsistent use of tabs and spaces in indentation", line_begin, pos)
                .with_code("coro::syntax::tab_error")
                .at_position(line, 1)
        };
        if col == top {
            if alt != alt_top {
                return Err(tab_error());
            }
            if let Some(h) = header {
                return Err(self.expected_block(&h, self.pos));
            }
        } else if col > top {
            if alt <= alt_top {
                return Err(tab_error());
            }
            if header.is_none() && self.last_sig != b':' && !self.prev_was_header {
                return Err(err(SyntaxErrorKind::IndentationError, "unexpected indent", line_begin, self.pos)
                    .with_code("coro::syntax::unexpected_indent")
                    .with_label("this line is indented more than the block it is in")
                    .at_position(self.line, indent_chars));
            }
            if self.indents.len() > MAX_INDENT_DEPTH {
                return Err(err(SyntaxErrorKind::IndentationError, "too many levels of indentation", line_begin, self.pos)
                    .with_code("coro::syntax::too_deep"));
            }
            self.indents.push((col, alt));
            self.push_marker(INDENT);
        } else {
            while self.indents.len() > 1 && col < self.indents[self.indents.len() - 1].0 {
                self.indents.pop();
                self.push_marker(DEDENT);
            }
            let (top, alt_top) = self.indents.last().copied().unwrap_or((0, 0));
            if col != top {
                let end = self.line_end(self.pos);
                let len = self.src[line_begin..end].chars().count();
                return Err(err(
                    SyntaxErrorKind::IndentationError,
                    "unindent does not match any outer indentation level",
                    line_begin,
                    self.pos,
                )
                .with_code("coro::syntax::bad_unindent")
                .with_label("this indentation matches no enclosing block")
                .at_position(self.line, len + 1));
            }
            if alt != alt_top {
                return Err(tab_error());
            }
            if let Some(h) = header {
                return Err(self.expected_block(&h, self.pos));
            }
        }
        Ok(())
    }

    fn expected_block(&self, h: &Header, at: usize) -> SyntaxError {
        let end = self.ident_end(at).max(at + 1).min(self.bytes.len());
        err(
            SyntaxErrorKind::IndentationError,
            format!("expected an indented block after {} on line {}", h.what, h.line),
            at,
            end,
        )
        .with_code("coro::syntax::expected_indented_block")
        .with_label("expected an indented block here")
    }

    fn ident_end(&self, mut i: usize) -> usize {
        while i < self.bytes.len() && (self.bytes[i].is_ascii_alphanumeric() || self.bytes[i] == b'_' || self.bytes[i] >= 0x80) {
            i += 1;
        }
        i
    }

    /// Tokenizes the rest of a logical line (possibly several physical lines) and emits
    /// NEWLINE at its end.
    fn rest_of_line(&mut self) -> Result<(), SyntaxError> {
        loop {
            if self.at_eof() {
                return Ok(());
            }
            let c = self.peek(0);
            match c {
                b' ' | b'\t' | b'\x0C' => self.copy(1),
                b'#' => {
                    let end = self.line_end(self.pos);
                    self.blank(end - self.pos);
                }
                b'\n' | b'\r' => {
                    let n = self.eol_len(self.pos);
                    if !self.brackets.is_empty() {
                        self.blank(n);
                        self.line += 1;
                        continue;
                    }
                    if self.has_content {
                        self.end_logical_line();
                    }
                    self.blank(n);
                    self.line += 1;
                    return Ok(());
                }
                b'\\' => {
                    let n = self.eol_len(self.pos + 1);
                    if n == 0 {
                        if self.pos + 1 >= self.bytes.len() {
                            return Err(syntax("unexpected EOF while parsing", self.pos, self.pos + 1).incomplete());
                        }
                        let next = self.pos + 1;
                        let len = self.src[next..].chars().next().map_or(1, char::len_utf8);
                        return Err(syntax("unexpected character after line continuation character", next, next + len)
                            .with_code("coro::syntax::bad_continuation")
                            .with_label("only a line end may follow a backslash"));
                    }
                    self.blank(1 + n);
                    self.line += 1;
                    if self.at_eof() {
                        return Err(syntax("unexpected EOF while parsing", self.pos, self.pos).incomplete());
                    }
                }
                b'"' | b'\'' => {
                    self.token_start(c);
                    self.string(self.pos, self.pos)?;
                }
                b'(' | b'[' | b'{' => {
                    self.token_start(c);
                    if self.brackets.len() >= MAX_PAREN_DEPTH {
                        return Err(syntax("too many nested parentheses", self.pos, self.pos + 1)
                            .with_code("coro::syntax::too_deep"));
                    }
                    self.brackets.push((c, self.pos));
                    self.copy(1);
                }
                b')' | b']' | b'}' => {
                    self.token_start(c);
                    let open = match c {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    match self.brackets.pop() {
                        None => {
                            return Err(syntax(format!("unmatched '{}'", c as char), self.pos, self.pos + 1)
                                .with_code("coro::syntax::unmatched_bracket")
                                .with_label("no bracket was opened for this"));
                        }
                        Some((o, opos)) if o != open => {
                            return Err(syntax(
                                format!(
                                    "closing parenthesis '{}' does not match opening parenthesis '{}'",
                                    c as char, o as char
                                ),
                                self.pos,
                                self.pos + 1,
                            )
                            .with_code("coro::syntax::mismatched_bracket")
                            .with_label("this closes the wrong bracket")
                            .with_secondary(Span::new(opos, opos + 1), "the bracket opened here"));
                        }
                        Some(_) => {}
                    }
                    self.copy(1);
                }
                b'\0' => {
                    return Err(syntax("source code cannot contain null bytes", self.pos, self.pos + 1)
                        .with_code("coro::syntax::invalid_character"));
                }
                _ if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => self.word()?,
                _ if c.is_ascii_digit() => {
                    self.token_start(c);
                    // `1.5`, `1e-5`: the rest of a number is ordinary ASCII and is copied
                    // by the next iterations.
                    let mut end = self.pos;
                    while end < self.bytes.len() && (self.bytes[end].is_ascii_alphanumeric() || self.bytes[end] == b'_') {
                        end += 1;
                    }
                    self.copy(end - self.pos);
                }
                _ if c < 0x20 || c == 0x7f => {
                    return Err(syntax(format!("invalid non-printable character U+{:04X}", c), self.pos, self.pos + 1)
                        .with_code("coro::syntax::invalid_character"));
                }
                _ => {
                    self.token_start(c);
                    self.copy(1);
                }
            }
        }
    }

    fn token_start(&mut self, c: u8) {
        if !self.has_content {
            self.has_content = true;
            self.logical_line_no = self.line;
        }
        self.last_sig = c;
        self.tok_count += 1;
    }

    /// An identifier or keyword, or a string prefix followed by a string.
    fn word(&mut self) -> Result<(), SyntaxError> {
        let start = self.pos;
        let mut i = self.pos;
        while i < self.bytes.len() {
            let b = self.bytes[i];
            if b.is_ascii_alphanumeric() || b == b'_' {
                i += 1;
            } else if b >= 0x80 {
                let ch = self.src[i..].chars().next().unwrap_or(' ');
                let ok = if i == start { unicode_ident::is_xid_start(ch) } else { unicode_ident::is_xid_continue(ch) };
                if !ok {
                    if i == start || !is_printable(ch) || !unicode_ident::is_xid_start(ch) {
                        if i > start {
                            break;
                        }
                        return Err(invalid_char(ch, i));
                    }
                    break;
                }
                i += ch.len_utf8();
            } else {
                break;
            }
        }
        if i == start {
            let ch = self.src[i..].chars().next().unwrap_or(' ');
            return Err(invalid_char(ch, i));
        }
        let word = &self.src[start..i];
        let next = self.bytes.get(i).copied().unwrap_or(0);
        if (next == b'"' || next == b'\'') && is_string_prefix(word) {
            self.token_start(b'"');
            self.note_word(start, i);
            self.copy(i - start);
            return self.string(start, self.pos);
        }
        self.token_start(b'a');
        self.note_word(start, i);
        self.copy(i - start);
        Ok(())
    }

    fn note_word(&mut self, start: usize, end: usize) {
        if self.tok_count == 1 {
            self.first_word = Some((start, end));
        } else if self.tok_count == 2 {
            self.second_word = Some((start, end));
        }
    }

    /// Scans a string literal whose prefix starts at `tok_start` and quote at `q`.
    fn string(&mut self, tok_start: usize, q: usize) -> Result<(), SyntaxError> {
        let quote = self.bytes[q];
        let triple = self.bytes.get(q + 1) == Some(&quote) && self.bytes.get(q + 2) == Some(&quote);
        let start_line = self.line;
        let mut i = q + if triple { 3 } else { 1 };
        let mut line = self.line;
        loop {
            let Some(&b) = self.bytes.get(i) else {
                // CPython does not count a final line end as starting a new line.
                let trailing = matches!(self.bytes.last(), Some(b'\n' | b'\r'));
                let last_line = line_col(self.src, self.bytes.len()).0 - usize::from(trailing);
                let (msg, code) = if triple {
                    (format!("unterminated triple-quoted string literal (detected at line {})", last_line), true)
                } else {
                    (format!("unterminated string literal (detected at line {})", line), false)
                };
                let mut e = syntax(msg, tok_start, q + 1)
                    .with_code("coro::syntax::unterminated_string")
                    .with_label("this string is never closed")
                    .at_position(start_line, line_col(self.src, tok_start).1);
                if code {
                    e = e.incomplete();
                }
                return Err(e);
            };
            match b {
                b'\\' => {
                    let n = self.eol_len(i + 1);
                    if n > 0 {
                        line += 1;
                        i += 1 + n;
                    } else {
                        i += 2;
                    }
                }
                b'\n' | b'\r' => {
                    if !triple {
                        return Err(syntax(format!("unterminated string literal (detected at line {})", line), tok_start, i)
                            .with_code("coro::syntax::unterminated_string")
                            .with_label("this string is never closed")
                            .at_position(start_line, line_col(self.src, tok_start).1));
                    }
                    i += self.eol_len(i);
                    line += 1;
                }
                _ if b == quote => {
                    if !triple {
                        i += 1;
                        break;
                    }
                    if self.bytes.get(i + 1) == Some(&quote) && self.bytes.get(i + 2) == Some(&quote) {
                        i += 3;
                        break;
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        let i = i.min(self.bytes.len());
        self.out.push_str(&self.src[self.pos..i]);
        self.pos = i;
        self.line = line;
        Ok(())
    }

    fn end_logical_line(&mut self) {
        self.push_marker(NEWLINE);
        self.prev_was_header = self.header_kind().is_some();
        if self.last_sig == b':' {
            self.pending_header = self.header_kind().map(|what| Header { what, line: self.logical_line_no, end: self.pos });
        } else {
            self.pending_header = None;
        }
        self.has_content = false;
        self.first_word = None;
        self.second_word = None;
        self.tok_count = 0;
    }

    fn header_kind(&self) -> Option<&'static str> {
        let (s, e) = self.first_word?;
        let mut w = &self.src[s..e];
        if w == "async" {
            let (s2, e2) = self.second_word?;
            w = &self.src[s2..e2];
        }
        Some(match w {
            "if" => "'if' statement",
            "elif" => "'elif' statement",
            "else" => "'else' statement",
            "while" => "'while' statement",
            "for" => "'for' statement",
            "try" => "'try' statement",
            "except" => "'except' statement",
            "finally" => "'finally' statement",
            "with" => "'with' statement",
            "def" => "function definition",
            "class" => "class definition",
            _ => return None,
        })
    }

    fn finish(&mut self) -> Result<(), SyntaxError> {
        if let Some(&(b, p)) = self.brackets.last() {
            return Err(syntax(format!("'{}' was never closed", b as char), p, p + 1)
                .with_code("coro::syntax::unclosed_bracket")
                .with_label("this bracket is never closed")
                .incomplete());
        }
        if self.has_content {
            self.end_logical_line();
        }
        if let Some(h) = self.pending_header.take() {
            let (line, col) = line_col(self.src, h.end);
            return Err(self.expected_block(&h, h.end).at_position(line, col).incomplete());
        }
        while self.indents.len() > 1 {
            self.indents.pop();
            self.push_marker(DEDENT);
        }
        Ok(())
    }
}

fn is_string_prefix(w: &str) -> bool {
    matches!(
        w.to_ascii_lowercase().as_str(),
        "r" | "u" | "b" | "f" | "br" | "rb" | "fr" | "rf"
    )
}

fn invalid_char(ch: char, at: usize) -> SyntaxError {
    let msg = if is_printable(ch) {
        format!("invalid character '{}' (U+{:04X})", ch, ch as u32)
    } else {
        format!("invalid non-printable character U+{:04X}", ch as u32)
    };
    syntax(msg, at, at + ch.len_utf8()).with_code("coro::syntax::invalid_character")
}

/// An approximation of `str.isprintable` for characters outside identifiers: spaces
/// other than U+0020, format and control characters, private-use and unassigned
/// surrogates are non-printable.
pub fn is_printable(ch: char) -> bool {
    let c = ch as u32;
    !(c < 0x20
        || (0x7f..=0xa0).contains(&c)
        || c == 0xad
        || c == 0x1680
        || (0x2000..=0x200f).contains(&c)
        || (0x2028..=0x202f).contains(&c)
        || (0x205f..=0x206f).contains(&c)
        || c == 0x3000
        || c == 0xfeff
        || (0xe000..=0xf8ff).contains(&c)
        || (0xfff0..=0xfffb).contains(&c)
        || c >= 0xf0000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(src: &str) -> String {
        layout(src)
            .and_then(|l| match l.unclosed {
                Some(e) => Err(e),
                None => Ok(l),
            })
            .map(|l| l.text.replace(INDENT, "<I>").replace(DEDENT, "<D>").replace(NEWLINE, "<N>"))
            .unwrap_or_else(|e| format!("error: {}", e.message))
    }

    #[test]
    fn markers() {
        assert_eq!(show("if x:\n    y\nz\n"), "if x:<N>     <I>y<N> <D>z<N> ");
        assert_eq!(show("x = (1,\n 2)  # c\n"), "x = (1,  2)     <N> ");
        assert_eq!(show("x = 1 \\\n  + 2"), "x = 1     + 2<N>");
        assert_eq!(show("a\r\nb\rc"), "a<N>  b<N> c<N>");
    }

    #[test]
    fn blank_and_comment_lines() {
        assert_eq!(show("if x:\n\n  # c\n    y\n"), "if x:<N>            <I>y<N> <D>");
    }

    #[test]
    fn bom_and_offsets() {
        let src = "\u{feff}if x:\n  y";
        let l = layout(src).unwrap();
        let y = l.text.find('y').unwrap();
        assert_eq!(l.to_source(y), src.find('y').unwrap());
    }

    #[test]
    fn tabs() {
        assert_eq!(show("if x:\n\ty\n        z\n"), "error: inconsistent use of tabs and spaces in indentation");
        assert!(layout("if x:\n\ty\n\tz\n").is_ok());
    }

    #[test]
    fn errors() {
        assert_eq!(show("  x"), "error: unexpected indent");
        assert_eq!(show("if x:\n    a\n  b\n"), "error: unindent does not match any outer indentation level");
        assert_eq!(show("x = (1,\n"), "error: '(' was never closed");
        assert_eq!(show("x = )"), "error: unmatched ')'");
        assert_eq!(show("x = 'abc\n"), "error: unterminated string literal (detected at line 1)");
        assert_eq!(show("x = '''abc\n\n"), "error: unterminated triple-quoted string literal (detected at line 2)");
        assert_eq!(show("x = 1 €"), "error: invalid character '€' (U+20AC)");
        assert_eq!(show("if x:\npass"), "error: expected an indented block after 'if' statement on line 1");
        assert!(show(&"(".repeat(10_000)).contains("too many nested parentheses"));
    }
}
