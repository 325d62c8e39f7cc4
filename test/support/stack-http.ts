import type { LocalStack } from "../../dev/local-stack.js";
import type { LeakWatch } from "./leak-watch.js";

/** JSON over the local stack's function URLs, every answer recorded for the suite's leak check. */
export function stackHttp(stack: () => LocalStack, leaks: LeakWatch) {
  async function call(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
    // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await fetch(stack().url + path, init);
    const text = await res.text();
    leaks.record(text);
    return { status: res.status, body: JSON.parse(text) };
  }
  const post = (path: string, body: unknown) =>
    call(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { call, post };
}
