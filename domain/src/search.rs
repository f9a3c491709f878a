//! In-memory search over the catalogue of procedures, for queries typed as citizens type them
//! on a phone: with or without diacritics, in any order, with a typo, the last word unfinished,
//! with filler words around, in colloquial names, as initials ("gplx" for "giấy phép lái xe"),
//! with the words run together ("dangkykhaisinh"), or in English (each procedure has an English
//! name, searched like its name).
//!
//! A query word matches a word of the catalogue exactly, as its beginning when it is the last
//! word still being typed, or with one typo; a word that is no word of the catalogue also matches
//! the initials of any run of 2 to 8 words of a name, document or result; and a word that matches
//! nothing is split, when it can be, into the catalogue's and the vocabulary's words, which then
//! count as words of the query.
//!
//! The vocabulary (stop words and synonyms) lives in `data/search.json`, which operators edit;
//! the caller reads it and passes its text to [`SearchVocabulary::parse`].
//!
//! Ranking, each rule breaking the ties of the one before:
//! 1. how many of the meaningful query words the procedure matches, anywhere (a procedure must
//!    match at least half of them to be a result at all);
//! 2. the whole query as a phrase in the name (Vietnamese or English);
//! 3. how many query words are in the name, Vietnamese or English (rather than only in the field,
//!    documents or result);
//! 4. fewer words matched only through a typo;
//! 5. higher online service level (4, submitted and paid online, first);
//! 6. name, compared folded and then as written; then code.

use crate::procedure::ProcedureSpec;
use crate::text::{fold, tokens};
use serde::Deserialize;
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

/// A query is cut to this many characters, then to this many meaningful words of at most this
/// many characters each: nobody types more, and a pasted page must not cost more.
const MAX_QUERY_CHARS: usize = 500;
const MAX_QUERY_WORDS: usize = 12;
const MAX_WORD_CHARS: usize = 30;
/// A word that is no word of the catalogue may be words typed without spaces ("dangkykhaisinh"):
/// its first this many characters are split into words of at most `MAX_PIECE_CHARS`, in at most
/// `MAX_RUN_CHARS * MAX_PIECE_CHARS` look-ups.
const MAX_RUN_CHARS: usize = 60;
const MAX_PIECE_CHARS: usize = 15;
/// Shorter words are not looked at as words run together.
const MIN_RUN_CHARS: usize = 4;
/// The initials of every run of 2 to this many words of a name, document or result are indexed,
/// so that "gplx" finds "giấy phép lái xe" and "gcnqsdd" "giấy chứng nhận quyền sử dụng đất".
/// Eight ASCII initials are one `u64` (see [`initials_key`]).
const MAX_INITIALS_WORDS: usize = 8;
/// Shorter words are too often another real word one letter away.
const MIN_TYPO_CHARS: usize = 4;
/// Query words and the synonym words they bring each take a bit of a `u64`.
const MAX_SLOTS: usize = 64;
const MAX_MEANING_WORDS: usize = 12;

/// What the index knows of one procedure.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    pub code: String,
    pub name: String,
    /// The name in English, searched like the name.
    pub name_en: String,
    pub field: String,
    pub agency: String,
    /// `province` or `commune`, as in the catalogue file.
    pub level: String,
    pub service_level: u8,
    pub documents: Vec<String>,
    pub result: String,
}

impl From<&ProcedureSpec> for SearchDoc {
    fn from(spec: &ProcedureSpec) -> Self {
        SearchDoc {
            code: spec.code.clone(),
            name: spec.name.clone(),
            name_en: spec.name_en.clone(),
            field: spec.field.clone(),
            agency: spec.agency.clone(),
            level: spec.level.as_str().to_string(),
            service_level: spec.service_level,
            documents: spec.documents.clone(),
            result: spec.result.clone(),
        }
    }
}

/// Stop words and synonyms, folded, from the text of `data/search.json`.
#[derive(Debug, Clone, Default)]
pub struct SearchVocabulary {
    /// Stop words and phrases by their first word, longest first.
    stop_phrases: HashMap<String, Vec<Vec<String>>>,
    /// One per `say` phrase, without its stop words.
    synonyms: Vec<Synonym>,
    /// Every word of the stop words and of the `say` phrases.
    words: HashSet<String>,
}

#[derive(Debug, Clone)]
struct Synonym {
    say: Vec<String>,
    means: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyFile {
    #[serde(default, rename = "note")]
    _note: serde::de::IgnoredAny,
    stopwords: Vec<String>,
    synonyms: Vec<SynonymEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymEntry {
    say: Vec<String>,
    means: String,
}

impl SearchVocabulary {
    /// Reads the vocabulary file, or says what is wrong with it.
    pub fn parse(json: &str) -> Result<Self, String> {
        let file: VocabularyFile = serde_json::from_str(json).map_err(|err| err.to_string())?;
        let mut vocabulary = SearchVocabulary::default();
        for raw in &file.stopwords {
            let words = folded_words(raw);
            vocabulary.words.extend(words.iter().cloned());
            let Some(first) = words.first() else {
                return Err(format!("stop word {raw:?} has no letters or digits"));
            };
            let phrases = vocabulary.stop_phrases.entry(first.clone()).or_default();
            phrases.push(words);
            phrases.sort_by_key(|phrase| Reverse(phrase.len()));
        }
        for entry in &file.synonyms {
            let means = vocabulary.without_stop_words(&folded_words(&entry.means));
            if means.is_empty() || means.len() > MAX_MEANING_WORDS {
                return Err(format!(
                    "synonym meaning {:?} must have 1 to {MAX_MEANING_WORDS} words besides stop words",
                    entry.means
                ));
            }
            if entry.say.is_empty() {
                return Err(format!("synonym {:?} has nothing to `say`", entry.means));
            }
            for raw in &entry.say {
                vocabulary.words.extend(folded_words(raw));
                let say = vocabulary.without_stop_words(&folded_words(raw));
                if say.is_empty() {
                    return Err(format!("synonym {raw:?} has no words besides stop words"));
                }
                vocabulary.synonyms.push(Synonym { say, means: means.clone() });
            }
        }
        Ok(vocabulary)
    }

    /// Positions of the words of `words` that are not part of a stop word or phrase.
    fn meaningful_positions<S: AsRef<str>>(&self, words: &[S]) -> Vec<usize> {
        let mut kept = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            let rest = &words[i..];
            let stop_len = self
                .stop_phrases
                .get(rest[0].as_ref())
                .and_then(|phrases| {
                    phrases.iter().find(|phrase| {
                        phrase.len() <= rest.len()
                            && phrase.iter().zip(rest).all(|(a, b)| a == b.as_ref())
                    })
                })
                .map_or(0, Vec::len);
            if stop_len == 0 {
                kept.push(i);
                i += 1;
            } else {
                i += stop_len;
            }
        }
        kept
    }

    fn without_stop_words(&self, words: &[String]) -> Vec<String> {
        self.meaningful_positions(words).into_iter().map(|i| words[i].clone()).collect()
    }
}

fn folded_words(text: &str) -> Vec<String> {
    tokens(&fold(text)).into_iter().map(str::to_string).collect()
}

/// Exact matches on the stored values; `None` lets everything through.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub field: Option<String>,
    /// `province` or `commune`.
    pub level: Option<String>,
    pub agency: Option<String>,
    pub service_level: Option<u8>,
}

impl Filters {
    fn accept(&self, entry: &Entry) -> bool {
        self.field.as_ref().is_none_or(|f| *f == entry.field)
            && self.level.as_ref().is_none_or(|l| *l == entry.level)
            && self.agency.as_ref().is_none_or(|a| *a == entry.agency)
            && self.service_level.is_none_or(|s| s == entry.service_level)
    }
}

