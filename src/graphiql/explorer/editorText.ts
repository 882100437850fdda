/**
 * Reading and rewriting the JSON of GraphiQL's variables and headers editors. GraphiQL accepts
 * comments and trailing commas there (JSONC, parsed with Microsoft's jsonc-parser); so does this,
 * and an edit keeps the user's comments and layout. A text this cannot read is never overwritten.
 */
import { applyEdits, modify, parse, type FormattingOptions, type ParseError } from 'jsonc-parser';

export type VariablesUpdate = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** How GraphiQL's editors indent (two spaces), so an inserted line looks like its neighbours. */
const FORMATTING: FormattingOptions = { insertSpaces: true, tabSize: 2, eol: '\n' };
/** The variables `image()` reads its source from; it takes exactly one. */
const OTHER_SOURCES = ['base64', 'url'] as const;

/**
 * The variables editor's text with `id` set to an uploaded image's id, and `base64` and `url`
 * removed. Other variables and their comments stay as they were (a removed variable takes the
 * comments between it and the next one along: jsonc-parser removes that span).
 */
export function withImageId(variablesText: string, id: string): VariablesUpdate {
  const current = parseEditorJson(variablesText);
  if (current === undefined) {
    return {
      ok: false,
      reason: `the variables are not a JSON object, so they were left as they are; set "id": ${JSON.stringify(id)} yourself`,
    };
  }
  let text = variablesText.trim() === '' ? '{}' : variablesText;
  for (const key of OTHER_SOURCES) {
    if (key in current) text = applyEdits(text, modify(text, [key], undefined, { formattingOptions: FORMATTING }));
  }
  // A new id goes first, where the examples have it.
  text = applyEdits(text, modify(text, ['id'], id, { formattingOptions: FORMATTING, getInsertionIndex: () => 0 }));
  return { ok: true, text };
}

/** The editor's JSON object (`{}` for an empty editor); undefined when it is not one. */
export function parseEditorJson(text: string | null | undefined): Record<string, unknown> | undefined {
  const source = text ?? '';
  if (source.trim() === '') return {};
  const errors: ParseError[] = [];
  const value: unknown = parse(source, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) return undefined;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The headers editor's string-valued headers, to send with the explorer's own requests (an API
 * key in `Authorization` or `x-api-key` must reach `/images` as it reaches `/graphql`).
 */
export function requestHeadersOf(headersText: string | null | undefined): Record<string, string> {
  const parsed = parseEditorJson(headersText) ?? {};
  return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
