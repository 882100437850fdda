/**
 * What a parser returns: the answer, and the location tokens behind each region of it, so that a
 * caller holding the generated tokens' log-probabilities can score every region (regionScores.ts)
 * without parsing a second time. The regions follow the answer's own list order exactly, entries
 * the parser dropped included (they have no region either).
 */
import type { MarkupToken } from './tokens.js';

/**
 * One entry per region of the answer: a box's four location tokens, a quad's eight, a polygon
 * instance's location tokens of every run read as one of its polygons (an odd last bin included).
 * Never empty. Pure-text answers have no regions.
 */
export type RegionTokens = readonly (readonly MarkupToken[])[];

export interface Parsed<T> {
  readonly answer: T;
  readonly regions: RegionTokens;
}
