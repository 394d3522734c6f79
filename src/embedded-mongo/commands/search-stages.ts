import type { Document } from "bson";
import { commandError } from "../errors";
import { fuseRanks, parseRankFusion, searchStage } from "../query";
import { isPlainObject } from "../query/paths";
import type { Collection } from "../storage/collection";

/** The term cache key of a search index definition: its id and its definition as it is now. */
function indexKey(index: { id: string; definition: Document }): string {
  return `${index.id}:${JSON.stringify(index.definition)}`;
}

/**
 * `$search` on the collection's search index (`index`, default `"default"`): the matching
 * documents best first, each with its score under `hiddenField`. A missing index, or one of
 * another type, matches nothing, as on Atlas.
 */
export function textSearch(coll: Collection | undefined, spec: unknown, hiddenField: string): Document[] {
  if (!isPlainObject(spec)) throw commandError("FailedToParse", "$search takes an object");
  const name = spec.index === undefined ? "default" : spec.index;
  if (typeof name !== "string") throw commandError("FailedToParse", "$search.index must be a string");
  const index = coll?.searchIndexes.get(name);
  if (!coll || !index || index.type !== "search") return [];
  return searchStage([...coll.docs.values()], index.definition, indexKey(index), spec).map(({ doc, score }) => ({ ...doc, [hiddenField]: { score } }));
}

/** `$rankFusion`: runs each input pipeline with `run`, fuses their rankings; scores (and details) under `hiddenField`. */
export async function rankFusion(spec: unknown, run: (stages: Document[]) => Promise<Document[]>, hiddenField: string): Promise<Document[]> {
  const { pipelines, scoreDetails } = parseRankFusion(spec);
  const outputs: Document[][] = [];
  for (const { stages } of pipelines) outputs.push(await run(stages));
  const inputs = pipelines.map(({ name, weight }, i) => ({
    name,
    weight,
    docs: outputs[i].map((output) => {
      const { [hiddenField]: meta, ...doc } = output;
      return { doc, score: isPlainObject(meta) && typeof meta.score === "number" ? meta.score : undefined };
    }),
  }));
  return fuseRanks(inputs, scoreDetails).map(({ doc, score, details }) => ({ ...doc, [hiddenField]: { score, ...(details && { details }) } }));
}
