import { Types } from "mongoose";
import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import { IdScalar } from "../../lib/scalars";
import { SourceType } from "./embedding.model";

registerEnumType(SourceType, {
  name: "SourceType",
  description: "What a searchable passage comes from.",
  valuesConfig: {
    UPLOAD: { description: "A document the user uploaded." },
    CHAPTER: { description: "A chapter of a course." },
  },
});

export enum SearchRanking {
  LEXICAL = "lexical",
  VECTOR = "vector",
}

registerEnumType(SearchRanking, {
  name: "SearchRanking",
  description: "A ranking that search fuses.",
  valuesConfig: {
    LEXICAL: { description: "Words: BM25 over the passages' text (exact terms such as `-d` included)." },
    VECTOR: { description: "Meaning: cosine similarity of embeddings." },
  },
});

@ObjectType({ description: "The document or chapter a passage comes from." })
export class HitSource {
  @Field(() => SourceType, { description: "Upload or chapter." })
  type!: SourceType;

  @Field(() => IdScalar, { description: "The upload's or the chapter's id." })
  id!: Types.ObjectId;

  @Field({ description: "The upload's or the chapter's title." })
  title!: string;

  @Field(() => IdScalar, { nullable: true, description: "For a chapter, its course's id." })
  courseId?: Types.ObjectId;
}

@ObjectType({ description: "A passage that answers a search, with where it comes from, to cite." })
export class SearchHit {
  @Field(() => Float, { description: "Closeness in meaning from 0 to 1 (cosine similarity mapped to 0..1); higher is closer. Hits are ordered by the fused ranking, not by this alone." })
  score!: number;

  @Field(() => Float, { nullable: true, description: "BM25 score of the passage's words against the query, where the lexical ranking found it; null otherwise." })
  lexicalScore?: number | null;

  @Field(() => [SearchRanking], { description: "Which rankings found the passage: LEXICAL, VECTOR or both." })
  rankings!: SearchRanking[];

  @Field({ description: "Whether the passage is a table of contents or an index; such passages come after content." })
  toc!: boolean;

  @Field({ description: "The passage, about 1,000 characters." })
  text!: string;

  @Field({ description: "The passage's sentence closest to the query, with the query's words wrapped in <em>…</em>." })
  highlight!: string;

  @Field(() => HitSource, { description: "The document or chapter the passage comes from." })
  source!: HitSource;

  @Field(() => Int, { nullable: true, description: "First page of the passage (PDF uploads)." })
  pageStart?: number;

  @Field(() => Int, { nullable: true, description: "Last page of the passage (PDF uploads)." })
  pageEnd?: number;

  @Field({ description: "Headings above the passage joined with \" > \"; empty when it has none." })
  heading!: string;

  @Field(() => Int, { description: "Place of the passage in its source, from 0." })
  chunkIndex!: number;
}
