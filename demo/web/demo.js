// The demo page: loads MoveNet Lightning from its original files and from two .tzip files, with a progress bar
// each, runs all three on one photo and shows their keypoints side by side. window.demoResult holds the numbers
// (the Playwright test reads them).
/* global tf, tensorzip */
const MODEL = 'movenet-lightning';
const KEYPOINTS = ['nose', 'left eye', 'right eye', 'left ear', 'right ear', 'left shoulder', 'right shoulder',
  'left elbow', 'right elbow', 'left wrist', 'right wrist', 'left hip', 'right hip', 'left knee', 'right knee',
  'left ankle', 'right ankle'];

/** A row with a label, a progress bar and a status text; returns a function that updates it. */
function progressRow(label) {
  const row = document.createElement('div');
  row.className = 'load';
  row.innerHTML = `<span>${label}</span><progress max="1" value="0"></progress><span>waiting</span>`;
  document.querySelector('#loads').append(row);
  const [, bar, text] = row.children;
  return (fraction, status) => { bar.value = fraction; text.textContent = status; };
}

/** Bytes the page downloaded for URLs that contain `part` (what the network carried, as the browser counts it). A
 *  request's entry appears once its body has ended, which can be after the model is ready (tensorzip decodes bytes as
 *  they arrive): the count is read again until it holds still. */
async function bytesFetched(part) {
  const count = () => performance.getEntriesByType('resource').filter((e) => e.name.includes(part))
    .reduce((n, e) => n + (e.transferSize || e.encodedBodySize), 0);
  for (let last = -1, now = count(); ; last = now, now = count()) {
    if (now === last) return now;
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function loadOriginal(show) {
  const started = performance.now();
  const model = await tf.loadGraphModel(`/models/${MODEL}.json`, { onProgress: (f) => show(f, 'downloading') });
  const ms = performance.now() - started;
  return { model, ms, bytes: await bytesFetched(`/models/${MODEL}`) };
}

async function loadTzip(kind, show) {
  const started = performance.now();
  const url = `/tzip/${MODEL}.${kind}.tzip`;
  const handler = tensorzip.tfjs.ioHandler(url, { onProgress: (done, total) => show(done / total, 'downloading') });
  const model = await tf.loadGraphModel(handler);
  const ms = performance.now() - started;
  return { model, ms, bytes: await bytesFetched(url) };
}

/** The photo as MoveNet takes it: 192 × 192 RGB, int32. */
function inputOf(image) {
  return tf.tidy(() => tf.expandDims(tf.cast(tf.image.resizeBilinear(tf.browser.fromPixels(image), [192, 192]), 'int32'), 0));
}

function draw(image, keypoints) {
  const canvas = document.querySelector('#photo');
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  context.fillStyle = '#e4007c';
  for (const [y, x, score] of keypoints) {
    if (score < 0.2) continue;
    context.beginPath();
    context.arc(x * canvas.width, y * canvas.height, 4, 0, 2 * Math.PI);
    context.fill();
  }
}

function table(results) {
  const head = `<tr><th>keypoint</th>${results.map((r) => `<th colspan="3">${r.label}</th>`).join('')}</tr>`;
  const rows = KEYPOINTS.map((name, k) => `<tr><td>${name}</td>${results.map((r) =>
    r.keypoints[k].map((v) => `<td>${v.toFixed(3)}</td>`).join('')).join('')}</tr>`);
  document.querySelector('#keypoints').innerHTML = head + rows.join('');
}

async function main() {
  await tf.setBackend('cpu');
  await tensorzip.init();
  const sizes = await (await fetch('/tzip/sizes.json')).json();
  const image = new Image();
  image.src = '/photos/sample1.jpg';
  await image.decode();
  const input = inputOf(image);
  const ways = [['original files', () => loadOriginal], ['.tzip lossless', () => (s) => loadTzip('lossless', s)],
    ['.tzip int8', () => (s) => loadTzip('int8', s)]];
  const results = [];
  for (const [label, loader] of ways) {
    const show = progressRow(label);
    const { model, ms, bytes } = await loader()(show);
    const output = model.execute(input);
    const keypoints = (await output.array())[0][0];
    output.dispose();
    show(1, `${bytes.toLocaleString('en')} bytes, ready in ${ms.toFixed(0)} ms`);
    results.push({ label, bytes, ms, keypoints });
  }
  draw(image, results[1].keypoints);
  table(results);
  const maxDiff = (a, b) => Math.max(...a.flatMap((p, k) => p.map((v, i) => Math.abs(v - b[k][i]))));
  const demoResult = { sizes, results, losslessMaxDiff: maxDiff(results[0].keypoints, results[1].keypoints),
    int8MaxDiff: maxDiff(results[0].keypoints, results[2].keypoints) };
  document.querySelector('#summary').textContent =
    `as shipped ${sizes.original.toLocaleString('en')} bytes · brotli-11 ${sizes.brotli11.toLocaleString('en')} · ` +
    `.tzip lossless ${sizes.lossless.toLocaleString('en')} · .tzip int8 ${sizes.int8.toLocaleString('en')}\n` +
    `largest keypoint difference from the original model: lossless ${demoResult.losslessMaxDiff}, int8 ${demoResult.int8MaxDiff.toFixed(4)}`;
  window.demoResult = demoResult;
  document.body.dataset.state = 'done';
}

main().catch((error) => {
  document.querySelector('#summary').textContent = `failed: ${error.code ?? ''} ${error.message}`;
  window.demoResult = { failure: String(error) };
  document.body.dataset.state = 'failed';
});
