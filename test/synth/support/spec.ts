/**
 * The ONNX interface the generator must emit (INTERFACE.md §3), as data the tests compare
 * session metadata against.
 */
export type DeclaredDim = number | string;

export interface IoSpec {
  readonly name: string;
  readonly type: 'float32' | 'int64' | 'bool';
  readonly shape: readonly DeclaredDim[];
}

export interface GraphSpec {
  readonly inputs: readonly IoSpec[];
  readonly outputs: readonly IoSpec[];
}

export const VOCAB = 51289;
export const IMAGE_TOKENS = 577;

export interface LanguageShape {
  readonly d: number;
  readonly layers: number;
  readonly heads: number;
}

export function expectedInterface(l: LanguageShape): Record<string, GraphSpec> {
  const hd = l.d / l.heads;
  const pastDecoder = ['batch_size', l.heads, 'past_decoder_sequence_length', hd];
  const pastEncoder = ['batch_size', l.heads, 'encoder_sequence_length_out', hd];
  const presentDecoder = ['batch_size', l.heads, 'past_decoder_sequence_length + 1', hd];
  const pastInputs: IoSpec[] = [];
  const presentOutputs: IoSpec[] = [];
  for (let i = 0; i < l.layers; i++) {
    for (const which of ['key', 'value'])
      pastInputs.push({ name: `past_key_values.${i}.decoder.${which}`, type: 'float32', shape: pastDecoder });
    for (const which of ['key', 'value'])
      pastInputs.push({ name: `past_key_values.${i}.encoder.${which}`, type: 'float32', shape: pastEncoder });
    for (const which of ['key', 'value'])
      presentOutputs.push({ name: `present.${i}.decoder.${which}`, type: 'float32', shape: presentDecoder });
    for (const which of ['key', 'value'])
      presentOutputs.push({ name: `present.${i}.encoder.${which}`, type: 'float32', shape: pastEncoder });
  }
  return {
    vision_encoder: {
      inputs: [{ name: 'pixel_values', type: 'float32', shape: ['batch_size', 3, 768, 768] }],
      outputs: [{ name: 'image_features', type: 'float32', shape: ['batch_size', IMAGE_TOKENS, l.d] }],
    },
    embed_tokens: {
      inputs: [{ name: 'input_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] }],
      outputs: [{ name: 'inputs_embeds', type: 'float32', shape: ['batch_size', 'sequence_length', l.d] }],
    },
    encoder_model: {
      inputs: [
        { name: 'inputs_embeds', type: 'float32', shape: ['batch_size', 'encoder_sequence_length', l.d] },
        { name: 'attention_mask', type: 'int64', shape: ['batch_size', 'encoder_sequence_length'] },
      ],
      outputs: [{ name: 'last_hidden_state', type: 'float32', shape: ['batch_size', 'encoder_sequence_length', l.d] }],
    },
    decoder_model_merged: {
      inputs: [
        { name: 'inputs_embeds', type: 'float32', shape: ['batch_size', 'decoder_sequence_length', l.d] },
        { name: 'encoder_hidden_states', type: 'float32', shape: ['batch_size', 'encoder_sequence_length', l.d] },
        { name: 'encoder_attention_mask', type: 'int64', shape: ['batch_size', 'encoder_sequence_length'] },
        { name: 'use_cache_branch', type: 'bool', shape: [1] },
        ...pastInputs,
      ],
      outputs: [{ name: 'logits', type: 'float32', shape: ['batch_size', 'decoder_sequence_length', VOCAB] }, ...presentOutputs],
    },
  };
}