/// The catalogue, indexed for [`SearchIndex::search`]. Rebuild it when the catalogue or the
/// vocabulary changes.
pub struct SearchIndex {
    vocabulary: SearchVocabulary,
    /// In listing order (folded name, name, code), so an entry's id is also its rank by name.
    entries: Vec<Entry>,
    terms: Vec<Term>,
    term_ids: HashMap<String, u32>,
    /// Term ids sorted by text, so the words a prefix begins are one range.
    terms_by_text: Vec<u32>,
    /// Term ids by length in characters, so a typo is looked for only among lengths ±1.
    terms_by_len: Vec<Vec<u32>>,
    /// The initials of runs of words, each a term of its own that only a whole query word
    /// matches (no prefix, no typo, and only a word that is not itself a word of the catalogue).
    initials: HashMap<u64, u32>,
}

struct Entry {
    code: String,
    field: String,
    level: String,
    agency: String,
    service_level: u8,
    /// The Vietnamese and the English name's words without stop words, for phrase matches.
    name_terms: [Vec<u32>; 2],
}

/// A distinct folded word of the catalogue, and the entries that have it.
struct Term {
    text: String,
    chars: Box<[char]>,
    /// The initials of a run of words rather than a word.
    initials: bool,
    in_name: Vec<u32>,
    elsewhere: Vec<u32>,
}

impl SearchIndex {
    /// Indexes `docs`, dropping `vocabulary`'s stop words from names and keeping its synonyms
    /// for the queries.
    pub fn build(docs: Vec<SearchDoc>, vocabulary: &SearchVocabulary) -> SearchIndex {
        let mut docs: Vec<(String, SearchDoc)> =
            docs.into_iter().map(|doc| (fold(&doc.name), doc)).collect();
        docs.sort_by(|(folded_a, a), (folded_b, b)| {
            (folded_a, &a.name, &a.code).cmp(&(folded_b, &b.name, &b.code))
        });
        let mut index = SearchIndex {
            vocabulary: vocabulary.clone(),
            entries: Vec::with_capacity(docs.len()),
            terms: Vec::new(),
            term_ids: HashMap::new(),
            terms_by_text: Vec::new(),
            terms_by_len: Vec::new(),
            initials: HashMap::new(),
        };
        for (id, (folded_name, doc)) in docs.into_iter().enumerate() {
            let id = id as u32;
            let folded_name_en = fold(&doc.name_en);
            let name_terms = [&folded_name, &folded_name_en].map(|folded| {
                let words = tokens(folded);
                let ids: Vec<u32> =
                    words.iter().map(|word| index.add_posting(word, id, true)).collect();
                index.vocabulary.meaningful_positions(&words).into_iter().map(|i| ids[i]).collect()
            });
            index.add_initials(&tokens(&folded_name), id, true);
            for word in tokens(&fold(&doc.field)) {
                index.add_posting(word, id, false);
            }
            for text in std::iter::once(&doc.result).chain(&doc.documents) {
                let folded = fold(text);
                let words = tokens(&folded);
                for word in &words {
                    index.add_posting(word, id, false);
                }
                index.add_initials(&words, id, false);
            }
            index.entries.push(Entry {
                code: doc.code,
                field: doc.field,
                level: doc.level,
                agency: doc.agency,
                service_level: doc.service_level,
                name_terms,
            });
        }
        let terms = &index.terms;
        index.terms_by_text =
            (0..terms.len() as u32).filter(|&id| !terms[id as usize].initials).collect();
        index.terms_by_text.sort_by(|&a, &b| terms[a as usize].text.cmp(&terms[b as usize].text));
        for (id, term) in terms.iter().enumerate().filter(|(_, term)| !term.initials) {
            let len = term.chars.len();
            if index.terms_by_len.len() <= len {
                index.terms_by_len.resize(len + 1, Vec::new());
            }
            index.terms_by_len[len].push(id as u32);
        }
        index
    }

    /// Records that entry `id` has `word`, in its name or elsewhere; returns the word's term id.
    fn add_posting(&mut self, word: &str, id: u32, in_name: bool) -> u32 {
        let term_id = match self.term_ids.get(word) {
            Some(&term_id) => term_id,
            None => {
                let term_id = self.new_term(word, false);
                self.term_ids.insert(word.to_string(), term_id);
                term_id
            }
        };
        self.add_to_term(term_id, id, in_name);
        term_id
    }

    /// Records that entry `id` has, in its name or elsewhere, each run of 2 to
    /// `MAX_INITIALS_WORDS` of `words` as its initials.
    fn add_initials(&mut self, words: &[&str], id: u32, in_name: bool) {
        // Folded Vietnamese is ASCII; a run stops at a word of another script.
        let firsts: Vec<Option<u8>> =
            words.iter().map(|word| word.bytes().next().filter(u8::is_ascii)).collect();
        for start in 0..firsts.len() {
            let mut key = 0u64;
            for (i, first) in firsts[start..].iter().take(MAX_INITIALS_WORDS).enumerate() {
                let Some(first) = *first else {
                    break;
                };
                key = key << 8 | u64::from(first);
                if i == 0 {
                    continue;
                }
                let term_id = match self.initials.get(&key) {
                    Some(&term_id) => term_id,
                    None => {
                        let text: String = firsts[start..=start + i]
                            .iter()
                            .map(|first| char::from(first.unwrap_or_default()))
                            .collect();
                        let term_id = self.new_term(&text, true);
                        self.initials.insert(key, term_id);
                        term_id
                    }
                };
                self.add_to_term(term_id, id, in_name);
            }
        }
    }

    fn new_term(&mut self, text: &str, initials: bool) -> u32 {
        let term_id = self.terms.len() as u32;
        self.terms.push(Term {
            text: text.to_string(),
            chars: text.chars().collect(),
            initials,
            in_name: Vec::new(),
            elsewhere: Vec::new(),
        });
        term_id
    }

    fn add_to_term(&mut self, term_id: u32, id: u32, in_name: bool) {
        let term = &mut self.terms[term_id as usize];
        let postings = if in_name { &mut term.in_name } else { &mut term.elsewhere };
        // Entries are added one at a time, so a repeat can only be the last one.
        if postings.last() != Some(&id) {
            postings.push(id);
        }
    }

    /// Codes of the matching procedures, best first (see the module's ranking), from `offset`,
    /// at most `limit`; and how many matched in all. A query without meaningful words lists the
    /// filtered catalogue by name.
    pub fn search(
        &self,
        query: &str,
        filters: &Filters,
        offset: usize,
        limit: usize,
    ) -> (Vec<String>, usize) {
        let Some(query) = self.parse_query(query) else {
            let listed: Vec<u32> = (0..self.entries.len() as u32)
                .filter(|&id| filters.accept(&self.entries[id as usize]))
                .collect();
            return (self.page(&listed, offset, limit), listed.len());
        };
        let mut marks = vec![Marks::default(); self.entries.len()];
        for (slot, accepted) in query.slots.iter().enumerate() {
            let bit = 1u64 << slot;
            for &(term_id, typo) in accepted {
                let term = &self.terms[term_id as usize];
                for (postings, in_name) in [(&term.in_name, true), (&term.elsewhere, false)] {
                    for &id in postings {
                        marks[id as usize].add(bit, in_name, typo);
                    }
                }
            }
        }
        let word_count = query.word_count();
        let mut ranked = Vec::new();
        for (id, (entry, marks)) in self.entries.iter().zip(&marks).enumerate() {
            if marks.any == 0 {
                continue;
            }
            let score = query.score(marks);
            if score.matched * 2 < word_count || !filters.accept(entry) {
                continue;
            }
            let phrase = score.in_name == word_count
                && entry.name_terms.iter().any(|name| query.is_phrase_in(name));
            // The module's ranking rules in order; the id, being the rank by name, ends ties.
            let key = (
                Reverse(score.matched),
                Reverse(phrase),
                Reverse(score.in_name),
                score.typos,
                Reverse(entry.service_level),
                id as u32,
            );
            ranked.push(key);
        }
        // Only the requested page needs to be in order.
        let total = ranked.len();
        let end = offset.saturating_add(limit).min(total);
        if end > 0 && end < total {
            ranked.select_nth_unstable(end - 1);
        }
        ranked[..end].sort_unstable();
        let ids: Vec<u32> = ranked[..end].iter().map(|key| key.5).collect();
        (self.page(&ids, offset, limit), total)
    }

