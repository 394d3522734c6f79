import { spawn } from "node:child_process";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** An echo server in its own process: prints its port, sends back whatever it reads. */
const ECHO = `require("node:net").createServer((s) => { s.setNoDelay(true); s.on("data", (d) => s.write(d)); })
  .listen(0, "127.0.0.1", function () { console.log(this.address().port); });`;

/**
 * What this machine charges for waking a process: 200-byte messages sent to another process and
 * echoed back over loopback TCP, one at a time, each after both processes sat idle for `idleMs`.
 * A request timed one at a time crosses the bench client, the API and the database several times,
 * each crossing a wake-up like this one: its p95 is part of every latency the study bench prints.
 */
export async function wakeLatency(runs: number, idleMs: number): Promise<{ p50: number; p95: number }> {
  const child = spawn(process.execPath, ["-e", ECHO], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise<number>((resolvePort, reject) => {
      child.stdout!.once("data", (chunk: Buffer) => resolvePort(Number(chunk.toString().trim())));
      child.once("exit", (code) => reject(new Error(`echo server exited (${code})`)));
    });
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    await new Promise<void>((resolveConnect) => socket.once("connect", () => resolveConnect()));
    const message = Buffer.alloc(200);
    const roundTrip = () =>
      new Promise<number>((resolveTrip) => {
        const sent = process.hrtime.bigint();
        socket.once("data", () => resolveTrip(Number(process.hrtime.bigint() - sent) / 1000));
        socket.write(message);
      });
    const micros: number[] = [];
    for (let i = 0; i < runs; i++) {
      await sleep(idleMs);
      micros.push(await roundTrip());
    }
    socket.destroy();
    micros.sort((a, b) => a - b);
    return { p50: micros[Math.floor(runs * 0.5)], p95: micros[Math.floor(runs * 0.95)] };
  } finally {
    child.kill();
  }
}
