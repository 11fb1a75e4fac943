//! Turns a query string into tokens. A whole `field:value` clause (quoted value, wildcard or range
//! included) becomes one token, so the parser only sees operators, parentheses and terms.

use super::SearchError;
use super::eval::{Bound, Field, Pattern, Term, Test};

/// Longest excerpt of user input quoted back in an error message.
const EXCERPT_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Term(Term),
}

/// A token and the 1-based character position where it starts (used in error messages).
pub(crate) type Spanned = (usize, Token);

/// Splits `q` into tokens; an empty or blank query is an error.
pub(crate) fn tokenize(q: &str) -> Result<Vec<Spanned>, SearchError> {
    let mut lexer = Lexer {
        chars: q.chars().collect(),
        pos: 0,
    };
    let mut out = Vec::new();
    while let Some(token) = lexer.next_token()? {
        out.push(token);
    }
    if out.is_empty() {
        return Err(SearchError::new("the query is empty"));
    }
    Ok(out)
}

/// Quotes user input back in a message, shortened so that error bodies stay small.
pub(crate) fn excerpt(s: &str) -> String {
    if s.chars().count() <= EXCERPT_CHARS {
        s.to_owned()
    } else {
        let head: String = s.chars().take(EXCERPT_CHARS).collect();
        format!("{head}…")
    }
}

fn err<T>(message: String) -> Result<T, SearchError> {
    Err(SearchError::new(message))
}

/// Where a run of term characters is read; it decides what ends the run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Before the first unescaped `:` (field name, operator or bare term).
    Field,
    /// After `field:`.
    Value,
    /// Inside `[...]` / `{...}`.
    Bound,
}

/// A run of term characters with escapes resolved.
struct Word {
    text: String,
    /// Number of characters in `text`.
    len: usize,
    /// For each unescaped `*`, how many literal characters preceded it.
    stars: Vec<usize>,
    /// Whether any character was escaped (an escaped `AND` is a term, not an operator).
    escaped: bool,
    /// Whether the run ended at an unescaped `:` (consumed).
    colon: bool,
}

/// The value part of a clause, before it is checked against its field.
enum RawValue {
    Quoted(String),
    Word(Word),
    Range {
        lower: Option<Bound>,
        upper: Option<Bound>,
    },
}

struct Lexer {
    chars: Vec<char>,
    /// Index of the next character; error messages show `pos + 1`.
    pos: usize,
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn next_token(&mut self) -> Result<Option<Spanned>, SearchError> {
        self.skip_ws();
        let at = self.pos + 1;
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        let token = match c {
            '(' => {
                self.pos += 1;
                Token::LParen
            }
            ')' => {
                self.pos += 1;
                Token::RParen
            }
            '"' => {
                return err(format!(
                    "the quoted value at character {at} has no field name; write field:\"value\", e.g. name:\"jane smith\""
                ));
            }
            '[' | '{' => {
                return err(format!(
                    "the range at character {at} has no field name; write field:[a TO b], e.g. logins_count:[1 TO 5]"
                ));
            }
            '/' => return err(regex_message(at)),
            '+' | '-' => {
                return err(format!(
                    "the '{c}' prefix operator at character {at} is not supported; use AND and NOT"
                ));
            }
            '!' => {
                return err(format!("'!' at character {at} is not supported; use NOT"));
            }
            '&' if self.peek_at(1) == Some('&') => {
                return err(format!("'&&' at character {at} is not supported; use AND"));
            }
            '|' if self.peek_at(1) == Some('|') => {
                return err(format!("'||' at character {at} is not supported; use OR"));
            }
            _ => self.word_token(at)?,
        };
        Ok(Some((at, token)))
    }

