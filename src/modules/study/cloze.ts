/** `{{c1::answer}}` or `{{c1::answer::hint}}`, as Anki writes cloze deletions. */
const CLOZE = /\{\{c(\d{1,3})::([\s\S]*?)(?:::([\s\S]*?))?\}\}/g;
export const MAX_CLOZE_NUMBER = 100;

/** The cloze numbers of a text, ascending, without repeats; empty when it has none. */
export function clozeNumbers(text: string): number[] {
  const numbers = new Set<number>();
  for (const match of text.matchAll(CLOZE)) {
    if (match[2].trim()) numbers.add(Number(match[1]));
  }
  return [...numbers].sort((a, b) => a - b);
}

/** What the learner sees for cloze number `ord`: its deletions hidden (as `[…]` or `[hint]`), the others shown. */
export function clozePrompt(text: string, ord: number): string {
  return text.replace(CLOZE, (_, n: string, answer: string, hint?: string) => (Number(n) === ord ? `[${hint?.trim() || "…"}]` : answer));
}

/** The text with every deletion shown. */
export function clozeAnswer(text: string): string {
  return text.replace(CLOZE, (_, _n: string, answer: string) => answer);
}

/** The hidden words of cloze number `ord`, joined. */
export function clozeDeletions(text: string, ord: number): string {
  return [...text.matchAll(CLOZE)].filter((match) => Number(match[1]) === ord).map((match) => match[2]).join(" … ");
}
