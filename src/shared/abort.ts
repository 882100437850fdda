/**
 * Why a cancelled operation stopped, as an Error: an AbortSignal's reason may be anything
 * (`controller.abort()` gives a DOMException, `abort('text')` a string), but callers reject
 * promises and fail jobs with Errors, so every layer turns the reason into one the same way.
 */

/** `signal.reason` when it is an Error, else an Error whose message is the reason (or "aborted"). */
export function reasonOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(String(reason ?? 'aborted'));
}
