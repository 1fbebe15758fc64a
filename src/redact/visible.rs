//! A text as a reader sees it. A name can be hidden from a plain search and still read in clear
//! on the page: Markdown character references (`M&#97;rta`), backslash escapes, emphasis or a
//! code span splitting it (`Ma**r**ta`, ``Ma`r`ta``), zero-width and other invisible format
//! characters (`Mar\u{200b}ta`). The redactor searches this projection too: the text that
//! Markdown rendering shows (pulldown-cmark's text events, so entities are decoded exactly as the
//! pages decode them), less invisible characters, each character mapped back to the bytes of the
//! stored text it comes from.

use pulldown_cmark::{Event, Options, Parser};

/// The visible text and, for each of its characters in order, the byte range of the stored text
/// it comes from (a decoded reference maps to the whole reference).
pub struct Visible {
    pub text: String,
    /// (byte offset in `text`, source start, source end) per character of `text`.
    map: Vec<(usize, usize, usize)>,
}

/// Zero-width and other invisible format characters (Unicode's `Cf` that text holds in
/// practice): a reader does not see them between the letters of a name.
pub fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{3164}' | '\u{feff}' | '\u{ffa0}' | '\u{1bca0}'..='\u{1bca3}'
        | '\u{e0000}'..='\u{e007f}')
}

impl Visible {
    pub fn of(source: &str) -> Visible {
        let mut out = Visible {
            text: String::with_capacity(source.len()),
            map: Vec::new(),
        };
        // A text the pages show as plain text (too long or too deeply marked to parse in
        // bounded time) is seen as it is stored.
        if !crate::render::text::renders_as_markdown(source) {
            for (i, c) in source.char_indices() {
                out.push(c, i, i + c.len_utf8());
            }
            return out;
        }
        let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
            let shown = match &event {
                Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => t,
                Event::SoftBreak | Event::HardBreak => {
                    out.push(' ', range.start, range.end);
                    continue;
                }
                _ => continue,
            };
            let stored = &source[range.clone()];
            // Shown as stored (most text), or inside it (a code span's content): one to one.
            let at = if stored == shown.as_ref() {
                Some(0)
            } else {
                stored.find(shown.as_ref())
            };
            match at {
                Some(at) => {
                    for (i, c) in shown.char_indices() {
                        let start = range.start + at + i;
                        out.push(c, start, start + c.len_utf8());
                    }
                }
                // Decoded (a character reference, an escape): every character is the whole.
                None => shown
                    .chars()
                    .for_each(|c| out.push(c, range.start, range.end)),
            }
        }
        out
    }

    fn push(&mut self, c: char, start: usize, end: usize) {
        if invisible(c) {
            return;
        }
        self.map.push((self.text.len(), start, end));
        self.text.push(c);
    }

    /// The stored byte range that `start..end` of the visible text comes from.
    pub fn source_range(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let first = self.map.binary_search_by_key(&start, |m| m.0).ok()?;
        let last = self.map[first..].iter().take_while(|m| m.0 < end).last()?;
        Some((self.map[first].1, last.2))
    }
}

#[cfg(test)]
mod tests {
    use super::Visible;

    fn seen(source: &str) -> String {
        Visible::of(source).text
    }

    #[test]
    fn a_reader_sees_the_name() {
        assert_eq!(seen("M&#97;rta"), "Marta");
        assert_eq!(seen("M&#x61;rta"), "Marta");
        assert_eq!(seen("Ma**r**ta"), "Marta");
        assert_eq!(seen("Ma`r`ta"), "Marta");
        assert_eq!(seen("Ma\\*rta"), "Ma*rta");
        assert_eq!(seen("Mar\u{200b}ta"), "Marta");
        assert_eq!(seen("&Aacute;lvaro"), "Álvaro");
    }

    #[test]
    fn text_shown_plain_is_seen_as_stored() {
        // A line of 60,000 quote markers is never parsed (it would take the parser minutes).
        let bomb = format!("{}Marta\n{}", ">".repeat(60_000), "x\n".repeat(1000));
        let v = Visible::of(&bomb);
        assert_eq!(v.text.len(), bomb.len());
    }

    #[test]
    fn ranges_lead_back_to_the_stored_bytes() {
        let source = "Hi M&#97;**r**ta!";
        let v = Visible::of(source);
        let at = v.text.find("Marta").unwrap();
        let (s, e) = v.source_range(at, at + 5).unwrap();
        assert_eq!(&source[s..e], "M&#97;**r**ta");
    }
}
