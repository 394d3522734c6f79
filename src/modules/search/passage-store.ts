import type { Types } from "mongoose";
import type { AiProvider, CallOptions } from "../../infra/ai/provider";
import type { Chunk } from "../uploads/chunker";
import { EmbeddingModel, type Embedding, type SourceType } from "./embedding.model";
import { isTableOfContents } from "./toc";

/** Passages embedded per call to the provider (Gemini's batch endpoint takes up to 100). */
export const EMBED_BATCH_SIZE = 32;

export interface PassageSource {
  type: SourceType;
  id: Types.ObjectId;
  title: string;
  ownerId?: Types.ObjectId;
  courseId?: Types.ObjectId;
}

/** Where each batch leaves a source: `stored` of `total` passages are embedded. */
export type BatchReport = (stored: number, total: number) => Promise<void>;

/**
 * The `embeddings` collection: passages of uploads and chapters with their vectors. The only code
 * that writes it; `VectorIndex` reads it.
 */
export class PassageStore {
  constructor(private readonly ai: AiProvider) {}

  async ready(): Promise<void> {
    await EmbeddingModel.init();
  }

  /**
   * Embeds and stores `chunks` in batches, continuing after the passages already stored for this
   * source in the active embedding space (a resumed ingestion does not embed them twice). Batches
   * are inserted in order, so what is stored is always a prefix of the chunks.
   */
  async store(source: PassageSource, chunks: Chunk[], report: BatchReport, options: CallOptions = {}): Promise<void> {
    let stored = await this.storedPrefix(source);
    await report(stored, chunks.length);
    while (stored < chunks.length) {
      options.signal?.throwIfAborted();
      const batch = chunks.slice(stored, stored + EMBED_BATCH_SIZE);
      const vectors = await this.ai.embed(batch.map((chunk) => passageText(source, chunk)), "document", options);
      await EmbeddingModel.insertMany(
        batch.map((chunk, i) => ({
          source_type: source.type,
          source_id: source.id,
          source_title: source.title,
          owner_id: source.ownerId,
          course_id: source.courseId,
          chunk_index: chunk.index,
          text: chunk.text,
          page_start: chunk.pageStart,
          page_end: chunk.pageEnd,
          heading: chunk.heading,
          toc: isTableOfContents(chunk.text),
          char_start: chunk.charStart,
          char_end: chunk.charEnd,
          embedding: vectors[i],
          embedding_model_id: this.ai.embeddingModelId,
        })),
        { ordered: true },
      );
      stored += batch.length;
      await report(stored, chunks.length);
    }
  }

  /** A source's passages in the active embedding space, in document order, without vectors. */
  passagesOf(type: SourceType, id: Types.ObjectId): Promise<Omit<Embedding, "embedding">[]> {
    return EmbeddingModel.find({ source_type: type, source_id: id, embedding_model_id: this.ai.embeddingModelId })
      .sort({ chunk_index: 1 })
      .lean<Omit<Embedding, "embedding">[]>()
      .exec();
  }

  /** Ids of the sources of this type with passages in the active embedding space. */
  async sourcesInActiveSpace(type: SourceType): Promise<Types.ObjectId[]> {
    return EmbeddingModel.distinct("source_id", { source_type: type, embedding_model_id: this.ai.embeddingModelId }).exec() as Promise<Types.ObjectId[]>;
  }

  /** Removes every passage of these sources, in every embedding space. */
  async remove(type: SourceType, ids: Types.ObjectId[]): Promise<void> {
    await EmbeddingModel.deleteMany({ source_type: type, source_id: { $in: ids } }).exec();
  }

  async removeForCourse(courseId: Types.ObjectId): Promise<void> {
    await EmbeddingModel.deleteMany({ course_id: courseId }).exec();
  }

  /** Every passage of an owner's uploads (a deleted account), whichever upload they came from. */
  async removeOwnedBy(ownerId: Types.ObjectId): Promise<void> {
    await EmbeddingModel.deleteMany({ owner_id: ownerId }).exec();
  }

  /**
   * How many leading chunks are stored in the active space. Anything else stored for the source
   * (another space, or rows past a gap) is stale and removed.
   */
  private async storedPrefix(source: PassageSource): Promise<number> {
    const active = { source_type: source.type, source_id: source.id, embedding_model_id: this.ai.embeddingModelId };
    const [count, last] = await Promise.all([
      EmbeddingModel.countDocuments(active).exec(),
      EmbeddingModel.findOne(active).sort({ chunk_index: -1 }).select({ chunk_index: 1 }).lean().exec(),
    ]);
    const prefix = last && last.chunk_index === count - 1 ? count : 0;
    await EmbeddingModel.deleteMany({
      source_type: source.type,
      source_id: source.id,
      $or: [{ embedding_model_id: { $ne: this.ai.embeddingModelId } }, { chunk_index: { $gte: prefix } }],
    }).exec();
    return prefix;
  }
}

/** The heading path is part of what a passage is about, so it is embedded with it. */
function passageText(source: PassageSource, chunk: Chunk): string {
  return [source.title, chunk.heading, chunk.text].filter(Boolean).join("\n");
}
