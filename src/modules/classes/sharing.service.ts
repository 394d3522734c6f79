import type { Types } from "mongoose";
import { raise } from "../../lib/errors";
import type { Grantable, GrantOptions, GrantRole } from "../../lib/grants";
import { asObjectId } from "../../lib/ids";
import type { SignedIn } from "../../lib/identity";
import { CoursePolicy, courseNotFound } from "../courses/course.policy";
import type { CourseService } from "../courses/course.service";
import { quizNotFound } from "../quizzes/quiz.policy";
import type { QuizService } from "../quizzes/quiz.service";
import type { DeckService } from "../study/deck.service";
import { DeckPolicy } from "../study/study.policy";
import type { UserService } from "../users/user.service";
import type { ClassService } from "./class.service";
import { SharedKind, type ShareEntry } from "./sharing.types";

/** Something shared, as the sharer names it. */
export interface ShareTarget {
  kind: SharedKind;
  id: string;
}

/** Who it is shared with: a class (every member) or one user. */
export interface SharePrincipal {
  classId?: string | null;
  userId?: string | null;
}

/**
 * Shares of courses, quizzes and decks with classes and users. The grants live on the shared
 * documents and are read by `CoursePolicy` (and the quiz and deck rules built on it); this service
 * decides who may share what with whom and writes them through each domain's service.
 */
export class SharingService {
  constructor(private readonly deps: { classes: ClassService; courses: CourseService; quizzes: QuizService; decks: DeckService; users: UserService }) {}

  async share(actor: SignedIn, target: ShareTarget, to: SharePrincipal, role: GrantRole): Promise<boolean> {
    const id = await this.shareableOrFail(actor, target);
    const principal = await this.principalOrFail(actor, to);
    await this.setGrant(target.kind, id, principal, role);
    return true;
  }

  async unshare(actor: SignedIn, target: ShareTarget, from: SharePrincipal): Promise<boolean> {
    const id = await this.shareableOrFail(actor, target);
    const principal = await this.principalOrFail(actor, from);
    await this.setGrant(target.kind, id, principal, null);
    return true;
  }

  /**
   * The id of what the actor may share: NOT_FOUND where they may not even read it, FORBIDDEN where
   * they read but do not author it (a course's owner and admins share it; a quiz's authors; a
   * personal deck's owner; a course deck goes with its course).
   */
  async shareableOrFail(actor: SignedIn, target: ShareTarget): Promise<Types.ObjectId> {
    return (await this.shareable(actor, target))._id;
  }

  /**
   * The current shares of what the actor may share (the same NOT_FOUND and FORBIDDEN as sharing
   * it), in the order they were made; a share whose class or user is gone is left out.
   */
  async sharesOf(actor: SignedIn, target: ShareTarget): Promise<ShareEntry[]> {
    const grants = (await this.shareable(actor, target)).grants ?? [];
    if (grants.length === 0) return [];
    const principals = grants.map((grant) => grant.principal);
    const [classes, users] = await Promise.all([this.deps.classes.byIds(principals), this.deps.users.byIds(principals)]);
    const classById = new Map(classes.map((cls) => [String(cls._id), cls]));
    const userById = new Map(users.flatMap((user) => (user ? [[String(user._id), user] as const] : [])));
    return grants.flatMap((grant): ShareEntry[] => {
      const cls = classById.get(String(grant.principal));
      if (cls) return [{ role: grant.role, class: { _id: cls._id, name: cls.name }, user: null }];
      const user = userById.get(String(grant.principal));
      return user ? [{ role: grant.role, class: null, user: { _id: user._id, name: user.name } }] : [];
    });
  }

  private async shareable(actor: SignedIn, target: ShareTarget): Promise<{ _id: Types.ObjectId } & Grantable> {
    switch (target.kind) {
      case SharedKind.COURSE: {
        const course = (await this.deps.courses.readable(actor, target.id)) ?? courseNotFound();
        if (!CoursePolicy.canShare(actor, course)) raise("FORBIDDEN", "Only the course's owner or an admin may share it");
        return course;
      }
      case SharedKind.QUIZ: {
        const quiz = (await this.deps.quizzes.readable(actor, target.id)) ?? quizNotFound();
        if (!(await this.deps.quizzes.mayShare(actor, quiz))) raise("FORBIDDEN", "Only the quiz's authors may share it");
        return quiz;
      }
      case SharedKind.DECK: {
        const { deck } = await this.deps.decks.readableOrFail(actor, target.id);
        if (!DeckPolicy.canShare(actor, deck)) raise("FORBIDDEN", "Only a personal deck's owner shares it; a course deck is shared with its course");
        return deck;
      }
    }
  }

  private async setGrant(kind: SharedKind, id: Types.ObjectId, principal: Types.ObjectId, role: GrantRole | null, options: GrantOptions = {}): Promise<void> {
    if (kind === SharedKind.COURSE) await this.deps.courses.setGrant(id, principal, role, options);
    else if (kind === SharedKind.QUIZ) await this.deps.quizzes.setGrant(id, principal, role, options);
    else await this.deps.decks.setGrant(id, principal, role, options);
  }

  /** Gives `principal` read access unless it has a share already (an EDITOR share is kept as it is). */
  async grantIfAbsent(kind: SharedKind, id: Types.ObjectId, principal: Types.ObjectId, role: GrantRole): Promise<void> {
    await this.setGrant(kind, id, principal, role, { keepExisting: true });
  }

  /** A class the actor teaches, or an existing user; exactly one of the two. */
  private async principalOrFail(actor: SignedIn, to: SharePrincipal): Promise<Types.ObjectId> {
    if (Boolean(to.classId) === Boolean(to.userId)) {
      raise("BAD_USER_INPUT", "Name either a class or a user", { fields: [{ field: "input.classId", message: "give classId or userId, not both or neither" }] });
    }
    if (to.classId) return (await this.deps.classes.teachingOrFail(actor, to.classId, { writable: true })).cls._id;
    const userId = asObjectId(to.userId!);
    const user = userId && (await this.deps.users.findById(userId));
    if (!user) raise("NOT_FOUND", "User not found", { fields: [{ field: "input.userId", message: "matches no user" }] });
    return user._id;
  }
}

