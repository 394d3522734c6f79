import {
  getNamedType,
  getNullableType,
  isEnumType,
  isLeafType,
  isListType,
  isObjectType,
  isInterfaceType,
  isScalarType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
} from "graphql";
import type { ComplexityEstimator } from "graphql-query-complexity";
import { CONTENT_MAX_LENGTH, MAX_CHAPTERS } from "../../modules/chapters/chapter.model";
import { MESSAGE_MAX_LENGTH, TITLE_MAX_LENGTH as CHAT_TITLE_MAX_LENGTH } from "../../modules/chat/chat.inputs";
import { DESCRIPTION_MAX_LENGTH, MAX_TAGS, OUTLINE_MAX_LENGTH, TAG_MAX_LENGTH, TITLE_MAX_LENGTH } from "../../modules/courses/course.rules";
import { MAX_OPTIONS } from "../../modules/quizzes/question-checks";
import { MAX_GENERATED_QUESTIONS, MAX_QUESTIONS, QUIZ_TITLE_MAX_LENGTH, TEXT_MAX_LENGTH } from "../../modules/quizzes/quiz.model";
import { DEFAULT_CHUNK_OPTIONS } from "../../modules/uploads/chunker";
import { UPLOAD_TITLE_MAX_LENGTH } from "../../modules/uploads/upload.model";
import { NAME_MAX_LENGTH } from "../../modules/users/user.inputs";
import { storedSizes, type SizedField } from "../../lib/stored-sizes";
import { MAX_OIDC_PROVIDERS } from "../../config";
import { MAX_ANSWER_CLAIMS } from "../../modules/chat/chat.retrieval";
import { MAX_CLOZE_NUMBER } from "../../modules/study/cloze";
import {
  CARD_EXPLANATION_MAX_LENGTH,
  CARD_SIDE_MAX_LENGTH,
  CARD_TAG_MAX_LENGTH,
  DECK_DESCRIPTION_MAX_LENGTH,
  DECK_TITLE_MAX_LENGTH,
  MAX_CARD_TAGS,
} from "../../modules/study/deck.model";
import { MAX_IMPORT_ROWS } from "../../modules/study/deck-import";
import { FORECAST_DAYS, MAX_GENERATED_CARDS } from "../../modules/study/study.inputs";
import { ASSIGNMENT_TITLE_MAX_LENGTH } from "../../modules/classes/assignment.model";
import { CLASS_DESCRIPTION_MAX_LENGTH, CLASS_NAME_MAX_LENGTH, MAX_INVITATIONS_PER_CALL } from "../../modules/classes/class.model";
import { WEAK_SPOTS as CLASS_WEAK_SPOTS } from "../../modules/classes/gradebook.service";

/**
 * The most bytes one UTF-16 unit can take in a JSON answer: a control character is written
 * `\u0001`. UTF-8 alone needs at most 3 (a surrogate pair is 4 bytes for 2 units).
 */
export const JSON_BYTES_PER_UNIT = 6;

/** A passage is at most its target length plus the overlap carried over from the one before. */
const PASSAGE_MAX_LENGTH = DEFAULT_CHUNK_OPTIONS.targetLength + DEFAULT_CHUNK_OPTIONS.overlap;
const ERROR_MAX_LENGTH = 1_000;
const SHORT = 64;
/** What the response estimate assumes an excerpt of a passage (quiz and card sources) holds. */
const EXCERPT_MAX_LENGTH = 300;
/**
 * Classes have no cap on members or assignments: their lists are priced at a large class (a
 * bigger one's answer is still checked against GRAPHQL_MAX_RESPONSE_BYTES before it is sent).
 */
const PRICED_CLASS_MEMBERS = 500;
const PRICED_CLASS_ASSIGNMENTS = 100;
/** The most passages an answer is written from (CHAT_PASSAGES). */
const MAX_ANSWER_PASSAGES = 20;

/**
 * Every string field of the schema, at its longest in UTF-16 units: validation limits where
 * input sets it, what the code writes elsewhere. test/limits/response-estimate.test.ts fails
 * for a string field missing here.
 */
