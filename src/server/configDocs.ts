/**
 * The README's configuration table, rendered from the configuration table (configVariables.ts), so
 * the docs cannot drift from what `loadConfig` accepts: `npm run docs:config` writes it into
 * README.md, and test/server/configTable.test.ts fails while the two differ.
 */
import { CONFIG_VARIABLES, HUB_VARIABLES, type ConfigVariable, type DocumentedVariable } from './configVariables.js';

/** The heading the table sits under; the table is the first one after it. */
export const CONFIG_HEADING = '## Configuration';

const HEADER = ['| variable | default | accepts | meaning |', '| --- | --- | --- | --- |'];

/** The Markdown table: one row per variable, the server's first, then those of `model pull`. */
export function renderConfigTable(): string {
  const rows = [
    ...Object.entries(CONFIG_VARIABLES).map(([name, variable]: [string, ConfigVariable<unknown>]) =>
      row(name, { ...variable.parser, description: withFlag(variable) }),
    ),
    ...Object.entries(HUB_VARIABLES).map(([name, variable]) => row(name, variable)),
  ];
  return [...HEADER, ...rows].join('\n');
}

/**
 * `readme` with the table under CONFIG_HEADING replaced by `table`. Throws when there is no such
 * heading or no table under it, rather than writing one somewhere unexpected.
 */
export function spliceConfigTable(readme: string, table: string): string {
  const lines = readme.split('\n');
  const { start, end } = tableLines(lines);
  return [...lines.slice(0, start), table, ...lines.slice(end)].join('\n');
}

/** The table under CONFIG_HEADING as `readme` holds it. Throws like spliceConfigTable. */
export function currentConfigTable(readme: string): string {
  const lines = readme.split('\n');
  const { start, end } = tableLines(lines);
  return lines.slice(start, end).join('\n');
}

/** The first and past-the-last line of the first table under CONFIG_HEADING. */
function tableLines(lines: readonly string[]): { start: number; end: number } {
  const heading = lines.indexOf(CONFIG_HEADING);
  if (heading === -1) throw new Error(`README.md has no "${CONFIG_HEADING}" heading`);
  const start = lines.findIndex((line, index) => index > heading && line.startsWith('|'));
  const nextHeading = lines.findIndex((line, index) => index > heading && line.startsWith('## '));
  if (start === -1 || (nextHeading !== -1 && start > nextHeading)) throw new Error(`README.md has no table under "${CONFIG_HEADING}"`);
  let end = start;
  while ((lines[end] ?? '').startsWith('|')) end++;
  return { start, end };
}

function withFlag(variable: ConfigVariable<unknown>): string {
  return variable.flag ? `${variable.description}; \`serve --${variable.flag.name}\` overrides it` : variable.description;
}

function row(name: string, variable: DocumentedVariable): string {
  const defaultCell = variable.defaultIsValue ? `\`${variable.defaultText}\`` : variable.defaultText;
  return `| ${[`\`${name}\``, defaultCell, variable.accepts, variable.description].map(cell).join(' | ')} |`;
}

/** A table cell: a `|` would end it early. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}
