//! Typed formatting errors whose `Display` text is CPython 3.11's exact message.

use std::fmt;

/// Which Python exception class an error maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    ValueError,
    TypeError,
    OverflowError,
}

/// Every error the format module can raise. The evaluator maps `kind()` to
/// the Python exception class and uses `to_string()` as the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    // ---- format-spec mini-language ----
    /// `type_name` is filled in by `with_type_name` (the parser does not know it).
    InvalidFormatSpecifier { spec: String, type_name: String },
    UnknownFormatCode { code: char, type_name: String },
    MissingPrecision,
    TooManyDecimalDigits,
    BothCommaAndUnderscore,
    CannotSpecifySeparator { sep: char, ty: char },
    PrecisionNotAllowedInt,
    NegZeroNotAllowed { what: &'static str },
    SignNotAllowedStr,
    SpaceNotAllowedStr,
    AltNotAllowedStr,
    EqAlignNotAllowedStr,
    SignNotAllowedWithC,
    AltNotAllowedWithC,
    /// OverflowError: `%c arg not in range(0x110000)`.
    CharOutOfRange,
    /// OverflowError: converting a huge int for a float presentation type.
    IntTooLargeForFloat,
    /// OverflowError: `Python int too large to convert to C long` (`format(10**20, 'c')`).
    IntTooLargeForCLong,
    PrecisionTooBig,
    // ---- printf-style ----
    NotEnoughArguments,
    NotAllConverted,
    /// `index` is the code-point index of the offending character.
    UnsupportedFormatChar { ch: char, index: usize },
    IncompleteFormat,
    IncompleteFormatKey,
    FormatRequiresMapping,
    StarWantsInt,
    /// `%d format: a real number is required, not str`; `type_name` from the evaluator.
    RealNumberRequired { conv: char, type_name: String },
    /// `%x format: an integer is required, not float`.
    IntegerRequired { conv: char, type_name: String },
    CharRequiresIntOrChar,
    /// `must be real number, not str` (`%f` with a non-number).
    MustBeRealNumber { type_name: String },
    // ---- str.format templates ----
    SingleCloseBrace,
    SingleOpenBrace,
    ExpectedCloseBrace,
    UnmatchedBraceInSpec,
    UnexpectedBraceInFieldName,
    EndOfStringInConversion,
    UnknownConversion { ch: char },
    ExpectedColonAfterConversion,
    AutoToManual,
    ManualToAuto,
    EmptyAttribute,
    MissingCloseBracket,
    OnlyDotOrBracket,
    MaxRecursion,
}

impl FormatError {
    pub fn kind(&self) -> ErrorKind {
        use FormatError::*;
        match self {
            CharOutOfRange | IntTooLargeForFloat | IntTooLargeForCLong => ErrorKind::OverflowError,
            NotEnoughArguments | NotAllConverted | FormatRequiresMapping | StarWantsInt
            | RealNumberRequired { .. } | IntegerRequired { .. } | CharRequiresIntOrChar
            | MustBeRealNumber { .. } => ErrorKind::TypeError,
            _ => ErrorKind::ValueError,
        }
    }

    /// Replace the object type name in messages that mention it
    /// (`format(True, 's')` must say `'bool'`, not `'int'`).
    pub fn with_type_name(mut self, name: &str) -> Self {
        match &mut self {
            FormatError::InvalidFormatSpecifier { type_name, .. }
            | FormatError::UnknownFormatCode { type_name, .. } => {
                *type_name = name.to_string();
            }
            _ => {}
        }
        self
    }
}

