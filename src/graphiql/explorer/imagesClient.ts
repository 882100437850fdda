/**
 * The explorer's two requests besides GraphQL: `POST /images` (a picked, dropped or pasted file)
 * and `GET /images/{id}` (the picture to draw on). Both carry the headers editor's headers, so an
 * API key works here as it does for queries. URLs are resolved against the page's base, so a
 * gateway mounted under a path prefix still works.
 */

/** What `POST /images` answers. */
export interface UploadedImage {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly format: string;
}

/** A refused or failed request, with the gateway's own message when it gave one. */
export class ImagesRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ImagesRequestError';
  }
}

/** `images` or `images/{id}` under `base` (the page's `document.baseURI`). */
export function imagesUrl(base: string, id?: string): string {
  return new URL(id === undefined ? 'images' : `images/${encodeURIComponent(id)}`, base).href;
}

export async function uploadImage(base: string, bytes: Blob, headers: Readonly<Record<string, string>> = {}): Promise<UploadedImage> {
  const response = await fetch(imagesUrl(base), {
    method: 'POST',
    // The gateway sniffs the format from the bytes; the type only keeps proxies from guessing.
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  const body = await readJson(response);
  if (response.status !== 201)
    throw new ImagesRequestError(response.status, `the upload was refused (HTTP ${response.status}): ${messageOf(body, response)}`);
  if (!isUploadedImage(body))
    throw new ImagesRequestError(
      response.status,
      `POST /images answered something other than {id, width, height, format}: ${JSON.stringify(body).slice(0, 200)}`,
    );
  return body;
}

export async function downloadImage(base: string, id: string, headers: Readonly<Record<string, string>> = {}): Promise<Blob> {
  const response = await fetch(imagesUrl(base, id), { headers: { ...headers } });
  if (!response.ok) {
    throw new ImagesRequestError(
      response.status,
      `could not load image ${id} (HTTP ${response.status}): ${messageOf(await readJson(response), response)}`,
    );
  }
  return response.blob();
}

/** The message of the gateway's error answer, `{ errors: [{ message }] }` (every refusal has that shape). */
function messageOf(body: unknown, response: Response): string {
  if (typeof body === 'object' && body !== null) {
    const { errors } = body as { errors?: unknown };
    const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
    const message = typeof first === 'object' && first !== null ? (first as { message?: unknown }).message : undefined;
    if (typeof message === 'string') return message;
  }
  return response.statusText || 'no message';
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return JSON.parse(await response.text());
  } catch {
    return undefined;
  }
}

function isUploadedImage(value: unknown): value is UploadedImage {
  if (typeof value !== 'object' || value === null) return false;
  const { id, width, height, format } = value as Record<string, unknown>;
  return typeof id === 'string' && typeof width === 'number' && typeof height === 'number' && typeof format === 'string';
}
