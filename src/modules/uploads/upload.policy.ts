import { isAdmin, type Actor } from "../../lib/identity";
import type { UploadedFile } from "./upload.model";

/** An upload is its owner's alone; admins may act on any (support, moderation). */
export const UploadPolicy = {
  canRead(actor: Actor, upload: Pick<UploadedFile, "owner_id">): boolean {
    return actor !== null && (upload.owner_id.equals(actor._id) || isAdmin(actor));
  },
};
