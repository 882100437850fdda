/**
 * The simplest TaskRunner: each batch it is given runs as one model call — every distinct image
 * of the batch encoded once, all prompts in one encoder call and one decode loop. No state is kept
 * between batches.
 */
import type { Florence2, RunResult, TaskPlan } from '../vision/florence2.js';
import type { GenerationOptions } from '../vision/generation/settings.js';
import type { RunnerStats, TaskJob, TaskRunner } from './taskRunner.js';

export class DirectRunner implements TaskRunner {
  private counters = { batches: 0, jobs: 0, imagesEncoded: 0 };

  constructor(private readonly florence: Florence2) {}

  plan(task: string, input: string | undefined, options: GenerationOptions): TaskPlan {
    return this.florence.plan(task, input, options);
  }

  async run(jobs: readonly TaskJob[]): Promise<(RunResult | Error)[]> {
    this.counters.batches++;
    this.counters.jobs += jobs.length;
    const distinct = [...new Map(jobs.map((job) => [job.image.id, job.image])).values()];
    const prepared = await Promise.allSettled(distinct.map((image) => this.florence.prepare(image.bytes)));
    const usable = distinct.flatMap((image, i) => {
      const outcome = prepared[i]!;
      return outcome.status === 'fulfilled' ? [{ id: image.id, prepared: outcome.value }] : [];
    });
    this.counters.imagesEncoded += usable.length;
    const features = await this.florence.encodeImages(usable.map((entry) => entry.prepared));
    const featuresById = new Map(usable.map((entry, i) => [entry.id, features[i]!]));
    const failures = new Map(
      distinct.flatMap((image, i) => {
        const outcome = prepared[i]!;
        return outcome.status === 'rejected' ? [[image.id, outcome.reason as Error] as const] : [];
      }),
    );

    const runnable = jobs.filter((job) => featuresById.has(job.image.id));
    const generated = await this.florence.generate(
      runnable.map((job) => ({
        features: featuresById.get(job.image.id)!,
        size: job.image,
        plan: job.plan,
        ...(job.signal ? { signal: job.signal } : {}),
      })),
    );
    const byJob = new Map(runnable.map((job, i) => [job, generated[i]!]));
    return jobs.map((job) => byJob.get(job) ?? failures.get(job.image.id) ?? new Error('job was not run'));
  }

  stats(): RunnerStats {
    return { ...this.counters };
  }
}
