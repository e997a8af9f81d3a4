// A tied model (converter/tied.py) ships one factor Q (uint8, n × r), root (n) and scale (r) in
// place of the two kernels of its list → Dense(r) → Dense(n) net, and may ship a sparse
// residual R after them, which web/js/sparse.js adds to the net's output. They are expanded
// in the download worker (download-worker.js), off the page's main thread, where the expansion
// was a long task of its own (tools/BENCH.md, "Tied DLAE" and "Off the main thread").

const TILE = 64; // the transpose's tile, in values

/**
 * TF.js artifacts as the net needs them: a tied model's kernels U = Q / root (n × r) and
 * V = (scale · Qᵀ) · root (r × n), each value computed in float64 and rounded to float32, as
 * converter/export.py's `expand` does, and its `residual` (null if it has none); any other
 * model's artifacts as they are.
 */
export function expandTied(artifacts) {
  const { tied, weightSpecs: [qSpec, rootSpec, scaleSpec, ...rest], weightData: buffer } = artifacts;
  if (!tied) return artifacts;
  const [n, r] = qSpec.shape;
  const { min, scale: step } = qSpec.quantization;
  const codes = new Uint8Array(buffer, 0, n * r);
  const root = new Float32Array(buffer.slice(n * r, n * r + 4 * n)); // copied: aligned
  const scale = new Float32Array(buffer.slice(n * r + 4 * n, n * r + 4 * (n + r)));
  if (rootSpec.shape[0] !== n || scaleSpec.shape[0] !== r) throw new Error("tied: bad shapes");
  const q = Float32Array.from({ length: 256 }, (_, code) => code * step + min); // TF.js' rule
  const out = new Float32Array(2 * n * r);
  const u = out.subarray(0, n * r);
  const v = out.subarray(n * r);
  for (let i = 0; i < n; i++) {
    for (let j = 0, at = i * r; j < r; j++) u[at + j] = q[codes[at + j]] / root[i];
  }
  // V is Q transposed (r × n): written in tiles, so that reads and writes both stay in cache.
  for (let i0 = 0; i0 < n; i0 += TILE) {
    for (let j0 = 0; j0 < r; j0 += TILE) {
      for (let j = j0; j < Math.min(j0 + TILE, r); j++) {
        for (let i = i0; i < Math.min(i0 + TILE, n); i++) {
          v[j * n + i] = scale[j] * q[codes[i * r + j]] * root[i];
        }
      }
    }
  }
  const { tied: _, ...model } = artifacts;
  return {
    ...model,
    weightSpecs: [{ name: tied.factor, shape: [n, r], dtype: "float32" },
                  { name: tied.output, shape: [r, n], dtype: "float32" }],
    weightData: out.buffer,
    residual: rest.length ? residualRows(buffer, n * r + 4 * (n + r), n, rest) : null,
  };
}

/**
 * The sparse residual R that follows the tied tensors in the shard (converter/export.py's
 * SparseResidual.shipped): uint16 counts per row, each row's columns as differences (the
 * first absolute), uint8 values on a grid. Returned by row: {starts (n + 1), columns, values},
 * each value computed as TF.js dequantizes (code · scale + min, rounded to float32).
 */
function residualRows(buffer, at, n, [countSpec, columnSpec, valueSpec]) {
  const [entries] = valueSpec.shape;
  if (countSpec.shape[0] !== n || columnSpec.shape[0] !== entries) {
    throw new Error("tied: bad residual shapes");
  }
  const counts = new Uint16Array(buffer.slice(at, at + 2 * n)); // copied: aligned
  const deltas = new Uint16Array(buffer.slice(at + 2 * n, at + 2 * (n + entries)));
  const codes = new Uint8Array(buffer, at + 2 * (n + entries), entries);
  const { min, scale: step } = valueSpec.quantization;
  const grid = Float32Array.from({ length: 256 }, (_, code) => code * step + min);
  const starts = new Int32Array(n + 1);
  const columns = new Uint16Array(entries);
  const values = new Float32Array(entries);
  for (let i = 0, k = 0; i < n; i++) {
    starts[i] = k;
    for (let column = 0, end = k + counts[i]; k < end; k++) {
      column = k === starts[i] ? deltas[k] : column + deltas[k];
      columns[k] = column;
      values[k] = grid[codes[k]];
    }
  }
  starts[n] = entries;
  return { starts, columns, values };
}