    fn page(&self, ids: &[u32], offset: usize, limit: usize) -> Vec<String> {
        ids.iter()
            .skip(offset)
            .take(limit)
            .map(|&id| self.entries[id as usize].code.clone())
            .collect()
    }

    /// How many procedures are indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The meaningful words of `raw`, grouped with the synonyms they say, each word resolved to
    /// the catalogue's words it accepts; `None` when nothing meaningful is left.
    fn parse_query(&self, raw: &str) -> Option<Query> {
        let raw = match raw.char_indices().nth(MAX_QUERY_CHARS) {
            Some((end, _)) => &raw[..end],
            None => raw,
        };
        let folded = fold(raw);
        let all_words = tokens(&folded);
        // A word is still being typed unless something follows it.
        let typing = folded.ends_with(char::is_alphanumeric);
        let mut words: Vec<QueryWord> = Vec::new();
        let mut slots: Vec<Vec<(u32, bool)>> = Vec::new();
        for position in self.vocabulary.meaningful_positions(&all_words) {
            if words.len() == MAX_QUERY_WORDS {
                break;
            }
            let prefix = typing && position + 1 == all_words.len();
            let word = QueryWord::new(all_words[position], prefix);
            if words.iter().any(|known| known.text == word.text) {
                continue;
            }
            let accepted = self.accepted_terms(&word);
            // A word that matches nothing may be words typed without spaces between them.
            if accepted.is_empty() && !self.vocabulary.words.contains(&word.text) {
                if let Some(pieces) = self.split_run(all_words[position], prefix) {
                    for piece in pieces {
                        if words.len() < MAX_QUERY_WORDS
                            && !words.iter().any(|known| known.text == piece.text)
                        {
                            slots.push(self.accepted_terms(&piece));
                            words.push(piece);
                        }
                    }
                    continue;
                }
            }
            words.push(word);
            slots.push(accepted);
        }
        if words.is_empty() {
            return None;
        }

        let mut units = Vec::new();
        let mut start = 0;
        while start < words.len() {
            let rest = &words[start..];
            let said: Vec<&Synonym> = self
                .vocabulary
                .synonyms
                .iter()
                .filter(|synonym| {
                    synonym.say.len() <= rest.len()
                        && synonym.say.iter().zip(rest).all(|(say, word)| word.matches(say))
                })
                .collect();
            let span = said.iter().map(|synonym| synonym.say.len()).max().unwrap_or(1);
            let mut unit = Unit::new((start..start + span).collect());
            let mut meanings: Vec<&Vec<String>> = Vec::new();
            for synonym in said.iter().filter(|synonym| synonym.say.len() == span) {
                if !meanings.contains(&&synonym.means) {
                    meanings.push(&synonym.means);
                }
            }
            for means in meanings {
                if slots.len() + means.len() > MAX_SLOTS {
                    break;
                }
                let first = slots.len();
                slots.extend(means.iter().map(|word| self.exact_term(word)));
                unit.add_meaning((first..slots.len()).collect());
            }
            units.push(unit);
            start += span;
        }
        Some(Query { slots, units })
    }

    fn exact_term(&self, word: &str) -> Vec<(u32, bool)> {
        self.term_ids.get(word).map(|&id| vec![(id, false)]).unwrap_or_default()
    }

    /// Term ids of the catalogue's words that begin with `text`, in the order of their text.
    fn words_beginning<'a>(&'a self, text: &'a str) -> impl Iterator<Item = u32> + 'a {
        let start =
            self.terms_by_text.partition_point(|&id| self.terms[id as usize].text.as_str() < text);
        self.terms_by_text[start..]
            .iter()
            .copied()
            .take_while(move |&id| self.terms[id as usize].text.starts_with(text))
    }

    /// The catalogue's words that `word` stands for, sorted by id, each with whether it takes a
    /// typo to get there.
    fn accepted_terms(&self, word: &QueryWord) -> Vec<(u32, bool)> {
        let mut accepted = self.exact_term(&word.text);
        if word.prefix {
            accepted.extend(self.words_beginning(&word.text).map(|id| (id, false)));
        }
        // Not a word of the catalogue: perhaps the initials of some of its words.
        if accepted.is_empty() {
            if let Some(&id) = initials_key(&word.text).and_then(|key| self.initials.get(&key)) {
                accepted.push((id, false));
            }
        }
        let len = word.chars.len();
        if len >= MIN_TYPO_CHARS {
            for ids in (len - 1..=len + 1).filter_map(|len| self.terms_by_len.get(len)) {
                accepted.extend(
                    ids.iter()
                        .filter(|&&id| word.is_typo_of(&self.terms[id as usize].chars))
                        .map(|&id| (id, true)),
                );
            }
        }
        // An exact or prefix match sorts before a typo of the same word and is the one kept.
        accepted.sort_unstable();
        accepted.dedup_by_key(|(id, _)| *id);
        accepted
    }
}

/// The key of `text` in [`SearchIndex::initials`]: its bytes, when it has 2 to
/// `MAX_INITIALS_WORDS`, all ASCII.
fn initials_key(text: &str) -> Option<u64> {
    ((2..=MAX_INITIALS_WORDS).contains(&text.len()) && text.is_ascii())
        .then(|| text.bytes().fold(0, |key, byte| key << 8 | u64::from(byte)))
}

impl SearchIndex {
    /// `word`'s first `MAX_RUN_CHARS` characters as the fewest words of the catalogue or the
    /// vocabulary ("dangkykhaisinh": "dang", "ky", "khai", "sinh"), without its stop words; the
    /// last may be the beginning of a word when `word` is still being typed or was cut. `None`
    /// unless it splits in two or more, at most half of them single letters, and something
    /// besides stop words is left. Linear in the length: each position tries each piece length.
    fn split_run(&self, word: &str, prefix: bool) -> Option<Vec<QueryWord>> {
        let ends: Vec<usize> =
            word.char_indices().map(|(i, c)| i + c.len_utf8()).take(MAX_RUN_CHARS).collect();
        let len = ends.len();
        if len < MIN_RUN_CHARS {
            return None;
        }
        let open_end = prefix || word.len() > ends[len - 1];
        let text = &word[..ends[len - 1]];
        let offset = |i: usize| if i == 0 { 0 } else { ends[i - 1] };
        // best[i]: the cost of the cheapest split of the characters from i, and where its first
        // piece ends. A piece costs 1, a single letter 3, an unfinished last piece 2 (3 if single).
        let mut best: Vec<Option<(usize, usize)>> = vec![None; len + 1];
        best[len] = Some((0, len));
        for start in (0..len).rev() {
            // Longer pieces first, so that of equal costs the longer first piece is kept.
            for end in (start + 1..=len.min(start + MAX_PIECE_CHARS)).rev() {
                let Some((rest, _)) = best[end] else {
                    continue;
                };
                let piece = &text[offset(start)..offset(end)];
                let cost = if self.term_ids.contains_key(piece)
                    || self.vocabulary.words.contains(piece)
                {
                    1
                } else if end == len && open_end && self.words_beginning(piece).next().is_some() {
                    2
                } else {
                    continue;
                };
                let cost = if end - start == 1 { 3 } else { cost };
                if best[start].is_none_or(|(known, _)| cost + rest < known) {
                    best[start] = Some((cost + rest, end));
                }
            }
        }
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < len {
            let (_, end) = best[start]?;
            pieces.push(&text[offset(start)..offset(end)]);
            start = end;
        }
        let singles = pieces.iter().filter(|piece| piece.chars().count() == 1).count();
        if pieces.len() < 2 || singles * 2 > pieces.len() {
            return None;
        }
        let last = pieces.len() - 1;
        let kept: Vec<QueryWord> = self
            .vocabulary
            .meaningful_positions(&pieces)
            .into_iter()
            .map(|i| QueryWord::new(pieces[i], open_end && i == last))
            .collect();
        (!kept.is_empty()).then_some(kept)
    }
}

