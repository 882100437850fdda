/**
 * The JSON files beside the graphs, with the keys of the onnx-community Florence-2-base export
 * (INTERFACE.md §5, §6, §7.1) and the synthetic dimensions filled in. The task tables of
 * preprocessor_config.json are generated from src/vision/tasks.ts, the single source of truth.
 */
import { TASKS } from '../vision/tasks.js';
import { addedTokens } from './tokenizer.js';
import { ADDED_TOKENS, BOS_ID, EOS_ID, PAD_ID } from './tokenIds.js';
import { IMAGE_SIZE, MAX_POSITION_EMBEDDINGS, NUM_IMAGE_TOKENS, VOCAB_SIZE } from './sizes.js';
import type { ModelDims } from './sizes.js';

type Json = Record<string, unknown>;

const DECODER_START_ID = EOS_ID;
const TRANSFORMERS_VERSION = '4.42.0.dev0';
const DROPOUT = 0.1;

/** Keys every HF PretrainedConfig serialises, with their defaults. */
function pretrainedDefaults(): Json {
  return {
    _name_or_path: '',
    add_cross_attention: false,
    architectures: null,
    bad_words_ids: null,
    begin_suppress_tokens: null,
    chunk_size_feed_forward: 0,
    cross_attention_hidden_size: null,
    decoder_start_token_id: null,
    diversity_penalty: 0.0,
    do_sample: false,
    early_stopping: false,
    encoder_no_repeat_ngram_size: 0,
    exponential_decay_length_penalty: null,
    finetuning_task: null,
    forced_bos_token_id: null,
    forced_eos_token_id: null,
    is_decoder: false,
    is_encoder_decoder: false,
    length_penalty: 1.0,
    max_length: 20,
    min_length: 0,
    no_repeat_ngram_size: 0,
    num_beam_groups: 1,
    num_beams: 1,
    num_return_sequences: 1,
    output_attentions: false,
    output_hidden_states: false,
    output_scores: false,
    prefix: null,
    problem_type: null,
    pruned_heads: {},
    remove_invalid_values: false,
    repetition_penalty: 1.0,
    return_dict: true,
    return_dict_in_generate: false,
    sep_token_id: null,
    suppress_tokens: null,
    task_specific_params: null,
    temperature: 1.0,
    tf_legacy_loss: false,
    tie_encoder_decoder: false,
    tie_word_embeddings: true,
    tokenizer_class: null,
    top_k: 50,
    top_p: 1.0,
    torch_dtype: null,
    torchscript: false,
    typical_p: 1.0,
    use_bfloat16: false,
  };
}

