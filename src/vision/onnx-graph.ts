// A small builder for ONNX graphs: enough ops to express face-api's three networks. Output bytes
// are deterministic for the same weights, so converted models can be checked against a checksum.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export const OPSET = 13;

type Attr = number | number[] | string | { floats: number[] };

export interface Dims {
  channels: number;
  height: number;
  width: number;
}

export class OnnxGraph {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  input(name: string, shape: (number | string)[], elemType: ElementType = 'float'): string {
    this.inputs.push(valueInfo(name, shape, elemType));
    return name;
  }

  output(name: string, shape: (number | string)[], elemType: ElementType = 'float'): void {
    this.outputs.push(valueInfo(name, shape, elemType));
  }

  constant(name: string, shape: number[], data: Float32Array | number[]): string {
    const floats = data instanceof Float32Array ? data : Float32Array.from(data);
    const count = shape.reduce((a, b) => a * b, 1);
    if (floats.length !== count) throw new Error(`Constant ${name}: ${floats.length} values for shape [${shape.join(',')}]`);
    const id = this.fresh(name);
    this.initializers.push(
      onnx.TensorProto.create({
        name: id,
        dims: shape,
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: new Uint8Array(floats.buffer.slice(floats.byteOffset, floats.byteOffset + floats.byteLength)),
      }),
    );
    return id;
  }

  int64s(name: string, values: number[]): string {
    const id = this.fresh(name);
    const raw = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push(
      onnx.TensorProto.create({
        name: id,
        dims: [values.length],
        dataType: onnx.TensorProto.DataType.INT64,
        rawData: new Uint8Array(raw.buffer),
      }),
    );
    return id;
  }

  /** Int8 weights, for graphs that store them quantised and dequantise with DequantizeLinear. */
  int8Constant(name: string, shape: number[], data: Int8Array): string {
    return this.rawConstant(
      name,
      shape,
      data.length,
      onnx.TensorProto.DataType.INT8,
      new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
    );
  }

  /** Uint8 values (quantisation zero points). */
  uint8Constant(name: string, shape: number[], data: Uint8Array | number[]): string {
    const bytes = data instanceof Uint8Array ? data : Uint8Array.from(data);
    return this.rawConstant(name, shape, bytes.length, onnx.TensorProto.DataType.UINT8, bytes);
  }

  /** Int32 values (quantised biases). */
  int32Constant(name: string, shape: number[], data: Int32Array): string {
    return this.rawConstant(
      name,
      shape,
      data.length,
      onnx.TensorProto.DataType.INT32,
      new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
    );
  }

  private rawConstant(name: string, shape: number[], length: number, dataType: number, rawData: Uint8Array): string {
    const count = shape.reduce((a, b) => a * b, 1);
    if (length !== count) throw new Error(`Constant ${name}: ${length} values for shape [${shape.join(',')}]`);
    const id = this.fresh(name);
    this.initializers.push(onnx.TensorProto.create({ name: id, dims: shape, dataType, rawData }));
    return id;
  }

  op(type: string, inputs: string[], attrs: Record<string, Attr> = {}, outputName?: string): string {
    const out = outputName ?? this.fresh(type.toLowerCase());
    this.nodes.push(
      onnx.NodeProto.create({
        opType: type,
        name: this.fresh(`n_${type}`),
        input: inputs,
        output: [out],
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return out;
  }

  toBytes(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      producerName: 'shutterfind',
      producerVersion: '1',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: onnx.GraphProto.create({
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

export type ElementType = 'float' | 'int64';

const ELEMENT_TYPES: Record<ElementType, number> = {
  float: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
};

function valueInfo(name: string, shape: (number | string)[], elemType: ElementType = 'float') {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPES[elemType],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

function attribute(name: string, value: Attr) {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? onnx.AttributeProto.create({ name, type: T.INT, i: value })
      : onnx.AttributeProto.create({ name, type: T.FLOAT, f: value });
  }
  if (typeof value === 'string') return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: value });
  return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: value.floats });
}

/** TF 'same' padding: total = max((ceil(in/s)-1)*s + k - in, 0), extra pixel at the end. */
export function samePads(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

export function convOutSize(size: number, kernel: number, stride: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}