    /// Reads an operator, or a `field:value` clause starting at character `at`.
    fn word_token(&mut self, at: usize) -> Result<Token, SearchError> {
        let word = self.read_word(Mode::Field)?;
        if !word.colon {
            if !word.escaped && word.stars.is_empty() {
                match word.text.as_str() {
                    "AND" => return Ok(Token::And),
                    "OR" => return Ok(Token::Or),
                    "NOT" => return Ok(Token::Not),
                    _ => {}
                }
            }
            return Err(not_a_clause(&word, at));
        }
        if !word.stars.is_empty() {
            return err(format!(
                "wildcards are not allowed in field names (the field at character {at})"
            ));
        }
        let name = word.text;
        if name.is_empty() {
            return err(format!(
                "the ':' at character {at} has no field name before it"
            ));
        }
        if name == "_missing_" {
            return err(format!(
                "_missing_ (character {at}) is not supported; use NOT _exists_:field"
            ));
        }
        let value_at = self.pos + 1;
        let value = match self.peek() {
            None | Some(')') => return err(missing_value(&name, at)),
            Some(c) if c.is_whitespace() => return err(missing_value(&name, at)),
            Some('(') => {
                let name = excerpt(&name);
                return err(format!(
                    "field grouping such as {name}:(a OR b) at character {value_at} is not supported; repeat the field: ({name}:a OR {name}:b)"
                ));
            }
            Some('/') => return err(regex_message(value_at)),
            Some('"') => {
                let text = self.read_quoted()?;
                self.check_after_value()?;
                RawValue::Quoted(text)
            }
            Some('[' | '{') => self.read_range()?,
            Some(_) => RawValue::Word(self.read_word(Mode::Value)?),
        };
        build_term(&name, value, at).map(Token::Term)
    }

    /// Reads term characters up to whitespace, a parenthesis, or (in field mode) an unescaped
    /// `:`, refusing the Lucene syntax this subset leaves out.
    fn read_word(&mut self, mode: Mode) -> Result<Word, SearchError> {
        let mut word = Word {
            text: String::new(),
            len: 0,
            stars: Vec::new(),
            escaped: false,
            colon: false,
        };
        while let Some(c) = self.peek() {
            let at = self.pos + 1;
            if c.is_whitespace() || c == '(' || c == ')' {
                break;
            }
            match c {
                '\\' => {
                    self.pos += 1;
                    let Some(escaped) = self.peek() else {
                        return err(
                            "the query ends with a lone backslash; write \\\\ for a literal backslash"
                                .to_owned(),
                        );
                    };
                    word.text.push(escaped);
                    word.len += 1;
                    word.escaped = true;
                }
                ':' if mode == Mode::Field => {
                    self.pos += 1;
                    word.colon = true;
                    break;
                }
                ':' => {
                    return err(format!(
                        "unexpected ':' at character {at} inside a value; quote the value or escape it as \\:"
                    ));
                }
                '*' => word.stars.push(word.len),
                '?' => {
                    return err(format!(
                        "the '?' wildcard at character {at} is not supported; escape it as \\? to search for a literal '?'"
                    ));
                }
                '~' => {
                    return err(format!(
                        "fuzzy and proximity searches ('~' at character {at}) are not supported"
                    ));
                }
                '^' => {
                    return err(format!("boosting ('^' at character {at}) is not supported"));
                }
                '"' => {
                    return err(format!(
                        "unexpected '\"' at character {at} inside a term; quote the whole value, e.g. name:\"jane smith\""
                    ));
                }
                '/' => return err(regex_message(at)),
                ']' | '}' if mode == Mode::Bound => break,
                '[' | '{' | ']' | '}' => {
                    return err(format!(
                        "unexpected '{c}' at character {at}; a range goes right after the field, e.g. logins_count:[1 TO 5]; escape it as \\{c} for a literal '{c}'"
                    ));
                }
                other => {
                    word.text.push(other);
                    word.len += 1;
                }
            }
            self.pos += 1;
        }
        Ok(word)
    }

