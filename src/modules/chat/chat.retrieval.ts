import { GraphQLError } from "graphql";
import { HeldTerms, keyTerms, weightedCoverage, type KeyTerm } from "../../infra/ai/offline/key-terms";
import { isNavigationLine, sentences, terms } from "../../infra/ai/offline/text";
import type { SearchService } from "../search/search.service";
import { SearchRanking, type SearchHit } from "../search/search.types";
import { Grounding, type ChatScope, type Citation } from "./chat.model";
import type { Actor } from "../../lib/identity";
import { segmentsOf } from "../../lib/segments";

export interface RetrievalSettings {
  /** Passages kept per question. */
  passages: number;
  /** Score (0..1) a passage needs to be given to the model at all. */
  minRelevance: number;
}

/**
 * Grounding thresholds on `groundingScore`, calibrated on the gold set of `npm run eval` and
 * checked on its held-out set (docs/retrieval.md).
 */
export const GROUNDING_STRONG = 0.715;
export const GROUNDING_WEAK = 0.5;
/**
 * Grounding judges the first this many passages, the number its thresholds were calibrated on,
 * however many the tutor reads (CHAT_PASSAGES): each passage more can only raise the best
 * coverage, so a larger pool would answer questions the material does not cover.
 */
export const GROUNDING_PASSAGES = 5;
/**
 * A key term the material never uses counts this many times: the question is then about
 * something the material does not speak of ("downgrade" asked of a manual that never says it),
 * not merely put in other words than its best passage.
 */
export const UNKNOWN_TERM_WEIGHT = 3;
/** Weight of the telling terms a passage holds beside its coverage, and the most of them counted (in terms no passage holds). */
const TELLING_WEIGHT = 0.15;
const MAX_TELLING = 2;
/** Passages retrieved per question: the tutor's first `passages` of them, all of them to tell a known term. */
const TERM_POOL = 10;

export interface Retrieved {
  hits: SearchHit[];
  grounding: Grounding;
  /** 0..1: see `groundingScoreOf`. */
  groundingScore: number;
  /** Each key term of the question (by `KeyTerm.text`) with its `rarity` in the session's material. */
  termRarity: Record<string, number>;
}

type Scope = { courseId: string } | { uploadId: string };

/** The top passages of a session's scope that are relevant enough to answer from, and how well they cover the question. */
export class ChatRetriever {
  constructor(private readonly deps: { search: Pick<SearchService, "search" | "frequencies">; settings: RetrievalSettings }) {}

  async retrieve(actor: Exclude<Actor, null>, scope: ChatScope, question: string): Promise<Retrieved> {
    const { passages, minRelevance } = this.deps.settings;
    const scopes: Scope[] = [
      ...(scope.course_id ? [{ courseId: String(scope.course_id) }] : []),
      ...scope.upload_ids.map((id) => ({ uploadId: String(id) })),
    ];
    // Search brings the same candidates for up to ten hits: the first `passages` are those `search` ranks first.
    const limit = Math.max(passages, TERM_POOL);
    const found = await Promise.all(scopes.map((request) => this.deps.search.search(actor, { query: question, limit, ...request }).catch(goneIsEmpty)));
    // Search orders each scope by its fused ranking; across scopes, the same order is kept by position.
    const content = interleave(found).filter((hit) => !hit.toc);
    const hits = content
      // The lexical ranking vouches for a passage whose words match though its vector is far: grounding judges it.
      .filter((hit) => hit.score >= minRelevance || hit.rankings.includes(SearchRanking.LEXICAL))
      .slice(0, passages);
    if (hits.length === 0) return { hits, grounding: Grounding.NONE, groundingScore: 0, termRarity: {} };
    const asked = keyTerms(question);
    const frequencies = asked.length === 0 ? [] : await Promise.all(scopes.map((request) => this.deps.search.frequencies(actor, request, asked).catch((error: unknown) => (goneIsEmpty(error), { passages: 0, counts: asked.map(() => 0) }))));
    const inScope = frequencies.reduce((sum, scope) => sum + scope.passages, 0);
    const holding = asked.map((_, i) => frequencies.reduce((sum, scope) => sum + scope.counts[i], 0));
    const held = content.map(heldTerms);
    // The index stems words its own way: a term a retrieved passage holds (one letter apart, say) is known.
    const unknown = new Set(asked.filter((term, i) => holding[i] === 0 && !held.some((passage) => passage.holds(term))));
    const rarities = holding.map((count) => rarity(count, inScope));
    const groundingScore = groundingScoreOf(asked, hits.slice(0, GROUNDING_PASSAGES), { unknown, rarities, unheard: rarity(0, inScope) });
    const grounding = groundingScore >= GROUNDING_STRONG ? Grounding.STRONG : groundingScore >= GROUNDING_WEAK ? Grounding.WEAK : Grounding.NONE;
    return { hits, grounding, groundingScore, termRarity: Object.fromEntries(asked.map((term, i) => [term.text, rarities[i]])) };
  }
}

