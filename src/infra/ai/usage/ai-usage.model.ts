import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import type { Types } from "mongoose";

/** One row per model call; nothing reads single rows, admins read totals (`aiUsageTotals`). */
@modelOptions({ schemaOptions: { collection: "ai_usage", timestamps: { createdAt: "created_at", updatedAt: false } } })
@index({ created_at: -1 })
@index({ user_id: 1, created_at: -1 })
export class AiUsage {
  @prop({ required: true, type: String })
  provider!: string;

  @prop({ required: true, type: String })
  model!: string;

  @prop({ required: true, type: String })
  purpose!: string;

  @prop({ type: Number })
  input_tokens?: number;

  @prop({ type: Number })
  output_tokens?: number;

  @prop({ required: true, type: Number })
  latency_ms!: number;

  @prop({ required: true, type: String })
  outcome!: string;

  @prop({ type: String })
  error_code?: string;

  @prop({ type: String })
  user_id?: string;

  readonly created_at!: Date;

  readonly _id!: Types.ObjectId;
}

export const AiUsageModel = getModelForClass(AiUsage);