    /// Reads `"..."` (the cursor is on the opening quote); `\x` stands for `x`.
    fn read_quoted(&mut self) -> Result<String, SearchError> {
        let open = self.pos + 1;
        self.pos += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => {
                    return err(format!(
                        "the quote opened at character {open} is never closed"
                    ));
                }
                Some('\\') => {
                    self.pos += 1;
                    let Some(c) = self.peek() else {
                        return err(format!(
                            "the quote opened at character {open} is never closed"
                        ));
                    };
                    text.push(c);
                }
                Some('"') => {
                    self.pos += 1;
                    return Ok(text);
                }
                Some(c) => text.push(c),
            }
            self.pos += 1;
        }
    }

    /// After a quoted value or a range only whitespace, `)` or the end may follow.
    fn check_after_value(&self) -> Result<(), SearchError> {
        let at = self.pos + 1;
        match self.peek() {
            None | Some(')') => Ok(()),
            Some(c) if c.is_whitespace() => Ok(()),
            Some('~') => err(format!(
                "fuzzy and proximity searches ('~' at character {at}) are not supported"
            )),
            Some('^') => err(format!("boosting ('^' at character {at}) is not supported")),
            Some(c) => err(format!(
                "unexpected '{c}' at character {at} right after a value; separate terms with AND or OR"
            )),
        }
    }

    /// Reads `[a TO b]`, `{a TO b}` or a mix (the cursor is on the opening bracket).
    fn read_range(&mut self) -> Result<RawValue, SearchError> {
        let open = self.pos + 1;
        let lower_inclusive = self.peek() == Some('[');
        self.pos += 1;
        self.skip_ws();
        let lower = self.read_bound(open)?;
        self.skip_ws();
        let after_to = self.peek_at(2);
        let has_to = self.peek() == Some('T')
            && self.peek_at(1) == Some('O')
            && after_to.is_none_or(|c| c.is_whitespace() || matches!(c, '"' | ']' | '}'));
        if !has_to {
            return err(format!(
                "expected 'TO' at character {} in the range opened at character {open}; write [a TO b]",
                self.pos + 1
            ));
        }
        self.pos += 2;
        self.skip_ws();
        let upper = self.read_bound(open)?;
        self.skip_ws();
        let upper_inclusive = match self.peek() {
            Some(']') => true,
            Some('}') => false,
            _ => {
                return err(format!(
                    "the range opened at character {open} is not closed with ']' or '}}'"
                ));
            }
        };
        self.pos += 1;
        self.check_after_value()?;
        Ok(RawValue::Range {
            lower: lower.map(|value| Bound {
                value,
                inclusive: lower_inclusive,
            }),
            upper: upper.map(|value| Bound {
                value,
                inclusive: upper_inclusive,
            }),
        })
    }

    /// One end of a range: `None` for an open end `*`.
    fn read_bound(&mut self, open: usize) -> Result<Option<String>, SearchError> {
        if self.peek() == Some('"') {
            return self.read_quoted().map(Some);
        }
        let at = self.pos + 1;
        let word = self.read_word(Mode::Bound)?;
        if word.len == 0 && !word.stars.is_empty() {
            return Ok(None);
        }
        if word.len == 0 {
            return err(format!(
                "a bound is missing at character {at} in the range opened at character {open}"
            ));
        }
        if !word.stars.is_empty() {
            return err(format!(
                "wildcards are not allowed in range bounds (character {at}); use * alone for an open end"
            ));
        }
        Ok(Some(word.text))
    }
}

fn regex_message(at: usize) -> String {
    format!(
        "regular expressions ('/' at character {at}) are not supported; quote the value or escape '/' as \\/"
    )
}

fn missing_value(name: &str, at: usize) -> String {
    format!(
        "the field '{}' at character {at} has no value; write field:value",
        excerpt(name)
    )
}

