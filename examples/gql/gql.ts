/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Cascade($url: String, $base64: String) {\n    image(url: $url, base64: $base64) {\n      id\n      width\n      height\n      caption {\n        text\n        phrases {\n          phrase\n          regions {\n            box { x1 y1 x2 y2 }\n            segment { area svgPath }\n          }\n        }\n      }\n    }\n  }\n": typeof types.CascadeDocument,
    "\n  subscription StreamCaption($url: String, $base64: String) {\n    generation(url: $url, base64: $base64, task: DETAILED_CAPTION) {\n      imageId\n      text\n      tokens\n      done\n      score\n    }\n  }\n": typeof types.StreamCaptionDocument,
    "\n  query EveryField($image: String!) {\n    image(base64: $image) {\n      id width height format\n      caption { text detail }\n      detailed: caption(detail: DETAILED) { text detail }\n      paragraph: caption(detail: MORE_DETAILED) { text }\n      objects { box { x1 y1 x2 y2 width height } label category description text image { id } }\n      denseRegions { label box { x1 } }\n      regionProposals { label box { x1 y1 x2 y2 } }\n      text\n      textRegions { text quad { x y } box { x1 y1 x2 y2 } }\n      ground(phrase: \"A green car parked in front of a yellow building.\") { phrase regions { box { x1 } label } }\n      find(query: \"wheels\") { label box { x1 } segment { area } }\n      segment(query: \"the car\") { polygons { points { x y } } box { x1 } area svgPath }\n      region(box: { x1: 10, y1: 20, x2: 200, y2: 180 }) { box { x1 y1 x2 y2 } label category description text segment { area svgPath } }\n      task(name: OCR_WITH_REGION) { task prompt text result tokens score }\n    }\n    model { id fingerprint dtype device hiddenSize decoderLayers tasks }\n  }\n": typeof types.EveryFieldDocument,
};
const documents: Documents = {
    "\n  query Cascade($url: String, $base64: String) {\n    image(url: $url, base64: $base64) {\n      id\n      width\n      height\n      caption {\n        text\n        phrases {\n          phrase\n          regions {\n            box { x1 y1 x2 y2 }\n            segment { area svgPath }\n          }\n        }\n      }\n    }\n  }\n": types.CascadeDocument,
    "\n  subscription StreamCaption($url: String, $base64: String) {\n    generation(url: $url, base64: $base64, task: DETAILED_CAPTION) {\n      imageId\n      text\n      tokens\n      done\n      score\n    }\n  }\n": types.StreamCaptionDocument,
    "\n  query EveryField($image: String!) {\n    image(base64: $image) {\n      id width height format\n      caption { text detail }\n      detailed: caption(detail: DETAILED) { text detail }\n      paragraph: caption(detail: MORE_DETAILED) { text }\n      objects { box { x1 y1 x2 y2 width height } label category description text image { id } }\n      denseRegions { label box { x1 } }\n      regionProposals { label box { x1 y1 x2 y2 } }\n      text\n      textRegions { text quad { x y } box { x1 y1 x2 y2 } }\n      ground(phrase: \"A green car parked in front of a yellow building.\") { phrase regions { box { x1 } label } }\n      find(query: \"wheels\") { label box { x1 } segment { area } }\n      segment(query: \"the car\") { polygons { points { x y } } box { x1 } area svgPath }\n      region(box: { x1: 10, y1: 20, x2: 200, y2: 180 }) { box { x1 y1 x2 y2 } label category description text segment { area svgPath } }\n      task(name: OCR_WITH_REGION) { task prompt text result tokens score }\n    }\n    model { id fingerprint dtype device hiddenSize decoderLayers tasks }\n  }\n": types.EveryFieldDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Cascade($url: String, $base64: String) {\n    image(url: $url, base64: $base64) {\n      id\n      width\n      height\n      caption {\n        text\n        phrases {\n          phrase\n          regions {\n            box { x1 y1 x2 y2 }\n            segment { area svgPath }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Cascade($url: String, $base64: String) {\n    image(url: $url, base64: $base64) {\n      id\n      width\n      height\n      caption {\n        text\n        phrases {\n          phrase\n          regions {\n            box { x1 y1 x2 y2 }\n            segment { area svgPath }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription StreamCaption($url: String, $base64: String) {\n    generation(url: $url, base64: $base64, task: DETAILED_CAPTION) {\n      imageId\n      text\n      tokens\n      done\n      score\n    }\n  }\n"): (typeof documents)["\n  subscription StreamCaption($url: String, $base64: String) {\n    generation(url: $url, base64: $base64, task: DETAILED_CAPTION) {\n      imageId\n      text\n      tokens\n      done\n      score\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EveryField($image: String!) {\n    image(base64: $image) {\n      id width height format\n      caption { text detail }\n      detailed: caption(detail: DETAILED) { text detail }\n      paragraph: caption(detail: MORE_DETAILED) { text }\n      objects { box { x1 y1 x2 y2 width height } label category description text image { id } }\n      denseRegions { label box { x1 } }\n      regionProposals { label box { x1 y1 x2 y2 } }\n      text\n      textRegions { text quad { x y } box { x1 y1 x2 y2 } }\n      ground(phrase: \"A green car parked in front of a yellow building.\") { phrase regions { box { x1 } label } }\n      find(query: \"wheels\") { label box { x1 } segment { area } }\n      segment(query: \"the car\") { polygons { points { x y } } box { x1 } area svgPath }\n      region(box: { x1: 10, y1: 20, x2: 200, y2: 180 }) { box { x1 y1 x2 y2 } label category description text segment { area svgPath } }\n      task(name: OCR_WITH_REGION) { task prompt text result tokens score }\n    }\n    model { id fingerprint dtype device hiddenSize decoderLayers tasks }\n  }\n"): (typeof documents)["\n  query EveryField($image: String!) {\n    image(base64: $image) {\n      id width height format\n      caption { text detail }\n      detailed: caption(detail: DETAILED) { text detail }\n      paragraph: caption(detail: MORE_DETAILED) { text }\n      objects { box { x1 y1 x2 y2 width height } label category description text image { id } }\n      denseRegions { label box { x1 } }\n      regionProposals { label box { x1 y1 x2 y2 } }\n      text\n      textRegions { text quad { x y } box { x1 y1 x2 y2 } }\n      ground(phrase: \"A green car parked in front of a yellow building.\") { phrase regions { box { x1 } label } }\n      find(query: \"wheels\") { label box { x1 } segment { area } }\n      segment(query: \"the car\") { polygons { points { x y } } box { x1 } area svgPath }\n      region(box: { x1: 10, y1: 20, x2: 200, y2: 180 }) { box { x1 y1 x2 y2 } label category description text segment { area svgPath } }\n      task(name: OCR_WITH_REGION) { task prompt text result tokens score }\n    }\n    model { id fingerprint dtype device hiddenSize decoderLayers tasks }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;