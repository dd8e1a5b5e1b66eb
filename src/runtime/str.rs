//! `PyStr`: an immutable Python `str`, UTF-8 with its length in code points cached.
//!
//! Python indexes strings by code point. Keeping the char count lets the common ASCII
//! case (`char_len == byte len`) index in O(1); other strings walk the UTF-8.

use std::cell::Cell;

pub struct PyStr {
    text: Box<str>,
    char_len: usize,
    /// Cached hash (0 = not computed yet).
    hash: Cell<i64>,
}

impl PyStr {
    pub fn new(s: &str) -> PyStr {
        PyStr { char_len: s.chars().count(), text: s.into(), hash: Cell::new(0) }
    }
    pub fn from_string(s: String) -> PyStr {
        PyStr { char_len: s.chars().count(), text: s.into_boxed_str(), hash: Cell::new(0) }
    }
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.text
    }
    #[inline]
    pub fn len_chars(&self) -> usize {
        self.char_len
    }
    #[inline]
    pub fn is_ascii(&self) -> bool {
        self.char_len == self.text.len()
    }
    /// The code point at index `i` (0-based, already bounds-checked by the caller).
    pub fn char_at(&self, i: usize) -> Option<char> {
        if self.is_ascii() {
            self.text.as_bytes().get(i).map(|b| *b as char)
        } else {
            self.text.chars().nth(i)
        }
    }
    /// Byte offset of code point index `i` (`i == len` gives the end).
    pub fn byte_offset(&self, i: usize) -> usize {
        if self.is_ascii() {
            i.min(self.text.len())
        } else {
            self.text.char_indices().nth(i).map(|(b, _)| b).unwrap_or(self.text.len())
        }
    }
    /// Substring by code point range (clamped).
    pub fn slice_chars(&self, start: usize, end: usize) -> &str {
        if end <= start {
            return "";
        }
        let a = self.byte_offset(start);
        let b = self.byte_offset(end);
        &self.text[a..b]
    }
    pub fn hash(&self) -> i64 {
        let h = self.hash.get();
        if h != 0 {
            return h;
        }
        // FNV-1a; stable across runs (CPython randomises, so programs cannot rely on it).
        let mut x: u64 = 0xcbf29ce484222325;
        for b in self.text.bytes() {
            x ^= b as u64;
            x = x.wrapping_mul(0x100000001b3);
        }
        let mut h = (x >> 1) as i64;
        if h == 0 || h == -1 {
            h = 1;
        }
        self.hash.set(h);
        h
    }
}

impl std::fmt::Debug for PyStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", &*self.text)
    }
}
