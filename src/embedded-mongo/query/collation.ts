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
  const collator = new Intl.Collator(String(collation.locale).replace("_", "-"), {
    sensitivity: collation.caseLevel && strength < 3 ? "case" : (SENSITIVITY[strength] ?? "variant"),
    numeric: Boolean(collation.numericOrdering),
    caseFirst: collation.caseFirst === "upper" || collation.caseFirst === "lower" ? collation.caseFirst : undefined,
    ignorePunctuation: collation.alternate === "shifted",
  });
  return (a, b) => collator.compare(a, b);
}