function interleave(lists: SearchHit[][]): SearchHit[] {
  const out: SearchHit[] = [];
  for (let i = 0; lists.some((list) => i < list.length); i++) for (const list of lists) if (i < list.length) out.push(list[i]);
  return out;
}

function heldTerms(hit: Pick<SearchHit, "text" | "heading">): HeldTerms {
  return new HeldTerms(`${hit.heading}\n${hit.text}`);
}

/**
 * The largest share of the question's key terms (content words, exact terms such as `-d` or `12`)
 * that one passage (with its heading) holds, a term the material never uses (`unknown`) counting
 * UNKNOWN_TERM_WEIGHT times. A question without key terms is covered by any passage.
 */
export function coverage(asked: KeyTerm[], hits: Pick<SearchHit, "text" | "heading">[], unknown: Set<KeyTerm> = new Set()): number {
  if (asked.length === 0) return hits.length > 0 ? 1 : 0;
  const weights = asked.map((term) => (unknown.has(term) ? UNKNOWN_TERM_WEIGHT : 1));
  return Math.max(0, ...hits.map((hit) => weightedCoverage(asked, weights, heldTerms(hit))));
}

/** How telling a term is that `holding` of the scope's `passages` hold: BM25's inverse document frequency. */
export function rarity(holding: number, passages: number): number {
  return Math.log(1 + (passages - holding + 0.5) / (holding + 0.5));
}

export interface TermRarity {
  /** Key terms the material never uses. */
  unknown: Set<KeyTerm>;
  /** Each asked term's `rarity` in the session's scope. */
  rarities: number[];
  /** The rarity of a term no passage holds: the unit telling terms are counted in. */
  unheard: number;
}

/**
 * Grounding (0..1): the `coverage` of the best passage, and how telling the terms the best passage
 * holds are (the sum of their rarities, in units of a term no passage holds, at most MAX_TELLING),
 * weighted TELLING_WEIGHT to 1. Coverage alone cannot tell "Which file system does the installer
 * use by default?" (three common words, all held) from a question whose one missing word is put
 * otherwise in its passage; the rare words held can. Calibrated on the gold set (docs/retrieval.md).
 */
export function groundingScoreOf(asked: KeyTerm[], hits: Pick<SearchHit, "text" | "heading">[], terms: TermRarity): number {
  const covered = coverage(asked, hits, terms.unknown);
  if (asked.length === 0 || terms.unheard <= 0) return covered;
  const telling = Math.max(0, ...hits.map((hit) => {
    const text = heldTerms(hit);
    return asked.reduce((sum, term, i) => sum + (text.holds(term) ? terms.rarities[i] : 0), 0);
  }));
  return (covered + TELLING_WEIGHT * Math.min(MAX_TELLING, telling / terms.unheard)) / (1 + TELLING_WEIGHT * MAX_TELLING);
}

/** A course deleted or made private since the session began is no longer material, not an error. */
function goneIsEmpty(error: unknown): SearchHit[] {
  if (error instanceof GraphQLError && error.extensions.code === "NOT_FOUND") return [];
  throw error;
}

const CITATION_MARK = /\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;
const SENTENCES = new Intl.Segmenter("en", { granularity: "sentence" });

/**
 * An answer's sentences. A citation mark after the full stop (`… here. [1]`) belongs to the
 * sentence before it, never to a sentence of its own; quoted lines (`> …`) lose their marker.
 */
