//! Text formatting for coro: CPython-exact float repr, format-spec, `%`-formatting, `str.format` parsing, reprs.
//!
//! Everything here is pure functions over Rust primitives; the evaluator glues
//! them to Python objects. Example:
//!
//! ```
//! use coro::format::{float_repr, parse_spec, format_float};
//! assert_eq!(float_repr(1e16), "1e+16");
//! let spec = parse_spec("010,.2f").unwrap();
//! assert_eq!(format_float(1234.5, &spec).unwrap(), "001,234.50");
//! ```

pub mod error;
pub mod float_repr;
pub mod spec;

pub use error::{ErrorKind, FormatError};
pub use float_repr::{float_repr, write_float_repr};
pub use spec::{
    format_float, format_float_spec, format_i64, format_int, format_int_spec, format_str,
    format_str_spec, parse_spec, Align, FormatSpec, Grouping, Sign,
};
pub mod str_repr;
pub use str_repr::{ascii_escape, ascii_repr, bytes_repr, is_printable, str_is_printable, str_repr};
pub mod int_parse;
pub use int_parse::{is_py_space, parse_int, unicode_decimal, IntParseError};
pub mod float_ops;
pub use float_ops::{
    float_as_integer_ratio, float_divmod, float_floordiv, float_hex, float_is_integer, float_mod,
    float_to_int, int_to_float, parse_float, round_float, round_half_even, FloatToIntError,
    RoundOverflow,
};
pub mod percent;
pub use percent::{
    format_percent_char, format_percent_float, format_percent_int, format_percent_str, parse_percent,
    percent_char_from_int, Count, PercentConv, PercentFlags, PercentParser, PercentPiece,
};
pub mod str_format;
pub use str_format::{
    check_conversion, expand_format, parse_field_name, parse_format_string, Accessor, ArgRef,
    AutoNumber, Field, FieldKey, FieldName, FormatParser, FormatPiece, FORMAT_RECURSION_DEPTH,
};
