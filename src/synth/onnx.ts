/**
 * Typed access to the ONNX protobuf messages (onnx-proto, protobufjs 6). onnx-proto is a CommonJS
 * module whose `module.exports` is the protobuf root, so under NodeNext it arrives as the default
 * import; everything else in the generator imports ONNX types from here.
 */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;

export type ModelProto = onnxProto.onnx.IModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

/** TensorProto.DataType values used by the generator. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values. */
export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
} as const;

/**
 * IR version 8 is the newest the bundled proto schema (onnx 1.10) describes; onnxruntime 1.30
 * accepts it together with opset 17, which is the first opset with LayerNormalization.
 */
export const IR_VERSION = 8;
export const OPSET = 17;

/** Serialises a model to the bytes of an .onnx file. */
export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** Parses .onnx bytes (used by tests and by the quantiser's self-checks). */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
