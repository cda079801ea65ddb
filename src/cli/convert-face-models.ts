// Build step (`npm run build`): converts face-api's TF.js weights into models/face/*.onnx and
// checks them against the committed checksums, so a release never ships unverified models.
import { ensureFaceModels, faceModelDir } from '../vision/index.js';

const started = Date.now();
await ensureFaceModels();
process.stdout.write(`Face models ready in ${faceModelDir()} (${Date.now() - started} ms)\n`);
