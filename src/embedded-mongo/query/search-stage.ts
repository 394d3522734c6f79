import type { Document } from "bson";
import { commandError } from "../errors";
import { valuesEqual } from "./bson-order";
import { isPlainObject } from "./paths";
import { analyzersOf, type Analyzer } from "./search-analyzers";

/**
 * Atlas Search's `$search` over a collection's documents, exactly (no Lucene index: terms are
 * cached per stored document version). Operators: `text` (BM25 over the analyzed field, every
 * query term optional unless `matchCriteria: "all"`, `score` boost or constant), `compound`
 * (`must`, `mustNot`, `should` with `minimumShouldMatch`, `filter` without score), `equals`,
 * `in` and `exists` (score 1). Results are every matching document, best first, ties in
 * storage order, as Lucene's doc ids would break them.
 */

/** Lucene's BM25Similarity defaults. */
const K1 = 1.2;
const B = 0.75;

export interface ScoredDocument {
  doc: Document;
  score: number;
}

interface FieldTerms {
  counts: Map<string, number>;
  length: number;
}

/** How one field (or one `multi` of it) is indexed and searched. */
interface FieldPlan {
  key: string;
  path: string[];
  index: Analyzer;
  search: Analyzer;
}

/** Analyzed fields per stored document version; an updated document is a new object, so entries never go stale. */
const termCache = new Map<string, WeakMap<Document, FieldTerms | null>>();

function valuesAt(doc: unknown, path: string[]): unknown[] {
  if (path.length === 0) return Array.isArray(doc) ? doc.flat(Infinity) : [doc];
  if (Array.isArray(doc)) return doc.flatMap((item) => valuesAt(item, path));
  if (!isPlainObject(doc)) return [];
  return valuesAt(doc[path[0]], path.slice(1));
}

function termsOf(doc: Document, plan: FieldPlan): FieldTerms | null {
  let cache = termCache.get(plan.key);
  if (!cache) termCache.set(plan.key, (cache = new WeakMap()));
  let terms = cache.get(doc);
  if (terms !== undefined) return terms;
  const strings = valuesAt(doc, plan.path).filter((value): value is string => typeof value === "string");
  if (strings.length === 0) terms = null;
  else {
    const counts = new Map<string, number>();
    let length = 0;
    for (const text of strings) {
      for (const term of plan.index(text)) {
        counts.set(term, (counts.get(term) ?? 0) + 1);
        length++;
      }
    }
    terms = { counts, length };
  }
  cache.set(doc, terms);
  return terms;
}

type Matcher = (doc: Document) => number | null;

class SearchContext {
  private readonly analyzers: Map<string, Analyzer>;

  constructor(
    readonly docs: Document[],
    private readonly definition: Document,
    private readonly indexKey: string,
  ) {
    this.analyzers = analyzersOf(definition);
  }

  /** The index's plan for a path (and `multi`), or null when the index does not hold that field as a string. */
  plan(pathSpec: unknown): FieldPlan | null {
    const { value, multi } = typeof pathSpec === "string" ? { value: pathSpec, multi: undefined } : isPlainObject(pathSpec) ? pathSpec : {};
    if (typeof value !== "string") throw commandError("FailedToParse", "$search path must be a string or { value, multi }");
    const mappings = isPlainObject(this.definition.mappings) ? this.definition.mappings : {};
    let mapping = this.mappingOf(mappings, value.split("."));
    if (mapping === undefined && mappings.dynamic === true) mapping = { type: "string" };
    if (!mapping) return null;
    if (multi !== undefined) {
      mapping = isPlainObject(mapping.multi) && isPlainObject(mapping.multi[String(multi)]) ? (mapping.multi[String(multi)] as Document) : null;
      if (!mapping) return null;
    }
    const indexName = String(mapping.analyzer ?? this.definition.analyzer ?? "lucene.standard");
    const searchName = String(mapping.searchAnalyzer ?? mapping.analyzer ?? this.definition.searchAnalyzer ?? this.definition.analyzer ?? "lucene.standard");
    return {
      key: `${this.indexKey}\u0000${value}\u0000${multi ?? ""}\u0000${indexName}`,
      path: value.split("."),
      index: this.analyzer(indexName),
      search: this.analyzer(searchName),
    };
  }

