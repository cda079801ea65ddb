// Reads the parts of a TFLite model file that converting a plain float32 graph needs: its
// operators (kind, inputs, outputs, options) and its tensors (shape, constant data). A TFLite file
// is a FlatBuffer; only the fields named here are read, by their index in TensorFlow's
// `schema.fbs` (Model: 1 operator_codes, 2 subgraphs, 4 buffers; SubGraph: 0 tensors, 1 inputs,
// 2 outputs, 3 operators; Tensor: 0 shape, 1 type, 2 buffer; Buffer: 0 data; OperatorCode:
// 0 deprecated_builtin_code, 3 builtin_code; Operator: 0 opcode_index, 1 inputs, 2 outputs,
// 4 builtin_options). No npm package reads TFLite in Node without its native runtime, and the
// FlatBuffers library alone would still need this schema written out.

/** A FlatBuffer table: where it starts and where its vtable is. */
export interface TfliteTable {
  readonly pos: number;
  readonly vtable: number;
}

export interface TfliteOperator {
  /** The builtin operator code (schema.fbs `BuiltinOperator`, e.g. 3 CONV_2D). */
  code: number;
  inputs: number[];
  outputs: number[];
  /** The operator's builtin options table, read with `TfliteModel` helpers; null when it has none. */
  options: TfliteTable | null;
}

export interface TfliteTensor {
  shape: number[];
  /** Constant data (float32 only); null for a tensor computed by the graph, or a constant of another type. */
  data: Float32Array | null;
  /** Whether the tensor is float32: quantised models need scales this reader does not carry. */
  float: boolean;
}

export interface TfliteGraph {
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
  /** Reads a scalar field of an options table (absent: its default). */
  int32(table: TfliteTable, field: number, fallback: number): number;
  uint8(table: TfliteTable, field: number, fallback: number): number;
}

export function readTfliteModel(bytes: Uint8Array): TfliteGraph {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.byteLength < 8 || b.toString('latin1', 4, 8) !== 'TFL3')
    throw new Error('Not a TFLite model (no TFL3 identifier): the file is damaged or of another kind.');
  const table = (pos: number): TfliteTable => ({ pos, vtable: pos - b.readInt32LE(pos) });
  const fieldOffset = (t: TfliteTable, field: number): number => {
    const vtableLength = b.readUInt16LE(t.vtable);
    const at = 4 + 2 * field;
    return at >= vtableLength ? 0 : b.readUInt16LE(t.vtable + at);
  };
  const target = (t: TfliteTable, field: number): number | null => {
    const offset = fieldOffset(t, field);
    if (!offset) return null;
    const p = t.pos + offset;
    return p + b.readUInt32LE(p);
  };
  const tables = (t: TfliteTable, field: number): TfliteTable[] => {
    const p = target(t, field);
    if (p === null) return [];
    return Array.from({ length: b.readUInt32LE(p) }, (_, k) => {
      const at = p + 4 + 4 * k;
      return table(at + b.readUInt32LE(at));
    });
  };
  const ints = (t: TfliteTable, field: number): number[] => {
    const p = target(t, field);
    if (p === null) return [];
    return Array.from({ length: b.readUInt32LE(p) }, (_, k) => b.readInt32LE(p + 4 + 4 * k));
  };
  const scalar = (t: TfliteTable, field: number, read: (at: number) => number, fallback: number): number => {
    const offset = fieldOffset(t, field);
    return offset ? read(t.pos + offset) : fallback;
  };
  const sub = (t: TfliteTable, field: number): TfliteTable | null => {
    const p = target(t, field);
    return p === null ? null : table(p);
  };

  const root = table(b.readUInt32LE(0));
  // Codes above 127 live in builtin_code (field 3); older files only have the deprecated byte.
  const codes = tables(root, 1).map((t) =>
    Math.max(
      scalar(t, 0, (at) => b.readInt8(at), 0),
      scalar(t, 3, (at) => b.readInt32LE(at), 0),
    ),
  );
  const buffers = tables(root, 4);
  const graphs = tables(root, 2);
  if (graphs.length !== 1) throw new Error(`The TFLite model holds ${graphs.length} subgraphs; only single-graph models convert.`);
  const graph = graphs[0]!;
  const tensors = tables(graph, 0).map((t): TfliteTensor => {
    const buffer = buffers[scalar(t, 2, (at) => b.readUInt32LE(at), 0)];
    const p = buffer ? target(buffer, 0) : null;
    const length = p === null ? 0 : b.readUInt32LE(p);
    // Copied out: the file's bytes need not be 4-byte aligned for a Float32Array view.
    // TensorType 0 is FLOAT32. Other constants (a RESHAPE's int32 target shape) are not read: the
    // converter takes shapes from the tensors themselves.
    const float = scalar(t, 1, (at) => b.readInt8(at), 0) === 0;
    const data = length && float ? new Float32Array(new Uint8Array(b.subarray(p! + 4, p! + 4 + length)).buffer) : null;
    return { shape: ints(t, 0), data, float };
  });
  const operators = tables(graph, 3).map((o): TfliteOperator => {
    const code = codes[scalar(o, 0, (at) => b.readUInt32LE(at), 0)];
    if (code === undefined) throw new Error('A TFLite operator names an operator code the file does not list: the file is damaged.');
    return { code, inputs: ints(o, 1), outputs: ints(o, 2), options: sub(o, 4) };
  });
  return {
    tensors,
    inputs: ints(graph, 1),
    outputs: ints(graph, 2),
    operators,
    int32: (t, field, fallback) => scalar(t, field, (at) => b.readInt32LE(at), fallback),
    uint8: (t, field, fallback) => scalar(t, field, (at) => b.readUInt8(at), fallback),
  };
}