export const STRING_UNITS: Record<string, number> = {
  "ActivityItem.title": Math.max(TITLE_MAX_LENGTH, QUIZ_TITLE_MAX_LENGTH),
  "AiUsageStat.provider": SHORT,
  "AiUsageStat.purpose": SHORT,
  "Assignment.title": ASSIGNMENT_TITLE_MAX_LENGTH,
  "AuthPayload.accessToken": 2_048,
  "AuthPayload.refreshToken": 2_048,
  "AuthPayload.tokenType": SHORT,
  "Card.back": CARD_SIDE_MAX_LENGTH,
  "Card.explanation": CARD_EXPLANATION_MAX_LENGTH,
  "Card.front": CARD_SIDE_MAX_LENGTH,
  "Card.tags": CARD_TAG_MAX_LENGTH,
  "CardSource.excerpt": EXCERPT_MAX_LENGTH,
  "CardSource.title": Math.max(TITLE_MAX_LENGTH, UPLOAD_TITLE_MAX_LENGTH, QUIZ_TITLE_MAX_LENGTH),
  "Chapter.content": CONTENT_MAX_LENGTH,
  "Chapter.title": TITLE_MAX_LENGTH,
  "ChatMessage.content": MESSAGE_MAX_LENGTH,
  "ChatMessage.error": ERROR_MAX_LENGTH,
  "ChatMessage.model": 200,
  "ChatMessage.provider": SHORT,
  "ChatSession.title": CHAT_TITLE_MAX_LENGTH,
  "ChatStreamEvent.delta": MESSAGE_MAX_LENGTH,
  "ChatStreamEvent.error": ERROR_MAX_LENGTH,
  "ChatStreamEvent.replacement": MESSAGE_MAX_LENGTH,
  "Citation.quote": PASSAGE_MAX_LENGTH,
  "Citation.title": Math.max(TITLE_MAX_LENGTH, UPLOAD_TITLE_MAX_LENGTH),
  "Claim.text": MESSAGE_MAX_LENGTH,
  "Class.description": CLASS_DESCRIPTION_MAX_LENGTH,
  "Class.name": CLASS_NAME_MAX_LENGTH,
  "ClassActivityEvent.assignmentId": SHORT,
  "ClassActivityEvent.chapterId": SHORT,
  "ClassActivityEvent.classId": SHORT,
  "ClassActivityEvent.name": NAME_MAX_LENGTH,
  "ClassActivityEvent.userId": SHORT,
  "ClassInvitation.className": CLASS_NAME_MAX_LENGTH,
  "ClassInvitation.email": 254,
  "ClassLeaderboardEntry.name": NAME_MAX_LENGTH,
  "Course.description": DESCRIPTION_MAX_LENGTH,
  "Course.outline": OUTLINE_MAX_LENGTH,
  "Course.tags": TAG_MAX_LENGTH,
  "Course.title": TITLE_MAX_LENGTH,
  "CourseGenerationJob.error": ERROR_MAX_LENGTH,
  "Deck.description": DECK_DESCRIPTION_MAX_LENGTH,
  "Deck.title": DECK_TITLE_MAX_LENGTH,
  "DroppedCard.front": CARD_SIDE_MAX_LENGTH,
  "DroppedCard.problems": 500,
  "DroppedQuestion.problems": 500,
  "DroppedQuestion.prompt": TEXT_MAX_LENGTH,
  "FlashcardReport.provider": SHORT,
  "ForecastDay.date": SHORT,
  "GenerationReport.provider": SHORT,
  "GradebookRow.email": 254,
  "GradebookRow.name": NAME_MAX_LENGTH,
  "GradedAnswer.acceptedAnswers": TEXT_MAX_LENGTH,
  "GradedAnswer.explanation": TEXT_MAX_LENGTH,
  "GradedAnswer.prompt": TEXT_MAX_LENGTH,
  "GradedAnswer.text": TEXT_MAX_LENGTH,
  "HealthCheck.detail": ERROR_MAX_LENGTH,
  "HealthCheck.name": SHORT,
  "HitSource.title": Math.max(TITLE_MAX_LENGTH, UPLOAD_TITLE_MAX_LENGTH),
  "ImportRowError.message": ERROR_MAX_LENGTH,
  "JoinCode.code": SHORT,
  "Ping.channel": 128,
  "Ping.message": 280,
  "Question.acceptedAnswers": TEXT_MAX_LENGTH,
  "Question.explanation": TEXT_MAX_LENGTH,
  "Question.options": TEXT_MAX_LENGTH,
  "Question.prompt": TEXT_MAX_LENGTH,
  "QuestionCitation.excerpt": EXCERPT_MAX_LENGTH,
  "QuestionCitation.sourceTitle": Math.max(TITLE_MAX_LENGTH, UPLOAD_TITLE_MAX_LENGTH),
  "Quiz.title": QUIZ_TITLE_MAX_LENGTH,
  "ReviewItem.answer": CARD_SIDE_MAX_LENGTH + CARD_EXPLANATION_MAX_LENGTH + 1,
  "ReviewItem.prompt": CARD_SIDE_MAX_LENGTH,
  "RosterEntry.avatarUrl": 2_048,
  "RosterEntry.email": 254,
  "RosterEntry.name": NAME_MAX_LENGTH,
  "SearchHit.heading": ERROR_MAX_LENGTH,
  "SearchHit.highlight": PASSAGE_MAX_LENGTH,
  "SearchHit.text": PASSAGE_MAX_LENGTH,
  "SharedClass.name": CLASS_NAME_MAX_LENGTH,
  "SignInProvider.id": 40,
  "SignInProvider.name": 60,
  "SignInProvider.startPath": 80,
  "StudentAssignment.className": CLASS_NAME_MAX_LENGTH,
  "UploadedFile.error": ERROR_MAX_LENGTH,
  "UploadedFile.filename": 1_024,
  "UploadedFile.sha256": SHORT,
  "UploadedFile.title": UPLOAD_TITLE_MAX_LENGTH,
  "User.email": 254,
  "User.name": NAME_MAX_LENGTH,
  "UserIdentity.email": 254,
  "UserIdentity.issuer": 2_048,
  "UserIdentity.provider": 40,
  // OpenID Connect caps a subject at 255 ASCII characters.
  "UserIdentity.subject": 255,
  "UserProfile.avatarUrl": 2_048,
  "UserProfile.bio": 1_000,
  "UserSummary.name": NAME_MAX_LENGTH,
  "WeakSpot.title": Math.max(TITLE_MAX_LENGTH, QUIZ_TITLE_MAX_LENGTH),
};

