//! Buffered standard output and error, with CPython's buffering rules: line-buffered on
//! a terminal, block-buffered otherwise. Hosts may capture output instead.

use std::io::{IsTerminal, Write};

pub struct Output {
    buf: Vec<u8>,
    line_buffered: bool,
    sink: Box<dyn Write>,
}

impl Output {
    pub fn stdout() -> Output {
        let tty = std::io::stdout().is_terminal();
        Output { buf: Vec::with_capacity(8192), line_buffered: tty, sink: Box::new(std::io::stdout()) }
    }
    pub fn stderr() -> Output {
        Output { buf: Vec::new(), line_buffered: true, sink: Box::new(std::io::stderr()) }
    }
    /// Output into any writer (a host capturing the script's prints).
    pub fn to_writer(sink: Box<dyn Write>) -> Output {
        Output { buf: Vec::new(), line_buffered: false, sink }
    }
    pub fn write(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
        if self.buf.len() >= 8192 || (self.line_buffered && s.contains('\n')) {
            self.flush();
        }
    }
    pub fn flush(&mut self) {
        if !self.buf.is_empty() {
            // A closed pipe is not the script's error; drop the output like CPython would
            // after reporting BrokenPipeError once.
            let _ = self.sink.write_all(&self.buf);
            self.buf.clear();
        }
        let _ = self.sink.flush();
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        self.flush();
    }
}
