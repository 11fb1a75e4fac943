//! Builds the query tree from tokens.
//!
//! Grammar (`NOT` binds tightest):
//!
//! ```text
//! query   := or_expr EOF
//! or_expr := and_expr ("OR" and_expr)*
//! and_expr:= unary ("AND" unary)*
//! unary   := "NOT" unary | "(" or_expr ")" | term
//! ```
//!
//! Lucene itself has no such precedence: it turns `a OR b AND c` into "optional a, required b,
//! required c" (that is, `b AND c`) and `a OR NOT b` into `a AND NOT b`. So an `OR` whose operands
//! include an unparenthesized `AND` chain or `NOT` is refused instead of being read either way.

use super::eval::Node;
use super::lexer::{Spanned, Token};
use super::{MAX_DEPTH, SearchError};

/// How an operand of `OR` was written, to refuse the readings on which Lucene and boolean logic
/// disagree.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A term or a parenthesized group.
    Plain,
    /// `NOT x` without parentheses around it.
    BareNot,
    /// `a AND b` without parentheses around it.
    AndChain,
}

/// Parses a whole token list (non-empty) into a tree.
pub(crate) fn parse_tokens(tokens: Vec<Spanned>) -> Result<Node, SearchError> {
    let mut parser = Parser { tokens, pos: 0 };
    let root = parser.or_expr(0)?;
    match parser.peek() {
        None => Ok(root),
        Some((at, Token::RParen)) => Err(SearchError::new(format!(
            "the ')' at character {at} has no matching '('"
        ))),
        Some((at, _)) => Err(missing_operator(*at)),
    }
}

fn missing_operator(at: usize) -> SearchError {
    SearchError::new(format!(
        "missing AND or OR before character {at}; terms must be joined with an explicit operator"
    ))
}

fn too_deep() -> SearchError {
    SearchError::new(format!(
        "the query is nested too deeply (more than {MAX_DEPTH} levels of parentheses and NOT)"
    ))
}

struct Parser {
    tokens: Vec<Spanned>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Spanned> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Spanned> {
        let token = self.tokens.get(self.pos).cloned();
        if token.is_some() {
            self.pos += 1;
        }
        token
    }

    /// Position of the last token, for "the query ends after ..." messages.
    fn end_position(&self) -> usize {
        self.tokens.last().map_or(1, |(at, _)| *at)
    }

    fn or_expr(&mut self, depth: usize) -> Result<Node, SearchError> {
        let (first, shape) = self.and_expr(depth)?;
        if !matches!(self.peek(), Some((_, Token::Or))) {
            return Ok(first);
        }
        let mut items = vec![first];
        let mut shapes = vec![shape];
        while let Some((at, Token::Or)) = self.peek() {
            let at = *at;
            self.pos += 1;
            let (item, shape) = self.and_expr(depth)?;
            items.push(item);
            shapes.push(shape);
            if shapes.contains(&Shape::AndChain) {
                return Err(SearchError::new(format!(
                    "AND and OR are mixed without parentheses (the OR at character {at}); Lucene does not give AND precedence, so write (a AND b) OR c or a AND (b OR c)"
                )));
            }
            if shapes.contains(&Shape::BareNot) {
                return Err(SearchError::new(format!(
                    "NOT directly inside an OR (at character {at}) is ambiguous: Lucene reads 'a OR NOT b' as 'a AND NOT b'; write a OR (NOT b) or a AND NOT b"
                )));
            }
        }
        Ok(Node::Or(items))
    }

    fn and_expr(&mut self, depth: usize) -> Result<(Node, Shape), SearchError> {
        let (first, shape) = self.unary(depth)?;
        if !matches!(self.peek(), Some((_, Token::And))) {
            return Ok((first, shape));
        }
        let mut items = vec![first];
        while let Some((_, Token::And)) = self.peek() {
            self.pos += 1;
            items.push(self.unary(depth)?.0);
        }
        Ok((Node::And(items), Shape::AndChain))
    }

    fn unary(&mut self, depth: usize) -> Result<(Node, Shape), SearchError> {
        if depth > MAX_DEPTH {
            return Err(too_deep());
        }
        let end = self.end_position();
        match self.next() {
            None => Err(SearchError::new(format!(
                "the query ends after an operator (at character {end}); an operand is missing"
            ))),
            Some((_, Token::Term(term))) => Ok((Node::Term(term), Shape::Plain)),
            Some((_, Token::Not)) => {
                let (inner, _) = self.unary(depth + 1)?;
                Ok((Node::Not(Box::new(inner)), Shape::BareNot))
            }
            Some((open, Token::LParen)) => {
                if let Some((at, Token::RParen)) = self.peek() {
                    return Err(SearchError::new(format!(
                        "empty parentheses at character {open} (closed at character {at})"
                    )));
                }
                let inner = self.or_expr(depth + 1)?;
                match self.next() {
                    Some((_, Token::RParen)) => Ok((inner, Shape::Plain)),
                    None => Err(SearchError::new(format!(
                        "the '(' at character {open} is never closed"
                    ))),
                    Some((at, _)) => Err(missing_operator(at)),
                }
            }
            Some((at, Token::RParen)) => Err(SearchError::new(format!(
                "unexpected ')' at character {at}; an operand is missing before it"
            ))),
            Some((at, Token::And | Token::Or)) => Err(SearchError::new(format!(
                "the operator at character {at} has no operand before it"
            ))),
        }
    }
}
