/**
 * Analytic compute and parameter accounting. Layer builders report multiply-accumulates as they
 * emit nodes (static shapes are known for the vision tower; language graphs use nominal lengths),
 * and every initializer is registered with the role it plays, so the report can count the tied
 * embedding once, as the real model card does.
 */

/** What an initializer is, for counting. */
export type TensorRole =
  /** A learned weight of the real architecture. */
  | 'param'
  /** A second copy of a learned weight (the decoder's LM head = the tied embedding). */
  | 'tied-copy'
  /** A fixed, non-learned tensor of the real architecture (e.g. the cosine temporal embedding). */
  | 'buffer'
  /** Added by this generator only (the --bias steering tables). */
  | 'synthetic';

export class ComputeLedger {
  private readonly macsByScope = new Map<string, number>();
  private readonly elementsByRole = new Map<TensorRole, number>();

  /** Records `macs` multiply-accumulates under a scope such as "stage2". */
  addMacs(scope: string, macs: number): void {
    this.macsByScope.set(scope, (this.macsByScope.get(scope) ?? 0) + macs);
  }

  addTensor(role: TensorRole, elements: number): void {
    this.elementsByRole.set(role, (this.elementsByRole.get(role) ?? 0) + elements);
  }

  /** Total FLOPs, counted as 2 × MACs. */
  flops(): number {
    let total = 0;
    for (const macs of this.macsByScope.values()) total += macs;
    return 2 * total;
  }

  flopsByScope(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [scope, macs] of this.macsByScope) out[scope] = 2 * macs;
    return out;
  }

  elements(role: TensorRole): number {
    return this.elementsByRole.get(role) ?? 0;
  }
}
