/**
 * The little of the DOM that the tests' page-side functions touch. The project compiles without
 * lib.dom (it is a server), and adding it would type `document` everywhere; instead a function
 * passed to `page.evaluate` reads `globalThis as unknown as PageGlobals`. Types only: the cast is
 * erased, and in Chromium `globalThis` is the window.
 */

export interface PageGlobals {
  readonly document: PageDocument;
  readonly localStorage: { setItem(key: string, value: string): void };
  readonly DataTransfer: new () => PageDataTransfer;
  readonly File: new (parts: Uint8Array[], name: string, options: { type: string }) => object;
  readonly ClipboardEvent: new (type: string, init: { clipboardData: PageDataTransfer; bubbles: boolean; cancelable: boolean }) => object;
  readonly DOMPoint: new (x: number, y: number) => { matrixTransform(matrix: object): { x: number; y: number } };
  readonly WebSocket: new (url: string, protocol: string) => PageSocket;
  dispatchEvent(event: object): boolean;
  atob(text: string): string;
}

export interface PageDocument {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
  elementFromPoint(x: number, y: number): PageElement | null;
}

/** An element: the members used of an <img> and of an SVG <polygon>. */
export interface PageElement {
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
  getScreenCTM(): object | null;
  readonly points: Iterable<{ x: number; y: number }>;
  readonly naturalWidth: number;
  readonly naturalHeight: number;
}

export interface PageDataTransfer {
  readonly items: { add(file: object): void };
}

export interface PageSocket {
  addEventListener(type: 'error', listener: () => void): void;
  close(): void;
}
