// Profiles are sparse: a visitor's list sets a few hundred of the model's thousands of inputs.
// When the model is a chain that starts with a bias-free linear Dense layer (the EASE factor
// model does), that layer's output is the sum of its kernel rows for those inputs: gathering
// them replaces a [rows, inputs] × [inputs, rank] product that is almost all zeros
// (SwiftShader, one profile: 44 → 27 ms; 150 rows: 690 → 300 ms). TF.js compiles a WebGL
// program per shape, so the inputs and the rows are padded up to a few sizes (zeros add
// nothing): a new profile reuses the warm-up's programs instead of compiling its own.

const INPUT_SIZES = [256, 1024, 4096]; // more inputs than this: all of them
const ROW_SIZES = [1, 8, 16, 32, 64];

const padded = (n, sizes, most) => Math.min(sizes.find((size) => size >= n) ?? most, most);

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
 * The columns of `flat` (`rows` rows of `size`) that are non-zero in some row, padded with
 * column 0, and the rows restricted to them (padded rows and columns are zero).
 */
function nonZeroColumns(flat, rows, size) {
  const used = [];
  for (let c = 0; c < size; c++) {
    for (let r = 0; r < rows; r++) {
      if (flat[r * size + c] !== 0) {
        used.push(c);
        break;
      }
    }
  }
  const k = padded(used.length, INPUT_SIZES, size);
  const indices = new Int32Array(k);
  indices.set(used);
  const values = new Float32Array(padded(rows, ROW_SIZES, rows) * k);
  for (let r = 0; r < rows; r++) {
    used.forEach((c, j) => { values[r * k + j] = flat[r * size + c]; });
  }
  return { indices, values, k };
}

/**
 * For a layers model whose first layer is a bias-free linear Dense in a chain:
 * {apply(flat, rows)}, the model's output for `rows` flat input rows as a tensor with at least
 * `rows` rows (padding rows follow; call inside tf.tidy). Otherwise null.
 */
export function sparseHead(model) {
  const layers = model.layers ? chain(model) : null;
  const [first, ...rest] = layers ?? [];
  const config = first?.getClassName() === "Dense" ? first.getConfig() : null;
  if (!config || config.useBias || config.activation !== "linear") return null;
  const kernel = first.getWeights()[0];
  const size = kernel.shape[0];
  return {
    apply(flat, rows) {
      const { indices, values, k } = nonZeroColumns(flat, rows, size);
      const hidden = tf.matMul(tf.tensor2d(values, [values.length / k, k]),
                               tf.gather(kernel, tf.tensor1d(indices, "int32")));
      return rest.reduce((x, layer) => layer.apply(x), hidden);
    },
  };
}
