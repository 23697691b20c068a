/** Rejects with `message` when `promise` has not settled after `ms` (the promise itself is left to finish later). */
export function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** What `run` returns and the chat requests the server recorded while it ran. */
export async function recordingOn<T, R>(server: { chatRequests(): R[] }, run: () => Promise<T>): Promise<{ value: T; requests: R[] }> {
  const before = server.chatRequests().length;
  const value = await run();
  return { value, requests: server.chatRequests().slice(before) };
}
