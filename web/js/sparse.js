// Profiles are sparse: a visitor's list sets a few hundred of the model's thousands of inputs.
// When the model is a chain that starts with a bias-free linear Dense layer (the EASE factor
// model does), that layer's output is the sum of its kernel rows for those inputs, a few
// hundred rows of `rank` floats: summed here in JS, from the kernel's CPU copy, instead of a
// [rows, inputs] × [inputs, rank] product that is almost all zeros. That layer's weights never
// go to the GPU (half the model's GPU memory and upload); the rest of the model runs in TF.js.
// In-page, the parity profile (121 inputs), dense → here: WebGL (SwiftShader) 47 → 28 ms
// (gathering the rows on the GPU: 31 ms), wasm 0.8 → 0.4 ms; 150 rows: WebGL 850 → 330 ms,
// wasm 75 → 33 ms. TF.js compiles a WebGL program per shape, so rows are padded up to a
// few counts (zero rows add nothing): a new list reuses the programs of the last.

import { rowKernel } from "./matvec.js";

const ROW_SIZES = [1, 8, 16, 32, 64];

const padded = (n) => ROW_SIZES.find((size) => size >= n) ?? n;

/** The model's layers after its input, if they form a chain; else null. */
function chain(model) {
  const layers = model.layers.filter((layer) => layer.getClassName() !== "InputLayer");
  const linked = layers.every((layer, i) => {
    const from = layer.inboundNodes.flatMap((node) => node.inboundLayers);
    return from.length === 1 && (i === 0 ? from[0].getClassName() === "InputLayer"
                                         : from[0] === layers[i - 1]);
  });
  return model.inputs.length === 1 && model.outputs.length === 1 && linked ? layers : null;
}

/**
 * `rows` flat input rows (of `size` inputs) summed into rows of `width` in a Float32Array of
 * `length`: addRow(out, at, i, value) adds input i's contribution, times value, to the row at
 * `at`. Every row after the first starts from the first and adds what differs from it: a batch
 * of leave-one-out rows (a list without one of its titles each) costs two input rows a row, not
 * the whole list's, which for a list of thousands held the page for long (issue 15).
 */
function rowSums(flat, rows, size, width, length, addRow) {
  const out = new Float32Array(length);
  for (let i = 0; i < size; i++) if (flat[i] !== 0) addRow(out, 0, i, flat[i]);
  for (let r = 1; r < rows; r++) {
    out.copyWithin(r * width, 0, width);
    for (let i = 0; i < size; i++) {
      const change = flat[r * size + i] - flat[i];
      if (change !== 0) addRow(out, r * width, i, change);
    }
  }
  return out;
}

/**
 * For a layers model whose first layer is a bias-free linear Dense in a chain:
 * {apply(flat, rows), withResidual(scores, flat, rows), dispose()}; apply gives the model's
 * output for `rows` flat input rows as a tensor whose data starts with those rows' scores, in
 * order (call it inside tf.tidy). On WebGL a single row through a final linear layer runs
 * matvec.js's kernel. A tied model's sparse `residual` (web/js/tied.js: R by row) adds x·R to
 * the scores once they are read back (withResidual): a list's titles' rows of R, a few hundred
 * entries each, summed here like the first layer's, in JS, where adding them on the GPU would
 * compile a program per batch shape on the cold path (tools/BENCH.md, "A sparse residual").
 * Otherwise null.
 */
export function sparseHead(model, residual = null) {
  const layers = model.layers ? chain(model) : null;
  const [first, ...rest] = layers ?? [];
  const config = first?.getClassName() === "Dense" ? first.getConfig() : null;
  if (!config || config.useBias || config.activation !== "linear") return null;
  const firstWeights = first.getWeights()[0];
  const [size, rank] = firstWeights.shape;
  const weights = firstWeights.dataSync(); // never uploaded: only a list's rows are read, here
  const single = tf.getBackend() === "webgl" && rest.length === 1 ? rowKernel(rest[0]) : null;
  const width = model.outputs[0].shape[1];
  const addKernelRow = (out, at, i, value) => {
    for (let j = 0, from = i * rank; j < rank; j++) out[at + j] += value * weights[from + j];
  };
  const addResidualRow = (out, at, i, value) => {
    const { starts, columns, values } = residual;
    for (let k = starts[i]; k < starts[i + 1]; k++) out[at + columns[k]] += value * values[k];
  };
  return {
    apply(flat, rows) {
      const hidden = rowSums(flat, rows, size, rank, padded(rows) * rank, addKernelRow);
      if (single && rows === 1) return single.apply(hidden);
      const input = tf.tensor2d(hidden, [hidden.length / rank, rank]);
      return rest.reduce((x, layer) => layer.apply(x), input);
    },
    /** `scores` (the first `rows` rows of apply's output, flat) plus x·R for the same rows. */
    withResidual(scores, flat, rows) {
      if (!residual) return scores;
      const sums = rowSums(flat, rows, size, width, rows * width, addResidualRow);
      for (let i = 0; i < sums.length; i++) sums[i] += scores[i];
      return sums;
    },
    dispose: () => single?.dispose(),
  };
}
