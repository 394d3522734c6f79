import type { ClaimCheckTask } from "../prompts";
import type { ClaimCheck } from "../schemas";
import { terms } from "./text";

/** Share of a claim's content words its passages must hold. */
const MIN_WORD_OVERLAP = 0.6;
const NUMBER = /\d+(?:[.,]\d+)*/g;

/**
 * Offline claim check by overlap: a claim is supported when its passages hold every number it
 * states and most of its content words (stemmed). It cannot see meaning: a negation or a swapped
 * subject with the same words passes.
 */
export function checkClaimsByOverlap(task: ClaimCheckTask): ClaimCheck {
  return {
    verdicts: task.claims.map((claim, i) => {
      const source = claim.passages.join("\n");
      const sourceTerms = new Set(terms(source));
      const claimTerms = [...new Set(terms(claim.text))];
      const numbers = claim.text.match(NUMBER) ?? [];
      const sourceNumbers = new Set(source.match(NUMBER) ?? []);
      const shared = claimTerms.filter((term) => sourceTerms.has(term)).length;
      const supported =
        claim.passages.length > 0 &&
        claimTerms.length > 0 &&
        shared / claimTerms.length >= MIN_WORD_OVERLAP &&
        numbers.every((number) => sourceNumbers.has(number));
      return { claim: i + 1, supported };
    }),
  };
}
