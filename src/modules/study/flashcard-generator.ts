import type { AiProvider, CallOptions } from "../../infra/ai/provider";
import { flashcardPrompt } from "../../infra/ai/prompts";
import { normalizeOption, type FlashcardDraft } from "../../infra/ai/schemas";
import { raise } from "../../lib/errors";
import type { SignedIn } from "../../lib/identity";
import type { Quota } from "../../lib/quota";
import { excerptOf, spreadPassages, type MaterialPassage } from "../quizzes/quiz-material";
import type { QuizSources } from "../quizzes/quiz-sources";
import { QuizSourceType } from "../quizzes/quiz.model";
import { CardKind, CardSourceType, type CardSource } from "./card.model";
import { clozeDeletions, clozeNumbers } from "./cloze";
import { CARD_EXPLANATION_MAX_LENGTH, CARD_SIDE_MAX_LENGTH, MAX_CARD_TAGS, CARD_TAG_MAX_LENGTH, type Deck } from "./deck.model";
import { fingerprintOf, type CardContent, type DeckService } from "./deck.service";
import type { GenerateFlashcardsInput } from "./study.inputs";
import type { StudyCleanup } from "./study.cleanup";
import type { UserService } from "../users/user.service";
import type { DroppedCard, FlashcardGeneration } from "./study.types";

/** The deck's latest fronts the AI is asked not to repeat (bounds the prompt). */
const AVOID_FRONTS = 50;
/** Share of an answer's content words its cited passage must contain. */
const MIN_SUPPORT = 0.6;

type DraftCard = FlashcardDraft["cards"][number];

/**
 * Cards written by the AI from a chapter, course or upload. Every card is checked before it is
 * stored (its sides, its cloze deletions, its cited passage, no duplicate in the deck, its answer
 * found in that passage); the report lists the dropped ones and why.
 */
export class FlashcardGenerator {
  constructor(
    private readonly deps: {
      ai: AiProvider;
      aiWork: Quota;
      sources: QuizSources;
      decks: DeckService;
      /** Whose account is being deleted: cards written for them meanwhile are not kept. */
      users: Pick<UserService, "isLeaving">;
      cleanup: Pick<StudyCleanup, "deleteCards" | "deleteDecks">;
    },
  ) {}

  async generate(actor: SignedIn, input: GenerateFlashcardsInput, options: CallOptions = {}): Promise<FlashcardGeneration> {
    const source = await this.deps.sources.material(actor, input);
    const target = input.deckId ? (await this.deps.decks.editableOrFail(actor, input.deckId)).deck : null;
    const passages = spreadPassages(source.passages);
    if (passages.length === 0) raise("BAD_USER_INPUT", "The source has no text to write cards from");
    await this.deps.aiWork.spend(String(actor._id));
    const kinds = input.kinds?.length ? [...new Set(input.kinds)] : [CardKind.BASIC, CardKind.CLOZE];
    const avoid = target ? await this.deps.decks.recentFronts(target._id, AVOID_FRONTS) : [];
    const answer = await this.deps.ai.generateJson(
      flashcardPrompt({ passages: passages.map((passage) => ({ text: passage.text, title: passage.sourceTitle })), count: input.count, kinds, avoid }),
      { ...options, userId: String(actor._id) },
    );
    const kept: { content: CardContent; source: CardSource }[] = [];
    const dropped: DroppedCard[] = [];
    const seen = new Set<string>();
    for (const draft of answer.value.cards) {
      if (kept.length >= input.count) break;
      const { content, passage, problems } = checkDraft(draft, passages, kinds);
      const fingerprint = fingerprintOf(content.front);
      if (problems.length === 0 && seen.has(fingerprint)) problems.push("repeats another card of this answer");
      if (problems.length > 0) {
        dropped.push({ front: content.front || content.back, problems });
        continue;
      }
      seen.add(fingerprint);
      kept.push({ content, source: { ...citation(passage!), course_id: source.courseId } });
    }
    const existing = target ? await this.deps.decks.existingFingerprints(target._id, kept.map((card) => fingerprintOf(card.content.front))) : new Set<string>();
    const fresh = kept.filter((card) => {
      if (!existing.has(fingerprintOf(card.content.front))) return true;
      dropped.push({ front: card.content.front, problems: ["the deck already has this card"] });
      return false;
    });
    if (fresh.length === 0) {
      raise("AI_UNAVAILABLE", "The AI provider wrote no card that passed the checks; try again", {
        dropped: dropped.map((card) => `${card.front.slice(0, 80)}: ${card.problems.join("; ")}`),
      });
    }
    const deck: Deck = target ?? (await this.deps.decks.create(actor, { title: `Cards: ${source.title}`.slice(0, 200), description: "" }));
    const cards = await this.deps.decks.insertCards(deck, fresh);
    if (await this.deps.users.isLeaving(actor._id)) {
      await this.deps.cleanup.deleteCards(cards.map((card) => card._id));
      if (!target) await this.deps.cleanup.deleteDecks([deck._id]);
      raise("NOT_FOUND", "The account these cards were written for no longer exists");
    }
    return { deck, cards, report: { requested: input.count, kept: cards.length, dropped, provider: answer.provider } };
  }
}

