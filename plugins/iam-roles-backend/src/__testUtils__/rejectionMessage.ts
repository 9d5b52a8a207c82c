/**
 * The message a promise rejects with, or `'resolved'`. For errors of native modules such as
 * better-sqlite3: the addon keeps the error class of the first test file that loaded it, so in
 * later files its errors are not `instanceof Error` of that file's realm, and jest's
 * `rejects.toThrow` reports "did not throw" depending on the order files run in.
 */
export async function rejectionMessage(
  promise: PromiseLike<unknown>,
): Promise<string> {
  return Promise.resolve(promise).then(
    () => 'resolved',
    (error: unknown) =>
      String((error as { message?: unknown })?.message ?? error),
  );
}
