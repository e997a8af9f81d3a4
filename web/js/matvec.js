// One row through a bias-free linear Dense layer as a WebGL kernel of our own. TF.js's packed
// matMul of a [1, k] row by a [k, n] kernel fills half of each 2×2 texel with the row it does
// not have and fetches both operands every step; here the row is a uniform and the kernel is
// laid out so that one texel fetch brings four outputs' weights for one input. SwiftShader,
// the bench's profile: WebGL inference p50 27–31 → 5.3 ms; the scores equal TF.js's product
// (a browser test compares all of them with the batched path).
//
// Layout: the output is a packed [m, 4] tensor whose row-major order is the outputs' order
// (m = n rounded up to a multiple of 8, over 4; also its number of 2×2 blocks). Block t (row
// pair t >> 1, column pair t & 1) holds outputs o, o+1, o+4, o+5 with o = 8·(t >> 1) + 2·(t & 1);
// the kernel's copy W is packed [2k, 2m] so that W's block (2i, 2t) holds input i's weights for
// those four outputs.

const SPARE_UNIFORMS = 16; // vec4s left for TF.js's own uniforms

/**
 * For a bias-free linear Dense `layer` on the WebGL backend: {apply(hidden), dispose()}, where
 * apply runs one row (a Float32Array of the layer's inputs) and returns a tensor whose data, in
 * order, starts with the layer's outputs. Null where this kernel does not apply.
 */
export function rowKernel(layer) {
  const config = layer.getClassName() === "Dense" ? layer.getConfig() : null;
  if (!config || config.useBias || config.activation !== "linear") return null;
  const weights = layer.getWeights()[0];
  const [k, n] = weights.shape;
  const quads = Math.ceil(k / 4); // the row as vec4 uniforms
  const gl = tf.backend().gpgpu?.gl;
  if (!gl || quads + SPARE_UNIFORMS > gl.getParameter(gl.MAX_FRAGMENT_UNIFORM_VECTORS)) return null;
  const blocks = 2 * Math.ceil(n / 8);
  const width = 2 * blocks;
  const source = weights.dataSync();
  const laidOut = new Float32Array(2 * 4 * quads * width);
  for (let i = 0; i < k; i++) {
    const top = 2 * i * width; // W's rows 2i and 2i + 1: texel order x, y, then z, w
    const from = i * n;
    for (let t = 0; t < blocks; t++) {
      const first = 8 * (t >> 1) + 2 * (t & 1);
      const at = 2 * t;
      if (first < n) laidOut[top + at] = source[from + first];
      if (first + 1 < n) laidOut[top + at + 1] = source[from + first + 1];
      if (first + 4 < n) laidOut[top + width + at] = source[from + first + 4];
      if (first + 5 < n) laidOut[top + width + at + 1] = source[from + first + 5];
    }
  }
  const packed = tf.tensor2d(laidOut, [2 * 4 * quads, width]);
  const program = {
    variableNames: ["W"],
    outputShape: [blocks, 4],
    packedInputs: true,
    packedOutput: true,
    customUniforms: [{ name: "row", type: "vec4", arrayIndex: quads }],
    userCode: `
      void main() {
        ivec2 rc = getOutputCoords();
        int column = 2 * (rc.x + rc.y / 2);  // W's column of block t = rc.x + rc.y / 2
        vec4 sum = vec4(0.0);
        for (int q = 0; q < ${quads}; q++) {
          vec4 v = row[q];
          sum += v.x * getW(8 * q, column) + v.y * getW(8 * q + 2, column)
               + v.z * getW(8 * q + 4, column) + v.w * getW(8 * q + 6, column);
        }
        setOutput(sum);
      }`,
  };
  return {
    apply(hidden) {
      const row = new Float32Array(4 * quads);
      row.set(hidden.subarray(0, k));
      const info = tf.backend().compileAndRun(program, [packed], "float32", [row]);
      return tf.engine().makeTensorFromTensorInfo(info);
    },
    dispose: () => packed.dispose(),
  };
}