  private analyzer(name: string): Analyzer {
    const analyzer = this.analyzers.get(name);
    if (!analyzer) throw commandError("InvalidOptions", `Unknown analyzer '${name}'`);
    return analyzer;
  }

  /** The string mapping at a dotted path, following `document` fields; undefined when not declared. */
  private mappingOf(mappings: Document, path: string[]): Document | null | undefined {
    const fields = isPlainObject(mappings.fields) ? mappings.fields : {};
    const declared = fields[path[0]] as unknown;
    if (declared === undefined) return undefined;
    const candidates = (Array.isArray(declared) ? declared : [declared]).filter(isPlainObject);
    if (path.length > 1) {
      const nested = candidates.find((candidate) => candidate.type === "document" || candidate.type === "embeddedDocuments");
      return nested ? this.mappingOf(nested, path.slice(1)) : undefined;
    }
    return candidates.find((candidate) => candidate.type === "string") ?? null;
  }
}

function operatorOf(spec: Document, where: string): [string, Document] {
  const keys = Object.keys(spec).filter((key) => key !== "index" && key !== "concurrent");
  if (keys.length !== 1) throw commandError("FailedToParse", `${where} must hold exactly one operator, got: ${keys.join(", ") || "none"}`);
  const body = spec[keys[0]] as unknown;
  if (!isPlainObject(body)) throw commandError("FailedToParse", `$search operator '${keys[0]}' takes an object`);
  return [keys[0], body];
}

function scored(spec: Document, matcher: (doc: Document) => number | null): Matcher {
  const score = spec.score;
  if (score === undefined) return matcher;
  if (!isPlainObject(score)) throw commandError("FailedToParse", "$search score must be an object");
  if (isPlainObject(score.constant)) {
    const value = Number(score.constant.value);
    return (doc) => (matcher(doc) === null ? null : value);
  }
  if (isPlainObject(score.boost)) {
    const value = Number(score.boost.value);
    return (doc) => {
      const base = matcher(doc);
      return base === null ? null : base * value;
    };
  }
  throw commandError("FailedToParse", "$search score takes 'boost' or 'constant'");
}

function compile(name: string, spec: Document, ctx: SearchContext): Matcher {
  switch (name) {
    case "text":
      return scored(spec, textMatcher(spec, ctx));
    case "compound":
      return scored(spec, compoundMatcher(spec, ctx));
    case "equals":
      return scored(spec, valueMatcher(spec, [spec.value], "equals"));
    case "in": {
      const values = Array.isArray(spec.value) ? spec.value : [spec.value];
      return scored(spec, valueMatcher(spec, values, "in"));
    }
    case "exists": {
      if (typeof spec.path !== "string") throw commandError("FailedToParse", "exists.path must be a string");
      const path = spec.path.split(".");
      return scored(spec, (doc) => (valuesAt(doc, path).some((value) => value !== undefined) ? 1 : null));
    }
    default:
      throw commandError("FailedToParse", `$search operator '${name}' is not supported by the embedded engine (text, compound, equals, in, exists are)`);
  }
}

function valueMatcher(spec: Document, values: unknown[], operator: string): Matcher {
  if (typeof spec.path !== "string") throw commandError("FailedToParse", `${operator}.path must be a string`);
  if (values.length === 0 || values.some((value) => value === undefined)) throw commandError("FailedToParse", `${operator}.value is required`);
  const path = spec.path.split(".");
  return (doc) => (valuesAt(doc, path).some((found) => values.some((value) => valuesEqual(found, value))) ? 1 : null);
}