function sortKeys(obj: Json): Json {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function textConfig(dims: ModelDims): Json {
  const l = dims.language;
  return sortKeys({
    ...pretrainedDefaults(),
    activation_dropout: DROPOUT,
    activation_function: 'gelu',
    add_bias_logits: false,
    add_final_layer_norm: false,
    attention_dropout: DROPOUT,
    bos_token_id: BOS_ID,
    classif_dropout: DROPOUT,
    classifier_dropout: 0.0,
    d_model: l.dModel,
    decoder_attention_heads: l.heads,
    decoder_ffn_dim: l.ffnDim,
    decoder_layerdrop: 0.0,
    decoder_layers: l.decoderLayers,
    decoder_start_token_id: DECODER_START_ID,
    dropout: DROPOUT,
    early_stopping: true,
    encoder_attention_heads: l.heads,
    encoder_ffn_dim: l.ffnDim,
    encoder_layerdrop: 0.0,
    encoder_layers: l.encoderLayers,
    eos_token_id: EOS_ID,
    forced_bos_token_id: BOS_ID,
    forced_eos_token_id: EOS_ID,
    gradient_checkpointing: false,
    id2label: { 0: 'LABEL_0', 1: 'LABEL_1', 2: 'LABEL_2' },
    init_std: 0.02,
    is_encoder_decoder: true,
    label2id: { LABEL_0: 0, LABEL_1: 1, LABEL_2: 2 },
    max_position_embeddings: MAX_POSITION_EMBEDDINGS,
    model_type: 'florence2_language',
    no_repeat_ngram_size: 3,
    normalize_before: false,
    num_beams: 3,
    num_hidden_layers: l.encoderLayers,
    pad_token_id: PAD_ID,
    scale_embedding: false,
    use_cache: true,
    vocab_size: VOCAB_SIZE,
  });
}

function visionConfig(dims: ModelDims): Json {
  const v = dims.vision;
  const stages = v.stages;
  return sortKeys({
    ...pretrainedDefaults(),
    depths: stages.map((s) => s.depth),
    dim_embed: stages.map((s) => s.dim),
    drop_path_rate: DROPOUT,
    enable_checkpoint: false,
    id2label: { 0: 'LABEL_0', 1: 'LABEL_1' },
    image_feature_source: ['spatial_avg_pool', 'temporal_avg_pool'],
    image_pos_embed: { max_pos_embeddings: v.maxPosEmbeddings, type: 'learned_abs_2d' },
    label2id: { LABEL_0: 0, LABEL_1: 1 },
    model_type: '',
    num_groups: stages.map((s) => s.groups),
    num_heads: stages.map((s) => s.heads),
    patch_padding: stages.map((s) => s.patchPadding),
    patch_prenorm: stages.map((s) => s.patchPreNorm),
    patch_size: stages.map((s) => s.patchSize),
    patch_stride: stages.map((s) => s.patchStride),
    projection_dim: dims.language.dModel,
    visual_temporal_embedding: { max_temporal_embeddings: v.maxTemporalEmbeddings, type: 'COSINE' },
    window_size: v.windowSize,
  });
}

/** config.json; `synthetic` is recorded under its own key so nobody mistakes the model for real. */
export function configJson(dims: ModelDims, synthetic: Json): Json {
  return {
    _name_or_path: `./Florence-2-${dims.size}-synthetic`,
    architectures: ['Florence2ForConditionalGeneration'],
    bos_token_id: BOS_ID,
    eos_token_id: EOS_ID,
    ignore_index: -100,
    is_encoder_decoder: true,
    model_type: 'florence2',
    num_image_tokens: NUM_IMAGE_TOKENS,
    pad_token_id: PAD_ID,
    projection_dim: dims.language.dModel,
    synthetic,
    text_config: textConfig(dims),
    transformers_version: TRANSFORMERS_VERSION,
    use_cache: true,
    vision_config: visionConfig(dims),
    vocab_size: VOCAB_SIZE,
  };
}

export function generationConfigJson(): Json {
  return {
    _from_model_config: true,
    bos_token_id: BOS_ID,
    decoder_start_token_id: DECODER_START_ID,
    early_stopping: true,
    eos_token_id: EOS_ID,
    forced_bos_token_id: BOS_ID,
    forced_eos_token_id: EOS_ID,
    no_repeat_ngram_size: 3,
    num_beams: 3,
    pad_token_id: PAD_ID,
    transformers_version: TRANSFORMERS_VERSION,
  };
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];
const BICUBIC = 3;

export function preprocessorConfigJson(): Json {
  const size = { height: IMAGE_SIZE, width: IMAGE_SIZE };
  return {
    _valid_processor_keys: [
      'images',
      'do_resize',
      'size',
      'resample',
      'do_center_crop',
      'crop_size',
      'do_rescale',
      'rescale_factor',
      'do_normalize',
      'image_mean',
      'image_std',
      'do_convert_rgb',
      'return_tensors',
      'data_format',
      'input_data_format',
    ],
    crop_size: size,
    do_center_crop: false,
    do_convert_rgb: null,
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    image_mean: IMAGENET_MEAN,
    image_processor_type: 'CLIPImageProcessor',
    image_seq_length: NUM_IMAGE_TOKENS,
    image_std: IMAGENET_STD,
    processor_class: 'Florence2Processor',
    resample: BICUBIC,
    rescale_factor: 1 / 255,
    size,
    tasks_answer_post_processing_type: Object.fromEntries(TASKS.map((t) => [t.token, t.parse])),
    task_prompts_without_inputs: Object.fromEntries(TASKS.filter((t) => t.input === 'none').map((t) => [t.token, t.prompt])),
    task_prompts_with_input: Object.fromEntries(TASKS.filter((t) => t.input !== 'none').map((t) => [t.token, t.prompt])),
  };
}

export function processorConfigJson(): Json {
  return {
    auto_map: { AutoProcessor: 'processing_florence2.Florence2Processor' },
    processor_class: 'Florence2Processor',
  };
}

/** tokenizer_config.json: the BartTokenizer settings of the real file. */
export function tokenizerConfigJson(): Json {
  const decoder: Json = {};
  for (const t of addedTokens()) {
    decoder[String(t.id)] = {
      content: t.content,
      lstrip: t.lstrip,
      normalized: t.normalized,
      rstrip: t.rstrip,
      single_word: t.single_word,
      special: t.special,
    };
  }
  return {
    add_prefix_space: false,
    added_tokens_decoder: decoder,
    additional_special_tokens: [...ADDED_TOKENS],
    bos_token: '<s>',
    clean_up_tokenization_spaces: true,
    cls_token: '<s>',
    eos_token: '</s>',
    errors: 'replace',
    mask_token: '<mask>',
    model_max_length: MAX_POSITION_EMBEDDINGS,
    pad_token: '<pad>',
    processor_class: 'Florence2Processor',
    sep_token: '</s>',
    tokenizer_class: 'BartTokenizer',
    trim_offsets: true,
    unk_token: '<unk>',
  };
}
