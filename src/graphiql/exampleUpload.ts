/**
 * The example tabs name the bundled picture by id (EXAMPLE_IMAGE_ID), which works only once the
 * gateway stores it. Rather than make every user upload it, the page does: before an operation
 * whose `id` variable is the example's, it fetches the picture from its own origin and posts it
 * to `POST /images`, once per page (uploads are content-addressed, so a repeat is harmless).
 * A failed upload is forgotten, so the next run tries again (after an API key is added, say), and
 * never stops the operation: the gateway's own error then says what is wrong.
 */
import { uploadImage } from './explorer/imagesClient.js';

export interface ExampleUploader {
  /** Resolves once the example is stored, or at once when `variables` do not name it. */
  ensure(variables: unknown, headers: Readonly<Record<string, string>>): Promise<void>;
}

/**
 * @param base the page's base URL (`document.baseURI`)
 * @param exampleId the example's content id
 * @param pictureUrl where the page's bundle serves the picture
 */
export function createExampleUploader(base: string, exampleId: string, pictureUrl: string): ExampleUploader {
  let stored: Promise<void> | undefined;
  return {
    async ensure(variables, headers) {
      if (typeof variables !== 'object' || variables === null || (variables as Record<string, unknown>)['id'] !== exampleId) return;
      stored ??= upload(headers).catch((error: unknown) => {
        stored = undefined;
        console.warn(`could not upload the example picture: ${error instanceof Error ? error.message : String(error)}`);
      });
      await stored;
    },
  };

  async function upload(headers: Readonly<Record<string, string>>): Promise<void> {
    const picture = await fetch(pictureUrl);
    if (!picture.ok) throw new Error(`GET ${pictureUrl} answered HTTP ${picture.status}`);
    const uploaded = await uploadImage(base, await picture.blob(), headers);
    if (uploaded.id !== exampleId)
      throw new Error(`the bundled picture is ${uploaded.id}, not the example id ${exampleId}: rebuild the page`);
  }
}
