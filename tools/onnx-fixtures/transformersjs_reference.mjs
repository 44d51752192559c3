// What transformers.js computes on the onnx-community fixture, for each dtype it is asked for:
// the logits of the prompt's last position. The ONNX backend's `variant` option must pick the same
// graph transformers.js picks for that dtype, and so compute the same logits.
//
//   cd tools/onnx-fixtures && npm install --no-save --ignore-scripts @huggingface/transformers@4.3.1
//   node transformersjs_reference.mjs ../../backend-onnx/src/test/resources/fixtures/onnx-community \
//       ../../backend-onnx/src/test/resources/fixtures/onnx-community-transformersjs.json
//
// (--ignore-scripts: onnxruntime-node's install script only fetches GPU libraries; the CPU
// runtime is in the package.)
import { AutoModelForCausalLM, Tensor, env } from "@huggingface/transformers";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const [fixture, output] = process.argv.slice(2);
const PROMPT = [2044, 590, 10, 723, 305, 414];
const DTYPES = ["fp32", "q4", "fp16"];

function halfToFloat(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

env.allowRemoteModels = false;
env.localModelPath = path.resolve(fixture, "..") + path.sep;
const version = JSON.parse(readFileSync(new URL("./node_modules/@huggingface/transformers/package.json", import.meta.url)));
const result = { source: `@huggingface/transformers ${version.version}`, prompt: PROMPT, logits: {} };
for (const dtype of DTYPES) {
  const model = await AutoModelForCausalLM.from_pretrained(path.basename(path.resolve(fixture)), { dtype, local_files_only: true });
  const ids = new Tensor("int64", BigInt64Array.from(PROMPT.map(BigInt)), [1, PROMPT.length]);
  const mask = new Tensor("int64", BigInt64Array.from(PROMPT.map(() => 1n)), [1, PROMPT.length]);
  const { logits } = await model({ input_ids: ids, attention_mask: mask });
  const vocab = logits.dims[2];
  const last = Array.from(logits.data.slice((PROMPT.length - 1) * vocab, PROMPT.length * vocab), Number);
  result.logits[dtype] = (logits.type === "float16" ? last.map(halfToFloat) : last).map((x) => Number(x.toPrecision(7)));
  await model.dispose();
}
writeFileSync(output, JSON.stringify(result) + "\n");
console.log(`${output}: ${DTYPES.join(", ")} from ${result.source}`);
