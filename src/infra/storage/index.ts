export type { FileStore, StoredFileInfo } from "./file-store";
export { GridFsFileStore } from "./gridfs-store";
export { DiskFileStore } from "./disk-store";
