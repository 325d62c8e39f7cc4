/** Calls `seen` with every chunk written to stdout and stderr (still written); returns the undo. */
export function tapOutput(seen: (chunk: string | Uint8Array) => void): () => void {
  const undo: Array<() => void> = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      seen(chunk);
      return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
    undo.push(() => (stream.write = original));
  }
  return () => undo.forEach((u) => u());
}