function checkDraft(draft: DraftCard, passages: MaterialPassage[], kinds: CardKind[]): { content: CardContent; passage?: MaterialPassage; problems: string[] } {
  const problems: string[] = [];
  const kindName = (draft.kind ?? (draft.text ? "CLOZE" : "BASIC")).trim().toUpperCase();
  const kind = Object.values(CardKind).find((value) => value === kindName);
  if (!kind) problems.push(`unknown card kind ${JSON.stringify(draft.kind)}`);
  else if (!kinds.includes(kind)) problems.push(`${kind} cards were not asked for`);
  const cloze = kind === CardKind.CLOZE;
  const content: CardContent = {
    kind: kind ?? CardKind.BASIC,
    front: ((cloze ? draft.text : draft.front) ?? "").trim(),
    back: ((cloze ? "" : draft.back) ?? "").trim(),
    explanation: (draft.explanation ?? "").trim().slice(0, CARD_EXPLANATION_MAX_LENGTH),
    tags: [...new Set((draft.tags ?? []).map((tag) => tag.trim().toLowerCase()).filter((tag) => tag && tag.length <= CARD_TAG_MAX_LENGTH))].slice(0, MAX_CARD_TAGS),
  };
  if (!content.front) problems.push(cloze ? "empty cloze text" : "empty front");
  if (!cloze && !content.back) problems.push("empty back");
  if (content.front.length > CARD_SIDE_MAX_LENGTH || content.back.length > CARD_SIDE_MAX_LENGTH) problems.push(`a side is longer than ${CARD_SIDE_MAX_LENGTH} characters`);
  if (cloze && content.front && clozeNumbers(content.front).length === 0) problems.push("a cloze card without a {{c1::…}} deletion");
  const passage = draft.passage !== undefined && draft.passage >= 1 && draft.passage <= passages.length ? passages[draft.passage - 1] : undefined;
  if (!passage) problems.push("cites no passage of the material");
  if (passage && problems.length === 0) {
    const claim = cloze ? clozeNumbers(content.front).map((ord) => clozeDeletions(content.front, ord)).join(" ") : content.back;
    if (!supportedBy(claim, passage.text)) problems.push("its answer is not supported by the cited passage");
  }
  return { content, passage, problems };
}

/**
 * Whether a passage states an answer: most of the answer's content words (4+ letters, matched
 * by their first letters so plurals and tenses count) are in it, or the whole short answer is.
 */
export function supportedBy(answer: string, passage: string): boolean {
  const text = ` ${normalizeOption(passage)} `;
  const normalized = normalizeOption(answer);
  if (!normalized) return false;
  const words = normalized.split(" ").filter((word) => word.length >= 4);
  if (words.length === 0) return text.includes(` ${normalized} `);
  const found = words.filter((word) => text.includes(` ${word.slice(0, Math.max(4, word.length - 2))}`));
  return found.length / words.length >= MIN_SUPPORT;
}

function citation(passage: MaterialPassage): CardSource {
  const upload = passage.sourceType === QuizSourceType.UPLOAD;
  return {
    type: upload ? CardSourceType.UPLOAD : CardSourceType.CHAPTER,
    chapter_id: upload ? undefined : passage.sourceId,
    upload_id: upload ? passage.sourceId : undefined,
    title: passage.sourceTitle,
    passage_index: passage.index,
    excerpt: excerptOf(passage.text),
    page_start: passage.pageStart,
    page_end: passage.pageEnd,
  };
}
