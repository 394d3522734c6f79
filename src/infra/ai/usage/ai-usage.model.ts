import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import type { Types } from "mongoose";
import type { AiProviderName, AiPurpose } from "../provider";
import type { AiCallOutcome } from "./usage-recorder";

const PROVIDERS: AiProviderName[] = ["gemini", "openai", "offline"];
const PURPOSES: AiPurpose[] = ["outline", "quiz", "flashcards", "chat", "embedding"];
const OUTCOMES: AiCallOutcome[] = ["ok", "error", "cancelled"];

/** One row per model call; nothing reads single rows, admins read totals (`aiUsageTotals`). */
@modelOptions({ schemaOptions: { collection: "ai_usage", timestamps: { createdAt: "created_at", updatedAt: false } } })
@index({ created_at: -1 })
@index({ user_id: 1, created_at: -1 })
export class AiUsage {
  @prop({ required: true, type: String, enum: PROVIDERS })
  provider!: AiProviderName;

  @prop({ required: true, type: String })
  model!: string;

  @prop({ required: true, type: String, enum: PURPOSES })
  purpose!: AiPurpose;

  @prop({ type: Number })
  input_tokens?: number;

  @prop({ type: Number })
  output_tokens?: number;

  @prop({ required: true, type: Number })
  latency_ms!: number;

  @prop({ required: true, type: String, enum: OUTCOMES })
  outcome!: AiCallOutcome;

  @prop({ type: String })
  error_code?: string;

  @prop({ type: String })
  user_id?: string;

  readonly created_at!: Date;

  readonly _id!: Types.ObjectId;
}

export const AiUsageModel = getModelForClass(AiUsage);