function textMatcher(spec: Document, ctx: SearchContext): Matcher {
  const queries = Array.isArray(spec.query) ? spec.query : [spec.query];
  if (queries.length === 0 || queries.some((query) => typeof query !== "string")) throw commandError("FailedToParse", "text.query must be a string or an array of strings");
  if (spec.path === undefined) throw commandError("FailedToParse", "text.path is required");
  if (spec.fuzzy !== undefined || spec.synonyms !== undefined) throw commandError("FailedToParse", "text.fuzzy and text.synonyms are not supported by the embedded engine");
  const all = spec.matchCriteria === "all";
  const paths = (Array.isArray(spec.path) ? spec.path : [spec.path]).map((path) => ctx.plan(path)).filter((plan): plan is FieldPlan => plan !== null);
  const fields = paths.map((plan) => {
    const terms = (queries as string[]).flatMap((query) => plan.search(query));
    // Index-wide statistics, as Lucene keeps them per field: documents with the field, their total length, each term's document frequency.
    let docCount = 0;
    let totalLength = 0;
    const df = new Map<string, number>(terms.map((term) => [term, 0]));
    for (const doc of ctx.docs) {
      const found = termsOf(doc, plan);
      if (!found) continue;
      docCount++;
      totalLength += found.length;
      for (const term of df.keys()) if (found.counts.has(term)) df.set(term, df.get(term)! + 1);
    }
    const averageLength = docCount ? totalLength / docCount : 1;
    const idf = new Map([...df].map(([term, n]) => [term, Math.log(1 + (docCount - n + 0.5) / (n + 0.5))]));
    return { plan, terms, idf, averageLength };
  });
  return (doc) => {
    let score = 0;
    let matched = false;
    const seen = new Set<string>();
    for (const { plan, terms, idf, averageLength } of fields) {
      const found = termsOf(doc, plan);
      if (!found) continue;
      const norm = K1 * (1 - B + (B * found.length) / averageLength);
      for (const term of terms) {
        const freq = found.counts.get(term);
        if (!freq) continue;
        matched = true;
        seen.add(term);
        score += (idf.get(term)! * freq) / (freq + norm);
      }
    }
    if (!matched) return null;
    if (all && fields.some(({ terms }) => terms.some((term) => !seen.has(term)))) return null;
    return score;
  };
}

function clauses(spec: Document, key: string, ctx: SearchContext): Matcher[] {
  const value = spec[key];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((clause) => {
    if (!isPlainObject(clause)) throw commandError("FailedToParse", `compound.${key} takes operators`);
    const [name, body] = operatorOf(clause, `compound.${key}`);
    return compile(name, body, ctx);
  });
}

function compoundMatcher(spec: Document, ctx: SearchContext): Matcher {
  const unknown = Object.keys(spec).filter((key) => !["must", "mustNot", "should", "filter", "minimumShouldMatch", "score"].includes(key));
  if (unknown.length) throw commandError("FailedToParse", `compound does not take ${unknown.join(", ")}`);
  const must = clauses(spec, "must", ctx);
  const mustNot = clauses(spec, "mustNot", ctx);
  const should = clauses(spec, "should", ctx);
  const filter = clauses(spec, "filter", ctx);
  if (must.length + mustNot.length + should.length + filter.length === 0) throw commandError("FailedToParse", "compound needs at least one clause");
  // As in Lucene's BooleanQuery: with nothing required, one optional clause must match.
  const minimum = spec.minimumShouldMatch === undefined ? (must.length + filter.length === 0 ? 1 : 0) : Number(spec.minimumShouldMatch);
  return (doc) => {
    for (const clause of filter) if (clause(doc) === null) return null;
    for (const clause of mustNot) if (clause(doc) !== null) return null;
    let score = 0;
    for (const clause of must) {
      const value = clause(doc);
      if (value === null) return null;
      score += value;
    }
    let matched = 0;
    for (const clause of should) {
      const value = clause(doc);
      if (value === null) continue;
      matched++;
      score += value;
    }
    return matched >= minimum ? score : null;
  };
}

/**
 * Runs a `$search` stage over `docs` (the collection, in storage order) with the named search
 * index's definition; `indexKey` identifies that definition for the term cache.
 */
export function searchStage(docs: Document[], definition: Document, indexKey: string, spec: Document): ScoredDocument[] {
  const allowed = new Set(["index", "concurrent", "text", "compound", "equals", "in", "exists", "scoreDetails"]);
  const unsupported = Object.keys(spec).filter((key) => !allowed.has(key));
  if (unsupported.length) throw commandError("FailedToParse", `$search option(s) not supported by the embedded engine: ${unsupported.join(", ")}`);
  const [name, body] = operatorOf(
    Object.fromEntries(Object.entries(spec).filter(([key]) => key !== "scoreDetails")),
    "$search",
  );
  const matcher = compile(name, body, new SearchContext(docs, definition, indexKey));
  const results: ScoredDocument[] = [];
  for (const doc of docs) {
    const score = matcher(doc);
    if (score !== null) results.push({ doc, score });
  }
  // Array.prototype.sort is stable: equal scores keep storage order.
  return results.sort((a, b) => b.score - a.score);
}