export function answerSentences(text: string): string[] {
  return text.split(/\n+/).flatMap((line) => {
    const sentences: string[] = [];
    for (const { segment } of segmentsOf(SENTENCES, line.replace(/^\s*>\s?/, ""))) {
      // The segmenter starts the next sentence with the marks that close this one.
      const [, marks = "", rest] = /^((?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)*[.!?]?)([\s\S]*)$/.exec(segment.trim())!;
      if (marks.trim() && sentences.length > 0) sentences[sentences.length - 1] += ` ${marks.trim()}`;
      else if (marks.trim()) sentences.push(marks.trim());
      if (rest.trim()) sentences.push(rest.trim());
    }
    return sentences;
  });
}

/** The passage numbers a sentence cites. */
function citedNumbers(sentence: string): number[] {
  return [...sentence.matchAll(CITATION_MARK)].flatMap(([, numbers]) => numbers.split(/[,;]/).map(Number));
}

/** A sentence that frames the answer rather than states something: a lead-in ending with ":" or a remark in parentheses. */
function isFraming(sentence: string): boolean {
  const bare = sentence.replace(CITATION_MARK, "").trim();
  return bare.endsWith(":") || /^\(.*\)$/.test(bare) || !/[\p{L}\p{N}]/u.test(bare);
}

export interface DraftClaim {
  text: string;
  citations: Citation[];
}

/** The most claims an answer is split into; sentences past them are neither listed nor checked. */
export const MAX_ANSWER_CLAIMS = 40;

/**
 * The answer's claims: every sentence that cites a retrieved passage, and every other sentence
 * that states something (with no citations), the first MAX_ANSWER_CLAIMS of them. Numbers that
 * point to no retrieved passage are dropped: a model may invent them.
 */
export function claimsFrom(answer: string, hits: SearchHit[]): DraftClaim[] {
  return answerSentences(answer)
    .filter((sentence) => citedNumbers(sentence).length > 0 || !isFraming(sentence))
    .slice(0, MAX_ANSWER_CLAIMS)
    .map((sentence) => {
      const numbers = [...new Set(citedNumbers(sentence))].filter((n) => n >= 1 && n <= hits.length).sort((a, b) => a - b);
      return { text: sentence, citations: numbers.map((n) => citationOf(hits, n, [sentence])) };
    });
}

/**
 * The passages an answer cites as `[n]` (also `[1, 2]`), in number order, each quoting the
 * passage's sentence closest to the sentences that cite it.
 */
export function citationsFrom(answer: string, hits: SearchHit[]): Citation[] {
  const claims = new Map<number, string[]>();
  for (const sentence of answerSentences(answer)) {
    for (const number of citedNumbers(sentence)) claims.set(number, [...(claims.get(number) ?? []), sentence]);
  }
  return [...claims.keys()]
    .filter((n) => n >= 1 && n <= hits.length)
    .sort((a, b) => a - b)
    .map((n) => citationOf(hits, n, claims.get(n) ?? []));
}

function citationOf(hits: SearchHit[], n: number, claims: string[]): Citation {
  const hit = hits[n - 1];
  return {
    index: n,
    source_type: hit.source.type,
    source_id: hit.source.id,
    title: hit.source.title,
    page_start: hit.pageStart ?? null,
    page_end: hit.pageEnd ?? null,
    chunk_index: hit.chunkIndex,
    quote: closestSentence(hit.text, claims),
  };
}

/**
 * The passage's sentence sharing the most content words with the claims that cite it; of those
 * sharing as many, the one with the fewest words the claims do not use (a heading the claim quotes,
 * not a longer sentence that mentions the same words), then the first.
 */
function closestSentence(passage: string, claims: string[]): string {
  const claimed = new Set(terms(claims.join(" ").replace(CITATION_MARK, " ")));
  let best = { sentence: "", shared: -1, unused: 0 };
  // Split as the offline tutor splits what it quotes: headings and paragraphs apart, hyphenated line breaks joined.
  const all = sentences(passage);
  // A navigation line shares words with the claims about its section but states none of them.
  const quotable = all.filter((sentence) => !isNavigationLine(sentence));
  for (const sentence of quotable.length > 0 ? quotable : all) {
    const own = new Set(terms(sentence));
    const shared = [...own].filter((term) => claimed.has(term)).length;
    const unused = own.size - shared;
    if (shared > best.shared || (shared === best.shared && unused < best.unused)) best = { sentence, shared, unused };
  }
  return best.sentence;
}
