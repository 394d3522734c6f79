import type { ChatTurn as PromptTurn } from "../../infra/ai/prompts";
import { ChatRole, type ChatMessage } from "./chat.model";

/** A rough token count (about four characters per token in English), enough to bound a prompt. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The most recent turns that fit in `budget` tokens, oldest first. `newestFirst` are earlier
 * messages of the session; empty texts (an answer that failed before writing) are left out.
 */
export function recentHistory(newestFirst: Pick<ChatMessage, "role" | "content">[], budget: number): PromptTurn[] {
  const turns: PromptTurn[] = [];
  let used = 0;
  for (const message of newestFirst) {
    if (!message.content.trim()) continue;
    used += estimateTokens(message.content);
    if (used > budget) break;
    turns.push({ role: message.role === ChatRole.USER ? "user" : "assistant", text: message.content });
  }
  return turns.reverse();
}