/**
 * Fields priced from what is really stored (lib/stored-sizes.ts) rather than their cap: the
 * answer's text has no cap, and a chapter's, a question's or a quote's is far above what is
 * stored. A learner's question (MESSAGE_MAX_LENGTH) is the least an answer field (and a claim, one
 * of its sentences) is priced at; the others at most their cap.
 */
const STORED: Record<string, SizedField> = {
  "Chapter.content": "Chapter.content",
  "ChatMessage.content": "ChatMessage.content",
  "ChatStreamEvent.delta": "ChatMessage.content",
  "ChatStreamEvent.replacement": "ChatMessage.content",
  "Claim.text": "ChatMessage.content",
  "Citation.quote": "Citation.quote",
  "DroppedQuestion.prompt": "Question.text",
  "GradedAnswer.acceptedAnswers": "Question.text",
  "GradedAnswer.explanation": "Question.text",
  "GradedAnswer.prompt": "Question.text",
  "GradedAnswer.text": "GradedAnswer.text",
  "Question.acceptedAnswers": "Question.text",
  "Question.explanation": "Question.text",
  "Question.options": "Question.text",
  "Question.prompt": "Question.text",
};

/** Stored figures that may exceed the field's cap: the answer's text has none. */
const UNCAPPED: ReadonlySet<SizedField> = new Set(["ChatMessage.content"]);

