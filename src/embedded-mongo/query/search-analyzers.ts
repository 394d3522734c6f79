import type { Document } from "bson";
import stem from "wink-porter2-stemmer";
import { commandError } from "../errors";

/**
 * Atlas Search analyzers, as far as the engine's `$search` needs them: text in, terms out.
 * Built in: `lucene.standard` (Unicode word split, lower case; like Atlas, no stop words),
 * `lucene.english` (that, less possessive 's, less Lucene's 33 English stop words, stemmed),
 * `lucene.whitespace` (split on white space, case kept) and `lucene.keyword` (the whole value).
 * Custom analyzers of an index definition (`analyzers: [{ name, tokenizer, tokenFilters }]`)
 * take the tokenizers `standard`, `whitespace`, `keyword` and the token filters `lowercase`,
 * `regex`, `stopword`, `englishPossessive` and `porterStemming`.
 */
export type Analyzer = (text: string) => string[];

/** Lucene's `EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`. */
const ENGLISH_STOP_WORDS = new Set(
  "a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with".split(" "),
);
/** Lucene's StandardTokenizer drops longer tokens. */
const MAX_TOKEN_LENGTH = 255;
const WORDS = new Intl.Segmenter("en", { granularity: "word" });

type Tokenizer = (text: string) => string[];
type TokenFilter = (tokens: string[]) => string[];

/** UAX #29 word boundaries (what Lucene's StandardTokenizer follows), words and numbers only. */
const standardTokens: Tokenizer = (text) => {
  const tokens: string[] = [];
  for (const { segment, isWordLike } of WORDS.segment(text)) if (isWordLike && segment.length <= MAX_TOKEN_LENGTH) tokens.push(segment);
  return tokens;
};
const whitespaceTokens: Tokenizer = (text) => text.split(/\s+/).filter(Boolean);
const keywordTokens: Tokenizer = (text) => [text];

const lowercase: TokenFilter = (tokens) => tokens.map((token) => token.toLowerCase());
const englishPossessive: TokenFilter = (tokens) => tokens.map((token) => token.replace(/['’]s$/i, ""));
const stopwords = (words: Set<string>): TokenFilter => (tokens) => tokens.filter((token) => !words.has(token.toLowerCase()));
const porterStemming: TokenFilter = (tokens) => tokens.map((token) => stem(token));

function pipeline(tokenizer: Tokenizer, filters: TokenFilter[]): Analyzer {
  return (text) => filters.reduce((tokens, filter) => filter(tokens), tokenizer(text)).filter((token) => token.length > 0);
}

const BUILT_IN: Record<string, Analyzer> = {
  "lucene.standard": pipeline(standardTokens, [lowercase]),
  "lucene.english": pipeline(standardTokens, [englishPossessive, lowercase, stopwords(ENGLISH_STOP_WORDS), porterStemming]),
  "lucene.whitespace": pipeline(whitespaceTokens, []),
  "lucene.keyword": pipeline(keywordTokens, []),
};

const TOKENIZERS: Record<string, Tokenizer> = { standard: standardTokens, whitespace: whitespaceTokens, keyword: keywordTokens };

function tokenFilter(spec: Document): TokenFilter {
  switch (spec.type) {
    case "lowercase":
      return lowercase;
    case "englishPossessive":
      return englishPossessive;
    case "porterStemming":
      return porterStemming;
    case "stopword": {
      if (!Array.isArray(spec.tokens)) throw commandError("InvalidOptions", "The stopword token filter needs 'tokens'");
      return stopwords(new Set((spec.tokens as unknown[]).map((token) => String(token).toLowerCase())));
    }
    case "regex": {
      if (typeof spec.pattern !== "string" || typeof spec.replacement !== "string") {
        throw commandError("InvalidOptions", "The regex token filter needs 'pattern' and 'replacement'");
      }
      const pattern = new RegExp(spec.pattern, spec.matches === "first" ? "u" : "gu");
      const replacement = spec.replacement;
      return (tokens) => tokens.map((token) => token.replace(pattern, replacement));
    }
    default:
      throw commandError("InvalidOptions", `Unsupported token filter type '${String(spec.type)}'`);
  }
}

function customAnalyzer(spec: Document): Analyzer {
  const tokenizer = TOKENIZERS[String((spec.tokenizer as Document | undefined)?.type)];
  if (!tokenizer) throw commandError("InvalidOptions", `Analyzer '${String(spec.name)}': unsupported tokenizer '${String((spec.tokenizer as Document | undefined)?.type)}'`);
  const filters = Array.isArray(spec.tokenFilters) ? (spec.tokenFilters as Document[]).map(tokenFilter) : [];
  return pipeline(tokenizer, filters);
}

/** The analyzers a search index definition may name: the built-in ones and its own `analyzers`. */
export function analyzersOf(definition: Document): Map<string, Analyzer> {
  const analyzers = new Map(Object.entries(BUILT_IN));
  const custom = definition.analyzers;
  if (custom !== undefined && !Array.isArray(custom)) throw commandError("InvalidOptions", "'analyzers' must be an array");
  for (const spec of (custom ?? []) as Document[]) {
    if (typeof spec.name !== "string") throw commandError("InvalidOptions", "Each custom analyzer needs a 'name'");
    analyzers.set(spec.name, customAnalyzer(spec));
  }
  return analyzers;
}
