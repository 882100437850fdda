/**
 * Token embeddings already computed, by token id. The embed_tokens graph maps each token on its own
 * (a table lookup, scaled): a row's embedding never depends on its neighbours, and positions are
 * added inside the encoder and decoder graphs. So a decode step, which embeds one new token per
 * row, can be answered from here instead of an onnxruntime call (~1–2 ms each at base size on 2
 * cores, once per step per decode batch). Bounded: generation keeps reusing a few thousand tokens
 * (the 1,000 location tokens and common words); the oldest entry goes first.
 */
export class TokenEmbeddings {
  private readonly rows = new Map<number, Float32Array>();

  constructor(
    /** Floats per token (the model's width). */
    private readonly width: number,
    /** Most tokens kept: 4,096 × 768 floats is 12.6 MB at base size. */
    private readonly capacity = 4_096,
  ) {}

  /** Embeddings of rows of equal length ([B, S, width], row-major), or undefined if any token is missing. */
  lookup(ids: readonly (readonly number[])[]): Float32Array | undefined {
    const length = ids[0]?.length ?? 0;
    const out = new Float32Array(ids.length * length * this.width);
    let offset = 0;
    for (const row of ids) {
      for (const id of row) {
        const embedding = this.rows.get(id);
        if (!embedding) return undefined;
        out.set(embedding, offset);
        offset += this.width;
      }
    }
    return out;
  }

  /** Keeps the embedding of every token of `ids` from a computed `[B, S, width]` result. */
  remember(ids: readonly (readonly number[])[], embeddings: Float32Array): void {
    let offset = 0;
    for (const row of ids) {
      for (const id of row) {
        if (!this.rows.has(id)) {
          if (this.rows.size >= this.capacity) this.rows.delete(this.rows.keys().next().value!);
          this.rows.set(id, embeddings.slice(offset, offset + this.width));
        }
        offset += this.width;
      }
    }
  }
}
