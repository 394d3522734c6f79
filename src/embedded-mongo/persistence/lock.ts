import { existsSync, readFileSync } from "node:fs";
import { link, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LOCK_FILE } from "./files";

/** A second process (or a second engine in this one) tried to open a directory that is being served. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `data directory ${dir} is in use by process ${pid} (lock file ${join(dir, LOCK_FILE)}); ` +
        `stop that process first, or delete the lock file if process ${pid} is not an embedded-mongo server`,
    );
    this.name = "DataDirLockedError";
  }
}

const MAX_ATTEMPTS = 10;

/**
 * Lock files this process holds. A lock with our own pid that is not in here was left by an
 * earlier process that had the same pid: the usual case in a container restarted after a crash.
 */
const heldHere = new Set<string>();
let acquisitions = 0;

/**
 * Takes the directory's lock file, which holds the holder's pid, and returns its release. A lock
 * whose pid is no longer running (the holder crashed) is taken over.
 *
 * The lock appears with its pid already in it (written to a private file, then hard-linked into
 * place, which fails if the lock exists), so nobody ever reads a half-written lock. A stale lock
 * is first renamed aside and checked to be the one judged stale, so two processes taking over the
 * same stale lock cannot both delete each other's fresh one.
 */
export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const lockPath = join(dir, LOCK_FILE);
  const mine = `${lockPath}.${process.pid}.${++acquisitions}`;
  await writeFile(mine, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        await link(mine, lockPath);
        heldHere.add(lockPath);
        return () => releaseLock(lockPath);
      } catch (error) {
        if (!isCode(error, "EEXIST")) throw error;
      }
      const holder = await readPid(lockPath);
      if (holder === undefined) continue;
      if (holder === process.pid ? heldHere.has(lockPath) : isRunning(holder)) throw new DataDirLockedError(dir, holder);
      await setAsideStaleLock(lockPath, holder);
    }
    throw new Error(`could not take the lock file ${lockPath}: it keeps changing`);
  } finally {
    await unlink(mine);
  }
}

async function setAsideStaleLock(lockPath: string, stalePid: number): Promise<void> {
  const aside = `${lockPath}.stale.${process.pid}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if (isCode(error, "ENOENT")) return;
    throw error;
  }
  const moved = await readPid(aside);
  if (moved !== stalePid) {
    // Someone took the stale lock over between our read and our rename: give theirs back.
    await link(aside, lockPath).catch(() => undefined);
  }
  await unlink(aside);
}

async function releaseLock(lockPath: string): Promise<void> {
  heldHere.delete(lockPath);
  if ((await readPid(lockPath)) === process.pid) await unlink(lockPath);
}

/** The pid in a lock file; undefined when it vanished meanwhile. A lock without a valid pid counts as stale (pid 0). */
async function readPid(path: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (isCode(error, "ENOENT")) return undefined;
    throw error;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
}

function isRunning(pid: number): boolean {
  if (pid === 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    if (!isCode(error, "EPERM")) return false;
  }
  // kill(pid, 0) also succeeds for a zombie: a holder killed with -9 whose parent has not reaped
  // it yet (a restart within a second or two of the kill found its lock "in use").
  return !isZombie(pid);
}

/** Elsewhere than Linux, kill(pid, 0) is all there is. */
const HAS_PROC = existsSync("/proc/self/stat");

/** Whether Linux reports `pid` as exited (zombie or dead); false where there is no /proc. */
function isZombie(pid: number): boolean {
  if (!HAS_PROC) return false;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (error) {
    // Gone between the two looks.
    return isCode(error, "ENOENT");
  }
  // "pid (command) S …": the command may hold spaces and parentheses, the state follows the last ")".
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state === "Z" || state === "X" || state === "x";
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException)?.code === code;
}
