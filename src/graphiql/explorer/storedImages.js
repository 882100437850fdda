// Object URLs of pictures the explorer has shown, by image id, so switching tabs or re-running a
// query does not download the same megabytes again, and a file the user just uploaded is shown
// from the file itself. A few only: each holds a decoded-size blob in the page's memory.
import { exampleUploader } from '../pageExample.js';
import { downloadImage } from './imagesClient.js';

/** Enough for the pictures of a handful of tabs. */
const MAX_REMEMBERED = 8;

/** image id → Promise of an object URL, oldest first (a Map keeps insertion order). */
const remembered = new Map();

/**
 * An object URL for the stored image `id`, fetched with `headers` (the API key) when not
 * remembered (the example picture is uploaded first, if the page has not yet). A failed download
 * is forgotten, so a later call tries again.
 */
export function storedImageUrl(id, headers) {
  const known = remembered.get(id);
  if (known) return known;
  const url = exampleUploader
    .ensure({ id }, headers)
    .then(() => downloadImage(document.baseURI, id, headers))
    .then((blob) => URL.createObjectURL(blob));
  url.catch(() => {
    if (remembered.get(id) === url) remembered.delete(id);
  });
  remember(id, url);
  return url;
}

/** Shows `file` for `id` from now on, without asking the gateway for the bytes it was just sent. */
export function rememberUploadedImage(id, file) {
  remember(id, Promise.resolve(URL.createObjectURL(file)));
}

function remember(id, url) {
  const previous = remembered.get(id);
  remembered.delete(id);
  remembered.set(id, url);
  if (previous && previous !== url) revoke(previous);
  while (remembered.size > MAX_REMEMBERED) {
    const [oldest, oldestUrl] = remembered.entries().next().value;
    remembered.delete(oldest);
    revoke(oldestUrl);
  }
}

function revoke(url) {
  url.then(URL.revokeObjectURL, () => undefined);
}
