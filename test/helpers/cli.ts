/** Runs `florence-gateway` (the compiled CLI) as a child process, as a user would. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';

const exec = promisify(execFile);

/** The compiled entry point. */
export const cliPath = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Resolves with the exit code and output whatever the code. Asynchronous on purpose: tests keep
 * servers (stand-in hubs, image hosts) in their own process while the CLI runs. Only PATH and `env`
 * reach the child, so the caller's environment cannot leak into the case.
 */
export async function florenceGateway(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliOutcome> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cliPath, ...args], { env: { PATH: process.env['PATH'], ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as CliOutcome;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