/**
 * Every list field without a `limit` argument, at the most it can hold; page `items` are priced
 * by their field's `limit`. The test fails for a list missing here.
 */
export const LIST_CAPS: Record<string, number> = {
  "AdminStats.aiUsage": 50,
  "AdminStats.courses": 10,
  "AdminStats.uploads": 10,
  "AdminStats.users": 10,
  "Assignment.questionStats": MAX_QUESTIONS,
  "Card.clozeNumbers": MAX_CLOZE_NUMBER,
  // One review state per cloze number (one for a basic card).
  "Card.myReviews": MAX_CLOZE_NUMBER,
  "Card.tags": MAX_CARD_TAGS,
  "ChatMessage.citations": MAX_ANSWER_PASSAGES,
  "ChatMessage.claims": MAX_ANSWER_CLAIMS,
  "ChatScope.uploadIds": 20,
  "ChatStreamEvent.citations": MAX_ANSWER_PASSAGES,
  "ChatStreamEvent.claims": MAX_ANSWER_CLAIMS,
  "Claim.citations": MAX_ANSWER_PASSAGES,
  "Class.invitations": PRICED_CLASS_MEMBERS,
  "Class.leaderboard": PRICED_CLASS_MEMBERS,
  "Course.chapters": MAX_CHAPTERS,
  "Course.tags": MAX_TAGS,
  "CourseProgress.completedChapterIds": MAX_CHAPTERS,
  "Dashboard.courses": 100,
  "Dashboard.recentActivity": 50,
  "Dashboard.weakSpots": 50,
  "DroppedCard.problems": 20,
  "DroppedQuestion.problems": 20,
  "FlashcardGeneration.cards": MAX_GENERATED_CARDS,
  "FlashcardReport.dropped": MAX_GENERATED_CARDS * 3,
  "GenerationReport.rejected": MAX_GENERATED_QUESTIONS * 3,
  "Gradebook.assignments": PRICED_CLASS_ASSIGNMENTS,
  "Gradebook.rows": PRICED_CLASS_MEMBERS,
  "GradebookRow.cells": PRICED_CLASS_ASSIGNMENTS,
  "GradebookRow.weakSpots": CLASS_WEAK_SPOTS,
  "GradedAnswer.acceptedAnswers": 20,
  "GradedAnswer.correctOptions": 10,
  "GradedAnswer.selectedOptions": 10,
  "Health.checks": 10,
  "ImportResult.errors": MAX_IMPORT_ROWS,
  "Leaderboard.entries": 100,
  "Mutation.inviteToClass": MAX_INVITATIONS_PER_CALL,
  "Mutation.reorderChapters": MAX_CHAPTERS,
  "Query.myInvitations": 100,
  "Query.search": 100,
  // Shares of one course, quiz or deck: classes and named users, priced as a class's members.
  "Query.shares": PRICED_CLASS_MEMBERS,
  "Question.acceptedAnswers": 20,
  "Question.citations": 10,
  "Question.correctOptions": 10,
  "Question.options": MAX_OPTIONS,
  "QuestionStats.flags": 10,
  "QuestionStats.optionCounts": 10,
  "Quiz.questionStats": MAX_QUESTIONS,
  "Quiz.questions": MAX_QUESTIONS,
  "QuizAttempt.answers": MAX_QUESTIONS,
  "SearchHit.rankings": 2,
  "SignInOptions.providers": MAX_OIDC_PROVIDERS,
  "StudyStats.forecast": FORECAST_DAYS,
  "User.identities": MAX_OIDC_PROVIDERS,
};

/**
 * Lists priced by the `limit` of the field that returns their object, like a page's `items`:
 * `reviewQueue(limit)` multiplies what is selected under it.
 */
const LIMITED_BY_PARENT: ReadonlySet<string> = new Set(["ReviewQueue.items"]);

/** What a list neither capped here nor paged by `limit` is assumed to hold. */
const UNLISTED_LIST = 100;

