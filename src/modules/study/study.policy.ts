import { raise } from "../../lib/errors";
import { granted, GrantRole } from "../../lib/grants";
import { isAdmin, type Actor } from "../../lib/identity";
import type { Course } from "../courses/course.model";
import { CoursePolicy } from "../courses/course.policy";
import type { Card } from "./card.model";
import { DeckKind, type Deck } from "./deck.model";

/**
 * Who may do what with a deck, as pure rules over the deck and its course (`course`: null when
 * it has none or it is gone). A course deck follows its course's rules and nothing else, so
 * whatever CoursePolicy grants (or will grant) to read or edit a course applies to its decks.
 * A personal or Mistakes deck is its owner's and its shares' (VIEWER reads, EDITOR changes it);
 * admins may read and fix any (support).
 */
export const DeckPolicy = {
  owns(actor: Actor, deck: Pick<Deck, "owner_id">): boolean {
    return actor !== null && deck.owner_id.equals(actor._id);
  },

  /** Reading a deck is studying it: its cards, its export, your own schedule for it. */
  canRead(actor: Actor, deck: Pick<Deck, "kind" | "owner_id" | "grants">, course: Course | null): boolean {
    if (actor === null) return false;
    if (deck.kind === DeckKind.COURSE) return course !== null && CoursePolicy.canRead(actor, course);
    return DeckPolicy.owns(actor, deck) || isAdmin(actor) || granted(actor, deck, GrantRole.VIEWER);
  },

  /**
   * Reading a card is reading its deck. A card keeps its deck's owner and course: a deck has a
   * course exactly when it is a COURSE deck, and personal and Mistakes decks share one rule. A
   * card does not copy its deck's grants: `false` for a personal card means "ask the deck".
   */
  canReadCard(actor: Actor, card: Pick<Card, "owner_id" | "course_id">, course: Course | null): boolean {
    return DeckPolicy.canRead(actor, { kind: card.course_id ? DeckKind.COURSE : DeckKind.PERSONAL, owner_id: card.owner_id }, course);
  },

  canEdit(actor: Actor, deck: Pick<Deck, "kind" | "owner_id" | "grants">, course: Pick<Course, "owner_id" | "grants"> | null): boolean {
    if (actor === null) return false;
    if (deck.kind === DeckKind.COURSE) return course !== null && CoursePolicy.canEdit(actor, course);
    return DeckPolicy.owns(actor, deck) || isAdmin(actor) || granted(actor, deck, GrantRole.EDITOR);
  },

  /** Sharing a deck: a course deck is shared by sharing its course; a personal deck by its owner or an admin. */
  canShare(actor: Actor, deck: Pick<Deck, "kind" | "owner_id">): boolean {
    return deck.kind === DeckKind.PERSONAL && (DeckPolicy.owns(actor, deck) || isAdmin(actor));
  },
};

/** The same answer for "no such deck" and "not yours to see". */
export function deckNotFound(): never {
  return raise("NOT_FOUND", "Deck not found");
}

export function cardNotFound(): never {
  return raise("NOT_FOUND", "Card not found");
}
