import { pipeline } from "node:stream/promises";
import { Router } from "express";
import { GraphQLError } from "graphql";
import { ErrorCode } from "../../lib/errors";
import type { AuthService } from "../auth/auth.service";
import type { UploadService } from "./upload.service";

/** `GET /api/v1/uploads/:id/file`: the original file, to its owner or an admin (Bearer token). */
export function uploadRoutes(deps: { auth: AuthService; uploads: UploadService }): Router {
  const router = Router();
  router.get("/:id/file", async (req, res) => {
    const viewer = await deps.auth.authenticate(req.headers.authorization);
    if (!viewer) {
      res.status(401).setHeader("www-authenticate", "Bearer").json({ detail: "Not authenticated" });
      return;
    }
    let download;
    try {
      download = await deps.uploads.download(viewer.user, req.params.id);
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code === ErrorCode.NOT_FOUND) {
        res.status(404).json({ detail: error.message });
        return;
      }
      throw error;
    }
    res.setHeader("content-type", download.contentType);
    res.setHeader("content-length", String(download.upload.file_size));
    res.setHeader("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(download.upload.filename)}`);
    res.setHeader("x-content-type-options", "nosniff");
    await pipeline(download.stream, res);
  });
  return router;
}