/** JSON bytes of the scalars other than String, at their longest. */
const SCALAR_BYTES: Record<string, number> = {
  ID: 66, // an ObjectId is 26 with quotes; job ids are UUIDs
  Int: 11,
  Float: 24,
  Boolean: 5,
  DateTime: 26,
  // Profile preferences: 16 KiB of JSON text, each unit at its worst.
  JSONObject: 16 * 1024 * JSON_BYTES_PER_UNIT,
};

/** Bytes of one string of `field`, quotes included. */
function stringBytes(key: string): number {
  const stored = STORED[key];
  const byCap = (STRING_UNITS[key] ?? ERROR_MAX_LENGTH) * JSON_BYTES_PER_UNIT + 2;
  if (!stored) return byCap;
  const figure = storedSizes.bytes(stored);
  if (figure === undefined) return byCap;
  return UNCAPPED.has(stored) ? Math.max(byCap, figure) : Math.min(byCap, figure);
}

function leafBytes(key: string, type: GraphQLNamedType): number {
  if (isEnumType(type)) return Math.max(...type.getValues().map((value) => value.name.length)) + 2;
  if (type.name === "String") return stringBytes(key);
  return SCALAR_BYTES[type.name] ?? 66;
}

/** How many items a list field is priced at: its `limit`, its cap, else UNLISTED_LIST. */
function listSize(key: string, args: Record<string, unknown>): number {
  const limit = args.limit;
  if (typeof limit === "number" && limit > 0) return limit;
  return LIST_CAPS[key] ?? UNLISTED_LIST;
}

/**
 * The JSON bytes a field adds to an answer at most: its key (alias or name, quotes, colon, comma)
 * and its value. Objects add braces around what their fields add; lists multiply an item (and its
 * comma) by their size; a field with a `limit` multiplies what is selected under it (a page's
 * `items`, priced once by it). Introspection is left to the depth and alias rules: it reads the
 * schema, whose size the server chose.
 */
export const estimateBytes: ComplexityEstimator = ({ type, field, node, args, childComplexity }) => {
  const keyBytes = (node.alias?.value ?? node.name.value).length + 4;
  if (field.name === "__typename") return keyBytes + 2 + SHORT;
  if (field.name.startsWith("__")) return 0;
  const key = `${type.name}.${field.name}`;
  const named = getNamedType(field.type);
  const isPageItems = (field.name === "items" && "getFields" in type && "hasMore" in type.getFields()) || LIMITED_BY_PARENT.has(key);
  if (isLeafType(named)) {
    const item = leafBytes(key, named);
    return keyBytes + (isListOf(field.type) ? 2 + listSize(key, args) * (item + 1) : item);
  }
  const object = 2 + childComplexity;
  const limit = args.limit;
  if (typeof limit === "number" && limit > 0 && !isListOf(field.type)) return keyBytes + limit * object;
  if (isPageItems || !isListOf(field.type)) return keyBytes + object;
  return keyBytes + 2 + listSize(key, args) * (object + 1);
};

function isListOf(type: GraphQLType): boolean {
  return isListType(getNullableType(type));
}

/**
 * String and list fields of `schema` the estimate has no figure for (they would be priced at a
 * guess): what the schema test lists.
 */
export function unpricedFields(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
      const key = `${type.name}.${field.name}`;
      const named = getNamedType(field.type);
      if (isScalarType(named) && named.name === "String" && !(key in STRING_UNITS)) missing.push(key);
      if (isScalarType(named) && named.name !== "String" && !(named.name in SCALAR_BYTES) && named.name !== "Upload") missing.push(key);
      const pagedByLimit = field.args.some((arg) => arg.name === "limit");
      const isPageItems = (field.name === "items" && "hasMore" in type.getFields()) || LIMITED_BY_PARENT.has(key);
      if (isListOf(field.type) && !pagedByLimit && !isPageItems && !(key in LIST_CAPS)) missing.push(key);
    }
  }
  return missing;
}
