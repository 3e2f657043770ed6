// face-api's own throughput on the work Lathe's FaceThroughput times: SSD MobileNetV1 detection
// (min confidence 0.5) + 68 landmarks + 128-D descriptor for every face of the package's six
// demo photos, on the tfjs WASM backend (no native addon). JPEGs are decoded once, before timing,
// with jpeg-js; a pass analyses the six decoded images.
//
// usage: node faceapi-throughput.js PACKAGE_DIR PASSES
// (PACKAGE_DIR: an installed @vladmandic/face-api, whose model/ and demo/ folders are used)
'use strict';

const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const wasm = require('@tensorflow/tfjs-backend-wasm');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const jpeg = require('jpeg-js');

async function main() {
  const packageDir = process.argv[2];
  const passes = Number(process.argv[3] || 5);
  wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  await tf.setBackend('wasm');
  await tf.ready();
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');

  const models = path.join(packageDir, 'model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(models);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(models);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(models);

  const images = [];
  for (let i = 1; i <= 6; i++) {
    const decoded = jpeg.decode(fs.readFileSync(path.join(packageDir, 'demo', `sample${i}.jpg`)), { useTArray: true, formatAsRGBA: false });
    images.push(tf.tensor3d(decoded.data, [decoded.height, decoded.width, 3], 'int32'));
  }
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });

  async function pass() {
    let faces = 0;
    for (const image of images) {
      const results = await faceapi.detectAllFaces(image, options).withFaceLandmarks().withFaceDescriptors();
      faces += results.length;
    }
    return faces;
  }

  const warmupFaces = await pass();
  const seconds = [];
  const cpuSeconds = [];
  for (let i = 0; i < passes; i++) {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const faces = await pass();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    const used = process.cpuUsage(cpu);
    cpuSeconds.push((used.user + used.system) / 1e6);
    if (faces !== warmupFaces) throw new Error(`pass ${i} found ${faces} faces, the warm-up ${warmupFaces}`);
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(JSON.stringify({
    implementation: 'face-api 1.7.15, tfjs ' + tf.version.tfjs + ' wasm',
    node: process.version, wasmThreads: threads, wasmSimd: simd,
    faces: warmupFaces, passes: seconds.map((s) => Number(s.toFixed(3))),
    minSeconds: Math.min(...seconds), medianSeconds: median(seconds), medianCpuSeconds: median(cpuSeconds),
    facesPerSecond: warmupFaces / median(seconds),
  }));
}

main().catch((e) => { console.error(e); process.exit(1); });
