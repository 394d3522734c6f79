/**
 * Reasoning models served as plain chat models (DeepSeek-R1, QwQ, Qwen3 on Ollama or llama.cpp
 * without a reasoning parser) open their answer with their thinking between `<think>` and
 * `</think>`. Only that opening block is dropped: a tag later in the answer is the answer's own
 * text. Servers that return reasoning in a field of its own (`reasoning_content`) need nothing.
 */
const OPEN = "<think>";
const CLOSE = "</think>";

/** A whole answer without its opening thinking; nothing when the thinking never ended. */
export function withoutReasoning(text: string): string {
  const start = text.trimStart();
  if (!start.startsWith(OPEN)) return text;
  const end = start.indexOf(CLOSE);
  return end < 0 ? "" : start.slice(end + CLOSE.length).trimStart();
}

/**
 * The same for a streamed answer, delta by delta: `push` returns what may be shown so far (text
 * that could still be the start of `<think>`, or of `</think>` inside the thinking, is held
 * back), `end` what was held back when the stream finishes.
 */
export class ReasoningFilter {
  /** `opening`: the thinking has ended, and the whitespace before the answer is still skipped. */
  private state: "start" | "thinking" | "opening" | "answer" = "start";
  private held = "";

  push(delta: string): string {
    if (this.state === "answer") return delta;
    if (this.state === "opening") return this.open(delta);
    this.held += delta;
    if (this.state === "start") {
      const start = this.held.trimStart();
      if (OPEN.startsWith(start)) return "";
      if (!start.startsWith(OPEN)) {
        this.state = "answer";
        return this.release();
      }
      this.state = "thinking";
      this.held = start.slice(OPEN.length);
    }
    const end = this.held.indexOf(CLOSE);
    if (end < 0) {
      // Only what could be the beginning of a split `</think>` needs keeping.
      this.held = this.held.slice(-(CLOSE.length - 1));
      return "";
    }
    const after = this.held.slice(end + CLOSE.length);
    this.held = "";
    this.state = "opening";
    return this.open(after);
  }

  /** What is left once the stream has ended: held text that never became `<think>`; never unfinished thinking. */
  end(): string {
    return this.state === "start" ? this.release() : "";
  }

  private open(delta: string): string {
    const text = delta.trimStart();
    if (text) this.state = "answer";
    return text;
  }

  private release(): string {
    const text = this.held;
    this.held = "";
    return text;
  }
}
