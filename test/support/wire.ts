/** The wire tests' cloud: a transport that records every request as the HTTP client sent it and answers from a route. */
import type { Transport, TransportResponse } from "../../shared/http/transport.js";

export interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** An answer with no headers; a body that is not a string is sent as JSON. */
export const answer = (status: number, body: unknown): TransportResponse => ({
  status,
  headers: { get: () => null },
  text: typeof body === "string" ? body : JSON.stringify(body),
});

/** `sent` is emptied by `reset()` (each test's beforeEach), never replaced: hold it as it is. */
export function recordingTransport(route: (url: URL, init: Parameters<Transport>[1]) => TransportResponse | Promise<TransportResponse>) {
  const sent: Sent[] = [];
  const transport: Transport = async (url, init) => {
    sent.push({ method: init.method, url, headers: { ...init.headers }, body: init.body });
    return route(new URL(url), init);
  };
  return { sent, transport, reset: () => void sent.splice(0) };
}
