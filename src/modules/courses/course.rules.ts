import { registerEnumType } from "type-graphql";

/** The limits of a course's fields: the inputs validate them, the services rely on them. */
export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 1000;
export const OUTLINE_MAX_LENGTH = 20_000;
export const MAX_TAGS = 10;
export const TAG_MAX_LENGTH = 40;
export const SEARCH_MAX_LENGTH = 200;

/** Trimmed, lower-cased, without repeats, in the order given. */
export function normalizeTags(tags: string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim().toLowerCase()))];
}

/** Whose courses a listing shows. */
export enum CourseOwnerFilter {
  MINE = "MINE",
  PUBLIC = "PUBLIC",
  ALL = "ALL",
}

registerEnumType(CourseOwnerFilter, {
  name: "CourseOwnerFilter",
  description: "Which courses a listing starts from.",
  valuesConfig: {
    MINE: { description: "Courses you own or are enrolled in (sign-in required)." },
    PUBLIC: { description: "The public catalog; needs no sign-in." },
    ALL: { description: "Every course you may see: the public catalog and your own (everything, for an admin)." },
  },
});
