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
 * For a layers model whose first layer is a bias-free linear Dense in a chain:
 * {apply(flat, rows), dispose()}; apply gives the model's output for `rows` flat input rows as a
 * tensor whose data starts with those rows' scores, in order (call it inside tf.tidy). On WebGL
 * a single row through a final linear layer runs matvec.js's kernel. Otherwise null.
 */
export function sparseHead(model) {
  const layers = model.layers ? chain(model) : null;
  const [first, ...rest] = layers ?? [];
  const config = first?.getClassName() === "Dense" ? first.getConfig() : null;
  if (!config || config.useBias || config.activation !== "linear") return null;
  const firstWeights = first.getWeights()[0];
  const [size, rank] = firstWeights.shape;
  const weights = firstWeights.dataSync(); // never uploaded: only a list's rows are read, here
  const single = tf.getBackend() === "webgl" && rest.length === 1 ? rowKernel(rest[0]) : null;
  return {
    apply(flat, rows) {
      const hidden = new Float32Array(padded(rows) * rank);
      const add = (r, i, value) => {
        for (let j = 0, at = i * rank; j < rank; j++) hidden[r * rank + j] += value * weights[at + j];
      };
      for (let i = 0; i < size; i++) if (flat[i] !== 0) add(0, i, flat[i]);
      // Every other row starts from the first and adds what differs from it: a batch of
      // leave-one-out rows (a list without one of its titles each) costs two kernel rows a row,
      // not the whole list's, which for a list of thousands held the page for long (issue 15).
      for (let r = 1; r < rows; r++) {
        hidden.copyWithin(r * rank, 0, rank);
        for (let i = 0; i < size; i++) {
          const change = flat[r * size + i] - flat[i];
          if (change !== 0) add(r, i, change);
        }
      }
      if (single && rows === 1) return single.apply(hidden);
      const input = tf.tensor2d(hidden, [hidden.length / rank, rank]);
      return rest.reduce((x, layer) => layer.apply(x), input);
    },
    dispose: () => single?.dispose(),
  };
}
