/**
 * A value made once per container on first use and shared by concurrent callers; a failure is
 * not kept, so the next call tries again (a secret that could not be read, a client that could
 * not start).
 */
export function memoAsync<T>(make: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (!pending) {
      const p = make();
      pending = p;
      p.catch(() => {
        if (pending === p) pending = undefined;
      });
    }
    return pending;
  };
}