struct QueryWord {
    text: String,
    chars: Vec<char>,
    /// The last word, still being typed: it also matches the words it begins.
    prefix: bool,
}

impl QueryWord {
    /// `word`, cut to `MAX_WORD_CHARS`.
    fn new(word: &str, prefix: bool) -> QueryWord {
        let chars: Vec<char> = word.chars().take(MAX_WORD_CHARS).collect();
        QueryWord { text: chars.iter().collect(), chars, prefix }
    }

    fn matches(&self, word: &str) -> bool {
        self.text == word
            || (self.prefix && word.starts_with(&self.text))
            || self.is_typo_of(&word.chars().collect::<Vec<_>>())
    }

    fn is_typo_of(&self, word: &[char]) -> bool {
        self.chars.len() >= MIN_TYPO_CHARS
            && word.len() >= MIN_TYPO_CHARS
            && one_edit_apart(&self.chars, word)
    }
}

/// Whether `a` and `b` differ by exactly one substituted, inserted or deleted character, or two
/// adjacent characters swapped.
fn one_edit_apart(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let same = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() < long.len() {
        return short[same..] == long[same + 1..];
    }
    if same == short.len() {
        return false;
    }
    let after = same + 1;
    short[after..] == long[after..]
        || (after < short.len()
            && short[same] == long[after]
            && short[after] == long[same]
            && short[after + 1..] == long[after + 1..])
}

/// Which query slots (bits) an entry matched: anywhere, in its name, and without a typo.
#[derive(Clone, Copy, Default)]
struct Marks {
    any: u64,
    name: u64,
    exact: u64,
}

impl Marks {
    fn add(&mut self, bit: u64, in_name: bool, typo: bool) {
        self.any |= bit;
        if in_name {
            self.name |= bit;
        }
        if !typo {
            self.exact |= bit;
        }
    }
}

/// A query after parsing. Each slot is one word to look for: first the query's own words, then
/// the words of the synonyms they say.
struct Query {
    slots: Vec<Vec<(u32, bool)>>,
    units: Vec<Unit>,
}

/// One query word, or the words of a `say` phrase together with what they mean: the meaning,
/// found whole, counts as all of the phrase's words.
struct Unit {
    words: Vec<usize>,
    words_mask: u64,
    meanings: Vec<(Vec<usize>, u64)>,
}

fn mask(slots: &[usize]) -> u64 {
    slots.iter().fold(0, |mask, slot| mask | 1 << slot)
}

impl Unit {
    fn new(words: Vec<usize>) -> Unit {
        Unit { words_mask: mask(&words), words, meanings: Vec::new() }
    }

    fn add_meaning(&mut self, slots: Vec<usize>) {
        let meaning_mask = mask(&slots);
        self.meanings.push((slots, meaning_mask));
    }
}

#[derive(Default)]
struct Score {
    /// Query words matched anywhere, and in the name.
    matched: usize,
    in_name: usize,
    /// Words matched only through a typo.
    typos: usize,
}

impl Query {
    fn word_count(&self) -> usize {
        self.units.iter().map(|unit| unit.words.len()).sum()
    }

    fn score(&self, marks: &Marks) -> Score {
        let mut score = Score::default();
        for unit in &self.units {
            let count = |mask: u64| (mask & unit.words_mask).count_ones() as usize;
            let mut matched = count(marks.any);
            let mut in_name = count(marks.name);
            let mut typos = count(marks.any & !marks.exact);
            for &(_, meaning) in &unit.meanings {
                if marks.any & meaning == meaning {
                    matched = unit.words.len();
                    typos = 0;
                    if marks.name & meaning == meaning {
                        in_name = unit.words.len();
                    }
                }
            }
            score.matched += matched;
            score.in_name += in_name;
            score.typos += typos;
        }
        score
    }

    /// Whether the units, each as its own words or as one of its meanings, follow one another
    /// in `name`.
    fn is_phrase_in(&self, name: &[u32]) -> bool {
        (0..name.len()).any(|start| self.units_follow(&self.units, &name[start..]))
    }

