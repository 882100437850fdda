// The page's one uploader of the example picture, shared by the fetcher (before a run) and the
// explorer (before it shows the picture), so the picture is posted once and never fetched from
// GET /images/{id} before it is there.
import examplePicture from './example.jpg';
import { createExampleUploader } from './exampleUpload.js';
import { EXAMPLE_IMAGE_ID } from './examples.js';

// The esbuild build serves the picture as a hashed file beside this bundle.
export const exampleUploader = createExampleUploader(document.baseURI, EXAMPLE_IMAGE_ID, new URL(examplePicture, import.meta.url).href);
