/**
 * `/healthz` probed at a fixed period while a workload runs: the latency a load balancer's health
 * check would see. Open loop: a probe is sent on time even while an earlier one is unanswered, so
 * a stalled request thread shows up as long probes rather than as fewer of them.
 */
import { summarize, type LatencySummary } from './stats.js';

/** 100 ms: ten probes a second catch any stall near the 200 ms goal, at no measurable cost to the gateway. */
export const HEALTH_PROBE_PERIOD_MS = 100;

export interface HealthProbeResult {
  readonly periodMs: number;
  /** Probes answered 200; the latency summary is over these. */
  readonly latency: LatencySummary | undefined;
  /** Probes that failed (no answer, or not 200). */
  readonly failures: number;
}

export interface RunningHealthProbe {
  /** Stops probing, waits for the probes in flight, and summarizes. */
  stop(): Promise<HealthProbeResult>;
}

export function startHealthProbe(url: string, periodMs: number = HEALTH_PROBE_PERIOD_MS): RunningHealthProbe {
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let failures = 0;
  const probe = () => {
    const started = performance.now();
    const request = fetch(`${url}/healthz`)
      .then(async (response) => {
        await response.arrayBuffer();
        if (response.ok) latencies.push(performance.now() - started);
        else failures++;
      })
      .catch(() => {
        failures++;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  probe();
  const timer = setInterval(probe, periodMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return { periodMs, latency: summarize(latencies), failures };
    },
  };
}
