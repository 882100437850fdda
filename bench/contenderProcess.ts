/** The orchestrator's handle on one contender process: commands over IPC, one at a time. */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphUsage } from '../src/engine/work.js';
import type { Command, ContenderName, EventLoopDelay, Reply } from './protocol.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** A usage reading: ORT busy time since load (total and per graph; null where unknown) and the RSS peak since the previous reading. */
export interface UsageReading {
  readonly ortBusyMs: number | null;
  readonly graphs: GraphUsage | null;
  readonly maxRssBytes: number;
  readonly peakRssBytes: number;
}

export class ContenderProcess {
  private pending: ((reply: Reply) => void) | undefined;
  readonly child: ChildProcess;

  constructor(readonly name: ContenderName) {
    this.child = fork(join(HERE, 'worker.js'), [name], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: Reply) => {
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.(reply);
    });
  }

  /** Sends one command and waits for its reply; the protocol has one command in flight per process. */
  async ask(command: Command): Promise<Reply> {
    if (this.pending) throw new Error(`${this.name}: a ${command.type} command was sent while another was in flight`);
    const reply = await new Promise<Reply>((resolve) => {
      this.pending = resolve;
      this.child.send(command);
    });
    if (reply.type === 'error') throw new Error(`${this.name}: ${reply.message}`);
    return reply;
  }

  /** ORT busy time so far, and the peak RSS since the previous call. */
  async usage(): Promise<UsageReading> {
    const reply = await this.ask({ type: 'usage' });
    if (reply.type !== 'usage') throw new Error(`${this.name}: expected a usage reply, got ${reply.type}`);
    return { ortBusyMs: reply.ortBusyMs, graphs: reply.graphs, maxRssBytes: reply.maxRssBytes, peakRssBytes: reply.peakRssBytes };
  }

  /** The event-loop delay since the last reset; `reset` starts a new window. */
  async eventLoop(reset: boolean): Promise<EventLoopDelay> {
    const reply = await this.ask({ type: 'eventLoop', reset });
    if (reply.type !== 'eventLoop') throw new Error(`${this.name}: expected an eventLoop reply, got ${reply.type}`);
    const { type: _type, ...delay } = reply;
    return delay;
  }
}
