import { compareStrings, type StringCompare } from "./bson-order";
import type { Doc } from "./paths";

const SENSITIVITY: Record<number, Intl.CollatorOptions["sensitivity"]> = {
  1: "base",
  2: "accent",
  3: "variant",
  4: "variant",
  5: "variant",
};

/**
 * String order for a MongoDB collation document (ICU semantics approximated by Intl.Collator);
 * binary order when there is none or its locale is "simple".
 */
export function stringCompareFor(collation: Doc | undefined): StringCompare {
  if (!collation || !collation.locale || collation.locale === "simple") return compareStrings;
  const strength = Number(collation.strength ?? 3);
  const collator = new Intl.Collator(bcp47Locale(String(collation.locale)), {
    sensitivity: collation.caseLevel && strength < 3 ? "case" : (SENSITIVITY[strength] ?? "variant"),
    numeric: Boolean(collation.numericOrdering),
    caseFirst: collation.caseFirst === "upper" || collation.caseFirst === "lower" ? collation.caseFirst : undefined,
    ignorePunctuation: collation.alternate === "shifted",
  });
  return (a, b) => collator.compare(a, b);
}

/**
 * A string's stand-in under a collation for equality only: two strings map to the same key
 * when the collation's strength ignores their differences (case at strength 1 and 2, accents
 * at strength 1). Undefined when strings compare exactly (no collation, or strength >= 3).
 */
export function equalityKeyFor(collation: Doc | undefined): ((s: string) => string) | undefined {
  if (!collation || !collation.locale || collation.locale === "simple") return undefined;
  const strength = Number(collation.strength ?? 3);
  if (strength >= 3 || collation.caseLevel) return undefined;
  const locale = bcp47Locale(String(collation.locale));
  if (strength === 2) return (s) => s.normalize("NFC").toLocaleLowerCase(locale);
  return (s) => s.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase(locale);
}

/** MongoDB spells locales ICU-style ("en_US"); Intl wants BCP 47 ("en-US"). */
export function bcp47Locale(locale: string): string {
  return locale.replace(/_/g, "-");
}

/** The collation as mingo's own operators (Intl-based) accept it. */
export function mingoCollation(collation: Doc | undefined): Doc | undefined {
  if (!collation || typeof collation.locale !== "string") return undefined;
  if (collation.locale === "simple") return undefined;
  return { ...collation, locale: bcp47Locale(collation.locale) };
}