/// CPython prints a presentation type as `'c'` when it is printable ASCII, else `'\xNN'`.
fn write_code(f: &mut fmt::Formatter<'_>, c: char) -> fmt::Result {
    let n = c as u32;
    if n > 32 && n < 128 {
        write!(f, "'{}'", c)
    } else {
        write!(f, "'\\x{:x}'", n)
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use FormatError::*;
        match self {
            InvalidFormatSpecifier { spec, type_name } => write!(
                f,
                "Invalid format specifier '{}' for object of type '{}'",
                spec, type_name
            ),
            UnknownFormatCode { code, type_name } => {
                f.write_str("Unknown format code ")?;
                write_code(f, *code)?;
                write!(f, " for object of type '{}'", type_name)
            }
            MissingPrecision => f.write_str("Format specifier missing precision"),
            TooManyDecimalDigits => f.write_str("Too many decimal digits in format string"),
            BothCommaAndUnderscore => f.write_str("Cannot specify both ',' and '_'."),
            CannotSpecifySeparator { sep, ty } => {
                write!(f, "Cannot specify '{}' with ", sep)?;
                write_code(f, *ty)?;
                f.write_str(".")
            }
            PrecisionNotAllowedInt => {
                f.write_str("Precision not allowed in integer format specifier")
            }
            NegZeroNotAllowed { what } => write!(
                f,
                "Negative zero coercion (z) not allowed in {} format specifier",
                what
            ),
            SignNotAllowedStr => f.write_str("Sign not allowed in string format specifier"),
            SpaceNotAllowedStr => f.write_str("Space not allowed in string format specifier"),
            AltNotAllowedStr => {
                f.write_str("Alternate form (#) not allowed in string format specifier")
            }
            EqAlignNotAllowedStr => {
                f.write_str("'=' alignment not allowed in string format specifier")
            }
            SignNotAllowedWithC => {
                f.write_str("Sign not allowed with integer format specifier 'c'")
            }
            AltNotAllowedWithC => {
                f.write_str("Alternate form (#) not allowed with integer format specifier 'c'")
            }
            CharOutOfRange => f.write_str("%c arg not in range(0x110000)"),
            IntTooLargeForFloat => f.write_str("int too large to convert to float"),
            IntTooLargeForCLong => f.write_str("Python int too large to convert to C long"),
            PrecisionTooBig => f.write_str("precision too big"),
            NotEnoughArguments => f.write_str("not enough arguments for format string"),
            NotAllConverted => {
                f.write_str("not all arguments converted during string formatting")
            }
            UnsupportedFormatChar { ch, index } => {
                let n = *ch as u32;
                let shown = if (31..=126).contains(&n) { *ch } else { '?' };
                write!(
                    f,
                    "unsupported format character '{}' (0x{:x}) at index {}",
                    shown, n, index
                )
            }
            IncompleteFormat => f.write_str("incomplete format"),
            IncompleteFormatKey => f.write_str("incomplete format key"),
            FormatRequiresMapping => f.write_str("format requires a mapping"),
            StarWantsInt => f.write_str("* wants int"),
            RealNumberRequired { conv, type_name } => write!(
                f,
                "%{} format: a real number is required, not {}",
                conv, type_name
            ),
            IntegerRequired { conv, type_name } => write!(
                f,
                "%{} format: an integer is required, not {}",
                conv, type_name
            ),
            CharRequiresIntOrChar => f.write_str("%c requires int or char"),
            MustBeRealNumber { type_name } => write!(f, "must be real number, not {}", type_name),
            SingleCloseBrace => f.write_str("Single '}' encountered in format string"),
            SingleOpenBrace => f.write_str("Single '{' encountered in format string"),
            ExpectedCloseBrace => f.write_str("expected '}' before end of string"),
            UnmatchedBraceInSpec => f.write_str("unmatched '{' in format spec"),
            UnexpectedBraceInFieldName => f.write_str("unexpected '{' in field name"),
            EndOfStringInConversion => {
                f.write_str("end of string while looking for conversion specifier")
            }
            UnknownConversion { ch } => {
                let n = *ch as u32;
                if n > 32 && n < 127 {
                    write!(f, "Unknown conversion specifier {}", ch)
                } else {
                    write!(f, "Unknown conversion specifier \\x{:x}", n)
                }
            }
            ExpectedColonAfterConversion => {
                f.write_str("expected ':' after conversion specifier")
            }
            AutoToManual => f.write_str(
                "cannot switch from automatic field numbering to manual field specification",
            ),
            ManualToAuto => f.write_str(
                "cannot switch from manual field specification to automatic field numbering",
            ),
            EmptyAttribute => f.write_str("Empty attribute in format string"),
            MissingCloseBracket => f.write_str("Missing ']' in format string"),
            OnlyDotOrBracket => {
                f.write_str("Only '.' or '[' may follow ']' in format field specifier")
            }
            MaxRecursion => f.write_str("Max string recursion exceeded"),
        }
    }
}

impl std::error::Error for FormatError {}
