/** The local stack's port: read from PORT, checked free before anything starts, and said plainly when it is not. */
import { createServer } from "node:net";

export const DEFAULT_PORT = 3000;

/** PORT as a port number, or the reason it is not one. */
export function readPort(raw: string | undefined): number | { problem: string } {
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || port < 1 || port > 65535)
    return { problem: `PORT must be a port number from 1 to 65535, got "${raw.slice(0, 20)}"; e.g. PORT=3100 npm start` };
  return port;
}

/** What to tell a person whose port cannot be listened on; undefined for an error that is not about the port. */
export function portProblem(port: number, err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  const another = port === DEFAULT_PORT ? 3100 : port + 1;
  if (code === "EADDRINUSE") {
    return [
      `Port ${port} on 127.0.0.1 is already in use — another imageops stack (npm start) may be running.`,
      `Stop it (Ctrl-C in its terminal), or choose another port:  PORT=${another} npm start`,
    ].join("\n");
  }
  if (code === "EACCES") return `Port ${port} needs privileges this user does not have; choose one above 1023:  PORT=${another} npm start`;
  return undefined;
}

/** Listens on the port for a moment: the problem with it, or undefined when it is free. */
export async function checkPort(port: number): Promise<string | undefined> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    return undefined;
  } catch (err) {
    const problem = portProblem(port, err);
    if (problem) return problem;
    throw err;
  } finally {
    await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  }
}
