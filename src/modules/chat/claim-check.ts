import type { AiProvider, CallOptions } from "../../infra/ai/provider";
import { claimCheckPrompt } from "../../infra/ai/prompts";
import { checkClaimsByOverlap } from "../../infra/ai/offline/claims";
import type { Logger } from "../../lib/logger";
import type { SearchHit } from "../search/search.types";
import type { Claim } from "./chat.model";
import type { DraftClaim } from "./chat.retrieval";

/** Below this share of supported claims, a STRICT answer is replaced by the refusal. */
export const MIN_SUPPORTED_SHARE = 0.5;

/**
 * Checks each claim of a finished answer against the passages it cites with one more, cheap call
 * to the provider in JSON mode (the offline provider answers it by word and number overlap; the
 * call is counted in AI usage like any other). Should that call fail, the overlap check decides,
 * so an answer is never lost to its check.
 */
export class ClaimChecker {
  constructor(private readonly deps: { ai: AiProvider; log: Logger }) {}

  async check(drafts: DraftClaim[], hits: SearchHit[], options: CallOptions): Promise<Claim[]> {
    const cited = drafts.filter((draft) => draft.citations.length > 0);
    if (cited.length === 0) return drafts.map((draft) => ({ ...draft, supported: false }));
    // The marks are the answer's own numbering, not something the passages should hold.
    const task = { claims: cited.map((draft) => ({ text: draft.text.replace(/\[\d+(?:\s*[,;]\s*\d+)*\]/g, "").trim(), passages: draft.citations.map((citation) => hits[citation.index - 1].text) })) };
    let verdicts: { claim: number; supported: boolean }[];
    try {
      verdicts = (await this.deps.ai.generateJson(claimCheckPrompt(task), options)).value.verdicts;
    } catch (error) {
      options.signal?.throwIfAborted();
      this.deps.log.warn({ err: (error as Error).message }, "chat: checking claims with the model failed; checked by word overlap instead");
      verdicts = checkClaimsByOverlap({ kind: "checkClaims", ...task }).verdicts;
    }
    const supported = new Map(verdicts.map((verdict) => [verdict.claim, verdict.supported]));
    return drafts.map((draft) => ({ ...draft, supported: draft.citations.length > 0 && supported.get(cited.indexOf(draft) + 1) === true }));
  }
}

/** Whether most of an answer's claims are supported (an answer without claims is not). */
export function mostlySupported(claims: Claim[]): boolean {
  return claims.length > 0 && claims.filter((claim) => claim.supported).length / claims.length >= MIN_SUPPORTED_SHARE;
}