    /// Whether `units` begin `name`, one right after the other.
    fn units_follow(&self, units: &[Unit], name: &[u32]) -> bool {
        let Some((unit, rest)) = units.split_first() else {
            return true;
        };
        let sequences =
            std::iter::once(&unit.words).chain(unit.meanings.iter().map(|(slots, _)| slots));
        for sequence in sequences {
            let begins = sequence.len() <= name.len()
                && sequence.iter().zip(name).all(|(&slot, term)| {
                    self.slots[slot].binary_search_by_key(term, |&(id, _)| id).is_ok()
                });
            if begins && self.units_follow(rest, &name[sequence.len()..]) {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procedure::parse_catalogue;

    fn catalogue() -> Vec<SearchDoc> {
        parse_catalogue(include_str!("../../data/procedures.json"))
            .unwrap()
            .iter()
            .map(SearchDoc::from)
            .collect()
    }

    fn vocabulary() -> SearchVocabulary {
        SearchVocabulary::parse(include_str!("../../data/search.json")).unwrap()
    }

    fn real_index() -> SearchIndex {
        SearchIndex::build(catalogue(), &vocabulary())
    }

    fn doc(code: &str, name: &str, service_level: u8) -> SearchDoc {
        SearchDoc {
            code: code.into(),
            name: name.into(),
            // Most tests are about the Vietnamese name alone.
            name_en: String::new(),
            field: "Khác".into(),
            agency: "UBND cấp xã".into(),
            level: "commune".into(),
            service_level,
            documents: vec!["Tờ khai".into()],
            result: "Văn bản trả lời".into(),
        }
    }

    fn codes(index: &SearchIndex, query: &str) -> Vec<String> {
        index.search(query, &Filters::default(), 0, 100).0
    }

    fn first(index: &SearchIndex, query: &str) -> String {
        codes(index, query)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("nothing found for {query:?}"))
    }

    fn total(index: &SearchIndex, query: &str) -> usize {
        index.search(query, &Filters::default(), 0, 0).1
    }

    #[test]
    fn diacritics_case_and_word_order_do_not_matter() {
        let index = real_index();
        for query in [
            "Đăng ký khai sinh",
            "dang ky khai sinh",
            "DANG KY KHAI SINH",
            "đang ky khai sinh",
            "Dăng Ký Khai Sinh",
            "đăng kí khai sinh",
            "khai sinh đăng ký",
            "khai sinh dang ky",
        ] {
            assert_eq!(first(&index, query), "XA-HT-01", "{query}");
        }
    }

    #[test]
    fn one_typo_per_word_is_forgiven() {
        let index = real_index();
        for (query, expected) in [
            ("dnag ky khai sinh", "XA-HT-01"),
            ("khia sinh", "XA-HT-01"),
            ("dang ky khai sinhh", "XA-HT-01"),
            ("dang ky thuomg tru", "XA-CU-01"),
            ("dang ky thung tru", "XA-CU-01"),
            ("dang ky thuongg tru", "XA-CU-01"),
            ("giay pehp lai xe quoc te", "TI-GT-02"),
        ] {
            assert_eq!(first(&index, query), expected, "{query}");
        }
    }

    #[test]
    fn words_under_four_letters_need_exact_spelling() {
        let index = SearchIndex::build(
            vec![doc("A", "Đăng ký kết hôn", 1), doc("B", "Nhà ở", 1)],
            &SearchVocabulary::default(),
        );
        assert_eq!(total(&index, "hon "), 1);
        assert_eq!(total(&index, "hom "), 0);
        // "nhan" is one letter from "nha", but "nha" is too short to be reached by a typo.
        assert_eq!(total(&index, "nhan "), 0);
    }

    #[test]
    fn one_edit_means_one_substitution_insertion_deletion_or_swap() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        let apart = |a: &str, b: &str| one_edit_apart(&chars(a), &chars(b));
        assert!(apart("khai", "khia"));
        assert!(apart("khai", "khao"));
        assert!(apart("thuong", "thung"));
        assert!(apart("thung", "thuong"));
        assert!(apart("sinh", "sinhh"));
        assert!(apart("dang", "dnag"));
        assert!(!apart("dang", "dang"));
        assert!(!apart("dang", "ngda"));
        assert!(!apart("khai", "kiah"));
        assert!(!apart("sinh", "sinhhh"));
        assert!(!apart("khai", "khoi1"));
    }

    #[test]
    fn the_last_word_matches_as_a_prefix() {
        let index = real_index();
        assert_eq!(first(&index, "dang ky khai s"), "XA-HT-01");
        assert_eq!(first(&index, "giay phep lai xe quoc"), "TI-GT-02");
        assert_eq!(first(&index, "ly lich tu ph"), "TI-TP-01");

        let index = SearchIndex::build(
            vec![doc("A", "Cấp phép khai thác", 1), doc("B", "Đăng ký khai sinh", 1)],
            &SearchVocabulary::default(),
        );
        assert_eq!(codes(&index, "dang kh"), ["B", "A"]);
        // Only the word being typed is a prefix: not an earlier one, nor one followed by a space.
        assert_eq!(codes(&index, "kh dang"), ["B"]);
        assert_eq!(codes(&index, "dang kh "), ["B"]);
    }

    #[test]
    fn filler_words_do_not_stop_the_match() {
        let index = real_index();
        for (query, expected) in [
            ("làm giấy khai sinh cho con", "XA-HT-01"),
            ("thủ tục đổi bằng lái xe", "TI-GT-01"),
            ("xin giấy xác nhận độc thân", "XA-HT-04"),
            ("tôi muốn đăng ký kết hôn thì làm thế nào", "XA-HT-03"),
            ("hướng dẫn cách đăng ký tạm trú online", "XA-CU-02"),
        ] {
            assert_eq!(first(&index, query), expected, "{query}");
        }
    }

    #[test]
    fn more_matched_words_rank_first() {
        let index = real_index();
        // The level-4 "Đăng ký khai sinh" matches only some words; the level-3 one matches all.
        assert_eq!(first(&index, "đăng ký khai sinh nước ngoài"), "XA2-HT-02");
        let index = SearchIndex::build(
            vec![
                doc("ALL", "Cấp chứng chỉ hành nghề dược", 1),
                doc("SOME", "Cấp chứng chỉ hành nghề", 4),
            ],
            &SearchVocabulary::default(),
        );
        assert_eq!(codes(&index, "chứng chỉ hành nghề dược"), ["ALL", "SOME"]);
        // A procedure needs at least half of the words.
        assert_eq!(codes(&index, "chứng chỉ tin học ngoại ngữ quốc tế"), Vec::<String>::new());
    }

    #[test]
    fn phrase_in_name_then_words_in_name_then_elsewhere_then_service_level_then_name() {
        let elsewhere = SearchDoc {
            result: "Giấy phép xây dựng".into(),
            ..doc("ELSEWHERE", "Thủ tục khác", 4)
        };
        let half_in_field =
            SearchDoc { field: "Xây dựng".into(), ..doc("HALF", "Cấp phép", 4) };
        let index = SearchIndex::build(
            vec![
                elsewhere,
                half_in_field,
                doc("SCATTERED-2", "Xây dựng mới: cấp phép", 2),
                doc("SCATTERED-4", "Xây dựng: cấp phép", 4),
                doc("PHRASE-DO", "Cấp phép xây dựng đô thị", 1),
                doc("PHRASE-DA", "Cấp phép xây dựng Đà Nẵng", 1),
                doc("PHRASE", "Cấp phép xây dựng", 1),
                doc("ONE-WORD", "Cấp giấy", 4),
            ],
            &SearchVocabulary::default(),
        );
        assert_eq!(
            codes(&index, "cấp phép xây dựng"),
            ["PHRASE", "PHRASE-DA", "PHRASE-DO", "SCATTERED-4", "SCATTERED-2", "HALF", "ELSEWHERE",]
        );
        // A typo ranks after an exact match, all else equal.
        let index = SearchIndex::build(
            vec![doc("TYPO", "Cấp phép xay dung", 4), doc("EXACT", "Cấp phép xây dựgn", 4)],
            &SearchVocabulary::default(),
        );
        assert_eq!(codes(&index, "xay dugn"), ["EXACT", "TYPO"]);
    }

    #[test]
    fn colloquial_names_lead_to_the_formal_procedure() {
        let index = real_index();
        for (query, expected) in [
            ("bằng lái xe", "TI-GT-01"),
            ("đổi bằng lái", "TI-GT-01"),
            ("bang lai quoc te", "TI-GT-02"),
            ("sổ đỏ", "XA2-DD-01"),
            ("làm sổ đỏ lần đầu", "XA2-DD-01"),
            ("sang tên sổ đỏ", "XA2-DD-02"),
            ("tách sổ", "XA2-DD-03"),
            ("giấy độc thân", "XA-HT-04"),
            ("hộ cá thể", "XA2-KD-01"),
            ("mở quán ăn", "XA2-KD-01"),
            ("mở công ty", "TI-DN-01"),
            ("giấy chứng tử", "XA-HT-02"),
            ("giấy kết hôn", "XA-HT-03"),
            ("nhập hộ khẩu", "XA-CU-01"),
            ("kt3", "XA-CU-02"),
            ("xác nhận không tiền án", "TI-TP-01"),
            ("công chứng hợp đồng nhà", "XA-CT-03"),
            ("photo công chứng", "XA-CT-01"),
            ("xin phép xây nhà", "XA2-XD-01"),
            ("sửa nhà", "XA2-XD-02"),
            ("tiền mai táng", "XA-BTXH-02"),
            ("vệ sinh thực phẩm", "XA2-ATTP-01"),
            ("work permit", "TI-LD-01"),
        ] {
            assert_eq!(first(&index, query), expected, "{query}");
        }

        // The sample has no identity-card procedure; the real catalogue does.
        let mut docs = catalogue();
        docs.push(doc("CA-01", "Cấp thẻ căn cước", 3));
        let index = SearchIndex::build(docs, &vocabulary());
        for query in ["làm căn cước", "cccd", "làm lại chứng minh nhân dân", "can cuoc cong dan"]
        {
            assert_eq!(first(&index, query), "CA-01", "{query}");
        }
    }

    #[test]
    fn a_synonym_adds_to_the_query_words() {
        let vocabulary = SearchVocabulary::parse(
            r#"{"stopwords": [], "synonyms": [{"say": ["sổ đỏ"], "means": "giấy chứng nhận"}]}"#,
        )
        .unwrap();
        let index = SearchIndex::build(
            vec![
                doc("FORMAL", "Cấp giấy chứng nhận", 4),
                doc("AS-SAID", "Cấp lại sổ đỏ", 4),
                doc("NEITHER", "Cấp giấy phép", 4),
            ],
            &vocabulary,
        );
        // Both match all they can, as a phrase in the name; the name decides.
        assert_eq!(codes(&index, "so do"), ["FORMAL", "AS-SAID"]);
    }

    #[test]
    fn filters_and_paging() {
        let docs = catalogue();
        let index = real_index();
        let count = |keep: &dyn Fn(&SearchDoc) -> bool| docs.iter().filter(|d| keep(d)).count();

        let civil = Filters { field: Some("Hộ tịch".into()), ..Filters::default() };
        let (page, total) = index.search("", &civil, 0, 100);
        assert_eq!(total, count(&|d| d.field == "Hộ tịch"));
        assert_eq!(page.len(), total);
        assert!(page.iter().all(|code| code.contains("-HT-")));

        let province = Filters { level: Some("province".into()), ..Filters::default() };
        let (page, total) = index.search("giấy phép", &province, 0, 100);
        assert!(total > 0 && page.iter().all(|code| code.starts_with("TI-")));
        assert_eq!(page[0], "TI-GT-01");

        let health = Filters { agency: Some("Sở Y tế".into()), ..Filters::default() };
        assert_eq!(index.search("", &health, 0, 10).0, ["TI-YT-02", "TI-YT-01"]);

        let online = Filters { service_level: Some(4), ..Filters::default() };
        let (page, total) = index.search("đăng ký", &online, 0, 100);
        let level_of = |code: &String| docs.iter().find(|d| d.code == *code).unwrap().service_level;
        assert!(total > 0 && page.iter().all(|code| level_of(code) == 4));
        assert_eq!(index.search("giấy phép", &online, 0, 100).1, {
            let all = index.search("giấy phép", &Filters::default(), 0, 100).0;
            all.iter().filter(|code| level_of(code) == 4).count()
        });

        for query in ["", "đăng ký"] {
            let (all, total) = index.search(query, &Filters::default(), 0, 100);
            assert_eq!(all.len(), total);
            let paged: Vec<String> = (0..total)
                .step_by(4)
                .flat_map(|offset| {
                    let (page, page_total) = index.search(query, &Filters::default(), offset, 4);
                    assert_eq!(page_total, total);
                    page
                })
                .collect();
            assert_eq!(paged, all, "{query}");
            assert_eq!(index.search(query, &Filters::default(), total + 5, 4), (vec![], total));
        }
    }

    #[test]
    fn an_empty_query_lists_the_catalogue_by_name() {
        let index = real_index();
        let names: HashMap<String, String> =
            catalogue().into_iter().map(|d| (d.code, d.name)).collect();
        for query in ["", "   ", " ?!… ", "làm cho tôi với", "thủ tục như thế nào"] {
            let (page, total) = index.search(query, &Filters::default(), 0, 100);
            assert_eq!(total, 53, "{query:?}");
            let folded: Vec<String> = page.iter().map(|code| fold(&names[code])).collect();
            assert!(folded.windows(2).all(|w| w[0] <= w[1]), "{query:?}");
        }

        let index = SearchIndex::build(
            vec![
                doc("X", "Xác nhận", 1),
                doc("D2", "Đăng ký", 1),
                doc("C", "Chứng thực", 1),
                doc("D1", "Dang ky", 1),
                doc("A", "cấp", 1),
            ],
            &SearchVocabulary::default(),
        );
        assert_eq!(codes(&index, ""), ["A", "C", "D1", "D2", "X"]);
    }

    #[test]
    fn a_very_long_query_is_capped() {
        let index = real_index();
        let repeated = "đăng ký khai sinh ".repeat(600);
        assert_eq!(first(&index, &repeated), "XA-HT-01");
        assert_eq!(total(&index, &"a".repeat(10_000)), 0);
        let many_words: String = (0..2_000).map(|i| format!("w{i} ")).collect();
        assert_eq!(total(&index, &many_words), 0);
        // Only the first words count.
        let tail = format!("{} đăng ký khai sinh", "xyz ".repeat(3_000));
        assert_eq!(total(&index, &tail), 0);
    }

    #[test]
    fn the_vocabulary_file_is_checked() {
        let shipped = vocabulary();
        assert!(shipped.synonyms.len() >= 20);
        assert!(shipped.stop_phrases.contains_key("lam"));

        for (bad, expected) in [
            (r#"{"stopwords": [], "synonyms": [], "extra": 1}"#, "unknown field"),
            (r#"{"stopwords": ["?!"], "synonyms": []}"#, "no letters or digits"),
            (r#"{"stopwords": [], "synonyms": [{"say": [], "means": "x"}]}"#, "nothing to"),
            (
                r#"{"stopwords": ["làm"], "synonyms": [{"say": ["làm"], "means": "x"}]}"#,
                "besides stop words",
            ),
            (r#"{"stopwords": [], "synonyms": [{"say": ["x"], "means": " "}]}"#, "1 to 12"),
            (r#"{"stopwords": []"#, "EOF"),
        ] {
            let err = SearchVocabulary::parse(bad).unwrap_err();
            assert!(err.contains(expected), "{bad}: {err}");
        }
    }

    /// Each query of `table` with the procedure it must find in its top three; every miss is
    /// named before the test fails.
    fn assert_top_three(index: &SearchIndex, table: &[(&str, &str)]) {
        assert!(table.len() >= 8);
        let misses: Vec<String> = table
            .iter()
            .filter_map(|&(query, expected)| {
                let top = index.search(query, &Filters::default(), 0, 3).0;
                (!top.iter().any(|code| code == expected))
                    .then(|| format!("{query:?}: wanted {expected} in the top three, got {top:?}"))
            })
            .collect();
        assert!(
            misses.is_empty(),
            "{} of {} missed:\n{}",
            misses.len(),
            table.len(),
            misses.join("\n")
        );
    }

    const ABBREVIATIONS: [(&str, &str); 22] = [
        ("gplx", "TI-GT-01"),
        ("GPLX quốc tế", "TI-GT-02"),
        ("đổi gplx", "TI-GT-01"),
        ("blx", "TI-GT-01"),
        ("gpxd", "XA2-XD-01"),
        ("GPXD nhà ở", "XA2-XD-01"),
        ("lltp", "TI-TP-01"),
        ("xin LLTP cho công dân", "TI-TP-01"),
        ("gcn qsdđ", "XA2-DD-01"),
        ("GCNQSDĐ", "XA2-DD-01"),
        ("QSDĐ lần đầu", "XA2-DD-01"),
        ("đkkd", "XA2-KD-01"),
        ("DKKD", "XA2-KD-01"),
        ("hkd", "XA2-KD-01"),
        ("đăng ký HKD", "XA2-KD-01"),
        ("đk kết hôn", "XA-HT-03"),
        ("dk tam tru", "XA-CU-02"),
        ("xntthn", "XA-HT-04"),
        ("attp", "XA2-ATTP-01"),
        ("cchn dược", "TI-YT-02"),
        ("cty tnhh 2 thành viên", "TI-DN-02"),
        ("đtm", "TI-TN-02"),
    ];

    const RUN_TOGETHER: [(&str, &str); 20] = [
        ("dangkykhaisinh", "XA-HT-01"),
        ("khaisinh", "XA-HT-01"),
        ("giayphepxaydung", "XA2-XD-01"),
        ("lylichtuphap", "TI-TP-01"),
        ("dangkykethon", "XA-HT-03"),
        ("ĐăngKýKếtHôn", "XA-HT-03"),
        ("dangkythuongtru", "XA-CU-01"),
        ("dangkytamtru", "XA-CU-02"),
        ("khaitu", "XA-HT-02"),
        ("xacnhandocthan", "XA-HT-04"),
        ("hokinhdoanh", "XA2-KD-01"),
        ("giayphepxaynha", "XA2-XD-01"),
        ("banglaixe", "TI-GT-01"),
        ("chungthucchuky", "XA-CT-02"),
        ("giaychungnhanquyensudungdat", "XA2-DD-01"),
        ("thanhlapdoanhnghiep", "TI-DN-01"),
        ("sodo", "XA2-DD-01"),
        ("tachthua", "XA2-DD-03"),
        ("làm giấykhaisinh cho con", "XA-HT-01"),
        // Still being typed: the last piece is the beginning of a word.
        ("dangkykhais", "XA-HT-01"),
    ];

    const ENGLISH: [(&str, &str); 24] = [
        ("birth certificate", "XA-HT-01"),
        ("how to register a birth", "XA-HT-01"),
        ("Birth regis", "XA-HT-01"),
        ("marriage", "XA-HT-03"),
        ("i want to get married", "XA-HT-03"),
        ("death certificate", "XA-HT-02"),
        ("criminal record", "TI-TP-01"),
        ("police clearance certificate", "TI-TP-01"),
        ("driving licence", "TI-GT-01"),
        ("driving license", "TI-GT-01"),
        ("driver's license", "TI-GT-01"),
        ("How do I get a driver's license?", "TI-GT-01"),
        ("international driving permit", "TI-GT-02"),
        ("building permit", "XA2-XD-01"),
        ("business license", "XA2-KD-01"),
        ("residence registration", "XA-CU-01"),
        ("temporary residence registration", "XA-CU-02"),
        ("work permit for foreigners", "TI-LD-01"),
        ("certified copy", "XA-CT-01"),
        ("single status certificate", "XA-HT-04"),
        ("red book", "XA2-DD-01"),
        ("food safety certificate", "XA2-ATTP-01"),
        ("open a company", "TI-DN-02"),
        ("register a guest", "XA-CU-04"),
    ];

    const FAMILY: [(&str, &str); 16] = [
        ("đổi tên cho con", "XA2-HT-01"),
        ("đổi họ cho con theo mẹ", "XA2-HT-01"),
        ("sửa ngày sinh trong giấy khai sinh", "XA2-HT-01"),
        ("change my child's name", "XA2-HT-01"),
        ("nhận con", "XA-HT-05"),
        ("bố nhận con", "XA-HT-05"),
        ("nhận con ngoài giá thú", "XA-HT-05"),
        ("khai sinh và nhận cha cho con", "XA-HT-08"),
        ("làm giấy khai sinh cho bé", "XA-HT-01"),
        ("nhập khẩu cho con", "XA-CU-01"),
        ("tách hộ khẩu", "XA-CU-01"),
        ("xin lại giấy khai sinh cho con", "XA-HT-07"),
        ("mất giấy khai sinh", "XA-HT-07"),
        ("giám hộ cho cháu", "XA-HT-06"),
        ("lấy vợ", "XA-HT-03"),
        ("chuyển trường cho con", "XA2-GD-01"),
    ];

    #[test]
    fn abbreviations_find_what_they_abbreviate() {
        assert_top_three(&real_index(), &ABBREVIATIONS);
    }

    #[test]
    fn initials_are_matched_whole_and_only_by_a_word_the_catalogue_lacks() {
        let index = SearchIndex::build(
            vec![
                doc("GPLX", "Cấp giấy phép lái xe", 1),
                doc("HON", "Đăng ký kết hôn", 1),
                doc("HON-INITIALS", "Hộ ông nội", 1),
            ],
            &SearchVocabulary::default(),
        );
        assert_eq!(codes(&index, "gplx"), ["GPLX"]);
        // A run of initials ends anywhere and starts anywhere.
        assert_eq!(codes(&index, "plx "), ["GPLX"]);
        assert_eq!(codes(&index, "cgp "), ["GPLX"]);
        // Initials take no typo and are not begun by a prefix.
        assert_eq!(total(&index, "gplz "), 0);
        assert_eq!(total(&index, "gpl "), 1);
        // "hon" is a word of the catalogue, so it is not also taken for initials.
        assert_eq!(codes(&index, "hon "), ["HON"]);
        assert_eq!(codes(&index, "ho "), ["HON-INITIALS"]);
    }

    #[test]
    fn words_run_together_are_split_into_the_catalogues_words() {
        let index = real_index();
        assert_top_three(&index, &RUN_TOGETHER);
        // Split, the words are the query: the same answers as typed with spaces.
        for (run, spaced) in [
            ("dangkykhaisinh", "dang ky khai sinh"),
            ("lylichtuphap", "ly lich tu phap"),
            ("giayphepxaynha", "giay phep xay nha"),
        ] {
            assert_eq!(codes(&index, run), codes(&index, spaced), "{run}");
        }
        // A typo is still a typo, not a split.
        assert_eq!(first(&index, "dang ky khai sinhh"), "XA-HT-01");
        // What splits into nothing but stop words, or not at all, matches nothing.
        for nothing in ["lamxinchocon", "xyzxyzxyz", "qqqqqqqq"] {
            assert_eq!(total(&index, nothing), 0, "{nothing}");
        }
    }

    #[test]
    fn plain_english_finds_the_procedure() {
        let index = real_index();
        assert_top_three(&index, &ENGLISH);
        // The English name is a name: a phrase in it ranks first.
        assert_eq!(first(&index, "marriage registration"), "XA-HT-03");
        assert_eq!(first(&index, "criminal record certificate"), "TI-TP-01");
    }

    #[test]
    fn family_life_phrasings_lead_to_the_civil_status_procedures() {
        assert_top_three(&real_index(), &FAMILY);
        // The catalogue has neither adoption nor the recording of a divorce; one that has them
        // finds them.
        let mut docs = catalogue();
        docs.push(doc("NUOI", "Đăng ký việc nuôi con nuôi trong nước", 3));
        docs.push(doc("LY-HON", "Ghi chú ly hôn", 3));
        let index = SearchIndex::build(docs, &vocabulary());
        for query in ["con nuôi", "nhận con nuôi", "xin con nuôi", "adopt a child", "adoption"]
        {
            assert_eq!(first(&index, query), "NUOI", "{query}");
        }
        for query in ["ly hôn", "ly di", "divorce"] {
            assert_eq!(first(&index, query), "LY-HON", "{query}");
        }
    }

    #[test]
    fn stop_words_hide_no_word_of_a_vietnamese_name() {
        // Stop words are folded like the queries: an English one must not also be a Vietnamese
        // word without its diacritics ("to" is "tờ", "the" "thẻ", "do" "đỏ"). These are the
        // words of the catalogue the shipped stop words drop, each knowingly.
        const KNOWN: [&str; 8] = ["cac", "cho", "cua", "giup", "lam", "va", "voi", "xin"];
        let vocabulary = vocabulary();
        let mut hidden: Vec<String> = catalogue()
            .iter()
            .flat_map(|doc| {
                let texts = [&doc.name, &doc.field, &doc.result].into_iter().chain(&doc.documents);
                texts.flat_map(|text| folded_words(text)).collect::<Vec<_>>()
            })
            .filter(|word| {
                vocabulary
                    .stop_phrases
                    .get(word)
                    .is_some_and(|phrases| phrases.iter().any(|phrase| phrase.len() == 1))
            })
            .collect();
        hidden.sort();
        hidden.dedup();
        assert_eq!(hidden, KNOWN);
        // Phrases of them are dropped only whole: "tờ khai" keeps its "to".
        assert_eq!(
            vocabulary.without_stop_words(&folded_words("how to get tờ khai")),
            ["to", "khai"]
        );
        assert_eq!(vocabulary.without_stop_words(&folded_words("tờ khai")), ["to", "khai"]);
        assert_eq!(
            vocabulary.without_stop_words(&folded_words("thẻ căn cước")),
            ["the", "can", "cuoc"]
        );
    }

    #[test]
    fn the_work_of_a_query_is_bounded_whatever_is_typed() {
        let index = real_index();
        let tables = [&ABBREVIATIONS[..], &RUN_TOGETHER, &ENGLISH, &FAMILY];
        let run_together = "dangkykhaisinh".repeat(36);
        let ambiguous = "chungthucchungnhanchungchi".repeat(20);
        let mut queries: Vec<&str> =
            tables.iter().flat_map(|table| table.iter().map(|&(query, _)| query)).collect();
        queries.extend([run_together.as_str(), ambiguous.as_str()]);
        let many_runs = "giaychungnhanquyensudungdatdangkybiendong ".repeat(20);
        queries.push(&many_runs);
        for query in &queries {
            let parsed = index.parse_query(query).unwrap();
            assert!(parsed.word_count() <= MAX_QUERY_WORDS, "{query}");
            assert!(parsed.slots.len() <= MAX_SLOTS, "{query}");
        }

        // 500 characters without a space: only the first 60 are split, the last piece may be
        // cut short, and repeated words count once.
        assert!(run_together.chars().count() >= 500);
        assert_eq!(first(&index, &run_together), "XA-HT-01");
        assert_eq!(first(&index, &format!("{run_together} ")), "XA-HT-01");
        // A long word with many ways to split it is split once, the cheapest way.
        let split = index.split_run(&ambiguous, false).unwrap();
        assert!(split.len() <= MAX_RUN_CHARS);
        assert!(split.iter().all(|piece| piece.text.chars().count() <= MAX_PIECE_CHARS));
        // Letters that split into nothing, or into nothing but stop words.
        assert_eq!(total(&index, &"x".repeat(500)), 0);
        assert_eq!(total(&index, &"lam".repeat(200)), 0);
        assert!(index
            .search(&many_runs, &Filters::default(), 0, 3)
            .0
            .contains(&"XA2-DD-02".into()));
    }

    /// The 53 real procedures and variants of them, up to `count`.
    fn large_catalogue(count: usize) -> Vec<SearchDoc> {
        const CASES: [&str; 6] = [
            "cấp lại",
            "trường hợp đặc biệt",
            "đối với người nước ngoài",
            "liên thông điện tử",
            "trong khu công nghiệp",
            "theo thủ tục rút gọn",
        ];
        const PLACES: [&str; 34] = [
            "Hà Nội",
            "Huế",
            "Lai Châu",
            "Điện Biên",
            "Sơn La",
            "Lạng Sơn",
            "Quảng Ninh",
            "Thanh Hóa",
            "Nghệ An",
            "Hà Tĩnh",
            "Cao Bằng",
            "Tuyên Quang",
            "Lào Cai",
            "Thái Nguyên",
            "Phú Thọ",
            "Bắc Ninh",
            "Hưng Yên",
            "Hải Phòng",
            "Ninh Bình",
            "Quảng Trị",
            "Đà Nẵng",
            "Quảng Ngãi",
            "Gia Lai",
            "Khánh Hòa",
            "Lâm Đồng",
            "Đắk Lắk",
            "Hồ Chí Minh",
            "Đồng Nai",
            "Tây Ninh",
            "Cần Thơ",
            "Vĩnh Long",
            "Đồng Tháp",
            "Cà Mau",
            "An Giang",
        ];
        // Made-up syllables and form numbers give the variants a vocabulary of a real
        // catalogue's size, a few thousand distinct words, where typos are looked for.
        const ONSETS: [&str; 22] = [
            "b", "c", "ch", "d", "đ", "g", "gi", "h", "kh", "l", "m", "n", "ng", "nh", "ph", "qu",
            "s", "t", "th", "tr", "v", "x",
        ];
        const RHYMES: [&str; 40] = [
            "a", "ai", "am", "an", "ang", "anh", "ao", "at", "ăc", "ăm", "âm", "ân", "âu", "ây",
            "e", "em", "en", "eo", "êu", "ia", "im", "inh", "iêu", "oa", "oai", "oan", "oang",
            "oi", "om", "ong", "ôi", "ông", "ơi", "ui", "um", "ung", "uôi", "ưa", "ươi", "ương",
        ];
        let syllable = |seed: usize| {
            let rhyme = RHYMES[(seed / ONSETS.len()) % RHYMES.len()];
            format!("{}{rhyme}", ONSETS[seed % ONSETS.len()])
        };
        let real = catalogue();
        let mut docs = real.clone();
        for i in 0..count.saturating_sub(real.len()) {
            let base = &real[i % real.len()];
            let place = PLACES[(i / real.len()) % PLACES.len()];
            let case = CASES[(i / real.len() / PLACES.len()) % CASES.len()];
            let mut documents = base.documents.clone();
            documents.push(format!("Mẫu số {i}"));
            documents.push(format!("Bản kê {} {}", syllable(i), syllable(i * 7 + 3)));
            docs.push(SearchDoc {
                code: format!("{}-V{i}", base.code),
                name: format!("{} {case} tại {place}", base.name),
                service_level: (i % 4) as u8 + 1,
                documents,
                ..base.clone()
            });
        }
        docs
    }

    #[test]
    fn six_thousand_procedures() {
        let docs = large_catalogue(6_000);
        let index = SearchIndex::build(docs.clone(), &vocabulary());
        assert_eq!(index.len(), 6_000);

        assert_eq!(first(&index, "dang ky khai sinh"), "XA-HT-01");
        // A level-4 variant outranks the level-3 original.
        assert!(first(&index, "dnag ky ket hon").starts_with("XA-HT-03-V"));

        let variant = docs.iter().find(|d| d.name == "Đăng ký khai sinh cấp lại tại Huế").unwrap();
        assert_eq!(first(&index, "khai sinh cấp lại tại Huế"), variant.code);

        // Every name holding the whole phrase comes before any other.
        let phrase = "giấy phép lái xe quốc tế";
        let holders: Vec<&String> = docs
            .iter()
            .filter(|d| fold(&d.name).contains(&fold(phrase)))
            .map(|d| &d.code)
            .collect();
        let (page, total) = index.search(phrase, &Filters::default(), 0, holders.len());
        assert!(total >= holders.len());
        assert_eq!(page.len(), holders.len());
        assert!(page.iter().all(|code| holders.contains(&code)));

        let civil = Filters { field: Some("Hộ tịch".into()), ..Filters::default() };
        let civil_count = docs.iter().filter(|d| d.field == "Hộ tịch").count();
        assert_eq!(index.search("", &civil, 0, 10).1, civil_count);
    }
}
