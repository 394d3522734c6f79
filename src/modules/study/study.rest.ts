import { Router } from "express";
import { ErrorCode } from "../../lib/errors";
import { sentRefusal } from "../../lib/rest-refusal";
import type { AuthService } from "../auth/auth.service";
import { exportDeck } from "./deck-export";
import type { DeckService } from "./deck.service";

const STATUS: Partial<Record<string, number>> = { [ErrorCode.NOT_FOUND]: 404, [ErrorCode.BAD_USER_INPUT]: 400 };

/** `GET /api/v1/decks/:id/export?format=apkg|csv|md`: the deck as a file, to whoever may read it (Bearer token). */
export function studyRoutes(deps: { auth: AuthService; decks: DeckService }): Router {
  const router = Router();
  router.get("/:id/export", async (req, res) => {
    const viewer = await deps.auth.authenticate(req.headers.authorization);
    if (!viewer) {
      res.status(401).setHeader("www-authenticate", "Bearer").json({ detail: "Not authenticated" });
      return;
    }
    let file;
    try {
      const { deck } = await deps.decks.readableOrFail(viewer.user, req.params.id);
      const format = typeof req.query.format === "string" ? req.query.format : "apkg";
      file = await exportDeck(deck, await deps.decks.allCards(deck._id), format);
    } catch (error) {
      if (sentRefusal(res, error, STATUS)) return;
      throw error;
    }
    res.setHeader("content-type", file.contentType);
    res.setHeader("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
    res.setHeader("x-content-type-options", "nosniff");
    res.send(typeof file.body === "string" ? file.body : Buffer.from(file.body));
  });
  return router;
}
