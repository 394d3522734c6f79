/** A period of creation times: from `since` (or the beginning) to before `until`. */
export interface CreatedBetween {
  since: Date | null;
  until: Date;
}

/** The filter of documents created in `period` (by their `created_at`). */
export function createdIn(period: CreatedBetween): { created_at: { $gte?: Date; $lt: Date } } {
  return { created_at: { ...(period.since && { $gte: period.since }), $lt: period.until } };
}
