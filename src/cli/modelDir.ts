/**
 * Where the model folder comes from: `--model`, else `MODEL_DIR`. Without either, one paragraph
 * tells the user how to get a model (real or synthetic) instead of a stack trace.
 */
export const NO_MODEL_HELP = `No Florence-2 model folder was given. Point --model (or MODEL_DIR) at an onnx-community
Florence-2 export (config.json, tokenizer.json and onnx/*.onnx, e.g. a download of
onnx-community/Florence-2-base-ft), or try the API at once with a synthetic model of random weights:
  florence-gateway model synth --size tiny --bias --out ./models/synthetic-tiny
  florence-gateway run '<OD>' photo.jpg --model ./models/synthetic-tiny`;

export function resolveModelDir(flag: string | undefined): string | undefined {
  const dir = flag ?? process.env['MODEL_DIR'];
  if (!dir) console.error(NO_MODEL_HELP);
  return dir;
}