/// Why a word that is neither an operator nor a `field:` clause is refused.
fn not_a_clause(word: &Word, at: usize) -> SearchError {
    let text = word.text.as_str();
    if !word.escaped && word.stars.is_empty() {
        if text == "TO" {
            return SearchError::new(format!(
                "'TO' at character {at} is only allowed inside a range such as [a TO b]"
            ));
        }
        let upper = text.to_ascii_uppercase();
        if matches!(upper.as_str(), "AND" | "OR" | "NOT") {
            return SearchError::new(format!(
                "operators must be upper-case: write {upper} instead of '{text}' at character {at}"
            ));
        }
    }
    SearchError::new(format!(
        "the term '{}' at character {at} has no field name; write field:value, e.g. name:\"jane\"",
        excerpt(text)
    ))
}

/// Checks a clause's value against its field and interprets wildcards.
fn build_term(name: &str, value: RawValue, at: usize) -> Result<Term, SearchError> {
    if name == "_exists_" {
        let target = match value {
            RawValue::Quoted(text) => text,
            RawValue::Word(word) if word.stars.is_empty() => word.text,
            RawValue::Word(_) | RawValue::Range { .. } => {
                return err(format!(
                    "_exists_ at character {at} takes a plain field name, e.g. _exists_:app_metadata.plan"
                ));
            }
        };
        let field = parse_field(&target, at)?;
        return Ok(Term {
            field,
            test: Test::Exists,
        });
    }
    let field = parse_field(name, at)?;
    let fold = |s: String| {
        if field.case_insensitive() {
            s.to_lowercase()
        } else {
            s
        }
    };
    let is_pattern = matches!(&value, RawValue::Word(w) if !w.stars.is_empty());
    let is_range = matches!(&value, RawValue::Range { .. });
    if field.root() == "user_metadata" && (is_pattern || is_range) {
        return err(format!(
            "wildcards and ranges are not supported on user_metadata fields (the field at character {at}); use an exact value"
        ));
    }
    let test = match value {
        RawValue::Quoted(text) => Test::Match(Pattern::Exact(fold(text))),
        RawValue::Word(word) => Test::Match(pattern(word, at, fold)?),
        RawValue::Range { lower, upper } => {
            let fold_bound = |b: Bound| Bound {
                value: fold(b.value),
                inclusive: b.inclusive,
            };
            Test::Range {
                lower: lower.map(fold_bound),
                upper: upper.map(fold_bound),
            }
        }
    };
    Ok(Term { field, test })
}

fn parse_field(name: &str, at: usize) -> Result<Field, SearchError> {
    Field::from_dotted(name).ok_or_else(|| {
        SearchError::new(format!(
            "the field name '{}' at character {at} has an empty path segment",
            excerpt(name)
        ))
    })
}

/// Turns an unquoted value into a pattern: `*` may stand only at the start and/or the end, and a
/// leading `*` needs at least 3 literal characters (Auth0's rule for suffix searches).
fn pattern(word: Word, at: usize, fold: impl Fn(String) -> String) -> Result<Pattern, SearchError> {
    if word.len == 0 {
        return err(format!(
            "a value made only of '*' (character {at}) is not supported; use _exists_:field to find users that have the field"
        ));
    }
    let leading = word.stars.contains(&0);
    let trailing = word.stars.contains(&word.len);
    if word.stars.iter().any(|&p| p != 0 && p != word.len) {
        return err(format!(
            "a wildcard inside a value (the term at character {at}) is not supported; '*' may only start or end a value"
        ));
    }
    if leading && word.len < 3 {
        return err(format!(
            "a leading wildcard needs at least 3 characters after it (the term at character {at}), e.g. name:*usa"
        ));
    }
    let text = fold(word.text);
    Ok(match (leading, trailing) {
        (false, false) => Pattern::Exact(text),
        (false, true) => Pattern::Prefix(text),
        (true, false) => Pattern::Suffix(text),
        (true, true) => Pattern::Contains(text),
    })
}
