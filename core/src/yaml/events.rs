//! The event source behind a small trait, so the parser crate can be swapped (granit-parser
//! today; saphyr-parser is a near-identical alternative) without touching the tree builder.

use super::tree::ScalarStyle;
use std::borrow::Cow;

/// A parse event, reduced to what the tree builder needs.
#[derive(Debug)]
pub(crate) enum Event<'a> {
    DocumentStart,
    DocumentEnd,
    /// `anchor` 0 means none. `tag` is the resolved tag (handle + suffix).
    Scalar {
        text: Cow<'a, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<String>,
    },
    SequenceStart {
        anchor: usize,
        flow: bool,
    },
    SequenceEnd,
    MappingStart {
        anchor: usize,
        flow: bool,
    },
    MappingEnd,
    Alias {
        anchor: usize,
    },
    StreamEnd,
}

/// An event with its byte range in the source.
pub(crate) struct Located<'a> {
    pub event: Event<'a>,
    pub start: usize,
    pub end: usize,
}

/// A syntax error of the event source: message and byte offset (or line/column when the
/// source cannot give an offset).
pub(crate) struct SyntaxError {
    pub message: String,
    /// The parser's nesting limit (set from `Limits::max_depth`) stopped it.
    pub depth_limit: bool,
    pub offset: Option<usize>,
    pub line: usize,
    pub column0: usize,
}

/// Something that yields located events from a `&str`.
pub(crate) trait EventSource<'a> {
    fn next_event(&mut self) -> Option<Result<Located<'a>, SyntaxError>>;
}

/// granit-parser: byte offsets, `forbid(unsafe_code)`, accepts the libyaml-tolerated
/// indentation found in real manifests (see `reference/yaml-parsers-and-corpus.md`).
pub(crate) struct Granit<'a> {
    parser: granit_parser::Parser<'a, granit_parser::StrInput<'a>>,
}

impl<'a> Granit<'a> {
    pub fn new(text: &'a str, max_depth: usize) -> Granit<'a> {
        let mut options = granit_parser::Options::default();
        // Our own depth limit is checked by the builder (after alias expansion); the parser's
        // limits only stop it from building a huge state stack first.
        options.flow_nesting_limit = max_depth;
        options.block_nesting_limit = max_depth;
        Granit { parser: granit_parser::Parser::new_from_str_with_options(text, options) }
    }
}

fn offset(m: &granit_parser::Marker) -> usize {
    m.byte_offset().unwrap_or_else(|| m.index())
}

fn style(s: granit_parser::ScalarStyle) -> ScalarStyle {
    match s {
        granit_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        granit_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        granit_parser::ScalarStyle::Literal => ScalarStyle::Literal,
        granit_parser::ScalarStyle::Folded => ScalarStyle::Folded,
        _ => ScalarStyle::Plain,
    }
}

impl<'a> EventSource<'a> for Granit<'a> {
    fn next_event(&mut self) -> Option<Result<Located<'a>, SyntaxError>> {
        use granit_parser::{Event as G, StructureStyle};
        loop {
            let (event, span) = match self.parser.next_event()? {
                Ok(pair) => pair,
                Err(e) => {
                    let m = e.marker();
                    return Some(Err(SyntaxError {
                        message: e.info(),
                        depth_limit: matches!(e.kind(), granit_parser::ErrorKind::RecursionLimitExceeded),
                        offset: m.byte_offset(),
                        line: m.line(),
                        column0: m.col(),
                    }));
                }
            };
            let event = match event {
                G::StreamStart | G::Anchor(..) | G::UnresolvedAlias(_) => continue,
                G::StreamEnd => Event::StreamEnd,
                G::DocumentStart(..) => Event::DocumentStart,
                G::DocumentEnd => Event::DocumentEnd,
                G::Alias(anchor) => Event::Alias { anchor },
                G::Scalar(text, s, anchor, tag) => Event::Scalar {
                    text,
                    style: style(s),
                    anchor,
                    tag: tag.map(|t| format!("{}{}", t.handle(), t.suffix())),
                },
                G::SequenceStart(s, anchor, _) => {
                    Event::SequenceStart { anchor, flow: s == StructureStyle::Flow }
                }
                G::SequenceEnd => Event::SequenceEnd,
                G::MappingStart(s, anchor, _) => {
                    Event::MappingStart { anchor, flow: s == StructureStyle::Flow }
                }
                G::MappingEnd => Event::MappingEnd,
                #[allow(unreachable_patterns)]
                _ => continue,
            };
            return Some(Ok(Located { event, start: offset(&span.start), end: offset(&span.end) }));
        }
    }
}
