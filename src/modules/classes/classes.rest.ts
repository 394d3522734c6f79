import { Router } from "express";
import { ErrorCode } from "../../lib/errors";
import { sentRefusal } from "../../lib/rest-refusal";
import type { AuthService } from "../auth/auth.service";
import type { ClassService } from "./class.service";
import type { GradebookService } from "./gradebook.service";

const STATUS: Partial<Record<string, number>> = { [ErrorCode.NOT_FOUND]: 404, [ErrorCode.FORBIDDEN]: 403, [ErrorCode.BAD_USER_INPUT]: 400 };

/** `GET /api/v1/classes/:id/gradebook.csv`: the gradebook as CSV, for the class's teachers and TAs (Bearer token). */
export function classesRoutes(deps: { auth: AuthService; classes: ClassService; gradebook: GradebookService }): Router {
  const router = Router();
  router.get("/:id/gradebook.csv", async (req, res) => {
    const viewer = await deps.auth.authenticate(req.headers.authorization);
    if (!viewer) {
      res.status(401).setHeader("www-authenticate", "Bearer").json({ detail: "Not authenticated" });
      return;
    }
    let body: string;
    let name: string;
    try {
      const access = await deps.classes.staffOrFail(viewer.user, req.params.id);
      body = await deps.gradebook.csv(access);
      name = access.cls.name;
    } catch (error) {
      if (sentRefusal(res, error, STATUS)) return;
      throw error;
    }
    res.setHeader("content-type", "text/csv; charset=utf-8");
    res.setHeader("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(`${name} gradebook.csv`)}`);
    res.setHeader("x-content-type-options", "nosniff");
    res.send(body);
  });
  return router;
}
