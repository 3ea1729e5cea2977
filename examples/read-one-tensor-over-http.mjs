// Reads one tensor of a .tzip file over HTTP: open(url) fetches both ends of the file (header, index, footer) with
// two Range requests side by side, then only that tensor's chunks. A local server stands in for a CDN and counts
// what it sends.
//   node examples/read-one-tensor-over-http.mjs
import { createServer } from 'node:http';
import { open, pack } from 'tensorzip';

// A model of 16 weight matrices of 512 × 512 (16 MiB as float32), packed as int8. The weights are noise in ±0.05
// (what trained weights look like to a compressor), from a hash so the example needs no dependency.
const noise = (i) => ((Math.sin(i * 12.9898) * 43758.5453) % 1);
const tensors = {};
for (let layer = 0; layer < 16; layer++) {
  const data = Float32Array.from({ length: 512 * 512 }, (_, i) => noise(i + layer * 512 * 512) * 0.05);
  tensors[`layer${layer}.weight`] = { dtype: 'float32', shape: [512, 512], data };
}
const file = await pack(tensors, { quantize: 'int8' });

let requests = 0;
let bytesSent = 0;
const server = createServer((req, res) => {
  const range = /^bytes=(\d*)-(\d+)$/.exec(req.headers.range ?? ''); // bytes=a-b, or the last n bytes: bytes=-n
  const from = !range ? 0 : range[1] === '' ? Math.max(0, file.length - Number(range[2])) : Number(range[1]);
  const to = range && range[1] !== '' ? Math.min(Number(range[2]), file.length - 1) : file.length - 1;
  requests++;
  bytesSent += to + 1 - from;
  res.writeHead(range ? 206 : 200, { 'content-length': to + 1 - from, ...(range && { 'content-range': `bytes ${from}-${to}/${file.length}` }) });
  res.end(file.subarray(from, to + 1));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const archive = await open(`http://127.0.0.1:${server.address().port}/model.tzip`);
const { shape, data } = await archive.get('layer7.weight');
server.close();
console.log(`layer7.weight [${shape.join(', ')}]: first value ${data[0].toFixed(5)}, expected ${tensors['layer7.weight'].data[0].toFixed(5)}`);
console.log(`downloaded ${bytesSent} of ${file.length} bytes in ${requests} requests`);
